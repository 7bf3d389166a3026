package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/module"
)

// maxRequestBody bounds one HTTP request (a batch of transactions fits).
const maxRequestBody = 16 * 1024 * 1024

// Server serves the API over HTTP and WebSocket on one listener.
type Server struct {
	rpc     *gethrpc.Server
	filters *filterSystem
	http    *http.Server
	ln      *connLimiter
	limits  config.RPC
	ready   func() error
	observe func(method string, d time.Duration)
	methods map[string]bool // the methods served, the only ones observed by name
	mounts  []module.Mount  // the modules' HTTP mounts
	log     *slog.Logger
}

// NewServer registers the eth, net, web3, txpool and chuxin namespaces over
// b, debug when the configuration enables it (rpc.debug), and the
// namespaces and HTTP mounts of b's modules. It refuses a module whose
// namespace or mount the core or another module serves, and a compat
// registration whose method exists already.
func NewServer(b *Backend) (*Server, error) {
	srv := gethrpc.NewServer()
	srv.SetBatchLimits(b.Limits.BatchItemLimit, b.Limits.BatchResponseMax)
	srv.SetHTTPBodyLimit(maxRequestBody)
	log := b.Log
	if log == nil {
		log = slog.Default()
	}
	fs := newFilterSystem(b.Limits.MaxFiltersPerIP, log)
	eth := &EthAPI{b: b, filters: fs}
	fs.api = eth
	methods := map[string]bool{"rpc_modules": true} // go-ethereum's own
	apis := map[string]any{"eth": eth, "net": &NetAPI{b}, "web3": Web3API{}, "txpool": &TxPoolAPI{b}, "chuxin": &ChuxinAPI{b}}
	if b.Limits.Debug {
		apis["debug"] = &DebugAPI{b}
	}
	for _, name := range slices.Sorted(maps.Keys(apis)) {
		if err := register(srv, methods, module.API{Namespace: name, Service: apis[name]}); err != nil {
			return nil, err
		}
	}
	chain := moduleChain{b}
	modAPIs, err := b.Modules.APIs(chain)
	if err != nil {
		return nil, err
	}
	for _, api := range modAPIs {
		if err := register(srv, methods, api); err != nil {
			return nil, err
		}
	}
	mounts, err := b.Modules.Mounts(chain)
	if err != nil {
		return nil, err
	}
	s := &Server{rpc: srv, filters: fs, limits: b.Limits, ready: b.Ready, observe: b.Observe, methods: methods, mounts: mounts, log: log}
	fs.dropConn = s.closeConn
	return s, nil
}

// Publish tells subscriptions of a durable block. It never blocks.
func (s *Server) Publish(block *types.Block, receipts types.Receipts) {
	s.filters.publish(commitEvent{block: block, receipts: receipts})
}

// PublishPending tells pending-transaction filters and subscriptions of a
// transaction the mempool admitted. It never blocks.
func (s *Server) PublishPending(tx *types.Transaction, from common.Address) {
	s.filters.publishPending(tx, from)
}

// Start listens on addr ("127.0.0.1:8545"; port 0 picks a free port).
func (s *Server) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("json-rpc listen on %s: %w (is another node running? set rpc.addr)", addr, err)
	}
	s.ln = newConnLimiter(ln, s.limits.MaxConns, s.limits.MaxConnsPerIP, s.log)
	// WriteTimeout is also each HTTP request's deadline: go-ethereum's rpc
	// server answers "request timed out" just before it. A WebSocket
	// connection drops both deadlines once upgraded.
	s.http = &http.Server{
		Handler:           s.handler(),
		ReadHeaderTimeout: time.Duration(s.limits.ReadTimeout),
		ReadTimeout:       time.Duration(s.limits.ReadTimeout),
		WriteTimeout:      time.Duration(s.limits.RequestTimeout),
		IdleTimeout:       2 * time.Minute,
	}
	go func() {
		// The node keeps committing whatever happens to its API server.
		if err := s.http.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("json-rpc server stopped: clients can no longer connect; restart the node", "addr", ln.Addr(), "err", err)
		}
	}()
	return nil
}

// handler serves WebSocket upgrades and plain HTTP requests on one port. A
// browser's request (one with an Origin header) is served only for the
// configured origins (rpc.cors_origins), so a web page a user visits cannot
// use the node unless the operator allowed it.
func (s *Server) handler() http.Handler {
	ws := s.rpc.WebsocketHandler([]string{"*"}) // origins are checked here
	timeoutMsg := s.timeoutMessage()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(r.Host) {
			http.Error(w, fmt.Sprintf("host %s is not one this node answers to: add it to rpc.vhosts in chuxin.toml", r.Host), http.StatusForbidden)
			return
		}
		if h, ok := module.Serve(s.mounts, r); ok {
			h.ServeHTTP(w, r)
			return
		}
		origin := r.Header.Get("Origin")
		if origin != "" && !s.originAllowed(origin) && !sameOrigin(origin, r) {
			http.Error(w, fmt.Sprintf("origin %s is not allowed to use this node: add it to rpc.cors_origins in chuxin.toml", origin), http.StatusForbidden)
			return
		}
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			ws.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodGet && (r.URL.Path == "/health" || r.URL.Path == "/ready") {
			s.serveHealth(w, r.URL.Path)
			return
		}
		if origin != "" {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
			w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
			w.Header().Add("Vary", "Origin")
		}
		if r.Method == http.MethodOptions {
			return
		}
		w = &timeoutNamer{ResponseWriter: w, msg: timeoutMsg}
		if s.observe == nil {
			s.rpc.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		method := requestMethod(r)
		if method != "batch" && method != "invalid" && !s.methods[method] {
			method = "unknown"
		}
		s.rpc.ServeHTTP(w, r)
		s.observe(method, time.Since(start))
	})
}

