package types_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/chuxin-chain/chuxin/internal/testchain"
	pledge "github.com/chuxin-chain/chuxin/x/pledge/types"
)

func TestOpensAtTheNextAnniversary(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		joined string
		years  int
		now    string
		want   string
	}{
		{"2019-07-01", 0, "2026-11-29 10:00", "2027-07-01 00:00"},
		{"2019-07-01", 1, "2026-11-29 10:00", "2027-07-01 00:00"},
		{"2019-07-01", 3, "2026-11-29 10:00", "2029-07-01 00:00"},
		{"2019-11-29", 0, "2026-11-29 00:00", "2027-11-29 00:00"}, // on the day itself: the next one
		{"2019-11-30", 0, "2026-11-29 23:59", "2026-11-30 00:00"},
		{"2020-02-29", 0, "2026-01-10 09:00", "2026-02-28 00:00"}, // no 29 February in 2026
		{"2020-02-29", 2, "2026-01-10 09:00", "2027-02-28 00:00"},
		{"2020-02-29", 3, "2026-01-10 09:00", "2028-02-29 00:00"}, // 2028 has one
		{"2026-11-29", 0, "2026-11-29 08:00", "2027-11-29 00:00"}, // joined today
	} {
		d, err := pledge.ParseDay(tc.joined)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pledge.OpensAt(d, tc.years, at(tc.now), shanghai)
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		if want := at(tc.want); !got.Equal(want) {
			t.Errorf("joined %s, %d years, at %s: opens %s, want %s", tc.joined, tc.years, tc.now, got, want)
		}
	}
	// Midnight in the network's zone, not UTC: 2027-07-01 00:00 in
	// Shanghai is 16:00 the day before in UTC.
	d, _ := pledge.ParseDay("2019-07-01")
	got, _ := pledge.OpensAt(d, 0, at("2026-11-29 10:00"), shanghai)
	if got.UTC().Format("2006-01-02 15:04") != "2027-06-30 16:00" {
		t.Fatalf("opens at %s UTC", got.UTC())
	}
}

func TestBadDays(t *testing.T) {
	for _, s := range []string{"2019-02-30", "2019/07/01", "", "19-07-01"} {
		if _, err := pledge.ParseDay(s); !errors.Is(err, pledge.ErrDate) {
			t.Errorf("ParseDay(%q): %v", s, err)
		}
	}
	d, _ := pledge.ParseDay("2030-01-01")
	if _, err := pledge.OpensAt(d, 0, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.UTC); !errors.Is(err, pledge.ErrDate) {
		t.Errorf("joining in the future: %v", err)
	}
}

func TestPrivatePledgesOpenOnlyForTheirMember(t *testing.T) {
	member, _ := crypto.GenerateKey()
	other, _ := crypto.GenerateKey()
	msg := []byte("只有我自己能读")
	ct, err := pledge.SealToMember(&member.PublicKey, msg)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, msg) {
		t.Fatal("the plaintext is in the sealed pledge")
	}
	got, err := pledge.OpenAsMember(member, ct)
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("the member reads %q, %v", got, err)
	}
	if _, err := pledge.OpenAsMember(other, ct); err == nil {
		t.Fatal("another key read a private pledge")
	}
}

// TestECIESInteropWithThePage: the pledge page's ECIES (x/pledge/web/ecies.js,
// run by node) opens what go-ethereum's seals, and the other way round.
func TestECIESInteropWithThePage(t *testing.T) {
	key, _ := crypto.GenerateKey()
	goSealed, err := pledge.SealToMember(&key.PublicKey, []byte("sealed by go-ethereum"))
	if err != nil {
		t.Fatal(err)
	}
	req := map[string]string{"privateKey": hex.EncodeToString(crypto.FromECDSA(key)), "goSealed": hex.EncodeToString(goSealed), "message": "sealed by the page, 我的"}
	var res struct{ Opened, Sealed string }
	testchain.NodeScript(t, filepath.Join("..", "..", ".."), filepath.Join("@noble", "curves"), filepath.Join("testdata", "ecies-interop.mjs"), req, &res)
	if res.Opened != "sealed by go-ethereum" {
		t.Fatalf("the page opened go-ethereum's ciphertext as %q", res.Opened)
	}
	sealed, _ := hex.DecodeString(res.Sealed)
	got, err := pledge.OpenAsMember(key, sealed)
	if err != nil || string(got) != "sealed by the page, 我的" {
		t.Fatalf("go-ethereum opened the page's ciphertext as %q: %v", got, err)
	}
}
