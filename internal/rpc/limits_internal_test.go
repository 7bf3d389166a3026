package rpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
	"github.com/gorilla/websocket"

	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// startServer starts a harness's API on a real listener, its backend first
// changed by tune.
func startServer(t *testing.T, tune func(b *Backend)) (*harness, *Server) {
	t.Helper()
	h := newHarness(t)
	b := &Backend{Store: h.srv.filters.api.b.Store, App: h.app, Limits: h.srv.limits, Submit: h.submit,
		Peers: func() int { return 0 }, Syncing: func() (bool, uint64) { return false, 0 }}
	tune(b)
	srv, err := NewServer(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return h, srv
}

func post(t *testing.T, addr, origin, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

const chainIDReq = `{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}`

func TestBrowserOriginsAreRefusedUnlessAllowed(t *testing.T) {
	_, srv := startServer(t, func(b *Backend) { b.Limits.CORSOrigins = []string{"http://localhost:*"} })
	addr := srv.Addr()
	if res := post(t, addr, "", chainIDReq); res.StatusCode != 200 {
		t.Fatalf("a request without an origin (a program, not a page): %s", res.Status)
	}
	res := post(t, addr, "https://evil.example", chainIDReq)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "rpc.cors_origins") {
		t.Fatalf("a page of another origin: %s %s", res.Status, body)
	}
	if res := post(t, addr, "http://localhost:3000", chainIDReq); res.StatusCode != 200 || res.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		t.Fatalf("an allowed origin: %s %v", res.Status, res.Header)
	}
	// The WebSocket upgrade checks the same list.
	if _, err := gethrpc.DialOptions(context.Background(), "ws://"+addr, gethrpc.WithHeader("Origin", "https://evil.example")); err == nil {
		t.Fatal("a WebSocket from another origin was accepted")
	}
	ws, err := gethrpc.DialOptions(context.Background(), "ws://"+addr, gethrpc.WithHeader("Origin", "http://localhost:5173"))
	if err != nil {
		t.Fatalf("a WebSocket from an allowed origin: %v", err)
	}
	ws.Close()
}

func TestDefaultConfigAllowsNoOrigin(t *testing.T) {
	if o := config.Default().RPC.CORSOrigins; len(o) != 0 {
		t.Fatalf("default cors_origins %v, want none", o)
	}
}

