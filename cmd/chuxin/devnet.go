package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/ceremony"
	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/devaccounts"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/node"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// devBalance is what each development account holds: 10,000 ether.
var devBalance = new(big.Int).Mul(big.NewInt(10_000), big.NewInt(1e18))

// devAlloc funds the first n development accounts.
func devAlloc(n int) (types.GenesisAlloc, error) {
	accs, err := devaccounts.Derive(devaccounts.Mnemonic, n)
	if err != nil {
		return nil, err
	}
	alloc := types.GenesisAlloc{}
	for _, a := range accs {
		alloc[a.Address] = types.Account{Balance: new(big.Int).Set(devBalance)}
	}
	return alloc, nil
}

func devnetCmd() *cobra.Command {
	var (
		home       string
		validators int
		reset      bool
		chainID    uint64
		rpcPort    int
		p2pPort    int
		logLevel   string
		blockTime  time.Duration
		permission bool
		beacon     uint32
	)
	cmd := &cobra.Command{
		Use:   "devnet",
		Short: "Run a local development chain",
		Long: `Run a local chain for developing applications, in one command. The first
run creates --home with a genesis that funds the ten development accounts of
the mnemonic "test test test test test test test test test test test junk"
(m/44'/60'/0'/0/i, as Hardhat and Anvil do); later runs continue the same
chain. --reset starts over. --validators N runs N validators in this process.
The first development account governs the devnet's consortium and is its
admin and regulator. The devnet is open (any account sends and deploys)
unless created with --permissioned, which gives the development accounts the
deployer and transactor roles and nobody else. Stop with Ctrl-C.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if reset {
				if err := os.RemoveAll(home); err != nil {
					return fmt.Errorf("reset %s: %w", home, err)
				}
			}
			homes, err := devnetHomes(home, validators, chainID, p2pPort, rpcPort, blockTime, permission, beacon)
			if err != nil {
				return err
			}
			c, err := config.Load(homes[0])
			if err != nil {
				return err
			}
			log := node.NewLogger(os.Stderr, logLevel, c.LogFormat)
			return runNodes(homes, log, func(nodes []*node.Node) {
				printBanner(cmd.OutOrStdout(), nodes)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&home, "home", defaultDevnetHome(), "directory of the devnet's data")
	f.IntVar(&validators, "validators", 1, "number of validators, all in this process")
	f.BoolVar(&reset, "reset", false, "delete the devnet's data and start a new chain")
	f.Uint64Var(&chainID, "chain-id", 1337, "EIP-155 chain id (used when the chain is created)")
	f.IntVar(&rpcPort, "rpc-port", 8545, "JSON-RPC port of the first node (used when the chain is created)")
	f.IntVar(&p2pPort, "p2p-port", 26656, "p2p port of the first node (used when the chain is created)")
	f.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	f.DurationVar(&blockTime, "block-time", 100*time.Millisecond, "pause after each block (used when the chain is created)")
	f.BoolVar(&permission, "permissioned", false, "sending needs the transactor role and deploying the deployer role (used when the chain is created)")
	f.Uint32Var(&beacon, "beacon-period", 10, "seconds between the time capsules' epochs, released by the validators and served under /drand (0: no beacon; used when the chain is created)")
	return cmd
}

func defaultDevnetHome() string {
	dir, err := os.UserHomeDir()
	if err != nil {
		return ".chuxin-devnet"
	}
	return filepath.Join(dir, ".chuxin", "devnet")
}

// devnetHomes returns the node homes under dir, writing them first when the
// devnet is new.
func devnetHomes(dir string, validators int, chainID uint64, p2pPort, rpcPort int, blockTime time.Duration, permissioned bool, beaconPeriod uint32) ([]string, error) {
	if _, err := os.Stat(ceremony.Home(dir, 0)); err == nil {
		var homes []string
		for i := 0; ; i++ {
			if _, err := os.Stat(ceremony.Home(dir, i)); err != nil {
				break
			}
			homes = append(homes, ceremony.Home(dir, i))
		}
		if validators != 1 && validators != len(homes) {
			return nil, fmt.Errorf("%s holds a devnet of %d validators; run with --reset to create one of %d", dir, len(homes), validators)
		}
		return homes, nil
	}
	alloc, err := devAlloc(10)
	if err != nil {
		return nil, err
	}
	accs, err := devaccounts.Derive(devaccounts.Mnemonic, 10)
	if err != nil {
		return nil, err
	}
	// The development accounts may schedule calls (the scheduler module).
	allowed := make([]common.Address, len(accs))
	for i, a := range accs {
		allowed[i] = a.Address
	}
	section, err := json.Marshal(map[string]any{"allowed": allowed})
	if err != nil {
		return nil, err
	}
	return ceremony.WriteNetwork(ceremony.NetworkSpec{
		Dir: dir, ChainID: chainID, Validators: validators,
		P2PPortBase: p2pPort, RPCPortBase: rpcPort, Alloc: alloc,
		FeeRecipient: accs[0].Address, // as geth --dev's etherbase, and the governor
		Consortium:   devConsortium(len(alloc), permissioned),
		Beacon:       beaconParams(beaconPeriod),
		Genesis:      func(g *genesis.Genesis) { g.Modules = map[string]json.RawMessage{"scheduler": section} },
		Tune: func(i int, c *config.Config) {
			c.Consensus.TimeoutCommit = config.Duration(blockTime)
			c.Consensus.TimeoutPropose = config.Duration(time.Second)
			if i > 0 {
				c.RPC.CometAddr = ""
			}
			c.DB.CacheMB = 64
			c.RPC.Debug = true // tracing for explorers and debuggers; see rpc.debug
			// Pages served from this machine (a dapp's dev server) may use
			// the devnet; no other web page may.
			c.RPC.CORSOrigins = []string{"http://localhost:*", "http://127.0.0.1:*", "http://localhost", "http://127.0.0.1"}
		},
	})
}

func printBanner(w io.Writer, nodes []*node.Node) {
	accs, _ := devaccounts.Derive(devaccounts.Mnemonic, 10)
	fmt.Fprintf(w, "\nchuxin devnet is running (%d validator(s), height %d)\n\n", len(nodes), nodes[0].Height())
	fmt.Fprintf(w, "JSON-RPC   http://%s   ws://%s\n", nodes[0].RPCAddr(), nodes[0].RPCAddr())
	fmt.Fprintf(w, "Chain ID   %d\n", nodes[0].Genesis.ChainID)
	fmt.Fprintf(w, "Data       %s\n\n", filepath.Dir(nodes[0].Home))
	fmt.Fprintf(w, "Accounts (10,000 ETH each; mnemonic %q):\n", devaccounts.Mnemonic)
	for i, a := range accs {
		fmt.Fprintf(w, "(%d) %s  key %s\n", i, a.Address.Hex(), a.KeyHex())
	}
	fmt.Fprintln(w, "\nThese keys are public: never use them on a real network. Ctrl-C stops the chain; its data is kept.")
}

// devConsortium is the devnet's: the fee recipient governs it (see
// NetworkSpec.Consortium); a permissioned devnet gives the development
// accounts the deployer and transactor roles.
func devConsortium(devAccounts int, permissioned bool) system.Genesis {
	g := system.Genesis{Permissioned: permissioned}
	if !permissioned {
		return g
	}
	accs, _ := devaccounts.Derive(devaccounts.Mnemonic, devAccounts)
	for _, a := range accs {
		g.Roles = append(g.Roles, system.RoleGrant{Account: a.Address, Roles: []string{"deployer", "transactor"}})
	}
	return g
}

// beaconParams is a network's beacon for --beacon-period (0: none).
func beaconParams(period uint32) *ceremony.BeaconParams {
	if period == 0 {
		return nil
	}
	return &ceremony.BeaconParams{Period: period}
}
