package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/node"
)

func startCmd() *cobra.Command {
	var home string
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Run the node whose home is --home",
		Long: `Run one node of a network: it replays any blocks it had not made durable,
joins its peers, catches up and serves the Ethereum JSON-RPC API. Its settings
are in HOME/config/chuxin.toml. Stop it with Ctrl-C (SIGINT) or SIGTERM.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(home)
			if err != nil {
				return err
			}
			log := node.NewLogger(os.Stderr, cfg.LogLevel, cfg.LogFormat)
			return runNodes([]string{home}, log, nil)
		},
	}
	cmd.Flags().StringVar(&home, "home", "", "node home directory (required)")
	_ = cmd.MarkFlagRequired("home")
	return cmd
}
