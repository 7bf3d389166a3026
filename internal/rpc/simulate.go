package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/eth/tracers"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
	"github.com/ethereum/go-ethereum/trie"
	"github.com/holiman/uint256"

	"github.com/chuxin-chain/chuxin/internal/system"
)

// eth_simulateV1's bounds and defaults, geth's.
const (
	maxSimulateBlocks        = 256
	maxSimulateCallsPerBlock = 5000
	maxSimulateTotalCalls    = 10000
	simTimestampIncrement    = 12
)

// eth_simulateV1's error codes (the execution-apis' and geth's).
const (
	errCodeNonceTooHigh            = -38011
	errCodeNonceTooLow             = -38010
	errCodeBaseFeeTooLow           = -38012
	errCodeIntrinsicGas            = -38013
	errCodeInsufficientFunds       = -38014
	errCodeBlockGasLimitReached    = -38015
	errCodeBlockNumberInvalid      = -38020
	errCodeBlockTimestampInvalid   = -38021
	errCodeSenderIsNotEOA          = -38024
	errCodeMaxInitCodeSizeExceeded = -38025
	errCodeClientLimitExceeded     = -38026
	errCodeInternalError           = -32603
	errCodeVMError                 = -32015
)

// The log eth_simulateV1 reports for an ether transfer when asked
// (traceTransfers): an ERC-20 Transfer from this address.
var (
	simTransferTopic   = common.HexToHash("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
	simTransferAddress = common.HexToAddress("0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE")
)

// simOpts are eth_simulateV1's inputs.
type simOpts struct {
	BlockStateCalls        []simBlock
	TraceTransfers         bool
	Validation             bool
	ReturnFullTransactions bool
}

// simBlock is one simulated block: its overrides and its calls.
type simBlock struct {
	BlockOverrides *BlockOverrides
	StateOverrides *StateOverride
	Calls          []CallArgs
}

// UnmarshalJSON refuses override keys go-ethereum's types do not define, as
// geth does (encoding/json alone would ignore them).
func (b *simBlock) UnmarshalJSON(input []byte) error {
	var dec struct {
		BlockOverrides json.RawMessage
		StateOverrides map[common.Address]json.RawMessage
		Calls          []CallArgs
	}
	if err := json.Unmarshal(input, &dec); err != nil {
		return err
	}
	var res simBlock
	var shape tracers.TraceCallConfig
	if dec.BlockOverrides != nil {
		if err := checkOverrideKeys(dec.BlockOverrides, reflect.TypeOf(shape.BlockOverrides).Elem(), "block override"); err != nil {
			return err
		}
		res.BlockOverrides = new(BlockOverrides)
		if err := res.BlockOverrides.UnmarshalJSON(dec.BlockOverrides); err != nil {
			return err
		}
	}
	if dec.StateOverrides != nil {
		account := reflect.TypeOf(shape.StateOverrides).Elem().Elem()
		for _, addr := range slices.SortedFunc(maps.Keys(dec.StateOverrides), common.Address.Cmp) {
			if err := checkOverrideKeys(dec.StateOverrides[addr], account, "state override for "+addr.Hex()); err != nil {
				return err
			}
		}
		raw, err := json.Marshal(dec.StateOverrides)
		if err != nil {
			return err
		}
		res.StateOverrides = new(StateOverride)
		if err := res.StateOverrides.UnmarshalJSON(raw); err != nil {
			return err
		}
	}
	res.Calls = dec.Calls
	*b = res
	return nil
}

// checkOverrideKeys returns an error for a key of the JSON object that names
// no field of t, or the field another key names (case-insensitively, as
// encoding/json matches them).
func checkOverrideKeys(input json.RawMessage, t reflect.Type, what string) error {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(input, &keys); err != nil || keys == nil {
		return nil
	}
	seen := make(map[int]string)
	for _, key := range slices.Sorted(maps.Keys(keys)) {
		field := -1
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if strings.EqualFold(key, name) {
				field = i
				break
			}
		}
		if field < 0 {
			return fmt.Errorf("unknown field %q in %s", key, what)
		}
		if prev, ok := seen[field]; ok {
			return fmt.Errorf("keys %q and %q in %s name the same field", prev, key, what)
		}
		seen[field] = key
	}
	return nil
}

