// Package beacon is the beacon module: time capsules sealed with drand's
// timelock encryption to the rounds of the validators' threshold beacon.
//
// It owns, so far, its CLI (client/: chuxin capsule seal|show|open, and the
// helpers other modules' commands use to seal to the beacon) and its wire
// types (types/). Its node side is still in the core: the beacon service
// (internal/beacon), the Capsules system contract (internal/system), its
// JSON-RPC methods (chuxin_capsuleInfo, chuxin_getCapsule, …) and /drand
// (internal/rpc); they move here next.
package beacon

import (
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/x/beacon/client"
)

// Module is the beacon.
type Module struct{}

var _ module.Commands = Module{}

// Name is "beacon".
func (Module) Name() string { return "beacon" }

// Commands are chuxin capsule.
func (Module) Commands() []*cobra.Command { return []*cobra.Command{client.Command()} }
