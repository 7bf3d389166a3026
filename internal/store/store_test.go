package store

import (
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/execution"
)

func TestGenesisSurvivesReopenAndRefusesAnotherChain(t *testing.T) {
	dir := t.TempDir()
	g := &execution.Genesis{ChainID: 7, GasLimit: 1_000_000, Alloc: types.GenesisAlloc{common.Address{1}: {Balance: big.NewInt(5)}}}
	s, err := Open(dir, Options{CacheMB: 16})
	if err != nil {
		t.Fatal(err)
	}
	gen, err := s.InitGenesis(g)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(dir, Options{CacheMB: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Head() == nil || s.Head().Hash() != gen.Hash() || s.Config().ChainID.Uint64() != 7 {
		t.Fatalf("reopened store lost its head or rules")
	}
	again, err := s.InitGenesis(g)
	if err != nil || again.Hash() != gen.Hash() {
		t.Fatalf("same genesis twice: %v", err)
	}
	other := *g
	other.ChainID = 8
	if _, err := s.InitGenesis(&other); !errors.Is(err, ErrGenesisMismatch) {
		t.Fatalf("another chain's genesis: %v", err)
	}
	st, err := s.State(gen.Root())
	if err != nil || st.GetBalance(common.Address{1}).Uint64() != 5 {
		t.Fatalf("genesis state: %v", err)
	}
	if _, err := s.BlockByNumber(1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing block: %v", err)
	}
}
