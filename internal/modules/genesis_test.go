package modules_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/x/pledge"
	"github.com/chuxin-chain/chuxin/x/scheduler"

	"github.com/ethereum/go-ethereum/common"

	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/modules"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// stream is a deterministic byte stream: SHA-256 of a counter.
type stream struct {
	n   uint64
	buf []byte
}

func (s *stream) Read(p []byte) (int, error) {
	for i := range p {
		if len(s.buf) == 0 {
			var c [8]byte
			binary.BigEndian.PutUint64(c[:], s.n)
			s.n++
			h := sha256.Sum256(c[:])
			s.buf = h[:]
		}
		p[i], s.buf = s.buf[0], s.buf[1:]
	}
	return len(p), nil
}

// beaconGenesis is a chain with a beacon committee of three, made alike on
// every run, starting at rule version.
func beaconGenesis(t *testing.T, version uint64) *genesis.Genesis {
	t.Helper()
	c, _, err := capsule.Deal(2, 3, &stream{})
	if err != nil {
		t.Fatal(err)
	}
	g := testchain.Genesis(1337, 30_000_000, nil)
	g.Rules.Versions = []genesis.RuleVersion{{Version: version, Height: 1}}
	g.Rules.VoteExtensionsHeight = 1
	g.Beacon = &capsule.Beacon{Threshold: 2, PublicKey: c.Master.Bytes(), Period: 3, GenesisTime: 1_800_000_000, TimeZone: "Asia/Shanghai"}
	g.Validators = nil
	for i := range 3 {
		pub := ed25519.GenPrivKeyFromSecret([]byte{byte(i)}).PubKey()
		g.Validators = append(g.Validators, genesis.Validator{PubKey: pub.Bytes(), Power: 10})
		g.Beacon.Holders = append(g.Beacon.Holders, capsule.Holder{Validator: pub.Bytes(), PublicShare: c.Shares[i].Bytes()})
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	return g
}

// TestAChainWithABeaconKeepsItsGenesisAndCode pins, for a chain with a
// beacon made at each rule version, its genesis block and the system
// contracts' code that each version installs: the modules (the beacon's
// Capsules contract and its code by version among them) must make what
// the core made before them, or nodes would no longer find the genesis
// blocks of running chains, nor agree on an upgrade's state. The pins were
// taken from the core's own genesis code, before the move.
func TestAChainWithABeaconKeepsItsGenesisAndCode(t *testing.T) {
	for _, tc := range []struct {
		version     uint64
		block, code string
	}{
		{1, "0x72647ac2e60f9927fbdf45399931667ddbe56395cd14c6594ec433920e6a8c3d", "41757f349bdeb0a31e0a45ecd5e3a9c06cdfa148eaac0e240f8ca3d0190fb4a0"},
		{2, "0xab15225cf44c1b106d088edd0dc7bf942e59b82df12c2882ef8084bc9f352fe5", "655b38ceff99e6081817d41358bce4b78f8e9f71d555b2818807586c7faf5dc5"},
		{3, "0xf6bd74e3c6a5cb8b25578d78fbea197e0e0f8aa43fce38b76a38cab8fce8bb96", "655b38ceff99e6081817d41358bce4b78f8e9f71d555b2818807586c7faf5dc5"},
		{4, "0xf6bd74e3c6a5cb8b25578d78fbea197e0e0f8aa43fce38b76a38cab8fce8bb96", "655b38ceff99e6081817d41358bce4b78f8e9f71d555b2818807586c7faf5dc5"},
		{5, "0x687c5c4eac793943c261e11cb98e5af11aae9ac36946c08d9994eef48620dda9", "cbe430dca2b467e345730403004a2963552ab2751b957f8a1e524f8febf64a07"},
		{6, "0xe67f08bdd469bbb592b062be2c4e5782307153e6ca18e6e6baf0f4499d8ec997", "6a869e08a4b79f9817b16f8c9d0bc0ab753a10789e370b4b4fa7bd32f760571a"},
	} {
		g := beaconGenesis(t, tc.version)
		if err := g.UseModules(modules.Set()); err != nil {
			t.Fatal(err)
		}
		cg, err := g.CoreGenesis()
		if err != nil {
			t.Fatal(err)
		}
		if got := cg.ToBlock().Hash().Hex(); got != tc.block {
			t.Errorf("version %d: the genesis block is %s, pinned %s", tc.version, got, tc.block)
		}
		code, err := g.SystemCode(tc.version)
		if err != nil {
			t.Fatal(err)
		}
		d := sha256.New()
		for _, a := range slices.SortedFunc(maps.Keys(code), common.Address.Cmp) {
			d.Write(a[:])
			d.Write(code[a])
		}
		if got := hex.EncodeToString(d.Sum(nil)); got != tc.code {
			t.Errorf("version %d: the system code digest is %s, pinned %s", tc.version, got, tc.code)
		}
	}
}

// TestABeaconGenesisNeedsTheBeaconModule: the Capsules contract, the
// timelock-header precompile and the epoch keys' payloads are the beacon
// module's, so a genesis with a beacon committee is refused to a binary
// without it, and without modules at all, rather than made into another
// chain.
func TestABeaconGenesisNeedsTheBeaconModule(t *testing.T) {
	g := beaconGenesis(t, genesis.KnownRuleVersion)
	if _, err := g.CoreGenesis(); !errors.Is(err, genesis.ErrInvalid) || !strings.Contains(err.Error(), "no modules were given") {
		t.Fatalf("a beacon genesis without modules: %v", err)
	}
	without, err := module.NewSet(pledge.Module{}, scheduler.Module{})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.UseModules(without); !errors.Is(err, genesis.ErrInvalid) || !strings.Contains(err.Error(), "carries the beacon module") {
		t.Fatalf("a beacon genesis with modules lacking the beacon's: %v", err)
	}
}
