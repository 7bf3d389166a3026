package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/eth/tracers"
	"github.com/ethereum/go-ethereum/eth/tracers/logger"
	_ "github.com/ethereum/go-ethereum/eth/tracers/native" // callTracer, prestateTracer, 4byteTracer and the rest
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rlp"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/chuxin-chain/chuxin/internal/app"
	"github.com/chuxin-chain/chuxin/internal/execution"
)

// defaultTraceTimeout bounds one transaction's trace unless the request's
// timeout says otherwise, as in geth.
const defaultTraceTimeout = 5 * time.Second

// ErrTxNotFound: the transaction to trace is not in a committed block.
var ErrTxNotFound = errors.New("transaction not found")

func init() {
	// go-ethereum's directory takes a name it does not know for JavaScript
	// tracer code, and calls its JavaScript engine, which this node does
	// not include: say so instead.
	tracers.DefaultDirectory.RegisterJSEval(func(code string, _ *tracers.Context, _ json.RawMessage, _ *params.ChainConfig) (*tracers.Tracer, error) {
		return nil, fmt.Errorf("unknown tracer %q: this node offers go-ethereum's native tracers (callTracer, flatCallTracer, prestateTracer, 4byteTracer, muxTracer, noopTracer, erc7562Tracer, keccak256PreimageTracer) and the struct logger (no tracer); JavaScript tracers are not offered", code)
	})
}

// DebugAPI is the debug namespace: go-ethereum's tracers (the struct
// logger by default, the native tracers by name) over transactions that
// chuxin's own executor runs again from their parent block's state, with
// the block's system payloads, hooks and rules, so that a trace shows what
// happened. It re-executes blocks, so a node offers it only when its
// configuration says so (rpc.debug; on by default on a devnet).
type DebugAPI struct{ b *Backend }

// TraceCallConfig is debug_traceCall's configuration: a TraceConfig, the
// state and block overrides of eth_call, and the transaction of the block
// before which the call runs (none: after the whole block).
type TraceCallConfig struct {
	tracers.TraceConfig
	StateOverrides *StateOverride
	BlockOverrides *BlockOverrides
	TxIndex        *hexutil.Uint
}

// txTraceResult is the trace of one transaction of a block, in geth's shape.
type txTraceResult struct {
	TxHash common.Hash `json:"txHash"`
	Result any         `json:"result,omitempty"`
	Error  string      `json:"error,omitempty"`
}

// TraceTransaction traces a committed transaction: its block is executed
// again up to it, and it runs under the tracer config names.
func (api *DebugAPI) TraceTransaction(ctx context.Context, hash common.Hash, config *tracers.TraceConfig) (any, error) {
	tx, loc, err := api.b.Store.Transaction(hash)
	if err != nil || tx == nil {
		return nil, fmt.Errorf("%w: %s", ErrTxNotFound, hash)
	}
	block, err := api.b.Store.BlockByHash(loc.BlockHash)
	if err != nil {
		return nil, notFound(err)
	}
	results, err := api.traceBlock(ctx, block, config, int(loc.Index))
	if err != nil {
		return nil, err
	}
	if len(results) != 1 {
		return nil, fmt.Errorf("%w %d: transaction %d was not traced", execution.ErrReplay, block.NumberU64(), loc.Index)
	}
	return results[0].Result, nil
}

// TraceBlockByNumber traces every transaction of a committed block.
func (api *DebugAPI) TraceBlockByNumber(ctx context.Context, number gethrpc.BlockNumber, config *tracers.TraceConfig) ([]*txTraceResult, error) {
	if number == gethrpc.PendingBlockNumber {
		return nil, errors.New("tracing on top of pending is not supported")
	}
	h, err := api.b.headerByNumber(number)
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, fmt.Errorf("block #%d not found", number)
	}
	block, err := api.b.Store.BlockByNumber(h.Number.Uint64())
	if err != nil {
		return nil, notFound(err)
	}
	return api.traceBlock(ctx, block, config, -1)
}

