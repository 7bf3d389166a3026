package client

import (
	"context"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/govclient"
	beaconclient "github.com/chuxin-chain/chuxin/x/beacon/client"
	beacontypes "github.com/chuxin-chain/chuxin/x/beacon/types"
	ctypes "github.com/chuxin-chain/chuxin/x/consortium/types"
)

func auditCmd() *cobra.Command {
	var (
		f        clientFlags
		from, to int64
		account  string
		q        ctypes.AuditQuery
	)
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Show the consortium and its audit trail: members, validators, admitted nodes, and every governance action, role change, admission, freeze and piece of evidence",
		Long: `Show, from any node (an observer's serves it all):
  - the members and their weights, the parameters and the permission mode;
  - the validators with their voting power and, over the last 1000 blocks,
    the blocks each proposed and the commits each signed and missed;
  - the admitted nodes, whether this node is connected to each, and when it
    last saw each connected;
  - the audit trail, oldest first: who did what, in which block and
    transaction. Filter it by --account (what an account did or what
    concerns it), --kind (proposal, vote, member, validator, role, freeze,
    node, param, contract, or a module's: schedule) and a block range; it comes in pages (--page, --page-size).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from >= 0 {
				v := hexutil.Uint64(from)
				q.FromBlock = &v
			}
			if to >= 0 {
				v := hexutil.Uint64(to)
				q.ToBlock = &v
			}
			if account != "" {
				as, err := addresses(account)
				if err != nil {
					return fmt.Errorf("--account: %w", err)
				}
				q.Account = &as[0]
			}
			return f.read(cmd, func(ctx context.Context, c *govclient.Client) (any, string, error) {
				info, err := c.Consortium(ctx)
				if err != nil {
					return nil, "", err
				}
				page, err := c.Audit(ctx, q)
				if err != nil {
					return nil, "", err
				}
				var b strings.Builder
				b.WriteString(consortiumText(info))
				// The beacon, if the chain has one: who can open capsules.
				var beacon *beacontypes.CapsuleSystem
				if sys, _, err := beaconclient.System(ctx, c.Client); err == nil {
					beacon = sys
					b.WriteString(beaconText(sys))
				} else {
					fmt.Fprintf(&b, "beacon: %v\n", err) // none, or the node did not say
				}
				fmt.Fprintf(&b, "audit trail, blocks %d to %d: %d entries, page %d:\n", page.FromBlock, page.ToBlock, page.Total, page.Page)
				for _, e := range page.Entries {
					tx := ""
					if e.Tx != nil {
						tx = " tx " + e.Tx.Hex()
					}
					fmt.Fprintf(&b, "  block %-7d %-9s by %s: %s%s\n", e.Block, e.Kind, e.Actor, e.Text, tx)
				}
				return map[string]any{"consortium": info, "beacon": beacon, "trail": page}, b.String(), nil
			})
		},
	}
	f.add(cmd)
	fl := cmd.Flags()
	fl.Int64Var(&from, "from", -1, "first block of the trail (default: as many blocks back as rpc.max_log_block_range, 10,000 by default)")
	fl.Int64Var(&to, "to", -1, "last block of the trail (default: the head)")
	fl.StringVar(&account, "account", "", "only what this account did or what concerns it")
	fl.StringVar(&q.Kind, "kind", "", "only this kind: proposal, vote, member, validator, role, freeze, node, param, contract, or a module's (schedule)")
	fl.IntVar(&q.Page, "page", 0, "page of the trail, from 0")
	fl.IntVar(&q.PageSize, "page-size", 100, "entries per page (at most 1000)")
	return cmd
}

// beaconText says who can open the chain's capsules: any threshold of the
// beacon's share holders together, and no fewer.
func beaconText(sys *beacontypes.CapsuleSystem) string {
	if sys.Threshold <= 1 && sys.Holders > 1 {
		return fmt.Sprintf("beacon: threshold 1 of %d share holders: ANY ONE validator can open every capsule and pledge at once; an epoch every %d s\n", sys.Holders, sys.Period)
	}
	return fmt.Sprintf("beacon: any %d of its %d share holders (the genesis validators) release each epoch's key together; fewer cannot open a capsule early; an epoch every %d s\n", sys.Threshold, sys.Holders, sys.Period)
}

// consortiumText tells the consortium as chuxin_consortium reads it:
// parameters, members, validators with their activity, admitted nodes.
func consortiumText(info *ctypes.ConsortiumInfo) string {
	var b strings.Builder
	mode := "open"
	if info.Permissioned {
		mode = "permissioned"
	}
	fmt.Fprintf(&b, "consortium: %s network; quorum %d and threshold %d basis points; voting period %d blocks\n", mode, info.Quorum, info.Threshold, info.VotingPeriod)
	fmt.Fprintf(&b, "next block: gas limit %d, base fee %s wei per gas\n", info.GasLimit, info.BaseFee.ToInt())
	b.WriteString("members:\n")
	for _, m := range info.Members {
		fmt.Fprintf(&b, "  %-20s weight %-4d governors %v\n", m.Name, m.Weight, m.Governors)
	}
	if info.LastBlockTime != nil {
		fmt.Fprintf(&b, "blocks: the last at %s", info.LastBlockTime.UTC().Format("2006-01-02 15:04:05 UTC"))
		if info.BlockInterval > 0 {
			fmt.Fprintf(&b, ", one every %.2f s on average over the last %d at most", info.BlockInterval, info.Window)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "validators, as consensus will have them once every passed change applies (proposed, signed, missed over the last %d blocks):\n", info.Window)
	for _, v := range info.Validators {
		name := v.Name
		if name == "" {
			name = "-"
		}
		fmt.Fprintf(&b, "  %-12s %s %s power %-6d proposed %-5d signed %-5d missed %d\n", name, v.Address, v.PubKey, v.Power, v.Proposed, v.Signed, v.Missed)
		if v.Node != "" {
			fmt.Fprintf(&b, "  %-12s on node %s", "", v.Node)
			if v.Member != "" {
				fmt.Fprintf(&b, ", run by member %s", v.Member)
			}
			b.WriteString("\n")
		}
	}
	if len(info.Governed) > 0 {
		b.WriteString("governed contracts (a proposal may call them):\n")
		for _, g := range info.Governed {
			fmt.Fprintf(&b, "  %s %s\n", g.Address, g.Name)
		}
	}
	b.WriteString("admitted nodes:\n")
	for _, n := range info.Nodes {
		seen := "never seen by this node"
		if n.LastSeen != nil {
			seen = "last seen " + n.LastSeen.Format("2006-01-02 15:04:05 UTC")
		}
		if n.Connected {
			seen = "connected"
		}
		if n.Self {
			seen = "this node"
		}
		if n.Member != "" {
			seen += ", run by member " + n.Member
		}
		fmt.Fprintf(&b, "  %s %-12s %s\n", n.ID, n.Name, seen)
	}
	return b.String()
}
