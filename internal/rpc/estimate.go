package rpc

import (
	"context"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
)

// errEstimateCancelled is what estimate returns when its time bound ends it.
var errEstimateCancelled = errors.New("estimate cancelled")

// stateReadError is what estimate returns when a run read state the node
// does not have (pruned, or lost): the reason, as eth_call gives it.
type stateReadError struct{ error }

func (e stateReadError) Unwrap() error { return e.error }

// estimate finds the least gas limit with which msg succeeds in env, as
// go-ethereum's eth/gasestimator does (the same bounds, the same optimistic
// first guess and the same 1.5 % tolerance), but in the EVM of a chuxin
// call: with the chain's precompiles and the frozen accounts' stand-ins,
// which go-ethereum's estimator, building an EVM of its own, would leave
// out. It returns the revert data when msg fails at every limit.
func (b *Backend) estimate(ctx context.Context, env *callEnv, msg *core.Message, gasCap uint64) (uint64, []byte, error) {
	hi := env.header.GasLimit
	if msg.GasLimit >= params.TxGas {
		hi = msg.GasLimit
	}
	cfg := b.App.Executor().Config
	if cfg.IsOsaka(env.header.Number, env.header.Time) && !cfg.IsAmsterdam(env.header.Number, env.header.Time) {
		hi = min(hi, params.MaxTxGas)
	}
	feeCap := msg.GasFeeCap
	if feeCap == nil {
		feeCap = msg.GasPrice
	}
	if feeCap != nil && feeCap.BitLen() != 0 {
		available := env.st.GetBalance(msg.From).Clone()
		if msg.Value != nil {
			if msg.Value.Cmp(available) >= 0 {
				return 0, nil, core.ErrInsufficientFundsForTransfer
			}
			available.Sub(available, msg.Value)
		}
		if allowance := new(uint256.Int).Div(available, feeCap); allowance.IsUint64() {
			hi = min(hi, allowance.Uint64())
		}
	}
	if gasCap != 0 {
		hi = min(hi, gasCap)
	}
	// A plain transfer to an account without code: one run at 21,000.
	if len(msg.Data) == 0 && msg.To != nil && env.st.GetCodeSize(*msg.To) == 0 {
		if failed, res, err := b.tryGas(ctx, env, msg, params.TxGas); !failed && err == nil {
			return res.UsedGas, nil, nil
		}
	}
	failed, res, err := b.tryGas(ctx, env, msg, hi)
	if err != nil {
		return 0, nil, err
	}
	if failed {
		if res != nil && !errors.Is(res.Err, vm.ErrOutOfGas) {
			return 0, res.Revert(), res.Err
		}
		return 0, nil, fmt.Errorf("gas required exceeds allowance (%d)", hi)
	}
	lo := res.UsedGas - 1
	// narrow runs msg with gas and moves the bound it settles.
	narrow := func(gas uint64) error {
		failed, _, err := b.tryGas(ctx, env, msg, gas)
		switch {
		case err != nil:
		case failed:
			lo = gas
		default:
			hi = gas
		}
		return err
	}
	if optimistic := (res.MaxUsedGas + params.CallStipend) * 64 / 63; optimistic < hi {
		if err := narrow(optimistic); err != nil {
			return 0, nil, err
		}
	}
	// Good within 1.5 % (upwards): wallets add more than that anyway.
	for lo+1 < hi && (hi-lo)*1000 >= hi*15 {
		mid := lo + (hi-lo)/2
		if mid > lo*2 {
			mid = lo * 2 // most transactions need little more than they use
		}
		if err := narrow(mid); err != nil {
			return 0, nil, err
		}
	}
	return hi, nil, nil
}

// tryGas runs msg with gas limit gas on a copy of env's state and says
// whether it failed for a reason more gas might cure; an error is a failure
// that no gas limit cures.
func (b *Backend) tryGas(ctx context.Context, env *callEnv, msg *core.Message, gas uint64) (bool, *core.ExecutionResult, error) {
	run := *env
	run.st = env.st.Copy()
	m := *msg
	m.GasLimit = gas
	evm := b.evm(&run, nil)
	defer evm.Release()
	res, cancelled, err := applyCancellable(ctx, evm, &m, core.NewGasPool(max(gas, env.header.GasLimit)))
	if serr := b.readErr(run.st, env.stateOf); serr != nil {
		return true, nil, stateReadError{serr} // it ran on zeros where the state was missing
	}
	switch {
	case cancelled:
		return true, nil, errEstimateCancelled
	case errors.Is(err, core.ErrIntrinsicGas), errors.Is(err, core.ErrGasLimitTooHigh):
		return true, nil, nil
	case err != nil:
		return true, nil, err
	}
	return res.Failed(), res, nil
}
