// Package backup keeps what a node's home cannot get back from the network:
// its keys, its beacon share, its signing state and its configuration, all
// of config/. The chain data (data/) is not kept: a node syncs it again from
// its peers.
//
// A backup is a gzip-compressed tar archive of config/ with a manifest
// (manifest.json: which node, which network, the height its validator had
// signed when the backup was made). It may be encrypted with a passphrase
// (age's scrypt recipient, the format of `age -p`). Restore writes it into a
// new home and refuses to overwrite one; every file it writes has the mode a
// home gives it (secrets 0600).
//
// What restoring an old backup costs a validator: its signing state may be
// behind what it signed since. The node does not trust it: it signs nothing
// until it has caught up with the network past every height the network
// committed (see node's signGuard), so it never signs a vote that conflicts
// with one it made before the backup.
package backup

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/cometbft/cometbft/p2p"

	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/keys"
)

var (
	// ErrNoHome: the home to back up has no config/.
	ErrNoHome = errors.New("not a node's home: it has no config/chuxin.toml")
	// ErrHomeInUse: restore would overwrite a home's configuration.
	ErrHomeInUse = errors.New("the home has a config/ already: restore into a new home, or move the old one away first")
	// ErrNotABackup: a file is not a backup this package wrote.
	ErrNotABackup = errors.New("not a chuxin backup")
	// ErrPassphrase: an encrypted backup and a wrong or missing passphrase.
	ErrPassphrase = errors.New("the backup is encrypted and the passphrase does not open it")
)

// maxFile bounds one file of a backup (a genesis with a large allocation
// is the biggest), maxFiles their number and maxTotal their sum, so that a
// damaged or hostile archive cannot make restore hold gigabytes.
const (
	maxFile  = 256 << 20
	maxFiles = 64
	maxTotal = 512 << 20
)

// MaxArchive bounds a backup file's size: its files, compressed, and the
// archive's framing.
const MaxArchive = maxTotal + 16<<20

// maxWorkFactor bounds the scrypt cost an encrypted backup may ask of
// restore (2^20: about a second and 1 GiB); backup writes 2^18.
const maxWorkFactor = 20

// ageHeader starts every age-encrypted file.
var ageHeader = []byte("age-encryption.org/v1\n")

// manifestName is the manifest's name in the archive.
const manifestName = "manifest.json"

// Manifest says what a backup holds.
type Manifest struct {
	Format  int    `json:"format"` // 1
	Created string `json:"created"`
	Moniker string `json:"moniker"`
	Network string `json:"network"` // CometBFT's chain id, from the genesis
	NodeID  string `json:"nodeId"`
	// ConsensusAddress is the validator key's address; SignedHeight the
	// last height its signing state records (0: it never signed).
	ConsensusAddress string   `json:"consensusAddress"`
	SignedHeight     int64    `json:"signedHeight"`
	Files            []string `json:"files"` // under config/
	Secrets          []string `json:"secrets"`
}

// Options choose how a backup is written.
type Options struct {
	// Passphrase, if set, encrypts the backup (age, scrypt).
	Passphrase string
	// ScryptWorkFactor is log2 of scrypt's N for an encrypted backup (0:
	// age's default, 18).
	ScryptWorkFactor int
}

