package rpc

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
)

// TxPoolAPI is the txpool_ namespace, as geth names it.
type TxPoolAPI struct{ b *Backend }

// Status returns how many transactions wait in this node's mempool, as
// geth's txpool_status does: pending can run in a coming block, queued waits
// behind a gap in its sender's nonces (the mempool admits up to 64 nonces
// past a sender's unbroken run). Load generators poll it to start on a
// drained node.
func (api *TxPoolAPI) Status() (map[string]hexutil.Uint, error) {
	total := 0
	if api.b.PoolSize != nil {
		total = api.b.PoolSize()
	}
	queued := 0
	if total > 0 {
		st, _, err := api.b.stateAt(latest)
		if err != nil {
			return nil, err
		}
		queued = min(api.b.App.Pool().Queued(func(a common.Address) uint64 { return st.GetNonce(a) }), total)
	}
	return map[string]hexutil.Uint{"pending": hexutil.Uint(total - queued), "queued": hexutil.Uint(queued)}, nil
}

// poolTx is a transaction waiting in the mempool, with its sender.
type poolTx struct {
	tx   *types.Transaction
	from common.Address
}

// poolView bounds what one answer of txpool_content, txpool_contentFrom
// or txpool_inspect holds: a full mempool of large transactions would
// otherwise make an answer of hundreds of megabytes for any caller.
var poolView = struct{ txs, bytes int }{txs: 4096, bytes: 8 << 20}

// pool returns the mempool's transactions by sender (of only one sender,
// if only is set), split as geth splits them: pending (the sender's next
// nonces, without a gap) and queued (behind a gap). It refuses (ErrLimit)
// more than poolView's bound.
func (api *TxPoolAPI) pool(only *common.Address) (pending, queued map[common.Address][]poolTx, err error) {
	pending, queued = map[common.Address][]poolTx{}, map[common.Address][]poolTx{}
	if api.b.PoolTxs == nil {
		return pending, queued, nil
	}
	bySender := map[common.Address][]poolTx{}
	n, size := 0, 0
	for _, raw := range api.b.PoolTxs() {
		tx, from, err := api.b.App.Recover(raw)
		if err != nil || only != nil && from != *only {
			continue // a payload, or refused since: not the pool's
		}
		if n, size = n+1, size+len(raw); n > poolView.txs || size > poolView.bytes {
			return nil, nil, fmt.Errorf("%w: the answer would hold over %d transactions or %d bytes, the most one answer holds: ask txpool_status for counts, or txpool_contentFrom for one sender", ErrLimit, poolView.txs, poolView.bytes)
		}
		bySender[from] = append(bySender[from], poolTx{tx, from})
	}
	st, _, err := api.b.stateAt(latest)
	if err != nil {
		return nil, nil, err
	}
	for from, txs := range bySender {
		slices.SortFunc(txs, func(a, b poolTx) int { return cmp.Compare(a.tx.Nonce(), b.tx.Nonce()) })
		next := st.GetNonce(from)
		for _, t := range txs {
			if t.tx.Nonce() == next {
				pending[from] = append(pending[from], t)
				next++
			} else if t.tx.Nonce() > next {
				queued[from] = append(queued[from], t)
			}
		}
	}
	return pending, queued, nil
}

func byNonce(txs []poolTx, f func(poolTx) any) map[string]any {
	out := map[string]any{}
	for _, t := range txs {
		out[strconv.FormatUint(t.tx.Nonce(), 10)] = f(t)
	}
	return out
}

func (api *TxPoolAPI) view(f func(poolTx) any) (map[string]map[string]map[string]any, error) {
	pending, queued, err := api.pool(nil)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]map[string]any{"pending": {}, "queued": {}}
	for name, group := range map[string]map[common.Address][]poolTx{"pending": pending, "queued": queued} {
		for from, txs := range group {
			out[name][from.Hex()] = byNonce(txs, f)
		}
	}
	return out, nil
}

func asRPC(t poolTx) any { return newRPCTransaction(t.tx, t.from, nil, 0) }

// Content returns every transaction in the mempool, by sender and nonce,
// pending and queued, as geth's txpool_content does.
func (api *TxPoolAPI) Content() (map[string]map[string]map[string]any, error) { return api.view(asRPC) }

// ContentFrom returns one sender's transactions in the mempool.
func (api *TxPoolAPI) ContentFrom(addr common.Address) (map[string]map[string]any, error) {
	pending, queued, err := api.pool(&addr)
	if err != nil {
		return nil, err
	}
	return map[string]map[string]any{"pending": byNonce(pending[addr], asRPC), "queued": byNonce(queued[addr], asRPC)}, nil
}

// Inspect summarises the mempool in geth's words: "to: value wei + gas gas ×
// price wei" per transaction.
func (api *TxPoolAPI) Inspect() (map[string]map[string]map[string]any, error) {
	return api.view(func(t poolTx) any {
		to := "contract creation"
		if t.tx.To() != nil {
			to = t.tx.To().Hex()
		}
		return fmt.Sprintf("%s: %v wei + %v gas × %v wei", to, t.tx.Value(), t.tx.Gas(), t.tx.GasFeeCap())
	})
}
