package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
)

// ErrQueryPath: an ABCI query named a path this application does not answer.
var ErrQueryPath = errors.New("unknown query path")

// PeerFilter decides whether this node takes a peer connection. CometBFT
// (with filter_peers set) asks before the handshake with kind "addr" and the
// remote host:port, and after it with kind "id" and the peer's node ID. An
// error refuses the peer, and CometBFT closes the connection.
type PeerFilter func(kind, value string) error

// SetPeerFilter installs f as the peer filter; nil takes every peer.
func (a *App) SetPeerFilter(f PeerFilter) {
	if f == nil {
		a.peerFilter.Store(nil)
		return
	}
	a.peerFilter.Store(&f)
}

// Query answers CometBFT's peer-filter queries, /p2p/filter/addr/HOST:PORT
// and /p2p/filter/id/NODE_ID, with the peer filter's verdict. Chain state is
// read through the JSON-RPC, not here: any other path is refused by name.
func (a *App) Query(_ context.Context, req *abci.QueryRequest) (*abci.QueryResponse, error) {
	rest, ok := strings.CutPrefix(req.Path, "/p2p/filter/")
	if !ok {
		return refuseQuery(req.Path, fmt.Errorf("%w %q: this application answers /p2p/filter/addr/… and /p2p/filter/id/… only; read chain state through the JSON-RPC", ErrQueryPath, req.Path)), nil
	}
	kind, value, ok := strings.Cut(rest, "/")
	if !ok || (kind != "addr" && kind != "id") || value == "" {
		return refuseQuery(req.Path, fmt.Errorf("%w %q: want /p2p/filter/addr/HOST:PORT or /p2p/filter/id/NODE_ID", ErrQueryPath, req.Path)), nil
	}
	if f := a.peerFilter.Load(); f != nil {
		if err := (*f)(kind, value); err != nil {
			return refuseQuery(req.Path, fmt.Errorf("peer %s %s refused: %w", kind, value, err)), nil
		}
	}
	return &abci.QueryResponse{Code: abci.CodeTypeOK, Key: []byte(req.Path)}, nil
}

func refuseQuery(path string, err error) *abci.QueryResponse {
	return &abci.QueryResponse{Code: CodeRefused, Log: err.Error(), Key: []byte(path), Codespace: "chuxin"}
}
