package rpc

import (
	"bytes"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// ChuxinAPI is the chuxin namespace: what a chuxin node offers beyond
// Ethereum's API.
type ChuxinAPI struct{ b *Backend }

// ReceiptProof is the answer of chuxin_getReceiptProof: a receipt in its
// consensus encoding, its Merkle proof against its block's receipts root,
// and what links that root to the validators' signatures.
//
// A light client checks it in three steps:
//  1. keccak256(stateRoot ‖ receiptsRoot ‖ systemLogsRoot) equals appHash
//     (keccak256(stateRoot ‖ receiptsRoot) for a block before rule
//     version 4, which has no systemLogsRoot);
//  2. the CometBFT header at consensusHeight (one above blockNumber: a
//     header carries the AppHash of the block before it) has that AppHash,
//     and a commit for that header is signed by more than two thirds of the
//     voting power of a validator set the client trusts (CometBFT's light
//     client, or its /commit and /validators);
//  3. the proof, walked from receiptsRoot along the key rlp(transactionIndex),
//     ends in receipt.
type ReceiptProof struct {
	BlockNumber      hexutil.Uint64 `json:"blockNumber"`
	BlockHash        common.Hash    `json:"blockHash"`
	TransactionHash  common.Hash    `json:"transactionHash"`
	TransactionIndex hexutil.Uint64 `json:"transactionIndex"`
	Receipt          hexutil.Bytes  `json:"receipt"`
	ReceiptsRoot     common.Hash    `json:"receiptsRoot"`
	StateRoot        common.Hash    `json:"stateRoot"`
	SystemLogsRoot   *common.Hash   `json:"systemLogsRoot,omitempty"`
	AppHash          hexutil.Bytes  `json:"appHash"`
	ConsensusHeight  hexutil.Uint64 `json:"consensusHeight"`
	Proof            []string       `json:"proof"`
}

// GetReceiptProof returns the receipt of a committed transaction with its
// Merkle proof (see ReceiptProof), or null for an unknown transaction.
func (api *ChuxinAPI) GetReceiptProof(hash common.Hash) (*ReceiptProof, error) {
	c, err := api.b.committedTx(hash)
	if c == nil {
		return nil, err
	}
	loc, header, receipts := c.loc, c.header, c.receipts
	root, proof, err := proveIndex(receipts, loc.Index)
	if err != nil {
		return nil, fmt.Errorf("receipt trie of block %d: %w", header.Number, err)
	}
	if root != header.ReceiptHash {
		return nil, fmt.Errorf("receipt trie of block %d: root %s, header says %s: the stored receipts are damaged", header.Number, root, header.ReceiptHash)
	}
	appHash, logsRoot, err := api.appHash(header)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	receipts.EncodeIndex(int(loc.Index), &buf)
	return &ReceiptProof{
		BlockNumber:      hexutil.Uint64(loc.BlockNumber),
		BlockHash:        loc.BlockHash,
		TransactionHash:  hash,
		TransactionIndex: hexutil.Uint64(loc.Index),
		Receipt:          buf.Bytes(),
		ReceiptsRoot:     header.ReceiptHash,
		StateRoot:        header.Root,
		SystemLogsRoot:   logsRoot,
		AppHash:          appHash,
		ConsensusHeight:  hexutil.Uint64(loc.BlockNumber + 1),
		Proof:            proof,
	}, nil
}
