package execution

import (
	"fmt"

	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
)

// Traced is how one transaction of a replayed block is traced: the hooks
// its EVM calls, and Started, handed that EVM before the transaction runs
// (to cancel it when a trace runs out of time; nil: not handed).
type Traced struct {
	Hooks   *tracing.Hooks
	Started func(*vm.EVM)
}

// TraceFunc chooses how the transaction at index of a replayed block's
// Ethereum block is traced; nil runs it untraced.
type TraceFunc func(index int, tx *types.Transaction) *Traced

// Replayed is a block executed again: its header as execution made it
// (before the roots are filled in) and the transactions of its Ethereum
// block that ran, in order.
type Replayed struct {
	Header *types.Header
	Txs    types.Transactions
}

// Replay executes the block that in describes again over statedb (the state
// of in.Parent), exactly as Execute did (its payloads, its pre-block hooks,
// its transactions under the same admission rule), and stops before the
// transaction of its Ethereum block at index stop (stop < 0: after the last
// one), before the post-block hooks. It commits nothing: statedb is left
// holding the state at the stop, for a call or a trace on top of it.
//
// trace (nil: none) chooses the transactions that run under a tracer; each
// of those runs in an EVM of its own, whose StateDB calls the tracer's
// state hooks too, as go-ethereum's tracers expect. Tracing only watches:
// the state the transactions leave is the same with and without it.
func (e *Executor) Replay(statedb *state.StateDB, chain core.ChainContext, in *BlockInput, stop int, trace TraceFunc) (*Replayed, error) {
	header, sys, err := e.begin(statedb, chain, in)
	if err != nil {
		return nil, err
	}
	defer sys.evm.Release()
	txs, _, _ := e.applyTxs(sys, header, in.Txs, &replay{e: e, stop: stop, trace: trace})
	return &Replayed{Header: header, Txs: txs}, nil
}

// replay is what applyTxs needs to know when it replays a block.
type replay struct {
	e       *Executor
	stop    int
	trace   TraceFunc
	version uint64 // the block's chuxin rule version
}

// evm returns the EVM that runs the transaction at index: the block's, or
// one of the transaction's own under its tracer.
func (r *replay) evm(block *vm.EVM, statedb *state.StateDB, index int, tx *types.Transaction) *vm.EVM {
	if r.trace == nil {
		return block
	}
	t := r.trace(index, tx)
	if t == nil || t.Hooks == nil {
		return block
	}
	hooked := vm.StateDB(state.NewHookedState(statedb, t.Hooks))
	var guard *creationGuard
	if g, ok := block.StateDB.(*creationGuard); ok {
		guard = g.wrap(hooked)
		hooked = guard
	}
	evm := vm.NewEVM(block.Context, hooked, block.ChainConfig(), vm.Config{Tracer: t.Hooks})
	if guard != nil {
		guard.evm = evm
	}
	r.e.GuardFrozen(evm, statedb, r.version)
	if t.Started != nil {
		t.Started(evm)
	}
	return evm
}

// CheckReplay returns ErrReplay unless a replay that stopped before the
// transaction at index stop (stop < 0: none) ran the transactions of the
// committed block up to there, in its order.
func CheckReplay(r *Replayed, block *types.Block, stop int) error {
	want := block.Transactions()
	if stop >= 0 && stop < len(want) {
		want = want[:stop]
	}
	if len(r.Txs) != len(want) {
		return fmt.Errorf("%w %d: %d transactions ran, the block has %d there", ErrReplay, block.NumberU64(), len(r.Txs), len(want))
	}
	for i, tx := range r.Txs {
		if tx.Hash() != want[i].Hash() {
			return fmt.Errorf("%w %d: transaction %d is %s, the block's is %s", ErrReplay, block.NumberU64(), i, tx.Hash(), want[i].Hash())
		}
	}
	return nil
}
