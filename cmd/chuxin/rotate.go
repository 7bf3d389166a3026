package main

import (
	"errors"
	"fmt"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/privval"
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/keys"
	"github.com/chuxin-chain/chuxin/internal/node"
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
