// Package client is the pledge module's CLI: chuxin pledge write, list and
// read. Sealing happens here, so a pledge's plaintext never reaches the
// node.
package client

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/module/client"
	beaconclient "github.com/chuxin-chain/chuxin/x/beacon/client"
	beacon "github.com/chuxin-chain/chuxin/x/beacon/types"
	"github.com/chuxin-chain/chuxin/x/pledge/contracts"
	pledge "github.com/chuxin-chain/chuxin/x/pledge/types"
)

// Command is chuxin pledge.
func Command() *cobra.Command {
	var f client.Flags
	cmd := &cobra.Command{
		Use:   "pledge",
		Short: "The pledge book: write, list and read pledges sealed until an anniversary",
		Long: `The pledge book (the Chain of Aspirations) keeps members' pledges: why they
joined and what it means to them, each sealed as a time capsule until the
next anniversary of the day they joined (midnight in the network's time
zone; a 29 February anniversary opens on 28 February in other years), or
the anniversary --years on. Sealing happens here: the plaintext never
reaches the node. Once open, a public pledge is readable by everyone; a
--private one is also encrypted to the member's own key, so only the member
can read it. Pledges can be neither changed nor deleted.`,
	}
	f.Add(cmd)
	cmd.AddCommand(pledgeWriteCmd(&f), pledgeListCmd(&f), pledgeReadCmd(&f))
	return cmd
}

// pledgeBook is the contract's ABI.
func pledgeBook() (*abi.ABI, error) {
	art, err := contracts.PledgeBook()
	if err != nil {
		return nil, err
	}
	return &art.ABI, nil
}

// pledgeTuple mirrors the contract's Pledge struct.
type pledgeTuple struct {
	Member    common.Address
	Capsule   *big.Int
	JoinedOn  uint32
	OpensAt   uint64
	WrittenAt uint64
	IsPrivate bool
}

// pledgeView calls a view of the pledge book.
func pledgeView(ctx context.Context, c *client.Client, method string, args ...any) ([]any, error) {
	a, err := pledgeBook()
	if err != nil {
		return nil, err
	}
	return c.View(ctx, pledge.Address, a, method, args...)
}

