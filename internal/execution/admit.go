package execution

import (
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"

	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// Accounts is what the admission rule reads of a state: nonces, balances
// and the Consortium contract's storage (roles, freezes).
type Accounts interface {
	GetNonce(common.Address) uint64
	GetBalance(common.Address) *uint256.Int
	GetState(common.Address, common.Hash) common.Hash
}

// AdmissionRule is a module's part of the admission rule
// (module.Admission): whether tx, sent by from, may run on the accounts st
// under chuxin rule version. Block execution applies it before each
// transaction, after the core's rule (roles, freezes, nonce, balance; a
// transaction it refuses is skipped, as any the rule refuses), the mempool
// before it takes one and on every recheck, and eth_simulateV1 under
// validation. It must be deterministic, and cheap: it
// runs on every transaction.
type AdmissionRule interface {
	Admit(st Accounts, tx *types.Transaction, from common.Address, version uint64) error
}

// At names where a transaction would run: the block's number and time,
// which select the forks and chuxin rule version in force, and its gas
// limit and base fee.
type At struct {
	Number uint64
	Time   uint64
	Limits system.Limits
}

// Admit is chuxin's one admission rule: whether tx, sent by from, may run at
// at on the accounts st. Block execution calls it on the block's state
// before each transaction (ahead 0: the nonce must be the next one);
// CheckTx calls it on its view of the next state, with ahead > 0 to admit
// nonces below next+ahead, which wait in the mempool. Each
// refusal wraps go-ethereum's error for it, so tools recognise the words.
func (e *Executor) Admit(st Accounts, tx *types.Transaction, from common.Address, at At, ahead uint64) error {
	return e.admit(st, tx, from, at, ahead, e.VersionAt(st, at.Number), nil)
}

// admit is Admit under chuxin rule version, reading freezes from frozen
// where it is not nil.
func (e *Executor) admit(st Accounts, tx *types.Transaction, from common.Address, at At, ahead, version uint64, frozen func(common.Address) bool) error {
	if err := e.admitStateless(tx, from, at); err != nil {
		return err
	}
	return e.admitState(st, tx, from, ahead, version, frozen)
}

// AdmitState is the part of Admit that reads state: roles and freezes, the
// nonce and the balance. The mempool's recheck after each block calls it alone on the
// transactions Admit already took: the rest of the rule does not change
// from one block to the next unless the rules do, and execution applies
// the whole rule to every transaction anyway.
func (e *Executor) AdmitState(st Accounts, tx *types.Transaction, from common.Address, number, ahead uint64) error {
	return e.admitState(st, tx, from, ahead, e.VersionAt(st, number), nil)
}

func (e *Executor) admitState(st Accounts, tx *types.Transaction, from common.Address, ahead, version uint64, frozen func(common.Address) bool) error {
	if err := admitPermissions(st, tx, from, version >= genesis.VersionGuards, frozen); err != nil {
		return err
	}
	next := st.GetNonce(from)
	switch {
	case tx.Nonce() < next:
		return fmt.Errorf("%w: address %s, tx nonce %d, next nonce %d", core.ErrNonceTooLow, from, tx.Nonce(), next)
	case tx.Nonce() > next && tx.Nonce()-next >= max(ahead, 1):
		if ahead == 0 {
			return fmt.Errorf("%w: address %s, tx nonce %d, next nonce %d", core.ErrNonceTooHigh, from, tx.Nonce(), next)
		}
		return fmt.Errorf("%w: address %s, tx nonce %d, next nonce %d; the pool admits nonces below %d, send the missing ones first", core.ErrNonceTooHigh, from, tx.Nonce(), next, next+ahead)
	}
	cost, overflow := uint256.FromBig(tx.Cost())
	if overflow {
		return fmt.Errorf("%w: cost overflows 256 bits", core.ErrInsufficientFunds)
	}
	if balance := st.GetBalance(from); balance.Cmp(cost) < 0 {
		return fmt.Errorf("%w: address %s has %s wei, the transaction needs %s", core.ErrInsufficientFunds, from, balance, cost)
	}
	return e.admitModules(st, tx, from, version)
}

// admitModules applies the modules' parts of the rule, in order, after
// the core's.
func (e *Executor) admitModules(st Accounts, tx *types.Transaction, from common.Address, version uint64) error {
	for _, r := range e.Admission {
		if err := r.Admit(st, tx, from, version); err != nil {
			return fmt.Errorf("%w: %w", ErrModuleRefused, err)
		}
	}
	return nil
}

// admitStateless holds the part of the rule that reads no state: the
// transaction type the forks allow, gas caps, intrinsic gas and fees.
func (e *Executor) admitStateless(tx *types.Transaction, from common.Address, at At) error {
	rules := e.Config.Rules(new(big.Int).SetUint64(at.Number), true, at.Time)
	if err := typeEnabled(tx.Type(), rules); err != nil {
		return err
	}
	if err := admitGas(tx, at.Limits); err != nil {
		return err
	}
	if rules.IsOsaka && tx.Gas() > params.MaxTxGas {
		return fmt.Errorf("%w: gas %d, the per-transaction cap (EIP-7825) is %d", core.ErrGasLimitTooHigh, tx.Gas(), params.MaxTxGas)
	}
	value, _ := uint256.FromBig(tx.Value())
	intrinsic, err := core.IntrinsicGas(tx.Data(), tx.AccessList(), tx.SetCodeAuthorizations(), from, tx.To(), value, rules)
	if err != nil {
		return fmt.Errorf("%w: %v", core.ErrIntrinsicGas, err)
	}
	if tx.Gas() < intrinsic {
		return fmt.Errorf("%w: gas %d, minimum needed %d", core.ErrIntrinsicGas, tx.Gas(), intrinsic)
	}
	if rules.IsPrague {
		floor, err := core.FloorDataGas(rules, from, tx.To(), value, tx.Data(), tx.AccessList())
		if err == nil && tx.Gas() < floor {
			return fmt.Errorf("%w: gas %d, minimum needed %d", core.ErrFloorDataGas, tx.Gas(), floor)
		}
	}
	if tx.GasTipCapIntCmp(tx.GasFeeCap()) > 0 {
		return fmt.Errorf("%w: tip %s, max fee %s", core.ErrTipAboveFeeCap, tx.GasTipCap(), tx.GasFeeCap())
	}
	if err := admitFee(tx, at.Limits); err != nil {
		return err
	}
	if tx.Type() == types.SetCodeTxType && len(tx.SetCodeAuthorizations()) == 0 {
		return fmt.Errorf("%w: a set-code transaction needs at least one authorization", core.ErrEmptyAuthList)
	}
	return nil
}

// AdmitLimits is the part of the rule that a block's limits decide, which
// the consortium can change from one block to the next: the transaction's
// gas within the block gas limit, its fee cap at least the base fee.
func AdmitLimits(tx *types.Transaction, l system.Limits) error {
	if err := admitGas(tx, l); err != nil {
		return err
	}
	return admitFee(tx, l)
}

// admitGas refuses a transaction that no block could hold, before any other
// gas check, as geth's pool does.
func admitGas(tx *types.Transaction, l system.Limits) error {
	if tx.Gas() > l.GasLimit {
		return fmt.Errorf("%w: gas %d, block gas limit %d", ErrGasLimit, tx.Gas(), l.GasLimit)
	}
	return nil
}

func admitFee(tx *types.Transaction, l system.Limits) error {
	if tx.GasFeeCapIntCmp(l.BaseFee) < 0 {
		return fmt.Errorf("%w: max fee per gas %s, base fee %s", core.ErrFeeCapTooLow, tx.GasFeeCap(), l.BaseFee)
	}
	return nil
}

// typeEnabled refuses a transaction type that the forks in force do not
// know yet.
func typeEnabled(typ uint8, rules params.Rules) error {
	var fork string
	switch {
	case typ == types.AccessListTxType && !rules.IsBerlin:
		fork = "Berlin"
	case typ == types.DynamicFeeTxType && !rules.IsLondon:
		fork = "London"
	case typ == types.SetCodeTxType && !rules.IsPrague:
		fork = "Prague"
	case typ == types.BlobTxType:
		return ErrBlobTx
	default:
		return nil
	}
	return fmt.Errorf("%w: type %d transactions need the %s fork, which this chain's rules have not activated at this block", core.ErrTxTypeNotSupported, typ, fork)
}

// CheckProposalTxs says whether a proposal's transactions could all have
// come from an honest proposer's mempool for a block at at: each decodes,
// is signed, and passes the stateless part of the admission rule (its type,
// chain, intrinsic gas, the block's gas limit and base fee), and their
// declared gas fits the block. Senders are recovered on all cores. What
// it leaves to execution (nonces, balances, roles) depends on state.
//
// Since every transaction must declare at least its intrinsic gas, a
// block the check accepts holds at most gas limit / 21,000 transactions,
// which bounds the work of checking and executing it.
func (e *Executor) CheckProposalTxs(raws [][]byte, at At) error {
	// Every transaction declares at least 21,000 gas: more than the gas
	// limit holds is refused before any signature is recovered.
	if n := uint64(len(raws)); n > at.Limits.GasLimit/params.TxGas {
		return fmt.Errorf("%w: %d transactions declare at least %d gas, the block's limit is %d", ErrGasLimit, n, n*params.TxGas, at.Limits.GasLimit)
	}
	var gas uint64
	for i, d := range e.decodeAll(raws) {
		if d.err != nil {
			return fmt.Errorf("transaction %d: %w", i, d.err)
		}
		if err := e.admitStateless(d.tx, d.from, at); err != nil {
			return fmt.Errorf("transaction %d (%s): %w", i, d.tx.Hash(), err)
		}
		if gas += d.tx.Gas(); gas > at.Limits.GasLimit {
			return fmt.Errorf("%w: the transactions declare more than the block's %d gas", ErrGasLimit, at.Limits.GasLimit)
		}
	}
	return nil
}

// AdmitStateless is the part of the admission rule that reads no state
// (admitStateless), for a proposer choosing what a block at at may carry.
func (e *Executor) AdmitStateless(tx *types.Transaction, from common.Address, at At) error {
	return e.admitStateless(tx, from, at)
}
