package rpc

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/core/types"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/chuxin-chain/chuxin/internal/store"
)

// EthAPI is the eth_ namespace.
type EthAPI struct {
	b       *Backend
	filters *filterSystem
}

// ChainId returns the EIP-155 chain id.
func (api *EthAPI) ChainId() *hexutil.Big { return (*hexutil.Big)(api.b.chainID()) }

// BlockNumber returns the number of the last committed block.
func (api *EthAPI) BlockNumber() (hexutil.Uint64, error) {
	h, err := api.b.head()
	if err != nil {
		return 0, err
	}
	return hexutil.Uint64(h.Number.Uint64()), nil
}

// Syncing returns false, or the progress of a node catching up.
func (api *EthAPI) Syncing() (any, error) {
	syncing, highest := api.b.Syncing()
	if !syncing {
		return false, nil
	}
	h, err := api.b.head()
	if err != nil {
		return nil, err
	}
	return map[string]hexutil.Uint64{
		"startingBlock": 0,
		"currentBlock":  hexutil.Uint64(h.Number.Uint64()),
		"highestBlock":  hexutil.Uint64(max(highest, h.Number.Uint64())),
	}, nil
}

// GetBalance returns the balance of an account at a block.
func (api *EthAPI) GetBalance(addr common.Address, bnh *gethrpc.BlockNumberOrHash) (*hexutil.Big, error) {
	st, h, err := api.b.stateAt(orLatest(bnh))
	if err != nil {
		return nil, err
	}
	balance := st.GetBalance(addr).ToBig()
	return (*hexutil.Big)(balance), api.b.readErr(st, h)
}

// GetCode returns the code of an account at a block.
func (api *EthAPI) GetCode(addr common.Address, bnh *gethrpc.BlockNumberOrHash) (hexutil.Bytes, error) {
	st, h, err := api.b.stateAt(orLatest(bnh))
	if err != nil {
		return nil, err
	}
	code := st.GetCode(addr)
	return code, api.b.readErr(st, h)
}

// GetStorageAt returns one storage slot of an account at a block.
func (api *EthAPI) GetStorageAt(addr common.Address, slot string, bnh *gethrpc.BlockNumberOrHash) (hexutil.Bytes, error) {
	key, _, err := decodeStorageKey(slot)
	if err != nil {
		return nil, invalidParams("storage slot %q: %v", slot, err)
	}
	st, h, err := api.b.stateAt(orLatest(bnh))
	if err != nil {
		return nil, err
	}
	v := st.GetState(addr, key)
	return v[:], api.b.readErr(st, h)
}

// decodeStorageKey reads a storage key of up to 32 bytes, as geth does.
func decodeStorageKey(s string) (common.Hash, int, error) {
	if len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X") {
		s = s[2:]
	}
	if len(s)%2 == 1 {
		s = "0" + s
	}
	b, err := hexutil.Decode("0x" + s)
	if err != nil && s != "" {
		return common.Hash{}, 0, err
	}
	if len(b) > 32 {
		return common.Hash{}, 0, errors.New("longer than 32 bytes")
	}
	return common.BytesToHash(b), len(b), nil
}

// GetTransactionCount returns the nonce of an account; for "pending" it
// counts the account's transactions waiting in the mempool too.
func (api *EthAPI) GetTransactionCount(addr common.Address, bnh *gethrpc.BlockNumberOrHash) (hexutil.Uint64, error) {
	at := orLatest(bnh)
	st, h, err := api.b.stateAt(at)
	if err != nil {
		return 0, err
	}
	nonce := st.GetNonce(addr)
	if err := api.b.readErr(st, h); err != nil {
		return 0, err
	}
	if n, ok := at.Number(); ok && n == gethrpc.PendingBlockNumber {
		nonce = api.b.App.Pool().PendingNonce(addr, nonce)
	}
	return hexutil.Uint64(nonce), nil
}

// GasPrice suggests a legacy gas price: the base fee (blocks are not full,
// so no tip is needed to be included).
func (api *EthAPI) GasPrice() (*hexutil.Big, error) {
	h, err := api.b.head()
	if err != nil {
		return nil, err
	}
	return (*hexutil.Big)(new(big.Int).Set(h.BaseFee)), nil
}

// MaxPriorityFeePerGas suggests a tip: none is needed.
func (api *EthAPI) MaxPriorityFeePerGas() *hexutil.Big { return (*hexutil.Big)(new(big.Int)) }

