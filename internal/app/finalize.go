package app

import (
	"context"
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/api/cometbft/types/v1"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// CodeSkipped is the result code of a transaction that was in a decided
// block but could not be executed (it is not part of the Ethereum block).
const CodeSkipped uint32 = 2

// FinalizeBlock executes a decided block over the committed head and returns
// its AppHash (execution.AppHash) and what the block asks of consensus
// (validator and consensus-parameter updates). Nothing reaches disk until
// Commit. An error halts consensus on this node: it is returned only where
// going on would diverge from the other nodes (an unknown rule version, an
// unreadable store).
func (a *App) FinalizeBlock(_ context.Context, req *abci.FinalizeBlockRequest) (*abci.FinalizeBlockResponse, error) {
	in, err := a.blockInput(req)
	if err != nil {
		return nil, err
	}
	st, err := a.store.State(in.Parent.Root)
	if err != nil {
		return nil, err
	}
	start := time.Now() // for metrics only; execution reads no clock
	res, err := a.exec.Execute(st, a.store.Chain(), in)
	if err != nil {
		return nil, fmt.Errorf("execute block %d: %w", req.Height, err)
	}
	if a.observer != nil {
		a.observer.Executed(len(res.Block.Transactions()), res.Block.GasUsed(), time.Since(start))
		a.observer.Signed(req.DecidedLastCommit)
	}
	a.finalized, a.finalizedHash = res, req.Hash
	payloads := len(in.Payloads)
	results := make([]*abci.ExecTxResult, len(req.Txs))
	for i := range payloads {
		results[i] = &abci.ExecTxResult{}
	}
	for i, o := range res.Outcomes {
		if o.Err != nil {
			results[payloads+i] = &abci.ExecTxResult{Code: CodeSkipped, Log: o.Err.Error(), Codespace: "chuxin"}
			continue
		}
		r := res.Receipts[o.Index]
		results[payloads+i] = &abci.ExecTxResult{Data: o.Hash.Bytes(), GasUsed: int64(r.GasUsed)}
	}
	if n := len(res.Block.Transactions()); n > 0 || len(req.Txs) > 0 {
		a.log.Debug("block executed", "height", req.Height, "txs", n, "payloads", payloads, "skipped", len(in.Txs)-n, "gas", res.Block.GasUsed())
	}
	return &abci.FinalizeBlockResponse{
		Events:                a.failureEvents(req.Height, res.Failures),
		TxResults:             results,
		AppHash:               res.AppHash(),
		ValidatorUpdates:      validatorUpdates(res.Updates.Validators),
		ConsensusParamUpdates: paramUpdates(res.Updates.Params),
	}, nil
}

// failureEvents logs the block's failed system calls and returns them as
// events of the block ("system_call_failed", in CometBFT's block results),
// where operators and indexers find them: the block went on without them.
func (a *App) failureEvents(height int64, failures []error) []abci.Event {
	var events []abci.Event
	for _, f := range failures {
		a.log.Error("a system call failed; the block went on without it", "height", height, "err", f)
		events = append(events, abci.Event{Type: "system_call_failed", Attributes: []abci.EventAttribute{{Key: "error", Value: f.Error(), Index: true}}})
	}
	return events
}

// blockInput assembles what execution needs from a decided block: the
// parent, the proposer's fee recipient, the payloads and the transactions.
func (a *App) blockInput(req *abci.FinalizeBlockRequest) (*execution.BlockInput, error) {
	parent := a.store.Head()
	if parent == nil {
		return nil, ErrNotReady
	}
	if parent.Number.Int64()+1 != req.Height {
		return nil, fmt.Errorf("%w: asked for %d, head is %d", ErrHeight, req.Height, parent.Number)
	}
	beacon, err := a.store.ConsensusHash(parent.Number.Uint64())
	if err != nil {
		return nil, fmt.Errorf("block %d: %w", req.Height, err)
	}
	coinbase, err := a.coinbase(parent, req.ProposerAddress)
	if err != nil {
		return nil, fmt.Errorf("block %d: %w", req.Height, err)
	}
	payloads, txs, err := execution.SplitBlock(req.Txs)
	if err != nil {
		return nil, fmt.Errorf("block %d: %w", req.Height, err) // ProcessProposal refuses these
	}
	return &execution.BlockInput{
		Parent:      parent,
		Time:        uint64(req.Time.Unix()),
		Coinbase:    coinbase,
		Random:      common.BytesToHash(req.Hash),
		BeaconRoot:  common.BytesToHash(beacon),
		Payloads:    payloads,
		Txs:         txs,
		Misbehavior: misbehavior(req.Misbehavior),
	}, nil
}

// ReplayInput returns what execution was given for the committed block b:
// the fields of its header that came from consensus, and the payloads,
// transactions and evidence of its consensus block (txs, ms), which the
// Ethereum block does not hold. Executing it again over the state of its
// parent runs what ran the first time (execution.Executor.Replay).
func ReplayInput(b *types.Block, parent *types.Header, txs [][]byte, ms []abci.Misbehavior) (*execution.BlockInput, error) {
	payloads, ethTxs, err := execution.SplitBlock(txs)
	if err != nil {
		return nil, fmt.Errorf("block %d: %w", b.NumberU64(), err)
	}
	var beacon common.Hash
	if r := b.BeaconRoot(); r != nil {
		beacon = *r
	}
	return &execution.BlockInput{
		Parent:      parent,
		Time:        b.Time(),
		Coinbase:    b.Coinbase(),
		Random:      b.MixDigest(),
		BeaconRoot:  beacon,
		Extra:       b.Extra(),
		Payloads:    payloads,
		Txs:         ethTxs,
		Misbehavior: misbehavior(ms),
	}, nil
}

// misbehavior converts CometBFT's evidence for execution; CometBFT has
// verified it, and gives it in the same order on every node.
func misbehavior(ms []abci.Misbehavior) []execution.Misbehavior {
	var out []execution.Misbehavior
	for _, m := range ms {
		kind := uint8(execution.MisbehaviorDuplicateVote)
		if m.Type == abci.MISBEHAVIOR_TYPE_LIGHT_CLIENT_ATTACK {
			kind = execution.MisbehaviorLightClientAttack
		}
		var addr [20]byte
		copy(addr[:], m.Validator.Address)
		out = append(out, execution.Misbehavior{Address: addr, Height: uint64(m.Height), Kind: kind})
	}
	return out
}

// coinbase returns the fee recipient of the proposer, as the Consortium
// contract holds it in the parent's state (the genesis validators' from the
// genesis, others' set by proposals). A proposer without one keeps its fees
// at its CometBFT address.
func (a *App) coinbase(parent *types.Header, proposer []byte) (common.Address, error) {
	st, err := a.store.State(parent.Root)
	if err != nil {
		return common.Address{}, err
	}
	if to, ok := system.FeeRecipientOf(st, proposer); ok {
		return to, nil
	}
	return common.BytesToAddress(proposer), nil
}

func validatorUpdates(us []execution.ValidatorUpdate) []abci.ValidatorUpdate {
	if len(us) == 0 {
		return nil
	}
	out := make([]abci.ValidatorUpdate, len(us))
	for i, u := range us {
		out[i] = abci.ValidatorUpdate{PubKeyType: "ed25519", PubKeyBytes: u.PubKey, Power: u.Power}
	}
	return out
}

func paramUpdates(p *execution.ParamUpdates) *cmtproto.ConsensusParams {
	if p == nil {
		return nil
	}
	out := &cmtproto.ConsensusParams{}
	if b := p.Block; b != nil {
		out.Block = &cmtproto.BlockParams{MaxBytes: b.MaxBytes, MaxGas: b.MaxGas}
	}
	return out
}

// Commit makes the finalized block durable with one fsync, then tells the
// mempool view and the subscribers.
func (a *App) Commit(context.Context, *abci.CommitRequest) (*abci.CommitResponse, error) {
	res := a.finalized
	if res == nil {
		return nil, ErrNoBlock
	}
	start := time.Now()
	if err := a.store.CommitBlock(res, a.finalizedHash); err != nil {
		return nil, err
	}
	if a.observer != nil {
		a.observer.Committed(time.Since(start))
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