// callError is the error of one simulated call.
type callError struct {
	Message string `json:"message"`
	Code    int    `json:"code"`
	Data    string `json:"data,omitempty"`
}

// simCallResult is what one simulated call did.
type simCallResult struct {
	ReturnValue hexutil.Bytes  `json:"returnData"`
	Logs        []*types.Log   `json:"logs"`
	GasUsed     hexutil.Uint64 `json:"gasUsed"`
	MaxUsedGas  hexutil.Uint64 `json:"maxUsedGas"`
	Status      hexutil.Uint64 `json:"status"`
	Error       *callError     `json:"error,omitempty"`
}

// MarshalJSON writes no logs as [].
func (r *simCallResult) MarshalJSON() ([]byte, error) {
	type alias simCallResult
	if r.Logs == nil {
		r.Logs = []*types.Log{}
	}
	return json.Marshal((*alias)(r))
}

// simBlockResult is a simulated block as eth_getBlockByNumber gives one,
// with its calls' results.
type simBlockResult struct {
	fullTx  bool
	block   *types.Block
	calls   []simCallResult
	senders map[common.Hash]common.Address // the calls are unsigned
}

// MarshalJSON writes the block's fields and "calls".
func (r *simBlockResult) MarshalJSON() ([]byte, error) {
	fields := marshalBlockFrom(r.block, r.fullTx, func(tx *types.Transaction) common.Address { return r.senders[tx.Hash()] })
	fields["calls"] = r.calls
	return json.Marshal(fields)
}

// SimulateV1 runs calls in a chain of simulated blocks on top of a block,
// each block with its own state and block overrides, as geth's
// eth_simulateV1 does: without validation (the default) calls pay no base
// fee and skip nonce checks; with it, they are checked as transactions are.
// Simulated blocks run chuxin's base fee (the consortium's, not EIP-1559's)
// and no system calls, as chuxin's own blocks do; under validation the
// consortium's roles and freezes apply to each call as to a transaction,
// and calls into frozen accounts revert in either mode, as in a block.
func (api *EthAPI) SimulateV1(ctx context.Context, opts simOpts, bnh *gethrpc.BlockNumberOrHash) ([]*simBlockResult, error) {
	if len(opts.BlockStateCalls) == 0 {
		return nil, &rpcError{code: -32602, msg: "empty input"}
	} else if len(opts.BlockStateCalls) > maxSimulateBlocks {
		return nil, &rpcError{code: errCodeClientLimitExceeded, msg: "too many blocks"}
	}
	total := 0
	for _, b := range opts.BlockStateCalls {
		if len(b.Calls) > maxSimulateCallsPerBlock {
			return nil, &rpcError{code: errCodeClientLimitExceeded, msg: fmt.Sprintf("too many calls in block: %d > %d", len(b.Calls), maxSimulateCallsPerBlock)}
		}
		if total += len(b.Calls); total > maxSimulateTotalCalls {
			return nil, &rpcError{code: errCodeClientLimitExceeded, msg: fmt.Sprintf("too many calls: %d > %d", total, maxSimulateTotalCalls)}
		}
	}
	st, base, err := api.b.stateAt(orLatest(bnh))
	if err != nil {
		return nil, err
	}
	sim := &simulator{
		b: api.b, state: st, base: base,
		budget: api.b.Limits.GasCap, traceTransfers: opts.TraceTransfers, validate: opts.Validation, fullTx: opts.ReturnFullTransactions,
	}
	if sim.budget == 0 {
		sim.budget = math.MaxUint64
	}
	res, err := sim.execute(ctx, opts.BlockStateCalls)
	if err != nil {
		return nil, err
	}
	if err := api.b.readErr(st, base); err != nil {
		return nil, err
	}
	return res, nil
}

// simulator runs a series of simulated blocks over one state.
type simulator struct {
	b              *Backend
	state          *state.StateDB
	base           *types.Header
	budget         uint64 // gas the calls may still use, across blocks
	traceTransfers bool
	validate       bool
	fullTx         bool
}

