package execution

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/params"

	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// AdmitPermissions is the part of the admission rule that the consortium
// and the modules set, for a transaction in block number: the sender's
// role (deployer or transactor, on a permissioned chain), no frozen
// sender, recipient or authority, and the modules' rules (Admission).
// eth_simulateV1 applies it to calls under validation.
func (e *Executor) AdmitPermissions(st Accounts, tx *types.Transaction, from common.Address, number uint64) error {
	version := e.VersionAt(st, number)
	if err := admitPermissions(st, tx, from, version >= genesis.VersionGuards, nil); err != nil {
		return err
	}
	return e.admitModules(st, tx, from, version)
}

// admitPermissions decides it with the permissions in force in st: a
// frozen account sends nothing and is sent nothing; in a permissioned
// network, creating a contract needs the deployer role and any other
// transaction the transactor role. A transaction to the Consortium contract
// needs a role or a governor's seat rather than the transactor role (the
// contract checks its caller), so governors and admins without the role
// can act. The common cases read one or two words that every transaction
// of a block shares (nothing frozen, an open network), so they cost next to
// nothing.
//
// It reads whether an account is frozen from frozen, where
// the caller keeps the frozen set in memory (block execution's guard), or
// else from st. Before rule version 2 (guarded false), any transaction may
// call the Consortium contract and a delegation may name a frozen contract,
// as blocks of that version were made.
func admitPermissions(st Accounts, tx *types.Transaction, from common.Address, guarded bool, frozen func(common.Address) bool) error {
	to := tx.To()
	if system.FrozenCount(st) > 0 {
		if frozen == nil {
			frozen = func(a common.Address) bool { return system.PermissionsOf(st, a).Frozen }
		}
		if frozen(from) {
			return frozenError(st, from)
		}
		if to != nil && *to != from && frozen(*to) {
			return frozenError(st, *to)
		}
		// Nor may another's transaction set a frozen account's code
		// (EIP-7702): its authorization is refused with the transaction.
		// Nor may anyone delegate to a frozen contract's code.
		for _, auth := range tx.SetCodeAuthorizations() {
			if authority, err := auth.Authority(); err == nil && frozen(authority) {
				return frozenError(st, authority)
			}
			if guarded && frozen(auth.Address) {
				return fmt.Errorf("a delegation to %s: %w", auth.Address, frozenError(st, auth.Address))
			}
		}
	}
	if !system.Permissioned(st) {
		return nil
	}
	p := system.PermissionsOf(st, from)
	if to != nil && *to == system.ConsortiumAddress {
		if !guarded {
			return nil
		}
		// The contract checks its caller; the chain only keeps out those
		// who could not be its caller, so that nobody without a place in
		// the consortium fills blocks with calls that fail.
		if p.Roles == 0 && !system.IsGovernor(st, from) {
			return fmt.Errorf("%w: account %s has no role and governs no member, so it may not call the Consortium contract on a permissioned network", ErrPermission, from)
		}
		return nil
	}
	if to == nil {
		if p.Roles&system.RoleDeployer == 0 {
			return fmt.Errorf("%w: account %s lacks role deployer", ErrPermission, from)
		}
		return nil
	}
	if p.Roles&system.RoleTransactor == 0 {
		return fmt.Errorf("%w: account %s lacks role transactor", ErrPermission, from)
	}
	return nil
}

func frozenError(st Accounts, account common.Address) error {
	f := system.FreezeOf(st, account)
	return fmt.Errorf("%w: account %s is frozen since block %d by %s", ErrFrozen, account, f.Since, f.By)
}

