package node_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/ceremony"
	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/devaccounts"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/node"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// TestForkActivationReplaysOnAFreshNode: a genesis schedules Osaka a few
// seconds after the chain starts. A CLZ call fails before it and works
// after it; an observer that joins later syncs the chain from genesis and
// reaches the same roots; and the chain, left idle, makes only its empty
// blocks.
func TestForkActivationReplaysOnAFreshNode(t *testing.T) {
	accs, _ := devaccounts.Derive(devaccounts.Mnemonic, 1)
	clz := common.Address{0xc1}
	genesisTime := time.Now().UTC().Truncate(time.Second)
	osaka := uint64(genesisTime.Unix()) + 6
	base := testchain.PortBase(9)
	homes, err := ceremony.WriteNetwork(ceremony.NetworkSpec{
		Dir: t.TempDir(), ChainID: 1337, Validators: 2, Observers: 1, GenesisTime: genesisTime,
		P2PPortBase: base, RPCPortBase: base + 6, FeeRecipient: feeRecipient,
		Alloc: types.GenesisAlloc{accs[0].Address: {Balance: big.NewInt(1e18)}, clz: {Code: []byte{0x60, 0x01, 0x1e, 0x60, 0x00, 0x55, 0x00}, Balance: new(big.Int)}},
		Genesis: func(g *genesis.Genesis) {
			e := g.Rules.Ethereum
			e.OsakaTime, e.BPO1Time, e.BPO2Time = &osaka, &osaka, &osaka
		},
		Tune: func(i int, c *config.Config) {
			c.Consensus.TimeoutCommit = config.Duration(50 * time.Millisecond)
			c.Consensus.TimeoutPropose = config.Duration(time.Second)
			c.Consensus.EmptyBlockInterval = config.Duration(time.Second)
			c.RPC.CometAddr = ""
			c.DB.CacheMB = 16
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	nodes := []*node.Node{start(t, homes[0]), start(t, homes[1])}
	defer func() {
		for _, n := range nodes {
			n.Stop()
		}
	}()
	c := dial(t, nodes[0])
	call := func(nonce uint64) *types.Receipt {
		return waitReceipt(t, c, send(t, c, testchain.Call(accs[0].Key, cid, nonce, clz, nil, 100_000)))
	}
	before := call(0)
	if b, _ := c.HeaderByNumber(context.Background(), before.BlockNumber); b.Time >= osaka || before.Status != types.ReceiptStatusFailed {
		t.Fatalf("CLZ before Osaka (block time %d, activation %d): status %d", b.Time, osaka, before.Status)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		h, err := c.HeaderByNumber(context.Background(), nil)
		if err == nil && h.Time >= osaka {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("block time did not reach the activation time")
		}
	}
	after := call(1)
	if after.Status != types.ReceiptStatusSuccessful {
		t.Fatal("CLZ failed after Osaka's activation")
	}

	// A fresh node replays the chain from genesis across the activation.
	nodes = append(nodes, start(t, homes[2]))
	o := dial(t, nodes[2])
	target := after.BlockNumber.Uint64() + 1
	waitHeight(t, o, target)
	for h := uint64(1); h <= target; h++ {
		want, _ := c.HeaderByNumber(context.Background(), new(big.Int).SetUint64(h))
		got, err := o.HeaderByNumber(context.Background(), new(big.Int).SetUint64(h))
		if err != nil || got.Hash() != want.Hash() || got.Root != want.Root {
			t.Fatalf("the fresh node disagrees at height %d: %v", h, err)
		}
	}

	// Idle: once the chain settles, one empty block per empty_block_interval
	// (1 s here), not one per timeout_commit (50 ms).
	settled, _ := c.HeaderByNumber(context.Background(), nil)
	from := settled.Time + 2
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		h, err := c.HeaderByNumber(context.Background(), nil)
		if err == nil && h.Time > from+3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no blocks while idle")
		}
	}
	head, _ := c.BlockNumber(context.Background())
	blocks := 0
	for n := settled.Number.Uint64(); n <= head; n++ {
		h, _ := c.HeaderByNumber(context.Background(), new(big.Int).SetUint64(n))
		if h.Time > from && h.Time <= from+3 {
			blocks++
		}
	}
	if blocks > 4 {
		t.Fatalf("an idle chain made %d blocks in 3 s with a 1 s empty-block interval", blocks)
	}
}