func (sim *simulator) execute(ctx context.Context, blocks []simBlock) ([]*simBlockResult, error) {
	timeout := time.Duration(sim.b.Limits.EVMTimeout)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	blocks, err := sim.sanitizeChain(blocks)
	if err != nil {
		return nil, err
	}
	headers, err := sim.makeHeaders(blocks)
	if err != nil {
		return nil, err
	}
	results := make([]*simBlockResult, len(blocks))
	parent := sim.base
	for i := range blocks {
		r, err := sim.processBlock(ctx, &blocks[i], headers[i], parent, headers[:i], timeout)
		if err != nil {
			return nil, err
		}
		headers[i] = r.block.Header()
		results[i] = r
		parent = headers[i]
	}
	return results, nil
}

// sanitizeChain numbers and times the blocks (each 12 s after the last
// unless overridden), checks that both increase, and fills gaps in the
// numbers with empty blocks.
func (sim *simulator) sanitizeChain(blocks []simBlock) ([]simBlock, error) {
	var (
		res           = make([]simBlock, 0, len(blocks))
		prevNumber    = sim.base.Number
		prevTimestamp = sim.base.Time
	)
	for _, block := range blocks {
		if block.BlockOverrides == nil {
			block.BlockOverrides = new(BlockOverrides)
		}
		o := block.BlockOverrides.ensure().c.BlockOverrides
		if o.Number == nil {
			o.Number = (*hexutil.Big)(new(big.Int).Add(prevNumber, common.Big1))
		}
		if o.Withdrawals != nil && len(*o.Withdrawals) > 0 {
			return nil, invalidParams("block %v: withdrawals: a chuxin chain has no beacon chain to withdraw from", o.Number)
		}
		diff := new(big.Int).Sub(o.Number.ToInt(), prevNumber)
		if diff.Sign() <= 0 {
			return nil, &rpcError{code: errCodeBlockNumberInvalid, msg: fmt.Sprintf("block numbers must be in order: %d <= %d", o.Number.ToInt().Uint64(), prevNumber)}
		}
		if total := new(big.Int).Sub(o.Number.ToInt(), sim.base.Number); total.Cmp(big.NewInt(maxSimulateBlocks)) > 0 {
			return nil, &rpcError{code: errCodeClientLimitExceeded, msg: "too many blocks"}
		}
		for i := uint64(1); i < diff.Uint64(); i++ {
			gap := new(BlockOverrides)
			g := gap.ensure().c.BlockOverrides
			t := prevTimestamp + simTimestampIncrement
			g.Number, g.Time = (*hexutil.Big)(new(big.Int).Add(prevNumber, new(big.Int).SetUint64(i))), (*hexutil.Uint64)(&t)
			prevTimestamp = t
			res = append(res, simBlock{BlockOverrides: gap})
		}
		prevNumber = o.Number.ToInt()
		var t uint64
		if o.Time == nil {
			t = prevTimestamp + simTimestampIncrement
			o.Time = (*hexutil.Uint64)(&t)
		} else if t = uint64(*o.Time); t <= prevTimestamp {
			return nil, &rpcError{code: errCodeBlockTimestampInvalid, msg: fmt.Sprintf("block timestamps must be in order: %d <= %d", t, prevTimestamp)}
		}
		prevTimestamp = t
		res = append(res, block)
	}
	return res, nil
}

// ensure makes o hold go-ethereum's overrides, empty when it held none, and
// returns it (their type lives in an internal package and is reached
// through the field: o.ensure().c.BlockOverrides).
func (o *BlockOverrides) ensure() *BlockOverrides {
	if o.c.BlockOverrides == nil {
		_ = json.Unmarshal([]byte("{}"), &o.c.BlockOverrides)
	}
	return o
}

// makeHeaders makes the simulated blocks' headers as far as they are known
// before execution: a chuxin header (zero difficulty, the base block's
// coinbase and gas limit) with the block overrides.
func (sim *simulator) makeHeaders(blocks []simBlock) ([]*types.Header, error) {
	res := make([]*types.Header, len(blocks))
	prev := sim.base
	for i, block := range blocks {
		o := block.BlockOverrides.ensure().c.BlockOverrides
		if o.Difficulty != nil {
			return nil, invalidParams("block %d: difficulty override is not allowed after the merge", o.Number.ToInt())
		}
		beaconRoot := common.Hash{}
		if o.BeaconRoot != nil {
			beaconRoot = *o.BeaconRoot
		}
		prev = o.MakeHeader(&types.Header{
			UncleHash:        types.EmptyUncleHash,
			ReceiptHash:      types.EmptyReceiptsHash,
			TxHash:           types.EmptyTxsHash,
			Coinbase:         prev.Coinbase,
			Difficulty:       new(big.Int),
			GasLimit:         prev.GasLimit,
			WithdrawalsHash:  &types.EmptyWithdrawalsHash,
			ParentBeaconRoot: &beaconRoot,
			RequestsHash:     &types.EmptyRequestsHash,
		})
		res[i] = prev
	}
	return res, nil
}

