// Package scheduler is the scheduler module: the chain's clock. Contracts
// that the consortium allows schedule calls at a block time, and the first
// block whose time is at or after a call's runs it, from a system call
// after the block's transactions, in (time, sequence) order: no keeper has
// to be paid to call, as Cosmos's EndBlockers and Agoric's timer service
// do the work in-protocol where Ethereum Alarm Clock and Chainlink
// Automation rely on outside callers.
//
// It owns:
//   - contracts/: Scheduler.sol at types.Address, made at genesis on
//     chains that start at rule version 3 or later, and on the first block
//     of version 3 on older chains;
//   - the post-block hook that fires what is due: at most types.MaxFires
//     calls and types.MaxBlockGas of their gas a block, the rest in the
//     next blocks; a call that reverts or runs out of gas is recorded as
//     failed, with its reason, and the block goes on. A block with nothing
//     due reads one slot, so an idle chain stays idle;
//   - the JSON-RPC method chuxin_scheduled (by target, time range, status);
//   - its entries in the consortium's audit trail (kind "schedule"): who
//     may schedule, what was scheduled and cancelled, and every firing;
//   - client/: chuxin schedule list|show|allow;
//   - types/: its constants, wire types and the reads its API and CLI
//     share.
//
// Its genesis section, app_state.modules.scheduler, names the accounts
// allowed to schedule from the start: {"allowed": ["0x…"]}. Later, an
// account with the consortium's admin role allows or disallows one
// (Scheduler.allow).
package scheduler

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/internal/system"
	"github.com/chuxin-chain/chuxin/x/scheduler/client"
	"github.com/chuxin-chain/chuxin/x/scheduler/contracts"
	sched "github.com/chuxin-chain/chuxin/x/scheduler/types"
)

// ErrGenesis: the module's genesis section is wrong.
var ErrGenesis = errors.New("scheduler genesis")

// Module is the scheduler.
type Module struct{}

var (
	_ module.Genesis    = Module{}
	_ module.Activation = Module{}
	_ module.Contracts  = Module{}
	_ module.Hooks      = Module{}
	_ module.APIs       = Module{}
	_ module.Commands   = Module{}
	_ module.Audit      = Module{}
)

// Name is "scheduler".
func (Module) Name() string { return "scheduler" }

// ActiveFrom is rule version 3.
func (Module) ActiveFrom() uint64 { return sched.ActiveFrom }

// Contracts is the Scheduler contract's address.
func (Module) Contracts() map[string]common.Address {
	return map[string]common.Address{"scheduler": sched.Address}
}

// genesisSection is app_state.modules.scheduler.
type genesisSection struct {
	// Allowed may schedule calls from the start.
	Allowed []common.Address `json:"allowed"`
}

// GenesisAccounts makes the Scheduler contract, with the accounts the
// section allows.
func (Module) GenesisAccounts(ctx module.GenesisContext) (types.GenesisAlloc, error) {
	var sec genesisSection
	if err := module.DecodeSection(ctx, "scheduler", &sec); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrGenesis, err)
	}
	art, err := contracts.Scheduler()
	if err != nil {
		return nil, err
	}
	allowed := sec.Allowed
	if allowed == nil {
		allowed = []common.Address{}
	}
	code, err := art.DeployData(allowed)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrGenesis, err)
	}
	acc, err := system.Deploy("Scheduler", code, ctx.Config, ctx.Time)
	if err != nil {
		return nil, err
	}
	return types.GenesisAlloc{sched.Address: acc}, nil
}

// Hooks is the post-block firing.
func (Module) Hooks() []execution.Hook { return []execution.Hook{hook{}} }

// APIs is chuxin_scheduled.
func (Module) APIs(chain module.Chain) []module.API {
	return []module.API{{Namespace: "chuxin", Service: &API{chain: chain}, Compat: true}}
}

// Commands are chuxin schedule.
func (Module) Commands() []*cobra.Command { return []*cobra.Command{client.Command()} }
