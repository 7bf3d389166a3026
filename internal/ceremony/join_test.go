package ceremony_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/ceremony"
	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/nodepart"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// TestJoinARunningNetwork: a home made after genesis installs the
// genesis with Join (and is told to by Install), a home the genesis names
// is sent to Install, peers must be ID@HOST:PORT, and the join proposal's
// actions let the node in whole.
func TestJoinARunningNetwork(t *testing.T) {
	dir := t.TempDir()
	homes, err := ceremony.WriteNetwork(ceremony.NetworkSpec{Dir: filepath.Join(dir, "net"), ChainID: 1337, Validators: 2,
		P2PPortBase: 30000, RPCPortBase: 30010, FeeRecipient: common.Address{0xfe}, Beacon: &ceremony.BeaconParams{Period: 1}})
	if err != nil {
		t.Fatal(err)
	}
	gen, err := os.ReadFile(config.GenesisFile(homes[0]))
	if err != nil {
		t.Fatal(err)
	}
	hash := ceremony.Hash(gen)
	home := filepath.Join(dir, "hz")
	part, err := ceremony.Init(ceremony.InitSpec{Home: home, Moniker: "hz", Listen: "127.0.0.1:30020", Power: 10,
		FeeRecipient: common.Address{0xaa}, Member: &system.Member{Name: "Hangzhou", Weight: 1, Governors: []common.Address{{0xbb}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ceremony.Install(home, gen, hash); err == nil || !strings.Contains(err.Error(), "chuxin join") {
		t.Fatalf("Install of a genesis that does not name the node: %v", err)
	}
	if _, err := ceremony.Join(home, gen, hash, []string{"nonsense"}); !errors.Is(err, ceremony.ErrPart) {
		t.Fatalf("a peer that is not ID@HOST:PORT: %v", err)
	}
	for _, bad := range []string{part.NodeID + "@10.0.0.9:26656", strings.Repeat("ab", 20) + "@10.0.0.9", strings.Repeat("ab", 20) + "@:26656"} {
		if _, err := ceremony.Join(home, gen, hash, []string{bad}); !errors.Is(err, ceremony.ErrPart) {
			t.Fatalf("peer %q: %v", bad, err)
		}
	}
	if _, err := ceremony.Join(homes[1], gen, hash, []string{}); err == nil || !strings.Contains(err.Error(), "install it with chuxin genesis install") {
		t.Fatalf("Join of a node the genesis names: %v", err)
	}
	peer := strings.Repeat("ab", 20) + "@10.0.0.9:26656"
	got, err := ceremony.Join(home, gen, hash, []string{peer})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Joining || got.Validator || len(got.Peers) != 3 || got.Peers[0] != peer || !strings.Contains(strings.Join(got.Warnings, ";"), "holds no share of the beacon") {
		t.Fatalf("Join: %+v", got)
	}
	c, err := config.Load(home)
	if err != nil || c.GenesisHash != hash || !strings.HasPrefix(c.P2P.PersistentPeers, peer+",") {
		t.Fatalf("the joined home's configuration: %+v %v", c, err)
	}
	if _, err := os.Stat(config.BeaconShareFile(home)); err == nil {
		t.Fatal("a joining node got a beacon share")
	}
	for _, nodes := range []bool{false, true} {
		actions, err := nodepart.JoinActions(part, nodes)
		kinds := []uint8{system.KindSetNode, system.KindSetMember, system.KindSetValidators, system.KindFeeRecipient}
		if nodes {
			kinds = []uint8{system.KindSetNode, system.KindSetMember, system.KindSetNodeMember, system.KindSetNodeValidators, system.KindFeeRecipient}
		}
		if err != nil || len(actions) != len(kinds) {
			t.Fatalf("JoinActions: %d actions, %v", len(actions), err)
		}
		if nodes {
			vs, err := system.DecodeSetNodeValidators(actions[3].Data)
			if err != nil || len(vs) != 1 || vs[0].Node.String() != strings.ToLower(part.NodeID) || vs[0].Power != uint64(part.Power) {
				t.Fatalf("the join's validator change names %+v, %v; want node %s", vs, err, part.NodeID)
			}
		}
		for i, kind := range kinds {
			if actions[i].Kind != kind {
				t.Fatalf("action %d is of kind %d, want %d", i, actions[i].Kind, kind)
			}
		}
	}
	part.FeeRecipient = common.Address{}
	if _, err := nodepart.JoinActions(part, true); !errors.Is(err, ceremony.ErrPart) {
		t.Fatalf("a validator without a fee recipient: %v", err)
	}
}
