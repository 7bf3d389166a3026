package scheduler

import (
	"math/big"

	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/x/scheduler/contracts"
	sched "github.com/chuxin-chain/chuxin/x/scheduler/types"
)

// nextDueSlot is the Scheduler contract's nextDue (slot 0): the time of
// its earliest pending call, 0 when none is pending.
var nextDueSlot = common.Hash{}

// hook fires the calls due after each block's transactions.
type hook struct{}

// PreBlock does nothing.
func (hook) PreBlock(*execution.System, *execution.BlockInput) error { return nil }

// PostBlock fires the calls due at the block's time, if any: one slot read
// when none is. The Scheduler contract's fire never reverts by design; if
// it still fails, the failure is recorded and the block goes on.
func (hook) PostBlock(sys *execution.System, _ *execution.BlockInput, _ *execution.Updates) error {
	due := sys.State().GetState(sched.Address, nextDueSlot).Big()
	if due.Sign() == 0 || due.Cmp(new(big.Int).SetUint64(sys.Time())) > 0 {
		return nil
	}
	art, err := contracts.Scheduler()
	if err != nil {
		return err // the binary's own artifact: a broken build
	}
	data, err := art.ABI.Pack("fire", big.NewInt(sched.MaxFires), big.NewInt(sched.MaxBlockGas))
	if err != nil {
		return err
	}
	if _, err := sys.Call(sched.Address, data); err != nil {
		sys.Fail(err)
	}
	return nil
}
