package rpc

import (
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
)

// rpcTransaction is a transaction as eth_getTransactionByHash returns it.
type rpcTransaction struct {
	BlockHash         *common.Hash                 `json:"blockHash"`
	BlockNumber       *hexutil.Big                 `json:"blockNumber"`
	BlockTimestamp    *hexutil.Uint64              `json:"blockTimestamp,omitempty"`
	From              common.Address               `json:"from"`
	Gas               hexutil.Uint64               `json:"gas"`
	GasPrice          *hexutil.Big                 `json:"gasPrice"`
	GasFeeCap         *hexutil.Big                 `json:"maxFeePerGas,omitempty"`
	GasTipCap         *hexutil.Big                 `json:"maxPriorityFeePerGas,omitempty"`
	Hash              common.Hash                  `json:"hash"`
	Input             hexutil.Bytes                `json:"input"`
	Nonce             hexutil.Uint64               `json:"nonce"`
	To                *common.Address              `json:"to"`
	TransactionIndex  *hexutil.Uint64              `json:"transactionIndex"`
	Value             *hexutil.Big                 `json:"value"`
	Type              hexutil.Uint64               `json:"type"`
	Accesses          *types.AccessList            `json:"accessList,omitempty"`
	ChainID           *hexutil.Big                 `json:"chainId,omitempty"`
	AuthorizationList []types.SetCodeAuthorization `json:"authorizationList,omitempty"`
	V                 *hexutil.Big                 `json:"v"`
	R                 *hexutil.Big                 `json:"r"`
	S                 *hexutil.Big                 `json:"s"`
	YParity           *hexutil.Uint64              `json:"yParity,omitempty"`
}

// newRPCTransaction describes tx; header is nil for a transaction not yet in
// a block.
func newRPCTransaction(tx *types.Transaction, from common.Address, header *types.Header, index uint64) *rpcTransaction {
	v, r, s := tx.RawSignatureValues()
	out := &rpcTransaction{
		Type:     hexutil.Uint64(tx.Type()),
		From:     from,
		Gas:      hexutil.Uint64(tx.Gas()),
		GasPrice: (*hexutil.Big)(tx.GasPrice()),
		Hash:     tx.Hash(),
		Input:    tx.Data(),
		Nonce:    hexutil.Uint64(tx.Nonce()),
		To:       tx.To(),
		Value:    (*hexutil.Big)(tx.Value()),
		V:        (*hexutil.Big)(v),
		R:        (*hexutil.Big)(r),
		S:        (*hexutil.Big)(s),
	}
	if header != nil {
		hash, idx, ts := header.Hash(), hexutil.Uint64(index), hexutil.Uint64(header.Time)
		out.BlockHash, out.BlockNumber, out.TransactionIndex, out.BlockTimestamp = &hash, (*hexutil.Big)(header.Number), &idx, &ts
	}
	if tx.Type() != types.LegacyTxType {
		al := tx.AccessList()
		yparity := hexutil.Uint64(v.Sign())
		out.Accesses, out.ChainID, out.YParity = &al, (*hexutil.Big)(tx.ChainId()), &yparity
	} else if tx.Protected() {
		out.ChainID = (*hexutil.Big)(tx.ChainId())
	}
	if tx.Type() >= types.DynamicFeeTxType {
		out.GasFeeCap, out.GasTipCap = (*hexutil.Big)(tx.GasFeeCap()), (*hexutil.Big)(tx.GasTipCap())
		if header != nil && header.BaseFee != nil {
			out.GasPrice = (*hexutil.Big)(effectiveGasPrice(tx, header.BaseFee))
		} else {
			out.GasPrice = (*hexutil.Big)(tx.GasFeeCap())
		}
	}
	if tx.Type() == types.SetCodeTxType {
		out.AuthorizationList = tx.SetCodeAuthorizations()
	}
	return out
}

// effectiveGasPrice is what a transaction paid per gas in a block.
func effectiveGasPrice(tx *types.Transaction, baseFee *big.Int) *big.Int {
	if baseFee == nil {
		return tx.GasPrice()
	}
	p := new(big.Int).Add(tx.GasTipCap(), baseFee)
	if p.Cmp(tx.GasFeeCap()) > 0 {
		p.Set(tx.GasFeeCap())
	}
	return p
}

