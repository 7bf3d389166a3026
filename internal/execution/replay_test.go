package execution_test

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// A replay runs the block's transactions again over its parent's state, up
// to where it is told to stop, traces only those asked for, and, run to the
// end, reaches the block's own state root.
func TestReplayStopsTracesAndReachesTheRoot(t *testing.T) {
	c := newChain(t, 2)
	parent := c.head
	var raws [][]byte
	for n := range uint64(4) {
		raws = append(raws, raw(testchain.Transfer(c.keys[0], cid, n, c.addrs[1], big.NewInt(1))))
	}
	raws = append(raws, []byte{0xde, 0xad}) // skipped as before
	res := c.applyAt(parent.Time+1, raws...)
	in := &execution.BlockInput{Parent: parent, Time: res.Block.Time(), Txs: raws}

	for _, stop := range []int{0, 2, -1} {
		st, err := c.st.State(parent.Root)
		if err != nil {
			t.Fatal(err)
		}
		started := map[int]int{}
		trace := func(i int, tx *types.Transaction) *execution.Traced {
			if i%2 == 1 {
				return nil
			}
			return &execution.Traced{Hooks: &tracing.Hooks{OnTxStart: func(*tracing.VMContext, *types.Transaction, common.Address) { started[i]++ }}}
		}
		r, err := c.exec.Replay(st, c.st.Chain(), in, stop, trace)
		if err != nil {
			t.Fatal(err)
		}
		if err := execution.CheckReplay(r, res.Block, stop); err != nil {
			t.Fatalf("stop %d: %v", stop, err)
		}
		ran := stop
		if stop < 0 {
			ran = 4
		}
		if got := st.GetNonce(c.addrs[0]); got != uint64(ran) {
			t.Fatalf("stop %d: sender's nonce %d, want %d", stop, got, ran)
		}
		for i := range ran {
			if want := 1 - i%2; started[i] != want {
				t.Fatalf("stop %d: transaction %d traced %d times, want %d", stop, i, started[i], want)
			}
		}
		if stop < 0 && st.IntermediateRoot(c.exec.Config.Rules(res.Block.Number(), true, res.Block.Time())) != res.Block.Root() {
			t.Fatal("a whole replay does not reach the block's state root")
		}
	}
	// A replay that ran something else than the block is caught.
	st, _ := c.st.State(parent.Root)
	r, err := c.exec.Replay(st, c.st.Chain(), &execution.BlockInput{Parent: parent, Time: res.Block.Time(), Txs: raws[1:]}, -1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := execution.CheckReplay(r, res.Block, -1); err == nil {
		t.Fatal("a replay of other transactions passed the check")
	}
}