func (sim *simulator) processBlock(ctx context.Context, block *simBlock, header, parent *types.Header, simulated []*types.Header, timeout time.Duration) (*simBlockResult, error) {
	config := sim.b.App.Executor().Config
	header.ParentHash = parent.Hash()
	if header.BaseFee == nil {
		if sim.validate {
			header.BaseFee = system.LimitsOf(sim.state).BaseFee // chuxin's base fee, set by the consortium
		} else {
			header.BaseFee = new(big.Int)
		}
	}
	zero := uint64(0)
	header.ExcessBlobGas, header.BlobGasUsed = &zero, &zero
	o := block.BlockOverrides.ensure().c.BlockOverrides
	blockCtx := core.NewEVMBlockContext(header, &simChain{ChainContext: sim.b.Store.Chain(), base: sim.base, headers: simulated}, nil)
	if o.BlobBaseFee != nil {
		blockCtx.BlobBaseFee = o.BlobBaseFee.ToInt()
	}
	rules := config.Rules(header.Number, true, header.Time)
	precompiles := sim.b.App.Executor().Precompiles(rules, sim.b.App.Executor().VersionAt(sim.state, header.Number.Uint64()), sim.state)
	if block.StateOverrides != nil {
		if err := block.StateOverrides.c.StateOverrides.Apply(sim.state, precompiles); err != nil {
			return nil, &rpcError{code: -32000, msg: err.Error()}
		}
	}
	var (
		gp       = core.NewGasPool(blockCtx.GasLimit)
		txs      = make([]*types.Transaction, len(block.Calls))
		results  = make([]simCallResult, len(block.Calls))
		receipts = make([]*types.Receipt, len(block.Calls))
		senders  = make(map[common.Hash]common.Address)
		tracer   = &simLogTracer{traceTransfers: sim.traceTransfers, blockNumber: header.Number.Uint64(), blockTime: header.Time}
		hooks    = tracer.hooks()
	)
	evm := vm.NewEVM(blockCtx, state.NewHookedState(sim.state, hooks), config, vm.Config{NoBaseFee: !sim.validate, Tracer: hooks})
	defer evm.Release()
	evm.SetPrecompiles(precompiles)
	for i := range block.Calls {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		call := &block.Calls[i]
		capped, err := sim.sanitizeCall(call, header, gp)
		if err != nil {
			return nil, err
		}
		from := call.from()
		if !sim.validate && sim.state.GetNonce(from) == math.MaxUint64 {
			return nil, txValidationError(fmt.Errorf("%w: address %v, nonce: %d", core.ErrNonceMax, from.Hex(), uint64(math.MaxUint64)))
		}
		tx := call.toTransaction()
		if sim.validate {
			// The consortium's part of the admission rule; the rest
			// (nonce, balance, fees) is the state transition's, as in geth.
			if err := sim.b.App.Executor().AdmitPermissions(sim.state, tx, from, header.Number.Uint64()); err != nil {
				return nil, &rpcError{code: -32000, msg: err.Error()}
			}
		}
		hash := tx.Hash()
		txs[i], senders[hash] = tx, from
		tracer.reset(hash, uint(i))
		sim.state.SetTxContext(hash, i, uint32(i+1))
		msg := call.toMessage(header.BaseFee, !sim.validate)
		if !sim.validate {
			msg.SkipExecutionGasCapCheck()
		}
		result, err := applyWithTimeout(ctx, evm, msg, timeout, gp)
		if err != nil {
			return nil, txValidationError(err)
		}
		sim.state.Finalise(rules)
		receipts[i] = core.MakeReceipt(evm, result, sim.state, blockCtx.BlockNumber, common.Hash{}, blockCtx.Time, tx, gp.CumulativeUsed(), nil)
		if result.UsedGas > sim.budget {
			return nil, &rpcError{code: errCodeInternalError, msg: fmt.Sprintf("RPC gas cap exhausted: need %d, remaining %d", result.UsedGas, sim.budget)}
		}
		sim.budget -= result.UsedGas
		r := simCallResult{ReturnValue: result.Return(), Logs: tracer.logs(), GasUsed: hexutil.Uint64(result.UsedGas), MaxUsedGas: hexutil.Uint64(result.MaxUsedGas)}
		switch {
		case errors.Is(result.Err, vm.ErrExecutionReverted):
			r.Status = hexutil.Uint64(types.ReceiptStatusFailed)
			rerr := revertError(result.Revert()).(*rpcError)
			r.Error = &callError{Message: rerr.msg, Code: rerr.code, Data: rerr.data.(string)}
		case result.Err != nil:
			r.Status = hexutil.Uint64(types.ReceiptStatusFailed)
			m := result.Err.Error()
			if capped {
				m += " (gas limit was capped by the RPC server's global gas cap)"
			}
			r.Error = &callError{Message: m, Code: errCodeVMError}
		default:
			r.Status = hexutil.Uint64(types.ReceiptStatusSuccessful)
		}
		results[i] = r
	}
	header.GasUsed = gp.Used()
	header.Root = sim.state.IntermediateRoot(rules)
	b := types.NewBlock(header, &types.Body{Transactions: txs, Withdrawals: types.Withdrawals{}}, receipts, trie.NewStackTrie(nil))
	for i := range results {
		for _, l := range results[i].Logs {
			l.BlockHash = b.Hash()
		}
	}
	return &simBlockResult{fullTx: sim.fullTx, block: b, calls: results, senders: senders}, nil
}

