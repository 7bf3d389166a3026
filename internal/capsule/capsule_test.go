package capsule_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/chuxin-chain/chuxin/internal/capsule"
)

func deal(t testing.TB, threshold, n int) (*capsule.Committee, []capsule.Share) {
	t.Helper()
	c, shares, err := capsule.Deal(threshold, n, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return c, shares
}

// TestAnyThresholdOfPartialsMakesTheKey: every set of t holders' partial
// keys combines into the same round key, which the master public key
// verifies; t-1 do not make a key.
func TestAnyThresholdOfPartialsMakesTheKey(t *testing.T) {
	c, shares := deal(t, 3, 4)
	const round = 77
	var partials []capsule.Partial
	for _, s := range shares {
		p := s.PartialKey(round)
		if err := c.VerifyPartial(round, p); err != nil {
			t.Fatal(err)
		}
		partials = append(partials, p)
	}
	var first *capsule.Signature
	for _, set := range [][]int{{0, 1, 2}, {1, 2, 3}, {0, 2, 3}, {3, 0, 1}} {
		var ps []capsule.Partial
		for _, i := range set {
			ps = append(ps, partials[i])
		}
		key, err := c.Combine(ps)
		if err != nil {
			t.Fatal(err)
		}
		if err := capsule.Verify(c.Master, round, key); err != nil {
			t.Fatalf("holders %v: %v", set, err)
		}
		if first == nil {
			first = key
		} else if !first.Equal(key) {
			t.Fatalf("holders %v made another key", set)
		}
	}
	// Two distinct holders are not three, however often one is named.
	if _, err := c.Combine([]capsule.Partial{partials[0], partials[1], partials[1]}); !errors.Is(err, capsule.ErrThreshold) {
		t.Fatalf("combining two distinct partials: %v", err)
	}
	// A partial key of another round, or of another holder, is refused.
	wrong := shares[0].PartialKey(round + 1)
	if err := c.VerifyPartial(round, wrong); !errors.Is(err, capsule.ErrVerify) {
		t.Fatalf("another round's partial: %v", err)
	}
	wrong = capsule.Partial{Index: 2, Sig: partials[0].Sig}
	if err := c.VerifyPartial(round, wrong); !errors.Is(err, capsule.ErrVerify) {
		t.Fatalf("holder 1's partial as holder 2's: %v", err)
	}
	// A bad partial among t makes a key the master key refuses.
	bad, err := c.Combine([]capsule.Partial{partials[0], partials[1], {Index: 3, Sig: shares[2].PartialKey(round + 1).Sig}})
	if err != nil {
		t.Fatal(err)
	}
	if err := capsule.Verify(c.Master, round, bad); !errors.Is(err, capsule.ErrVerify) {
		t.Fatalf("a key from a wrong partial: %v", err)
	}
}

func TestDealRefusesImpossibleThresholds(t *testing.T) {
	for _, tn := range [][2]int{{0, 4}, {5, 4}, {1, 0}} {
		if _, _, err := capsule.Deal(tn[0], tn[1], rand.Reader); !errors.Is(err, capsule.ErrThreshold) {
			t.Errorf("deal %d of %d: %v", tn[0], tn[1], err)
		}
	}
	for n, want := range map[int]int{1: 1, 2: 2, 3: 3, 4: 3, 5: 4, 6: 5, 7: 5, 10: 7, 100: 67} {
		if got := capsule.DefaultThreshold(n); got != want {
			t.Errorf("DefaultThreshold(%d) = %d, want %d", n, got, want)
		}
	}
}

// TestSealAndOpen: a message sealed to a round opens with that round's key,
// armored or binary, and with no other.
func TestSealAndOpen(t *testing.T) {
	c, shares := deal(t, 2, 3)
	const round, chain = 1000, "00c1"
	msg := []byte("我加入的那一天 — the day I joined")
	key, err := c.Combine([]capsule.Partial{shares[0].PartialKey(round), shares[2].PartialKey(round)})
	if err != nil {
		t.Fatal(err)
	}
	keys := func(r uint64) (*capsule.Signature, error) {
		if r != round {
			return nil, errors.New("not released")
		}
		return key, nil
	}
	for _, armored := range []bool{false, true} {
		ct, err := capsule.Encrypt(c.Master, chain, round, msg, armored)
		if err != nil {
			t.Fatal(err)
		}
		if armored != strings.HasPrefix(string(ct), "-----BEGIN AGE ENCRYPTED FILE-----") {
			t.Fatalf("armored %v: %.40q", armored, ct)
		}
		if bytes.Contains(ct, msg) {
			t.Fatal("the plaintext is in the ciphertext")
		}
		h, err := capsule.Inspect(ct)
		if err != nil || h.Round != round || h.ChainHash != chain {
			t.Fatalf("inspect: %+v %v", h, err)
		}
		got, err := capsule.Decrypt(c.Master, chain, ct, keys)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("open: %q, %v", got, err)
		}
		if _, err := capsule.Decrypt(c.Master, "other", ct, keys); !errors.Is(err, capsule.ErrCiphertext) || !strings.Contains(err.Error(), "chain hash 00c1") {
			t.Fatalf("open with another chain hash: %v", err)
		}
		other := shares[0].Key.Sign(round) // a valid point, not the round's key
		if _, err := capsule.Decrypt(c.Master, chain, ct, func(uint64) (*capsule.Signature, error) { return other, nil }); !errors.Is(err, capsule.ErrVerify) {
			t.Fatalf("open with a wrong key: %v", err)
		}
		sealed := errors.New("sealed until later")
		if _, err := capsule.Decrypt(c.Master, chain, ct, func(uint64) (*capsule.Signature, error) { return nil, sealed }); !errors.Is(err, sealed) {
			t.Fatalf("open before the round: %v", err)
		}
	}
}

func TestRounds(t *testing.T) {
	c := capsule.ChainInfo{Period: 10, GenesisTime: 1000}
	for at, want := range map[int64]uint64{999: 0, 1000: 1, 1009: 1, 1010: 2, 1095: 10} {
		if got := c.RoundAt(at); got != want {
			t.Errorf("RoundAt(%d) = %d, want %d", at, got, want)
		}
	}
	if c.RoundTime(1) != 1000 || c.RoundTime(10) != 1090 || c.RoundTime(math.MaxUint64) != math.MaxInt64 || c.RoundFrom(1090) != 10 || c.RoundFrom(1091) != 11 {
		t.Error("RoundTime")
	}
}

func TestCheckShares(t *testing.T) {
	c, _ := deal(t, 3, 5)
	if err := c.CheckShares(); err != nil {
		t.Fatal(err)
	}
	other, _ := deal(t, 3, 5)
	c.Shares[4] = other.Shares[4]
	if err := c.CheckShares(); !errors.Is(err, capsule.ErrThreshold) || !strings.Contains(err.Error(), "public share 5") {
		t.Fatalf("a foreign share: %v", err)
	}
	c.Master = other.Master
	if err := c.CheckShares(); !errors.Is(err, capsule.ErrThreshold) || !strings.Contains(err.Error(), "master public key") {
		t.Fatalf("a foreign master key: %v", err)
	}
}