// marshalReceipt describes a receipt as eth_getTransactionReceipt returns it.
func marshalReceipt(r *types.Receipt, tx *types.Transaction, from common.Address, header *types.Header) map[string]any {
	logs := r.Logs
	if logs == nil {
		logs = []*types.Log{}
	}
	fields := map[string]any{
		"blockHash":         header.Hash(),
		"blockNumber":       (*hexutil.Big)(header.Number),
		"transactionHash":   tx.Hash(),
		"transactionIndex":  hexutil.Uint64(r.TransactionIndex),
		"from":              from,
		"to":                tx.To(),
		"gasUsed":           hexutil.Uint64(r.GasUsed),
		"cumulativeGasUsed": hexutil.Uint64(r.CumulativeGasUsed),
		"contractAddress":   nil,
		"logs":              logs,
		"logsBloom":         r.Bloom,
		"type":              hexutil.Uint(tx.Type()),
		"effectiveGasPrice": (*hexutil.Big)(effectiveGasPrice(tx, header.BaseFee)),
		"status":            hexutil.Uint(r.Status),
	}
	if r.ContractAddress != (common.Address{}) {
		fields["contractAddress"] = r.ContractAddress
	}
	return fields
}

// marshalBlock describes a block as eth_getBlockByNumber returns it, with
// full transactions or only their hashes.
func marshalBlock(b *types.Block, fullTx bool, signer types.Signer) map[string]any {
	return marshalBlockFrom(b, fullTx, func(tx *types.Transaction) common.Address {
		from, _ := types.Sender(signer, tx)
		return from
	})
}

// marshalBlockFrom is marshalBlock with the senders given by from.
func marshalBlockFrom(b *types.Block, fullTx bool, from func(*types.Transaction) common.Address) map[string]any {
	fields := marshalHeader(b.Header())
	fields["size"] = hexutil.Uint64(b.Size())
	fields["uncles"] = []common.Hash{}
	fields["withdrawals"] = []*types.Withdrawal{}
	txs := b.Transactions()
	if fullTx {
		out := make([]*rpcTransaction, len(txs))
		for i, tx := range txs {
			out[i] = newRPCTransaction(tx, from(tx), b.Header(), uint64(i))
		}
		fields["transactions"] = out
	} else {
		out := make([]common.Hash, len(txs))
		for i, tx := range txs {
			out[i] = tx.Hash()
		}
		fields["transactions"] = out
	}
	return fields
}

// marshalHeader describes a header as eth_getBlockBy* and the newHeads
// subscription give it, field by field as geth's RPCMarshalHeader does: the
// optional fields of later forks appear only when the header has them.
func marshalHeader(h *types.Header) map[string]any {
	fields := map[string]any{
		"number":           (*hexutil.Big)(h.Number),
		"hash":             h.Hash(),
		"parentHash":       h.ParentHash,
		"nonce":            h.Nonce,
		"mixHash":          h.MixDigest,
		"sha3Uncles":       h.UncleHash,
		"logsBloom":        h.Bloom,
		"stateRoot":        h.Root,
		"miner":            h.Coinbase,
		"difficulty":       (*hexutil.Big)(h.Difficulty),
		"totalDifficulty":  "0x0",
		"extraData":        hexutil.Bytes(h.Extra),
		"gasLimit":         hexutil.Uint64(h.GasLimit),
		"gasUsed":          hexutil.Uint64(h.GasUsed),
		"timestamp":        hexutil.Uint64(h.Time),
		"transactionsRoot": h.TxHash,
		"receiptsRoot":     h.ReceiptHash,
	}
	if h.BaseFee != nil {
		fields["baseFeePerGas"] = (*hexutil.Big)(h.BaseFee)
	}
	if h.WithdrawalsHash != nil {
		fields["withdrawalsRoot"] = h.WithdrawalsHash
	}
	if h.BlobGasUsed != nil {
		fields["blobGasUsed"] = hexutil.Uint64(*h.BlobGasUsed)
	}
	if h.ExcessBlobGas != nil {
		fields["excessBlobGas"] = hexutil.Uint64(*h.ExcessBlobGas)
	}
	if h.ParentBeaconRoot != nil {
		fields["parentBeaconBlockRoot"] = h.ParentBeaconRoot
	}
	if h.RequestsHash != nil {
		fields["requestsHash"] = h.RequestsHash
	}
	return fields
}
