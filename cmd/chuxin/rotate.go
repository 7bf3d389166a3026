package main

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/privval"
	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/govclient"
	"github.com/chuxin-chain/chuxin/internal/keys"
	"github.com/chuxin-chain/chuxin/internal/node"
	"github.com/chuxin-chain/chuxin/internal/system"
)

func rotateKeyCmd() *cobra.Command {
	var home string
	cmd := &cobra.Command{
		Use:   "rotate-key",
		Short: "Make a validator's next consensus key; the node moves to it once governance swaps it in",
		Long: `Rotating a validator's consensus key is one proposal:

  1. on the validator's machine: chuxin rotate-key --home HOME
       writes a new key to HOME/config/priv_validator_key.next.json (mode
       0600) and prints the proposal to make
  2. a governor: chuxin gov propose --rotate-validator OLD:NEW --description "…"
       one action set: the new key takes the old key's power and fee
       recipient, and the old key leaves the validator set
  3. the running node moves to the new key by itself at the first height
       whose validator set holds the new key instead of the old one (a node
       that was stopped moves when it starts); the old key is kept as
       config/priv_validator_key.retired-ADDRESS.json.

The beacon's committee knows its share holders by their consensus keys and
cannot be reshared yet: after a rotation the node's beacon share no longer
counts. The proposal is refused when that would leave fewer share holders
among the validators than the threshold. Back the home up again afterwards
(chuxin backup).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			id, err := node.ReadIdentity(home)
			if err != nil {
				return err
			}
			cfg, err := config.Load(home)
			if err != nil {
				return err
			}
			next := config.NextConsensusKeyFile(home)
			pv := privval.NewFilePV(ed25519.GenPrivKey(), next, "")
			raw, err := cmtjson.MarshalIndent(pv.Key, "", "  ")
			if err != nil {
				return err
			}
			if err := keys.WriteNew(next, raw); errors.Is(err, keys.ErrExists) {
				return fmt.Errorf("%s exists: a rotation is pending already. Wait for it; to make another key instead, first have every proposal that names the pending key rejected or expired (the validator's power would go to a key nobody holds), then remove the file", next)
			} else if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "new consensus key 0x%x (address %s) in %s\n"+
				"current key       0x%x (address %s)\n\n"+
				"next: a governor proposes\n  chuxin gov propose --rotate-validator 0x%x:0x%x:%s --description \"rotate %s's consensus key\"\n"+
				"keep the node running: it signs with the new key from the first block whose validator set holds it.\n",
				pv.Key.PubKey.Bytes(), pv.Key.Address, next, id.ConsensusPK, id.Address, id.ConsensusPK, pv.Key.PubKey.Bytes(), id.NodeID, cfg.Moniker)
			return err
		},
	}
	cmd.Flags().StringVar(&home, "home", "", "the validator's home")
	_ = cmd.MarkFlagRequired("home")
	return cmd
}

// rotationActions are the actions that hand the old key's power and fee
// recipient to the new key, and a note on what it does to the beacon.
//
// With binds (rule version 6 on), the new key is bound to the node that
// signed with the old one: the node the rotation names, or else the one the
// consortium has on record for the old key.
func rotationActions(ctx context.Context, c *govclient.Client, r rotation, binds bool) ([]system.Action, string, error) {
	old, next := r.old, r.next
	info, err := c.Consortium(ctx)
	if err != nil {
		return nil, "", err
	}
	var power uint64
	for _, v := range info.Validators {
		if v.PubKey == common.Hash(old.PubKey) {
			power = v.Power
		}
		if v.PubKey == common.Hash(next.PubKey) {
			return nil, "", fmt.Errorf("--rotate-validator: 0x%x is a validator already", next.PubKey)
		}
	}
	if power == 0 {
		return nil, "", fmt.Errorf("--rotate-validator: 0x%x is not a validator (chuxin gov members lists them)", old.PubKey)
	}
	out, err := c.View(ctx, "feeRecipientOf", [20]byte(system.ConsensusAddress(old.PubKey[:])))
	if err != nil {
		return nil, "", fmt.Errorf("the old key's fee recipient: %w", err)
	}
	recipient, _ := out[0].(common.Address)
	if recipient == (common.Address{}) {
		return nil, "", fmt.Errorf("--rotate-validator: 0x%x has no fee recipient to carry over; name one with --set-fee-recipient", old.PubKey)
	}
	set := system.SetValidators(system.ValidatorUpdate{PubKey: old.PubKey}, system.ValidatorUpdate{PubKey: next.PubKey, Power: power})
	note := fmt.Sprintf("rotation: 0x%x takes power %d and fee recipient %s from 0x%x", next.PubKey, power, recipient, old.PubKey)
	if binds {
		var node system.NodeID
		if r.node != nil {
			node = *r.node
		} else if node, err = c.NodeOfValidator(ctx, old.PubKey); err != nil {
			return nil, "", fmt.Errorf("the old key's node: %w", err)
		}
		if node == (system.NodeID{}) {
			return nil, "", fmt.Errorf("--rotate-validator: the consortium has no node on record for 0x%x: name the node it signs on, OLD_KEY:NEW_KEY:NODE_ID (chuxin rotate-key prints it)", old.PubKey)
		}
		set = system.SetNodeValidators(system.NodeValidator{PubKey: old.PubKey}, system.NodeValidator{PubKey: next.PubKey, Power: power, Node: node})
		note += fmt.Sprintf(" on node %s", node)
	}
	actions := []system.Action{set, system.SetFeeRecipient(next.PubKey, recipient)}
	note += "\n"
	// The beacon's holders, by consensus key: the old key's share stops counting.
	var holders []common.Hash
	for i := int64(0); i < 1024; i++ {
		out, err := c.View(ctx, "beaconHolders", big.NewInt(i))
		if err != nil {
			break
		}
		if h, ok := out[0].([32]byte); ok {
			holders = append(holders, h)
		}
	}
	for _, h := range holders {
		if h == common.Hash(old.PubKey) {
			threshold := any("?")
			if t, err := c.View(ctx, "beaconThreshold"); err == nil && len(t) == 1 {
				threshold = t[0]
			}
			note += fmt.Sprintf("the old key holds a share of the beacon (threshold %v of %d holders): after the rotation the node's share no longer counts, until resharing exists\n", threshold, len(holders))
		}
	}
	return actions, note, nil
}

var errRotateFormat = errors.New("--rotate-validator: want OLD_KEY:NEW_KEY[:NODE_ID] (consensus public keys, hex or base64; the node ID, 40 hex digits)")
