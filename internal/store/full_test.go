package store

import (
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// TestFullStoreKeepsRecentAndWrittenStates commits 300 blocks of one
// transfer each. A full store must answer the states of the last
// RecentStates blocks and of the blocks it wrote (every FlushBlocks), refuse
// the others with ErrStatePruned, and after a crash come back at the last
// block it wrote. An archive store answers every state and loses nothing.
func TestFullStoreKeepsRecentAndWrittenStates(t *testing.T) {
	const blocks = 300
	key, _ := crypto.ToECDSA(crypto.Keccak256([]byte("full store test")))
	from := crypto.PubkeyToAddress(key.PublicKey)
	g := testchain.Genesis(7, 30_000_000, types.GenesisAlloc{from: {Balance: big.NewInt(1e18)}})
	exec := execution.NewExecutor(g, execution.Extensions{})
	for _, archive := range []bool{false, true} {
		dir := t.TempDir()
		s, err := Open(dir, Options{CacheMB: 16, Archive: archive})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.InitGenesis(g); err != nil {
			t.Fatal(err)
		}
		for nonce := range uint64(blocks) {
			head := s.Head()
			st, err := s.State(head.Root)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := testchain.Transfer(key, big.NewInt(7), nonce, common.Address{9}, big.NewInt(1)).MarshalBinary()
			res, err := exec.Execute(st, s.Chain(), &execution.BlockInput{Parent: head, Time: head.Time + 1, Txs: [][]byte{raw}})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.CommitBlock(res, nil); err != nil {
				t.Fatal(err)
			}
		}
		// nonceAt reads the sender's nonce in the state after block n.
		nonceAt := func(n uint64) (uint64, error) {
			h, err := s.HeaderByNumber(n)
			if err != nil {
				t.Fatal(err)
			}
			st, err := s.State(h.Root)
			if err != nil {
				return 0, err
			}
			return st.GetNonce(from), nil
		}
		for _, n := range []uint64{0, 100, 127, 128, 200, blocks - RecentStates, 256, blocks} {
			got, err := nonceAt(n)
			kept := archive || n == 0 || n%FlushBlocks == 0 || n > blocks-RecentStates
			switch {
			case kept && (err != nil || got != n):
				t.Fatalf("archive %v: state after block %d: nonce %d, %v", archive, n, got, err)
			case !kept && !errors.Is(err, ErrStatePruned):
				t.Fatalf("archive %v: state after block %d should be pruned: %v", archive, n, err)
			}
		}

		// A crash: the database closes without Close writing the head's state.
		s.snaps.Release()
		s.trie.Close()
		if err := s.kv.Close(); err != nil {
			t.Fatal(err)
		}
		if s, err = Open(dir, Options{CacheMB: 16, Archive: archive}); err != nil {
			t.Fatal(err)
		}
		want := uint64(blocks)
		if !archive {
			want = blocks / FlushBlocks * FlushBlocks
		}
		if got := s.Head().Number.Uint64(); got != want {
			t.Fatalf("archive %v: head %d after a crash, want %d", archive, got, want)
		}
		if got, err := nonceAt(want); err != nil || got != want {
			t.Fatalf("archive %v: head state after a crash: nonce %d, %v", archive, got, err)
		}
		s.Close()
	}
}
