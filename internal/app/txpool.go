package app

import (
	"maps"
	"sync"

	"github.com/ethereum/go-ethereum/common"
)

// MaxFutureNonces is how far past the end of an account's unbroken run of
// pooled nonces the mempool admits transactions: those behind a gap, which
// wait until it is filled. A run without gaps is bounded only by the
// per-sender share (DefaultMaxPerSender).
const MaxFutureNonces = 64

// DefaultMaxPerSender is how many transactions one sender may have in the
// mempool unless configured otherwise (mempool.max_per_sender).
const DefaultMaxPerSender = 1024

// TxPool mirrors the transactions that CometBFT's mempool holds: who sent
// them and with which nonce. It answers the pending nonce of an account and
// refuses a second transaction for a taken nonce.
type TxPool struct {
	mu       sync.Mutex
	byHash   map[common.Hash]poolEntry
	bySender map[common.Address]map[uint64]common.Hash
}

type poolEntry struct {
	from  common.Address
	nonce uint64
}

// NewTxPool returns an empty pool.
func NewTxPool() *TxPool {
	return &TxPool{byHash: map[common.Hash]poolEntry{}, bySender: map[common.Address]map[uint64]common.Hash{}}
}

// Has reports whether the transaction is pooled.
func (p *TxPool) Has(hash common.Hash) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.byHash[hash]
	return ok
}

// Taken returns the hash of the pooled transaction using (from, nonce).
func (p *TxPool) Taken(from common.Address, nonce uint64) (common.Hash, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	h, ok := p.bySender[from][nonce]
	return h, ok
}

// Add records a transaction admitted to the mempool.
func (p *TxPool) Add(hash common.Hash, from common.Address, nonce uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.byHash[hash] = poolEntry{from, nonce}
	if p.bySender[from] == nil {
		p.bySender[from] = map[uint64]common.Hash{}
	}
	p.bySender[from][nonce] = hash
}

// Remove forgets a transaction (committed, or dropped by the mempool).
func (p *TxPool) Remove(hash common.Hash) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.byHash[hash]
	if !ok {
		return
	}
	delete(p.byHash, hash)
	if m := p.bySender[e.from]; m != nil && m[e.nonce] == hash {
		delete(m, e.nonce)
		if len(m) == 0 {
			delete(p.bySender, e.from)
		}
	}
}

// Count returns how many transactions of from are pooled.
func (p *TxPool) Count(from common.Address) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.bySender[from])
}

// PendingNonce returns the nonce the account's next transaction should use:
// the committed nonce advanced over the unbroken run of pooled transactions.
func (p *TxPool) PendingNonce(from common.Address, committed uint64) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return nextNonce(p.bySender[from], committed)
}

// nextNonce returns n advanced over the unbroken run of pooled nonces from it.
func nextNonce(nonces map[uint64]common.Hash, n uint64) uint64 {
	for {
		if _, ok := nonces[n]; !ok {
			return n
		}
		n++
	}
}

// Queued counts the pooled transactions that cannot run yet: those past a
// gap in their sender's nonces, given each sender's committed nonce.
// Transactions at or below a committed nonce (the block that took them has
// just committed) are not counted. committed is called without the pool's
// lock held (it reads state, which CheckTx and Commit must not wait for).
func (p *TxPool) Queued(committed func(common.Address) uint64) int {
	p.mu.Lock()
	senders := make(map[common.Address]map[uint64]common.Hash, len(p.bySender))
	for from, nonces := range p.bySender {
		senders[from] = maps.Clone(nonces)
	}
	p.mu.Unlock()
	queued := 0
	for from, nonces := range senders {
		next := nextNonce(nonces, committed(from))
		for n := range nonces {
			if n > next {
				queued++
			}
		}
	}
	return queued
}

// Reset forgets every transaction.
func (p *TxPool) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.byHash)
	clear(p.bySender)
}

// Len returns the number of pooled transactions.
func (p *TxPool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.byHash)
}
