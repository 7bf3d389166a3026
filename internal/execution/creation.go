package execution

import (
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/chuxin-chain/chuxin/internal/system"
)

// creationGuard is the EVM's view of the block's state, which refuses two
// kinds of contract creation, whatever path reaches them (a creation
// transaction, CREATE or CREATE2 from any contract, the genesis factories):
//
//   - at a frozen address: its balance and storage must not change, and
//     init code would run as it (a counterfactual address, frozen before
//     its contract exists);
//   - on a permissioned network, by a creator that is neither a deployer
//     nor code a deployer's work put there, in a transaction whose sender
//     is not a deployer either: so code exists only if someone with the
//     deployer role (or a contract one deployed) created it, and the public
//     factories of the genesis serve deployers only.
//
// go-ethereum's EVM has no veto on creation. It does refuse to create where
// an account has code (ErrContractAddressCollision), so the guard answers
// the collision check of a refused creation with a code hash: the creation
// fails as a collision does, changing nothing but the gas it was given.
// The check is the first GetCodeHash after the creator's nonce is raised
// for a creation (core/vm's create), which a test of each path pins.
type creationGuard struct {
	vm.StateDB
	raw     *state.StateDB // the same state, read without tracing hooks
	genesis map[common.Address]bool
	evm     *vm.EVM // for the transaction's sender
	creator *common.Address
	target  *common.Address         // the delegation target of the last GetCode
	made    map[common.Address]bool // creations let through in this block
}

// refusedCodeHash is what a refused creation's collision check sees.
var refusedCodeHash = crypto.Keccak256Hash([]byte("chuxin: creation refused"))

func newCreationGuard(inner vm.StateDB, raw *state.StateDB, genesis map[common.Address]bool) *creationGuard {
	return &creationGuard{StateDB: inner, raw: raw, genesis: genesis, made: map[common.Address]bool{}}
}

// wrap returns a guard over inner (a traced view of the same state) that
// shares g's rules and what g has seen created.
func (g *creationGuard) wrap(inner vm.StateDB) *creationGuard {
	return &creationGuard{StateDB: inner, raw: g.raw, genesis: g.genesis, made: g.made}
}

// SetNonce notes the creator of a creation about to be checked.
func (g *creationGuard) SetNonce(addr common.Address, nonce uint64, reason tracing.NonceChangeReason) {
	if reason == tracing.NonceChangeContractCreator {
		g.creator = &addr
	}
	g.StateDB.SetNonce(addr, nonce, reason)
}

// GetCodeHash answers a creation's collision check with a code hash when
// the creation is refused.
func (g *creationGuard) GetCodeHash(addr common.Address) common.Hash {
	if c := g.creator; c != nil {
		g.creator = nil
		if !g.mayCreate(*c, addr) {
			return refusedCodeHash
		}
		g.made[addr] = true
	}
	return g.StateDB.GetCodeHash(addr)
}

// mayCreate says whether creator may create a contract at addr.
func (g *creationGuard) mayCreate(creator, addr common.Address) bool {
	st := g.raw
	if system.FrozenCount(st) > 0 && system.PermissionsOf(st, addr).Frozen {
		return false
	}
	if !system.Permissioned(st) || g.made[creator] || isDeployer(st, creator) {
		return true
	}
	// An account delegated by EIP-7702 creates only if it is a deployer
	// itself, whoever sent the transaction: a deployer's call into it must
	// not lend it the role.
	code := st.GetCode(creator)
	if _, delegated := types.ParseDelegation(code); delegated {
		return false
	}
	if g.evm != nil && isDeployer(st, g.evm.Origin) {
		return true
	}
	// Code that a deployer's work put there, after genesis: not a genesis
	// contract (the public factories), not an account without code.
	return len(code) > 0 && !g.genesis[creator]
}

// GetCode serves a frozen contract's code, when the EVM looks it up as the
// code an account delegated to it (EIP-7702) runs, as code that reverts
// with the freeze's reason: a frozen contract's code runs nowhere, neither
// at its address (its stand-in precompile) nor in an account that borrowed
// it. The delegating account's own code (its delegation) is never changed,
// so it still sends transactions and can delegate elsewhere. go-ethereum
// resolves a delegation by two lookups in a row (core/vm's resolveCode):
// the account's, then its target's; only the second is answered so.
func (g *creationGuard) GetCode(addr common.Address) []byte {
	target := g.target
	g.target = nil
	code := g.StateDB.GetCode(addr)
	if t, ok := types.ParseDelegation(code); ok {
		g.target = &t
		return code
	}
	if target != nil && *target == addr && system.FrozenCount(g.raw) > 0 && system.PermissionsOf(g.raw, addr).Frozen {
		return revertCode(RevertData(frozenError(g.raw, addr).Error()))
	}
	return code
}

// revertCode is EVM code that reverts with data. It holds no JUMPDEST and
// no jump, so the jump analysis go-ethereum caches by the delegation's code
// hash is never made from it.
func revertCode(data []byte) []byte {
	var code []byte
	for off := 0; off < len(data); off += 32 {
		var word [32]byte
		copy(word[:], data[off:])
		code = append(code, 0x7f) // PUSH32 word
		code = append(code, word[:]...)
		code = append(code, 0x61, byte(off>>8), byte(off), 0x52) // PUSH2 off, MSTORE
	}
	n := len(data)
	return append(code, 0x61, byte(n>>8), byte(n), 0x60, 0x00, 0xfd) // REVERT(0, n)
}

func isDeployer(st system.State, a common.Address) bool {
	return system.PermissionsOf(st, a).Roles&system.RoleDeployer != 0
}
