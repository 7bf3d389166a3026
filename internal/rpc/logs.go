package rpc

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

// maxTopics is the number of topic positions a log has.
const maxTopics = 4

// FilterCriteria selects logs, as eth_getLogs and eth_newFilter take it.
type FilterCriteria struct {
	BlockHash *common.Hash
	FromBlock *gethrpc.BlockNumber
	ToBlock   *gethrpc.BlockNumber
	Addresses []common.Address
	Topics    [][]common.Hash
}

// UnmarshalJSON reads the criteria; address and each topic position may be
// one value or a list, and a null topic position matches anything.
func (c *FilterCriteria) UnmarshalJSON(b []byte) error {
	var raw struct {
		BlockHash *common.Hash         `json:"blockHash"`
		FromBlock *gethrpc.BlockNumber `json:"fromBlock"`
		ToBlock   *gethrpc.BlockNumber `json:"toBlock"`
		Address   json.RawMessage      `json:"address"`
		Topics    []json.RawMessage    `json:"topics"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("filter: %w", err)
	}
	if raw.BlockHash != nil && (raw.FromBlock != nil || raw.ToBlock != nil) {
		return fmt.Errorf("filter: blockHash and fromBlock/toBlock are exclusive")
	}
	c.BlockHash, c.FromBlock, c.ToBlock = raw.BlockHash, raw.FromBlock, raw.ToBlock
	var err error
	if c.Addresses, err = oneOrMany[common.Address](raw.Address); err != nil {
		return fmt.Errorf("filter address: %w", err)
	}
	if len(raw.Topics) > maxTopics {
		return fmt.Errorf("filter: %d topic positions, a log has at most %d", len(raw.Topics), maxTopics)
	}
	c.Topics = make([][]common.Hash, len(raw.Topics))
	for i, t := range raw.Topics {
		if c.Topics[i], err = oneOrMany[common.Hash](t); err != nil {
			return fmt.Errorf("filter topic %d: %w", i, err)
		}
	}
	return nil
}

// oneOrMany decodes null, one T or a list of T.
func oneOrMany[T any](raw json.RawMessage) ([]T, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '[' {
		var many []T
		err := json.Unmarshal(raw, &many)
		return many, err
	}
	var one T
	if err := json.Unmarshal(raw, &one); err != nil {
		return nil, err
	}
	return []T{one}, nil
}

// matches reports whether a log satisfies the address and topic criteria.
func (c *FilterCriteria) matches(l *types.Log) bool {
	if len(c.Addresses) > 0 && !contains(c.Addresses, l.Address) {
		return false
	}
	if len(c.Topics) > len(l.Topics) {
		return false
	}
	for i, alts := range c.Topics {
		if len(alts) > 0 && !contains(alts, l.Topics[i]) {
			return false
		}
	}
	return true
}

// mayMatch reports whether a block's bloom admits a matching log.
func (c *FilterCriteria) mayMatch(bloom types.Bloom) bool {
	if len(c.Addresses) > 0 {
		hit := false
		for _, a := range c.Addresses {
			if bloom.Test(a.Bytes()) {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	for _, alts := range c.Topics {
		if len(alts) == 0 {
			continue
		}
		hit := false
		for _, t := range alts {
			if bloom.Test(t.Bytes()) {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	return true
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// GetLogs returns the logs that match the criteria, within the node's bounds
// on block range and result count.
func (api *EthAPI) GetLogs(ctx context.Context, crit FilterCriteria) ([]*types.Log, error) {
	from, to, err := api.filterRange(&crit)
	if err != nil {
		return nil, err
	}
	if from > to {
		return []*types.Log{}, nil
	}
	return api.logsInRange(ctx, &crit, from, to)
}

// filterRange resolves the blocks a filter covers: its blockHash's, or
// fromBlock..toBlock within the node's bound (from > to: none).
func (api *EthAPI) filterRange(crit *FilterCriteria) (from, to uint64, err error) {
	if crit.BlockHash != nil {
		h, err := api.b.Store.HeaderByHash(*crit.BlockHash)
		if err != nil {
			return 0, 0, invalidParams("unknown block %s", crit.BlockHash)
		}
		return h.Number.Uint64(), h.Number.Uint64(), nil
	}
	// Two explicit numbers the wrong way round: geth's error.
	if f, t := crit.FromBlock, crit.ToBlock; f != nil && t != nil && *f >= 0 && *t >= 0 && *f > *t {
		return 0, 0, &rpcError{code: -32000, msg: fmt.Sprintf("invalid block range params: fromBlock %d is after toBlock %d", *f, *t)}
	}
	return api.logRange(crit.FromBlock, crit.ToBlock)
}

// tooManyLogs refuses an answer of more than the node's bound on logs.
func (b *Backend) tooManyLogs(n int) error {
	if n > b.Limits.MaxLogResults {
		return limitExceeded("query returns more than %d logs (rpc.max_log_results): narrow the block range or the filter", b.Limits.MaxLogResults)
	}
	return nil
}

// logRange resolves fromBlock/toBlock (default: latest) against the head.
func (api *EthAPI) logRange(fromTag, toTag *gethrpc.BlockNumber) (uint64, uint64, error) {
	head, err := api.b.head()
	if err != nil {
		return 0, 0, err
	}
	resolve := func(tag *gethrpc.BlockNumber) (uint64, error) {
		if tag == nil {
			return head.Number.Uint64(), nil
		}
		switch *tag {
		case gethrpc.LatestBlockNumber, gethrpc.SafeBlockNumber, gethrpc.FinalizedBlockNumber, gethrpc.PendingBlockNumber:
			return head.Number.Uint64(), nil
		case gethrpc.EarliestBlockNumber:
			return 0, nil
		}
		if *tag < 0 {
			return 0, invalidParams("block number %d", *tag)
		}
		return min(uint64(*tag), head.Number.Uint64()), nil
	}
	from, err := resolve(fromTag)
	if err != nil {
		return 0, 0, err
	}
	to, err := resolve(toTag)
	if err != nil {
		return 0, 0, err
	}
	if to >= from && to-from+1 > api.b.Limits.MaxLogRange {
		return 0, 0, limitExceeded("block range %d-%d spans %d blocks, more than the limit of %d (rpc.max_log_block_range): query smaller ranges", from, to, to-from+1, api.b.Limits.MaxLogRange)
	}
	return from, to, nil
}

// logsInRange scans blocks from..to, reading receipts only where the block
// bloom admits a match.
func (api *EthAPI) logsInRange(ctx context.Context, crit *FilterCriteria, from, to uint64) ([]*types.Log, error) {
	out := []*types.Log{}
	err := scanReceipts(ctx, api.b, crit, from, to, func(_ *types.Header, receipts types.Receipts) error {
		for _, r := range receipts {
			for _, l := range r.Logs {
				if crit.matches(l) {
					out = append(out, l)
				}
			}
		}
		return api.b.tooManyLogs(len(out))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scanReceipts calls fn with the receipts of each block of from..to whose
// bloom admits a log that crit matches.
func scanReceipts(ctx context.Context, b *Backend, crit *FilterCriteria, from, to uint64, fn func(*types.Header, types.Receipts) error) error {
	for n := from; n <= to; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := b.Store.HeaderByNumber(n)
		if err != nil {
			return err
		}
		if !crit.mayMatch(h.Bloom) {
			continue
		}
		receipts, err := b.Store.Receipts(h)
		if err != nil {
			return err
		}
		if err := fn(h, receipts); err != nil {
			return err
		}
	}
	return nil
}
