// Package client is the scheduler module's CLI: chuxin schedule list, show
// and allow.
package client

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/module/client"
	"github.com/chuxin-chain/chuxin/x/scheduler/contracts"
	sched "github.com/chuxin-chain/chuxin/x/scheduler/types"
)

// Command is chuxin schedule.
func Command() *cobra.Command {
	var f client.Flags
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "The chain's clock: list and show scheduled calls, allow schedulers",
		Long: `Contracts that the consortium allows schedule calls at a block time with
the Scheduler contract (` + sched.Address.Hex() + `); the first block whose time
is at or after a call's runs it, after the block's transactions, in (time,
sequence) order, at most ` + strconv.Itoa(sched.MaxFires) + ` calls and ` + strconv.Itoa(sched.MaxBlockGas) + ` gas a block. A call that
reverts or runs out of gas is recorded as failed, with its reason. The
scheduler runs from chuxin rule version ` + strconv.Itoa(sched.ActiveFrom) + `.`,
	}
	f.Add(cmd)
	cmd.AddCommand(listCmd(&f), showCmd(&f), allowCmd(&f))
	return cmd
}

// caller reads the Scheduler contract through c.
func caller(c *client.Client) sched.Caller {
	return func(ctx context.Context, data []byte) ([]byte, error) {
		return c.CallContract(ctx, sched.Address, data)
	}
}

func callText(c *sched.Call) string {
	s := fmt.Sprintf("call %d by %s to %s at %s (gas %d): %s", c.ID, c.Owner, c.Target,
		time.Unix(int64(c.Time), 0).UTC().Format(time.RFC3339), c.GasLimit, c.Status)
	if c.FiredAt != 0 {
		s += fmt.Sprintf(" in block %d", c.FiredAt)
	}
	if c.Reason != "" {
		s += fmt.Sprintf(": %q", c.Reason)
	}
	return s + "\n"
}

func listCmd(f *client.Flags) *cobra.Command {
	var (
		q      sched.Query
		target string
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List scheduled calls: all, or by target, status and time",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if target != "" {
				if !common.IsHexAddress(target) {
					return fmt.Errorf("--target %q is not an address", target)
				}
				a := common.HexToAddress(target)
				q.Target = &a
			}
			return f.Read(cmd, func(ctx context.Context, c *client.Client) (any, string, error) {
				page, err := sched.Read(ctx, caller(c), q)
				if err != nil {
					return nil, "", err
				}
				var b strings.Builder
				fmt.Fprintf(&b, "%d calls scheduled, %d pending", page.Count, page.Pending)
				if page.NextDue != 0 {
					fmt.Fprintf(&b, ", the next due at %s", time.Unix(int64(page.NextDue), 0).UTC().Format(time.RFC3339))
				}
				b.WriteString("\n")
				for i := range page.Calls {
					b.WriteString(callText(&page.Calls[i]))
				}
				if page.NextID != 0 {
					fmt.Fprintf(&b, "(more from --from-id %d)\n", page.NextID)
				}
				return page, b.String(), nil
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&target, "target", "", "only calls to this contract")
	fl.StringVar(&q.Status, "status", "", "only calls of this status: pending, done, failed, cancelled")
	fl.Uint64Var(&q.FromTime, "from-time", 0, "only calls due at or after this time (seconds since the epoch)")
	fl.Uint64Var(&q.ToTime, "to-time", 0, "only calls due at or before this time (seconds since the epoch)")
	fl.Uint64Var(&q.FromID, "from-id", 0, "start at this call")
	fl.IntVar(&q.Limit, "limit", 100, "at most this many calls (1 to 1000)")
	return cmd
}

func showCmd(f *client.Flags) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show a scheduled call: who scheduled it, its target, time, status and why it failed",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil || id == 0 {
				return fmt.Errorf("call id %q: a number from 1", args[0])
			}
			return f.Read(cmd, func(ctx context.Context, c *client.Client) (any, string, error) {
				call, err := sched.Get(ctx, caller(c), id)
				if err != nil {
					return nil, "", err
				}
				return call, callText(call), nil
			})
		},
	}
}

func allowCmd(f *client.Flags) *cobra.Command {
	var no bool
	cmd := &cobra.Command{
		Use:     "allow ADDRESS",
		Short:   "Allow a contract to schedule calls (or no longer, with --no); by a consortium admin",
		Example: `  chuxin schedule allow 0xAbC… --keystore admin.json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !common.IsHexAddress(args[0]) {
				return fmt.Errorf("%q is not an address", args[0])
			}
			account := common.HexToAddress(args[0])
			ctx, cancel := context.WithTimeout(cmd.Context(), 2*time.Minute)
			defer cancel()
			c, err := f.Dial(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			art, err := contracts.Scheduler()
			if err != nil {
				return err
			}
			data, err := art.ABI.Pack("allow", account, !no)
			if err != nil {
				return err
			}
			r, err := c.SendTo(ctx, sched.Address, data)
			if err != nil {
				return err
			}
			verb := "may schedule calls"
			if no {
				verb = "may no longer schedule calls"
			}
			out := map[string]any{"account": account, "allowed": !no, "tx": r.TxHash, "block": r.BlockNumber.Uint64()}
			return f.Print(cmd.OutOrStdout(), out, fmt.Sprintf("%s %s\n(transaction %s, block %d)\n", account, verb, r.TxHash, r.BlockNumber))
		},
	}
	cmd.Flags().BoolVar(&no, "no", false, "disallow instead")
	return cmd
}
