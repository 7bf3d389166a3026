package app

import (
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// txGeneration is how many transactions one generation of the cache holds,
// and txGenerationBytes how many bytes of raw transactions; the cache keeps
// two generations, so at most twice either bound.
const (
	txGeneration      = 50_000
	txGenerationBytes = 32 << 20
)

// TxCache remembers each transaction admitted to the mempool, decoded and
// with its sender, keyed by its raw bytes: rechecks after every block,
// proposals and execution then neither decode, hash nor recover it again.
// Only transactions that passed decoding and signature checks are kept, and
// a decoded transaction is immutable, so what the cache returns is exactly
// what decoding would. It is bounded in count and in bytes: when the current
// generation fills, the previous one is dropped.
type TxCache struct {
	mu                 sync.Mutex
	cur, old           map[string]cachedTx
	curBytes, oldBytes int
}

type cachedTx struct {
	tx   *types.Transaction
	from common.Address
}

// NewTxCache returns an empty cache.
func NewTxCache() *TxCache {
	return &TxCache{cur: make(map[string]cachedTx, txGeneration)}
}

// Lookup returns the decoded transaction and sender of raw, if remembered.
func (c *TxCache) Lookup(raw []byte) (*types.Transaction, common.Address, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.cur[string(raw)]; ok {
		return e.tx, e.from, true
	}
	e, ok := c.old[string(raw)]
	return e.tx, e.from, ok
}

// Add remembers a decoded transaction and its sender.
func (c *TxCache) Add(raw []byte, tx *types.Transaction, from common.Address) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.cur[string(raw)]; ok {
		return
	}
	c.cur[string(raw)] = cachedTx{tx, from}
	c.curBytes += len(raw)
	if len(c.cur) >= txGeneration || c.curBytes >= txGenerationBytes {
		c.old, c.cur = c.cur, make(map[string]cachedTx, txGeneration)
		c.oldBytes, c.curBytes = c.curBytes, 0
	}
}

// Bytes returns the raw bytes of the transactions the cache holds.
func (c *TxCache) Bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.curBytes + c.oldBytes
}