// timedOut are the errors go-ethereum's rpc server answers an HTTP request
// that ran past the server's WriteTimeout with: its timeout error, or, when
// the method saw its context canceled first, that. (An HTTP request's
// context is canceled otherwise only when its client left, and then nobody
// reads the answer.) Neither can name the setting.
var timedOut = [][]byte{
	[]byte(`"code":-32002,"message":"request timed out"`),
	[]byte(`"code":-32000,"message":"context canceled"`),
}

// timeoutMessage is the error that replaces it: what ran out, and what to do.
func (s *Server) timeoutMessage() []byte {
	return fmt.Appendf(nil, `"code":-32002,"message":"request timed out: it ran past rpc.request_timeout (%s in chuxin.toml); ask for less at once (a smaller block range) or raise the setting"`,
		time.Duration(s.limits.RequestTimeout))
}

// timeoutNamer passes a response through, but names rpc.request_timeout in
// the errors of timedOut. go-ethereum writes each response in one Write,
// after setting its Content-Length, and a JSON string cannot hold the
// unescaped quotes of timedOut, so only a real error matches.
type timeoutNamer struct {
	http.ResponseWriter
	msg []byte
}

func (t *timeoutNamer) Write(p []byte) (int, error) {
	named := p
	for _, e := range timedOut {
		if bytes.Contains(named, e) {
			named = bytes.ReplaceAll(named, e, t.msg)
		}
	}
	if len(named) == len(p) {
		return t.ResponseWriter.Write(p)
	}
	if t.Header().Get("Content-Length") != "" {
		t.Header().Set("Content-Length", strconv.Itoa(len(named)))
	}
	if _, err := t.ResponseWriter.Write(named); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush flushes the response, as go-ethereum does after an error response.
func (t *timeoutNamer) Flush() {
	if f, ok := t.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// serveHealth answers /health (the process serves: always 200) and /ready
// (200 once the node has caught up and commits blocks, else 503 with the
// reason), for load balancers and orchestrators.
func (s *Server) serveHealth(w http.ResponseWriter, path string) {
	w.Header().Set("Content-Type", "application/json")
	if path == "/ready" && s.ready != nil {
		if err := s.ready(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_ = json.NewEncoder(w).Encode(map[string]any{"ready": false, "reason": err.Error()})
			return
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true})
}

// requestMethod reads the JSON-RPC method of an HTTP request ("batch" for a
// batch, "invalid" when there is none) and leaves the body to be read again.
func requestMethod(r *http.Request) string {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return "invalid"
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		return "batch"
	}
	var req struct {
		Method string `json:"method"`
	}
	if json.Unmarshal(body, &req) != nil || req.Method == "" || len(req.Method) > 64 {
		return "invalid"
	}
	return req.Method
}

// originAllowed matches an origin against rpc.cors_origins: "*" is any
// origin, and "*" within a pattern any run of characters but "/".
// sameOrigin says whether a browser request comes from a page this node
// served (a module's page): such a page may always call the node.
func sameOrigin(origin string, r *http.Request) bool {
	return strings.EqualFold(origin, "http://"+r.Host)
}

// hostAllowed matches a request's Host against rpc.vhosts, as geth's
// virtual-host check does: an IP address (or no host) always passes, a
// name only if listed (or "*"). A page whose name an attacker points at
// this node's address (DNS rebinding) is then refused, though the browser
// thinks it same-origin.
func (s *Server) hostAllowed(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "" || net.ParseIP(host) != nil {
		return true
	}
	for _, v := range s.limits.VHosts {
		if v == "*" || strings.EqualFold(v, host) {
			return true
		}
	}
	return false
}

func (s *Server) originAllowed(origin string) bool {
	origin = strings.ToLower(origin)
	for _, o := range s.limits.CORSOrigins {
		if ok, _ := path.Match(strings.ToLower(o), origin); ok || o == "*" {
			return true
		}
	}
	return false
}

// closeConn closes the client connection from remote (a WebSocket whose
// subscriber fell too far behind).
func (s *Server) closeConn(remote string) bool {
	if s.ln == nil {
		return false
	}
	return s.ln.closeRemote(remote)
}

// Addr returns the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Stop closes the listener, open connections and subscriptions.
func (s *Server) Stop() {
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = s.http.Shutdown(ctx)
	}
	s.rpc.Stop()
}

// register serves api's methods, and notes their names; a method served
// already is refused, since go-ethereum would merge the two services.
func register(srv *gethrpc.Server, methods map[string]bool, api module.API) error {
	t := reflect.TypeOf(api.Service)
	var names []string
	for i := range t.NumMethod() {
		m := t.Method(i).Name
		name := api.Namespace + "_" + strings.ToLower(m[:1]) + m[1:]
		if methods[name] {
			return fmt.Errorf("%w: JSON-RPC method %s is served twice", module.ErrDuplicate, name)
		}
		names = append(names, name)
	}
	if err := srv.RegisterName(api.Namespace, api.Service); err != nil {
		return fmt.Errorf("register %s API: %w", api.Namespace, err)
	}
	for _, n := range names {
		methods[n] = true
	}
	return nil
}