// TraceBlockByHash traces every transaction of a committed block.
func (api *DebugAPI) TraceBlockByHash(ctx context.Context, hash common.Hash, config *tracers.TraceConfig) ([]*txTraceResult, error) {
	block, err := api.b.Store.BlockByHash(hash)
	if err != nil || block == nil {
		return nil, fmt.Errorf("block %s not found", hash)
	}
	return api.traceBlock(ctx, block, config, -1)
}

// traceBlock executes block again and traces its transactions: all of
// them (only < 0), or the one at index only, after which it stops.
func (api *DebugAPI) traceBlock(ctx context.Context, block *types.Block, config *tracers.TraceConfig, only int) ([]*txTraceResult, error) {
	var (
		hash   = block.Hash()
		stop   = -1
		traced []*txTrace
	)
	if only >= 0 {
		stop = only + 1
	}
	trace := func(index int, tx *types.Transaction) *execution.Traced {
		if only >= 0 && index != only {
			return nil
		}
		t, err := api.newTxTrace(ctx, config, &tracers.Context{BlockHash: hash, BlockNumber: block.Number(), TxIndex: index, TxHash: tx.Hash()})
		traced = append(traced, t)
		if err != nil {
			return nil
		}
		return &execution.Traced{Hooks: t.hooks, Started: t.started}
	}
	defer func() {
		for _, t := range traced {
			t.done()
		}
	}()
	if _, _, err := api.replay(block, stop, trace); err != nil {
		return nil, err
	}
	results := make([]*txTraceResult, len(traced))
	for i, t := range traced {
		res, err := t.result()
		if err != nil {
			return nil, err
		}
		results[i] = &txTraceResult{TxHash: t.ctx.TxHash, Result: res}
	}
	return results, nil
}

// replay executes block again over its parent's state, tracing as trace
// says, and stops before its transaction at index stop (< 0: after the
// last). It returns the state where it stopped and the parent's header.
func (api *DebugAPI) replay(block *types.Block, stop int, trace execution.TraceFunc) (*state.StateDB, *types.Header, error) {
	n := block.NumberU64()
	if n == 0 {
		return nil, nil, errors.New("genesis is not traceable")
	}
	if api.b.ConsensusBlock == nil {
		return nil, nil, fmt.Errorf("block %d: this node cannot read its consensus blocks", n)
	}
	parent, err := api.b.Store.HeaderByNumber(n - 1)
	if err != nil {
		return nil, nil, notFound(err)
	}
	st, err := api.b.Store.State(parent.Root)
	if err != nil {
		return nil, nil, fmt.Errorf("trace block %d: the state of its parent, block %d: %w", n, n-1, err)
	}
	txs, ms, err := api.b.ConsensusBlock(n)
	if err != nil {
		return nil, nil, fmt.Errorf("trace block %d: %w", n, err)
	}
	in, err := app.ReplayInput(block, parent, txs, ms)
	if err != nil {
		return nil, nil, err
	}
	r, err := api.b.App.Executor().Replay(st, api.b.Store.Chain(), in, stop, trace)
	if err != nil {
		return nil, nil, fmt.Errorf("trace block %d: %w", n, err)
	}
	if err := api.b.readErr(st, parent); err != nil {
		return nil, nil, err
	}
	if err := execution.CheckReplay(r, block, stop); err != nil {
		return nil, nil, err
	}
	return st, parent, nil
}