func TestConnectionsAreBoundedPerClient(t *testing.T) {
	_, srv := startServer(t, func(b *Backend) { b.Limits.MaxConnsPerIP = 3 })
	addr := srv.Addr()
	var conns []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	extra, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	extra.SetReadDeadline(time.Now().Add(10 * time.Second))
	all, _ := io.ReadAll(extra)
	if !strings.HasPrefix(string(all), "HTTP/1.1 503") || !strings.Contains(string(all), "rpc.max_connections_per_client") {
		t.Fatalf("a fourth connection: %q", all)
	}
	conns[0].Close()
	// Once one closes, a new client connection is served again.
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := http.Post("http://"+addr, "application/json", strings.NewReader(chainIDReq))
		if err == nil && res.StatusCode == 200 {
			res.Body.Close()
			break
		}
		if err == nil {
			res.Body.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("no connection served after one closed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, c := range conns[1:] {
		c.Close()
	}
}

func TestSlowRequestBodiesTimeOut(t *testing.T) {
	_, srv := startServer(t, func(b *Backend) { b.Limits.ReadTimeout = config.Duration(time.Second) })
	addr := srv.Addr()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
	// The client never sends the rest: the server gives up and closes.
	c.SetReadDeadline(time.Now().Add(15 * time.Second))
	start := time.Now()
	if _, err := io.ReadAll(c); err != nil {
		t.Fatalf("the server held a slow body past its read timeout: %v after %v", err, time.Since(start))
	}
}

func TestFiltersAreBoundedPerClient(t *testing.T) {
	h, srv := startServer(t, func(b *Backend) { b.Limits.MaxFiltersPerIP = 5 })
	addr := srv.Addr()
	_ = h
	c, err := gethrpc.Dial("http://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var ids []string
	for range 5 {
		var id string
		if err := c.Call(&id, "eth_newBlockFilter"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	var id string
	if err := c.Call(&id, "eth_newBlockFilter"); err == nil || !strings.Contains(err.Error(), "rpc.max_filters_per_client") {
		t.Fatalf("a sixth filter: %v", err)
	}
	var ok bool
	if err := c.Call(&ok, "eth_uninstallFilter", ids[0]); err != nil || !ok {
		t.Fatal(err)
	}
	if err := c.Call(&id, "eth_newBlockFilter"); err != nil {
		t.Fatalf("a filter after uninstalling one: %v", err)
	}
}

func TestSlowSubscriberIsDisconnected(t *testing.T) {
	fs := newFilterSystem(10, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var dropped []string
	fs.dropConn = func(remote string) bool { dropped = append(dropped, remote); return true }
	_, sub := fs.subscribe("127.0.0.1:5555", "0x1", false)
	for range subscriptionBuffer {
		fs.publish(commitEvent{})
	}
	if len(dropped) != 0 {
		t.Fatalf("a subscriber with room in its buffer was dropped: %v", dropped)
	}
	fs.publish(commitEvent{})
	if len(dropped) != 1 || dropped[0] != "127.0.0.1:5555" {
		t.Fatalf("connections closed: %v", dropped)
	}
	for range sub.ch { // drained, then closed
	}
}

// wsSubscriber dials a WebSocket to the server and subscribes to all logs.
// With a small receive buffer, a client that stops reading soon stops the
// server's writes to it (and one that reads is slow over loopback).
func wsSubscriber(t *testing.T, addr string, smallBuffer bool) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if err == nil && smallBuffer {
			err = c.(*net.TCPConn).SetReadBuffer(4096)
		}
		return c, err
	}}
	c, _, err := d.Dial("ws://"+addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.WriteMessage(websocket.TextMessage, []byte(`{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["logs",{}]}`)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, msg, err := c.ReadMessage(); err != nil || !strings.Contains(string(msg), `"result":"0x`) {
		t.Fatalf("subscribe: %s %v", msg, err)
	}
	return c
}

// TestSlowWebSocketSubscriberIsDisconnected runs the server on a real port:
// one subscriber reads every notification, another stops reading. Blocks
// with large logs are committed at the pace of the reader; the one that
// stopped falls a buffer behind and its connection is closed, the reader's
// is not.
func TestSlowWebSocketSubscriberIsDisconnected(t *testing.T) {
	logs := &testchain.SyncBuffer{}
	_, srv := startServer(t, func(b *Backend) { b.Log = slog.New(slog.NewTextHandler(logs, nil)) })
	reader, stopped := wsSubscriber(t, srv.Addr(), false), wsSubscriber(t, srv.Addr(), true)

	// Each block holds one log of 64 KiB (128 KiB as JSON): the kernel
	// buffers a few MiB for the stopped client, then the server's writes to
	// it block and its queue fills.
	const blocks = subscriptionBuffer + 200
	data := make([]byte, 64<<10)
	for n := uint64(1); n <= blocks; n++ {
		block := types.NewBlockWithHeader(&types.Header{Number: new(big.Int).SetUint64(n)})
		srv.Publish(block, types.Receipts{{Logs: []*types.Log{{Address: common.Address{1}, Data: data, BlockNumber: n}}}})
		_ = reader.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, msg, err := reader.ReadMessage(); err != nil {
			t.Fatalf("the subscriber that reads lost its connection at block %d: %v", n, err)
		} else if want := fmt.Sprintf(`"blockNumber":"%#x"`, n); !strings.Contains(string(msg), want) {
			t.Fatalf("block %d: notification without %s", n, want)
		}
	}

	// The stopped client now reads: what the kernel held, then the close.
	_ = stopped.SetReadDeadline(time.Now().Add(20 * time.Second))
	got := 0
	for {
		_, _, err := stopped.ReadMessage()
		if err == nil {
			got++
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("the stopped subscriber's connection is still open after %d notifications:\n%s", got, logs.String())
		}
		break
	}
	if got >= blocks {
		t.Fatalf("the stopped subscriber received all %d notifications", got)
	}
	// The server logs the drop once, after the reset the client has seen.
	const drop = "closed the connection of a subscriber that does not keep up"
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), drop); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the server did not log the drop:\n%s", logs.String())
		}
	}
	time.Sleep(100 * time.Millisecond) // the subscription's own goroutine ends too
	if n := strings.Count(logs.String(), drop); n != 1 {
		t.Fatalf("the drop was logged %d times:\n%s", n, logs.String())
	}
	t.Logf("the stopped subscriber received %d of %d notifications before its connection was closed", got, blocks)
}

