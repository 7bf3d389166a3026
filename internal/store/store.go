// Package store is the only code of chuxin that touches disk. It keeps the
// Ethereum state trie, blocks, receipts and transaction lookups in one Pebble
// database, in go-ethereum's own schema (core/rawdb), so the data is what a
// geth archive node would hold for the same chain. Beside the trie it keeps
// go-ethereum's state snapshot, a flat copy of the recent state that reads
// go through; the trie stays the authority (see openSnapshot).
//
// Every committed block is written with one fsync (never one per
// transaction). The head pointer is written after the trie nodes and block
// data it refers to, in the same write-ahead log, so after a crash the head
// always names a block whose state and receipts are complete.
package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/state/snapshot"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethdb"
	"github.com/ethereum/go-ethereum/ethdb/pebble"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/triedb"
	"github.com/ethereum/go-ethereum/triedb/hashdb"

	"github.com/chuxin-chain/chuxin/internal/execution"
)

// Sentinel errors of the store.
var (
	// ErrNotFound: the block, receipt or transaction is not in this store.
	ErrNotFound = errors.New("not found")
	// ErrGenesisMismatch: the data directory holds another chain.
	ErrGenesisMismatch = errors.New("data directory holds a different chain")
	// ErrNoGenesis: the store has not been initialised with a genesis.
	ErrNoGenesis = errors.New("store has no genesis block")
)

// consensusHashKey prefixes the consensus (CometBFT) block hash of a height.
var consensusHashKey = []byte("chuxin-ch-")

// Store is a node's database. Reads are safe from any goroutine while one
// writer commits blocks.
type Store struct {
	kv      ethdb.Database
	trie    *triedb.Database
	states  *state.MPTDatabase
	snaps   *snapshot.Tree // flat accounts and slots of recent states; nil before genesis
	cacheMB int
	config  *params.ChainConfig

	mu   sync.RWMutex
	head *types.Header
}

// Open opens (or creates) the Pebble database in dir. cacheMB megabytes go to
// Pebble's block cache, as much again to a cache of encoded trie nodes and as
// much again to the state snapshot's cache (see openSnapshot).
func Open(dir string, cacheMB int) (*Store, error) {
	kv, err := pebble.New(dir, cacheMB, 256, "chuxin/db/", false)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", dir, err)
	}
	db := rawdb.NewDatabase(kv)
	tdb := triedb.NewDatabase(db, &triedb.Config{HashDB: &hashdb.Config{CleanCacheSize: cacheMB * 1024 * 1024}})
	s := &Store{kv: db, trie: tdb, states: state.NewMPTDatabase(tdb, state.NewCodeDB(db)), cacheMB: cacheMB}
	if hash := rawdb.ReadHeadBlockHash(db); hash != (common.Hash{}) {
		number, ok := rawdb.ReadHeaderNumber(db, hash)
		if !ok {
			db.Close()
			return nil, fmt.Errorf("open database %s: head block %s has no number: the database is damaged", dir, hash)
		}
		s.head = rawdb.ReadHeader(db, hash, number)
		s.config = rawdb.ReadChainConfig(db, rawdb.ReadCanonicalHash(db, 0))
		s.openSnapshot(s.head.Root)
	}
	return s, nil
}

// openSnapshot opens go-ethereum's state snapshot at root: a flat copy of
// every account and storage slot on disk, with the changes of the last 128
// blocks in memory above it. Reading an account or a slot of a recent state
// is then one lookup instead of a walk down the trie; older states, and any
// part of the state the snapshot does not cover yet, are read from the trie
// as before. The layers in memory are journaled by Close; after a crash, or
// on a database written before snapshots, the snapshot is rebuilt from the
// trie in the background while reads fall back to the trie.
func (s *Store) openSnapshot(root common.Hash) {
	snaps, err := snapshot.New(snapshot.Config{CacheSize: s.cacheMB, AsyncBuild: true}, s.kv, s.trie, root)
	if err != nil { // only with NoBuild; kept as a guard: the trie alone serves every read
		return
	}
	s.snaps = snaps
	s.states.WithSnapshot(snaps)
}

