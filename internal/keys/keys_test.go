package keys

import (
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/crypto"
)

func TestStoreListLoad(t *testing.T) {
	dir := t.TempDir()
	k, _ := crypto.GenerateKey()
	addr := crypto.PubkeyToAddress(k.PublicKey)
	path, err := Store(dir, k, "pw", Light)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("keystore file mode: %v, %v", fi, err)
	}
	if !strings.HasPrefix(filepath.Base(path), "UTC--") || !strings.HasSuffix(path, hex.EncodeToString(addr[:])) {
		t.Fatalf("keystore file name %s is not geth's", path)
	}
	// geth's own keystore reads it.
	blob, _ := os.ReadFile(path)
	gk, err := keystore.DecryptKey(blob, "pw")
	if err != nil || gk.Address != addr || gk.Id.String() == "00000000-0000-0000-0000-000000000000" {
		t.Fatalf("geth decrypts %v, %v", gk, err)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a key"), 0o600)
	es, err := List(dir)
	if err != nil || len(es) != 1 || es[0].Address != addr || es[0].Path != path {
		t.Fatalf("List: %v, %v", es, err)
	}
	if a, err := Address(path); err != nil || a != addr {
		t.Fatalf("Address: %v, %v", a, err)
	}
	got, err := LoadKeystore(path, "pw")
	if err != nil || !got.Equal(k) {
		t.Fatalf("LoadKeystore: %v", err)
	}
	if _, err := LoadKeystore(path, "wrong"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("a wrong passphrase: %v", err)
	}
	if _, err := LoadHex(path); !errors.Is(err, ErrIsKeystore) {
		t.Fatalf("a keystore as a hex key: %v", err)
	}
	if _, err := Store(dir, k, "pw", Light); !errors.Is(err, ErrStored) {
		t.Fatalf("the same key stored twice: %v", err)
	}
	if _, err := Store(dir, k, "", Light); !errors.Is(err, ErrEmptyPassphrase) {
		t.Fatalf("an empty passphrase: %v", err)
	}
	// Load takes either kind and asks for a passphrase only for a keystore.
	hexPath := filepath.Join(t.TempDir(), "k.hex")
	if err := WriteNew(hexPath, []byte("0x"+Hex(k)+"\n")); err != nil {
		t.Fatal(err)
	}
	if err := WriteNew(hexPath, []byte("x")); !errors.Is(err, ErrExists) {
		t.Fatalf("WriteNew overwrote: %v", err)
	}
	asked := 0
	ask := func() (string, error) { asked++; return "pw", nil }
	for _, p := range []string{hexPath, path} {
		if got, err := Load(p, ask); err != nil || !got.Equal(k) {
			t.Fatalf("Load %s: %v", p, err)
		}
	}
	if asked != 1 {
		t.Fatalf("asked for %d passphrases, want 1", asked)
	}
}

// TestErrorsNeverQuoteKeys: a file that is almost a key (a digit short, a
// wrong digit, a key of the wrong length) is refused without any part of
// it in the error.
func TestErrorsNeverQuoteKeys(t *testing.T) {
	k, _ := crypto.GenerateKey()
	h := Hex(k)
	dir := t.TempDir()
	for i, body := range []string{h[:63], h[:62] + "zz", h + "00", "0x" + h[:40] + "g" + h[41:], `{"address":"x","crypto":` + h} {
		p := filepath.Join(dir, string(rune('a'+i)))
		os.WriteFile(p, []byte(body), 0o600)
		_, err1 := LoadHex(p)
		_, err2 := Load(p, func() (string, error) { return "", nil })
		_, err3 := Address(p)
		for _, err := range []error{err1, err2, err3} {
			if err == nil {
				t.Fatalf("file %d was taken as a key", i)
			}
			for j := 0; j+8 <= len(h); j++ {
				if strings.Contains(strings.ToLower(err.Error()), h[j:j+8]) {
					t.Fatalf("the error quotes the key: %v", err)
				}
			}
		}
	}
}

// TestHostileKeystoreFiles: a file that asks for a ruinous key derivation
// is refused unread; one whose stated address is not its key's is refused
// after decryption.
func TestHostileKeystoreFiles(t *testing.T) {
	k, _ := crypto.GenerateKey()
	blob, err := Encrypt(k, "pw", Light)
	if err != nil {
		t.Fatal(err)
	}
	costly := strings.Replace(string(blob), `"n":4096`, `"n":1073741824`, 1)
	if costly == string(blob) {
		t.Fatalf("no scrypt n in %s", blob)
	}
	if _, err := Decrypt([]byte(costly), "pw"); !errors.Is(err, ErrCostly) {
		t.Fatalf("a ruinous scrypt cost: %v", err)
	}
	// geth reads "n" by its exact name; a second "N" must not hide it.
	if _, err := Decrypt([]byte(strings.Replace(costly, `"n":`, `"N":2,"n":`, 1)), "pw"); !errors.Is(err, ErrCostly) {
		t.Fatalf("a ruinous n behind an N: %v", err)
	}
	for _, broken := range []string{`"dklen":32`, `"salt":"`} {
		b := strings.Replace(string(blob), broken, `"x":0,"y":"`, 1)
		if b == string(blob) {
			t.Fatalf("no %s in %s", broken, blob)
		}
		if _, err := Decrypt([]byte(b), "pw"); !errors.Is(err, ErrNotAKey) {
			t.Fatalf("a keystore without %s: %v", broken, err)
		}
	}
	other, _ := crypto.GenerateKey()
	own := strings.ToLower(crypto.PubkeyToAddress(k.PublicKey).Hex()[2:])
	lied := strings.Replace(string(blob), own, strings.ToLower(crypto.PubkeyToAddress(other.PublicKey).Hex()[2:]), 1)
	if _, err := Decrypt([]byte(lied), "pw"); !errors.Is(err, ErrNotAKey) {
		t.Fatalf("a file that states another address: %v", err)
	}
}

func TestPassphraseFromFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(p, []byte("s3cret with spaces\r\nsecond line\n"), 0o600)
	if got, err := Passphrase(p, "", true); err != nil || got != "s3cret with spaces" {
		t.Fatalf("Passphrase: %q, %v", got, err)
	}
}
