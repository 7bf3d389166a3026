package execution_test

import (
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/holiman/uint256"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// clzCode stores CLZ(1) (Osaka, EIP-7939) in slot 0; before Osaka the
// opcode is invalid and the call fails.
var clzCode = []byte{0x60, 0x01, 0x1e, 0x60, 0x00, 0x55, 0x00}

func TestForkScheduledByTimeActivatesAtItsTime(t *testing.T) {
	const at = 1_800_000_100
	clz := common.Address{0xc1}
	build := func() *chain {
		g := testchain.Genesis(chainID, 30_000_000, nil)
		g.Timestamp = at - 10
		e := g.Rules.Ethereum
		activation := uint64(at)
		e.OsakaTime, e.BPO1Time, e.BPO2Time = &activation, &activation, &activation
		return fundedChainOf(t, g, 1, types.GenesisAlloc{clz: {Code: clzCode}})
	}
	c := build()
	var blocks [][][]byte
	call := func(nonce uint64) [][]byte {
		return [][]byte{raw(testchain.Call(c.keys[0], cid, nonce, clz, nil, 100_000))}
	}
	// Block 1 at at-5: before Osaka, CLZ is an invalid opcode.
	blocks = append(blocks, call(0))
	before := c.applyAt(at-5, blocks[0]...)
	if before.Receipts[0].Status != types.ReceiptStatusFailed {
		t.Fatal("CLZ ran before Osaka's activation time")
	}
	// Block 2 at the activation time: CLZ(1) = 255.
	blocks = append(blocks, call(1))
	after := c.applyAt(at, blocks[1]...)
	st, _ := c.st.State(after.Block.Root())
	if after.Receipts[0].Status != types.ReceiptStatusSuccessful || st.GetState(clz, common.Hash{}) != common.BigToHash(big.NewInt(255)) {
		t.Fatalf("CLZ after Osaka: status %d, slot %s", after.Receipts[0].Status, st.GetState(clz, common.Hash{}))
	}
	// A node replaying the chain from genesis reaches the same roots.
	r := build()
	for i, txs := range blocks {
		res := r.applyAt([]uint64{at - 5, at}[i], txs...)
		want := []*execution.Result{before, after}[i]
		if res.Block.Hash() != want.Block.Hash() || string(res.AppHash()) != string(want.AppHash()) {
			t.Fatalf("replay of block %d: hash %s, want %s", i+1, res.Block.Hash(), want.Block.Hash())
		}
	}
}

func TestUnknownRuleVersionStopsBeforeItsHeight(t *testing.T) {
	g := testchain.Genesis(chainID, 30_000_000, nil)
	g.Rules.Versions = append(g.Rules.Versions, genesis.RuleVersion{Version: genesis.KnownRuleVersion + 1, Height: 3})
	c := chainOf(t, g)
	c.apply()
	c.apply()
	st, _ := c.st.State(c.head.Root)
	_, err := c.exec.Execute(st, c.st.Chain(), &execution.BlockInput{Parent: c.head, Time: c.head.Time + 1})
	if !errors.Is(err, genesis.ErrUnknownRules) {
		t.Fatalf("height 3 of an unknown rule version: %v", err)
	}
}

func TestTransactionTypeWaitsForItsFork(t *testing.T) {
	const at = 1_800_000_100
	g := testchain.Genesis(chainID, 30_000_000, nil)
	g.Timestamp = at - 10
	e := g.Rules.Ethereum
	activation := uint64(at)
	e.PragueTime, e.OsakaTime, e.BPO1Time, e.BPO2Time = &activation, &activation, &activation, &activation
	c := fundedChainOf(t, g, 1, nil)
	auth, err := types.SignSetCode(c.keys[0], types.SetCodeAuthorization{ChainID: *uint256From(cid), Address: common.Address{5}, Nonce: 1})
	if err != nil {
		t.Fatal(err)
	}
	setCode := raw(testchain.Sign(c.keys[0], cid, &types.SetCodeTx{ChainID: uint256From(cid), Nonce: 0, To: common.Address{5}, Gas: 100_000,
		GasFeeCap: uint256From(big.NewInt(0)), GasTipCap: uint256From(big.NewInt(0)), Value: uint256From(big.NewInt(0)), AuthList: []types.SetCodeAuthorization{auth}}))
	res := c.applyAt(at-1, setCode)
	if res.Outcomes[0].Index != -1 || res.Outcomes[0].Err == nil {
		t.Fatal("a set-code transaction ran before Prague")
	}
	if res = c.applyAt(at, setCode); res.Outcomes[0].Err != nil {
		t.Fatalf("a set-code transaction at Prague: %v", res.Outcomes[0].Err)
	}
}

func uint256From(b *big.Int) *uint256.Int { return uint256.MustFromBig(b) }
