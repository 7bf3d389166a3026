// Package keys keeps account keys (a governor's, a regulator's, an issuer's)
// on disk the way Ethereum tools do: in the Web3 Secret Storage format
// (version 3, scrypt), which geth's keystore, ethers' Wallet.fromEncryptedJson
// and every wallet read.
//
// A key is loaded from one of two kinds of file:
//
//   - a keystore file (JSON), decrypted with a passphrase; this is what an
//     operator keeps;
//   - a file of 64 hex digits, for tests and scripts on development networks.
//
// No function of this package puts key material in an error: a file that is
// not a key is named, never quoted.
package keys

import (
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"
)

var (
	// ErrNotAKey: a file holds neither a keystore nor a hex private key.
	ErrNotAKey = errors.New("not a key: want a keystore file (JSON) or 64 hex digits")
	// ErrIsKeystore: a keystore file was given where a hex key file was expected.
	ErrIsKeystore = errors.New("this is a keystore file: pass it with --keystore (and --password)")
	// ErrWrongPassphrase: the passphrase does not decrypt the keystore file.
	ErrWrongPassphrase = errors.New("the passphrase does not decrypt this keystore file")
	// ErrNoPassphrase: no passphrase was given and none can be asked for.
	ErrNoPassphrase = errors.New("no passphrase: pass --password FILE, or run the command in a terminal to be asked")
	// ErrEmptyPassphrase: a new keystore file would have an empty passphrase.
	ErrEmptyPassphrase = errors.New("the passphrase is empty: a keystore file needs one")
	// ErrStored: the keystore directory holds the key already.
	ErrStored = errors.New("the keystore directory holds this key already")
	// ErrExists: a file would be overwritten.
	ErrExists = errors.New("the file exists: choose another path or remove it first")
)

// KDF is the cost of the key derivation a new keystore file carries.
type KDF struct{ N, P int }

var (
	// Standard is geth's default scrypt cost (N=2^18, P=1): about a second
	// and 256 MiB to decrypt. Use it for every key that matters.
	Standard = KDF{keystore.StandardScryptN, keystore.StandardScryptP}
	// Light is geth's --lightkdf cost (N=2^12, P=6), for tests and
	// development networks.
	Light = KDF{keystore.LightScryptN, keystore.LightScryptP}
)

// Entry is one keystore file of a directory.
type Entry struct {
	Address common.Address `json:"address"`
	Path    string         `json:"path"`
}

// Encrypt returns key as a keystore file's content.
func Encrypt(key *ecdsa.PrivateKey, passphrase string, kdf KDF) ([]byte, error) {
	if passphrase == "" {
		return nil, ErrEmptyPassphrase
	}
	k := &keystore.Key{Address: crypto.PubkeyToAddress(key.PublicKey), PrivateKey: key}
	// The id is random: a keystore file must carry one (ethers refuses it
	// without), and geth's own NewKey draws it the same way.
	id, err := uuid.NewRandom()
	if err != nil {
		return nil, err
	}
	k.Id = id
	return keystore.EncryptKey(k, passphrase, kdf.N, kdf.P)
}

// Store writes key, encrypted with passphrase, into dir under geth's file
// name (UTC--<time>--<address>), mode 0600, and returns the path.
func Store(dir string, key *ecdsa.PrivateKey, passphrase string, kdf KDF) (string, error) {
	if passphrase == "" {
		return "", ErrEmptyPassphrase
	}
	addr := crypto.PubkeyToAddress(key.PublicKey)
	if found, err := List(dir); err == nil {
		for _, e := range found {
			if e.Address == addr {
				return "", fmt.Errorf("%w: %s is %s", ErrStored, e.Path, addr)
			}
		}
	}
	blob, err := Encrypt(key, passphrase, kdf)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("keystore directory: %w", err)
	}
	path := filepath.Join(dir, fileName(addr))
	if err := WriteNew(path, blob); err != nil {
		return "", err
	}
	return path, nil
}

// WriteNew writes a secret file with mode 0600; it never overwrites one.
func WriteNew(path string, data []byte) error { return WriteNewMode(path, data, 0o600) }

