package rpc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/chuxin-chain/chuxin/internal/app"
	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/internal/store"
)

// Backend is what the API needs from the node.
type Backend struct {
	Store  *store.Store
	App    *app.App
	Limits config.RPC
	// Submit hands a raw transaction to the mempool and returns the refusal
	// reason, if any, once CheckTx has answered.
	Submit func(ctx context.Context, raw []byte) error
	// PoolSize is the number of transactions in the mempool (nil: none).
	PoolSize func() int
	// Peers is the number of connected peers.
	Peers func() int
	// Syncing reports whether the node is catching up, and the best height
	// it knows of.
	Syncing func() (bool, uint64)
	// Ready says why the node is not ready to serve current data (catching
	// up, stalled), or nil; nil Ready means always ready.
	Ready func() error
	// Observe is told of every HTTP request: its method (or "batch"),
	// whether it was answered without a transport error, and how long it
	// took (nil: nothing is told).
	Observe func(method string, d time.Duration)
	// Node is what this node alone knows of the network (its ID, the
	// validators' names and activity, block times, peers seen), which the
	// modules read (module.Chain.Node).
	Node module.Node
	// ConsensusAddress returns this node's CometBFT validator address (its
	// consensus key's, which a rotation changes), for eth_coinbase (nil:
	// none).
	ConsensusAddress func() []byte
	// PoolTxs returns the raw transactions in the mempool, in its order
	// (nil: none).
	PoolTxs func() [][]byte
	// ConsensusBlock returns the transactions (system payloads among them)
	// and the evidence of the consensus block at a height, which the
	// Ethereum block does not hold and a replay needs (nil: not known).
	ConsensusBlock func(height uint64) ([][]byte, []abci.Misbehavior, error)
	// Beacon is the chain's beacon, whose released rounds /drand serves
	// (nil: the chain has none).
	Beacon module.Beacon
	// Modules are the chain's modules, whose namespaces and mounts the
	// server serves (nil: none).
	Modules *module.Set
	// Log receives the server's own errors (default: slog's default logger).
	Log *slog.Logger
}

// chainID returns the EIP-155 chain id.
func (b *Backend) chainID() *big.Int { return b.App.Executor().Config.ChainID }

// head returns the last committed header.
func (b *Backend) head() (*types.Header, error) {
	h := b.Store.Head()
	if h == nil {
		return nil, errors.New("node has no committed block yet")
	}
	return h, nil
}

// headerByNumber resolves a block tag or number; nil (no error) for a block
// beyond the head. Pending is the head: this node builds no pending block of
// its own (the next proposer builds the next block from its mempool), so it
// answers as Besu, Erigon and Reth answer without one, and as chuxin's state
// queries already answer pending, rather than geth's "pending block is not
// available", which viem's getBlock({ blockTag: 'pending' }) cannot take.
func (b *Backend) headerByNumber(n gethrpc.BlockNumber) (*types.Header, error) {
	head, err := b.head()
	if err != nil {
		return nil, err
	}
	switch n {
	case gethrpc.LatestBlockNumber, gethrpc.SafeBlockNumber, gethrpc.FinalizedBlockNumber, gethrpc.PendingBlockNumber:
		return head, nil
	case gethrpc.EarliestBlockNumber:
		n = 0
	}
	if n < 0 {
		return nil, invalidParams("block number %d", n)
	}
	if uint64(n) > head.Number.Uint64() {
		return nil, nil
	}
	return b.Store.HeaderByNumber(uint64(n))
}

// header resolves a block number, tag or hash; it errors when there is no
// such block, since state queries need one.
func (b *Backend) header(bnh gethrpc.BlockNumberOrHash) (*types.Header, error) {
	if hash, ok := bnh.Hash(); ok {
		h, err := b.Store.HeaderByHash(hash)
		if err != nil {
			return nil, fmt.Errorf("%w: %s", ErrUnknownBlock, hash)
		}
		return h, nil
	}
	n, _ := bnh.Number()
	h, err := b.headerByNumber(n)
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, fmt.Errorf("%w: block %d is not committed yet", ErrUnknownBlock, n)
	}
	return h, nil
}

// stateAt opens the state after the given block.
func (b *Backend) stateAt(bnh gethrpc.BlockNumberOrHash) (*state.StateDB, *types.Header, error) {
	h, err := b.header(bnh)
	if err != nil {
		return nil, nil, err
	}
	st, err := b.Store.State(h.Root)
	if err != nil {
		return nil, nil, fmt.Errorf("block %d: %w", h.Number, err)
	}
	return st, h, nil
}

// readErr returns the error of the reads made on st, the state after h:
// a read that failed answered zero and must not reach the client.
func (b *Backend) readErr(st *state.StateDB, h *types.Header) error {
	if err := b.Store.ReadErr(st, h.Root); err != nil {
		return fmt.Errorf("block %d: %w", h.Number, err)
	}
	return nil
}

// latest is the BlockNumberOrHash of the last committed block.
var latest = gethrpc.BlockNumberOrHashWithNumber(gethrpc.LatestBlockNumber)

// orLatest returns bnh, or latest when it was omitted.
func orLatest(bnh *gethrpc.BlockNumberOrHash) gethrpc.BlockNumberOrHash {
	if bnh == nil {
		return latest
	}
	return *bnh
}