// TraceCall traces a call as eth_call runs it, on the state after the block
// bnh (or, with txIndex, before that transaction of the block), with the
// overrides given.
func (api *DebugAPI) TraceCall(ctx context.Context, args CallArgs, bnh *gethrpc.BlockNumberOrHash, config *TraceCallConfig) (any, error) {
	at := orLatest(bnh)
	if n, ok := at.Number(); ok && n == gethrpc.PendingBlockNumber {
		return nil, errors.New("tracing on top of pending is not supported")
	}
	if config == nil {
		config = &TraceCallConfig{}
	}
	var (
		env *callEnv
		err error
	)
	if config.TxIndex != nil {
		header, herr := api.b.header(at)
		if herr != nil {
			return nil, herr
		}
		block, berr := api.b.Store.BlockByNumber(header.Number.Uint64())
		if berr != nil {
			return nil, notFound(berr)
		}
		if int(*config.TxIndex) > len(block.Transactions()) {
			return nil, invalidParams("txIndex %d: block %d has %d transactions", *config.TxIndex, header.Number, len(block.Transactions()))
		}
		st, parent, rerr := api.replay(block, int(*config.TxIndex), nil)
		if rerr != nil {
			return nil, rerr
		}
		env, err = api.b.callEnvAt(st, parent, nextIfOverridden(header, config.BlockOverrides), config.StateOverrides, config.BlockOverrides)
	} else {
		st, header, serr := api.b.stateAt(at)
		if serr != nil {
			return nil, serr
		}
		env, err = api.b.callEnvAt(st, header, nextIfOverridden(header, config.BlockOverrides), config.StateOverrides, config.BlockOverrides)
	}
	if err != nil {
		return nil, err
	}
	msg, err := args.message(api.b.chainID(), env.header, api.b.Limits.GasCap)
	if err != nil {
		return nil, err
	}
	t, err := api.newTxTrace(ctx, &config.TraceConfig, new(tracers.Context))
	if err != nil {
		return nil, err
	}
	defer t.done()
	evm := api.b.evm(env, t.hooks)
	defer evm.Release()
	t.started(evm)
	tx := callTx(msg, api.b.chainID())
	env.st.SetTxContext(common.Hash{}, 0, 1)
	if _, _, err := core.ApplyTransactionWithEVM(ctx, msg, core.NewGasPool(msg.GasLimit), env.st, env.blockCtx.BlockNumber, common.Hash{}, env.blockCtx.Time, tx, evm); err != nil {
		return nil, fmt.Errorf("tracing failed: %w", err)
	}
	if err := api.b.readErr(env.st, env.stateOf); err != nil {
		return nil, err
	}
	return t.result()
}

// nextIfOverridden returns the header of the block after h when the block
// overrides name its number, so that the call runs as in that block, whose
// parent is h, and BLOCKHASH answers h's hash as it would there (as geth
// does, go-ethereum#32175: wallets simulate with the next number, and a
// contract could otherwise tell a simulation by a zero hash). Otherwise h.
func nextIfOverridden(h *types.Header, bo *BlockOverrides) *types.Header {
	if bo == nil || bo.c.BlockOverrides == nil || bo.c.BlockOverrides.Number == nil || bo.c.BlockOverrides.Number.ToInt().Cmp(new(big.Int).Add(h.Number, common.Big1)) != 0 {
		return h
	}
	next := types.CopyHeader(h)
	next.ParentHash = h.Hash()
	next.Number = new(big.Int).Add(h.Number, common.Big1)
	return next
}

// callTx is the transaction a traced call stands for, which tracers read
// the gas limit and recipient from (geth's TransactionArgs.ToTransaction).
func callTx(msg *core.Message, chainID *big.Int) *types.Transaction {
	return types.NewTx(&types.DynamicFeeTx{
		ChainID:    chainID,
		Nonce:      msg.Nonce,
		GasTipCap:  msg.GasTipCap.ToBig(),
		GasFeeCap:  msg.GasFeeCap.ToBig(),
		Gas:        msg.GasLimit,
		To:         msg.To,
		Value:      msg.Value.ToBig(),
		Data:       msg.Data,
		AccessList: msg.AccessList,
	})
}

// txTrace is the tracer of one transaction, with its time bound: when the
// transaction runs past it, the tracer is stopped ("execution timeout") and
// its EVM cancelled, as geth does.
type txTrace struct {
	ctx     *tracers.Context
	tracer  *tracers.Tracer
	hooks   *tracing.Hooks
	timeout time.Duration
	err     error // why the tracer could not be made
	parent  context.Context
	cancel  context.CancelFunc
}

