package rpc

import (
	"context"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// SendRawTransaction hands a signed transaction to the mempool and returns
// its hash once the node has admitted it; a refusal is an error that says
// why (nonce too low, insufficient funds, invalid chain id …).
func (api *EthAPI) SendRawTransaction(ctx context.Context, raw hexutil.Bytes) (common.Hash, error) {
	tx, _, err := api.b.App.Recover(raw)
	if err != nil {
		return common.Hash{}, txRefused(err.Error())
	}
	if err := api.b.Submit(ctx, raw); err != nil {
		return common.Hash{}, txRefused(err.Error())
	}
	return tx.Hash(), nil
}
