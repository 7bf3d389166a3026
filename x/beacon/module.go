// Package beacon is the beacon module: time capsules sealed with drand's
// timelock encryption to the rounds of the validators' threshold beacon,
// and the beacon served as a drand network.
//
// It owns:
//   - the Capsules contract at system.CapsulesAddress in every chain whose
//     genesis has a beacon committee: its genesis account, and its code by
//     rule version (version 2's seals a ciphertext only to the round and
//     chain hash its header names);
//   - the timelock-header precompile (system.TimelockHeaderAddress), from
//     rule version 2, which the Capsules contract calls;
//   - its part in consensus (ConsensusPart, over release/): each
//     validator's partial epoch keys in its vote extensions, the combined
//     keys as a system payload in the next block, checked and indexed by
//     every node, and the nudges that wake an idle chain when a round
//     comes;
//   - the JSON-RPC methods chuxin_capsuleInfo, chuxin_getCapsule,
//     chuxin_openCapsule and chuxin_getEpochKey (under their names in the
//     chuxin namespace, which they had before modules);
//   - drand's HTTP API under /drand (/info, /public/latest,
//     /public/{round}, /chains, /health, also under /{chainhash}/), which
//     drand-client and tlock-js take as a drand network;
//   - client/: chuxin capsule seal|show|open, and the helpers other
//     modules' commands use to seal to the beacon (the pledge book's);
//   - types/: the wire types of its methods.
//
// The Capsules contract's source and artifacts (contracts/system, the
// artifact of record of version 1 among them), its ABI helpers
// (internal/system), the beacon's genesis section and the cryptography
// (internal/capsule) stay in the core, where the genesis ceremony and the
// pledge book need them. The modules read the beacon through module.Chain.
package beacon

import (
	"encoding/hex"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/internal/system"
	"github.com/chuxin-chain/chuxin/x/beacon/client"
)

// Module is the beacon.
type Module struct{}

var (
	_ module.Genesis     = Module{}
	_ module.Code        = Module{}
	_ module.Contracts   = Module{}
	_ module.Precompiles = Module{}
	_ module.Consensus   = Module{}
	_ module.APIs        = Module{}
	_ module.HTTP        = Module{}
	_ module.Commands    = Module{}
)

// Name is "beacon".
func (Module) Name() string { return "beacon" }

// Contracts is the Capsules contract's address.
func (Module) Contracts() map[string]common.Address {
	return map[string]common.Address{"capsules": system.CapsulesAddress}
}

// GenesisAccounts places the Capsules contract, for the genesis's beacon,
// in a chain that has one.
func (Module) GenesisAccounts(ctx module.GenesisContext) (types.GenesisAlloc, error) {
	if ctx.Beacon == nil {
		return nil, nil
	}
	acc, err := capsulesAccount(ctx)
	if err != nil {
		return nil, err
	}
	return types.GenesisAlloc{system.CapsulesAddress: acc}, nil
}

// Code is the Capsules contract's code under the rule version: from
// version 2 it seals a ciphertext only to the round and chain hash its
// header names (the timelock-header precompile); version 1 chains keep
// the code they were made with until then.
func (Module) Code(ctx module.GenesisContext) (map[common.Address][]byte, error) {
	if ctx.Beacon == nil {
		return nil, nil
	}
	acc, err := capsulesAccount(ctx)
	if err != nil {
		return nil, err
	}
	return map[common.Address][]byte{system.CapsulesAddress: acc.Code}, nil
}

// capsulesAccount is the Capsules contract's account for the genesis's
// beacon under the rule version ctx.Version: its constructor run with the
// beacon's round times and drand chain hash.
func capsulesAccount(ctx module.GenesisContext) (types.Account, error) {
	b := ctx.Beacon
	info, err := b.Info(ctx.ChainID)
	if err != nil {
		return types.Account{}, fmt.Errorf("%w: %w", genesis.ErrInvalid, err)
	}
	var hash [32]byte
	h, err := hex.DecodeString(info.Hash())
	if err != nil || len(h) != 32 {
		return types.Account{}, fmt.Errorf("%w: the beacon's chain hash %q", genesis.ErrInvalid, info.Hash())
	}
	copy(hash[:], h)
	return system.CapsulesAccount(b.GenesisTime, b.Period, hash, ctx.Config, ctx.Time, ctx.Version)
}

// Precompiles is the timelock-header reader (system.TimelockHeaderAddress),
// from rule version 2, which the Capsules contract calls to read what a
// ciphertext says of itself.
func (Module) Precompiles() []execution.Precompile {
	return []execution.Precompile{{Address: system.TimelockHeaderAddress, Contract: timelockHeader{}, From: genesis.VersionGuards}}
}

// APIs are the capsule and epoch-key methods, under their old names.
func (Module) APIs(chain module.Chain) []module.API {
	return []module.API{{Namespace: "chuxin", Service: &API{chain: chain}, Compat: true}}
}

// Mounts are drand's HTTP API, /drand.
func (Module) Mounts(chain module.Chain) []module.Mount {
	return []module.Mount{{Prefix: "/drand", Handler: drand{chain: chain}}}
}

// Commands are chuxin capsule.
func (Module) Commands() []*cobra.Command { return []*cobra.Command{client.Command()} }