func pledgeWriteCmd(f *client.Flags) *cobra.Command {
	var (
		joined, text, file string
		years              int
		private            bool
	)
	cmd := &cobra.Command{
		Use:     "write",
		Short:   "Write a pledge, sealed until an anniversary of the day you joined",
		Example: `  chuxin pledge write --dev-account 1 --joined 2019-07-01 --text "to serve the city"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 2*time.Minute)
			defer cancel()
			day, err := pledge.ParseDay(joined)
			if err != nil {
				return err
			}
			key, err := f.Key()
			if err != nil || key == nil {
				return fmt.Errorf("a pledge is written by its member: %w", client.ErrNoKey)
			}
			c, err := f.Dial(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			info, pk, err := beaconclient.System(ctx, c)
			if err != nil {
				return err
			}
			loc, err := zoneOf(info.TimeZone)
			if err != nil {
				return err
			}
			opens, err := pledge.OpensAt(day, years, time.Now(), loc)
			if err != nil {
				return err
			}
			chain := capsule.ChainInfo{Period: uint32(info.Period), GenesisTime: int64(info.GenesisTime)}
			round := chain.RoundFrom(opens.Unix())
			plain := []byte(text)
			if file != "" {
				if plain, err = os.ReadFile(file); err != nil {
					return err
				}
			}
			if len(plain) == 0 {
				return fmt.Errorf("say what the pledge is: --text or --file")
			}
			if private {
				if plain, err = pledge.SealToMember(&key.PublicKey, plain); err != nil {
					return err
				}
			}
			a, err := pledgeBook()
			if err != nil {
				return err
			}
			joinedOn := uint32(day.Year*10000 + int(day.Month)*100 + day.Day)
			r, id, err := beaconclient.SealAndSend(ctx, c, info, pk, round, plain, pledge.Address, func(ct []byte) ([]byte, error) {
				return a.Pack("write", joinedOn, round, uint64(opens.Unix()), private, ct)
			})
			if err != nil {
				return err
			}
			kind := "public"
			if private {
				kind = "private"
			}
			out := map[string]any{"id": id, "round": round, "opensAt": opens, "private": private, "tx": r.TxHash, "block": r.BlockNumber.Uint64()}
			return f.Print(cmd.OutOrStdout(), out, fmt.Sprintf("pledge %d written (%s): sealed until %s (round %d)\n(transaction %s, block %d)\n",
				id, kind, pledgeTime(uint64(opens.Unix()), loc), round, r.TxHash, r.BlockNumber))
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&joined, "joined", "", "the day you joined, YYYY-MM-DD")
	fl.IntVar(&years, "years", 0, "open at the anniversary this many years on (0 or 1: the next)")
	fl.BoolVar(&private, "private", false, "only you can read it once it opens")
	fl.StringVar(&text, "text", "", "the pledge")
	fl.StringVar(&file, "file", "", "a file holding the pledge")
	_ = cmd.MarkFlagRequired("joined")
	return cmd
}

// readPledge fetches a pledge and whether it is open.
func readPledge(ctx context.Context, c *client.Client, id uint64) (*pledgeTuple, bool, error) {
	out, err := pledgeView(ctx, c, "pledge", new(big.Int).SetUint64(id))
	if err != nil {
		return nil, false, err
	}
	return abi.ConvertType(out[0], new(pledgeTuple)).(*pledgeTuple), out[1].(bool), nil
}

// networkZone is the network's time zone, in which pledges' times are
// written and shown.
func networkZone(ctx context.Context, c *client.Client) (*time.Location, error) {
	info, _, err := beaconclient.System(ctx, c)
	if err != nil {
		return nil, err
	}
	return zoneOf(info.TimeZone)
}

func zoneOf(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("the network's time zone %q: %w", name, err)
	}
	return loc, nil
}

// pledgeTime is a pledge's opening time in the network's time zone, as
// pledge write prints it.
func pledgeTime(opensAt uint64, loc *time.Location) string {
	return time.Unix(int64(opensAt), 0).In(loc).Format("2006-01-02 15:04 MST")
}

func pledgeText(id uint64, p *pledgeTuple, open bool, loc *time.Location) string {
	status := "sealed until"
	if open {
		status = "open since"
	}
	kind := "public"
	if p.IsPrivate {
		kind = "private"
	}
	j := p.JoinedOn
	return fmt.Sprintf("pledge %d by %s, joined %04d-%02d-%02d, %s: %s %s\n", id, p.Member, j/10000, j/100%100, j%100, kind, status,
		pledgeTime(p.OpensAt, loc))
}

func pledgeListCmd(f *client.Flags) *cobra.Command {
	var member string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the pledges, or one member's",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return f.Read(cmd, func(ctx context.Context, c *client.Client) (any, string, error) {
				var ids []uint64
				if member != "" {
					if !common.IsHexAddress(member) {
						return nil, "", fmt.Errorf("--member %q is not an address", member)
					}
					out, err := pledgeView(ctx, c, "pledgesOf", common.HexToAddress(member))
					if err != nil {
						return nil, "", err
					}
					for _, id := range out[0].([]*big.Int) {
						ids = append(ids, id.Uint64())
					}
				} else {
					out, err := pledgeView(ctx, c, "count")
					if err != nil {
						return nil, "", err
					}
					for i := uint64(1); i <= out[0].(*big.Int).Uint64(); i++ {
						ids = append(ids, i)
					}
				}
				loc, err := networkZone(ctx, c)
				if err != nil {
					return nil, "", err
				}
				var b strings.Builder
				var list []map[string]any
				for _, id := range ids {
					p, open, err := readPledge(ctx, c, id)
					if err != nil {
						return nil, "", err
					}
					b.WriteString(pledgeText(id, p, open, loc))
					list = append(list, map[string]any{"id": id, "member": p.Member, "joinedOn": p.JoinedOn, "opensAt": p.OpensAt, "private": p.IsPrivate, "open": open, "capsule": p.Capsule})
				}
				if len(ids) == 0 {
					b.WriteString("no pledges\n")
				}
				return list, b.String(), nil
			})
		},
	}
	cmd.Flags().StringVar(&member, "member", "", "only this member's pledges")
	return cmd
}

func pledgeReadCmd(f *client.Flags) *cobra.Command {
	return &cobra.Command{
		Use:   "read ID",
		Short: "Read a pledge that has opened (a private one with its member's key)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil || id == 0 {
				return fmt.Errorf("pledge id %q: a number from 1", args[0])
			}
			var key *ecdsa.PrivateKey
			if key, err = f.Key(); err != nil {
				return err
			}
			return f.Read(cmd, func(ctx context.Context, c *client.Client) (any, string, error) {
				p, _, err := readPledge(ctx, c, id)
				if err != nil {
					return nil, "", err
				}
				sys, pk, err := beaconclient.System(ctx, c)
				if err != nil {
					return nil, "", err
				}
				var info beacon.CapsuleInfo
				if err := c.Call(ctx, &info, "chuxin_getCapsule", hexutil.Uint64(p.Capsule.Uint64())); err != nil {
					return nil, "", err
				}
				plain, err := capsule.Decrypt(pk, sys.ChainHash, info.Ciphertext, beaconclient.EpochKeys(ctx, c, func(uint64) error {
					return fmt.Errorf("pledge %d is sealed until %s", id, pledgeTime(p.OpensAt, zoneOrUTC(sys.TimeZone)))
				}))
				if err != nil {
					return nil, "", err
				}
				if p.IsPrivate {
					if key == nil {
						return nil, "", fmt.Errorf("pledge %d is private: only its member, %s, reads it (--key or --dev-account)", id, p.Member)
					}
					if plain, err = pledge.OpenAsMember(key, plain); err != nil {
						return nil, "", err
					}
				}
				return map[string]any{"id": id, "member": p.Member, "text": string(plain)}, string(plain) + "\n", nil
			})
		},
	}
}

// zoneOrUTC is the named time zone, or UTC if this machine lacks it.
func zoneOrUTC(name string) *time.Location {
	if loc, err := zoneOf(name); err == nil {
		return loc
	}
	return time.UTC
}