// sanitizeCall fills in a call's nonce (the sender's) and gas (what is
// left of the block), refuses gas beyond the block's, holds the gas to the
// node's cap, and sets the remaining defaults as geth's CallDefaults does.
func (sim *simulator) sanitizeCall(call *CallArgs, header *types.Header, gp *core.GasPool) (bool, error) {
	if call.Nonce == nil {
		nonce := sim.state.GetNonce(call.from())
		call.Nonce = (*hexutil.Uint64)(&nonce)
	}
	remaining := gp.Available(false)
	if call.Gas == nil {
		call.Gas = (*hexutil.Uint64)(&remaining)
	}
	if remaining < uint64(*call.Gas) {
		return false, &rpcError{code: errCodeBlockGasLimitReached, msg: fmt.Sprintf("block gas limit reached: remaining: %d, required: %d", remaining, *call.Gas)}
	}
	gas := min(uint64(*call.Gas), sim.budget)
	capped := gas < uint64(*call.Gas)
	call.Gas = (*hexutil.Uint64)(&gas)
	return capped, call.callDefaults(sim.b.chainID())
}

// txValidationError gives a call that could not run as a transaction the
// code of its reason.
func txValidationError(err error) error {
	code := errCodeInternalError
	switch {
	case errors.Is(err, core.ErrNonceTooHigh):
		code = errCodeNonceTooHigh
	case errors.Is(err, core.ErrNonceTooLow):
		code = errCodeNonceTooLow
	case errors.Is(err, core.ErrSenderNoEOA):
		code = errCodeSenderIsNotEOA
	case errors.Is(err, core.ErrFeeCapVeryHigh), errors.Is(err, core.ErrTipVeryHigh), errors.Is(err, core.ErrTipAboveFeeCap):
		code = -32602
	case errors.Is(err, core.ErrFeeCapTooLow):
		code = errCodeBaseFeeTooLow
	case errors.Is(err, core.ErrInsufficientFunds), errors.Is(err, core.ErrInsufficientFundsForTransfer):
		code = errCodeInsufficientFunds
	case errors.Is(err, core.ErrIntrinsicGas):
		code = errCodeIntrinsicGas
	case errors.Is(err, vm.ErrMaxInitCodeSizeExceeded):
		code = errCodeMaxInitCodeSizeExceeded
	}
	return &rpcError{code: code, msg: err.Error()}
}

