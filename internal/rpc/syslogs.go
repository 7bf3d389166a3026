package rpc

import (
	"bytes"
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
	"github.com/ethereum/go-ethereum/trie"
	"github.com/ethereum/go-ethereum/triedb"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/rpc/wire"
)

// The wire types of the system logs live in package wire.
type (
	SystemLog      = wire.SystemLog
	SystemCall     = wire.SystemCall
	SystemLogProof = wire.SystemLogProof
)

// GetSystemLogs returns the system logs that match the criteria (the shape
// eth_getLogs takes), within the bounds of eth_getLogs: the logs that
// system calls emitted, which eth_getLogs leaves out because every log it
// returns belongs to a transaction. It reads only the blocks that have
// some whose bloom admits the filter.
func (api *ChuxinAPI) GetSystemLogs(ctx context.Context, crit FilterCriteria) ([]SystemLog, error) {
	from, to, err := (&EthAPI{b: api.b}).filterRange(&crit)
	if err != nil {
		return nil, err
	}
	out := []SystemLog{}
	err = api.b.Store.EachSystemLogs(from, to, crit.mayMatch, func(n uint64, logs execution.SystemLogs) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := api.b.Store.HeaderByNumber(n)
		if err != nil {
			return err
		}
		for i, l := range logs {
			if !crit.matches(&types.Log{Address: l.Address, Topics: l.Topics}) {
				continue
			}
			out = append(out, systemLogJSON(h, i, &l))
			if err := api.b.tooManyLogs(len(out)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func systemLogJSON(h *types.Header, i int, l *execution.SystemLog) SystemLog {
	return SystemLog{
		Address: l.Address, Topics: l.Topics, Data: l.Data,
		BlockNumber: hexutil.Uint64(h.Number.Uint64()), BlockHash: h.Hash(), BlockTimestamp: hexutil.Uint64(h.Time),
		LogIndex:   hexutil.Uint64(i),
		SystemCall: SystemCall{Index: hexutil.Uint64(l.Call), Phase: l.Phase.String(), To: l.To, Method: l.Method[:]},
	}
}

// GetSystemLogProof returns a system log of a block with its Merkle proof
// against the block's system logs root and what links that root to the
// validators' signatures (see SystemLogProof). Blocks before rule version
// genesis.VersionSystemLogs have no such root in their AppHash.
func (api *ChuxinAPI) GetSystemLogProof(number hexutil.Uint64, index hexutil.Uint64) (*SystemLogProof, error) {
	head, err := api.b.head()
	if err != nil {
		return nil, err
	}
	if uint64(number) > head.Number.Uint64() {
		return nil, invalidParams("block %d is not committed yet (the head is %d)", number, head.Number)
	}
	h, err := api.b.Store.HeaderByNumber(uint64(number))
	if err != nil {
		return nil, err
	}
	if v, err := api.versionAt(h.Number.Uint64()); err != nil {
		return nil, err
	} else if v < genesis.VersionSystemLogs {
		return nil, invalidParams("block %d is under rule version %d: its AppHash covers no system logs (they are certified from rule version %d)", number, v, genesis.VersionSystemLogs)
	}
	logs, err := api.b.Store.SystemLogs(h.Number.Uint64())
	if err != nil {
		return nil, err
	}
	if uint64(index) >= uint64(len(logs)) {
		return nil, invalidParams("block %d has %d system logs, no log %d", number, len(logs), index)
	}
	root, proof, err := proveIndex(logs, uint64(index))
	if err != nil {
		return nil, fmt.Errorf("system logs of block %d: %w", number, err)
	}
	var buf bytes.Buffer
	logs.EncodeIndex(int(index), &buf)
	return &SystemLogProof{
		BlockNumber: number, BlockHash: h.Hash(), LogIndex: index, Log: buf.Bytes(),
		SystemLogsRoot: root, StateRoot: h.Root, ReceiptsRoot: h.ReceiptHash,
		AppHash: execution.AppHash(h, &root), ConsensusHeight: number + 1, Proof: proof,
	}, nil
}

// versionAt returns the rule version of a committed block, from the head's
// state (see execution.Executor.AppHashOf).
func (api *ChuxinAPI) versionAt(number uint64) (uint64, error) {
	st, h, err := api.b.stateAt(gethrpc.BlockNumberOrHashWithNumber(gethrpc.LatestBlockNumber))
	if err != nil {
		return 0, err
	}
	v := api.b.App.Executor().VersionAt(st, number)
	if err := api.b.readErr(st, h); err != nil {
		return 0, err
	}
	return v, nil
}

// appHash returns the AppHash of the committed block h and, from rule
// version genesis.VersionSystemLogs, the system logs root it covers
// (execution.Executor.CommittedAppHash), reading the rule version in the
// head's state.
func (api *ChuxinAPI) appHash(h *types.Header) ([]byte, *common.Hash, error) {
	st, head, err := api.b.stateAt(gethrpc.BlockNumberOrHashWithNumber(gethrpc.LatestBlockNumber))
	if err != nil {
		return nil, nil, err
	}
	return api.b.App.Executor().CommittedAppHash(st, h, func() error { return api.b.readErr(st, head) }, api.b.Store.SystemLogs)
}

// proveIndex builds the trie that maps rlp(i) to list's item i (as a
// block's receipts and system logs roots do) and returns its root and the
// proof of item index.
func proveIndex(list types.DerivableList, index uint64) (common.Hash, proofList, error) {
	tr := trie.NewEmpty(triedb.NewDatabase(rawdb.NewMemoryDatabase(), nil))
	var buf bytes.Buffer
	for i := range list.Len() {
		buf.Reset()
		list.EncodeIndex(i, &buf)
		if err := tr.Update(rlp.AppendUint64(nil, uint64(i)), bytes.Clone(buf.Bytes())); err != nil {
			return common.Hash{}, nil, err
		}
	}
	var proof proofList
	if err := tr.Prove(rlp.AppendUint64(nil, index), &proof); err != nil {
		return common.Hash{}, nil, fmt.Errorf("prove item %d: %w", index, err)
	}
	return tr.Hash(), proof, nil
}
