package capsule_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/chuxin-chain/chuxin/internal/capsule"
)

func loadVector(t testing.TB) (committeeVector, *capsule.Committee) {
	t.Helper()
	b, err := os.ReadFile(vectorFile)
	if err != nil {
		t.Fatal(err)
	}
	var v committeeVector
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	c, _ := vectorCommittee(t, v.Seed)
	return v, c
}

var errSealed = errors.New("sealed")

// FuzzDecrypt: no input, however malformed its armor, age header, tlock
// stanza or body, panics Inspect or Decrypt; each fails with an error or,
// for the stored ciphertexts, reaches the key lookup.
func FuzzDecrypt(f *testing.F) {
	v, c := loadVector(f)
	f.Add([]byte(v.SealedByTlock))
	f.Add([]byte(v.SealedByChuxin))
	if b, err := os.ReadFile("testdata/quicknet-hello-world.age"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("age-encryption.org/v1\n-> tlock 1 abc\nAAAA\n--- AAAA\n"))
	f.Add([]byte("-----BEGIN AGE ENCRYPTED FILE-----\n-----END AGE ENCRYPTED FILE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = capsule.Inspect(data)
		// The key lookup refuses: parsing is what is fuzzed here, the
		// pairing arithmetic by TestTamperedCiphertextsAreRefused.
		plain, err := capsule.Decrypt(c.Master, v.ChainHash, data, func(uint64) (*capsule.Signature, error) { return nil, errSealed })
		if err == nil {
			t.Fatalf("opened %q without a key", plain)
		}
	})
}

// FuzzParsePoints: decoding never panics, and what decodes encodes back to
// the same bytes.
func FuzzParsePoints(f *testing.F) {
	v, _ := loadVector(f)
	f.Add(mustHex(f, v.Master))
	f.Add(mustHex(f, v.Key))
	f.Fuzz(func(t *testing.T, b []byte) {
		if k, err := capsule.ParsePublicKey(b); err == nil && !bytes.Equal(k.Bytes(), b) {
			t.Fatalf("public key %x re-encodes as %x", b, k.Bytes())
		}
		if s, err := capsule.ParseSignature(b); err == nil && !bytes.Equal(s.Bytes(), b) {
			t.Fatalf("signature %x re-encodes as %x", b, s.Bytes())
		}
	})
}

// TestTamperedCiphertextsAreRefused: a changed byte anywhere in a binary
// ciphertext (header, stanza body, MAC, payload) makes it fail to open.
func TestTamperedCiphertextsAreRefused(t *testing.T) {
	v, c := loadVector(t)
	key, err := capsule.ParseSignature(mustHex(t, v.Key))
	if err != nil {
		t.Fatal(err)
	}
	keys := func(uint64) (*capsule.Signature, error) { return key, nil }
	ct, err := capsule.Encrypt(c.Master, v.ChainHash, v.Round, []byte(v.Plaintext), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := capsule.Decrypt(c.Master, v.ChainHash, ct, keys); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(ct); i += 7 {
		bad := bytes.Clone(ct)
		bad[i] ^= 0x01
		if plain, err := capsule.Decrypt(c.Master, v.ChainHash, bad, keys); err == nil {
			t.Fatalf("byte %d changed: opened as %q", i, plain)
		}
	}
}