// Close journals the state snapshot, flushes and closes the database.
func (s *Store) Close() error {
	if s.snaps != nil {
		if head := s.Head(); head != nil {
			_, _ = s.snaps.Journal(head.Root) // without a journal the next Open rebuilds it
		}
		s.snaps.Release()
	}
	s.trie.Close()
	return s.kv.Close()
}

// InitGenesis writes block 0 and its state, or, when the store already has a
// chain, checks that it is the chain g describes.
func (s *Store) InitGenesis(g *execution.Genesis) (*types.Block, error) {
	cg := g.CoreGenesis()
	want := cg.ToBlock()
	if stored := rawdb.ReadCanonicalHash(s.kv, 0); stored != (common.Hash{}) {
		if stored != want.Hash() {
			return nil, fmt.Errorf("%w: stored genesis %s, configured genesis %s; use a new home directory or reset this one", ErrGenesisMismatch, stored, want.Hash())
		}
		have := s.Config()
		if have == nil {
			return nil, fmt.Errorf("%w: genesis block without chain rules: the database is damaged", ErrGenesisMismatch)
		}
		if have.ChainID.Cmp(cg.Config.ChainID) != 0 {
			return nil, fmt.Errorf("%w: stored chain id %v, configured chain id %v; use a new home directory or reset this one", ErrGenesisMismatch, have.ChainID, cg.Config.ChainID)
		}
		return s.BlockByNumber(0)
	}
	block, err := cg.Commit(s.kv, s.trie, nil)
	if err != nil {
		return nil, fmt.Errorf("commit genesis: %w", err)
	}
	if err := s.kv.SyncKeyValue(); err != nil {
		return nil, fmt.Errorf("sync genesis: %w", err)
	}
	s.mu.Lock()
	s.head, s.config = block.Header(), cg.Config
	s.mu.Unlock()
	s.openSnapshot(block.Root())
	return block, nil
}

// Head returns the header of the last committed block, nil before genesis.
func (s *Store) Head() *types.Header {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.head
}

// Config returns the chain rules stored with the genesis.
func (s *Store) Config() *params.ChainConfig {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.config
}

// CommitBlock makes an executed block durable: its state (already committed
// into the trie database by the executor), the block, its receipts, the
// transaction lookups, the consensus hash of its height and the new head.
func (s *Store) CommitBlock(res *execution.Result, consensusHash []byte) error {
	block := res.Block
	if err := s.trie.Commit(block.Root(), false); err != nil {
		return fmt.Errorf("flush state of block %d: %w", block.NumberU64(), err)
	}
	batch := s.kv.NewBatch()
	rawdb.WriteBlock(batch, block)
	rawdb.WriteReceipts(batch, block.Hash(), block.NumberU64(), res.Receipts)
	rawdb.WriteCanonicalHash(batch, block.Hash(), block.NumberU64())
	rawdb.WriteTxLookupEntriesByBlock(batch, block)
	if err := batch.Put(heightKey(consensusHashKey, block.NumberU64()), consensusHash); err != nil {
		return fmt.Errorf("write block %d: %w", block.NumberU64(), err)
	}
	rawdb.WriteHeadBlockHash(batch, block.Hash())
	rawdb.WriteHeadHeaderHash(batch, block.Hash())
	if err := batch.Write(); err != nil {
		return fmt.Errorf("write block %d: %w", block.NumberU64(), err)
	}
	if err := s.kv.SyncKeyValue(); err != nil {
		return fmt.Errorf("sync block %d: %w", block.NumberU64(), err)
	}
	s.mu.Lock()
	s.head = block.Header()
	s.mu.Unlock()
	return nil
}

// ConsensusHash returns the consensus block hash recorded for a height (nil
// for genesis or an unknown height).
func (s *Store) ConsensusHash(number uint64) []byte {
	v, err := s.kv.Get(heightKey(consensusHashKey, number))
	if err != nil {
		return nil
	}
	return v
}

func heightKey(prefix []byte, n uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte{}, prefix...), n)
}

