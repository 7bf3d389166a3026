package main

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/ceremony"
	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/devaccounts"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
)

func testnetCmd() *cobra.Command {
	var (
		spec         ceremony.NetworkSpec
		baseFee      int64
		alloc        int
		feeRecipient string
		open         bool
		beaconPeriod uint32
		ruleVersion  uint64
	)
	cmd := &cobra.Command{
		Use:   "testnet",
		Short: "Write the homes of a multi-process network on this machine",
		Long: `Write one home per node under --out (node0, node1 …): keys, a shared genesis,
and configurations in which every node knows the others. Validators vote;
observers verify and replicate every block and serve JSON-RPC but do not vote.
Validators are full nodes (the state of their last 128 blocks); observers are
archive nodes (every block's state), for audits of any past height.
Run each node with: chuxin start --home OUT/nodeI

Node i listens for peers on p2p-port+2i, serves CometBFT RPC on p2p-port+2i+1
and Ethereum JSON-RPC on rpc-port+i. The development accounts of the test
mnemonic are funded unless --dev-accounts 0. Every validator's blocks pay
their priority fees to --fee-recipient (the first development account unless
set); the genesis holds each validator's recipient.

The network is permissioned unless --open: sending needs the transactor role
and creating contracts the deployer role. Its consortium has one member per
validator, node0 … (weight 1), each governed by the development account of
the same number; the first development account is also an admin and a
regulator, and every development account is a deployer and a transactor.
With fewer development accounts than validators, --fee-recipient's account
governs a consortium of one member.

The validators are the time capsules' beacon committee (threshold ⌊2n/3⌋+1, the commit quorum): an
epoch every --beacon-period seconds, its key released through their vote
extensions and served by every node in drand's HTTP API under /drand.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if spec.Alloc, err = devAlloc(alloc); err != nil {
				return err
			}
			if spec.FeeRecipient, err = feeRecipientFlag(feeRecipient, alloc); err != nil {
				return err
			}
			if baseFee > 0 {
				spec.BaseFee = big.NewInt(baseFee)
			}
			if spec.Consortium, err = testnetConsortium(spec.Validators, alloc, !open); err != nil {
				return err
			}
			spec.Beacon = beaconParams(beaconPeriod)
			if ruleVersion != 0 {
				if ruleVersion > genesis.KnownRuleVersion {
					return fmt.Errorf("--rule-version %d: this binary knows rule versions 1 to %d", ruleVersion, genesis.KnownRuleVersion)
				}
				spec.Genesis = func(g *genesis.Genesis) { g.Rules.Versions = []genesis.RuleVersion{{Version: ruleVersion, Height: 1}} }
			}
			homes, err := ceremony.WriteNetwork(spec)
			if err != nil {
				return err
			}
			for i, h := range homes {
				role := "validator"
				if i >= spec.Validators {
					role = "observer"
				}
				c, err := config.Load(h)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%-10s %-40s json-rpc http://%s\n", role, h, c.RPC.Addr)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&spec.Dir, "out", "./testnet", "directory for the node homes")
	f.IntVar(&spec.Validators, "validators", 4, "number of validators")
	f.IntVar(&spec.Observers, "observers", 0, "number of observer nodes")
	f.Uint64Var(&spec.ChainID, "chain-id", 1337, "EIP-155 chain id")
	f.StringVar(&spec.Host, "host", "127.0.0.1", "address the nodes listen on")
	f.IntVar(&spec.P2PPortBase, "p2p-port", 26656, "p2p port of node0")
	f.IntVar(&spec.RPCPortBase, "rpc-port", 8545, "JSON-RPC port of node0")
	f.Uint64Var(&spec.GasLimit, "gas-limit", 0, "block gas limit (0: 100,000,000)")
	f.Int64Var(&baseFee, "base-fee", 0, "fixed base fee per gas in wei (0: free gas, consortium mode)")
	f.IntVar(&alloc, "dev-accounts", 10, "number of funded development accounts")
	f.StringVar(&feeRecipient, "fee-recipient", "", "account that receives the validators' priority fees (default: the first development account)")
	f.BoolVar(&open, "open", false, "an open network: any account may send and deploy")
	f.Uint32Var(&beaconPeriod, "beacon-period", 3600, "seconds between the time capsules' epochs, released by the validators (0: no beacon)")
	f.Uint64Var(&ruleVersion, "rule-version", 0, "the chuxin rule version the chain starts at (0: the newest this binary knows; an older one to rehearse an upgrade, which governance schedules)")
	return cmd
}

// feeRecipientFlag reads --fee-recipient, or takes the first development
// account when it is empty and development accounts are funded.
func feeRecipientFlag(v string, devAccounts int) (common.Address, error) {
	if v == "" {
		if devAccounts == 0 {
			return common.Address{}, errors.New("--fee-recipient is needed with --dev-accounts 0: name the account that receives the validators' priority fees")
		}
		accs, err := devaccounts.Derive(devaccounts.Mnemonic, 1)
		if err != nil {
			return common.Address{}, err
		}
		return accs[0].Address, nil
	}
	if !common.IsHexAddress(v) {
		return common.Address{}, fmt.Errorf("--fee-recipient %q is not an address (0x and 40 hex digits)", v)
	}
	return common.HexToAddress(v), nil
}

// testnetConsortium is a testnet's consortium: a member per validator, each
// governed by the development account of its number, when there are that
// many; else only the permission mode (the fee recipient governs).
func testnetConsortium(validators, devAccounts int, permissioned bool) (system.Genesis, error) {
	g := system.Genesis{Quorum: system.DefaultQuorum, Threshold: system.DefaultThreshold,
		VotingPeriod: system.DefaultVotingPeriod, Permissioned: permissioned}
	accs, err := devaccounts.Derive(devaccounts.Mnemonic, devAccounts)
	if err != nil {
		return g, err
	}
	for i, a := range accs {
		roles := []string{"deployer", "transactor"}
		if i == 0 {
			roles = append(roles, "admin", "regulator")
		}
		g.Roles = append(g.Roles, system.RoleGrant{Account: a.Address, Roles: roles})
	}
	if devAccounts < validators {
		return g, nil
	}
	for i := range validators {
		g.Members = append(g.Members, system.Member{Name: fmt.Sprintf("node%d", i), Weight: 1, Governors: []common.Address{accs[i].Address}})
	}
	return g, nil
}
