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
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/tracers"
	"github.com/ethereum/go-ethereum/eth/tracers/logger"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
	"github.com/holiman/uint256"
)

// CallArgs are the arguments of eth_call and eth_estimateGas.
type CallArgs struct {
	From                 *common.Address              `json:"from"`
	To                   *common.Address              `json:"to"`
	Gas                  *hexutil.Uint64              `json:"gas"`
	GasPrice             *hexutil.Big                 `json:"gasPrice"`
	MaxFeePerGas         *hexutil.Big                 `json:"maxFeePerGas"`
	MaxPriorityFeePerGas *hexutil.Big                 `json:"maxPriorityFeePerGas"`
	Value                *hexutil.Big                 `json:"value"`
	Nonce                *hexutil.Uint64              `json:"nonce"`
	Data                 *hexutil.Bytes               `json:"data"`
	Input                *hexutil.Bytes               `json:"input"`
	AccessList           *types.AccessList            `json:"accessList"`
	AuthorizationList    []types.SetCodeAuthorization `json:"authorizationList"`
	ChainID              *hexutil.Big                 `json:"chainId"`
}

// data returns input, or data when input is absent.
func (a *CallArgs) data() ([]byte, error) {
	if a.Input != nil && a.Data != nil && !bytesEqual(*a.Input, *a.Data) {
		return nil, invalidParams(`both "data" and "input" are set and differ; send only "input"`)
	}
	if a.Input != nil {
		return *a.Input, nil
	}
	if a.Data != nil {
		return *a.Data, nil
	}
	return nil, nil
}

// from is the call's sender (the zero address when it names none).
func (a *CallArgs) from() common.Address {
	if a.From == nil {
		return common.Address{}
	}
	return *a.From
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }

// message builds the EVM message of a call against header, with gas limited
// to gasCap. Calls pay no fee unless they name a gas price.
func (a *CallArgs) message(chainID *big.Int, header *types.Header, gasCap uint64) (*core.Message, error) {
	if a.ChainID != nil && a.ChainID.ToInt().Cmp(chainID) != 0 {
		return nil, invalidParams("chainId %v, this chain is %v", a.ChainID, chainID)
	}
	if a.GasPrice != nil && (a.MaxFeePerGas != nil || a.MaxPriorityFeePerGas != nil) {
		return nil, invalidParams("gasPrice and maxFeePerGas/maxPriorityFeePerGas are exclusive: send one kind")
	}
	data, err := a.data()
	if err != nil {
		return nil, err
	}
	gas := gasCap
	if a.Gas != nil && uint64(*a.Gas) < gas {
		gas = uint64(*a.Gas)
	}
	msg := &core.Message{
		From:                  a.from(),
		To:                    a.To,
		GasLimit:              gas,
		GasPrice:              new(uint256.Int),
		GasFeeCap:             new(uint256.Int),
		GasTipCap:             new(uint256.Int),
		Value:                 new(uint256.Int),
		Data:                  data,
		SetCodeAuthorizations: a.AuthorizationList,
	}
	if a.AccessList != nil {
		msg.AccessList = *a.AccessList
	}
	if a.Nonce != nil {
		msg.Nonce = uint64(*a.Nonce)
	}
	for dst, src := range map[**uint256.Int]*hexutil.Big{&msg.Value: a.Value, &msg.GasPrice: a.GasPrice, &msg.GasFeeCap: a.MaxFeePerGas, &msg.GasTipCap: a.MaxPriorityFeePerGas} {
		if src == nil {
			continue
		}
		v, overflow := uint256.FromBig(src.ToInt())
		if overflow || src.ToInt().Sign() < 0 {
			return nil, invalidParams("value %v does not fit 256 bits", src)
		}
		*dst = v
	}
	if a.GasPrice != nil {
		msg.GasFeeCap, msg.GasTipCap = msg.GasPrice, msg.GasPrice
	} else if a.MaxFeePerGas != nil {
		price := new(uint256.Int).Add(msg.GasTipCap, uint256.MustFromBig(header.BaseFee))
		if price.Cmp(msg.GasFeeCap) > 0 {
			price = msg.GasFeeCap
		}
		msg.GasPrice = price
	}
	if a.Nonce == nil {
		msg.SkipNonceCheck()
	}
	return msg.SkipEOACheck().SkipGasLimitCapCheck(), nil
}

// StateOverride is the state override set of eth_call, eth_estimateGas,
// eth_createAccessList and debug_traceCall: per account, a balance, nonce,
// code, whole storage (state) or changed slots (stateDiff), or a precompile
// moved elsewhere (movePrecompileToAddress). It holds go-ethereum's own
// type, which lives in its internal/ethapi/override and is reached through
// tracers.TraceCallConfig, so that an override means here exactly what it
// means to geth, checks and error messages included.
type StateOverride struct{ c tracers.TraceCallConfig }