// frozenGuard makes calls into frozen accounts revert: each frozen account
// becomes, for the EVM, a precompile that reverts with the reason, so a
// call or a value transfer to it from any contract fails and changes
// nothing. (geth's EVM has no other call veto; SELFDESTRUCT still credits a
// frozen beneficiary.) It is refreshed before each transaction, so a freeze
// applies from the next transaction on.
//
// What a refresh costs does not grow with the frozen accounts: it reads the
// contract's frozenVersion (one word), and when that moved, applies the
// previous transaction's Frozen and Unfrozen events to its map (one entry
// each), or else takes the map the executor kept from the last block at
// that version (frozenSnapshot). Only a change it cannot explain (a
// freeze by a system call, the first block) reads the whole list.
type frozenGuard struct {
	base    vm.PrecompiledContracts // the block's (Executor.BasePrecompiles); never changed
	baseSet string                  // precompileSet(base), with shared
	shared  *atomic.Pointer[frozenSnapshot]
	pcs     vm.PrecompiledContracts // what the EVM has
	owned   bool                    // pcs is this guard's to change
	version uint64                  // of pcs (0: not built yet)
	frozen  []common.Address        // contracts without frozenVersion only
}

// frozenSnapshot is a frozen set at a version, kept between blocks; its map
// is never changed once stored.
type frozenSnapshot struct {
	version uint64
	base    string // the precompiles it was built on (precompileSet)
	pcs     vm.PrecompiledContracts
}

// newFrozenGuard returns the guard over base, the block's precompiles
// (Executor.BasePrecompiles), which the EVM has already.
func newFrozenGuard(base vm.PrecompiledContracts, shared *atomic.Pointer[frozenSnapshot]) *frozenGuard {
	g := &frozenGuard{base: base, pcs: base, shared: shared}
	if shared != nil {
		g.baseSet = precompileSet(base)
	}
	return g
}

// precompileSet names a set of precompiles by their addresses, so that a
// frozen set built on one set (one fork, one rule version) serves no other.
func precompileSet(pcs vm.PrecompiledContracts) string {
	addrs := slices.SortedFunc(maps.Keys(pcs), common.Address.Cmp)
	var b strings.Builder
	for _, a := range addrs {
		b.Write(a[:])
	}
	return b.String()
}

// GuardFrozen gives evm the precompiles of chuxin rule version and makes
// calls into the frozen accounts of st revert, as they do in a block.
func (e *Executor) GuardFrozen(evm *vm.EVM, st Accounts, version uint64) {
	base := e.BasePrecompiles(evm.GetRules(), version)
	evm.SetPrecompiles(base)
	newFrozenGuard(base, nil).refresh(evm, st, nil)
}

// Precompiles returns the precompiled contracts of a call under rules and
// chuxin rule version over st, the frozen accounts' stand-ins among them,
// as a map of its own that the caller may change (state overrides move
// precompiles).
func (e *Executor) Precompiles(rules params.Rules, version uint64, st Accounts) vm.PrecompiledContracts {
	return withFrozen(e.BasePrecompiles(rules, version), st, system.Frozen(st))
}

// withFrozen returns a copy of base with a stand-in for each frozen account
// of st that is not a precompile itself.
func withFrozen(base vm.PrecompiledContracts, st Accounts, frozen []common.Address) vm.PrecompiledContracts {
	pcs := maps.Clone(base)
	for _, a := range frozen {
		if _, isPrecompile := base[a]; !isPrecompile {
			pcs[a] = &frozenContract{reason: frozenError(st, a).Error()}
		}
	}
	return pcs
}

// refresh sets evm's precompiles for the frozen accounts of st; prev are
// the logs of the transaction run since the last refresh.
func (g *frozenGuard) refresh(evm *vm.EVM, st Accounts, prev []*types.Log) {
	if system.FrozenCount(st) == 0 && g.version == 0 && len(g.frozen) == 0 {
		return // the common case: one read
	}
	v := system.FrozenVersion(st)
	switch {
	case v == 0:
		g.refreshList(evm, st)
	case v == g.version:
	case g.version != 0 && g.apply(evm, st, prev, v):
	default:
		if s := g.loadShared(); s != nil && s.version == v && s.base == g.baseSet {
			g.set(evm, s.pcs, v, false)
			return
		}
		g.set(evm, withFrozen(g.base, st, system.Frozen(st)), v, true)
	}
}

