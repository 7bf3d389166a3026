// Package consortium is the consortium's module: the commands by which
// members, admins and regulators govern the network and anyone audits it.
//
// It owns:
//
//   - client/: chuxin gov (propose, vote, show, list, members), chuxin
//     roles, chuxin freeze and unfreeze, and chuxin audit, on the shared
//     client (internal/module/client) and the governance client
//     (internal/govclient).
//
//   - chuxin_audit (the audit trail: what governance, roles, freezes,
//     admission and evidence changed, by whom, in which block) and
//     chuxin_consortium (the consortium as it stands, with what this node
//     has seen of its validators and nodes), in the chuxin namespace where
//     they were before modules; their wire types are in types/.
//
// Its consensus side is still in the core, where consensus needs it: the
// Consortium system contract and its parts (contracts/system, read by
// internal/system), the node's admission of peers, validator updates and
// settlement (internal/execution, internal/node).
package consortium

import (
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/internal/system"
	"github.com/chuxin-chain/chuxin/x/consortium/client"
)

// Module is the consortium.
type Module struct{}

var (
	_ module.Commands = Module{}
	_ module.APIs     = Module{}
	_ module.Audit    = Module{}
)

// Name is "consortium".
func (Module) Name() string { return "consortium" }

// APIs are chuxin_audit and chuxin_consortium, under their old names.
func (Module) APIs(chain module.Chain) []module.API {
	return []module.API{{Namespace: module.CompatNamespace, Service: NewAPI(chain), Compat: true}}
}

// AuditAddresses is the Consortium contract: its parts emit at its
// address.
func (Module) AuditAddresses() []common.Address {
	return []common.Address{system.ConsortiumAddress}
}

// AuditKinds are the kinds of the consortium's entries.
func (Module) AuditKinds() []string { return slices.Clone(consortiumKinds) }

// AuditLog tells one of the Consortium contract's events. The trail tells
// them itself (chuxin_audit, with settlements' votes and evidence's
// removals), and asks the other modules.
func (Module) AuditLog(l *types.Log) (module.AuditEntry, bool) {
	ev, ok := system.DecodeEvent(l)
	if !ok {
		return module.AuditEntry{}, false
	}
	return module.AuditEntry{Kind: system.EventKind(ev.Name), Event: ev.Name, Text: ev.Text, Fields: ev.Fields}, true
}

// Commands are chuxin gov, roles, freeze, unfreeze and audit.
func (Module) Commands() []*cobra.Command { return client.Commands() }
