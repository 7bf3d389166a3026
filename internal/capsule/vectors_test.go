package capsule_test

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/chuxin-chain/chuxin/internal/capsule"
)

// drand's quicknet (mainnet, scheme bls-unchained-g1-rfc9380) and one of
// its rounds, as drand/tlock's tests use them.
const (
	quicknetKey   = "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a"
	quicknetHash  = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
	quicknetRound = 12040883
	quicknetSig   = "929906c959032ab363c9f26570d215d66f5c06cb0c44fe508c12bb5839f04ec895bb6868e5b9ff13ab289bdb5266b394"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func quicknet(t testing.TB) (*capsule.PublicKey, *capsule.Signature) {
	t.Helper()
	pk, err := capsule.ParsePublicKey(mustHex(t, quicknetKey))
	if err != nil {
		t.Fatal(err)
	}
	sig, err := capsule.ParseSignature(mustHex(t, quicknetSig))
	if err != nil {
		t.Fatal(err)
	}
	return pk, sig
}

// TestQuicknetRoundVerifies: a round of drand's quicknet verifies under its
// public key, and no other round does.
func TestQuicknetRoundVerifies(t *testing.T) {
	pk, sig := quicknet(t)
	if err := capsule.Verify(pk, quicknetRound, sig); err != nil {
		t.Fatal(err)
	}
	if err := capsule.Verify(pk, quicknetRound+1, sig); err == nil {
		t.Fatal("the key of one round verified for the next")
	}
}

// TestDecryptsTlockCiphertext: what drand's tlock sealed to quicknet opens
// here with the round's key (testdata/quicknet-hello-world.age is drand/tlock's
// TestDecryptText ciphertext: "hello world" sealed to round 12040883).
func TestDecryptsTlockCiphertext(t *testing.T) {
	pk, sig := quicknet(t)
	tlockHelloWorld, err := os.ReadFile(filepath.Join("testdata", "quicknet-hello-world.age"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := capsule.Inspect(tlockHelloWorld)
	if err != nil || h.Round != quicknetRound || h.ChainHash != quicknetHash {
		t.Fatalf("inspect: %+v, %v", h, err)
	}
	plain, err := capsule.Decrypt(pk, quicknetHash, tlockHelloWorld, func(round uint64) (*capsule.Signature, error) {
		if round != quicknetRound {
			t.Fatalf("asked for round %d", round)
		}
		return sig, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(plain) != "hello world" {
		t.Fatalf("plaintext %q", plain)
	}
}

// TestQuicknetChainHash: the chain hash of quicknet's info, computed as
// drand does.
func TestQuicknetChainHash(t *testing.T) {
	pk, _ := quicknet(t)
	info := capsule.ChainInfo{PublicKey: pk, Period: 3, GenesisTime: 1692803367,
		GenesisSeed: mustHex(t, "f477d5c89f21a17c863a7f937c6a6d15859414d2be09cd448d4279af331c5d3e"), BeaconID: "quicknet"}
	if got := info.Hash(); got != quicknetHash {
		t.Fatalf("chain hash %s, want %s", got, quicknetHash)
	}
}
