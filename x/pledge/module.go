// Package pledge is the pledge book module: members' pledges (why they
// joined, what it means to them), each sealed as a time capsule until an
// anniversary of the day they joined, at midnight in the network's time
// zone.
//
// It owns:
//   - contracts/: PledgeBook.sol and its artifacts; the contract is placed
//     at types.Address at genesis in every chain with a beacon, on the
//     Capsules contract;
//   - types/: when a pledge opens, how a private pledge is sealed to its
//     member, and the wire types of its JSON-RPC methods;
//   - the JSON-RPC namespace pledge (pledge_info, pledge_opensAt), and
//     chuxin_pledgeOpensAt, the old name of pledge_opensAt;
//   - the page /pledge/ (web/, built into web/static/ by npm run build:web);
//   - client/: the CLI, chuxin pledge write|list|read.
//
// Its genesis section, app_state.modules.pledge, takes no fields yet: the
// time zone is the beacon's (beacon.timeZone).
package pledge

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/internal/system"
	"github.com/chuxin-chain/chuxin/x/pledge/client"
	"github.com/chuxin-chain/chuxin/x/pledge/contracts"
	pledge "github.com/chuxin-chain/chuxin/x/pledge/types"
)

// Sentinel errors.
var (
	// ErrGenesis: the module's genesis section is wrong.
	ErrGenesis = errors.New("pledge genesis")
	// ErrNoBeacon: the chain has no beacon, so no pledge book.
	ErrNoBeacon = errors.New("this chain has no beacon, so no pledge book: its genesis has no beacon committee")
)

// Module is the pledge book.
type Module struct{}

var (
	_ module.Genesis   = Module{}
	_ module.Contracts = Module{}
	_ module.APIs      = Module{}
	_ module.HTTP      = Module{}
	_ module.Commands  = Module{}
)

// Name is "pledge".
func (Module) Name() string { return "pledge" }

// Contracts is the pledge book's address.
func (Module) Contracts() map[string]common.Address {
	return map[string]common.Address{"pledgeBook": pledge.Address}
}

// genesisSection is app_state.modules.pledge: no fields yet.
type genesisSection struct{}

// GenesisAccounts places the pledge book, with the code of record, on the
// Capsules contract, in a chain with a beacon.
func (Module) GenesisAccounts(ctx module.GenesisContext) (types.GenesisAlloc, error) {
	var sec genesisSection
	if err := module.DecodeSection(ctx, "pledge", &sec); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrGenesis, err)
	}
	if ctx.Beacon == nil {
		if ctx.Section != nil {
			return nil, fmt.Errorf("%w: app_state.modules.pledge is set, but %w", ErrGenesis, ErrNoBeacon)
		}
		return nil, nil
	}
	art, err := contracts.PledgeBookOfRecord()
	if err != nil {
		return nil, err
	}
	code, err := art.DeployData(system.CapsulesAddress)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrGenesis, err)
	}
	acc, err := system.Deploy("PledgeBook", code, ctx.Config, ctx.Time)
	if err != nil {
		return nil, err
	}
	return types.GenesisAlloc{pledge.Address: acc}, nil
}

// APIs are the pledge namespace, and chuxin_pledgeOpensAt.
func (Module) APIs(chain module.Chain) []module.API {
	api := &API{chain: chain}
	return []module.API{
		{Namespace: "pledge", Service: api},
		{Namespace: "chuxin", Service: &compatAPI{api}, Compat: true},
	}
}

// Mounts are the pledge book's page, /pledge/.
func (Module) Mounts(module.Chain) []module.Mount {
	return []module.Mount{{Prefix: "/pledge", Handler: pages()}}
}

// Commands are chuxin pledge.
func (Module) Commands() []*cobra.Command { return []*cobra.Command{client.Command()} }
