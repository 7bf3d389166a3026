// Command chuxin runs and manages chuxin nodes: a local development chain
// (devnet), the homes of a multi-process network (testnet) and a node of an
// existing network (start).
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/app"
	"github.com/chuxin-chain/chuxin/internal/modules"
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
	root.AddCommand(devnetCmd(), testnetCmd(), initCmd(), genesisCmd(), startCmd(), benchCmd(), versionCmd(), identityCmd(), keysCmd(), backupCmd(), restoreCmd(), joinCmd(), rotateKeyCmd())
	root.AddCommand(modules.Set().Commands()...)
	return root
}

func versionCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, the commit it was built from, and the Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := app.Build()
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(b)
			}
			_, err := fmt.Fprint(cmd.OutOrStdout(), b.String())
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON for scripts")
	return cmd
}