// newTxTrace makes the tracer that config names (the struct logger when it
// names none) for the transaction of txctx. An unknown tracer or timeout is
// an error, kept in the trace too (see result).
func (api *DebugAPI) newTxTrace(ctx context.Context, config *tracers.TraceConfig, txctx *tracers.Context) (*txTrace, error) {
	t := &txTrace{ctx: txctx, timeout: defaultTraceTimeout, parent: ctx, cancel: func() {}}
	if config == nil {
		config = &tracers.TraceConfig{}
	}
	if config.Timeout != nil {
		d, err := time.ParseDuration(*config.Timeout)
		if err != nil {
			t.err = invalidParams("timeout %q: %v (say 10s, 500ms)", *config.Timeout, err)
			return t, t.err
		}
		t.timeout = d
	}
	if config.Tracer == nil || *config.Tracer == "" {
		l := logger.NewStructLogger(config.Config)
		t.tracer = &tracers.Tracer{Hooks: l.Hooks(), GetResult: l.GetResult, Stop: l.Stop}
	} else {
		tr, err := tracers.DefaultDirectory.New(*config.Tracer, txctx, config.TracerConfig, api.b.App.Executor().Config)
		if err != nil {
			t.err = &rpcError{code: -32000, msg: err.Error()}
			return t, t.err
		}
		t.tracer = tr
	}
	// The time bound ends when the transaction does.
	hooks := *t.tracer.Hooks
	onEnd := hooks.OnTxEnd
	hooks.OnTxEnd = func(receipt *types.Receipt, err error) {
		if onEnd != nil {
			onEnd(receipt, err)
		}
		t.done()
	}
	t.hooks = &hooks
	return t, nil
}

// started starts the time bound of the transaction that runs in evm.
func (t *txTrace) started(evm *vm.EVM) {
	ctx, cancel := context.WithTimeout(t.parent, t.timeout)
	t.cancel = cancel
	go func() {
		<-ctx.Done()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(t.parent.Err(), context.Canceled) {
			t.tracer.Stop(errors.New("execution timeout"))
			evm.Cancel()
		}
	}()
}

// done ends the time bound.
func (t *txTrace) done() { t.cancel() }

// result is what the tracer made of the transaction.
func (t *txTrace) result() (json.RawMessage, error) {
	if t.err != nil {
		return nil, t.err
	}
	return t.tracer.GetResult()
}

// GetRawHeader returns the RLP encoding of a block's header.
func (api *DebugAPI) GetRawHeader(bnh gethrpc.BlockNumberOrHash) (hexutil.Bytes, error) {
	h, err := api.b.header(bnh)
	if err != nil {
		return nil, err
	}
	return rlp.EncodeToBytes(h)
}

// GetRawBlock returns the RLP encoding of a block.
func (api *DebugAPI) GetRawBlock(bnh gethrpc.BlockNumberOrHash) (hexutil.Bytes, error) {
	h, err := api.b.header(bnh)
	if err != nil {
		return nil, err
	}
	b, err := api.b.Store.BlockByHash(h.Hash())
	if err != nil {
		return nil, notFound(err)
	}
	return rlp.EncodeToBytes(b)
}

// GetRawReceipts returns the consensus encodings of a block's receipts.
func (api *DebugAPI) GetRawReceipts(bnh gethrpc.BlockNumberOrHash) ([]hexutil.Bytes, error) {
	h, err := api.b.header(bnh)
	if err != nil {
		return nil, err
	}
	receipts, err := api.b.Store.Receipts(h)
	if err != nil {
		return nil, notFound(err)
	}
	out := make([]hexutil.Bytes, len(receipts))
	for i, r := range receipts {
		if out[i], err = r.MarshalBinary(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// GetRawTransaction returns the encoding of a committed transaction (null
// when there is none).
func (api *DebugAPI) GetRawTransaction(hash common.Hash) (hexutil.Bytes, error) {
	tx, _, err := api.b.Store.Transaction(hash)
	if err != nil || tx == nil {
		return nil, nil
	}
	return tx.MarshalBinary()
}
