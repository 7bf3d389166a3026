package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/bench"
	"github.com/chuxin-chain/chuxin/internal/keys"
)

func benchCmd() *cobra.Command {
	var (
		o                    bench.Options
		asJSON               bool
		quiet                bool
		profile              string
		funderFile, password string
	)
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Load a node and measure committed throughput and latency",
		Long: `Load any Ethereum JSON-RPC node (chuxin, geth, …) or, with --protocol cometbft,
a CometBFT kvstore node, and measure what it commits.

The run funds --senders accounts from --funder (default: the first development
account), then offers load for --duration: closed loop (each sender keeps up to
--window transactions in flight) or, with --rate, open loop at that many
transactions per second. Transactions are signed here and sent in JSON-RPC
batches of --batch; commits are learnt by reading blocks. The report gives the
committed transactions per second over the load window, the send-to-commit
latency percentiles, and every refusal by reason.

Workloads: transfer (native), erc20 (OpenZeppelin ERC-20 transfers), deploy
(ERC-20 deployments), mixed (60% transfers, 30% ERC-20, 10% deployments).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if !quiet {
				o.Progress = cmd.ErrOrStderr()
			}
			if funderFile != "" {
				k, err := keys.Load(funderFile, func() (string, error) {
					return keys.Passphrase(password, "Passphrase of "+funderFile, false)
				})
				if err != nil {
					return fmt.Errorf("--funder: %w", err)
				}
				o.Funder = k
			}
			if o.Label == "" {
				o.Label = o.Workload
			}
			if profile != "" {
				f, err := os.Create(profile)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			res, err := bench.Run(ctx, o)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			_, err = cmd.OutOrStdout().Write([]byte(res.Summary()))
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.URL, "rpc", "http://127.0.0.1:8545", "JSON-RPC URL of the node under load")
	f.StringVar(&o.Protocol, "protocol", "eth", "eth (Ethereum JSON-RPC) or cometbft (kvstore through CometBFT RPC)")
	f.StringVar(&o.Workload, "workload", "transfer", "transfer, erc20, deploy or mixed")
	f.IntVar(&o.Senders, "senders", 200, "number of sending accounts")
	f.DurationVar(&o.Duration, "duration", 30*time.Second, "how long to offer load")
	f.Float64Var(&o.Rate, "rate", 0, "open loop: offered transactions per second (0: closed loop)")
	f.IntVar(&o.Batch, "batch", 100, "transactions per JSON-RPC batch")
	f.IntVar(&o.Window, "window", 32, "most transactions one sender has in flight")
	f.IntVar(&o.Workers, "workers", 4, "concurrent batch senders")
	f.DurationVar(&o.Drain, "drain", 10*time.Second, "how long to wait after the load for transactions in flight")
	f.Uint64Var(&o.Seed, "seed", 1, "seed of the sender keys (a new seed, new accounts)")
	f.StringVar(&funderFile, "funder", "", "key file (keystore, or hex) of the account that funds the senders (default: development account 0)")
	f.StringVar(&password, "password", "", "file whose first line is the funder keystore's passphrase (default: ask at the terminal)")
	f.IntVar(&o.Presign, "presign", 0, "sign this many transactions per sender before the load window, so signing does not compete with the node")
	f.StringVar(&o.Label, "label", "", "name of the run in reports")
	f.BoolVar(&o.GrantRoles, "grant-roles", false, "a permissioned chuxin network: the funder (an admin) grants the senders the transactor and deployer roles")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	f.BoolVar(&quiet, "quiet", false, "no progress line")
	f.StringVar(&profile, "cpuprofile", "", "write the load generator's own CPU profile (Go pprof) to this file")
	return cmd
}
