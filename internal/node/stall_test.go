package node_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chuxin-chain/chuxin/internal/modules"
	"github.com/chuxin-chain/chuxin/internal/node"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// TestStalledChainIsReported: two of four validators stop, the chain halts,
// and the node says so, naming whose votes are missing.
func TestStalledChainIsReported(t *testing.T) {
	homes, _ := network(t, 4, 0)
	var logs testchain.SyncBuffer
	nodes := make([]*node.Node, 4)
	for i, h := range homes {
		log := testLogger()
		if i == 0 {
			log = node.NewLogger(&logs, "info", "text")
		}
		n, err := node.Open(context.Background(), h, log, modules.Set())
		if err != nil {
			t.Fatal(err)
		}
		if err := n.Start(); err != nil {
			t.Fatal(err)
		}
		nodes[i] = n
	}
	defer func() {
		for _, n := range nodes {
			if n != nil {
				n.Stop()
			}
		}
	}()
	waitHeight(t, dial(t, nodes[0]), 2)
	for _, i := range []int{2, 3} {
		nodes[i].Stop()
		nodes[i] = nil
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		out := logs.String()
		if i := strings.Index(out, "chain is stalled"); i >= 0 {
			line := out[i:]
			line = line[:strings.IndexByte(line, '\n')]
			if !strings.Contains(line, "missing=node2,node3") || !strings.Contains(line, `votes_missing="2 of 4"`) {
				t.Fatalf("the stall warning does not name the missing validators: %s", line)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no stall warning in 60 s:\n%s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
