package store

import (
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

func TestGenesisSurvivesReopenAndRefusesAnotherChain(t *testing.T) {
	dir := t.TempDir()
	g := testchain.Genesis(7, 1_000_000, types.GenesisAlloc{common.Address{1}: {Balance: big.NewInt(5)}})
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
	other := testchain.Genesis(8, 1_000_000, g.Alloc)
	if _, err := s.InitGenesis(other); !errors.Is(err, ErrGenesisMismatch) || !strings.Contains(err.Error(), "rules.ethereum.chainId is 7 in the data directory and 8 in genesis.json") {
		t.Fatalf("another chain's genesis: %v", err)
	}
	later := testchain.Genesis(7, 1_000_000, g.Alloc)
	osaka := uint64(1_900_000_000)
	later.Rules.Ethereum.OsakaTime, later.Rules.Ethereum.BPO1Time, later.Rules.Ethereum.BPO2Time = &osaka, &osaka, &osaka
	if _, err := s.InitGenesis(later); !errors.Is(err, genesis.ErrRulesDiffer) || !strings.Contains(err.Error(), "rules.ethereum.bpo1Time is 0 in the data directory and 1900000000") {
		t.Fatalf("a genesis whose fork schedule differs: %v", err)
	}
	st, err := s.State(gen.Root())
	if err != nil || st.GetBalance(common.Address{1}).Uint64() != 5 {
		t.Fatalf("genesis state: %v", err)
	}
	if _, err := s.BlockByNumber(1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing block: %v", err)
	}
}

// The consensus hash of a height the store has not recorded is an error,
// never a nil hash that would become a block's beacon root and BLOCKHASH.
func TestConsensusHashOfAnUnknownHeightIsAnError(t *testing.T) {
	s, err := Open(t.TempDir(), Options{CacheMB: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.InitGenesis(testchain.Genesis(7, 1_000_000, nil)); err != nil {
		t.Fatal(err)
	}
	if h, err := s.ConsensusHash(0); err != nil || h != nil {
		t.Fatalf("genesis has no consensus hash: %x %v", h, err)
	}
	if h, err := s.ConsensusHash(5); err == nil {
		t.Fatalf("height 5 was never committed, yet its consensus hash is %x", h)
	}
}
