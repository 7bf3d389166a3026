package node

import (
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	cmtcrypto "github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// ErrHomeExists: a network would be written over an existing home.
var ErrHomeExists = errors.New("home directory already exists")

// NetworkSpec describes a new network of nodes on one machine.
type NetworkSpec struct {
	Dir         string // parent directory: node homes are Dir/node0, Dir/node1 …
	ChainID     uint64 // EIP-155 chain id
	Validators  int    // voting nodes
	Observers   int    // nodes that verify and serve but do not vote; archive nodes
	Host        string // address the nodes listen on (127.0.0.1)
	P2PPortBase int    // node i listens for peers on P2PPortBase+2i, CometBFT RPC on +2i+1
	RPCPortBase int    // node i serves JSON-RPC on RPCPortBase+i
	GasLimit    uint64
	BaseFee     *big.Int
	Alloc       types.GenesisAlloc
	GenesisTime time.Time
	// FeeRecipient receives the priority fees of every validator's blocks
	// (each validator's recipient is in the genesis and can differ).
	FeeRecipient common.Address
	// Consortium governs the network. Without members, FeeRecipient's
	// account governs a consortium of one member, "consortium", and is its
	// admin and regulator.
	Consortium system.Genesis
	// Genesis, if set, changes the genesis before it is written (a fork
	// schedule, rule versions).
	Genesis func(g *genesis.Genesis)
	Tune    func(i int, c *config.Config) // optional per-node configuration changes
}

// Home returns the home of node i of a network written to dir.
func Home(dir string, i int) string { return filepath.Join(dir, fmt.Sprintf("node%d", i)) }

// WriteNetwork writes the homes of every node of spec: keys, a shared
// genesis and configurations in which each node knows all the others.
func WriteNetwork(spec NetworkSpec) ([]string, error) {
	n := spec.Validators + spec.Observers
	if spec.Validators < 1 {
		return nil, fmt.Errorf("a network needs at least one validator, got %d", spec.Validators)
	}
	if spec.Host == "" {
		spec.Host = "127.0.0.1"
	}
	if spec.GasLimit == 0 {
		spec.GasLimit = genesis.DefaultGasLimit
	}
	if spec.GenesisTime.IsZero() {
		spec.GenesisTime = time.Now().UTC().Truncate(time.Second)
	}
	g := genesis.New(spec.ChainID)
	switch {
	case len(spec.Consortium.Members) > 0:
		g.Consortium = spec.Consortium
	case spec.FeeRecipient != (common.Address{}):
		g.Consortium = system.NewGenesis("consortium", spec.FeeRecipient, spec.Consortium.Permissioned)
		g.Consortium.Roles = append(g.Consortium.Roles, spec.Consortium.Roles...)
	default:
		return nil, fmt.Errorf("%w: a network needs a consortium: name its members, or a fee recipient to govern it", genesis.ErrInvalid)
	}
	g.Timestamp = uint64(spec.GenesisTime.Unix())
	g.Rules.GasLimit = spec.GasLimit
	if spec.Alloc != nil {
		g.Alloc = spec.Alloc
	}
	if spec.BaseFee != nil {
		g.Rules.BaseFee = (*hexutil.Big)(spec.BaseFee)
	}
	homes := make([]string, n)
	ids := make([]p2p.ID, n)
	var vals []cmttypes.GenesisValidator
	for i := range n {
		homes[i] = Home(spec.Dir, i)
		if _, err := os.Stat(homes[i]); err == nil {
			return nil, fmt.Errorf("%w: %s (remove it or choose another directory)", ErrHomeExists, homes[i])
		}
		for _, d := range []string{"config", "data"} {
			if err := os.MkdirAll(filepath.Join(homes[i], d), 0o700); err != nil {
				return nil, fmt.Errorf("create home: %w", err)
			}
		}
		nk, err := p2p.LoadOrGenNodeKey(filepath.Join(homes[i], "config", "node_key.json"))
		if err != nil {
			return nil, fmt.Errorf("node key: %w", err)
		}
		ids[i] = nk.ID()
		pv, err := privval.GenFilePV(keyFile(homes[i]), stateFile(homes[i]), func() (cmtcrypto.PrivKey, error) { return ed25519.GenPrivKey(), nil })
		if err != nil {
			return nil, fmt.Errorf("validator key: %w", err)
		}
		pv.Save()
		if i < spec.Validators {
			pub, err := pv.GetPubKey()
			if err != nil {
				return nil, fmt.Errorf("validator key: %w", err)
			}
			vals = append(vals, cmttypes.GenesisValidator{Address: pub.Address(), PubKey: pub, Power: 10, Name: fmt.Sprintf("node%d", i)})
			g.Validators = append(g.Validators, genesis.Validator{Name: fmt.Sprintf("node%d", i), PubKey: pub.Bytes(), Power: 10, FeeRecipient: spec.FeeRecipient})
		}
	}
	for i, id := range ids {
		g.Consortium.Nodes = append(g.Consortium.Nodes, system.Node{ID: string(id), Name: fmt.Sprintf("node%d", i)})
	}
	if spec.Genesis != nil {
		spec.Genesis(g)
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	appState, err := g.Marshal()
	if err != nil {
		return nil, err
	}
	params := cmttypes.DefaultConsensusParams()
	params.Feature.PbtsEnableHeight = 1
	params.Feature.VoteExtensionsEnableHeight = g.Rules.VoteExtensionsHeight
	params.Block.MaxGas = int64(spec.GasLimit)
	params.Block.MaxBytes = 16 << 20
	gen := &cmttypes.GenesisDoc{
		GenesisTime:     spec.GenesisTime,
		ChainID:         fmt.Sprintf("chuxin-%d", spec.ChainID),
		InitialHeight:   1,
		ConsensusParams: params,
		Validators:      vals,
		AppState:        appState,
	}
	if err := gen.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	for i := range n {
		if err := gen.SaveAs(genesisFile(homes[i])); err != nil {
			return nil, fmt.Errorf("write genesis: %w", err)
		}
		c := config.Default()
		c.Moniker = fmt.Sprintf("node%d", i)
		c.P2P.Listen = fmt.Sprintf("%s:%d", spec.Host, spec.P2PPortBase+2*i)
		c.RPC.CometAddr = fmt.Sprintf("%s:%d", spec.Host, spec.P2PPortBase+2*i+1)
		c.RPC.Addr = fmt.Sprintf("%s:%d", spec.Host, spec.RPCPortBase+i)
		var peers []string
		for j := range n {
			if j != i {
				peers = append(peers, fmt.Sprintf("%s@%s:%d", ids[j], spec.Host, spec.P2PPortBase+2*j))
			}
		}
		c.P2P.PersistentPeers = strings.Join(peers, ",")
		// Observers serve audits, which read the state at any past height.
		c.DB.Archive = i >= spec.Validators
		if spec.Tune != nil {
			spec.Tune(i, c)
		}
		if err := c.Validate(); err != nil {
			return nil, err
		}
		if err := c.Save(homes[i]); err != nil {
			return nil, err
		}
	}
	return homes, nil
}

func keyFile(home string) string     { return filepath.Join(home, "config", "priv_validator_key.json") }
func stateFile(home string) string   { return filepath.Join(home, "data", "priv_validator_state.json") }
func genesisFile(home string) string { return filepath.Join(home, "config", "genesis.json") }
func nodeKeyFile(home string) string { return filepath.Join(home, "config", "node_key.json") }

// Identity is what a node's home tells others about it: its p2p node ID
// and its consensus (validator) public key.
type Identity struct {
	NodeID      string `json:"nodeId"`
	ConsensusPK []byte `json:"consensusPubKey"` // ed25519, 32 bytes
	Address     string `json:"consensusAddress"`
}

// ReadIdentity reads the public identity of the node at home.
func ReadIdentity(home string) (*Identity, error) {
	nk, err := p2p.LoadNodeKey(nodeKeyFile(home))
	if err != nil {
		return nil, fmt.Errorf("node key of %s: %w (is it a node's home?)", home, err)
	}
	if _, err := os.Stat(keyFile(home)); err != nil {
		return nil, fmt.Errorf("consensus key of %s: %w", home, err) // CometBFT's loader would exit
	}
	pv := privval.LoadFilePVEmptyState(keyFile(home), "")
	pub, err := pv.GetPubKey()
	if err != nil {
		return nil, fmt.Errorf("consensus key of %s: %w", home, err)
	}
	return &Identity{NodeID: string(nk.ID()), ConsensusPK: pub.Bytes(), Address: pub.Address().String()}, nil
}
