package backup

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/ceremony"
	"github.com/chuxin-chain/chuxin/internal/config"
)

func home(t *testing.T) string {
	t.Helper()
	homes, err := ceremony.WriteNetwork(ceremony.NetworkSpec{Dir: t.TempDir(), ChainID: 1337, Validators: 2,
		P2PPortBase: 30000, RPCPortBase: 30010, Beacon: &ceremony.BeaconParams{Period: 1},
		FeeRecipient: common.Address{0xfe}})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(config.SignStateFile(homes[0]), []byte(`{"height":"42","round":0,"step":3}`), 0o600)
	return homes[0]
}

func TestBackupAndRestore(t *testing.T) {
	src := home(t)
	for _, pass := range []string{"", "a passphrase"} {
		var buf bytes.Buffer
		m, err := Write(src, &buf, Options{Passphrase: pass, ScryptWorkFactor: 10})
		if err != nil {
			t.Fatal(err)
		}
		if m.SignedHeight != 42 || m.NodeID == "" || m.ConsensusAddress == "" || m.Network != "chuxin-1337" || len(m.Secrets) != 5 {
			t.Fatalf("manifest %+v", m)
		}
		if Encrypted(bufio.NewReader(bytes.NewReader(buf.Bytes()))) != (pass != "") {
			t.Fatalf("with passphrase %q the backup's encryption is wrong", pass)
		}
		if pass != "" {
			if _, err := Restore(t.TempDir(), bytes.NewReader(buf.Bytes()), "wrong"); !errors.Is(err, ErrPassphrase) {
				t.Fatalf("a wrong passphrase: %v", err)
			}
		}
		dst := filepath.Join(t.TempDir(), "restored")
		if _, err := Restore(dst, bytes.NewReader(buf.Bytes()), pass); err != nil {
			t.Fatal(err)
		}
		for _, f := range m.Files {
			want, _ := os.ReadFile(filepath.Join(src, "config", f))
			got, err := os.ReadFile(filepath.Join(dst, "config", f))
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("config/%s restored differs: %v", f, err)
			}
			fi, _ := os.Stat(filepath.Join(dst, "config", f))
			if secret := fileMode(f) == 0o600; secret && fi.Mode().Perm() != 0o600 {
				t.Fatalf("secret config/%s restored with mode %v", f, fi.Mode())
			}
		}
		if _, err := Restore(dst, bytes.NewReader(buf.Bytes()), pass); !errors.Is(err, ErrHomeInUse) {
			t.Fatalf("a restore over a home: %v", err)
		}
	}
	if _, err := Write(t.TempDir(), &bytes.Buffer{}, Options{}); !errors.Is(err, ErrNoHome) {
		t.Fatalf("a backup of no home: %v", err)
	}
}

// TestRestoreRefusesWhatIsNotAHomesConfig: entries outside config/, links,
// directories, paths that climb, a missing manifest or chuxin.toml; and
// nothing is written.
func TestRestoreRefusesWhatIsNotAHomesConfig(t *testing.T) {
	archive := func(entries ...tar.Header) []byte {
		var buf bytes.Buffer
		gz := gzip.NewWriter(&buf)
		tw := tar.NewWriter(gz)
		tw.WriteHeader(&tar.Header{Name: manifestName, Size: 12, Mode: 0o644, Typeflag: tar.TypeReg})
		tw.Write([]byte(`{"format":1}`))
		for _, h := range entries {
			h := h
			if h.Typeflag == tar.TypeReg {
				h.Size = 1
			}
			tw.WriteHeader(&h)
			if h.Typeflag == tar.TypeReg {
				tw.Write([]byte("x"))
			}
		}
		tw.Close()
		gz.Close()
		return buf.Bytes()
	}
	toml := tar.Header{Name: "config/chuxin.toml", Typeflag: tar.TypeReg, Mode: 0o644}
	for name, a := range map[string][]byte{
		"climbs":   archive(toml, tar.Header{Name: "config/../../evil", Typeflag: tar.TypeReg}),
		"outside":  archive(toml, tar.Header{Name: "data/x", Typeflag: tar.TypeReg}),
		"nested":   archive(toml, tar.Header{Name: "config/a/b", Typeflag: tar.TypeReg}),
		"link":     archive(toml, tar.Header{Name: "config/node_key.json", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}),
		"no toml":  archive(tar.Header{Name: "config/genesis.json", Typeflag: tar.TypeReg}),
		"not gzip": []byte("hello"),
		"no manifest": func() []byte {
			var b bytes.Buffer
			gz := gzip.NewWriter(&b)
			tar.NewWriter(gz).Close()
			gz.Close()
			return b.Bytes()
		}(),
		"absolute":     archive(toml, tar.Header{Name: "/etc/x", Typeflag: tar.TypeReg}),
		"config dir":   archive(toml, tar.Header{Name: "config/", Typeflag: tar.TypeDir}),
		"config alone": archive(toml, tar.Header{Name: "config/..", Typeflag: tar.TypeReg}),
	} {
		dst := filepath.Join(t.TempDir(), "h")
		if _, err := Restore(dst, bytes.NewReader(a), ""); !errors.Is(err, ErrNotABackup) {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := os.Stat(filepath.Join(dst, "config")); err == nil {
			t.Errorf("%s: a refused restore wrote config/", name)
		}
	}
}
