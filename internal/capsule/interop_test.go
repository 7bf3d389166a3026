package capsule_test

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"path/filepath"
	"testing"

	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// tlockJS runs testdata/tlock-interop.mjs: tlock-js opens ciphertext with
// the round's key, verifying it under c's master key, and seals message to
// the round. Skipped without node or the npm packages, unless CI is set.
func tlockJS(t *testing.T, c *capsule.Committee, info capsule.ChainInfo, round uint64, key *capsule.Signature, ciphertext []byte, message string) (opened, sealed string) {
	t.Helper()
	randomness := key.Randomness()
	req := map[string]any{
		"info": map[string]any{
			"public_key": hex.EncodeToString(c.Master.Bytes()), "period": info.Period, "genesis_time": info.GenesisTime,
			"hash": info.Hash(), "groupHash": hex.EncodeToString(info.GenesisSeed), "schemeID": capsule.Scheme,
			"metadata": map[string]string{"beaconID": info.BeaconID},
		},
		"round": round, "signature": hex.EncodeToString(key.Bytes()), "randomness": hex.EncodeToString(randomness[:]),
		"ciphertext": string(ciphertext), "message": message,
	}
	var res struct{ Opened, Sealed string }
	testchain.NodeScript(t, filepath.Join("..", ".."), "tlock-js", filepath.Join("testdata", "tlock-interop.mjs"), req, &res)
	return res.Opened, res.Sealed
}

// TestTlockJSInterop: tlock-js (npm tlock-js 0.9, drand-client 1.4) opens
// what chuxin seals to a chuxin beacon, verifying the round's key itself,
// and chuxin opens what tlock-js seals.
func TestTlockJSInterop(t *testing.T) {
	c, shares, err := capsule.Deal(2, 3, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	info := capsule.ChainInfo{PublicKey: c.Master, Period: 3, GenesisTime: 1_700_000_000, GenesisSeed: []byte("chuxin"), BeaconID: "chuxin-test"}
	const round = 1000 // long past for this genesis time: tlock-js opens only past rounds
	key, err := c.Combine([]capsule.Partial{shares[1].PartialKey(round), shares[2].PartialKey(round)})
	if err != nil {
		t.Fatal(err)
	}
	msg := "我的誓言 — sealed by chuxin"
	ct, err := capsule.Encrypt(c.Master, info.Hash(), round, []byte(msg), true)
	if err != nil {
		t.Fatal(err)
	}
	opened, sealed := tlockJS(t, c, info, round, key, ct, "誓言 — sealed by tlock-js")
	if opened != msg {
		t.Fatalf("tlock-js opened chuxin's ciphertext as %q", opened)
	}
	got, err := capsule.Decrypt(c.Master, info.Hash(), []byte(sealed), func(r uint64) (*capsule.Signature, error) {
		if r != round {
			return nil, errors.New("no such round")
		}
		return key, nil
	})
	if err != nil || string(got) != "誓言 — sealed by tlock-js" {
		t.Fatalf("chuxin opened tlock-js's ciphertext as %q: %v", got, err)
	}
}
