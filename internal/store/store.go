// Package store is the only code of chuxin that touches disk. It keeps the
// Ethereum state trie, blocks, receipts and transaction lookups in one Pebble
// database, in go-ethereum's own schema (core/rawdb), so the data is what a
// geth archive node would hold for the same chain. Beside the trie it keeps
// go-ethereum's state snapshot, a flat copy of the recent state that reads
// go through; the trie stays the authority (see openSnapshot).
//
// Every committed block is written with one fsync (never one per
// transaction): the block, its receipts and lookups, then the head pointer,
// so after a crash the head always names a block whose receipts are complete.
//
// An archive store also writes every block's state with it. A full store
// (the default, like a geth full node) keeps the states of the last
// RecentStates blocks in memory and writes the head's state every
// FlushBlocks blocks, when those states outgrow their memory, and at Close:
// a state that the next block overwrites never reaches the disk. After a
// crash, Open moves the head back to the newest block whose state is on
// disk; consensus then replays the blocks after it (CometBFT does so at
// start when the application reports a lower height), which rewrites them
// identically.
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
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/ethereum/go-ethereum/trie"
	"github.com/ethereum/go-ethereum/triedb"
	"github.com/ethereum/go-ethereum/triedb/hashdb"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/genesis"
)

// Sentinel errors of the store.
var (
	// ErrNotFound: the block, receipt or transaction is not in this store.
	ErrNotFound = errors.New("not found")
	// ErrGenesisMismatch: the data directory holds another chain.
	ErrGenesisMismatch = errors.New("data directory holds a different chain")
	// ErrNoGenesis: the store has not been initialised with a genesis.
	ErrNoGenesis = errors.New("store has no genesis block")
	// ErrStatePruned: a full store no longer keeps the state asked for.
	ErrStatePruned = errors.New("state not kept")
)

const (
	// RecentStates is how many of the newest blocks' states a full store
	// keeps (go-ethereum's TriesInMemory).
	RecentStates = state.TriesInMemory
	// FlushBlocks is how many blocks a full store commits between writes of
	// the head's state: the most blocks consensus replays after a crash.
	FlushBlocks = 128
)

// Options tune a store.
type Options struct {
	// CacheMB megabytes go to Pebble's block cache, as much again to a cache
	// of encoded trie nodes, as much again to the state snapshot's cache,
	// and (full store) as much again to states not yet written.
	CacheMB int
	// Archive writes every block's state to disk, so the state at any height
	// can be read. Otherwise the store is a full store (see the package doc).
	Archive bool
}

var (
	// consensusHashKey prefixes the consensus (CometBFT) block hash of a height.
	consensusHashKey = []byte("chuxin-ch-")
	// indexKey prefixes the entries blocks add to the index
	// (execution.Indexed).
	indexKey = []byte("chuxin-ix-")
	// rulesKey holds the chain's rules (genesis.EncodeRules), written with
	// the genesis block.
	rulesKey = []byte("chuxin-rules")
	// systemLogsKey prefixes the system logs of a height that has some
	// (execution.SystemLogs, RLP).
	systemLogsKey = []byte("chuxin-sl-")
	// systemBloomKey prefixes the bloom of those logs' addresses and
	// topics, by height: what a range walk reads (EachSystemLogs).
	systemBloomKey = []byte("chuxin-sb-")
	// systemLogsFromKey holds the first height whose system logs this
	// store kept: 1, or the height after the head that a binary which
	// kept none left.
	systemLogsFromKey = []byte("chuxin-sl-from")
	// systemLogsToKey holds the last height this store committed while
	// keeping system logs: a head above it was made by a binary that kept
	// none.
	systemLogsToKey = []byte("chuxin-sl-to")
)

// Store is a node's database. Reads are safe from any goroutine while one
// writer commits blocks.
type Store struct {
	kv      ethdb.Database
	trie    *triedb.Database
	states  *state.MPTDatabase
	snaps   *snapshot.Tree // flat accounts and slots of recent states; nil before genesis
	cacheMB int
	archive bool
	config  *params.ChainConfig

	// Full store, written by CommitBlock only: the roots of the newest
	// states, oldest first, each holding a reference in the trie database,
	// and the number of the last block whose state was written.
	recent  []common.Hash
	flushed uint64
	rewound [2]uint64 // heads before and after Open moved the head back

	mu   sync.RWMutex
	head *types.Header
}

