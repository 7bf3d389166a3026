package rpc

import (
	"errors"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

// maxProofKeys bounds the storage keys of one eth_getProof.
const maxProofKeys = 1024

// accountResult is the answer of eth_getProof (EIP-1186).
type accountResult struct {
	Address      common.Address  `json:"address"`
	AccountProof []string        `json:"accountProof"`
	Balance      *hexutil.Big    `json:"balance"`
	CodeHash     common.Hash     `json:"codeHash"`
	Nonce        hexutil.Uint64  `json:"nonce"`
	StorageHash  common.Hash     `json:"storageHash"`
	StorageProof []storageResult `json:"storageProof"`
}

type storageResult struct {
	Key   string       `json:"key"`
	Value *hexutil.Big `json:"value"`
	Proof []string     `json:"proof"`
}

// proofList collects the trie nodes of a proof as hex strings.
type proofList []string

func (n *proofList) Put(key []byte, value []byte) error {
	*n = append(*n, hexutil.Encode(value))
	return nil
}

func (n *proofList) Delete(key []byte) error { return errors.New("a proof list is append-only") }

// GetProof returns the Merkle proof of an account and some of its storage
// against a block's state root, which the validators' commit signatures
// certify through the block's AppHash (execution.AppHash).
func (api *EthAPI) GetProof(addr common.Address, keys []string, bnh gethrpc.BlockNumberOrHash) (*accountResult, error) {
	if len(keys) > maxProofKeys {
		return nil, limitExceeded("%d storage keys, at most %d per eth_getProof", len(keys), maxProofKeys)
	}
	slots := make([]common.Hash, len(keys))
	lengths := make([]int, len(keys))
	for i, k := range keys {
		var err error
		if slots[i], lengths[i], err = decodeStorageKey(k); err != nil {
			return nil, invalidParams("storage key %q: %v", k, err)
		}
	}
	st, header, err := api.b.stateAt(bnh)
	if err != nil {
		return nil, err
	}
	storageRoot := st.GetStorageRoot(addr)
	storageProof := make([]storageResult, len(keys))
	for i, slot := range slots {
		outKey := hexutil.Encode(slot[:])
		if lengths[i] != 32 {
			outKey = hexutil.EncodeBig(slot.Big())
		}
		storageProof[i] = storageResult{Key: outKey, Value: (*hexutil.Big)(st.GetState(addr, slot).Big()), Proof: []string{}}
		if storageRoot == types.EmptyRootHash || storageRoot == (common.Hash{}) {
			continue
		}
		tr, err := st.Database().OpenStorageTrie(header.Root, addr, storageRoot, nil)
		if err != nil {
			return nil, err
		}
		var proof proofList
		if err := tr.Prove(crypto.Keccak256(slot.Bytes()), &proof); err != nil {
			return nil, err
		}
		storageProof[i].Proof = proof
	}
	tr, err := st.Database().OpenTrie(header.Root)
	if err != nil {
		return nil, err
	}
	var accountProof proofList
	if err := tr.Prove(crypto.Keccak256(addr.Bytes()), &accountProof); err != nil {
		return nil, err
	}
	return &accountResult{
		Address:      addr,
		AccountProof: accountProof,
		Balance:      (*hexutil.Big)(st.GetBalance(addr).ToBig()),
		CodeHash:     st.GetCodeHash(addr),
		Nonce:        hexutil.Uint64(st.GetNonce(addr)),
		StorageHash:  storageRoot,
		StorageProof: storageProof,
	}, api.b.readErr(st, header)
}
