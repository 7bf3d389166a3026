package app

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/txpool"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/system"
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
	for _, e := range a.entries {
		if !e.Claims(req.Tx) {
			continue
		}
		// Not a transaction: a module's own entry (the beacon's nudge,
		// which wakes an idle chain when a round comes); no block holds it.
		if err := e.CheckEntry(req.Tx, a.nextHeight(), time.Now()); err != nil {
			return &abci.CheckTxResponse{Code: CodeRefused, Log: err.Error(), Codespace: "chuxin"}, nil
		}
		return &abci.CheckTxResponse{}, nil
	}
	tx, from, err := a.checkTx(req.Tx, req.Type == abci.CHECK_TX_TYPE_RECHECK)
	if err != nil {
		if tx != nil {
			a.pool.Remove(tx.Hash())
		}
		if a.observer != nil && req.Type != abci.CHECK_TX_TYPE_RECHECK {
			a.observer.Refused(refusalReason(err))
		}
		return &abci.CheckTxResponse{Code: CodeRefused, Log: err.Error(), Codespace: "chuxin"}, nil
	}
	a.pool.Add(tx.Hash(), from, tx.Nonce())
	if req.Type != abci.CHECK_TX_TYPE_RECHECK {
		for _, f := range a.onAdmit {
			f(tx, from)
		}
	}
	return &abci.CheckTxResponse{GasWanted: int64(tx.Gas())}, nil
}

// Recover decodes a raw transaction and recovers its sender, remembering it
// for admission, rechecks and execution. The JSON-RPC server calls it before
// handing the transaction to the mempool, so the costly ECDSA recovery runs
// on the request's goroutine, in parallel, rather than in the mempool's
// serialized CheckTx.
//
// A transaction over MaxTxSize is refused before anything else: it is
// neither decoded nor remembered.
func (a *App) Recover(raw []byte) (*types.Transaction, common.Address, error) {
	if len(raw) > MaxTxSize {
		return nil, common.Address{}, fmt.Errorf("%w: transaction is %d bytes, the limit is %d", txpool.ErrOversizedData, len(raw), MaxTxSize)
	}
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
	if err != nil && a.observer != nil {
		a.observer.Refused(refusalReason(err))
	}
	return err
}

func (a *App) checkTx(raw []byte, recheck bool) (*types.Transaction, common.Address, error) {
	tx, from, err := a.Recover(raw)
	if err != nil {
		return tx, from, err
	}
	if !recheck && a.pool.Has(tx.Hash()) {
		return nil, from, txpool.ErrAlreadyKnown // keep the pooled copy
	}
	a.checkMu.Lock()
	defer a.checkMu.Unlock()
	st, head, limits, err := a.checkStateLocked()
	if err != nil {
		return tx, from, err
	}
	if recheck {
		// A pooled transaction waits as long as its gap lasts; only what
		// the new state changed is checked again: roles, freezes, nonce,
		// balance and the limits the consortium may have changed.
		if err := execution.AdmitLimits(tx, limits); err != nil {
			return tx, from, err
		}
		return tx, from, a.exec.AdmitState(st, tx, from, head.Number.Uint64()+1, math.MaxUint64)
	}
	// A run of consecutive nonces may grow to the sender's share; past its
	// end, a gap of up to MaxFutureNonces waits.
	next := st.GetNonce(from)
	ahead := a.pool.PendingNonce(from, next) - next + MaxFutureNonces
	// The next block's rules; its time is not known yet, and is at least
	// the head's.
	at := execution.At{Number: head.Number.Uint64() + 1, Time: head.Time, Limits: limits}
	if err := a.exec.Admit(st, tx, from, at, ahead); err != nil {
		return tx, from, err
	}
	if h, ok := a.pool.Taken(from, tx.Nonce()); ok && h != tx.Hash() {
		return nil, from, fmt.Errorf("%w: nonce %d of %s is taken by pending transaction %s", ErrReplacement, tx.Nonce(), from, h)
	}
	if n := a.pool.Count(from); n >= a.maxPerSender {
		return nil, from, fmt.Errorf("%w: %s has %d transactions in the pool, the most one sender may have (mempool.max_per_sender); send more once some commit", txpool.ErrAccountLimitExceeded, from, n)
	}
	return tx, from, nil
}

// checkStateLocked returns the committed state CheckTx reads and its
// header and the next block's limits, opening it at the head after each
// commit. checkMu must be held.
func (a *App) checkStateLocked() (*state.StateDB, *types.Header, system.Limits, error) {
	if a.checkState != nil {
		return a.checkState, a.checkHead, a.checkLimits, nil
	}
	head := a.store.Head()
	if head == nil {
		return nil, nil, system.Limits{}, ErrNotReady
	}
	st, err := a.store.State(head.Root)
	if err != nil {
		return nil, nil, system.Limits{}, err
	}
	a.checkState, a.checkHead, a.checkLimits = st, head, system.LimitsOf(st)
	return st, head, a.checkLimits, nil
}

// nextHeight is the height of the block after the committed head.
func (a *App) nextHeight() int64 {
	if head := a.store.Head(); head != nil {
		return head.Number.Int64() + 1
	}
	return 1
}

// resetCheckState makes CheckTx read the newly committed state.
func (a *App) resetCheckState() {
	a.checkMu.Lock()
	a.checkState = nil
	a.checkMu.Unlock()
}
