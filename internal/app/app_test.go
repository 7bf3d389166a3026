package app_test

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/chuxin-chain/chuxin/internal/app"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/store"
	"github.com/chuxin-chain/chuxin/internal/system"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

var cid = big.NewInt(1337)

func newApp(t *testing.T, keys ...*ecdsa.PrivateKey) (*app.App, *store.Store) {
	t.Helper()
	g := testchain.Genesis(1337, 30_000_000, nil)
	for _, k := range keys {
		g.Alloc[crypto.PubkeyToAddress(k.PublicKey)] = types.Account{Balance: big.NewInt(1e18)}
	}
	return initApp(t, g)
}

// initApp is the application of a chain of genesis g, its genesis
// committed on a store closed when the test ends.
func initApp(t testing.TB, g *genesis.Genesis) (*app.App, *store.Store) {
	t.Helper()
	a, st := appAndStore(t, g)
	if _, err := a.InitChain(context.Background(), &abci.InitChainRequest{}); err != nil {
		t.Fatal(err)
	}
	return a, st
}

func rawTx(tx *types.Transaction) []byte {
	b, _ := tx.MarshalBinary()
	return b
}

func checkTx(t *testing.T, a *app.App, raw []byte, recheck bool) *abci.CheckTxResponse {
	t.Helper()
	typ := abci.CHECK_TX_TYPE_CHECK
	if recheck {
		typ = abci.CHECK_TX_TYPE_RECHECK
	}
	res, err := a.CheckTx(context.Background(), &abci.CheckTxRequest{Tx: raw, Type: typ})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestPrepareProposalOrdersNoncesAndHoldsGaps(t *testing.T) {
	ka, _ := crypto.GenerateKey()
	kb, _ := crypto.GenerateKey()
	a, _ := newApp(t, ka, kb)
	to := common.Address{1}
	a2 := rawTx(testchain.Transfer(ka, cid, 2, to, big.NewInt(1)))
	a0 := rawTx(testchain.Transfer(ka, cid, 0, to, big.NewInt(1)))
	b0 := rawTx(testchain.Transfer(kb, cid, 0, to, big.NewInt(1)))
	a1 := rawTx(testchain.Transfer(ka, cid, 1, to, big.NewInt(1)))
	b5 := rawTx(testchain.Transfer(kb, cid, 5, to, big.NewInt(1))) // a gap: must wait
	res, err := a.PrepareProposal(context.Background(), &abci.PrepareProposalRequest{
		Txs: [][]byte{a2, a0, b0, a1, b5, []byte("garbage")}, MaxTxBytes: 1 << 20, Height: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{a0, b0, a1, a2} // round-robin by sender, each in nonce order
	if len(res.Txs) != len(want) {
		t.Fatalf("proposal has %d transactions, want %d", len(res.Txs), len(want))
	}
	for i := range want {
		if string(res.Txs[i]) != string(want[i]) {
			t.Fatalf("position %d: wrong transaction", i)
		}
	}
	// And the block executes all of them.
	fin, err := a.FinalizeBlock(context.Background(), &abci.FinalizeBlockRequest{Txs: res.Txs, Height: 1, Time: time.Unix(1_800_000_000, 0), Hash: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range fin.TxResults {
		if r.Code != 0 {
			t.Fatalf("tx %d: code %d %s", i, r.Code, r.Log)
		}
	}
}

func TestPrepareProposalRespectsByteBudget(t *testing.T) {
	k, _ := crypto.GenerateKey()
	a, _ := newApp(t, k)
	var txs [][]byte
	for i := range 10 {
		txs = append(txs, rawTx(testchain.Transfer(k, cid, uint64(i), common.Address{1}, big.NewInt(1))))
	}
	res, _ := a.PrepareProposal(context.Background(), &abci.PrepareProposalRequest{Txs: txs, MaxTxBytes: int64(3*len(txs[0]) + 10), Height: 1})
	if len(res.Txs) != 3 {
		t.Fatalf("%d transactions within a budget of three", len(res.Txs))
	}
}

func TestProcessProposalRejectsGarbage(t *testing.T) {
	k, _ := crypto.GenerateKey()
	a, _ := newApp(t, k)
	good := rawTx(testchain.Transfer(k, cid, 0, common.Address{1}, big.NewInt(1)))
	res, _ := a.ProcessProposal(context.Background(), &abci.ProcessProposalRequest{Txs: [][]byte{good}, Height: 1})
	if res.Status != abci.PROCESS_PROPOSAL_STATUS_ACCEPT {
		t.Fatal("good proposal rejected")
	}
	res, _ = a.ProcessProposal(context.Background(), &abci.ProcessProposalRequest{Txs: [][]byte{good, {0x01}}, Height: 1})
	if res.Status != abci.PROCESS_PROPOSAL_STATUS_REJECT {
		t.Fatal("proposal with garbage accepted")
	}
	to := common.Address{1}
	huge := rawTx(testchain.Sign(k, cid, &types.DynamicFeeTx{ChainID: cid, Nonce: 1, To: &to, Gas: 21000, Value: big.NewInt(1),
		GasFeeCap: new(big.Int).Lsh(big.NewInt(1), 300), GasTipCap: new(big.Int)}))
	res, _ = a.ProcessProposal(context.Background(), &abci.ProcessProposalRequest{Txs: [][]byte{good, huge}, Height: 1})
	if res.Status != abci.PROCESS_PROPOSAL_STATUS_REJECT {
		t.Fatal("proposal with a 301-bit fee accepted")
	}
	// And if such a block is decided anyway, execution skips the
	// transaction instead of crashing the node.
	fin, err := a.FinalizeBlock(context.Background(), &abci.FinalizeBlockRequest{Txs: [][]byte{good, huge}, Height: 1, Time: time.Unix(1_800_000_000, 0), Hash: make([]byte, 32)})
	if err != nil || fin.TxResults[0].Code != 0 || fin.TxResults[1].Code == 0 {
		t.Fatalf("finalize with a 301-bit fee: %v", err)
	}
}

func TestCheckTxPendingNoncesAndRecheck(t *testing.T) {
	k, _ := crypto.GenerateKey()
	a, _ := newApp(t, k)
	from := crypto.PubkeyToAddress(k.PublicKey)
	to := common.Address{1}
	tx0 := rawTx(testchain.Transfer(k, cid, 0, to, big.NewInt(1)))
	tx1 := rawTx(testchain.Transfer(k, cid, 1, to, big.NewInt(1)))
	tx3 := rawTx(testchain.Transfer(k, cid, 3, to, big.NewInt(1)))
	for _, raw := range [][]byte{tx0, tx1, tx3} {
		if res := checkTx(t, a, raw, false); res.Code != 0 {
			t.Fatalf("refused: %s", res.Log)
		}
	}
	if n := a.Pool().PendingNonce(from, 0); n != 2 {
		t.Fatalf("pending nonce %d, want 2 (3 waits behind a gap)", n)
	}
	if res := checkTx(t, a, tx1, false); res.Code == 0 || !strings.Contains(res.Log, "already known") {
		t.Fatalf("duplicate: %d %q", res.Code, res.Log)
	}
	// Commit tx0 and tx1; on recheck they are too low and leave the pool.
	ctx := context.Background()
	if _, err := a.FinalizeBlock(ctx, &abci.FinalizeBlockRequest{Txs: [][]byte{tx0, tx1}, Height: 1, Time: time.Unix(1_800_000_000, 0), Hash: make([]byte, 32)}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Commit(ctx, &abci.CommitRequest{}); err != nil {
		t.Fatal(err)
	}
	if res := checkTx(t, a, tx3, true); res.Code != 0 {
		t.Fatalf("recheck dropped a future transaction: %s", res.Log)
	}
	if res := checkTx(t, a, tx0, false); res.Code == 0 || !strings.Contains(res.Log, "nonce too low") {
		t.Fatalf("committed nonce admitted again: %q", res.Log)
	}
	if n := a.Pool().PendingNonce(from, 2); n != 2 || a.Pool().Len() != 1 {
		t.Fatalf("after commit: pending nonce %d, pool %d", n, a.Pool().Len())
	}
}

func TestInfoReportsDurableHeight(t *testing.T) {
	k, _ := crypto.GenerateKey()
	a, st := newApp(t, k)
	info, _ := a.Info(context.Background(), &abci.InfoRequest{})
	if info.LastBlockHeight != 0 {
		t.Fatalf("height %d before any block", info.LastBlockHeight)
	}
	ctx := context.Background()
	fin, _ := a.FinalizeBlock(ctx, &abci.FinalizeBlockRequest{Height: 1, Time: time.Unix(1_800_000_000, 0), Hash: make([]byte, 32)})
	info, _ = a.Info(ctx, &abci.InfoRequest{})
	if info.LastBlockHeight != 0 {
		t.Fatal("a finalized but uncommitted block was reported durable")
	}
	a.Commit(ctx, &abci.CommitRequest{})
	info, _ = a.Info(ctx, &abci.InfoRequest{})
	head := st.Head()
	// A block without system logs: their root is the empty trie's.
	want := crypto.Keccak256(head.Root.Bytes(), head.ReceiptHash.Bytes(), types.EmptyRootHash.Bytes())
	if info.LastBlockHeight != 1 || string(info.LastBlockAppHash) != string(fin.AppHash) || string(fin.AppHash) != string(want) {
		t.Fatalf("after commit: height %d, AppHash %x, want keccak256(stateRoot ‖ receiptsRoot ‖ emptyRoot) %x", info.LastBlockHeight, fin.AppHash, want)
	}
	if _, err := a.FinalizeBlock(ctx, &abci.FinalizeBlockRequest{Height: 5, Time: time.Unix(1_800_000_001, 0)}); err == nil {
		t.Fatal("a height gap was accepted")
	}
}

// TestOneSenderCannotFillABlock: a sender whose many transactions come
// first in the mempool, each declaring much gas, takes one slot a round,
// so another sender's transfer still enters the block.
func TestOneSenderCannotFillABlock(t *testing.T) {
	flood, _ := crypto.GenerateKey()
	user, _ := crypto.GenerateKey()
	a, _ := newApp(t, flood, user)
	to := common.Address{1}
	var txs [][]byte
	for n := range uint64(40) {
		txs = append(txs, rawTx(testchain.Sign(flood, cid, &types.DynamicFeeTx{ChainID: cid, Nonce: n, To: &to, Gas: 1_000_000, GasFeeCap: big.NewInt(1e9)})))
	}
	mine := rawTx(testchain.Transfer(user, cid, 0, to, big.NewInt(1)))
	res, err := a.PrepareProposal(context.Background(), &abci.PrepareProposalRequest{Txs: append(txs, mine), MaxTxBytes: 1 << 20, Height: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Txs) < 2 || string(res.Txs[1]) != string(mine) {
		t.Fatalf("the user's transfer is not second of %d in the block (30 of the flood's 40 fit)", len(res.Txs))
	}
}

// TestOutsidersCannotStarveATransactor: on a permissioned network, 300
// fresh keys with no role each send two calls of the Consortium contract
// declaring 16M gas; the mempool admits none of them, and the next block
// carries a transactor's transfer.
func TestOutsidersCannotStarveATransactor(t *testing.T) {
	user, _ := crypto.GenerateKey()
	g := testchain.Genesis(1337, 100_000_000, nil)
	g.Consortium = system.NewGenesis("test", testchain.Governor, true)
	g.Consortium.Roles = append(g.Consortium.Roles, system.RoleGrant{Account: crypto.PubkeyToAddress(user.PublicKey), Roles: []string{"transactor"}})
	a := appOf(t, g)
	if _, err := a.InitChain(context.Background(), &abci.InitChainRequest{}); err != nil {
		t.Fatal(err)
	}
	to := system.ConsortiumAddress
	for i := range 300 {
		k, _ := crypto.GenerateKey()
		for n := range uint64(2) {
			raw := rawTx(testchain.Sign(k, cid, &types.DynamicFeeTx{ChainID: cid, Nonce: n, To: &to, Gas: 16_000_000, GasFeeCap: big.NewInt(0)}))
			if res := checkTx(t, a, raw, false); res.Code == 0 || !strings.Contains(res.Log, "has no role and governs no member") {
				t.Fatalf("outsider %d's call %d: code %d %q", i, n, res.Code, res.Log)
			}
		}
	}
	mine := rawTx(testchain.Sign(user, cid, &types.DynamicFeeTx{ChainID: cid, Nonce: 0, To: &common.Address{1}, Gas: 21_000, GasFeeCap: big.NewInt(0)}))
	if res := checkTx(t, a, mine, false); res.Code != 0 {
		t.Fatalf("the transactor's transfer: %q", res.Log)
	}
	res, err := a.PrepareProposal(context.Background(), &abci.PrepareProposalRequest{Txs: [][]byte{mine}, MaxTxBytes: 1 << 20, Height: 1})
	if err != nil || len(res.Txs) != 1 {
		t.Fatalf("the next block: %v %v", res, err)
	}
}

// TestProcessProposalAppliesTheStatelessRule: a proposal holding any
// transaction the mempool's stateless rule would refuse (gas below the
// intrinsic, a type the forks do not allow, another chain) is rejected, so
// a proposer cannot fill a block with transactions that cannot run.
func TestProcessProposalAppliesTheStatelessRule(t *testing.T) {
	k, _ := crypto.GenerateKey()
	a, _ := newApp(t, k)
	to := common.Address{1}
	at := time.Unix(1_800_000_000, 0)
	good := rawTx(testchain.Transfer(k, cid, 0, to, big.NewInt(1)))
	for name, bad := range map[string][]byte{
		"zero gas":       rawTx(testchain.Sign(k, cid, &types.LegacyTx{Nonce: 1, To: &to, Gas: 0, GasPrice: big.NewInt(0)})),
		"below 21000":    rawTx(testchain.Sign(k, cid, &types.DynamicFeeTx{ChainID: cid, Nonce: 1, To: &to, Gas: 20_999, GasFeeCap: big.NewInt(0)})),
		"other chain":    rawTx(testchain.Sign(k, big.NewInt(1), &types.DynamicFeeTx{ChainID: big.NewInt(1), Nonce: 1, To: &to, Gas: 21_000, GasFeeCap: big.NewInt(0)})),
		"over the block": rawTx(testchain.Sign(k, cid, &types.DynamicFeeTx{ChainID: cid, Nonce: 1, To: &to, Gas: 30_000_001, GasFeeCap: big.NewInt(0)})),
	} {
		res, err := a.ProcessProposal(context.Background(), &abci.ProcessProposalRequest{Txs: [][]byte{good, bad}, Height: 1, Time: at})
		if err != nil || res.Status != abci.PROCESS_PROPOSAL_STATUS_REJECT {
			t.Errorf("%s: %v %v", name, res, err)
		}
	}
	if res, _ := a.ProcessProposal(context.Background(), &abci.ProcessProposalRequest{Txs: [][]byte{good}, Height: 1, Time: at}); res.Status != abci.PROCESS_PROPOSAL_STATUS_ACCEPT {
		t.Fatal("a good proposal rejected")
	}
}

// BenchmarkProcessProposalMaximal measures ProcessProposal on the most
// transactions a block of the default gas limit can hold (100,000,000 /
// 21,000 = 4,761 transfers, each from its own sender, none seen before).
func BenchmarkProcessProposalMaximal(b *testing.B) {
	a, _ := initApp(b, testchain.Genesis(1337, 100_000_000, nil))
	to := common.Address{1}
	var txs [][]byte
	for range 100_000_000 / 21_000 {
		k, _ := crypto.GenerateKey()
		txs = append(txs, rawTx(testchain.Transfer(k, cid, 0, to, big.NewInt(1))))
	}
	req := &abci.ProcessProposalRequest{Txs: txs, Height: 1, Time: time.Unix(1_800_000_000, 0)}
	b.ResetTimer()
	for b.Loop() {
		if res, _ := a.ProcessProposal(context.Background(), req); res.Status != abci.PROCESS_PROPOSAL_STATUS_ACCEPT {
			b.Fatal("rejected")
		}
	}
	b.ReportMetric(float64(len(txs)), "txs/block")
}

// BenchmarkPrepareProposalManySenders measures PrepareProposal on a
// mempool that a proposer must not spend long on: 20,000 senders whose
// one transaction waits behind a nonce gap, and one sender with 1,024
// transfers in a row. Each round of the round-robin visits only the
// senders still taking transactions.
func BenchmarkPrepareProposalManySenders(b *testing.B) {
	g := testchain.Genesis(1337, 100_000_000, nil)
	busy, _ := crypto.GenerateKey()
	g.Alloc[crypto.PubkeyToAddress(busy.PublicKey)] = types.Account{Balance: big.NewInt(1e18)}
	a, _ := initApp(b, g)
	to := common.Address{1}
	var txs [][]byte
	for range 20_000 {
		k, _ := crypto.GenerateKey()
		txs = append(txs, rawTx(testchain.Transfer(k, cid, 1, to, big.NewInt(1))))
	}
	for n := range uint64(1024) {
		txs = append(txs, rawTx(testchain.Transfer(busy, cid, n, to, big.NewInt(1))))
	}
	for _, raw := range txs {
		_, _, _ = a.Recover(raw) // as CheckTx did when each was pooled
	}
	req := &abci.PrepareProposalRequest{Txs: txs, MaxTxBytes: 16 << 20, Height: 1, Time: time.Unix(1_800_000_000, 0)}
	b.ResetTimer()
	for b.Loop() {
		res, err := a.PrepareProposal(context.Background(), req)
		if err != nil || len(res.Txs) != 1024 {
			b.Fatalf("%d transactions, %v", len(res.Txs), err)
		}
	}
}

// BenchmarkPrepareProposalFullPool measures PrepareProposal on the mempool
// of a busy network: 400 senders with 48 transfers each in a row (19,200),
// of which the block takes what its gas limit holds.
func BenchmarkPrepareProposalFullPool(b *testing.B) {
	g := testchain.Genesis(1337, 100_000_000, nil)
	var keys []*ecdsa.PrivateKey
	for range 400 {
		k, _ := crypto.GenerateKey()
		keys = append(keys, k)
		g.Alloc[crypto.PubkeyToAddress(k.PublicKey)] = types.Account{Balance: big.NewInt(1e18)}
	}
	a, _ := initApp(b, g)
	to := common.Address{1}
	var txs [][]byte
	for n := range uint64(48) {
		for _, k := range keys {
			raw := rawTx(testchain.Transfer(k, cid, n, to, big.NewInt(1)))
			_, _, _ = a.Recover(raw) // as CheckTx did when each was pooled
			txs = append(txs, raw)
		}
	}
	req := &abci.PrepareProposalRequest{Txs: txs, MaxTxBytes: 16 << 20, Height: 1, Time: time.Unix(1_800_000_000, 0)}
	b.ResetTimer()
	for b.Loop() {
		res, err := a.PrepareProposal(context.Background(), req)
		if err != nil || len(res.Txs) != 100_000_000/21_000 {
			b.Fatalf("%d transactions, %v", len(res.Txs), err)
		}
	}
}