// applyWithTimeout runs msg in evm, cancelled when ctx ends, with geth's
// error words.
func applyWithTimeout(ctx context.Context, evm *vm.EVM, msg *core.Message, timeout time.Duration, gp *core.GasPool) (*core.ExecutionResult, error) {
	result, cancelled, err := applyCancellable(ctx, evm, msg, gp)
	if cancelled {
		return nil, fmt.Errorf("execution aborted (timeout = %v)", timeout)
	}
	if err != nil {
		return result, fmt.Errorf("err: %w (supplied gas %d)", err, msg.GasLimit)
	}
	return result, nil
}

// simChain is the chain a simulated block sees: the simulated blocks before
// it, then the node's.
type simChain struct {
	core.ChainContext
	base    *types.Header
	headers []*types.Header
}

// GetHeader returns a simulated header, or the node's.
func (c *simChain) GetHeader(hash common.Hash, number uint64) *types.Header {
	if number > c.base.Number.Uint64() {
		for _, h := range c.headers {
			if h.Number.Uint64() == number && h.Hash() == hash {
				return h
			}
		}
		return nil
	}
	return c.ChainContext.GetHeader(hash, number)
}

// simLogTracer collects a simulated call's logs, dropping those of the
// frames that revert, and with traceTransfers an ERC-20 Transfer log from
// 0xEeee…EEeE for each ether transfer (geth's).
type simLogTracer struct {
	frames         [][]*types.Log
	count          int
	traceTransfers bool
	blockNumber    uint64
	blockTime      uint64
	txHash         common.Hash
	txIndex        uint
}

func (t *simLogTracer) hooks() *tracing.Hooks {
	return &tracing.Hooks{OnEnter: t.onEnter, OnExit: t.onExit, OnLog: t.onLog}
}

func (t *simLogTracer) onEnter(_ int, typ byte, from, to common.Address, _ []byte, _ uint64, value *big.Int) {
	t.frames = append(t.frames, make([]*types.Log, 0))
	if op := vm.OpCode(typ); op != vm.DELEGATECALL && op != vm.CALLCODE && value != nil && value.Sign() > 0 && t.traceTransfers {
		t.capture(simTransferAddress, []common.Hash{simTransferTopic, common.BytesToHash(from.Bytes()), common.BytesToHash(to.Bytes())}, common.BigToHash(value).Bytes())
	}
}

func (t *simLogTracer) onExit(depth int, _ []byte, _ uint64, _ error, reverted bool) {
	if depth == 0 {
		if reverted {
			t.count -= len(t.frames[0])
			t.frames[0] = nil
		}
		return
	}
	n := len(t.frames)
	if n <= 1 {
		return
	}
	call := t.frames[n-1]
	t.frames = t.frames[:n-1]
	if reverted {
		t.count -= len(call)
	} else {
		t.frames[n-2] = append(t.frames[n-2], call...)
	}
}

func (t *simLogTracer) onLog(l *types.Log) { t.capture(l.Address, l.Topics, l.Data) }

func (t *simLogTracer) capture(addr common.Address, topics []common.Hash, data []byte) {
	t.frames[len(t.frames)-1] = append(t.frames[len(t.frames)-1], &types.Log{
		Address: addr, Topics: topics, Data: data, BlockNumber: t.blockNumber, BlockTimestamp: t.blockTime,
		TxHash: t.txHash, TxIndex: t.txIndex, Index: uint(t.count),
	})
	t.count++
}

func (t *simLogTracer) reset(txHash common.Hash, index uint) {
	t.frames, t.txHash, t.txIndex = nil, txHash, index
}

func (t *simLogTracer) logs() []*types.Log {
	if len(t.frames) == 0 {
		return nil
	}
	return t.frames[0]
}

// callDefaults sets what geth's TransactionArgs.CallDefaults sets for a
// simulated call, whose gas and nonce are already set, in a block with a
// base fee (every chuxin block has one): EIP-1559 fee fields.
func (a *CallArgs) callDefaults(chainID *big.Int) error {
	if a.GasPrice != nil && (a.MaxFeePerGas != nil || a.MaxPriorityFeePerGas != nil) {
		return errors.New("both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified")
	}
	if a.To == nil && a.AuthorizationList != nil {
		return core.ErrSetCodeTxCreate
	}
	if a.ChainID == nil {
		a.ChainID = (*hexutil.Big)(chainID)
	} else if have := a.ChainID.ToInt(); have.Cmp(chainID) != 0 {
		return fmt.Errorf("chainId does not match node's (have=%v, want=%v)", have, chainID)
	}
	if a.Value == nil {
		a.Value = new(hexutil.Big)
	}
	if a.MaxFeePerGas == nil {
		a.MaxFeePerGas = new(hexutil.Big)
	}
	if a.MaxPriorityFeePerGas == nil {
		a.MaxPriorityFeePerGas = new(hexutil.Big)
	}
	return nil
}

