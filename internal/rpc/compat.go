package rpc

import (
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/chuxin-chain/chuxin/internal/system"
)

// The methods libraries and older code still call, answered as an
// Ethereum devnet answers them on a chain without mining, uncles or blobs.

// Accounts returns the accounts the node signs for: none (keys stay with
// their owners), as geth without unlocked accounts answers.
func (api *EthAPI) Accounts() []common.Address { return []common.Address{} }

// Mining says whether the node mines: it does not (BFT consensus).
func (api *EthAPI) Mining() bool { return false }

// Hashrate is the node's mining hash rate: 0.
func (api *EthAPI) Hashrate() hexutil.Uint64 { return 0 }

// ProtocolVersion is the Ethereum wire protocol version geth last reported
// (eth/68); chuxin's peers speak CometBFT's protocols instead.
func (api *EthAPI) ProtocolVersion() hexutil.Uint { return 68 }

// Coinbase is the account that receives the fees of the blocks this node
// proposes (were it a validator): its fee recipient in the Consortium
// contract, or, as for every proposer without one, the account of its
// consensus address.
func (api *EthAPI) Coinbase() (common.Address, error) {
	var self []byte
	if api.b.ConsensusAddress != nil {
		self = api.b.ConsensusAddress()
	}
	if len(self) == 0 {
		return common.Address{}, &rpcError{code: -32000, msg: "this node proposes no blocks: it has no consensus address"}
	}
	st, _, err := api.b.stateAt(latest)
	if err != nil {
		return common.Address{}, err
	}
	if to, ok := system.FeeRecipientOf(st, self); ok {
		return to, nil
	}
	return common.BytesToAddress(self), nil
}

// BlobBaseFee is the blob base fee of the next block, as geth computes it
// from the header: the minimum, 1 wei, on a chain whose blocks carry no
// blobs (blob transactions are refused).
func (api *EthAPI) BlobBaseFee() *hexutil.Big { return (*hexutil.Big)(common.Big1) }

// GetUncleCountByBlockNumber is 0 for every block (BFT blocks have no
// uncles), null for a block that does not exist.
func (api *EthAPI) GetUncleCountByBlockNumber(n gethrpc.BlockNumber) (*hexutil.Uint, error) {
	b, err := api.blockByNumber(n)
	if err != nil || b == nil {
		return nil, err
	}
	zero := hexutil.Uint(0)
	return &zero, nil
}

// GetUncleCountByBlockHash is GetUncleCountByBlockNumber by hash.
func (api *EthAPI) GetUncleCountByBlockHash(hash common.Hash) (*hexutil.Uint, error) {
	b, err := api.blockByHash(hash)
	if err != nil || b == nil {
		return nil, err
	}
	zero := hexutil.Uint(0)
	return &zero, nil
}

// GetUncleByBlockNumberAndIndex is null: there are no uncles.
func (api *EthAPI) GetUncleByBlockNumberAndIndex(gethrpc.BlockNumber, hexutil.Uint) map[string]any {
	return nil
}

// GetUncleByBlockHashAndIndex is null: there are no uncles.
func (api *EthAPI) GetUncleByBlockHashAndIndex(common.Hash, hexutil.Uint) map[string]any { return nil }
