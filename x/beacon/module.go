// Package beacon is the beacon module: time capsules sealed with drand's
// timelock encryption to the rounds of the validators' threshold beacon,
// and the beacon served as a drand network.
//
// It owns:
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
// Its node side is still in the core, where consensus needs it: the beacon
// service (internal/beacon: partial keys in vote extensions, epoch keys in
// blocks), the Capsules system contract (internal/system) and the
// cryptography (internal/capsule). The modules read the beacon through
// module.Chain.
package beacon

import (
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/x/beacon/client"
)

// Module is the beacon.
type Module struct{}

var (
	_ module.APIs     = Module{}
	_ module.HTTP     = Module{}
	_ module.Commands = Module{}
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
