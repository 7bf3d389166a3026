package rpc

import (
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
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
