package main

import (
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/ceremony"
	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/module/client"
	"github.com/chuxin-chain/chuxin/internal/system"
)

func initCmd() *cobra.Command {
	var (
		spec               ceremony.InitSpec
		observer           bool
		fees, member, govs string
		weight             uint64
		roles              []string
	)
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create one node's home for a network's genesis ceremony",
		Long: `Create a node's home on this machine: its p2p and consensus keys (secret;
they never leave the home), its configuration, and its public part,
HOME/config/part.json. Hand the part to whoever assembles the genesis
(chuxin genesis assemble); then install the genesis they publish, checked
against its hash (chuxin genesis install), and start the node.

A validator (the default, --power 10) needs --fee-recipient, the account
that receives its blocks' fees; --observer makes a node that verifies and
serves every block without voting (an archive node, for audits). An operator
that is a consortium member names it with --member, --weight and --governors:
every part naming a member must describe it the same way.`,
		Example: `  chuxin init --home ./beijing --moniker beijing-1 --listen 0.0.0.0:26656 \
    --address 203.0.113.7:26656 --rpc-addr 127.0.0.1:8545 \
    --comet-addr 127.0.0.1:26657 --metrics-addr 0.0.0.0:26660 --fee-recipient 0xFEE… \
    --member "Beijing Municipal" --weight 1 --governors 0xGOV1…,0xGOV2…`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if observer {
				spec.Power = 0
			}
			if fees != "" {
				a, err := client.ParseAddresses(fees)
				if err != nil || len(a) != 1 {
					return fmt.Errorf("--fee-recipient: %q is not one address (0x and 40 hex digits)", fees)
				}
				spec.FeeRecipient = a[0]
			}
			if member != "" {
				g, err := client.ParseAddresses(govs)
				if err != nil {
					return fmt.Errorf("--governors: %w", err)
				}
				spec.Member = &system.Member{Name: member, Weight: weight, Governors: g}
			} else if govs != "" {
				return fmt.Errorf("--governors without --member: name the member they govern")
			}
			var err error
			if spec.Roles, err = roleGrants(roles); err != nil {
				return err
			}
			part, err := ceremony.Init(spec)
			if err != nil {
				return err
			}
			kind := fmt.Sprintf("validator, power %d", part.Power)
			if part.Power == 0 {
				kind = "observer"
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "created %s (%s)\nnode id        %s\nconsensus key  0x%x\naddress        %s\n\nhand %s to whoever assembles the genesis: it holds no secret\n",
				spec.Home, kind, part.NodeID, part.ConsensusPubKey, part.Address, config.PartFile(spec.Home))
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&spec.Home, "home", "", "the new node's home (must not exist)")
	f.StringVar(&spec.Moniker, "moniker", "", "the node's name, for people")
	f.StringVar(&spec.Listen, "listen", "127.0.0.1:26656", "host:port the node listens for peers on")
	f.StringVar(&spec.Address, "address", "", "host:port other nodes dial (default: --listen)")
	f.StringVar(&spec.RPCAddr, "rpc-addr", "", "host:port of the JSON-RPC server (default 127.0.0.1:8545)")
	f.StringVar(&spec.CometAddr, "comet-addr", "", "host:port of the CometBFT RPC (default 127.0.0.1:26657)")
	f.StringVar(&spec.MetricsAddr, "metrics-addr", "", "host:port to serve Prometheus metrics on (default: none)")
	f.Int64Var(&spec.Power, "power", 10, "voting power of the validator")
	f.BoolVar(&observer, "observer", false, "an observer: verifies and serves every block, does not vote")
	f.StringVar(&fees, "fee-recipient", "", "account that receives the fees of the validator's blocks")
	f.StringVar(&member, "member", "", "the consortium member (organisation) that runs the node")
	f.Uint64Var(&weight, "weight", 1, "the member's voting weight")
	f.StringVar(&govs, "governors", "", "the member's governor accounts, comma-separated")
	f.StringArrayVar(&roles, "role", nil, "ACCOUNT=ROLE,ROLE… asks roles for an account at genesis (admin, deployer, transactor, regulator); repeatable")
	_ = cmd.MarkFlagRequired("home")
	_ = cmd.MarkFlagRequired("moniker")
	return cmd
}

