package node

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/chuxin-chain/chuxin/internal/ceremony"
	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/modules"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// TestStoppingNodeRefusesPeers checks that the peer filter is wired into
// CometBFT: while a node is stopping it refuses connections (so CometBFT
// closes them instead of leaving them open and unstarted), and once it takes
// peers again its persistent peer connects.
func TestStoppingNodeRefusesPeers(t *testing.T) {
	base := testchain.PortBase(6)
	homes, err := ceremony.WriteNetwork(ceremony.NetworkSpec{
		Dir: t.TempDir(), ChainID: 1337, Validators: 1, Observers: 1,
		P2PPortBase: base, RPCPortBase: base + 4, FeeRecipient: testchain.Governor,
		Tune: func(_ int, c *config.Config) { c.RPC.CometAddr = ""; c.DB.CacheMB = 16 },
	})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	open := func(home string) *Node {
		n, err := Open(context.Background(), home, log, modules.Set())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	v := open(homes[0])
	refused := make(chan string, 64)
	v.app.SetPeerFilter(func(kind, value string) error {
		err := v.admitPeer(kind, value)
		if err != nil {
			select {
			case refused <- kind:
			default:
			}
		}
		return err
	})
	v.stopping.Store(true) // as Stop does first
	if err := v.Start(); err != nil {
		t.Fatal(err)
	}
	defer v.Stop()
	o := open(homes[1])
	if err := o.Start(); err != nil {
		t.Fatal(err)
	}
	defer o.Stop()

	select {
	case kind := <-refused:
		t.Logf("stopping node refused a peer by %s", kind)
	case <-time.After(30 * time.Second):
		t.Fatal("the stopping node was never asked about its peer: filter_peers is not wired to the application")
	}
	if n := v.cmt.Switch().Peers().Size(); n != 0 {
		t.Fatalf("stopping node has %d peers, want 0", n)
	}

	v.stopping.Store(false)
	deadline := time.Now().Add(30 * time.Second)
	for v.cmt.Switch().Peers().Size() == 0 || o.cmt.Switch().Peers().Size() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no connection once peers are taken again: validator %d peers, observer %d",
				v.cmt.Switch().Peers().Size(), o.cmt.Switch().Peers().Size())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
