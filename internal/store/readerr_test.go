package store

import (
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// A state opened just before the full store lets it go answers zero for
// what it can no longer read; ReadErr reports that the state is not kept,
// so a reader (the JSON-RPC) refuses instead of answering the zero.
func TestReadOfAReleasedStateIsAnError(t *testing.T) {
	key, _ := crypto.ToECDSA(crypto.Keccak256([]byte("released state")))
	from := crypto.PubkeyToAddress(key.PublicKey)
	g := testchain.Genesis(7, 30_000_000, types.GenesisAlloc{from: {Balance: big.NewInt(1e18)}})
	s, err := Open(t.TempDir(), Options{CacheMB: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.InitGenesis(g); err != nil {
		t.Fatal(err)
	}
	// Read through the trie alone, as a node does while its state snapshot
	// is still being built.
	s.states = state.NewMPTDatabase(s.trie, state.NewCodeDB(s.kv))
	head := s.Head()
	st, err := s.State(head.Root)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := testchain.Transfer(key, big.NewInt(7), 0, common.Address{9}, big.NewInt(1)).MarshalBinary()
	res, err := execution.NewExecutor(g, execution.Extensions{}).Execute(st, s.Chain(), &execution.BlockInput{Parent: head, Time: head.Time + 1, Txs: [][]byte{raw}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CommitBlock(res, nil); err != nil {
		t.Fatal(err)
	}
	root := res.Block.Root()
	old, err := s.State(root)
	if err != nil {
		t.Fatal(err)
	}
	// The store releases the state (as it does once the state is older
	// than RecentStates blocks) while the reader still holds it.
	if err := s.trie.Dereference(root); err != nil {
		t.Fatal(err)
	}
	balance := old.GetBalance(from)
	if err := s.ReadErr(old, root); !errors.Is(err, ErrStatePruned) {
		t.Fatalf("a read of a released state answered %v with error %v", balance, err)
	}
}
