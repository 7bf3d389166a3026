package module

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/capsule"
)

// Module is an application of the chain. Name is its identity: lower-case
// letters and digits, unique in the list, the key of its genesis section
// (app_state.modules.NAME).
type Module interface {
	Name() string
}

// GenesisContext is what a module's genesis accounts may depend on.
type GenesisContext struct {
	Config  *params.ChainConfig
	Time    uint64 // the genesis block's time
	Version uint64 // the chuxin rule version at genesis
	// Beacon says the chain has a beacon, so the Capsules contract is at
	// system.CapsulesAddress.
	Beacon bool
	// Section is the module's own genesis section, app_state.modules.NAME
	// (nil: absent). The module decodes it strictly and names the field on
	// error.
	Section json.RawMessage
}

// Genesis is a module with accounts at genesis: its contracts, with the
// storage their constructors wrote.
type Genesis interface {
	Module
	GenesisAccounts(GenesisContext) (types.GenesisAlloc, error)
}

// Contracts is a module that owns system contracts, by name (such as
// "pledgeBook"). Their addresses are its alone.
type Contracts interface {
	Module
	Contracts() map[string]common.Address
}

// Beacon is the chain's beacon as a module's API sees it: its rounds and the
// network's time zone.
type Beacon struct {
	Info     capsule.ChainInfo
	TimeZone string // IANA
}

// Chain is what a module's APIs and mounts may read of the node.
type Chain interface {
	// Call runs a read-only call at the head, as eth_call does, and
	// returns what it returned (a revert is an error with its reason).
	Call(ctx context.Context, to common.Address, data []byte) ([]byte, error)
	// Beacon is the chain's beacon; false when the chain has none.
	Beacon() (Beacon, bool)
}

// API is one JSON-RPC service: its exported methods are served as
// NAMESPACE_method, with go-ethereum's rules (a context first, an error
// last).
type API struct {
	Namespace string
	Service   any
	// Compat marks old method names kept working in a namespace the module
	// does not own (such as chuxin_pledgeOpensAt); the server refuses one
	// whose method exists already.
	Compat bool
}

// APIs is a module with a JSON-RPC namespace.
type APIs interface {
	Module
	APIs(Chain) []API
}

// Mount is an HTTP handler served under a URL prefix ("/pledge": the path
// /pledge and everything under /pledge/) to GET requests from any origin.
type Mount struct {
	Prefix  string
	Handler http.Handler
}

// HTTP is a module with HTTP mounts (web pages, public data).
type HTTP interface {
	Module
	Mounts(Chain) []Mount
}

// Commands is a module with CLI commands, added to chuxin's root.
type Commands interface {
	Module
	Commands() []*cobra.Command
}