// apply brings the guard from its version to v by the Frozen and Unfrozen
// events in logs, if they account for every change between the two.
func (g *frozenGuard) apply(evm *vm.EVM, st Accounts, logs []*types.Log, v uint64) bool {
	var changes []*types.Log
	for _, l := range logs {
		if l.Address == system.ConsortiumAddress && len(l.Topics) > 1 && (l.Topics[0] == system.FrozenTopic || l.Topics[0] == system.UnfrozenTopic) {
			changes = append(changes, l)
		}
	}
	if g.version+uint64(len(changes)) != v {
		return false
	}
	if !g.owned {
		g.set(evm, maps.Clone(g.pcs), g.version, true)
	}
	for _, l := range changes {
		a := common.BytesToAddress(l.Topics[1].Bytes())
		if _, isPrecompile := g.base[a]; isPrecompile {
			continue
		}
		if l.Topics[0] == system.FrozenTopic {
			g.pcs[a] = &frozenContract{reason: frozenError(st, a).Error()}
		} else {
			delete(g.pcs, a)
		}
	}
	g.version = v
	return true
}

// isFrozen answers from the guard's set, once refreshed, whether a is
// frozen; nil where the guard has no set of its own (a contract without
// frozenVersion), so that admission reads the state.
func (g *frozenGuard) isFrozen() func(common.Address) bool {
	if g.version == 0 {
		return nil
	}
	return func(a common.Address) bool {
		if _, isPrecompile := g.base[a]; isPrecompile {
			return false
		}
		_, ok := g.pcs[a]
		return ok
	}
}

func (g *frozenGuard) set(evm *vm.EVM, pcs vm.PrecompiledContracts, v uint64, owned bool) {
	g.pcs, g.version, g.owned = pcs, v, owned
	evm.SetPrecompiles(pcs)
}

func (g *frozenGuard) loadShared() *frozenSnapshot {
	if g.shared == nil {
		return nil
	}
	return g.shared.Load()
}

// keep stores the guard's set for the next block; the guard no longer
// changes that map.
func (g *frozenGuard) keep() {
	if g.shared != nil && g.version != 0 {
		g.shared.Store(&frozenSnapshot{version: g.version, base: g.baseSet, pcs: g.pcs})
		g.owned = false
	}
}

// refreshList is the guard of a contract without frozenVersion: it reads
// the list before each transaction.
func (g *frozenGuard) refreshList(evm *vm.EVM, st Accounts) {
	frozen := system.Frozen(st)
	if equalAddrs(frozen, g.frozen) {
		return
	}
	g.frozen = frozen
	pcs := g.base
	if len(frozen) > 0 {
		pcs = withFrozen(g.base, st, frozen)
	}
	evm.SetPrecompiles(pcs)
}

func equalAddrs(a, b []common.Address) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// frozenContract stands in for a frozen account: every call reverts with
// Error(reason), as a require would.
type frozenContract struct{ reason string }

func (f *frozenContract) RequiredGas([]byte) uint64 { return 0 }
func (f *frozenContract) Name() string              { return "FROZEN" }
func (f *frozenContract) Run([]byte) ([]byte, error) {
	return RevertData(f.reason), vm.ErrExecutionReverted
}

// RevertData is the ABI encoding of Error(reason), as a precompile that
// reverts with a reason returns it.
func RevertData(reason string) []byte {
	str, _ := abi.NewType("string", "", nil)
	enc, _ := abi.Arguments{{Type: str}}.Pack(reason)
	return append([]byte{0x08, 0xc3, 0x79, 0xa0}, enc...)
}

// consortiumHook carries the Consortium contract's decisions to consensus:
// before a block's transactions it hands the contract the block's
// evidence; after them it settles the proposals whose voting period is
// over, then takes the validator changes. It calls the contract only when a
// storage read says there is work, so an idle chain stays idle.
//
// Every call is total for the block (DESIGN.md, invariant 5): a call that
// fails is recorded (System.Fail) and the block goes on, and the validator
// updates it hands out are ones CometBFT's own code accepts.
type consortiumHook struct{}

// PreBlock hands the block's evidence to the contract, which records it and
// takes the misbehaving validators' power: one call an item, so no amount
// of evidence runs one call out of gas.
func (consortiumHook) PreBlock(sys *System, in *BlockInput) error {
	for _, m := range in.Misbehavior {
		data, err := system.Pack("punish", [][20]byte{m.Address}, []uint64{m.Height}, []uint8{m.Kind})
		if err != nil {
			return err // the embedded ABI has punish: a broken invariant
		}
		if _, err := sys.Call(system.ConsortiumAddress, data); err != nil {
			sys.Fail(fmt.Errorf("evidence against validator %x at height %d: %w", m.Address, m.Height, err))
		}
	}
	return nil
}

