package app

import (
	"context"
	"errors"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/txpool"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
)

// MaxTxSize is the largest encoded transaction admitted (geth's limit).
const MaxTxSize = 128 * 1024

// CodeRefused is the code of every refusal, by CheckTx or by Query (a
// refused peer, an unknown path); the log says why.
const CodeRefused uint32 = 1

// Sentinel errors of mempool admission, beside go-ethereum's own
// (core.ErrNonceTooLow, core.ErrInsufficientFunds, txpool.ErrAlreadyKnown …)
// whose words Ethereum tools recognise.
var (
	// ErrReplacement: the nonce is taken by a pooled transaction.
	ErrReplacement = errors.New("replacement transaction not supported")
	// ErrNotReady: the chain has no genesis yet.
	ErrNotReady = errors.New("node is not ready: no committed state yet")
)

// CheckTx admits a transaction to the mempool, or refuses it with a reason a
// user can act on. On recheck (after each block) it drops what the new state
// made invalid.
func (a *App) CheckTx(_ context.Context, req *abci.CheckTxRequest) (*abci.CheckTxResponse, error) {
	tx, from, err := a.checkTx(req.Tx, req.Type == abci.CHECK_TX_TYPE_RECHECK)
	if err != nil {
		if tx != nil {
			a.pool.Remove(tx.Hash())
		}
		return &abci.CheckTxResponse{Code: CodeRefused, Log: err.Error(), Codespace: "chuxin"}, nil
	}
	a.pool.Add(tx.Hash(), from, tx.Nonce())
	return &abci.CheckTxResponse{GasWanted: int64(tx.Gas())}, nil
}

// Recover decodes a raw transaction and recovers its sender, remembering it
// for admission, rechecks and execution. The JSON-RPC server calls it before
// handing the transaction to the mempool, so the costly ECDSA recovery runs
// on the request's goroutine, in parallel, rather than in the mempool's
// serialized CheckTx.
func (a *App) Recover(raw []byte) (*types.Transaction, common.Address, error) {
	if tx, from, ok := a.txs.Lookup(raw); ok {
		return tx, from, nil
	}
	tx, err := a.exec.DecodeTx(raw)
	if err != nil {
		return nil, common.Address{}, err
	}
	from, err := a.exec.Sender(tx)
	if err != nil {
		return tx, common.Address{}, err
	}
	a.txs.Add(raw, tx, from)
	return tx, from, nil
}

// Validate checks a raw transaction as CheckTx would, without admitting it.
// A pooled transaction is valid.
func (a *App) Validate(raw []byte) error {
	_, _, err := a.checkTx(raw, false)
	if errors.Is(err, txpool.ErrAlreadyKnown) {
		return nil
	}
	return err
}

func (a *App) checkTx(raw []byte, recheck bool) (*types.Transaction, common.Address, error) {
	if len(raw) > MaxTxSize {
		return nil, common.Address{}, fmt.Errorf("%w: transaction is %d bytes, the limit is %d", txpool.ErrOversizedData, len(raw), MaxTxSize)
	}
	tx, from, err := a.Recover(raw)
	if err != nil {
		return tx, from, err
	}
	if !recheck {
		if a.pool.Has(tx.Hash()) {
			return nil, from, txpool.ErrAlreadyKnown // keep the pooled copy
		}
		if err := a.statelessChecks(tx, from); err != nil {
			return tx, from, err
		}
	}
	a.checkMu.Lock()
	defer a.checkMu.Unlock()
	st, err := a.checkStateLocked()
	if err != nil {
		return tx, from, err
	}
	next := st.GetNonce(from)
	switch {
	case tx.Nonce() < next:
		return tx, from, fmt.Errorf("%w: address %s, tx nonce %d, next nonce %d", core.ErrNonceTooLow, from, tx.Nonce(), next)
	case !recheck && tx.Nonce() >= next+MaxFutureNonces:
		return tx, from, fmt.Errorf("%w: address %s, tx nonce %d, next nonce %d; at most %d nonces ahead are queued, send the missing ones first", core.ErrNonceTooHigh, from, tx.Nonce(), next, MaxFutureNonces)
	}
	if !recheck {
		if h, ok := a.pool.Taken(from, tx.Nonce()); ok && h != tx.Hash() {
			return nil, from, fmt.Errorf("%w: nonce %d of %s is taken by pending transaction %s", ErrReplacement, tx.Nonce(), from, h)
		}
	}
	cost, overflow := uint256.FromBig(tx.Cost())
	if overflow {
		return tx, from, fmt.Errorf("%w: cost overflows 256 bits", core.ErrInsufficientFunds)
	}
	if balance := st.GetBalance(from); balance.Cmp(cost) < 0 {
		return tx, from, fmt.Errorf("%w: address %s has %s wei, the transaction needs %s", core.ErrInsufficientFunds, from, balance, cost)
	}
	return tx, from, nil
}

// statelessChecks are the rules that depend only on the transaction and the
// chain's rules: gas caps, intrinsic gas and fees.
func (a *App) statelessChecks(tx *types.Transaction, from common.Address) error {
	if tx.Gas() > params.MaxTxGas {
		return fmt.Errorf("%w: gas %d, the per-transaction cap (EIP-7825) is %d", core.ErrGasLimitTooHigh, tx.Gas(), params.MaxTxGas)
	}
	rules := a.exec.Config.Rules(common.Big1, true, a.genesis.Timestamp)
	value, _ := uint256.FromBig(tx.Value())
	intrinsic, err := core.IntrinsicGas(tx.Data(), tx.AccessList(), tx.SetCodeAuthorizations(), from, tx.To(), value, rules)
	if err != nil {
		return fmt.Errorf("%w: %v", core.ErrIntrinsicGas, err)
	}
	if tx.Gas() < intrinsic {
		return fmt.Errorf("%w: gas %d, minimum needed %d", core.ErrIntrinsicGas, tx.Gas(), intrinsic)
	}
	floor, err := core.FloorDataGas(rules, from, tx.To(), value, tx.Data(), tx.AccessList())
	if err == nil && tx.Gas() < floor {
		return fmt.Errorf("%w: gas %d, minimum needed %d", core.ErrFloorDataGas, tx.Gas(), floor)
	}
	if tx.GasTipCapIntCmp(tx.GasFeeCap()) > 0 {
		return fmt.Errorf("%w: tip %s, max fee %s", core.ErrTipAboveFeeCap, tx.GasTipCap(), tx.GasFeeCap())
	}
	if tx.GasFeeCapIntCmp(a.exec.BaseFee) < 0 {
		return fmt.Errorf("%w: max fee per gas %s, base fee %s", core.ErrFeeCapTooLow, tx.GasFeeCap(), a.exec.BaseFee)
	}
	if tx.Type() == types.SetCodeTxType && len(tx.SetCodeAuthorizations()) == 0 {
		return fmt.Errorf("%w: a set-code transaction needs at least one authorization", core.ErrEmptyAuthList)
	}
	return nil
}

// checkStateLocked returns the committed state CheckTx reads, opening it at
// the head after each commit. checkMu must be held.
func (a *App) checkStateLocked() (*state.StateDB, error) {
	if a.checkState != nil {
		return a.checkState, nil
	}
	head := a.store.Head()
	if head == nil {
		return nil, ErrNotReady
	}
	st, err := a.store.State(head.Root)
	if err != nil {
		return nil, err
	}
	a.checkState = st
	return st, nil
}

// resetCheckState makes CheckTx read the newly committed state.
func (a *App) resetCheckState() {
	a.checkMu.Lock()
	a.checkState = nil
	a.checkMu.Unlock()
}
