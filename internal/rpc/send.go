package rpc

import (
	"context"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core"
)

// aheadWait bounds how long a transaction that arrived too far ahead of its
// sender's pooled transactions waits for them (see SendRawTransaction).
const aheadWait = 250 * time.Millisecond

// SendRawTransaction hands a signed transaction to the mempool and returns
// its hash once the node has admitted it; a refusal is an error that says
// why (nonce too low, insufficient funds, invalid chain id …).
//
// go-ethereum's server serves the requests of one connection concurrently,
// so a client that writes its nonces in order over one WebSocket (Caliper's
// workers, a bot) can have a transaction reach the mempool before the ones
// it follows. The mempool takes up to 64 nonces past a gap; a transaction
// refused as further ahead than that is tried again, with backoff, for up
// to 250 ms, so that its predecessors, already on their way, can close the
// gap. One that is truly ahead is refused as before, that much later.
func (api *EthAPI) SendRawTransaction(ctx context.Context, raw hexutil.Bytes) (common.Hash, error) {
	tx, _, err := api.b.App.Recover(raw)
	if err != nil {
		return common.Hash{}, txRefused(err.Error())
	}
	err = api.b.Submit(ctx, raw)
	deadline := time.Now().Add(aheadWait)
	for wait := 5 * time.Millisecond; err != nil && tooFarAhead(err) && time.Now().Before(deadline); wait *= 2 {
		select {
		case <-ctx.Done():
			return common.Hash{}, txRefused(err.Error())
		case <-time.After(min(wait, time.Until(deadline))):
		}
		err = api.b.Submit(ctx, raw)
	}
	if err != nil {
		return common.Hash{}, txRefused(err.Error())
	}
	return tx.Hash(), nil
}

// tooFarAhead says whether the mempool refused a transaction for a nonce
// past the window it keeps behind a gap (the refusal carries go-ethereum's
// words, as every refusal does).
func tooFarAhead(err error) bool {
	return strings.HasPrefix(err.Error(), core.ErrNonceTooHigh.Error())
}
