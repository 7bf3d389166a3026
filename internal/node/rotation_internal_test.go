package node

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/privval"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/ceremony"
	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/devaccounts"
	"github.com/chuxin-chain/chuxin/internal/govclient"
	"github.com/chuxin-chain/chuxin/internal/modules"
	"github.com/chuxin-chain/chuxin/internal/system"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestANextKeyMustBeItsOwn: a next key file whose pub_key is not its
// priv_key's is refused (the set would hold one key and the node sign with
// another), and so is one that is not a key; the current key signs on.
func TestANextKeyMustBeItsOwn(t *testing.T) {
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, "config"), 0o700)
	cur := privval.NewFilePV(ed25519.GenPrivKey(), config.ConsensusKeyFile(home), config.SignStateFile(home))
	cur.Save()
	a, b := ed25519.GenPrivKey(), ed25519.GenPrivKey()
	raw, _ := cmtjson.MarshalIndent(privval.FilePVKey{Address: a.PubKey().Address(), PubKey: a.PubKey(), PrivKey: b}, "", "  ")
	os.WriteFile(config.NextConsensusKeyFile(home), raw, 0o600)
	r := &rotator{home: home, log: quietLogger(), pv: cur}
	holds := func(addr []byte) (bool, error) { return string(addr) == string(a.PubKey().Address()), nil }
	if rotated, err := r.maybeRotate(holds); rotated || !errors.Is(err, ErrNextKey) {
		t.Fatalf("a next key that is not its own: rotated %v, %v", rotated, err)
	}
	// A seed alone made CometBFT's PubKey() panic; it is an error now.
	raw, _ = cmtjson.MarshalIndent(privval.FilePVKey{Address: a.PubKey().Address(), PubKey: a.PubKey(), PrivKey: a[:32]}, "", "  ")
	os.WriteFile(config.NextConsensusKeyFile(home), raw, 0o600)
	if rotated, err := r.maybeRotate(holds); rotated || !errors.Is(err, ErrNextKey) {
		t.Fatalf("a next key of 32 bytes: rotated %v, %v", rotated, err)
	}
	os.WriteFile(config.NextConsensusKeyFile(home), []byte("{}"), 0o600)
	if rotated, err := r.maybeRotate(holds); rotated || !errors.Is(err, ErrNextKey) {
		t.Fatalf("a next key file that is no key: rotated %v, %v", rotated, err)
	}
	if r.current() != cur {
		t.Fatal("the current key was replaced")
	}
}

// rotationNetwork is a sole validator with a next key waiting, and a
// funded governor; the commit timeout is long enough to stop the node
// between blocks.
func rotationNetwork(t *testing.T) (home string, gov devaccounts.Account, oldK, newK [32]byte) {
	accs, _ := devaccounts.Derive(devaccounts.Mnemonic, 1)
	base := testchain.PortBase(3)
	homes, err := ceremony.WriteNetwork(ceremony.NetworkSpec{
		Dir: t.TempDir(), ChainID: 1337, Validators: 1, P2PPortBase: base, RPCPortBase: base + 2,
		Alloc:        types.GenesisAlloc{accs[0].Address: {Balance: big.NewInt(1e18)}},
		FeeRecipient: accs[0].Address,
		Tune: func(i int, c *config.Config) {
			c.Consensus.TimeoutCommit = config.Duration(time.Second)
			c.Consensus.EmptyBlockInterval = config.Duration(time.Second)
			c.DB.CacheMB = 16
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	home = homes[0]
	old := privval.LoadFilePVEmptyState(config.ConsensusKeyFile(home), "")
	next := privval.NewFilePV(ed25519.GenPrivKey(), config.NextConsensusKeyFile(home), "")
	next.Key.Save()
	copy(oldK[:], old.Key.PubKey.Bytes())
	copy(newK[:], next.Key.PubKey.Bytes())
	return home, accs[0], oldK, newK
}

// proposeRotation passes, by the sole member's vote, the proposal that
// hands the old key's power to the new one.
func proposeRotation(ctx context.Context, url string, gov devaccounts.Account, oldK, newK [32]byte) error {
	c, err := govclient.Dial(ctx, url, gov.Key)
	if err != nil {
		return err
	}
	defer c.Close()
	info, err := c.Consortium(ctx) // the genesis names the old key's node
	if err != nil || len(info.Validators) != 1 {
		return fmt.Errorf("the consortium: %v", err)
	}
	node, err := system.ParseNodeID(info.Validators[0].Node)
	if err != nil {
		return err
	}
	p, err := c.Send(ctx, "propose", []system.Action{
		system.SetNodeValidators(system.NodeValidator{PubKey: oldK}, system.NodeValidator{PubKey: newK, Power: 10, Node: node}),
		system.SetFeeRecipient(newK, gov.Address),
	}, "rotate")
	if err != nil {
		return err
	}
	var id *big.Int
	for _, e := range p.Events {
		if e.Name == "Proposed" {
			id, _ = e.Fields["id"].(*big.Int)
		}
	}
	_, err = c.Send(ctx, "vote", id, true)
	return err
}

// waitPast waits for the node to commit past height h.
func waitPast(t *testing.T, n *Node, h uint64, what string) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); n.Height() <= h; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: stuck at height %d, not past %d", what, n.Height(), h)
		}
	}
}

