// Command chuxin runs and manages chuxin nodes: a local development chain
// (devnet), the homes of a multi-process network (testnet) and a node of an
// existing network (start).
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/app"
)

func main() {
	if err := rootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "chuxin",
		Short:         "chuxin: a permissioned EVM blockchain under BFT consensus",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(devnetCmd(), testnetCmd(), initCmd(), genesisCmd(), capsuleCmd(), pledgeCmd(), startCmd(), benchCmd(), versionCmd(), govCmd(), rolesCmd(), identityCmd(), auditCmd(), keysCmd())
	root.AddCommand(freezeCmds()...)
	return root
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run:   func(cmd *cobra.Command, _ []string) { fmt.Fprintln(cmd.OutOrStdout(), "chuxin", app.Version) },
	}
}
