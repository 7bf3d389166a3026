package rpc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/core/types"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

// maxRequestBody bounds one HTTP request (a batch of transactions fits).
const maxRequestBody = 16 * 1024 * 1024

// Server serves the API over HTTP and WebSocket on one listener.
type Server struct {
	rpc     *gethrpc.Server
	filters *filterSystem
	http    *http.Server
	ln      net.Listener
	origins []string
	log     *slog.Logger
}

// NewServer registers the eth, net, web3, txpool and chuxin namespaces over b.
func NewServer(b *Backend) (*Server, error) {
	srv := gethrpc.NewServer()
	srv.SetBatchLimits(b.Limits.BatchItemLimit, b.Limits.BatchResponseMax)
	srv.SetHTTPBodyLimit(maxRequestBody)
	fs := newFilterSystem()
	eth := &EthAPI{b: b, filters: fs}
	fs.api = eth
	for name, svc := range map[string]any{"eth": eth, "net": &NetAPI{b}, "web3": Web3API{}, "txpool": &TxPoolAPI{b}, "chuxin": &ChuxinAPI{b}} {
		if err := srv.RegisterName(name, svc); err != nil {
			return nil, fmt.Errorf("register %s API: %w", name, err)
		}
	}
	log := b.Log
	if log == nil {
		log = slog.Default()
	}
	return &Server{rpc: srv, filters: fs, origins: b.Limits.CORSOrigins, log: log}, nil
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
	s.ln = ln
	s.http = &http.Server{
		Handler:           s.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	go func() {
		// The node keeps committing whatever happens to its API server.
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("json-rpc server stopped: clients can no longer connect; restart the node", "addr", ln.Addr(), "err", err)
		}
	}()
	return nil
}

// handler serves WebSocket upgrades and plain HTTP requests on one port.
func (s *Server) handler() http.Handler {
	ws := s.rpc.WebsocketHandler(s.origins)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			ws.ServeHTTP(w, r)
			return
		}
		s.cors(w, r)
		if r.Method == http.MethodOptions {
			return
		}
		s.rpc.ServeHTTP(w, r)
	})
}

// cors answers browsers for the configured origins.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	for _, o := range s.origins {
		if o == "*" || strings.EqualFold(o, origin) {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
			w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
			return
		}
	}
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
