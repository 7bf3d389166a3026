package keys

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/privval"
)

// TestConsensusKeyFilesAreChecked: a whole key loads; a seed alone, a key
// whose second half or pub_key is another key's, a truncated file and a
// file that is no key are errors, never a panic or an exit.
func TestConsensusKeyFilesAreChecked(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, k privval.FilePVKey) string {
		raw, _ := cmtjson.MarshalIndent(k, "", "  ")
		p := filepath.Join(dir, name)
		os.WriteFile(p, raw, 0o600)
		return p
	}
	a, b := ed25519.GenPrivKey(), ed25519.GenPrivKey()
	good := write("good", privval.FilePVKey{Address: a.PubKey().Address(), PubKey: a.PubKey(), PrivKey: a})
	if k, err := LoadConsensusKey(good); err != nil || string(k.PubKey.Bytes()) != string(a.PubKey().Bytes()) {
		t.Fatalf("a whole key: %v", err)
	}
	if pv, fresh, err := LoadSigner(good, filepath.Join(dir, "state")); err != nil || !fresh || pv.Key.Address.String() != a.PubKey().Address().String() {
		t.Fatalf("LoadSigner without a state file: %v %v", fresh, err)
	}
	os.WriteFile(filepath.Join(dir, "state"), []byte(`{"height":"7","round":1,"step":3}`), 0o600)
	if pv, fresh, err := LoadSigner(good, filepath.Join(dir, "state")); err != nil || fresh || pv.LastSignState.Height != 7 {
		t.Fatalf("LoadSigner with a state file: %v %v", fresh, err)
	}
	mixed := append(append(ed25519.PrivKey{}, a[:32]...), b.PubKey().Bytes()...)
	raw, _ := os.ReadFile(good)
	for name, path := range map[string]string{
		"seed only":    write("seed", privval.FilePVKey{Address: a.PubKey().Address(), PubKey: a.PubKey(), PrivKey: a[:32]}),
		"mixed halves": write("mixed", privval.FilePVKey{Address: b.PubKey().Address(), PubKey: b.PubKey(), PrivKey: mixed}),
		"other pub":    write("other", privval.FilePVKey{Address: b.PubKey().Address(), PubKey: b.PubKey(), PrivKey: a}),
		"truncated":    func() string { p := filepath.Join(dir, "trunc"); os.WriteFile(p, raw[:len(raw)/2], 0o600); return p }(),
		"no key":       func() string { p := filepath.Join(dir, "nokey"); os.WriteFile(p, []byte("{}"), 0o600); return p }(),
	} {
		if _, err := LoadConsensusKey(path); !errors.Is(err, ErrConsensusKey) {
			t.Errorf("%s: %v", name, err)
		}
	}
	os.WriteFile(filepath.Join(dir, "badstate"), []byte("not json"), 0o600)
	if _, _, err := LoadSigner(good, filepath.Join(dir, "badstate")); err == nil || !strings.Contains(err.Error(), "not a signing state") {
		t.Fatalf("a broken signing state: %v", err)
	}
}
