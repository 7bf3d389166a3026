package rpc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/core/types"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/chuxin-chain/chuxin/internal/config"
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
	log     *slog.Logger
}

// NewServer registers the eth, net, web3, txpool and chuxin namespaces over b.
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
	for name, svc := range map[string]any{"eth": eth, "net": &NetAPI{b}, "web3": Web3API{}, "txpool": &TxPoolAPI{b}, "chuxin": &ChuxinAPI{b}} {
		if err := srv.RegisterName(name, svc); err != nil {
			return nil, fmt.Errorf("register %s API: %w", name, err)
		}
	}
	s := &Server{rpc: srv, filters: fs, limits: b.Limits, log: log}
	fs.dropConn = s.closeConn
	return s, nil
}

// Publish tells subscriptions of a durable block. It never blocks.
func (s *Server) Publish(block *types.Block, receipts types.Receipts) {
	s.filters.publish(commitEvent{block, receipts})
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
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin != "" && !s.originAllowed(origin) {
			http.Error(w, fmt.Sprintf("origin %s is not allowed to use this node: add it to rpc.cors_origins in chuxin.toml", origin), http.StatusForbidden)
			return
		}
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			ws.ServeHTTP(w, r)
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
		s.rpc.ServeHTTP(w, r)
	})
}

// originAllowed matches an origin against rpc.cors_origins: "*" is any
// origin, and "*" within a pattern any run of characters but "/".
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
