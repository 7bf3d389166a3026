package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/node"
)

func identityCmd() *cobra.Command {
	var home string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "identity",
		Short: "Show a node's public identity: its node ID and consensus public key",
		Long: `Show what a node's operator hands to the consortium: the p2p node ID (for
admitting the node) and the consensus public key (for a proposal that makes it
a validator). Nothing secret is printed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			id, err := node.ReadIdentity(home)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(map[string]string{
					"nodeId": id.NodeID, "consensusPubKey": "0x" + hex.EncodeToString(id.ConsensusPK), "consensusAddress": id.Address})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "node id            %s\nconsensus key      0x%x\nconsensus address  %s\n", id.NodeID, id.ConsensusPK, id.Address)
			return err
		},
	}
	cmd.Flags().StringVar(&home, "home", "", "the node's home")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	_ = cmd.MarkFlagRequired("home")
	return cmd
}
