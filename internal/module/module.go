package module

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// Module is an application of the chain. Name is its identity: lower-case
// letters and digits, unique in the list, the key of its genesis section
// (app_state.modules.NAME).
type Module interface {
	Name() string
}

// GenesisContext is what a module's contracts may depend on when they are
// made: at genesis, or on the block where the rule version that activates
// the module takes effect.
type GenesisContext = genesis.ModuleContext

// Genesis is a module with accounts: its contracts, with the storage their
// constructors wrote. They are made at genesis, or, for a module activated
// later (Activation), on the first block of the rule version that
// activates it, alike on every node.
type Genesis interface {
	Module
	GenesisAccounts(GenesisContext) (types.GenesisAlloc, error)
}

// Activation is a module that is active from a chuxin rule version on:
// chains that start at that version or later have it from genesis, older
// ones gain it when governance schedules the version (its contracts are
// made on the version's first block; its hooks run from that block).
// A module without Activation is active from version 1.
type Activation interface {
	Module
	ActiveFrom() uint64
}

// Hooks is a module with system-call hooks, run by the executor around
// every block's transactions while the module is active, after the core's
// own, in the order of the list. A hook must be total (see
// execution.Hook): what it cannot do it records with System.Fail.
type Hooks interface {
	Module
	Hooks() []execution.Hook
}

// Code is a module whose contracts' code changes with rule versions, their
// storage kept: where a version takes effect on a running chain, each
// address that Code names for that version (ctx.Version) gets that code
// (an address whose code is that already is left alone). A chain that
// starts at a version has its GenesisAccounts, which must agree.
type Code interface {
	Module
	Code(ctx GenesisContext) (map[common.Address][]byte, error)
}

// Precompiles is a module with precompiled contracts, each in blocks from
// its rule version on (and not before the module is active). Their
// addresses are the module's alone, as its contracts' are. A precompile's
// answers are consensus: a change to one is a new rule version.
type Precompiles interface {
	Module
	Precompiles() []execution.Precompile
}

// Admission is a module with a part in the admission rule, applied while
// the module is active (execution.AdmissionRule): the mempool refuses, and
// block execution skips, a transaction it refuses, with its reason. It is
// consensus: a change to it is a new rule version.
type Admission interface {
	Module
	AdmissionRule() execution.AdmissionRule
}

// AuditEntry is what a module tells, for people, of one log of its
// contracts in the audit trail (chuxin_audit).
type AuditEntry struct {
	Kind   string // one of its AuditKinds
	Event  string
	Text   string
	Fields map[string]any
}

// Audit is a module whose contracts' logs belong in the consortium's audit
// trail (chuxin_audit): what transactions and system calls did there,
// with who did it and in which block, as the consortium's own entries.
type Audit interface {
	Module
	// AuditAddresses are the contracts whose logs it tells.
	AuditAddresses() []common.Address
	// AuditKinds are the kinds its entries have, which chuxin_audit's
	// kind filter takes; no two modules, nor a module and the consortium,
	// share one.
	AuditKinds() []string
	// AuditLog tells one log of those contracts; false leaves it out.
	AuditLog(l *types.Log) (AuditEntry, bool)
}

// Contracts is a module that owns system contracts, by name (such as
// "pledgeBook"). Their addresses are its alone.
type Contracts interface {
	Module
	Contracts() map[string]common.Address
}

// Beacon is the chain's beacon as a module's API and mounts read it.
type Beacon interface {
	// Info is the beacon's public description: its master key and rounds.
	Info() *capsule.ChainInfo
	// ChainHash is its drand chain hash, hex.
	ChainHash() string
	// TimeZone is the network's (IANA).
	TimeZone() string
	// Latest is the last released round (0: none yet).
	Latest() (uint64, error)
	// Key is a released round's key, checked when it was stored; nil while
	// the round is sealed.
	Key(round uint64) (*capsule.Signature, error)
	// Threshold is how many of its n share holders release a round.
	Threshold() (t, n int)
}