func TestHealthAndReady(t *testing.T) {
	h := newHarness(t)
	ready := errors.New("catching up: height 3 of 90")
	h.srv.ready = func() error { return ready }
	get := func(path string) (int, string) {
		res, err := http.Get(h.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, _ := get("/health"); code != 200 {
		t.Fatalf("/health: %d", code)
	}
	if code, body := get("/ready"); code != 503 || !strings.Contains(body, "catching up") {
		t.Fatalf("/ready while catching up: %d %s", code, body)
	}
	ready = nil
	if code, _ := get("/ready"); code != 200 {
		t.Fatalf("/ready when ready: %d", code)
	}
}

// slowService has a method that runs until its request's deadline.
type slowService struct{}

func (slowService) Wait(ctx context.Context) (string, error) {
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case <-time.After(30 * time.Second):
		return "no deadline", nil
	}
}

func TestRequestsHaveADeadline(t *testing.T) {
	_, srv := startServer(t, func(b *Backend) { b.Limits.RequestTimeout = config.Duration(time.Second) })
	if err := srv.rpc.RegisterName("slow", slowService{}); err != nil {
		t.Fatal(err)
	}
	c, err := gethrpc.Dial("http://" + srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var out string
	start := time.Now()
	err = c.Call(&out, "slow_wait")
	if err == nil || !strings.Contains(err.Error(), "request timed out: it ran past rpc.request_timeout (1s in chuxin.toml)") || time.Since(start) > 10*time.Second {
		t.Fatalf("a request past rpc.request_timeout: %q %v after %v", out, err, time.Since(start))
	}
	var rpcErr gethrpc.Error
	if !errors.As(err, &rpcErr) || rpcErr.ErrorCode() != -32002 {
		t.Fatalf("a timeout keeps go-ethereum's code -32002: %v", err)
	}
	// In a batch, the call running when time runs out is answered so too
	// (go-ethereum may leave out the calls after it, when the running call
	// ends first).
	batch := []gethrpc.BatchElem{{Method: "slow_wait", Result: &out}, {Method: "slow_wait", Result: &out}}
	if err := c.BatchCall(batch); err != nil {
		t.Fatal(err)
	}
	if e := batch[0].Error; e == nil || !strings.Contains(e.Error(), "rpc.request_timeout") {
		t.Fatalf("a batch's call past rpc.request_timeout: %v", e)
	}
}

// TestTxPoolViewsAreBounded: txpool_content and txpool_inspect refuse an
// answer over the bound, naming it and what to ask instead; one sender's
// transactions still answer.
func TestTxPoolViewsAreBounded(t *testing.T) {
	old := poolView
	poolView.txs = 2
	t.Cleanup(func() { poolView = old })
	h := newHarness(t)
	ctx := context.Background()
	to := common.Address{9}
	for i, tx := range []*types.Transaction{
		testchain.Transfer(h.keys[0], cid, 0, to, big.NewInt(1)),
		testchain.Transfer(h.keys[0], cid, 1, to, big.NewInt(1)),
		testchain.Transfer(h.keys[1], cid, 0, to, big.NewInt(1)),
	} {
		if err := h.eth.SendTransaction(ctx, tx); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	for _, method := range []string{"txpool_content", "txpool_inspect"} {
		var out any
		err := h.rpc.Call(&out, method)
		if err == nil || !strings.Contains(err.Error(), "over 2 transactions") || !strings.Contains(err.Error(), "txpool_contentFrom") {
			t.Fatalf("%s over the bound: %v", method, err)
		}
	}
	var one map[string]map[string]any
	if err := h.rpc.Call(&one, "txpool_contentFrom", crypto.PubkeyToAddress(h.keys[1].PublicKey)); err != nil || len(one["pending"]) != 1 {
		t.Fatalf("one sender's: %v %v", one, err)
	}
}

// TestDNSRebindingIsRefused: a page whose host name resolves to the node
// (DNS rebinding) sends Host and Origin of its own name, which look
// same-origin; a name not in rpc.vhosts is refused, while localhost and any
// IP address pass, and "*" lets every name through.
func TestDNSRebindingIsRefused(t *testing.T) {
	_, srv := startServer(t, func(*Backend) {})
	addr := srv.Addr()
	_, port, _ := net.SplitHostPort(addr)
	call := func(host string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr, strings.NewReader(chainIDReq))
		req.Header.Set("Content-Type", "application/json")
		req.Host = host
		req.Header.Set("Origin", "http://"+host)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		return res
	}
	res := call("rebind.example:" + port)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "add it to rpc.vhosts") {
		t.Fatalf("a rebound host name: %d %s", res.StatusCode, body)
	}
	for _, host := range []string{"localhost:" + port, "127.0.0.1:" + port} {
		if res := call(host); res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", host, res.StatusCode)
		}
	}
	srv.limits.VHosts = []string{"*"}
	if res := call("rebind.example:" + port); res.StatusCode != http.StatusOK {
		t.Fatalf("with vhosts *: %d", res.StatusCode)
	}
}
