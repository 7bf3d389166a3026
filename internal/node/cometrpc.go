package node

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	cmtpubsub "github.com/cometbft/cometbft/libs/pubsub"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	rpcserver "github.com/cometbft/cometbft/rpc/jsonrpc/server"
	rpctypes "github.com/cometbft/cometbft/rpc/jsonrpc/types"
)

// startCometRPC serves CometBFT's RPC on rpc.comet_addr (none when it is
// empty), as CometBFT would serve it, but from the node: CometBFT reads the
// consensus key once, when it starts, and /status would go on naming the
// old key after a rotation (rotator) that the node made while it ran. Here
// /status names the key the node signs with now; every other route is
// CometBFT's own.
func (n *Node) startCometRPC() error {
	addr := n.Config.RPC.CometAddr
	if addr == "" {
		return nil
	}
	env, err := n.cmt.ConfigureRPC()
	if err != nil {
		return err
	}
	routes := env.GetRoutes()
	routes["status"] = rpcserver.NewRPCFunc(func(ctx *rpctypes.Context) (*ctypes.ResultStatus, error) {
		now := *env
		now.PubKey = n.rotator.current().Key.PubKey
		return now.Status(ctx)
	}, "")
	rc := n.cometConfig().RPC
	cfg := rpcserver.DefaultConfig()
	cfg.MaxRequestBatchSize = rc.MaxRequestBatchSize
	cfg.MaxBodyBytes = rc.MaxBodyBytes
	cfg.MaxHeaderBytes = rc.MaxHeaderBytes
	cfg.MaxOpenConnections = rc.MaxOpenConnections
	if cfg.WriteTimeout <= rc.TimeoutBroadcastTxCommit {
		cfg.WriteTimeout = rc.TimeoutBroadcastTxCommit + time.Second
	}
	logger := cometLogger{l: n.log.With("module", "cometbft-rpc")}
	wm := rpcserver.NewWebsocketManager(routes,
		rpcserver.OnDisconnect(func(remote string) {
			if err := env.EventBus.UnsubscribeAll(context.Background(), remote); err != nil && !errors.Is(err, cmtpubsub.ErrSubscriptionNotFound) {
				n.log.Debug("CometBFT RPC: unsubscribe a closed websocket", "remote", remote, "err", err)
			}
		}),
		rpcserver.ReadLimit(cfg.MaxBodyBytes),
		rpcserver.WriteChanCapacity(rc.WebSocketWriteBufferSize),
	)
	wm.SetLogger(logger)
	mux := http.NewServeMux()
	mux.HandleFunc("/websocket", wm.WebsocketHandler)
	mux.HandleFunc("/v1/websocket", wm.WebsocketHandler)
	rpcserver.RegisterRPCFuncs(mux, routes, logger)
	ln, err := rpcserver.Listen("tcp://"+addr, cfg.MaxOpenConnections)
	if err != nil {
		return err
	}
	n.cometRPC = ln
	go func() {
		if err := rpcserver.Serve(ln, mux, logger, cfg); err != nil && !errors.Is(err, net.ErrClosed) && !errors.Is(err, http.ErrServerClosed) {
			n.log.Error("CometBFT RPC stopped", "addr", addr, "err", err)
		}
	}()
	return nil
}

// closeCometRPC stops serving CometBFT's RPC.
func (n *Node) closeCometRPC() {
	if n.cometRPC != nil {
		if err := n.cometRPC.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			n.log.Debug("close the CometBFT RPC listener", "err", err)
		}
	}
}