// roleGrants reads --role flags: ACCOUNT=ROLE,ROLE….
func roleGrants(flags []string) ([]system.RoleGrant, error) {
	var out []system.RoleGrant
	for _, f := range flags {
		acc, roles, ok := strings.Cut(f, "=")
		if !ok || !common.IsHexAddress(acc) || roles == "" {
			return nil, fmt.Errorf("--role %q: write ACCOUNT=ROLE,ROLE…, e.g. 0xabc…=deployer,transactor", f)
		}
		out = append(out, system.RoleGrant{Account: common.HexToAddress(acc), Roles: strings.Split(roles, ",")})
	}
	return out, nil
}

// fundings reads --fund flags: ACCOUNT=AMOUNT, the amount in wei or with
// the suffix "ether".
func fundings(flags []string) (types.GenesisAlloc, error) {
	alloc := types.GenesisAlloc{}
	for _, f := range flags {
		acc, amount, ok := strings.Cut(f, "=")
		unit := big.NewInt(1)
		if v, found := strings.CutSuffix(amount, "ether"); found {
			amount, unit = v, big.NewInt(1e18)
		}
		wei, isNum := new(big.Int).SetString(amount, 10)
		if !ok || !common.IsHexAddress(acc) || !isNum || wei.Sign() < 0 {
			return nil, fmt.Errorf("--fund %q: write ACCOUNT=WEI or ACCOUNT=Nether, e.g. 0xabc…=1000ether", f)
		}
		alloc[common.HexToAddress(acc)] = types.Account{Balance: wei.Mul(wei, unit)}
	}
	return alloc, nil
}

func genesisCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "genesis",
		Short: "Assemble, hash and install a network's genesis (the genesis ceremony)",
		Long: `The genesis ceremony of a network whose members run nodes on their own machines:

  1. each operator: chuxin init --home HOME …          (keys stay; HOME/config/part.json is public)
  2. the coordinator: chuxin genesis assemble PART… --out genesis.json
                                                     (prints the genesis hash to publish)
  3. each operator: chuxin genesis install --home HOME --hash HASH genesis.json
                                                     (checks the hash and its own part)
  4. each operator: chuxin start --home HOME`,
	}
	cmd.AddCommand(assembleCmd(), hashCmd(), installCmd())
	return cmd
}

