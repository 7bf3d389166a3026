// Package consortium is the consortium's module: the commands by which
// members, admins and regulators govern the network and anyone audits it.
//
// It owns:
//   - client/: chuxin gov (propose, vote, show, list, members), chuxin
//     roles, chuxin freeze and unfreeze, and chuxin audit, on the shared
//     client (internal/module/client) and the governance client
//     (internal/govclient).
//
// Its node side is still in the core, where consensus needs it: the
// Consortium system contract and its parts (contracts/system, read by
// internal/system), the node's admission of peers, validator updates and
// settlement (internal/execution, internal/node), and chuxin_audit and
// chuxin_consortium (internal/rpc).
package consortium

import (
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/x/consortium/client"
)

// Module is the consortium.
type Module struct{}

var _ module.Commands = Module{}

// Name is "consortium".
func (Module) Name() string { return "consortium" }

// Commands are chuxin gov, roles, freeze, unfreeze and audit.
func (Module) Commands() []*cobra.Command { return client.Commands() }