// TestASoleValidatorRotatesAndGoesOn: the only validator's key rotates
// while it runs; the chain goes on, signed by the new key.
func TestASoleValidatorRotatesAndGoesOn(t *testing.T) {
	home, gov, oldK, newK := rotationNetwork(t)
	n, err := Open(context.Background(), home, quietLogger(), modules.Set())
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// CometBFT's /status names the key the node signs with: the old one
	// before the rotation, the new one after, with no restart.
	cmt, err := rpchttp.New("http://" + n.Config.RPC.CometAddr)
	if err != nil {
		t.Fatal(err)
	}
	statusKey := func() []byte {
		t.Helper()
		st, err := cmt.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(st.ValidatorInfo.Address, st.ValidatorInfo.PubKey.Address()) {
			t.Fatalf("/status: address %s of key %X", st.ValidatorInfo.Address, st.ValidatorInfo.PubKey.Bytes())
		}
		return st.ValidatorInfo.PubKey.Bytes()
	}
	if got := statusKey(); !bytes.Equal(got, oldK[:]) {
		t.Fatalf("/status before the rotation: %X, want the old key", got)
	}
	if err := proposeRotation(ctx, "http://"+n.RPCAddr(), gov, oldK, newK); err != nil {
		t.Fatal(err)
	}
	h := n.Height()
	waitPast(t, n, h+4, "after the rotation")
	if got := n.rotator.current().Key.PubKey.Bytes(); string(got) != string(newK[:]) {
		t.Fatal("the node did not move to the new key")
	}
	if got := statusKey(); !bytes.Equal(got, newK[:]) {
		t.Fatalf("/status after the rotation: %X, want the new key", got)
	}
	if _, err := os.Stat(config.NextConsensusKeyFile(home)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the next key file is still there: %v", err)
	}
}

// TestARestartBetweenTheRotationAndItsHeightResumes: a sole validator
// stopped in the block that passed its rotation, before CometBFT applies
// it, restarts: it must sign the next height with the old key, which the
// set still holds, and move to the new one after; the chain goes on.
func TestARestartBetweenTheRotationAndItsHeightResumes(t *testing.T) {
	home, gov, oldK, newK := rotationNetwork(t)
	n, err := Open(context.Background(), home, quietLogger(), modules.Set())
	if err != nil {
		t.Fatal(err)
	}
	stopped := make(chan uint64, 1)
	fired := false
	n.app.OnCommit(func(b *types.Block, _ types.Receipts) {
		if fired {
			return
		}
		if st, err := n.store.State(b.Root()); err == nil {
			for _, u := range system.Validators(st) {
				if u.PubKey == newK && u.Power > 0 {
					fired = true
					go func() { n.Stop(); stopped <- b.NumberU64() }()
				}
			}
		}
	})
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	proposed := make(chan error, 1)
	go func() { proposed <- proposeRotation(ctx, "http://"+n.RPCAddr(), gov, oldK, newK) }()
	var passed uint64
	select {
	case passed = <-stopped:
	case err := <-proposed:
		// The vote's receipt may never come (the node stops in the
		// block that passes it); any earlier failure is the test's.
		select {
		case passed = <-stopped:
		case <-time.After(30 * time.Second):
			t.Fatalf("the rotation did not pass: %v", err)
		}
	case <-time.After(90 * time.Second):
		t.Fatal("the rotation did not pass within 90 s")
	}
	n2, err := Open(context.Background(), home, quietLogger(), modules.Set())
	if err != nil {
		t.Fatal(err)
	}
	if err := n2.Start(); err != nil {
		t.Fatal(err)
	}
	defer n2.Stop()
	waitPast(t, n2, passed+4, "a restart in the rotation's window")
	if got := n2.rotator.current().Key.PubKey.Bytes(); string(got) != string(newK[:]) {
		t.Fatal("the node did not move to the new key")
	}
}