// UnmarshalJSON reads the set as geth does.
func (o *StateOverride) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, &o.c.StateOverrides)
}

// BlockOverrides are the header fields a call runs under instead of its
// block's (number, time, gasLimit, feeRecipient, prevRandao, baseFeePerGas,
// blobBaseFee), in go-ethereum's own type as StateOverride is.
type BlockOverrides struct{ c tracers.TraceCallConfig }

// UnmarshalJSON reads the overrides as geth does.
func (o *BlockOverrides) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, &o.c.BlockOverrides)
}

// callEnv is where a call runs: the state of its block with the state
// overrides applied, the block's header and EVM context with the block
// overrides applied, and the precompiles (the frozen accounts' stand-ins
// among them, moved where the overrides ask).
type callEnv struct {
	st          *state.StateDB
	stateOf     *types.Header // the header whose state st was opened at
	header      *types.Header // the block's, with the block overrides
	blockCtx    vm.BlockContext
	precompiles vm.PrecompiledContracts
	version     uint64 // the chuxin rule version of the block
}

// callEnv opens the state of block bnh and applies the overrides to it, in
// geth's order: the block overrides, then the state overrides.
func (b *Backend) callEnv(bnh gethrpc.BlockNumberOrHash, so *StateOverride, bo *BlockOverrides) (*callEnv, error) {
	st, header, err := b.stateAt(bnh)
	if err != nil {
		return nil, err
	}
	return b.callEnvAt(st, header, header, so, bo)
}

// callEnvAt applies the overrides to st, opened at the state of stateOf,
// for calls in the block of header.
func (b *Backend) callEnvAt(st *state.StateDB, stateOf, header *types.Header, so *StateOverride, bo *BlockOverrides) (*callEnv, error) {
	env := &callEnv{st: st, stateOf: stateOf, header: header, blockCtx: core.NewEVMBlockContext(header, b.Store.Chain(), nil)}
	if bo != nil {
		if err := bo.c.BlockOverrides.Apply(&env.blockCtx); err != nil {
			return nil, &rpcError{code: -32000, msg: err.Error()}
		}
		env.header = bo.c.BlockOverrides.MakeHeader(header)
	}
	exec := b.App.Executor()
	env.version = exec.VersionAt(st, env.blockCtx.BlockNumber.Uint64())
	env.precompiles = exec.Precompiles(exec.Config.Rules(env.blockCtx.BlockNumber, env.blockCtx.Random != nil, env.blockCtx.Time), env.version, st)
	if so != nil {
		if err := so.c.StateOverrides.Apply(st, env.precompiles); err != nil {
			return nil, &rpcError{code: -32000, msg: err.Error()}
		}
	}
	return env, nil
}

// evm returns an EVM over env for calls, which pay no base fee.
func (b *Backend) evm(env *callEnv, tracer *tracing.Hooks) *vm.EVM {
	var st vm.StateDB = env.st
	if tracer != nil {
		st = state.NewHookedState(env.st, tracer)
	}
	evm := vm.NewEVM(env.blockCtx, st, b.App.Executor().Config, vm.Config{NoBaseFee: true, Tracer: tracer})
	evm.SetPrecompiles(env.precompiles)
	return evm
}

// Call executes a message against the state of a block, with the state and
// block overrides given, without creating a transaction and returns its
// output; a revert is an error with code 3.
func (api *EthAPI) Call(ctx context.Context, args CallArgs, bnh *gethrpc.BlockNumberOrHash, so *StateOverride, bo *BlockOverrides) (hexutil.Bytes, error) {
	env, err := api.b.callEnv(orLatest(bnh), so, bo)
	if err != nil {
		return nil, err
	}
	msg, err := args.message(api.b.chainID(), env.header, api.b.Limits.GasCap)
	if err != nil {
		return nil, err
	}
	res, err := api.apply(ctx, env, msg, nil)
	if err != nil {
		return nil, err
	}
	if err := api.b.readErr(env.st, env.stateOf); err != nil {
		return nil, err // the call ran on zeros where the state was missing
	}
	if errors.Is(res.Err, vm.ErrExecutionReverted) {
		return nil, revertError(res.Revert())
	}
	if res.Err != nil {
		return nil, &rpcError{code: -32000, msg: "execution failed: " + res.Err.Error()}
	}
	return res.Return(), nil
}

// apply runs msg in env within the node's time bound, under tracer (nil:
// none).
func (api *EthAPI) apply(ctx context.Context, env *callEnv, msg *core.Message, tracer *tracing.Hooks) (*core.ExecutionResult, error) {
	timeout := time.Duration(api.b.Limits.EVMTimeout)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	evm := api.b.evm(env, tracer)
	defer evm.Release()
	res, cancelled, err := applyCancellable(ctx, evm, msg, core.NewGasPool(max(msg.GasLimit, env.header.GasLimit)))
	if cancelled {
		return nil, limitExceeded("execution aborted after %v (rpc.evm_timeout)", timeout)
	}
	if err != nil {
		return nil, &rpcError{code: -32000, msg: err.Error()}
	}
	return res, nil
}

