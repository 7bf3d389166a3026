package rpc

import (
	"context"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/chuxin-chain/chuxin/internal/store"
)

// blockByNumber returns the committed block at n, nil when there is none.
func (api *EthAPI) blockByNumber(n gethrpc.BlockNumber) (*types.Block, error) {
	h, err := api.b.headerByNumber(n)
	if err != nil || h == nil {
		return nil, err
	}
	b, err := api.b.Store.BlockByHash(h.Hash())
	if err != nil {
		return nil, notFound(err)
	}
	return b, nil
}

func (api *EthAPI) blockByHash(hash common.Hash) (*types.Block, error) {
	b, err := api.b.Store.BlockByHash(hash)
	if err != nil {
		return nil, notFound(err)
	}
	return b, nil
}

func (api *EthAPI) marshal(b *types.Block, full bool) (map[string]any, error) {
	if b == nil {
		return nil, nil
	}
	return marshalBlock(b, full, api.b.App.Executor().Signer), nil
}

// GetBlockByNumber returns a block by number or tag (null if there is none).
func (api *EthAPI) GetBlockByNumber(n gethrpc.BlockNumber, full bool) (map[string]any, error) {
	b, err := api.blockByNumber(n)
	if err != nil {
		return nil, err
	}
	return api.marshal(b, full)
}

// GetBlockByHash returns a block by hash (null if there is none).
func (api *EthAPI) GetBlockByHash(hash common.Hash, full bool) (map[string]any, error) {
	b, err := api.blockByHash(hash)
	if err != nil {
		return nil, err
	}
	return api.marshal(b, full)
}

// GetBlockTransactionCountByNumber returns the number of transactions of a block.
func (api *EthAPI) GetBlockTransactionCountByNumber(n gethrpc.BlockNumber) (*hexutil.Uint, error) {
	b, err := api.blockByNumber(n)
	if err != nil || b == nil {
		return nil, err
	}
	c := hexutil.Uint(len(b.Transactions()))
	return &c, nil
}

// GetBlockTransactionCountByHash returns the number of transactions of a block.
func (api *EthAPI) GetBlockTransactionCountByHash(hash common.Hash) (*hexutil.Uint, error) {
	b, err := api.blockByHash(hash)
	if err != nil || b == nil {
		return nil, err
	}
	c := hexutil.Uint(len(b.Transactions()))
	return &c, nil
}

// GetTransactionByBlockNumberAndIndex returns one transaction of a block.
func (api *EthAPI) GetTransactionByBlockNumberAndIndex(n gethrpc.BlockNumber, index hexutil.Uint) (*rpcTransaction, error) {
	b, err := api.blockByNumber(n)
	if err != nil || b == nil {
		return nil, err
	}
	return api.txAt(b, uint64(index)), nil
}

// GetTransactionByBlockHashAndIndex returns one transaction of a block.
func (api *EthAPI) GetTransactionByBlockHashAndIndex(hash common.Hash, index hexutil.Uint) (*rpcTransaction, error) {
	b, err := api.blockByHash(hash)
	if err != nil || b == nil {
		return nil, err
	}
	return api.txAt(b, uint64(index)), nil
}

func (api *EthAPI) txAt(b *types.Block, index uint64) *rpcTransaction {
	txs := b.Transactions()
	if index >= uint64(len(txs)) {
		return nil
	}
	from, _ := types.Sender(api.b.App.Executor().Signer, txs[index])
	return newRPCTransaction(txs[index], from, b.Header(), index)
}

// GetTransactionByHash returns a committed transaction, or null.
func (api *EthAPI) GetTransactionByHash(hash common.Hash) (*rpcTransaction, error) {
	tx, loc, err := api.b.Store.Transaction(hash)
	if err != nil {
		return nil, notFound(err)
	}
	header, err := api.b.Store.HeaderByHash(loc.BlockHash)
	if err != nil {
		return nil, notFound(err)
	}
	from, _ := types.Sender(api.b.App.Executor().Signer, tx)
	return newRPCTransaction(tx, from, header, loc.Index), nil
}

// GetTransactionReceipt returns the receipt of a committed transaction, or
// null while it is pending or unknown.
func (api *EthAPI) GetTransactionReceipt(hash common.Hash) (map[string]any, error) {
	c, err := api.b.committedTx(hash)
	if c == nil {
		return nil, err
	}
	from, _ := types.Sender(api.b.App.Executor().Signer, c.tx)
	return marshalReceipt(c.receipts[c.loc.Index], c.tx, from, c.header), nil
}

// committed is a committed transaction with its block's header and receipts.
type committed struct {
	tx       *types.Transaction
	loc      store.TxLocation
	header   *types.Header
	receipts types.Receipts
}

// committedTx finds a committed transaction; nil and no error when unknown.
func (b *Backend) committedTx(hash common.Hash) (*committed, error) {
	tx, loc, err := b.Store.Transaction(hash)
	if err != nil {
		return nil, notFound(err)
	}
	header, err := b.Store.HeaderByHash(loc.BlockHash)
	if err != nil {
		return nil, notFound(err)
	}
	receipts, err := b.Store.Receipts(header)
	if err != nil || loc.Index >= uint64(len(receipts)) {
		return nil, notFound(err)
	}
	return &committed{tx, loc, header, receipts}, nil
}

// GetBlockReceipts returns the receipts of every transaction of a block.
func (api *EthAPI) GetBlockReceipts(ctx context.Context, bnh gethrpc.BlockNumberOrHash) ([]map[string]any, error) {
	var (
		b   *types.Block
		err error
	)
	if hash, ok := bnh.Hash(); ok {
		b, err = api.blockByHash(hash)
	} else {
		n, _ := bnh.Number()
		b, err = api.blockByNumber(n)
	}
	if err != nil || b == nil {
		return nil, err
	}
	receipts, err := api.b.Store.Receipts(b.Header())
	if err != nil {
		return nil, notFound(err)
	}
	signer := api.b.App.Executor().Signer
	out := make([]map[string]any, len(receipts))
	for i, tx := range b.Transactions() {
		from, _ := types.Sender(signer, tx)
		out[i] = marshalReceipt(receipts[i], tx, from, b.Header())
	}
	return out, nil
}
