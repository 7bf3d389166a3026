package node

import (
	"context"
	"encoding/binary"
	"sync"
	"testing"
	"time"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abci "github.com/cometbft/cometbft/abci/types"
)

// orderApp records the order CheckTx sees transactions in and refuses odd
// ones; it fails the test if a transaction was not warmed first.
type orderApp struct {
	abci.BaseApplication
	t      *testing.T
	mu     sync.Mutex
	seen   []uint32
	warmed map[uint32]bool
}

func (a *orderApp) CheckTx(_ context.Context, req *abci.CheckTxRequest) (*abci.CheckTxResponse, error) {
	n := binary.BigEndian.Uint32(req.Tx)
	a.mu.Lock()
	defer a.mu.Unlock()
	if req.Type == abci.CHECK_TX_TYPE_CHECK && !a.warmed[n] {
		a.t.Errorf("tx %d checked before it was warmed", n)
	}
	a.seen = append(a.seen, n)
	if n%2 == 1 {
		return &abci.CheckTxResponse{Code: 7, Log: "odd"}, nil
	}
	return &abci.CheckTxResponse{}, nil
}

func (a *orderApp) warm(raw []byte) {
	n := binary.BigEndian.Uint32(raw)
	// Later transactions warm faster, so workers finish out of order.
	time.Sleep(time.Duration(50-n%50) * time.Microsecond)
	a.mu.Lock()
	a.warmed[n] = true
	a.mu.Unlock()
}

func start(t *testing.T, c *pipelinedClient) {
	t.Helper()
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
}

func tx(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }

func TestPipelinedClientChecksInArrivalOrder(t *testing.T) {
	app := &orderApp{t: t, warmed: map[uint32]bool{}}
	c := newPipelinedClient(abcicli.NewLocalClient(nil, app), app.warm, 4)
	start(t, c)
	defer c.Stop()
	var global sync.Map
	c.SetResponseCallback(func(req *abci.Request, res *abci.Response) {
		global.Store(binary.BigEndian.Uint32(req.GetCheckTx().Tx), res.GetCheckTx().Code)
	})

	const n = 2000
	var reqs []*abcicli.ReqRes
	var calls sync.Map
	for i := range uint32(n) {
		rr, err := c.CheckTxAsync(context.Background(), &abci.CheckTxRequest{Tx: tx(i), Type: abci.CHECK_TX_TYPE_CHECK})
		if err != nil {
			t.Fatal(err)
		}
		rr.SetCallback(func(res *abci.Response) error {
			calls.Store(i, res.GetCheckTx().Code)
			return nil
		})
		reqs = append(reqs, rr)
	}
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	// After Flush every request is complete, its callbacks run.
	for i, rr := range reqs {
		code, ok := calls.Load(uint32(i))
		if !ok {
			t.Fatalf("tx %d: callback not run by the time Flush returned", i)
		}
		if want := uint32(i % 2 * 7); code != want || rr.Response.GetCheckTx().Code != want {
			t.Fatalf("tx %d: code %v / %d, want %d", i, code, rr.Response.GetCheckTx().Code, want)
		}
		if g, ok := global.Load(uint32(i)); !ok || g != uint32(i%2*7) {
			t.Fatalf("tx %d: response callback got %v, %v", i, g, ok)
		}
	}
	app.mu.Lock()
	defer app.mu.Unlock()
	if len(app.seen) != n {
		t.Fatalf("checked %d, want %d", len(app.seen), n)
	}
	for i, got := range app.seen {
		if got != uint32(i) {
			t.Fatalf("check %d was tx %d: arrival order lost", i, got)
		}
	}
}

// A waiter released by ReqRes.Wait must already see the callback's verdict,
// as node.submit reads it right after waiting.
func TestPipelinedClientRunsCallbackBeforeReleasingWaiters(t *testing.T) {
	app := &orderApp{t: t, warmed: map[uint32]bool{}}
	c := newPipelinedClient(abcicli.NewLocalClient(nil, app), app.warm, 2)
	start(t, c)
	defer c.Stop()
	for i := range uint32(200) {
		rr, err := c.CheckTxAsync(context.Background(), &abci.CheckTxRequest{Tx: tx(i), Type: abci.CHECK_TX_TYPE_CHECK})
		if err != nil {
			t.Fatal(err)
		}
		var ran bool
		var mu sync.Mutex
		rr.SetCallback(func(*abci.Response) error {
			mu.Lock()
			ran = true
			mu.Unlock()
			return nil
		})
		rr.Wait()
		mu.Lock()
		if !ran {
			t.Fatalf("tx %d: Wait returned before the callback ran", i)
		}
		mu.Unlock()
	}
}

func TestPipelinedClientRechecksWithoutWarming(t *testing.T) {
	app := &orderApp{t: t, warmed: map[uint32]bool{}}
	warmed := 0
	c := newPipelinedClient(abcicli.NewLocalClient(nil, app), func([]byte) { warmed++ }, 1)
	start(t, c)
	defer c.Stop()
	for i := range uint32(10) {
		if _, err := c.CheckTxAsync(context.Background(), &abci.CheckTxRequest{Tx: tx(i), Type: abci.CHECK_TX_TYPE_RECHECK}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if warmed != 0 || len(app.seen) != 10 {
		t.Fatalf("warmed %d, checked %d; want 0 and 10", warmed, len(app.seen))
	}
}

func TestPipelinedClientStopped(t *testing.T) {
	app := &orderApp{t: t, warmed: map[uint32]bool{}}
	block := make(chan struct{})
	c := newPipelinedClient(abcicli.NewLocalClient(nil, app), func([]byte) { <-block }, 1)
	start(t, c)
	if _, err := c.CheckTxAsync(context.Background(), &abci.CheckTxRequest{Tx: tx(0)}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- c.Flush(context.Background()) }()
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != errStopped {
		t.Fatalf("Flush on a stopping client: %v, want %v", err, errStopped)
	}
	if _, err := c.CheckTxAsync(context.Background(), &abci.CheckTxRequest{Tx: tx(1)}); err != errStopped {
		t.Fatalf("CheckTxAsync after Stop: %v, want %v", err, errStopped)
	}
	close(block)
}
