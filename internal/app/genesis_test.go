package app_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/api/cometbft/types/v1"
	"github.com/cosmos/gogoproto/types"
	"github.com/ethereum/go-ethereum/common"
	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/chuxin-chain/chuxin/internal/app"
	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/internal/store"
	"github.com/chuxin-chain/chuxin/internal/system"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// appOf returns an application over a fresh store for g, before InitChain.
func appOf(t *testing.T, g *genesis.Genesis) *app.App {
	t.Helper()
	a, _ := appAndStore(t, g)
	return a
}

// appAndStore is appOf with its store, and with its modules' parts, if
// given.
func appAndStore(t testing.TB, g *genesis.Genesis, mods ...app.Modules) (*app.App, *store.Store) {
	t.Helper()
	if len(mods) == 0 {
		mods = []app.Modules{{}}
	}
	st, err := store.Open(t.TempDir(), store.Options{CacheMB: 16})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return app.New(st, g, slog.New(slog.NewTextHandler(io.Discard, nil)), mods[0]), st
}

func validatorGenesis() *genesis.Genesis {
	g := testchain.Genesis(1337, 30_000_000, nil)
	g.Validators = []genesis.Validator{{PubKey: bytes.Repeat([]byte{1}, 32), Power: 10, FeeRecipient: common.Address{0xfe}}}
	return g
}

func TestInitChainChecksConsensusGenesis(t *testing.T) {
	ctx := context.Background()
	g := validatorGenesis()
	good := []abci.ValidatorUpdate{{PubKeyType: "ed25519", PubKeyBytes: g.Validators[0].PubKey, Power: 10}}
	for name, req := range map[string]*abci.InitChainRequest{
		"other power":    {Validators: []abci.ValidatorUpdate{{PubKeyType: "ed25519", PubKeyBytes: g.Validators[0].PubKey, Power: 11}}},
		"no validators":  {},
		"vote extension": {Validators: good, ConsensusParams: &cmtproto.ConsensusParams{Feature: &cmtproto.FeatureParams{VoteExtensionsEnableHeight: &types.Int64Value{Value: 5}}}},
	} {
		if _, err := appOf(t, g).InitChain(ctx, req); err == nil {
			t.Errorf("%s: InitChain accepted a CometBFT genesis that disagrees with the app_state", name)
		}
	}
	res, err := appOf(t, g).InitChain(ctx, &abci.InitChainRequest{Validators: good})
	if err != nil || len(res.AppHash) != 32 {
		t.Fatalf("matching genesis: %v", err)
	}
}

