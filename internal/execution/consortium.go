package execution

import (
	"fmt"
	"maps"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/params"

	"github.com/chuxin-chain/chuxin/internal/system"
)

// admitPermissions is the part of the admission rule that the consortium
// decides, with the permissions in force in st: a frozen account sends
// nothing and is sent nothing; in a permissioned network, creating a
// contract needs the deployer role and any other transaction the transactor
// role. A transaction to the Consortium contract needs no role (the
// contract checks its caller), so governors and admins without roles can
// act.
//
// The common cases read one or two words that every transaction of a block
// shares (nothing frozen, an open network), so they cost next to nothing.
// AdmitPermissions is the part of the admission rule that the consortium
// sets: the sender's role (deployer or transactor, on a permissioned chain)
// and no frozen sender, recipient or authority. eth_simulateV1 applies it
// to calls under validation.
func AdmitPermissions(st Accounts, tx *types.Transaction, from common.Address) error {
	return admitPermissions(st, tx, from)
}

func admitPermissions(st Accounts, tx *types.Transaction, from common.Address) error {
	to := tx.To()
	if system.FrozenCount(st) > 0 {
		if system.PermissionsOf(st, from).Frozen {
			return frozenError(st, from)
		}
		if to != nil && *to != from && system.PermissionsOf(st, *to).Frozen {
			return frozenError(st, *to)
		}
		// Nor may another's transaction set a frozen account's code
		// (EIP-7702): its authorization is refused with the transaction.
		for _, auth := range tx.SetCodeAuthorizations() {
			if authority, err := auth.Authority(); err == nil && system.PermissionsOf(st, authority).Frozen {
				return frozenError(st, authority)
			}
		}
	}
	if to != nil && *to == system.ConsortiumAddress || !system.Permissioned(st) {
		return nil
	}
	p := system.PermissionsOf(st, from)
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
// frozen beneficiary.) It is refreshed before each transaction from the
// contract's list, so a freeze applies from the next transaction on.
type frozenGuard struct {
	base   vm.PrecompiledContracts
	frozen []common.Address
}

func newFrozenGuard(rules params.Rules) *frozenGuard {
	return &frozenGuard{base: vm.ActivePrecompiledContracts(rules)}
}

// GuardFrozen makes calls into the frozen accounts of st revert in evm, as
// they do in a block: eth_call and gas estimation run with it.
func GuardFrozen(evm *vm.EVM, st Accounts) {
	newFrozenGuard(evm.GetRules()).refresh(evm, st)
}

// Precompiles returns the precompiled contracts of a call under rules over
// st, the frozen accounts' stand-ins among them, as a map of its own that
// the caller may change (state overrides move precompiles).
func Precompiles(rules params.Rules, st Accounts) vm.PrecompiledContracts {
	return withFrozen(vm.ActivePrecompiledContracts(rules), st, system.Frozen(st))
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

// refresh sets evm's precompiles for the frozen accounts of st.
func (g *frozenGuard) refresh(evm *vm.EVM, st Accounts) {
	if system.FrozenCount(st) == 0 && len(g.frozen) == 0 {
		return // the common case: one read
	}
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
	return revertData(f.reason), vm.ErrExecutionReverted
}

// revertData is the ABI encoding of Error(reason).
func revertData(reason string) []byte {
	str, _ := abi.NewType("string", "", nil)
	enc, _ := abi.Arguments{{Type: str}}.Pack(reason)
	return append([]byte{0x08, 0xc3, 0x79, 0xa0}, enc...)
}

// consortiumHook carries the Consortium contract's decisions to consensus
// after each block's transactions: it settles the proposals whose voting
// period is over, then takes the validator changes that passed proposals
// made. It calls the contract only when a storage read says there is work,
// so an idle chain stays idle.
type consortiumHook struct{}

// PreBlock hands the block's evidence to the contract, which records it and
// takes the misbehaving validators' power.
func (consortiumHook) PreBlock(sys *System, in *BlockInput) error {
	if len(in.Misbehavior) == 0 {
		return nil
	}
	addrs := make([][20]byte, len(in.Misbehavior))
	heights := make([]uint64, len(in.Misbehavior))
	kinds := make([]uint8, len(in.Misbehavior))
	for i, m := range in.Misbehavior {
		addrs[i], heights[i], kinds[i] = m.Address, m.Height, m.Kind
	}
	data, err := system.Pack("punish", addrs, heights, kinds)
	if err != nil {
		return err
	}
	_, err = sys.Call(system.ConsortiumAddress, data)
	return err
}

func (consortiumHook) PostBlock(sys *System, _ *BlockInput, out *Updates) error {
	st := sys.State()
	if system.SettleDue(st, sys.Number()) {
		if _, err := sys.Call(system.ConsortiumAddress, system.SettleCall()); err != nil {
			return err
		}
	}
	if !system.UpdatesPending(st) {
		return nil
	}
	ret, err := sys.Call(system.ConsortiumAddress, system.TakeValidatorUpdatesCall())
	if err != nil {
		return err
	}
	updates, err := system.DecodeValidatorUpdates(ret)
	if err != nil {
		return err
	}
	for _, u := range updates {
		out.Validators = append(out.Validators, ValidatorUpdate{PubKey: append([]byte(nil), u.PubKey[:]...), Power: int64(u.Power)})
	}
	return nil
}