// Open opens (or creates) the Pebble database in dir.
func Open(dir string, o Options) (*Store, error) {
	kv, err := pebble.New(dir, o.CacheMB, 256, "chuxin/db/", false)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", dir, err)
	}
	db := rawdb.NewDatabase(kv)
	tdb := triedb.NewDatabase(db, &triedb.Config{HashDB: &hashdb.Config{CleanCacheSize: o.CacheMB * 1024 * 1024}})
	s := &Store{kv: db, trie: tdb, states: state.NewMPTDatabase(tdb, state.NewCodeDB(db)), cacheMB: o.CacheMB, archive: o.Archive}
	if hash := rawdb.ReadHeadBlockHash(db); hash != (common.Hash{}) {
		number, ok := rawdb.ReadHeaderNumber(db, hash)
		if !ok {
			db.Close()
			return nil, fmt.Errorf("open database %s: head block %s has no number: the database is damaged", dir, hash)
		}
		head, err := s.rewind(rawdb.ReadHeader(db, hash, number))
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("open database %s: %w", dir, err)
		}
		s.head, s.flushed = head, head.Number.Uint64()
		s.config = rawdb.ReadChainConfig(db, rawdb.ReadCanonicalHash(db, 0))
		s.openSnapshot(s.head.Root)
		if err := s.markSystemLogsFrom(head.Number.Uint64() + 1); err != nil {
			s.Close()
			return nil, fmt.Errorf("open database %s: %w", dir, err)
		}
	}
	return s, nil
}

// rewind returns the newest block from head down whose state is on disk,
// and makes it the head. Only a full store that stopped without Close has
// blocks above it; their canonical numbers are dropped until consensus
// replays them.
func (s *Store) rewind(head *types.Header) (*types.Header, error) {
	top := head.Number.Uint64()
	for !s.hasState(head.Root) {
		n := head.Number.Uint64()
		if n == 0 {
			return nil, fmt.Errorf("the state of the genesis block is missing: the database is damaged")
		}
		hash := rawdb.ReadCanonicalHash(s.kv, n-1)
		if head = rawdb.ReadHeader(s.kv, hash, n-1); head == nil {
			return nil, fmt.Errorf("header %d is missing: the database is damaged", n-1)
		}
	}
	n := head.Number.Uint64()
	if n == top {
		return head, nil
	}
	batch := s.kv.NewBatch()
	for i := n + 1; i <= top; i++ {
		rawdb.DeleteCanonicalHash(batch, i)
	}
	rawdb.WriteHeadBlockHash(batch, head.Hash())
	rawdb.WriteHeadHeaderHash(batch, head.Hash())
	if err := batch.Write(); err != nil {
		return nil, fmt.Errorf("move head back to block %d: %w", n, err)
	}
	if err := s.kv.SyncKeyValue(); err != nil {
		return nil, fmt.Errorf("move head back to block %d: %w", n, err)
	}
	s.rewound = [2]uint64{top, n}
	return head, nil
}

// hasState reports whether the state trie with this root is on disk.
func (s *Store) hasState(root common.Hash) bool {
	return root == types.EmptyRootHash || rawdb.HasLegacyTrieNode(s.kv, root)
}