// Chain is what a module's APIs and mounts may read of the node: its
// committed blocks, their logs and system logs, the state at the head, and
// what this node alone has seen of the network. All of it is read-only.
type Chain interface {
	// Call runs a read-only call at the head, as eth_call does, and
	// returns what it returned (a revert is an error with its reason).
	Call(ctx context.Context, to common.Address, data []byte) ([]byte, error)
	// Beacon is the chain's beacon; false when the chain has none.
	Beacon() (Beacon, bool)
	// Contract is a module contract's address, by the name its module
	// gives it (Contracts); false when no module of the chain has it.
	Contract(name string) (common.Address, bool)

	// Head is the last committed block's header.
	Head() (*types.Header, error)
	// Header is a committed block's header.
	Header(number uint64) (*types.Header, error)
	// MaxLogRange is how many blocks one log query may scan
	// (rpc.max_log_block_range): a module's own queries keep to it.
	MaxLogRange() uint64
	// EachLogs visits, in block order, each block of from..to with logs
	// that one of addresses emitted in a transaction, with those logs
	// (their block, transaction and index filled, as eth_getLogs gives
	// them). It stops at fn's first error, or when ctx ends.
	EachLogs(ctx context.Context, from, to uint64, addresses []common.Address, fn func(*types.Header, []*types.Log) error) error
	// Sender is a committed transaction's sender.
	Sender(tx common.Hash) (common.Address, error)
	// SystemLogsFrom is the first block whose system logs the node keeps
	// (blocks before it were made by a binary that kept none).
	SystemLogsFrom() (uint64, error)
	// EachSystemLogs visits, in block order, each block of from..to whose
	// system calls emitted logs from one of addresses, with all its system
	// logs (blocks before SystemLogsFrom have none to visit). It stops as
	// EachLogs does. Neither bounds the range: a module's query keeps to
	// MaxLogRange itself, as chuxin_audit does.
	EachSystemLogs(ctx context.Context, from, to uint64, addresses []common.Address, fn func(*types.Header, execution.SystemLogs) error) error
	// ReadHead reads the state after the last committed block: read gets
	// the block's header and its state. A read of the state that failed
	// (it answered zero) becomes ReadHead's error, so that it never
	// reaches a client.
	ReadHead(read func(*types.Header, system.State)) error
	// Rules are the chain's rule versions as a state sees them: the
	// version of block number, and the versions scheduled after it (by
	// the genesis or by governance), by height.
	Rules(st system.State, number uint64) (version uint64, later []Upgrade)
	// Node is what this node alone knows of the network, which no state
	// holds.
	Node() Node
	// Modules are the chain's modules, in their order (the audit trail
	// asks those that implement Audit).
	Modules() []Module
}

// Upgrade is a rule version scheduled from a height.
type Upgrade struct {
	Version uint64
	Height  uint64
}

// ValidatorActivity is what a validator did over the node's last blocks.
type ValidatorActivity struct {
	Proposed, Signed, Missed uint64
}

// Node is what a node alone knows of the network: its own identity and
// what it has seen. A nil function is not known (a node without consensus,
// as in tests).
type Node struct {
	// ID is this node's p2p ID.
	ID string
	// ValidatorNames name validators (by CometBFT address, upper-case hex)
	// for people: the genesis's names.
	ValidatorNames map[string]string
	// ValidatorActivity counts, over the last window blocks, what each
	// validator (by CometBFT address, upper-case hex) proposed, signed and
	// missed.
	ValidatorActivity func(window int) map[string]ValidatorActivity
	// BlockTimes are the times of the first and the last of the last
	// window blocks, and how many blocks that is.
	BlockTimes func(window int) (first, last time.Time, blocks int)
	// PeersSeen tells when this node last saw each peer (by node ID)
	// connected, and which are connected now.
	PeersSeen func() (seen map[string]time.Time, connected map[string]bool)
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

// DecodeSection decodes a module's genesis section into v strictly: a
// field v does not have is refused, named, as the rest of the genesis is
// decoded. An absent section leaves v as it is.
func DecodeSection(ctx GenesisContext, name string, v any) error {
	if ctx.Section == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(ctx.Section))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: app_state.modules.%s: %v", ErrInvalid, name, err)
	}
	return nil
}

// Error is an error a module's JSON-RPC method answers with a code of its
// own (go-ethereum's server reads ErrorCode).
type Error struct {
	Code    int
	Message string
}

func (e *Error) Error() string  { return e.Message }
func (e *Error) ErrorCode() int { return e.Code }

// InvalidParams is the error of a malformed parameter: code -32602, as the
// core answers one.
func InvalidParams(format string, args ...any) error {
	return &Error{Code: -32602, Message: "invalid params: " + fmt.Sprintf(format, args...)}
}

// LimitExceeded is the error of a request beyond the node's bounds: code
// -32005, as the core answers one.
func LimitExceeded(format string, args ...any) error {
	return &Error{Code: -32005, Message: fmt.Sprintf(format, args...)}
}