// feeHistoryResult is the answer of eth_feeHistory.
type feeHistoryResult struct {
	OldestBlock  *hexutil.Big     `json:"oldestBlock"`
	Reward       [][]*hexutil.Big `json:"reward,omitempty"`
	BaseFee      []*hexutil.Big   `json:"baseFeePerGas,omitempty"`
	GasUsedRatio []float64        `json:"gasUsedRatio"`
	BlobBaseFee  []*hexutil.Big   `json:"baseFeePerBlobGas,omitempty"`
	BlobGasRatio []float64        `json:"blobGasUsedRatio,omitempty"`
}

// maxFeeHistory is the most blocks one eth_feeHistory covers, and
// maxRewardPercentiles the most reward percentiles it takes (geth's bounds).
const (
	maxFeeHistory        = 1024
	maxRewardPercentiles = 100
)

// FeeHistory returns base fees, gas use and tip percentiles of recent blocks.
func (api *EthAPI) FeeHistory(ctx context.Context, count math.HexOrDecimal64, newest gethrpc.BlockNumber, percentiles []float64) (*feeHistoryResult, error) {
	if len(percentiles) > maxRewardPercentiles {
		return nil, limitExceeded("%d reward percentiles, at most %d per eth_feeHistory", len(percentiles), maxRewardPercentiles)
	}
	for i, p := range percentiles {
		if p < 0 || p > 100 || (i > 0 && p < percentiles[i-1]) {
			return nil, invalidParams("reward percentiles must be ascending values from 0 to 100")
		}
	}
	if count == 0 {
		return &feeHistoryResult{OldestBlock: (*hexutil.Big)(new(big.Int))}, nil
	}
	last, err := api.b.headerByNumber(newest)
	if err != nil {
		return nil, err
	}
	if last == nil {
		if last, err = api.b.head(); err != nil {
			return nil, err
		}
	}
	n := min(uint64(count), maxFeeHistory, last.Number.Uint64()+1)
	oldest := last.Number.Uint64() + 1 - n
	res := &feeHistoryResult{OldestBlock: (*hexutil.Big)(new(big.Int).SetUint64(oldest))}
	for num := oldest; num <= last.Number.Uint64(); num++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		block, err := api.b.Store.BlockByNumber(num)
		if err != nil {
			return nil, err
		}
		res.BaseFee = append(res.BaseFee, (*hexutil.Big)(block.BaseFee()))
		res.GasUsedRatio = append(res.GasUsedRatio, float64(block.GasUsed())/float64(block.GasLimit()))
		res.BlobBaseFee = append(res.BlobBaseFee, (*hexutil.Big)(new(big.Int)))
		res.BlobGasRatio = append(res.BlobGasRatio, 0)
		if len(percentiles) > 0 {
			rewards, err := api.rewards(block, percentiles)
			if err != nil {
				return nil, err
			}
			res.Reward = append(res.Reward, rewards)
		}
	}
	// The fee of the next block: the base fee is fixed by genesis.
	res.BaseFee = append(res.BaseFee, (*hexutil.Big)(last.BaseFee))
	res.BlobBaseFee = append(res.BlobBaseFee, (*hexutil.Big)(new(big.Int)))
	return res, nil
}

// rewards are the tips paid at the given percentiles of a block's gas, as
// geth computes them.
func (api *EthAPI) rewards(block *types.Block, percentiles []float64) ([]*hexutil.Big, error) {
	out := make([]*hexutil.Big, len(percentiles))
	txs := block.Transactions()
	if len(txs) == 0 {
		for i := range out {
			out[i] = (*hexutil.Big)(new(big.Int))
		}
		return out, nil
	}
	receipts, err := api.b.Store.Receipts(block.Header())
	if err != nil {
		return nil, err
	}
	type tip struct {
		reward *big.Int
		gas    uint64
	}
	tips := make([]tip, len(txs))
	for i, tx := range txs {
		r, _ := tx.EffectiveGasTip(block.BaseFee())
		tips[i] = tip{r, receipts[i].GasUsed}
	}
	slices.SortStableFunc(tips, func(a, b tip) int { return a.reward.Cmp(b.reward) })
	var (
		idx    int
		sumGas = tips[0].gas
	)
	for i, p := range percentiles {
		threshold := uint64(float64(block.GasUsed()) * p / 100)
		for sumGas < threshold && idx < len(tips)-1 {
			idx++
			sumGas += tips[idx].gas
		}
		out[i] = (*hexutil.Big)(tips[idx].reward)
	}
	return out, nil
}

// notFound turns a store miss into the null result Ethereum clients expect.
func notFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return fmt.Errorf("read chain: %w", err)
}
