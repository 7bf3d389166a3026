// Package client is the beacon module's CLI: chuxin capsule seal, show and
// open, and the helpers other modules' commands use to seal to the beacon
// and to open what it released (the pledge book's among them).
package client

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"strconv"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/module/client"
	"github.com/chuxin-chain/chuxin/internal/system"
	beacon "github.com/chuxin-chain/chuxin/x/beacon/types"
)

// Command is chuxin capsule.
func Command() *cobra.Command {
	var f client.Flags
	cmd := &cobra.Command{
		Use:   "capsule",
		Short: "Seal, show and open time capsules",
		Long: `A time capsule is a message sealed with drand's timelock encryption to one
of the network's beacon rounds and kept in the Capsules contract: nobody can
read it before the validators release the round's key, and nobody can change
or delete it. seal encrypts here, so the plaintext never leaves this machine;
open takes the round's key from the node, checks it against the beacon's
master key and decrypts here.`,
	}
	f.Add(cmd)
	cmd.AddCommand(sealCmd(&f), capsuleShowCmd(&f), capsuleOpenCmd(&f))
	return cmd
}

// System asks the node where capsules live and which beacon opens them.
func System(ctx context.Context, c *client.Client) (*beacon.CapsuleSystem, *capsule.PublicKey, error) {
	var info beacon.CapsuleSystem
	if err := c.Call(ctx, &info, "chuxin_capsuleInfo"); err != nil {
		return nil, nil, err
	}
	pk, err := capsule.ParsePublicKey(info.PublicKey)
	if err != nil {
		return nil, nil, fmt.Errorf("the node's beacon key: %w", err)
	}
	return &info, pk, nil
}

