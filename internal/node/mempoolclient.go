package node

import (
	"context"
	"errors"
	"sync"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/proxy"
)

// clientCreator gives each ABCI connection its own local client (as
// CometBFT's connection-synchronized creator does), except the mempool's,
// which is a pipelinedClient.
type clientCreator struct {
	app     abci.Application
	warm    func(raw []byte)
	workers int
}

var _ proxy.ClientCreator = clientCreator{}

func (c clientCreator) NewABCIConsensusClient() (abcicli.Client, error) { return c.local(), nil }
func (c clientCreator) NewABCIQueryClient() (abcicli.Client, error)     { return c.local(), nil }
func (c clientCreator) NewABCISnapshotClient() (abcicli.Client, error)  { return c.local(), nil }
func (c clientCreator) NewABCIMempoolClient() (abcicli.Client, error) {
	return newPipelinedClient(c.local(), c.warm, c.workers), nil
}

func (c clientCreator) local() abcicli.Client { return abcicli.NewLocalClient(nil, c.app) }

// pipelinedClient is the mempool's ABCI client. CometBFT's mempool reactor
// calls CheckTxAsync on the goroutine that receives everything a peer sends,
// votes and block parts included; a local client would run the whole check
// there, ECDSA recovery and all, so a peer's consensus messages would wait
// behind the transactions it gossiped. This client returns at once: workers
// warm the transaction cache (decoding and recovering senders in parallel),
// and one goroutine then runs the application's CheckTx on each request in
// the order the requests came, completing them as a socket client would.
// Flush waits until every earlier request is complete, which is what the
// mempool relies on before it updates and rechecks after a block.
type pipelinedClient struct {
	abcicli.Client // the local client: every other ABCI call, and CheckTx itself

	warm    func(raw []byte)
	ordered chan *pipelined // requests in arrival order, for the checker
	warming chan *pipelined // requests to warm, for the workers
	quit    chan struct{}
	stop    sync.Once

	mu sync.Mutex
	cb abcicli.Callback
}

// pipelined is one request in flight, or a flush barrier (rr nil).
type pipelined struct {
	req   *abci.CheckTxRequest
	rr    *abcicli.ReqRes
	ready chan struct{} // closed when the request is warmed, or at once
}

// errStopped: the node is stopping and takes no more transactions.
var errStopped = errors.New("mempool client stopped")

// pipelineDepth bounds the requests in flight; past it CheckTxAsync waits,
// so a flood of gossip slows its peer rather than growing memory.
const pipelineDepth = 8192

// closedReady is the ready channel of a request that needs no warming.
var closedReady = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func newPipelinedClient(local abcicli.Client, warm func(raw []byte), workers int) *pipelinedClient {
	c := &pipelinedClient{
		Client:  local,
		warm:    warm,
		ordered: make(chan *pipelined, pipelineDepth),
		warming: make(chan *pipelined, pipelineDepth),
		quit:    make(chan struct{}),
	}
	workers = max(workers, 1)
	for range workers {
		go c.warmLoop()
	}
	go c.checkLoop()
	return c
}

// SetResponseCallback sets the callback every completed request is given to.
func (c *pipelinedClient) SetResponseCallback(cb abcicli.Callback) {
	c.mu.Lock()
	c.cb = cb
	c.mu.Unlock()
	c.Client.SetResponseCallback(cb)
}

// CheckTxAsync queues the request and returns; the ReqRes completes (its
// callback runs, then its waiters are released) once the application has
// checked it, after every request queued before it.
func (c *pipelinedClient) CheckTxAsync(ctx context.Context, req *abci.CheckTxRequest) (*abcicli.ReqRes, error) {
	p := &pipelined{req: req, rr: abcicli.NewReqRes(abci.ToCheckTxRequest(req)), ready: closedReady}
	if req.Type != abci.CHECK_TX_TYPE_RECHECK && c.warm != nil {
		// A recheck's transaction was warmed when it was first checked.
		p.ready = make(chan struct{})
	}
	if err := c.enqueue(ctx, p); err != nil {
		return nil, err
	}
	if p.ready != closedReady {
		select {
		case c.warming <- p:
		case <-c.quit:
			return nil, errStopped
		}
	}
	return p.rr, nil
}

// Flush returns when every request queued before it is complete.
func (c *pipelinedClient) Flush(ctx context.Context) error {
	p := &pipelined{ready: make(chan struct{})}
	if err := c.enqueue(ctx, p); err != nil {
		return err
	}
	select {
	case <-p.ready:
		return nil
	case <-c.quit:
		return errStopped
	case <-ctx.Done():
		return ctx.Err()
	}
}

// enqueue hands p to the checker, after every request queued before it,
// unless the client has stopped or ctx ends first.
func (c *pipelinedClient) enqueue(ctx context.Context, p *pipelined) error {
	select {
	case <-c.quit:
		return errStopped
	default:
	}
	select {
	case c.ordered <- p:
		return nil
	case <-c.quit:
		return errStopped
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stop ends the client's goroutines, then the local client.
func (c *pipelinedClient) Stop() error {
	c.stop.Do(func() { close(c.quit) })
	return c.Client.Stop()
}

func (c *pipelinedClient) warmLoop() {
	for {
		select {
		case p := <-c.warming:
			c.warm(p.req.Tx)
			close(p.ready)
		case <-c.quit:
			return
		}
	}
}

func (c *pipelinedClient) checkLoop() {
	for {
		var p *pipelined
		select {
		case p = <-c.ordered:
		case <-c.quit:
			return
		}
		if p.rr == nil { // a flush: everything before it is complete
			close(p.ready)
			continue
		}
		select {
		case <-p.ready:
		case <-c.quit:
			return
		}
		res, err := c.Client.CheckTx(context.Background(), p.req)
		if err != nil {
			res = &abci.CheckTxResponse{Code: 1, Log: err.Error(), Codespace: "abci"}
		}
		p.rr.Response = abci.ToCheckTxResponse(res)
		c.mu.Lock()
		cb := c.cb
		c.mu.Unlock()
		if cb != nil {
			cb(p.rr.Request, p.rr.Response)
		}
		// The callback runs before the waiters are released, so a waiter
		// sees the mempool's verdict (ReqRes.Error) as soon as it wakes.
		p.rr.InvokeCallback()
		p.rr.Done()
	}
}
