package rpc

import (
	"bytes"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/ethereum/go-ethereum/trie"
	"github.com/ethereum/go-ethereum/triedb"

	"github.com/chuxin-chain/chuxin/internal/execution"
)

// ChuxinAPI is the chuxin namespace: what a chuxin node offers beyond
// Ethereum's API.
type ChuxinAPI struct{ b *Backend }

// ReceiptProof is the answer of chuxin_getReceiptProof: a receipt in its
// consensus encoding, its Merkle proof against its block's receipts root,
// and what links that root to the validators' signatures.
//
// A light client checks it in three steps:
//  1. keccak256(stateRoot ‖ receiptsRoot) equals appHash;
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
	tr := trie.NewEmpty(triedb.NewDatabase(rawdb.NewMemoryDatabase(), nil))
	var buf bytes.Buffer
	for i := range receipts {
		buf.Reset()
		receipts.EncodeIndex(i, &buf)
		if err := tr.Update(rlp.AppendUint64(nil, uint64(i)), bytes.Clone(buf.Bytes())); err != nil {
			return nil, fmt.Errorf("receipt trie of block %d: %w", header.Number, err)
		}
	}
	if root := tr.Hash(); root != header.ReceiptHash {
		return nil, fmt.Errorf("receipt trie of block %d: root %s, header says %s: the stored receipts are damaged", header.Number, root, header.ReceiptHash)
	}
	var proof proofList
	if err := tr.Prove(rlp.AppendUint64(nil, loc.Index), &proof); err != nil {
		return nil, fmt.Errorf("prove receipt %d of block %d: %w", loc.Index, header.Number, err)
	}
	buf.Reset()
	receipts.EncodeIndex(int(loc.Index), &buf)
	return &ReceiptProof{
		BlockNumber:      hexutil.Uint64(loc.BlockNumber),
		BlockHash:        loc.BlockHash,
		TransactionHash:  hash,
		TransactionIndex: hexutil.Uint64(loc.Index),
		Receipt:          buf.Bytes(),
		ReceiptsRoot:     header.ReceiptHash,
		StateRoot:        header.Root,
		AppHash:          execution.AppHash(header),
		ConsensusHeight:  hexutil.Uint64(loc.BlockNumber + 1),
		Proof:            proof,
	}, nil
}