func assembleCmd() *cobra.Command {
	var (
		p            ceremony.Params
		out, when    string
		baseFee      int64
		open         bool
		funds, role  []string
		beaconPeriod uint32
		beaconT      int
		anyOneOpens  bool
	)
	cmd := &cobra.Command{
		Use:   "assemble PART.json…",
		Short: "Assemble a genesis from the nodes' parts and print its hash",
		Long: `Assemble the genesis of a network from the parts its operators made with
chuxin init: every node is admitted, every part with power a validator, every
named member a member of the consortium. The network is permissioned unless
--open: accounts need the transactor role to send and the deployer role to
create contracts (grant them with --role, or ask for them in a part). Publish
the printed hash by a channel other than the one the file travels by: each
operator installs the genesis only if its hash matches.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var parts []*ceremony.Part
			for _, a := range args {
				part, err := ceremony.ReadPart(a)
				if err != nil {
					return err
				}
				parts = append(parts, part)
			}
			p.GenesisTime = time.Now().UTC().Truncate(time.Second)
			if when != "" {
				t, err := time.Parse(time.RFC3339, when)
				if err != nil {
					return fmt.Errorf("--genesis-time %q: write it as RFC 3339, e.g. 2027-01-01T08:00:00Z", when)
				}
				p.GenesisTime = t
			}
			if baseFee > 0 {
				p.BaseFee = big.NewInt(baseFee)
			}
			p.Consortium.Permissioned = !open
			if p.Beacon = beaconParams(beaconPeriod); p.Beacon != nil {
				p.Beacon.Threshold, p.Beacon.AnyOneOpens = beaconT, anyOneOpens
			}
			var err error
			if p.Alloc, err = fundings(funds); err != nil {
				return err
			}
			if p.Consortium.Roles, err = roleGrants(role); err != nil {
				return err
			}
			doc, g, err := ceremony.Assemble(parts, p)
			if err != nil {
				return err
			}
			if _, err := os.Stat(out); err == nil {
				return fmt.Errorf("%s exists: remove it or choose another --out", out)
			}
			if err := os.WriteFile(out, doc, 0o644); err != nil {
				return fmt.Errorf("write genesis: %w", err)
			}
			mode := "permissioned"
			if open {
				mode = "open"
			}
			if g.Beacon != nil {
				mode += fmt.Sprintf(", a beacon of %d validators (threshold %d, an epoch every %d s; each share sealed to its node, the master secret forgotten: no copy exists)", len(g.Beacon.Holders), g.Beacon.Threshold, g.Beacon.Period)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: chain %d, %s, %d validators, %d nodes, %d members, genesis time %s\ngenesis hash %s\n",
				out, g.ChainID, mode, len(g.Validators), len(g.Consortium.Nodes), len(g.Consortium.Members), p.GenesisTime.Format(time.RFC3339), ceremony.Hash(doc))
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "genesis.json", "file to write the genesis to")
	f.Uint64Var(&p.ChainID, "chain-id", 0, "EIP-155 chain id")
	f.StringVar(&when, "genesis-time", "", "time of block 0, RFC 3339; consensus starts then (default: now)")
	f.Uint64Var(&p.GasLimit, "gas-limit", 0, "block gas limit (0: 100,000,000)")
	f.Int64Var(&baseFee, "base-fee", 0, "fixed base fee per gas in wei (0: free gas)")
	f.BoolVar(&open, "open", false, "an open network: any account may send and deploy")
	f.Uint64Var(&p.Consortium.Quorum, "quorum", system.DefaultQuorum, "participation a proposal needs, in basis points of all weight")
	f.Uint64Var(&p.Consortium.Threshold, "threshold", system.DefaultThreshold, "approval a proposal needs, in basis points of the weight that voted")
	f.Uint64Var(&p.Consortium.VotingPeriod, "voting-period", system.DefaultVotingPeriod, "blocks a proposal takes votes for")
	f.StringArrayVar(&funds, "fund", nil, "ACCOUNT=WEI or ACCOUNT=Nether funds an account at genesis; repeatable")
	f.StringArrayVar(&role, "role", nil, "ACCOUNT=ROLE,ROLE… grants roles at genesis; repeatable")
	f.Uint32Var(&beaconPeriod, "beacon-period", 3600, "seconds between the time capsules' epochs (0: no beacon); the validators are its committee")
	f.IntVar(&beaconT, "beacon-threshold", 0, "validators needed to release an epoch key (0: the commit quorum, ⌊2n/3⌋+1 of n)")
	f.BoolVar(&anyOneOpens, "beacon-any-one-opens", false, "allow --beacon-threshold 1 among several validators, where any one of them can open every capsule at once")
	_ = cmd.MarkFlagRequired("chain-id")
	return cmd
}

func hashCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "hash GENESIS.json",
		Short: "Print a genesis file's hash (SHA-256 of its bytes, as CometBFT computes it)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), ceremony.Hash(b))
			return err
		},
	}
}

func installCmd() *cobra.Command {
	var home, hash, expect string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "install GENESIS.json",
		Short: "Check a genesis against its published hash and this node's part, and install it",
		Long: `Check a genesis file against the hash its coordinator published and against
the part this home gave the ceremony (the node admitted, its validator key,
power and fee recipient, its member's weight and governors, its roles), then
install it in the home: config/genesis.json, genesis_hash in the configuration
(the node refuses to start on any other genesis) and the other nodes as
persistent peers.

It first prints every grant of power the genesis makes (members, decision
rules, roles, validators, code, funded accounts, unprotected transactions,
rule versions), and refuses a genesis that puts code at a governor's
address, sets quorum under 3334 or threshold under 5001 basis points, or
breaks the policy given with --expect.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			var policy *ceremony.Policy
			if expect != "" {
				pb, err := os.ReadFile(expect)
				if err != nil {
					return fmt.Errorf("--expect: %w", err)
				}
				if policy, err = ceremony.ParsePolicy(pb); err != nil {
					return err
				}
			}
			if !asJSON { // every grant of power, before anything is written
				if grants, err := ceremony.Review(b); err == nil {
					fmt.Fprintf(cmd.OutOrStdout(), "the genesis grants:\n%s\n", grants.Text())
				}
			}
			got, err := ceremony.InstallExpecting(home, b, hash, policy)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(got)
			}
			role := fmt.Sprintf("an observer; the network has %d validators", got.Validators)
			if got.Validator {
				role = fmt.Sprintf("a validator of %d", got.Validators)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "installed genesis %s of %s in %s: this node is %s, %d members, %d peers\n",
				got.Hash, got.ChainID, home, role, got.Members, len(got.Peers))
			if got.BeaconHolders > 0 {
				fmt.Fprintf(out, "time capsules: %d of the %d validators holding shares must act together to open one before its time\n", got.BeaconThreshold, got.BeaconHolders)
			}
			for _, w := range got.Warnings {
				fmt.Fprintf(out, "WARNING: %s\n", w)
			}
			_, err = fmt.Fprintf(out, "start it with: chuxin start --home %s\n", filepath.Clean(home))
			return err
		},
	}
	cmd.Flags().StringVar(&home, "home", "", "the node's home, made by chuxin init")
	cmd.Flags().StringVar(&hash, "hash", "", "the genesis hash the coordinator published")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&expect, "expect", "", "a JSON policy the genesis must meet (myWeightAtLeastBps, onlyAdmins, onlyRegulators, maxFundedWei, noCode, protected)")
	_ = cmd.MarkFlagRequired("home")
	_ = cmd.MarkFlagRequired("hash")
	return cmd
}