// WriteNewMode writes a new file with the given mode, synced to disk; it
// never overwrites one, and a reader sees the whole file or none: it is
// written under a temporary name (TempPrefix) and linked into place.
func WriteNewMode(path string, data []byte, mode os.FileMode) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s: %w", path, ErrExists)
	}
	f, err := os.CreateTemp(filepath.Dir(path), TempPrefix)
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := fill(f, data); err != nil {
		return err
	}
	if err := os.Link(tmp, path); errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s: %w", path, ErrExists)
	} else if err != nil {
		return writeExclusive(path, data, mode) // a file system without hard links
	}
	SyncDir(filepath.Dir(path))
	return nil
}

// writeExclusive creates path (never over a file) and writes data to it.
func writeExclusive(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s: %w", path, ErrExists)
	}
	if err != nil {
		return err
	}
	if err := fill(f, data); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// fill writes data to f, syncs it to disk and closes it.
func fill(f *os.File, data []byte) error {
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// SyncDir syncs a directory, so that a file created or renamed in it
// survives a crash. A file system that cannot sync a directory is left as
// it is.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// TempPrefix starts the names of the files WriteNewMode writes before it
// links them into place.
const TempPrefix = ".chuxin-new-"

// List returns the keystore files of dir, by address. Files that are not
// keystore files are skipped, as geth skips them.
func List(dir string) ([]Entry, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("keystore directory: %w", err)
	}
	var out []Entry
	for _, de := range des {
		if de.IsDir() || strings.HasPrefix(de.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, de.Name())
		raw, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if addr, ok := keystoreAddress(raw); ok {
			out = append(out, Entry{Address: addr, Path: p})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// Address returns the address a key file holds, without decrypting it: a
// keystore file states it; a hex key file is read.
func Address(path string) (common.Address, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return common.Address{}, err
	}
	if addr, ok := keystoreAddress(raw); ok {
		return addr, nil
	}
	k, err := parseHex(raw)
	if err != nil {
		return common.Address{}, fmt.Errorf("%s: %w", path, err)
	}
	return crypto.PubkeyToAddress(k.PublicKey), nil
}

// LoadHex reads a file of 64 hex digits (an optional 0x and surrounding
// space allowed).
func LoadHex(path string) (*ecdsa.PrivateKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if _, ok := keystoreAddress(raw); ok {
		return nil, fmt.Errorf("%s: %w", path, ErrIsKeystore)
	}
	k, err := parseHex(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// LoadKeystore decrypts a keystore file.
func LoadKeystore(path, passphrase string) (*ecdsa.PrivateKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := Decrypt(raw, passphrase)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// Decrypt decrypts a keystore file's content. A file whose key derivation
// would cost more than 2^20 scrypt rounds (4× geth's standard; 1 GiB) is
// refused unread, and so is one whose stated address is not its key's.
func Decrypt(blob []byte, passphrase string) (*ecdsa.PrivateKey, error) {
	addr, ok := keystoreAddress(blob)
	if !ok {
		return nil, ErrNotAKey
	}
	if err := checkKDF(blob); err != nil {
		return nil, err
	}
	k, err := decrypt(blob, passphrase)
	if errors.Is(err, keystore.ErrDecrypt) {
		return nil, ErrWrongPassphrase
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotAKey, err)
	}
	if crypto.PubkeyToAddress(k.PrivateKey.PublicKey) != addr {
		return nil, fmt.Errorf("%w: the address it states is not its key's", ErrNotAKey)
	}
	return k.PrivateKey, nil
}

// decrypt is geth's DecryptKey, with a panic on a malformed file (geth
// trusts the file's shape) turned into ErrNotAKey.
func decrypt(blob []byte, passphrase string) (k *keystore.Key, err error) {
	defer func() {
		if recover() != nil {
			k, err = nil, ErrNotAKey
		}
	}()
	return keystore.DecryptKey(blob, passphrase)
}

// ErrCostly: a keystore file asks for a key derivation too costly to run.
var ErrCostly = errors.New("the keystore file's key derivation costs more than 2^20 scrypt rounds (or 10^7 pbkdf2 iterations): refused")

// checkKDF refuses what geth's decryption would choke on: scrypt over
// N·r·p = 2^20·8 (geth writes 2^18·8·1, its light files 2^12·8·6), pbkdf2
// over 10^7 iterations, a derived key other than 32 bytes, a salt that is
// not a string, parameters missing or not whole numbers. It reads the
// parameters as geth does, by their exact lower-case names.
func checkKDF(blob []byte) error {
	var v map[string]json.RawMessage
	if json.Unmarshal(blob, &v) != nil {
		return ErrNotAKey
	}
	c := v["crypto"]
	if c == nil {
		c = v["Crypto"]
	}
	var cj struct {
		KDF       string                     `json:"kdf"`
		KDFParams map[string]json.RawMessage `json:"kdfparams"`
	}
	if c == nil || json.Unmarshal(c, &cj) != nil || cj.KDFParams == nil {
		return ErrNotAKey
	}
	whole := func(name string, most uint64) (uint64, bool) {
		var n uint64
		if json.Unmarshal(cj.KDFParams[name], &n) != nil || n == 0 || n > most {
			return 0, false
		}
		return n, true
	}
	var salt string
	if json.Unmarshal(cj.KDFParams["salt"], &salt) != nil {
		return ErrNotAKey
	}
	if dk, ok := whole("dklen", 32); !ok || dk != 32 {
		return ErrNotAKey
	}
	switch cj.KDF {
	case "scrypt":
		n, ok1 := whole("n", 1<<20)
		r, ok2 := whole("r", 64)
		p, ok3 := whole("p", 64)
		if !ok1 || !ok2 || !ok3 || n*r*p > 1<<23 {
			return ErrCostly
		}
	case "pbkdf2":
		var prf string
		if _, ok := whole("c", 10_000_000); !ok || json.Unmarshal(cj.KDFParams["prf"], &prf) != nil || prf != "hmac-sha256" {
			return ErrCostly
		}
	default:
		return ErrNotAKey
	}
	return nil
}

// Hex is key's 64 hex digits, for a file that an export writes.
func Hex(key *ecdsa.PrivateKey) string { return hex.EncodeToString(crypto.FromECDSA(key)) }

func parseHex(raw []byte) (*ecdsa.PrivateKey, error) {
	s := strings.TrimPrefix(strings.TrimSpace(string(raw)), "0x")
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return nil, ErrNotAKey // hex's error quotes the byte: keep it out
	}
	k, err := crypto.ToECDSA(b)
	if err != nil {
		return nil, ErrNotAKey
	}
	return k, nil
}

// keystoreAddress is the address a keystore file's JSON states.
func keystoreAddress(raw []byte) (common.Address, bool) {
	var v struct {
		Address string          `json:"address"`
		Crypto  json.RawMessage `json:"crypto"`
		Crypto2 json.RawMessage `json:"Crypto"`
	}
	if json.Unmarshal(raw, &v) != nil || (v.Crypto == nil && v.Crypto2 == nil) {
		return common.Address{}, false
	}
	if !common.IsHexAddress(v.Address) {
		return common.Address{}, false
	}
	return common.HexToAddress(v.Address), true
}

// fileName is geth's name for a keystore file: UTC--<created>--<address>.
func fileName(addr common.Address) string {
	t := time.Now().UTC()
	return fmt.Sprintf("UTC--%04d-%02d-%02dT%02d-%02d-%02d.%09dZ--%s",
		t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), hex.EncodeToString(addr[:]))
}

// Load reads a key file of either kind: a keystore file is decrypted with
// the passphrase that passphrase returns (asked only then), a hex file read.
func Load(path string, passphrase func() (string, error)) (*ecdsa.PrivateKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if _, ok := keystoreAddress(raw); !ok {
		k, err := parseHex(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return k, nil
	}
	p, err := passphrase()
	if err != nil {
		return nil, err
	}
	k, err := Decrypt(raw, p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}
