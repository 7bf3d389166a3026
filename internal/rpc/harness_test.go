package rpc

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chuxin-chain/chuxin/internal/modules"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/chuxin-chain/chuxin/internal/app"
	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/devaccounts"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/store"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

var cid = big.NewInt(1337)

// harness is one application behind the RPC server, with blocks made on
// demand by calling the ABCI methods as CometBFT would (no consensus).
type harness struct {
	t       testing.TB
	app     *app.App
	srv     *Server
	backend *Backend
	http    *httptest.Server
	eth     *ethclient.Client
	rpc     *gethrpc.Client
	keys    []*ecdsa.PrivateKey
	height  int64

	mu      sync.Mutex
	mempool [][]byte
	blocks  map[uint64][][]byte // the consensus blocks' transactions, by height
	// appHashes are the AppHashes FinalizeBlock returned, by height.
	appHashes map[uint64][]byte
	// misbehavior is the evidence the next block carries.
	misbehavior []abci.Misbehavior
}

// harnessConsensusAddress is the harness node's CometBFT address.
var harnessConsensusAddress = common.HexToAddress("0x00000000000000000000000000000000000c0517").Bytes()

func newHarness(t testing.TB) *harness {
	t.Helper()
	return newHarnessWith(t, store.Options{CacheMB: 16})
}

// newHarnessWith is newHarness over a store opened with opts, its genesis
// changed by tune (when given).
func newHarnessWith(t testing.TB, opts store.Options, tune ...func(*genesis.Genesis)) *harness {
	t.Helper()
	accs, err := devaccounts.Derive(devaccounts.Mnemonic, 3)
	if err != nil {
		t.Fatal(err)
	}
	g := testchain.Genesis(1337, 30_000_000, nil)
	h := &harness{t: t}
	for _, a := range accs {
		g.Alloc[a.Address] = types.Account{Balance: big.NewInt(1e18)}
		h.keys = append(h.keys, a.Key)
	}
	for _, f := range tune {
		f(g)
	}
	st, err := store.Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	h.app = app.New(st, g, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Modules{})
	initReq := &abci.InitChainRequest{}
	for _, v := range g.Validators {
		initReq.Validators = append(initReq.Validators, abci.ValidatorUpdate{PubKeyType: "ed25519", PubKeyBytes: v.PubKey, Power: v.Power})
	}
	if _, err := h.app.InitChain(context.Background(), initReq); err != nil {
		t.Fatal(err)
	}
	limits := config.Default().RPC
	limits.BatchItemLimit = 100
	limits.MaxLogRange = 50
	limits.Debug = true
	h.blocks = map[uint64][][]byte{}
	h.backend = &Backend{
		Store: st, App: h.app, Limits: limits, Submit: h.submit,
		// The binary's modules, as a node serves them: chuxin_audit and
		// chuxin_consortium among them.
		Modules: modules.Set(),
		Peers:   func() int { return 0 }, Syncing: func() (bool, uint64) { return false, 0 },
		PoolSize: func() int {
			h.mu.Lock()
			defer h.mu.Unlock()
			return len(h.mempool)
		},
		PoolTxs: func() [][]byte {
			h.mu.Lock()
			defer h.mu.Unlock()
			return slices.Clone(h.mempool)
		},
		ConsensusAddress: func() []byte { return harnessConsensusAddress },
		ConsensusBlock: func(height uint64) ([][]byte, []abci.Misbehavior, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			txs, ok := h.blocks[height]
			if !ok {
				return nil, nil, errors.New("no such consensus block")
			}
			return txs, nil, nil
		},
	}
	h.srv, err = NewServer(h.backend)
	if err != nil {
		t.Fatal(err)
	}
	h.app.OnCommit(h.srv.Publish)
	h.app.OnAdmit(h.srv.PublishPending)
	h.http = httptest.NewServer(h.srv.handler())
	h.rpc, err = gethrpc.Dial(h.http.URL)
	if err != nil {
		t.Fatal(err)
	}
	h.eth = ethclient.NewClient(h.rpc)
	t.Cleanup(func() {
		h.rpc.Close()
		h.http.Close()
		h.srv.Stop()
		st.Close()
	})
	return h
}

// submit is CheckTx, as the mempool would call it.
func (h *harness) submit(_ context.Context, raw []byte) error {
	res, err := h.app.CheckTx(context.Background(), &abci.CheckTxRequest{Tx: raw, Type: abci.CHECK_TX_TYPE_CHECK})
	if err != nil {
		return err
	}
	if res.Code != 0 {
		return errors.New(res.Log)
	}
	h.mu.Lock()
	h.mempool = append(h.mempool, raw)
	h.mu.Unlock()
	return nil
}

// mine proposes, finalizes and commits one block of the pooled transactions.
func (h *harness) mine() *types.Block {
	h.t.Helper()
	ctx := context.Background()
	h.mu.Lock()
	txs := h.mempool
	h.mempool = nil
	h.mu.Unlock()
	prep, err := h.app.PrepareProposal(ctx, &abci.PrepareProposalRequest{Txs: txs, MaxTxBytes: 1 << 30, Height: h.height + 1})
	if err != nil {
		h.t.Fatal(err)
	}
	h.height++
	h.mu.Lock()
	h.blocks[uint64(h.height)] = prep.Txs
	h.mu.Unlock()
	hash := make([]byte, 32)
	hash[0], hash[1] = byte(h.height), byte(h.height>>8)
	fin, err := h.app.FinalizeBlock(ctx, &abci.FinalizeBlockRequest{
		Txs: prep.Txs, Height: h.height, Hash: hash, Time: time.Unix(1_800_000_000+h.height, 0),
		ProposerAddress: make([]byte, 20), Misbehavior: h.misbehavior,
	})
	h.misbehavior = nil
	if err != nil {
		h.t.Fatal(err)
	}
	h.mu.Lock()
	if h.appHashes == nil {
		h.appHashes = map[uint64][]byte{}
	}
	h.appHashes[uint64(h.height)] = fin.AppHash
	h.mu.Unlock()
	if _, err := h.app.Commit(ctx, &abci.CommitRequest{}); err != nil {
		h.t.Fatal(err)
	}
	// As CometBFT does: drop the block's transactions, recheck the rest.
	included := map[string]bool{}
	for _, tx := range prep.Txs {
		included[string(tx)] = true
	}
	for _, tx := range txs {
		if included[string(tx)] {
			continue
		}
		res, err := h.app.CheckTx(ctx, &abci.CheckTxRequest{Tx: tx, Type: abci.CHECK_TX_TYPE_RECHECK})
		if err == nil && res.Code == 0 {
			h.mu.Lock()
			h.mempool = append(h.mempool, tx)
			h.mu.Unlock()
		}
	}
	b, err := h.eth.BlockByNumber(ctx, big.NewInt(h.height))
	if err != nil {
		h.t.Fatal(err)
	}
	return b
}