func joinCmd() *cobra.Command {
	var home, hash string
	var peers []string
	cmd := &cobra.Command{
		Use:   "join GENESIS.json",
		Short: "Make a home made by chuxin init ready to join a running network (after genesis)",
		Long: `An organisation that joins a network after its genesis:

  1. chuxin init --home HOME … (as for a ceremony; HOME/config/part.json is public)
  2. chuxin join --home HOME --hash HASH --peers ID@HOST:PORT[,…] genesis.json
       checks the network's genesis against its published hash, and installs
       it with the peers given (nodes of the running network: chuxin identity
       on them shows their IDs) and the genesis nodes as persistent peers
  3. hand part.json to a governor of the network, who proposes
       chuxin gov propose --join part.json --description "…"
     (one proposal: admit the node, make its organisation a member, grant
     the roles it asks for, make its key a validator with its fee recipient)
     and the members vote it through
  4. chuxin start --home HOME: the node connects once admitted, syncs the
     chain from its peers, and a validator signs once it has caught up.

A validator voted in before its node has caught up counts as down until it
has: start it as soon as the proposal passes (chuxin gov propose says what
the wait costs the network's fault tolerance). A validator that joins holds
no share of the time capsules' beacon: the committee is fixed at genesis.`,
		Example: `  chuxin join --home ./hangzhou --hash 9c1e… --peers 3f2a…@beijing.example:26656 genesis.json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			got, err := ceremony.Join(home, b, hash, peers)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "installed genesis %s of %s in %s to join the running network; persistent peers: %s\n",
				got.Hash, got.ChainID, home, strings.Join(got.Peers, ","))
			for _, w := range got.Warnings {
				fmt.Fprintf(out, "WARNING: %s\n", w)
			}
			_, err = fmt.Fprintf(out, "next: a governor proposes\n  chuxin gov propose --join %s --description \"admit …\"\nand once it passes: chuxin start --home %s\n",
				config.PartFile(filepath.Clean(home)), filepath.Clean(home))
			return err
		},
	}
	cmd.Flags().StringVar(&home, "home", "", "the node's home, made by chuxin init")
	cmd.Flags().StringVar(&hash, "hash", "", "the genesis hash the network published")
	cmd.Flags().StringSliceVar(&peers, "peers", nil, "ID@HOST:PORT of nodes of the running network, comma-separated")
	_ = cmd.MarkFlagRequired("home")
	_ = cmd.MarkFlagRequired("hash")
	_ = cmd.MarkFlagRequired("peers")
	return cmd
}
