package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/chuxin-chain/chuxin/internal/modules"
	"github.com/chuxin-chain/chuxin/internal/node"
)

// runNodes opens and starts the nodes of homes in this process, calls ready
// once they run, and stops them all on SIGINT or SIGTERM.
func runNodes(homes []string, log *slog.Logger, ready func(nodes []*node.Node)) error {
	node.RouteGethLog(log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var nodes []*node.Node
	defer func() {
		for i := len(nodes) - 1; i >= 0; i-- {
			if err := nodes[i].Stop(); err != nil {
				log.Error("stop node", "home", nodes[i].Home, "err", err)
			}
		}
	}()
	for _, home := range homes {
		n, err := node.Open(ctx, home, log, modules.Set())
		if err != nil {
			return fmt.Errorf("%s: %w", home, err)
		}
		nodes = append(nodes, n)
		if err := n.Start(); err != nil {
			return fmt.Errorf("%s: %w", home, err)
		}
	}
	if ready != nil {
		ready(nodes)
	}
	<-ctx.Done()
	log.Info("shutting down")
	return nil
}
