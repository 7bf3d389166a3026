package rpc

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/eth/gasestimator"
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
		To:                    a.To,
		GasLimit:              gas,
		GasPrice:              new(uint256.Int),
		GasFeeCap:             new(uint256.Int),
		GasTipCap:             new(uint256.Int),
		Value:                 new(uint256.Int),
		Data:                  data,
		SetCodeAuthorizations: a.AuthorizationList,
	}
	if a.From != nil {
		msg.From = *a.From
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

// Call executes a message against the state of a block without creating a
// transaction and returns its output; a revert is an error with code 3.
func (api *EthAPI) Call(ctx context.Context, args CallArgs, bnh *gethrpc.BlockNumberOrHash, overrides *map[common.Address]any) (hexutil.Bytes, error) {
	if overrides != nil && len(*overrides) > 0 {
		return nil, invalidParams("state overrides are %v", ErrNotSupported)
	}
	st, header, err := api.b.stateAt(orLatest(bnh))
	if err != nil {
		return nil, err
	}
	msg, err := args.message(api.b.chainID(), header, api.b.Limits.GasCap)
	if err != nil {
		return nil, err
	}
	res, err := api.apply(ctx, st, header, msg)
	if err != nil {
		return nil, err
	}
	if err := api.b.readErr(st, header); err != nil {
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

// apply runs msg on st within the node's time bound.
func (api *EthAPI) apply(ctx context.Context, st *state.StateDB, header *types.Header, msg *core.Message) (*core.ExecutionResult, error) {
	timeout := time.Duration(api.b.Limits.EVMTimeout)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	blockCtx := core.NewEVMBlockContext(header, api.b.Store.Chain(), nil)
	evm := vm.NewEVM(blockCtx, st, api.b.App.Executor().Config, vm.Config{NoBaseFee: true})
	execution.GuardFrozen(evm, st) // calls into frozen accounts revert, as in a block
	go func() {
		<-ctx.Done()
		evm.Cancel()
	}()
	gp := core.NewGasPool(max(msg.GasLimit, header.GasLimit))
	res, err := core.ApplyMessage(evm, msg, gp)
	if evm.Cancelled() {
		return nil, limitExceeded("execution aborted after %v (rpc.evm_timeout)", timeout)
	}
	if err != nil {
		return nil, &rpcError{code: -32000, msg: err.Error()}
	}
	return res, nil
}

// EstimateGas returns the least gas with which the message succeeds.
func (api *EthAPI) EstimateGas(ctx context.Context, args CallArgs, bnh *gethrpc.BlockNumberOrHash, overrides *map[common.Address]any) (hexutil.Uint64, error) {
	if overrides != nil && len(*overrides) > 0 {
		return 0, invalidParams("state overrides are %v", ErrNotSupported)
	}
	st, header, err := api.b.stateAt(orLatest(bnh))
	if err != nil {
		return 0, err
	}
	gasCap := min(api.b.Limits.GasCap, header.GasLimit)
	msg, err := args.message(api.b.chainID(), header, gasCap)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(api.b.Limits.EVMTimeout))
	defer cancel()
	opts := &gasestimator.Options{
		Config:     api.b.App.Executor().Config,
		Chain:      api.b.Store.Chain(),
		Header:     header,
		State:      st,
		ErrorRatio: 0.015,
	}
	gas, ret, err := gasestimator.Estimate(ctx, msg, opts, gasCap)
	if rerr := api.b.readErr(st, header); rerr != nil {
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