func TestCoinbaseIsTheProposersFeeRecipient(t *testing.T) {
	ctx := context.Background()
	g := validatorGenesis()
	a, st := appAndStore(t, g)
	if _, err := a.InitChain(ctx, &abci.InitChainRequest{Validators: []abci.ValidatorUpdate{{PubKeyType: "ed25519", PubKeyBytes: g.Validators[0].PubKey, Power: 10}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.FinalizeBlock(ctx, &abci.FinalizeBlockRequest{Height: 1, Time: time.Unix(1_800_000_000, 0), Hash: make([]byte, 32), ProposerAddress: g.Validators[0].Address()}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Commit(ctx, &abci.CommitRequest{}); err != nil {
		t.Fatal(err)
	}
	if cb := st.Head().Coinbase; cb != g.Validators[0].FeeRecipient {
		t.Fatalf("block 1's coinbase is %s, its proposer's fee recipient %s", cb, g.Validators[0].FeeRecipient)
	}

	// The consortium (one member: the governor) gives the validator another
	// recipient; the blocks it proposes from then on pay it.
	var key [32]byte
	copy(key[:], g.Validators[0].PubKey)
	propose, _ := system.Pack("propose", []system.Action{system.SetFeeRecipient(key, common.Address{0xab})}, "new recipient")
	vote, _ := system.Pack("vote", big.NewInt(1), true)
	for i, data := range [][]byte{propose, vote, nil} {
		var txs [][]byte
		if data != nil {
			raw, _ := testchain.Call(testchain.GovernorKey, big.NewInt(1337), uint64(i), system.ConsortiumAddress, data, 8_000_000).MarshalBinary()
			txs = [][]byte{raw}
		}
		h := int64(i + 2)
		res, err := a.FinalizeBlock(ctx, &abci.FinalizeBlockRequest{Height: h, Time: time.Unix(1_800_000_000+h, 0), Hash: make([]byte, 32), ProposerAddress: g.Validators[0].Address(), Txs: txs})
		if err != nil || (data != nil && res.TxResults[0].Code != 0) {
			t.Fatalf("block %d: %v %v", h, err, res)
		}
		if _, err := a.Commit(ctx, &abci.CommitRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	if cb := st.Head().Coinbase; cb != (common.Address{0xab}) {
		t.Fatalf("block 4's coinbase is %s, the recipient the consortium set %s", cb, common.Address{0xab})
	}
}

func TestPayloadsInProposalsAndMempool(t *testing.T) {
	ctx := context.Background()
	a := appOf(t, testchain.Genesis(1337, 30_000_000, nil))
	if _, err := a.InitChain(ctx, &abci.InitChainRequest{}); err != nil {
		t.Fatal(err)
	}
	p := execution.EncodePayload(execution.Payload{Type: 1, Data: []byte{1}})
	res, _ := a.ProcessProposal(ctx, &abci.ProcessProposalRequest{Txs: [][]byte{p}, Height: 1})
	if res.Status != abci.PROCESS_PROPOSAL_STATUS_REJECT {
		t.Fatal("a proposal with a payload of a type this chain does not know was accepted")
	}
	if r, _ := a.CheckTx(ctx, &abci.CheckTxRequest{Tx: p}); r.Code == 0 || !strings.Contains(r.Log, "system payload") {
		t.Fatalf("the mempool took a payload: %d %q", r.Code, r.Log)
	}
}

func TestUnknownRuleVersionHaltsFinalizeBlock(t *testing.T) {
	ctx := context.Background()
	g := testchain.Genesis(1337, 30_000_000, nil)
	g.Rules.Versions = append(g.Rules.Versions, genesis.RuleVersion{Version: genesis.KnownRuleVersion + 1, Height: 2})
	a := appOf(t, g)
	if _, err := a.InitChain(ctx, &abci.InitChainRequest{}); err != nil {
		t.Fatal(err)
	}
	for h := int64(1); h <= 2; h++ {
		_, err := a.FinalizeBlock(ctx, &abci.FinalizeBlockRequest{Height: h, Time: time.Unix(1_800_000_000+h, 0), Hash: make([]byte, 32)})
		if h == 1 && err != nil {
			t.Fatal(err)
		}
		if h == 2 && !errors.Is(err, genesis.ErrUnknownRules) {
			t.Fatalf("height 2 of an unknown rule version: %v", err)
		}
		if h == 1 {
			a.Commit(ctx, &abci.CommitRequest{})
		}
	}
}

func TestMempoolTakesLongRunsAndBoundsGaps(t *testing.T) {
	k, _ := crypto.GenerateKey()
	a, _ := newApp(t, k)
	a.SetMaxPerSender(300)
	to := common.Address{1}
	// A script that sends 200 transactions without waiting.
	for n := range uint64(200) {
		if res := checkTx(t, a, rawTx(testchain.Transfer(k, cid, n, to, big.NewInt(1))), false); res.Code != 0 {
			t.Fatalf("nonce %d of a consecutive run: %s", n, res.Log)
		}
	}
	// Behind a gap, at most MaxFutureNonces past the run's end wait.
	if res := checkTx(t, a, rawTx(testchain.Transfer(k, cid, 200+app.MaxFutureNonces-1, to, big.NewInt(1))), false); res.Code != 0 {
		t.Fatalf("a transaction just within the gap bound: %s", res.Log)
	}
	if res := checkTx(t, a, rawTx(testchain.Transfer(k, cid, 200+app.MaxFutureNonces, to, big.NewInt(1))), false); res.Code == 0 || !strings.Contains(res.Log, "nonce too high") {
		t.Fatalf("a transaction past the gap bound: %d %q", res.Code, res.Log)
	}
	// The sender's share bounds the run.
	for n := uint64(200); n < 300; n++ {
		checkTx(t, a, rawTx(testchain.Transfer(k, cid, n, to, big.NewInt(1))), false)
	}
	if n := a.Pool().Count(crypto.PubkeyToAddress(k.PublicKey)); n != 300 {
		t.Fatalf("%d pooled, want 300", n)
	}
	if res := checkTx(t, a, rawTx(testchain.Transfer(k, cid, 300, to, big.NewInt(1))), false); res.Code == 0 || !strings.Contains(res.Log, "max_per_sender") {
		t.Fatalf("past the sender's share: %d %q", res.Code, res.Log)
	}
}

// updateHook asks consensus for one validator update in every block.
type updateHook struct{}

func (updateHook) PreBlock(*execution.System, *execution.BlockInput) error { return nil }
func (updateHook) PostBlock(_ *execution.System, _ *execution.BlockInput, out *execution.Updates) error {
	out.Validators = append(out.Validators, execution.ValidatorUpdate{PubKey: bytes.Repeat([]byte{7}, 32), Power: 5})
	out.Params = &execution.ParamUpdates{Block: &execution.BlockParams{MaxBytes: 1 << 20, MaxGas: 50_000_000}}
	return nil
}

// notePayload accepts one-byte payloads and applies them by doing nothing.
type notePayload struct{ applied *int }

func (notePayload) Check(data []byte) error {
	if len(data) != 1 {
		return errors.New("one byte")
	}
	return nil
}
func (p notePayload) Apply(*execution.System, []byte) error { *p.applied++; return nil }

// notePart is a module's consensus part: it proposes one note payload,
// refuses a proposal with two, extends votes with "note" and refuses any
// other extension, and keeps "note:ok" in the mempool, of the entries
// "note:…" it claims.
type notePart struct{ applied *int }

func (p notePart) Payloads() map[execution.PayloadType]execution.PayloadHandler {
	return map[execution.PayloadType]execution.PayloadHandler{9: notePayload{p.applied}}
}
func (notePart) Propose(*abci.PrepareProposalRequest) ([]execution.Payload, error) {
	return []execution.Payload{{Type: 9, Data: []byte{1}}}, nil
}
func (notePart) CheckProposal(_ time.Time, ps []execution.Payload) error {
	if len(ps) > 1 {
		return errors.New("two notes")
	}
	return nil
}
func (notePart) Extend(time.Time, [][]byte) ([]byte, error) { return []byte("note"), nil }
func (notePart) VerifyExtension(ext []byte) error {
	if string(ext) != "note" {
		return errors.New("not a note")
	}
	return nil
}
func (notePart) Claims(raw []byte) bool { return bytes.HasPrefix(raw, []byte("note:")) }
func (notePart) CheckEntry(raw []byte, _ int64, _ time.Time) error {
	if string(raw) != "note:ok" {
		return errors.New("not ok")
	}
	return nil
}

// TestProposalsCarryPayloadsAndBlocksCarryUpdates: a module's consensus
// part proposes its payloads at the front of the block, and every node
// checks and applies them; a module's hook's validator and parameter
// updates reach consensus.
func TestProposalsCarryPayloadsAndBlocksCarryUpdates(t *testing.T) {
	ctx := context.Background()
	k, _ := crypto.GenerateKey()
	g := testchain.Genesis(1337, 30_000_000, nil)
	g.Alloc[crypto.PubkeyToAddress(k.PublicKey)] = ethtypes.Account{Balance: big.NewInt(1e18)}
	applied := 0
	a, _ := appAndStore(t, g, app.Modules{Hooks: []execution.Hook{updateHook{}}, Parts: []module.ConsensusPart{notePart{&applied}}})
	if _, err := a.InitChain(ctx, &abci.InitChainRequest{}); err != nil {
		t.Fatal(err)
	}
	tx := rawTx(testchain.Transfer(k, cid, 0, common.Address{1}, big.NewInt(1)))
	prep, err := a.PrepareProposal(ctx, &abci.PrepareProposalRequest{Txs: [][]byte{tx}, MaxTxBytes: 1 << 20, Height: 1})
	if err != nil || len(prep.Txs) != 2 || !execution.IsPayload(prep.Txs[0]) {
		t.Fatalf("proposal: %d entries, %v", len(prep.Txs), err)
	}
	if res, _ := a.ProcessProposal(ctx, &abci.ProcessProposalRequest{Txs: prep.Txs, Height: 1}); res.Status != abci.PROCESS_PROPOSAL_STATUS_ACCEPT {
		t.Fatal("a proposal with a known payload was rejected")
	}
	two := append([][]byte{prep.Txs[0]}, prep.Txs...)
	if res, _ := a.ProcessProposal(ctx, &abci.ProcessProposalRequest{Txs: two, Height: 1}); res.Status != abci.PROCESS_PROPOSAL_STATUS_REJECT {
		t.Fatal("a proposal the part refuses (two notes) was accepted")
	}
	fin, err := a.FinalizeBlock(ctx, &abci.FinalizeBlockRequest{Txs: prep.Txs, Height: 1, Time: time.Unix(1_800_000_000, 0), Hash: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	if len(fin.TxResults) != 2 || fin.TxResults[1].Code != 0 || applied != 1 {
		t.Fatalf("results %d, tx code %d, payloads applied %d", len(fin.TxResults), fin.TxResults[1].Code, applied)
	}
	if len(fin.ValidatorUpdates) != 1 || fin.ValidatorUpdates[0].Power != 5 || fin.ValidatorUpdates[0].PubKeyType != "ed25519" {
		t.Fatalf("validator updates: %+v", fin.ValidatorUpdates)
	}
	if p := fin.ConsensusParamUpdates; p == nil || p.Block.MaxGas != 50_000_000 || p.Block.MaxBytes != 1<<20 {
		t.Fatalf("consensus parameter updates: %+v", p)
	}
}

// TestAPartExtendsVotesAndKeepsItsMempoolEntries: the part that extends
// votes makes this validator's extension and judges others'; without one
// only an empty extension is taken. A part's mempool entries are its to
// judge, and never reach a proposal.
func TestAPartExtendsVotesAndKeepsItsMempoolEntries(t *testing.T) {
	ctx := context.Background()
	g := testchain.Genesis(1337, 30_000_000, nil)
	with, _ := appAndStore(t, g, app.Modules{Parts: []module.ConsensusPart{notePart{new(int)}}})
	without, _ := appAndStore(t, g)
	for _, a := range []*app.App{with, without} {
		if _, err := a.InitChain(ctx, &abci.InitChainRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	if ext, err := with.ExtendVote(ctx, &abci.ExtendVoteRequest{Height: 1}); err != nil || string(ext.VoteExtension) != "note" {
		t.Fatalf("the part's extension: %v, %v", ext, err)
	}
	if ext, err := without.ExtendVote(ctx, &abci.ExtendVoteRequest{Height: 1}); err != nil || len(ext.VoteExtension) != 0 {
		t.Fatalf("an extension without a part: %v, %v", ext, err)
	}
	for _, tc := range []struct {
		a    *app.App
		ext  string
		want abci.VerifyVoteExtensionStatus
	}{
		{with, "note", abci.VERIFY_VOTE_EXTENSION_STATUS_ACCEPT},
		{with, "", abci.VERIFY_VOTE_EXTENSION_STATUS_ACCEPT},
		{with, "junk", abci.VERIFY_VOTE_EXTENSION_STATUS_REJECT},
		{without, "", abci.VERIFY_VOTE_EXTENSION_STATUS_ACCEPT},
		{without, "note", abci.VERIFY_VOTE_EXTENSION_STATUS_REJECT},
	} {
		res, err := tc.a.VerifyVoteExtension(ctx, &abci.VerifyVoteExtensionRequest{Height: 1, VoteExtension: []byte(tc.ext)})
		if err != nil || res.Status != tc.want {
			t.Fatalf("extension %q (with a part: %v): %v, %v", tc.ext, tc.a == with, res, err)
		}
	}
	if r, _ := with.CheckTx(ctx, &abci.CheckTxRequest{Tx: []byte("note:ok")}); r.Code != 0 {
		t.Fatalf("the part's entry was refused: %q", r.Log)
	}
	if r, _ := with.CheckTx(ctx, &abci.CheckTxRequest{Tx: []byte("note:no")}); r.Code == 0 || r.Log != "not ok" {
		t.Fatalf("the part's refusal: %d %q", r.Code, r.Log)
	}
	if r, _ := without.CheckTx(ctx, &abci.CheckTxRequest{Tx: []byte("note:ok")}); r.Code == 0 {
		t.Fatal("an entry no part claims was taken")
	}
	prep, err := with.PrepareProposal(ctx, &abci.PrepareProposalRequest{Txs: [][]byte{[]byte("note:ok")}, MaxTxBytes: 1 << 20, Height: 1})
	if err != nil || len(prep.Txs) != 1 || !execution.IsPayload(prep.Txs[0]) {
		t.Fatalf("a proposal holds the mempool entry: %d entries, %v", len(prep.Txs), err)
	}
}

// TestTwoPartsOfOnePayloadTypeAreABrokenList: the application is made
// from parts module.Set.ConsensusParts checked; two handlers of one
// payload type, or two vote extenders, are a broken caller.
func TestTwoPartsOfOnePayloadTypeAreABrokenList(t *testing.T) {
	for name, parts := range map[string][]module.ConsensusPart{
		"one payload type": {notePart{new(int)}, notePayloadPart{}},
		"two extenders":    {notePart{new(int)}, extenderOnly{}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			appAndStore(t, testchain.Genesis(1337, 30_000_000, nil), app.Modules{Parts: parts})
		}()
	}
}

// notePayloadPart handles note payloads (type 9), as notePart does.
type notePayloadPart struct{ extenderOnly }

func (notePayloadPart) Payloads() map[execution.PayloadType]execution.PayloadHandler {
	return map[execution.PayloadType]execution.PayloadHandler{9: notePayload{new(int)}}
}

// extenderOnly extends votes and handles no payloads.
type extenderOnly struct{}

func (extenderOnly) Payloads() map[execution.PayloadType]execution.PayloadHandler { return nil }
func (extenderOnly) Propose(*abci.PrepareProposalRequest) ([]execution.Payload, error) {
	return nil, nil
}
func (extenderOnly) CheckProposal(time.Time, []execution.Payload) error { return nil }
func (extenderOnly) Extend(time.Time, [][]byte) ([]byte, error)         { return nil, nil }
func (extenderOnly) VerifyExtension([]byte) error                       { return nil }
