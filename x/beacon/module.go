// Package beacon is the beacon module: time capsules sealed with drand's
// timelock encryption to the rounds of the validators' threshold beacon,
// and the beacon served as a drand network.
//
// It owns:
//
//   - the JSON-RPC methods chuxin_capsuleInfo, chuxin_getCapsule,
//     chuxin_openCapsule and chuxin_getEpochKey (under their names in the
//     chuxin namespace, which they had before modules);
//
//   - drand's HTTP API under /drand (/info, /public/latest,
//     /public/{round}, /chains, /health, also under /{chainhash}/), which
//     drand-client and tlock-js take as a drand network;
//
//   - client/: chuxin capsule seal|show|open, and the helpers other
//     modules' commands use to seal to the beacon (the pledge book's);
//
//   - types/: the wire types of its methods.
//
//   - its part in consensus (ConsensusPart, over release/): each validator's
//     partial epoch keys in its vote extensions, the combined keys as a
//     system payload in the next block, checked and indexed by every node,
//     and the nudges that wake an idle chain when a round comes.
//
// The Capsules system contract (internal/system) and the cryptography
// (internal/capsule) stay in the core, where the genesis and the pledge
// book need them. The modules read the beacon through module.Chain.
package beacon

import (
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/x/beacon/client"
)

// Module is the beacon.
type Module struct{}

var (
	_ module.Consensus = Module{}
	_ module.APIs      = Module{}
	_ module.HTTP      = Module{}
	_ module.Commands  = Module{}
)

// Name is "beacon".
func (Module) Name() string { return "beacon" }

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