func (consortiumHook) PostBlock(sys *System, in *BlockInput, out *Updates) error {
	st := sys.State()
	if system.SettleDue(st, sys.Number()) {
		if _, err := sys.Call(system.ConsortiumAddress, system.SettleCall()); err != nil {
			sys.Fail(fmt.Errorf("settling proposals: %w", err))
		}
	}
	if !system.UpdatesPending(st) {
		return nil
	}
	// The contract's pending list only says that the set changed; what
	// consensus gets is the difference of the sets, so a failure to clear
	// the list loses no update (the next block's difference starts from
	// this block's set).
	if _, err := sys.Call(system.ConsortiumAddress, system.TakeValidatorUpdatesCall()); err != nil {
		sys.Fail(fmt.Errorf("taking validator updates: %w", err))
	}
	parent, err := state.New(in.Parent.Root, sys.statedb.Database())
	if err != nil {
		return fmt.Errorf("%w: the parent state of block %d: %v", ErrSystemCall, sys.Number(), err)
	}
	before := system.Validators(parent)
	if err := parent.Error(); err != nil {
		return fmt.Errorf("%w: reading the parent state of block %d: %v", ErrSystemCall, sys.Number(), err)
	}
	updates, err := ValidatorChanges(before, system.Validators(st))
	if err != nil {
		sys.Fail(err)
		return nil
	}
	out.Validators = append(out.Validators, updates...)
	return nil
}

// ValidatorChanges returns the updates that take consensus from the
// validator set before to the set after (each as the Consortium contract
// holds it), checked with CometBFT's own validator-set code on a copy of
// before: whatever a block's proposals and evidence did, added and removed
// again included, what it hands CometBFT is what CometBFT accepts. It
// refuses (ErrValidatorUpdates) changes that CometBFT would refuse.
func ValidatorChanges(before, after []system.ValidatorUpdate) ([]ValidatorUpdate, error) {
	was := make(map[[32]byte]uint64, len(before))
	for _, v := range before {
		was[v.PubKey] = v.Power
	}
	var changes []ValidatorUpdate
	is := make(map[[32]byte]bool, len(after))
	for _, v := range after {
		is[v.PubKey] = true
		if v.Power != was[v.PubKey] {
			changes = append(changes, ValidatorUpdate{PubKey: append([]byte(nil), v.PubKey[:]...), Power: int64(v.Power)})
		}
	}
	for _, v := range before { // in the contract's order, not the map's
		if !is[v.PubKey] {
			changes = append(changes, ValidatorUpdate{PubKey: append([]byte(nil), v.PubKey[:]...), Power: 0})
		}
	}
	if len(changes) == 0 {
		return nil, nil
	}
	set := &cmttypes.ValidatorSet{}
	if err := set.UpdateWithChangeSet(cometValidators(before)); err != nil {
		return nil, fmt.Errorf("%w: the set before the block: %v", ErrValidatorUpdates, err)
	}
	if err := set.UpdateWithChangeSet(cometChanges(changes)); err != nil {
		return nil, fmt.Errorf("%w: %v; the contract's set and consensus's now differ until governance mends it", ErrValidatorUpdates, err)
	}
	return changes, nil
}

func cometValidators(vs []system.ValidatorUpdate) []*cmttypes.Validator {
	out := make([]*cmttypes.Validator, 0, len(vs))
	for _, v := range vs {
		if v.Power > 0 {
			out = append(out, cmttypes.NewValidator(ed25519.PubKey(v.PubKey[:]), int64(v.Power)))
		}
	}
	return out
}

func cometChanges(us []ValidatorUpdate) []*cmttypes.Validator {
	out := make([]*cmttypes.Validator, len(us))
	for i, u := range us {
		out[i] = cmttypes.NewValidator(ed25519.PubKey(u.PubKey), u.Power)
	}
	return out
}
