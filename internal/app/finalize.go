package app

import (
	"context"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/execution"
)

// CodeSkipped is the result code of a transaction that was in a decided
// block but could not be executed (it is not part of the Ethereum block).
const CodeSkipped uint32 = 2

// FinalizeBlock executes a decided block over the committed head and returns
// the new state root as the AppHash. Nothing reaches disk until Commit.
func (a *App) FinalizeBlock(_ context.Context, req *abci.FinalizeBlockRequest) (*abci.FinalizeBlockResponse, error) {
	parent := a.store.Head()
	if parent == nil {
		return nil, ErrNotReady
	}
	if parent.Number.Int64()+1 != req.Height {
		return nil, fmt.Errorf("%w: asked for %d, head is %d", ErrHeight, req.Height, parent.Number)
	}
	st, err := a.store.State(parent.Root)
	if err != nil {
		return nil, err
	}
	in := &execution.BlockInput{
		Parent:     parent,
		Time:       uint64(req.Time.Unix()),
		Coinbase:   common.BytesToAddress(req.ProposerAddress),
		Random:     common.BytesToHash(req.Hash),
		BeaconRoot: common.BytesToHash(a.store.ConsensusHash(parent.Number.Uint64())),
		Txs:        req.Txs,
	}
	res, err := a.exec.Execute(st, a.store.Chain(), in)
	if err != nil {
		return nil, fmt.Errorf("execute block %d: %w", req.Height, err)
	}
	a.finalized, a.finalizedHash = res, req.Hash
	results := make([]*abci.ExecTxResult, len(res.Outcomes))
	for i, o := range res.Outcomes {
		if o.Err != nil {
			results[i] = &abci.ExecTxResult{Code: CodeSkipped, Log: o.Err.Error(), Codespace: "chuxin"}
			continue
		}
		r := res.Receipts[o.Index]
		results[i] = &abci.ExecTxResult{Data: o.Hash.Bytes(), GasUsed: int64(r.GasUsed)}
	}
	if n := len(res.Block.Transactions()); n > 0 || len(req.Txs) > 0 {
		a.log.Debug("block executed", "height", req.Height, "txs", n, "skipped", len(req.Txs)-n, "gas", res.Block.GasUsed())
	}
	return &abci.FinalizeBlockResponse{TxResults: results, AppHash: res.Block.Root().Bytes()}, nil
}

// Commit makes the finalized block durable with one fsync, then tells the
// mempool view and the subscribers.
func (a *App) Commit(context.Context, *abci.CommitRequest) (*abci.CommitResponse, error) {
	res := a.finalized
	if res == nil {
		return nil, ErrNoBlock
	}
	if err := a.store.CommitBlock(res, a.finalizedHash); err != nil {
		return nil, err
	}
	a.finalized, a.finalizedHash = nil, nil
	// CometBFT rechecks every transaction left in its mempool right after
	// Commit, under the mempool lock: the recheck rebuilds the view, so a
	// transaction the mempool dropped without telling us cannot linger.
	a.pool.Reset()
	a.resetCheckState()
	for _, f := range a.onCommit {
		f(res.Block, res.Receipts)
	}
	return &abci.CommitResponse{}, nil
}
