package rpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/chuxin-chain/chuxin/internal/config"
)

// startServer starts a harness's API on a real listener with limits.
func startServer(t *testing.T, tune func(l *config.RPC)) (*harness, string) {
	t.Helper()
	h := newHarness(t)
	limits := h.srv.limits
	tune(&limits)
	srv, err := NewServer(&Backend{Store: h.srv.filters.api.b.Store, App: h.app, Limits: limits, Submit: h.submit,
		Peers: func() int { return 0 }, Syncing: func() (bool, uint64) { return false, 0 }})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return h, srv.Addr()
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
	_, addr := startServer(t, func(l *config.RPC) { l.CORSOrigins = []string{"http://localhost:*"} })
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
	_, addr := startServer(t, func(l *config.RPC) { l.MaxConnsPerIP = 3 })
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
	_, addr := startServer(t, func(l *config.RPC) { l.ReadTimeout = config.Duration(time.Second) })
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
	h, addr := startServer(t, func(l *config.RPC) { l.MaxFiltersPerIP = 5 })
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
	_, sub := fs.subscribe()
	for range subscriptionBuffer + 1 {
		fs.publish(commitEvent{})
	}
	if !fs.wasDropped(sub) {
		t.Fatal("a subscriber a buffer behind was not dropped")
	}
	fs.dropSlow("127.0.0.1:5555", "0x1")
	if len(dropped) != 1 || dropped[0] != "127.0.0.1:5555" {
		t.Fatalf("connections closed: %v", dropped)
	}
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
	h := newHarness(t)
	limits := h.srv.limits
	limits.RequestTimeout = config.Duration(time.Second)
	srv, err := NewServer(&Backend{Store: h.srv.filters.api.b.Store, App: h.app, Limits: limits, Submit: h.submit,
		Peers: func() int { return 0 }, Syncing: func() (bool, uint64) { return false, 0 }})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.rpc.RegisterName("slow", slowService{}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	c, err := gethrpc.Dial("http://" + srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var out string
	start := time.Now()
	err = c.Call(&out, "slow_wait")
	if err == nil || !strings.Contains(err.Error(), "request timed out") || time.Since(start) > 10*time.Second {
		t.Fatalf("a request past rpc.request_timeout: %q %v after %v", out, err, time.Since(start))
	}
}
