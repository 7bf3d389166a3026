package store

import (
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// TestSnapshotServesRecentStates commits blocks, then checks the state
// snapshot three ways: it covers the head and agrees with the trie; after a
// clean Close it is loaded back from its journal; after a stop without the
// journal (a crash) every read is still right at once and the snapshot is
// rebuilt in the background until it agrees with the trie again. A full
// store comes back from the crash at the last block whose state it wrote
// (the Close), and commits the lost blocks again as consensus replays them.
func TestSnapshotServesRecentStates(t *testing.T) {
	t.Run("archive", func(t *testing.T) { testSnapshot(t, true) })
	t.Run("full", func(t *testing.T) { testSnapshot(t, false) })
}

func testSnapshot(t *testing.T, archive bool) {
	key, _ := crypto.ToECDSA(crypto.Keccak256([]byte("snapshot test")))
	from := crypto.PubkeyToAddress(key.PublicKey)
	g := testchain.Genesis(7, 30_000_000, types.GenesisAlloc{from: {Balance: big.NewInt(1e18)}})
	exec := execution.NewExecutor(g, execution.Extensions{})
	cid := big.NewInt(7)
	to := func(i uint64) common.Address { return common.BigToAddress(new(big.Int).SetUint64(1000 + i)) }

	dir := t.TempDir()
	s, err := Open(dir, Options{CacheMB: 16, Archive: archive})
	if err != nil {
		t.Fatal(err)
	}
	genesis, err := s.InitGenesis(g)
	if err != nil {
		t.Fatal(err)
	}
	var nonce uint64
	apply := func(s *Store, blocks int) {
		t.Helper()
		for range blocks {
			head := s.Head()
			st, err := s.State(head.Root)
			if err != nil {
				t.Fatal(err)
			}
			var raws [][]byte
			for range 5 {
				raw, _ := testchain.Transfer(key, cid, nonce, to(nonce), big.NewInt(int64(nonce+1))).MarshalBinary()
				raws = append(raws, raw)
				nonce++
			}
			res, err := exec.Execute(st, s.Chain(), &execution.BlockInput{Parent: head, Time: head.Time + 1, Txs: raws})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Block.Transactions()) != len(raws) {
				t.Fatalf("block %d: %d of %d transactions", res.Block.NumberU64(), len(res.Block.Transactions()), len(raws))
			}
			if err := s.CommitBlock(res, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	// check reads every recipient and the sender at the head and at genesis.
	check := func(s *Store) {
		t.Helper()
		st, err := s.State(s.Head().Root)
		if err != nil {
			t.Fatal(err)
		}
		for i := range nonce {
			if got := st.GetBalance(to(i)).Uint64(); got != i+1 {
				t.Fatalf("balance of recipient %d: %d, want %d", i, got, i+1)
			}
		}
		if got := st.GetNonce(from); got != nonce {
			t.Fatalf("sender nonce %d, want %d", got, nonce)
		}
		old, err := s.State(genesis.Root())
		if err != nil {
			t.Fatal(err)
		}
		if old.GetNonce(from) != 0 || old.GetBalance(to(0)).Sign() != 0 {
			t.Fatal("genesis state changed")
		}
	}
	// agrees waits until the snapshot covers the head and matches its trie.
	agrees := func(s *Store) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			err := s.snaps.Verify(s.Head().Root)
			if err == nil {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("snapshot at head %d: %v", s.Head().Number, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	apply(s, 6)
	if s.snaps.Snapshot(s.Head().Root) == nil {
		t.Fatal("no snapshot layer for the head")
	}
	check(s)
	agrees(s)

	// A clean close journals the layers; the reopened store has them at once.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(dir, Options{CacheMB: 16, Archive: archive}); err != nil {
		t.Fatal(err)
	}
	if s.snaps.Snapshot(s.Head().Root) == nil {
		t.Fatal("reopened store: no snapshot layer for the head")
	}
	check(s)
	agrees(s)
	apply(s, 3)
	check(s)

	// A stop without the journal: reads are right at once, from the trie
	// while the snapshot is rebuilt, and blocks keep committing.
	s.trie.Close()
	if err := s.kv.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(dir, Options{CacheMB: 16, Archive: archive}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	was, now, rewound := s.Rewound()
	switch {
	case archive && rewound:
		t.Fatalf("archive store moved its head back from %d to %d", was, now)
	case !archive && (!rewound || was != 9 || now != 6 || s.Head().Number.Uint64() != 6):
		t.Fatalf("full store after a crash: head %d, rewound %v from %d to %d; want from 9 to 6", s.Head().Number, rewound, was, now)
	case !archive:
		if _, err := s.BlockByNumber(7); !errors.Is(err, ErrNotFound) {
			t.Fatalf("block 7 above the rewound head: %v", err)
		}
		nonce = 6 * 5
		apply(s, 3) // what consensus replays
	}
	check(s)
	apply(s, 3)
	check(s)
	agrees(s)
}