func sealCmd(f *client.Flags) *cobra.Command {
	var (
		round      uint64
		in         time.Duration
		at, label  string
		text, file string
	)
	cmd := &cobra.Command{
		Use:   "seal",
		Short: "Seal a message to a future round and keep it on chain",
		Example: `  chuxin capsule seal --dev-account 1 --in 1m --label "first pledge" --text "why I joined"
  chuxin capsule seal --key me.key --at 2027-06-01T00:00:00+08:00 --file letter.txt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 2*time.Minute)
			defer cancel()
			c, err := f.Dial(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			info, pk, err := System(ctx, c)
			if err != nil {
				return err
			}
			chain := capsule.ChainInfo{Period: uint32(info.Period), GenesisTime: int64(info.GenesisTime)}
			switch {
			case round > 0 && (in > 0 || at != ""), in > 0 && at != "":
				return fmt.Errorf("give one of --round, --in and --at")
			case in > 0:
				round = chain.RoundAt(time.Now().Add(in).Unix()) + 1
			case at != "":
				t, err := time.Parse(time.RFC3339, at)
				if err != nil {
					return fmt.Errorf("--at %q: write it as RFC 3339, e.g. 2027-06-01T00:00:00+08:00", at)
				}
				round = chain.RoundFrom(t.Unix())
			case round == 0:
				return fmt.Errorf("say when it opens: --in DURATION, --at TIME or --round N")
			}
			plain := []byte(text)
			if file != "" {
				if text != "" {
					return fmt.Errorf("give --text or --file, not both")
				}
				if plain, err = os.ReadFile(file); err != nil {
					return err
				}
			}
			r, id, err := SealAndSend(ctx, c, info, pk, round, plain, system.CapsulesAddress, func(ct []byte) ([]byte, error) {
				return system.PackCapsules("seal", round, ct, label)
			})
			if err != nil {
				return err
			}
			opens := time.Unix(chain.RoundTime(round), 0)
			out := map[string]any{"id": id, "round": round, "opensAt": opens.UTC(), "tx": r.TxHash, "block": r.BlockNumber.Uint64()}
			return f.Print(cmd.OutOrStdout(), out, fmt.Sprintf("capsule %d sealed to round %d: it opens at %s\n(transaction %s, block %d)\n",
				id, round, opens.Format(time.RFC3339), r.TxHash, r.BlockNumber))
		},
	}
	fl := cmd.Flags()
	fl.Uint64Var(&round, "round", 0, "the beacon round it opens at")
	fl.DurationVar(&in, "in", 0, "open this long from now (the first round after it)")
	fl.StringVar(&at, "at", "", "open at this time, RFC 3339 (the first round at or after it)")
	fl.StringVar(&label, "label", "", "a public label (at most 128 bytes)")
	fl.StringVar(&text, "text", "", "the message")
	fl.StringVar(&file, "file", "", "a file holding the message")
	return cmd
}

func capsuleID(arg string) (hexutil.Uint64, error) {
	id, err := strconv.ParseUint(arg, 10, 64)
	if err != nil || id == 0 {
		return 0, fmt.Errorf("capsule id %q: a number from 1", arg)
	}
	return hexutil.Uint64(id), nil
}

func capsuleShowCmd(f *client.Flags) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show a capsule: its owner, label, round and whether it is open",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := capsuleID(args[0])
			if err != nil {
				return err
			}
			return f.Read(cmd, func(ctx context.Context, c *client.Client) (any, string, error) {
				var info beacon.CapsuleInfo
				if err := c.Call(ctx, &info, "chuxin_getCapsule", id); err != nil {
					return nil, "", err
				}
				status := "sealed until " + info.OpensAt.Format(time.RFC3339)
				if info.Open {
					status = "open since " + info.OpensAt.Format(time.RFC3339)
				}
				return info, fmt.Sprintf("capsule %d by %s, %q: round %d, %s; %d bytes sealed in block %d\n",
					id, info.Owner, info.Label, info.Round, status, len(info.Ciphertext), info.SealedAt), nil
			})
		},
	}
}

func capsuleOpenCmd(f *client.Flags) *cobra.Command {
	return &cobra.Command{
		Use:   "open ID",
		Short: "Open a capsule whose round has come: its key is checked and the message decrypted here",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := capsuleID(args[0])
			if err != nil {
				return err
			}
			return f.Read(cmd, func(ctx context.Context, c *client.Client) (any, string, error) {
				sys, pk, err := System(ctx, c)
				if err != nil {
					return nil, "", err
				}
				var info beacon.CapsuleInfo
				if err := c.Call(ctx, &info, "chuxin_getCapsule", id); err != nil {
					return nil, "", err
				}
				plain, err := capsule.Decrypt(pk, sys.ChainHash, info.Ciphertext, EpochKeys(ctx, c, func(round uint64) error {
					return fmt.Errorf("capsule %d is sealed until %s (round %d)", id, info.OpensAt.Format(time.RFC3339), round)
				}))
				if err != nil {
					return nil, "", err
				}
				return map[string]any{"id": id, "round": info.Round, "plaintext": hexutil.Bytes(plain), "text": string(plain)}, string(plain) + "\n", nil
			})
		},
	}
}

// SealAndSend seals plain to round on this machine and sends the call that
// call makes of the ciphertext to the contract at to; it returns the receipt
// and the id in the first indexed topic of the contract's event.
func SealAndSend(ctx context.Context, c *client.Client, info *beacon.CapsuleSystem, pk *capsule.PublicKey, round uint64, plain []byte,
	to common.Address, call func(ct []byte) ([]byte, error)) (*types.Receipt, uint64, error) {
	ct, err := capsule.Encrypt(pk, info.ChainHash, round, plain, true)
	if err != nil {
		return nil, 0, err
	}
	data, err := call(ct)
	if err != nil {
		return nil, 0, err
	}
	r, err := c.SendTo(ctx, to, data)
	if err != nil {
		return nil, 0, err
	}
	var id uint64
	for _, l := range r.Logs {
		if l.Address == to && len(l.Topics) > 1 {
			id = new(big.Int).SetBytes(l.Topics[1][:]).Uint64()
		}
	}
	return r, id, nil
}

// EpochKeys takes rounds' keys from the node (chuxin_getEpochKey); the
// caller checks them (capsule.Decrypt does, against the master key). A
// round not released yet is the error sealed makes.
func EpochKeys(ctx context.Context, c *client.Client, sealed func(round uint64) error) capsule.KeySource {
	return func(round uint64) (*capsule.Signature, error) {
		var k *beacon.EpochKey
		if err := c.Call(ctx, &k, "chuxin_getEpochKey", hexutil.Uint64(round)); err != nil {
			return nil, err
		}
		if k == nil {
			return nil, sealed(round)
		}
		return capsule.ParseSignature(k.Key)
	}
}