// toMessage is geth's TransactionArgs.ToMessage for a block with a base fee.
func (a *CallArgs) toMessage(baseFee *big.Int, skipNonceCheck bool) *core.Message {
	var gasPrice, feeCap, tipCap *uint256.Int
	if a.GasPrice != nil {
		gasPrice, _ = uint256.FromBig(a.GasPrice.ToInt())
		feeCap, tipCap = gasPrice, gasPrice
	} else {
		feeCap, _ = uint256.FromBig(a.MaxFeePerGas.ToInt())
		tipCap, _ = uint256.FromBig(a.MaxPriorityFeePerGas.ToInt())
		gasPrice = new(uint256.Int)
		if feeCap.BitLen() > 0 || tipCap.BitLen() > 0 {
			gasPrice.Add(tipCap, uint256.MustFromBig(baseFee))
			if gasPrice.Cmp(feeCap) > 0 {
				gasPrice = feeCap
			}
		}
	}
	var list types.AccessList
	if a.AccessList != nil {
		list = *a.AccessList
	}
	value, _ := uint256.FromBig(a.Value.ToInt())
	data, _ := a.data()
	msg := &core.Message{
		From: a.from(), To: a.To, Value: value, Nonce: uint64(*a.Nonce), GasLimit: uint64(*a.Gas),
		GasPrice: gasPrice, GasFeeCap: feeCap, GasTipCap: tipCap, Data: data, AccessList: list,
		SetCodeAuthorizations: a.AuthorizationList,
	}
	if skipNonceCheck {
		msg.SkipNonceCheck()
	}
	return msg.SkipEOACheck().SkipGasLimitCapCheck()
}

// toTransaction is geth's TransactionArgs.ToTransaction with an EIP-1559
// default: the unsigned transaction a simulated call stands for.
func (a *CallArgs) toTransaction() *types.Transaction {
	data, _ := a.data()
	list := types.AccessList{}
	if a.AccessList != nil {
		list = *a.AccessList
	}
	switch {
	case a.GasPrice != nil && a.AccessList != nil:
		return types.NewTx(&types.AccessListTx{To: a.To, ChainID: a.ChainID.ToInt(), Nonce: uint64(*a.Nonce), Gas: uint64(*a.Gas), GasPrice: a.GasPrice.ToInt(), Value: a.Value.ToInt(), Data: data, AccessList: list})
	case a.GasPrice != nil:
		return types.NewTx(&types.LegacyTx{To: a.To, Nonce: uint64(*a.Nonce), Gas: uint64(*a.Gas), GasPrice: a.GasPrice.ToInt(), Value: a.Value.ToInt(), Data: data})
	case a.AuthorizationList != nil:
		return types.NewTx(&types.SetCodeTx{To: *a.To, ChainID: uint256.MustFromBig(a.ChainID.ToInt()), Nonce: uint64(*a.Nonce), Gas: uint64(*a.Gas),
			GasFeeCap: uint256.MustFromBig(a.MaxFeePerGas.ToInt()), GasTipCap: uint256.MustFromBig(a.MaxPriorityFeePerGas.ToInt()),
			Value: uint256.MustFromBig(a.Value.ToInt()), Data: data, AccessList: list, AuthList: a.AuthorizationList})
	default:
		return types.NewTx(&types.DynamicFeeTx{To: a.To, ChainID: a.ChainID.ToInt(), Nonce: uint64(*a.Nonce), Gas: uint64(*a.Gas),
			GasFeeCap: a.MaxFeePerGas.ToInt(), GasTipCap: a.MaxPriorityFeePerGas.ToInt(), Value: a.Value.ToInt(), Data: data, AccessList: list})
	}
}