// Rewound reports whether Open moved the head back, from which height to
// which: the state of the blocks between was not written before the last
// stop, and consensus replays them.
func (s *Store) Rewound() (from, to uint64, ok bool) {
	return s.rewound[0], s.rewound[1], s.rewound != [2]uint64{}
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

// Close journals the state snapshot, writes the head's state (full store),
// flushes and closes the database.
func (s *Store) Close() error {
	var err error
	if head := s.Head(); head != nil {
		if s.snaps != nil {
			// Without a journal the next Open rebuilds the snapshot. A snapshot
			// still being built needs the trie of its base on disk to go on.
			if base, jerr := s.snaps.Journal(head.Root); jerr == nil {
				_ = s.trie.Commit(base, false)
				if !s.hasState(base) {
					rawdb.DeleteSnapshotRoot(s.kv)
				}
			}
			s.snaps.Release()
		}
		if cerr := s.trie.Commit(head.Root, false); cerr != nil {
			err = fmt.Errorf("write state of block %d: %w", head.Number, cerr)
		}
	}
	s.trie.Close()
	return errors.Join(err, s.kv.Close())
}

// InitGenesis writes block 0, its state and the chain's rules, or, when the
// store already has a chain, checks that it is the chain g describes: the
// same genesis block and the same rules, naming the first field that
// differs (genesis.ErrRulesDiffer).
func (s *Store) InitGenesis(g *genesis.Genesis) (*types.Block, error) {
	cg, err := g.CoreGenesis()
	if err != nil {
		return nil, err
	}
	want := cg.ToBlock()
	if stored := rawdb.ReadCanonicalHash(s.kv, 0); stored != (common.Hash{}) {
		if stored != want.Hash() {
			return nil, fmt.Errorf("%w: stored genesis %s, configured genesis %s (its alloc, timestamp, gas limit or base fee differ); use a new home directory or reset this one", ErrGenesisMismatch, stored, want.Hash())
		}
		rules, err := s.kv.Get(rulesKey)
		if err != nil {
			return nil, fmt.Errorf("%w: genesis block without chain rules (%v): the database is damaged or from an older chuxin; use a new home directory", ErrGenesisMismatch, err)
		}
		if err := genesis.CheckStored(rules, &g.Rules); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrGenesisMismatch, err)
		}
		return s.BlockByNumber(0)
	}
	rules, err := genesis.EncodeRules(&g.Rules)
	if err != nil {
		return nil, err
	}
	if err := s.kv.Put(rulesKey, rules); err != nil {
		return nil, fmt.Errorf("write rules: %w", err)
	}
	block, err := cg.Commit(s.kv, s.trie, nil)
	if err != nil {
		return nil, fmt.Errorf("commit genesis: %w", err)
	}
	if err := s.markSystemLogsFrom(1); err != nil {
		return nil, err
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
	if err := s.keepState(block); err != nil {
		return err
	}
	batch := s.kv.NewBatch()
	rawdb.WriteBlock(batch, block)
	rawdb.WriteReceipts(batch, block.Hash(), block.NumberU64(), res.Receipts)
	rawdb.WriteCanonicalHash(batch, block.Hash(), block.NumberU64())
	rawdb.WriteTxLookupEntriesByBlock(batch, block)
	if err := batch.Put(heightKey(consensusHashKey, block.NumberU64()), consensusHash); err != nil {
		return fmt.Errorf("write block %d: %w", block.NumberU64(), err)
	}
	for _, e := range res.Indexed {
		if err := batch.Put(append(append([]byte{}, indexKey...), e.Key...), e.Value); err != nil {
			return fmt.Errorf("write block %d: %w", block.NumberU64(), err)
		}
	}
	if err := writeSystemLogs(batch, block.NumberU64(), res.SystemLogs); err != nil {
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

// keepState keeps the state of a committed block: on disk (archive store),
// or in memory among the recent states, written to disk every FlushBlocks
// blocks or when the states not yet written outgrow the cache (full store).
func (s *Store) keepState(block *types.Block) error {
	root, n := block.Root(), block.NumberU64()
	if s.archive {
		if err := s.trie.Commit(root, false); err != nil {
			return fmt.Errorf("write state of block %d: %w", n, err)
		}
		return nil
	}
	if err := s.trie.Reference(root, common.Hash{}); err != nil {
		return fmt.Errorf("keep state of block %d: %w", n, err)
	}
	s.recent = append(s.recent, root)
	_, dirty, _ := s.trie.Size()
	if n >= s.flushed+FlushBlocks || dirty > common.StorageSize(s.cacheMB)*1024*1024 {
		if err := s.trie.Commit(root, false); err != nil {
			return fmt.Errorf("write state of block %d: %w", n, err)
		}
		s.flushed = n
	}
	for len(s.recent) > RecentStates {
		if err := s.trie.Dereference(s.recent[0]); err != nil {
			return fmt.Errorf("release state: %w", err)
		}
		s.recent = s.recent[1:]
	}
	return nil
}

// ConsensusHash returns the consensus block hash recorded for a height:
// nil for genesis, which has none. A height without a record, or a read
// that fails, is an error: the hash becomes a block's beacon root and
// BLOCKHASH, and a node that guessed it would fork off.
func (s *Store) ConsensusHash(number uint64) ([]byte, error) {
	if number == 0 {
		return nil, nil
	}
	v, err := s.kv.Get(heightKey(consensusHashKey, number))
	if err != nil {
		return nil, fmt.Errorf("consensus hash of block %d: %w", number, err)
	}
	return v, nil
}

// Indexed returns the value a block put in the index under key, nil if none
// did.
func (s *Store) Indexed(key []byte) ([]byte, error) {
	k := append(append([]byte{}, indexKey...), key...)
	ok, err := s.kv.Has(k)
	if err != nil {
		return nil, fmt.Errorf("index %q: %w", key, err)
	}
	if !ok {
		return nil, nil
	}
	v, err := s.kv.Get(k)
	if err != nil {
		return nil, fmt.Errorf("index %q: %w", key, err)
	}
	return v, nil
}

// writeSystemLogs adds a block's system logs and their bloom to batch (if
// it has any), and the block as the last committed keeping them.
func writeSystemLogs(batch ethdb.Batch, number uint64, logs execution.SystemLogs) error {
	if len(logs) > 0 {
		enc, err := rlp.EncodeToBytes(logs)
		if err != nil {
			return fmt.Errorf("system logs: %w", err)
		}
		if err := batch.Put(heightKey(systemLogsKey, number), enc); err != nil {
			return err
		}
		if err := batch.Put(heightKey(systemBloomKey, number), systemLogsBloom(logs).Bytes()); err != nil {
			return err
		}
	}
	return batch.Put(systemLogsToKey, binary.BigEndian.AppendUint64(nil, number))
}

// systemLogsBloom is the bloom of the logs' addresses and topics, as a
// header's bloom is of its receipts' logs.
func systemLogsBloom(logs execution.SystemLogs) types.Bloom {
	var b types.Bloom
	for _, l := range logs {
		b.Add(l.Address.Bytes())
		for _, t := range l.Topics {
			b.Add(t.Bytes())
		}
	}
	return b
}

// markSystemLogsFrom records that this store keeps the system logs of
// every block from height on: once for a chain it begins, and again when
// a binary that kept none has made blocks since this store last kept
// them (its head is above the last height kept).
func (s *Store) markSystemLogsFrom(height uint64) error {
	ok, err := s.kv.Has(systemLogsFromKey)
	if err != nil {
		return fmt.Errorf("read the first height with system logs: %w", err)
	}
	if ok {
		kept := uint64(0) // the last height committed keeping them (0: none)
		if last, err := s.kv.Get(systemLogsToKey); err == nil && len(last) == 8 {
			kept = binary.BigEndian.Uint64(last)
		}
		if kept+1 >= height {
			return nil // no block made since without them
		}
	}
	if err := s.kv.Put(systemLogsFromKey, binary.BigEndian.AppendUint64(nil, height)); err != nil {
		return fmt.Errorf("write the first height with system logs: %w", err)
	}
	return nil
}

// SystemLogsFrom returns the first height whose system logs this store
// kept: 1, unless a binary that kept none made the blocks before it.
func (s *Store) SystemLogsFrom() (uint64, error) {
	v, err := s.kv.Get(systemLogsFromKey)
	if err != nil {
		return 0, fmt.Errorf("the first height with system logs: %w", err)
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("the first height with system logs has %d bytes, not 8: the database is damaged", len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// SystemLogs returns the system logs of the committed block number (none
// for a block without any).
func (s *Store) SystemLogs(number uint64) (execution.SystemLogs, error) {
	if !s.visible(number) {
		return nil, fmt.Errorf("system logs of block %d: %w", number, ErrNotFound)
	}
	key := heightKey(systemLogsKey, number)
	ok, err := s.kv.Has(key)
	if err != nil {
		return nil, fmt.Errorf("system logs of block %d: %w", number, err)
	}
	if !ok {
		return nil, nil
	}
	v, err := s.kv.Get(key)
	if err != nil {
		return nil, fmt.Errorf("system logs of block %d: %w", number, err)
	}
	return decodeSystemLogs(number, v)
}

// EachSystemLogs calls fn, in rising height, with the system logs of each
// committed block of from..to that has some and whose bloom of addresses
// and topics mayMatch admits (nil: every one). It walks only the blooms
// of those blocks and reads the logs of the admitted, so a range without
// system logs costs one seek.
func (s *Store) EachSystemLogs(from, to uint64, mayMatch func(types.Bloom) bool, fn func(number uint64, logs execution.SystemLogs) error) error {
	if from > to {
		return nil
	}
	it := s.kv.NewIterator(systemBloomKey, binary.BigEndian.AppendUint64(nil, from))
	defer it.Release()
	for it.Next() {
		k := it.Key()
		if len(k) != len(systemBloomKey)+8 {
			continue
		}
		n := binary.BigEndian.Uint64(k[len(systemBloomKey):])
		if n > to || !s.visible(n) {
			break
		}
		if mayMatch != nil && !mayMatch(types.BytesToBloom(it.Value())) {
			continue
		}
		logs, err := s.SystemLogs(n)
		if err != nil {
			return err
		}
		if err := fn(n, logs); err != nil {
			return err
		}
	}
	if err := it.Error(); err != nil {
		return fmt.Errorf("system logs of blocks %d-%d: %w", from, to, err)
	}
	return nil
}

func decodeSystemLogs(number uint64, enc []byte) (execution.SystemLogs, error) {
	var logs execution.SystemLogs
	if err := rlp.DecodeBytes(enc, &logs); err != nil {
		return nil, fmt.Errorf("system logs of block %d: %w: the database is damaged", number, err)
	}
	return logs, nil
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
	if !ok || !s.visible(number) {
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
	if !ok || !s.visible(number) {
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

// visible says whether block number is at or below the head. CommitBlock
// writes a block, its receipts and lookups before it moves the head, so a
// reader could otherwise find a receipt and then read the state of the
// block before it: a client that waited for its proposal's receipt would
// find no proposal when it votes.
func (s *Store) visible(number uint64) bool {
	h := s.Head()
	return h != nil && number <= h.Number.Uint64()
}

// Transaction returns a committed transaction and where it is.
func (s *Store) Transaction(hash common.Hash) (*types.Transaction, TxLocation, error) {
	tx, bh, n, i := rawdb.ReadCanonicalTransaction(s.kv, hash)
	if tx == nil || !s.visible(n) {
		return nil, TxLocation{}, fmt.Errorf("transaction %s: %w", hash, ErrNotFound)
	}
	return tx, TxLocation{BlockHash: bh, BlockNumber: n, Index: i}, nil
}

// State opens the state at root for reading (or for executing on top of).
// A full store refuses an old state it no longer keeps with ErrStatePruned.
// A state opened just before the store let it go fails its later reads:
// check them with ReadErr.
func (s *Store) State(root common.Hash) (*state.StateDB, error) {
	st, err := state.New(root, s.states)
	if err != nil {
		return nil, s.stateErr(root, err)
	}
	return st, nil
}

// ReadErr returns the error of the reads made on st so far: a StateDB
// answers zero for a read that failed and remembers the error, so a read
// racing the full store's pruning would otherwise answer a zero balance.
func (s *Store) ReadErr(st *state.StateDB, root common.Hash) error {
	if err := st.Error(); err != nil {
		return s.stateErr(root, err)
	}
	return nil
}

func (s *Store) stateErr(root common.Hash, err error) error {
	var missing *trie.MissingNodeError
	if errors.As(err, &missing) && !s.archive {
		return fmt.Errorf("%w: a full node keeps the state of its last %d blocks and of every block it wrote to disk (about one in %d); ask an archive node (db.archive = true) for older states", ErrStatePruned, RecentStates, FlushBlocks)
	}
	return fmt.Errorf("state %s: %w", root, err)
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
