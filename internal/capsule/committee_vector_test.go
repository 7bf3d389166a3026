package capsule_test

import (
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/chuxin-chain/chuxin/internal/capsule"
)

// committeeVector is testdata/committee.json: a committee of four with
// threshold three dealt from a fixed stream, each holder's partial key for
// one round, the round's key, and a ciphertext sealed to it by tlock-js and
// one by chuxin.
type committeeVector struct {
	Seed           string   `json:"seed"` // ChaCha8 seed of the dealer's randomness
	Threshold      int      `json:"threshold"`
	Master         string   `json:"masterPublicKey"`
	PublicShares   []string `json:"publicShares"`
	Round          uint64   `json:"round"`
	Partials       []string `json:"partialKeys"`
	Key            string   `json:"roundKey"`
	ChainHash      string   `json:"chainHash"`
	SealedByTlock  string   `json:"sealedByTlockJS"`
	SealedByChuxin string   `json:"sealedByChuxin"`
	Plaintext      string   `json:"plaintext"`
}

const vectorFile = "testdata/committee.json"

func vectorCommittee(t testing.TB, seedHex string) (*capsule.Committee, []capsule.Share) {
	t.Helper()
	var seed [32]byte
	copy(seed[:], mustHex(t, seedHex))
	c, shares, err := capsule.Deal(3, 4, rand.NewChaCha8(seed))
	if err != nil {
		t.Fatal(err)
	}
	return c, shares
}

// TestCommitteeVector: the stored committee deals again from its seed to
// the same keys, its partial keys verify and combine to the stored round
// key, and both stored ciphertexts open. With CAPSULE_WRITE_VECTORS=1 it
// writes the file anew (tlock-js seals through testdata/tlock-interop.mjs).
func TestCommitteeVector(t *testing.T) {
	if os.Getenv("CAPSULE_WRITE_VECTORS") != "" {
		writeCommitteeVector(t)
	}
	v, c := loadVector(t)
	if hex.EncodeToString(c.Master.Bytes()) != v.Master {
		t.Fatal("dealing from the stored seed made another master key")
	}
	var partials []capsule.Partial
	for i, s := range v.PublicShares {
		if hex.EncodeToString(c.Shares[i].Bytes()) != s {
			t.Fatalf("public share %d differs", i+1)
		}
		sig, err := capsule.ParseSignature(mustHex(t, v.Partials[i]))
		if err != nil {
			t.Fatal(err)
		}
		p := capsule.Partial{Index: uint32(i + 1), Sig: sig}
		if err := c.VerifyPartial(v.Round, p); err != nil {
			t.Fatal(err)
		}
		partials = append(partials, p)
	}
	key, err := c.Combine(partials[1:])
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(key.Bytes()) != v.Key {
		t.Fatal("the partial keys combine to another round key")
	}
	keys := func(uint64) (*capsule.Signature, error) { return key, nil }
	for name, ct := range map[string]string{"tlock-js": v.SealedByTlock, "chuxin": v.SealedByChuxin} {
		got, err := capsule.Decrypt(c.Master, v.ChainHash, []byte(ct), keys)
		if err != nil || string(got) != v.Plaintext {
			t.Fatalf("the ciphertext sealed by %s opens as %q: %v", name, got, err)
		}
	}
}

func writeCommitteeVector(t *testing.T) {
	v := committeeVector{Seed: "63687578696e2d636f6d6d69747465652d766563746f722d302d2d2d2d2d2d2d", Threshold: 3, Round: 4242, Plaintext: "初心 — the day I joined"}
	c, shares := vectorCommittee(t, v.Seed)
	v.Master = hex.EncodeToString(c.Master.Bytes())
	var partials []capsule.Partial
	for i, s := range shares {
		p := s.PartialKey(v.Round)
		partials = append(partials, p)
		v.PublicShares = append(v.PublicShares, hex.EncodeToString(c.Shares[i].Bytes()))
		v.Partials = append(v.Partials, hex.EncodeToString(p.Sig.Bytes()))
	}
	key, err := c.Combine(partials)
	if err != nil {
		t.Fatal(err)
	}
	v.Key = hex.EncodeToString(key.Bytes())
	info := capsule.ChainInfo{PublicKey: c.Master, Period: 3, GenesisTime: 1_700_000_000, GenesisSeed: []byte("chuxin"), BeaconID: "chuxin-vector"}
	v.ChainHash = info.Hash()
	ct, err := capsule.Encrypt(c.Master, v.ChainHash, v.Round, []byte(v.Plaintext), true)
	if err != nil {
		t.Fatal(err)
	}
	v.SealedByChuxin = string(ct)
	_, v.SealedByTlock = tlockJS(t, c, info, v.Round, key, ct, v.Plaintext)
	b, _ := json.MarshalIndent(v, "", "  ")
	if err := os.WriteFile(filepath.FromSlash(vectorFile), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
