// Package client is the consortium module's CLI: chuxin gov (propose,
// vote, show, list, members), chuxin roles, chuxin freeze and unfreeze,
// and chuxin audit. It reaches a node over JSON-RPC only, through the
// governance client (internal/govclient) on the shared client
// (internal/module/client).
//
// A proposal's flags become its actions in an order the Consortium can
// apply (listsFirst): nodes admitted and contracts listed first, members
// named for nodes after the members the proposal makes, revocations last.
// The rule version the chain runs (chuxin_consortium's ruleVersion)
// decides how a validator is added: from version 6 with its node.
package client