// Write writes a backup of home's config/ to w and returns its manifest.
func Write(home string, w io.Writer, o Options) (*Manifest, error) {
	dir := filepath.Join(home, "config")
	cfg, err := config.Load(home)
	if err != nil {
		if _, serr := os.Stat(config.File(home)); serr != nil {
			return nil, fmt.Errorf("%w: %s", ErrNoHome, home)
		}
		return nil, err
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	m := &Manifest{Format: 1, Created: time.Now().UTC().Format(time.RFC3339), Moniker: cfg.Moniker}
	if nk, err := p2p.LoadNodeKey(config.NodeKeyFile(home)); err == nil {
		m.NodeID = string(nk.ID())
	}
	if _, err := os.Stat(config.ConsensusKeyFile(home)); err == nil {
		k, err := keys.LoadConsensusKey(config.ConsensusKeyFile(home))
		if err != nil {
			return nil, err
		}
		m.ConsensusAddress = k.Address.String()
		if raw, err := os.ReadFile(config.SignStateFile(home)); err == nil {
			var st struct {
				Height json.Number `json:"height"`
			}
			if json.Unmarshal(raw, &st) == nil {
				m.SignedHeight, _ = st.Height.Int64()
			}
		}
	}
	if raw, err := os.ReadFile(config.GenesisFile(home)); err == nil {
		var g struct {
			ChainID string `json:"chain_id"`
		}
		if json.Unmarshal(raw, &g) == nil {
			m.Network = g.ChainID
		}
	}
	var files []string
	for _, de := range des {
		if de.Type().IsRegular() && !transient(de.Name()) {
			files = append(files, de.Name())
		}
	}
	if len(files) > maxFiles {
		return nil, fmt.Errorf("%s holds %d files; a home's config/ holds about 8: move what is not the node's out", dir, len(files))
	}
	m.Files = files
	for _, f := range files {
		if secret(f) {
			m.Secrets = append(m.Secrets, f)
		}
	}

	out := w
	var enc io.WriteCloser
	if o.Passphrase != "" {
		r, err := age.NewScryptRecipient(o.Passphrase)
		if err != nil {
			return nil, err
		}
		if o.ScryptWorkFactor > 0 {
			r.SetWorkFactor(o.ScryptWorkFactor)
		}
		if enc, err = age.Encrypt(w, r); err != nil {
			return nil, err
		}
		out = enc
	}
	gz := gzip.NewWriter(out)
	tw := tar.NewWriter(gz)
	manifest, _ := json.MarshalIndent(m, "", "  ")
	add := func(name string, data []byte, mode int64) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: mode, Size: int64(len(data)), Typeflag: tar.TypeReg, ModTime: time.Now()}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	if err := add(manifestName, manifest, 0o644); err != nil {
		return nil, err
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return nil, fmt.Errorf("%s changed while it was read (is a node writing it?): %w", dir, err)
		}
		if len(data) > maxFile {
			return nil, fmt.Errorf("config/%s is %d bytes, over the %d a backup takes", f, len(data), maxFile)
		}
		if err := add("config/"+f, data, fileMode(f)); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	if enc != nil {
		if err := enc.Close(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func fileMode(name string) int64 {
	if secret(name) {
		return 0o600
	}
	return 0o644
}

// publicFiles are the files of config/ that hold no secret.
var publicFiles = []string{"chuxin.toml", "genesis.json", "part.json"}

// secret says whether a file of config/ is secret: every file but the
// configuration, the genesis and the part (keys, a rotation's next and
// retired keys, the shares, the signing state, and copies of them).
func secret(name string) bool { return !slices.Contains(publicFiles, name) }

// transient says whether a file of config/ is one a running node writes
// and removes at once (CometBFT's atomic writes of the signing state, a
// new key being written).
func transient(name string) bool {
	return strings.HasPrefix(name, "write-file-atomic-") || strings.HasPrefix(name, keys.TempPrefix)
}

// Encrypted says whether a backup file is encrypted.
func Encrypted(r *bufio.Reader) bool {
	head, _ := r.Peek(len(ageHeader))
	return bytes.Equal(head, ageHeader)
}

// Read reads a backup's manifest and files (by name under config/). An
// encrypted backup needs its passphrase.
func Read(r io.Reader, passphrase string) (*Manifest, map[string][]byte, error) {
	br := bufio.NewReader(r)
	var in io.Reader = br
	if Encrypted(br) {
		id, err := age.NewScryptIdentity(passphrase)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrPassphrase, err)
		}
		id.SetMaxWorkFactor(maxWorkFactor)
		if in, err = age.Decrypt(br, id); err != nil {
			return nil, nil, fmt.Errorf("%w (%v)", ErrPassphrase, err)
		}
	}
	gz, err := gzip.NewReader(in)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrNotABackup, err)
	}
	tr := tar.NewReader(gz)
	var m *Manifest
	files := map[string][]byte{}
	var total int64
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrNotABackup, err)
		}
		if h.Typeflag != tar.TypeReg || h.Size > maxFile || len(files) >= maxFiles {
			return nil, nil, fmt.Errorf("%w: entry %q is not a file of a home's config/", ErrNotABackup, h.Name)
		}
		if total += h.Size; total > maxTotal {
			return nil, nil, fmt.Errorf("%w: its files hold over %d bytes; a home's config/ holds far less", ErrNotABackup, maxTotal)
		}
		data, err := io.ReadAll(io.LimitReader(tr, maxFile))
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrNotABackup, err)
		}
		switch dir, name := path.Split(h.Name); {
		case h.Name == manifestName:
			m = new(Manifest)
			if err := json.Unmarshal(data, m); err != nil || m.Format != 1 {
				return nil, nil, fmt.Errorf("%w: its manifest is unreadable or of another format", ErrNotABackup)
			}
		case dir == "config/" && name != "" && name != "." && name != "..":
			files[name] = data
		default:
			return nil, nil, fmt.Errorf("%w: entry %q is not a file of a home's config/", ErrNotABackup, h.Name)
		}
	}
	if m == nil {
		return nil, nil, fmt.Errorf("%w: it has no manifest", ErrNotABackup)
	}
	for _, f := range m.Files {
		if _, ok := files[f]; !ok {
			return nil, nil, fmt.Errorf("%w: its manifest lists config/%s, which it lacks", ErrNotABackup, f)
		}
	}
	if _, ok := files["chuxin.toml"]; !ok {
		return nil, nil, fmt.Errorf("%w: it has no config/chuxin.toml", ErrNotABackup)
	}
	return m, files, nil
}

// Restore writes a backup into home, which must have no config/ yet, and
// returns its manifest. Nothing is written unless the whole backup reads.
func Restore(home string, r io.Reader, passphrase string) (*Manifest, error) {
	m, files, err := Read(r, passphrase)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(home, "config")
	if _, err := os.Stat(dir); err == nil {
		return nil, fmt.Errorf("%w: %s", ErrHomeInUse, dir)
	}
	if err := os.MkdirAll(filepath.Join(home, "data"), 0o700); err != nil {
		return nil, err
	}
	// Into a temporary directory first, renamed into place once whole: a
	// restore that fails leaves no half a config/.
	tmp, err := os.MkdirTemp(home, ".config-restore-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o700); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := keys.WriteNewMode(filepath.Join(tmp, name), files[name], os.FileMode(fileMode(name))); err != nil {
			return nil, err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return nil, err
	}
	return m, nil
}