// HeaderByNumber returns the canonical header at number.
func (s *Store) HeaderByNumber(number uint64) (*types.Header, error) {
	hash := rawdb.ReadCanonicalHash(s.kv, number)
	if hash == (common.Hash{}) {
		return nil, fmt.Errorf("block %d: %w", number, ErrNotFound)
	}
	if h := rawdb.ReadHeader(s.kv, hash, number); h != nil {
		return h, nil
	}
	return nil, fmt.Errorf("header %d: %w", number, ErrNotFound)
}

// HeaderByHash returns the header with the given hash.
func (s *Store) HeaderByHash(hash common.Hash) (*types.Header, error) {
	number, ok := rawdb.ReadHeaderNumber(s.kv, hash)
	if !ok {
		return nil, fmt.Errorf("block %s: %w", hash, ErrNotFound)
	}
	if h := rawdb.ReadHeader(s.kv, hash, number); h != nil {
		return h, nil
	}
	return nil, fmt.Errorf("header %s: %w", hash, ErrNotFound)
}

// BlockByNumber returns the canonical block at number.
func (s *Store) BlockByNumber(number uint64) (*types.Block, error) {
	h, err := s.HeaderByNumber(number)
	if err != nil {
		return nil, err
	}
	return s.BlockByHash(h.Hash())
}

// BlockByHash returns the block with the given hash.
func (s *Store) BlockByHash(hash common.Hash) (*types.Block, error) {
	number, ok := rawdb.ReadHeaderNumber(s.kv, hash)
	if !ok {
		return nil, fmt.Errorf("block %s: %w", hash, ErrNotFound)
	}
	if b := rawdb.ReadBlock(s.kv, hash, number); b != nil {
		return b, nil
	}
	return nil, fmt.Errorf("block %s: %w", hash, ErrNotFound)
}

// Receipts returns the receipts of a block with all derived fields set.
func (s *Store) Receipts(header *types.Header) (types.Receipts, error) {
	r := rawdb.ReadReceipts(s.kv, header.Hash(), header.Number.Uint64(), header.Time, s.Config())
	if r == nil {
		return nil, fmt.Errorf("receipts of block %d: %w", header.Number, ErrNotFound)
	}
	return r, nil
}

// TxLocation says where a committed transaction is.
type TxLocation struct {
	BlockHash   common.Hash
	BlockNumber uint64
	Index       uint64
}

// Transaction returns a committed transaction and where it is.
func (s *Store) Transaction(hash common.Hash) (*types.Transaction, TxLocation, error) {
	tx, bh, n, i := rawdb.ReadCanonicalTransaction(s.kv, hash)
	if tx == nil {
		return nil, TxLocation{}, fmt.Errorf("transaction %s: %w", hash, ErrNotFound)
	}
	return tx, TxLocation{BlockHash: bh, BlockNumber: n, Index: i}, nil
}

// State opens the state at root for reading (or for executing on top of).
func (s *Store) State(root common.Hash) (*state.StateDB, error) {
	st, err := state.New(root, s.states)
	if err != nil {
		return nil, fmt.Errorf("state %s: %w", root, err)
	}
	return st, nil
}

// Chain returns the chain context over this store that the EVM uses for
// BLOCKHASH and the gas estimator.
func (s *Store) Chain() core.ChainContext { return chainContext{s} }

type chainContext struct{ s *Store }

func (c chainContext) Config() *params.ChainConfig  { return c.s.Config() }
func (c chainContext) CurrentHeader() *types.Header { return c.s.Head() }
func (c chainContext) GetHeader(hash common.Hash, number uint64) *types.Header {
	h := rawdb.ReadHeader(c.s.kv, hash, number)
	return h
}
func (c chainContext) GetHeaderByNumber(number uint64) *types.Header {
	h, _ := c.s.HeaderByNumber(number)
	return h
}
func (c chainContext) GetHeaderByHash(hash common.Hash) *types.Header {
	h, _ := c.s.HeaderByHash(hash)
	return h
}
func (c chainContext) Engine() consensus.Engine { return coinbaseEngine{} }

// coinbaseEngine answers the one question the EVM asks of a consensus engine,
// the block's author, which in chuxin is the header's coinbase. CometBFT is
// the consensus engine; no other method is ever called.
type coinbaseEngine struct{ consensus.Engine }

func (coinbaseEngine) Author(h *types.Header) (common.Address, error) { return h.Coinbase, nil }