// applyCancellable runs msg in evm, cancelling the EVM should ctx end
// first, and says whether it did.
func applyCancellable(ctx context.Context, evm *vm.EVM, msg *core.Message, gp *core.GasPool) (*core.ExecutionResult, bool, error) {
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			evm.Cancel()
		case <-done:
		}
	}()
	res, err := core.ApplyMessage(evm, msg, gp)
	return res, evm.Cancelled(), err
}

// EstimateGas returns the least gas with which the message succeeds, with
// the state and block overrides given.
func (api *EthAPI) EstimateGas(ctx context.Context, args CallArgs, bnh *gethrpc.BlockNumberOrHash, so *StateOverride, bo *BlockOverrides) (hexutil.Uint64, error) {
	env, err := api.b.callEnv(orLatest(bnh), so, bo)
	if err != nil {
		return 0, err
	}
	gasCap := min(api.b.Limits.GasCap, env.header.GasLimit)
	msg, err := args.message(api.b.chainID(), env.header, gasCap)
	if err != nil {
		return 0, err
	}
	timeout := time.Duration(api.b.Limits.EVMTimeout)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	gas, ret, err := api.b.estimate(ctx, env, msg, gasCap)
	if errors.Is(err, errEstimateCancelled) {
		return 0, limitExceeded("estimation aborted after %v (rpc.evm_timeout)", timeout)
	}
	var stateErr stateReadError
	if errors.As(err, &stateErr) {
		return 0, stateErr.error
	}
	if rerr := api.b.readErr(env.st, env.stateOf); rerr != nil {
		return 0, rerr
	}
	if err != nil {
		if len(ret) > 0 || errors.Is(err, vm.ErrExecutionReverted) {
			return 0, revertError(ret)
		}
		return 0, &rpcError{code: -32000, msg: fmt.Sprintf("gas estimation failed: %v", err)}
	}
	return hexutil.Uint64(gas), nil
}

// accessListResult is eth_createAccessList's answer, in geth's shape: the
// list, the gas the call used with it, and why the call failed, if it did.
type accessListResult struct {
	AccessList *types.AccessList `json:"accessList"`
	Error      string            `json:"error,omitempty"`
	GasUsed    hexutil.Uint64    `json:"gasUsed"`
}

// CreateAccessList returns the EIP-2930 access list of a call: the
// accounts and slots it touches, but for its sender, its recipient (or the
// contract it creates), the precompiles and the authorities of its valid
// authorizations, as geth makes it. The call runs with go-ethereum's
// AccessListTracer until the list it touches is the list it was given.
func (api *EthAPI) CreateAccessList(ctx context.Context, args CallArgs, bnh *gethrpc.BlockNumberOrHash, so *StateOverride) (*accessListResult, error) {
	env, err := api.b.callEnv(orLatest(bnh), so, nil)
	if err != nil {
		return nil, err
	}
	from := args.from()
	to := args.To
	if to == nil {
		nonce := env.st.GetNonce(from)
		if args.Nonce != nil {
			nonce = uint64(*args.Nonce)
		}
		created := crypto.CreateAddress(from, nonce)
		to = &created
	}
	cfg := api.b.App.Executor().Config
	exclude := map[common.Address]struct{}{from: {}, *to: {}}
	for a := range api.b.App.Executor().BasePrecompiles(cfg.Rules(env.header.Number, true, env.header.Time), env.version) {
		exclude[a] = struct{}{}
	}
	for _, auth := range args.AuthorizationList {
		if (!auth.ChainID.IsZero() && auth.ChainID.CmpBig(cfg.ChainID) != 0) || auth.Nonce+1 < auth.Nonce {
			continue
		}
		if authority, err := auth.Authority(); err == nil {
			exclude[authority] = struct{}{}
		}
	}
	var given types.AccessList
	if args.AccessList != nil {
		given = *args.AccessList
	}
	prev := logger.NewAccessListTracer(given, exclude)
	base := env.st
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		list := prev.AccessList()
		args.AccessList = &list
		msg, err := args.message(api.b.chainID(), env.header, api.b.Limits.GasCap)
		if err != nil {
			return nil, err
		}
		tracer := logger.NewAccessListTracer(list, exclude)
		env.st = base.Copy()
		res, err := api.apply(ctx, env, msg, tracer.Hooks())
		if err != nil {
			return nil, err
		}
		if err := api.b.readErr(env.st, env.stateOf); err != nil {
			return nil, err
		}
		if tracer.Equal(prev) {
			out := &accessListResult{AccessList: &list, GasUsed: hexutil.Uint64(res.UsedGas)}
			if res.Err != nil {
				out.Error = res.Err.Error()
			}
			return out, nil
		}
		prev = tracer
	}
}
