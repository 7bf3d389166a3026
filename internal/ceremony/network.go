package ceremony

import (
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
)

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
	// Beacon, if set, makes the validators the time capsules' beacon
	// committee (see Params.Beacon).
	Beacon *BeaconParams
	// Genesis, if set, changes the genesis before it is written (a fork
	// schedule, rule versions).
	Genesis func(g *genesis.Genesis)
	Tune    func(i int, c *config.Config) // optional per-node configuration changes
}

// Home returns the home of node i of a network written to dir.
func Home(dir string, i int) string { return filepath.Join(dir, fmt.Sprintf("node%d", i)) }

// validatorPower is the voting power of each validator of a local network.
const validatorPower = 10

// WriteNetwork writes the homes of every node of spec by the ceremony's
// steps: Init for each node, Assemble from their parts, and Install of the
// genesis, checked against its hash, in each home; every node knows all
// the others as peers.
func WriteNetwork(spec NetworkSpec) ([]string, error) {
	n := spec.Validators + spec.Observers
	if spec.Validators < 1 {
		return nil, fmt.Errorf("%w: a network needs at least one validator, got %d", ErrParts, spec.Validators)
	}
	if spec.Host == "" {
		spec.Host = "127.0.0.1"
	}
	if spec.GenesisTime.IsZero() {
		spec.GenesisTime = time.Now().UTC().Truncate(time.Second)
	}
	c := spec.Consortium
	if len(c.Members) == 0 {
		if spec.FeeRecipient == (common.Address{}) {
			return nil, fmt.Errorf("%w: a network needs a consortium: name its members, or a fee recipient to govern it", genesis.ErrInvalid)
		}
		one := system.NewGenesis("consortium", spec.FeeRecipient, c.Permissioned)
		one.Roles = append(one.Roles, c.Roles...)
		c = one
	}
	homes := make([]string, n)
	for i := range homes {
		homes[i] = Home(spec.Dir, i)
		if _, err := os.Stat(homes[i]); err == nil {
			return nil, fmt.Errorf("%w: %s (remove it or choose another directory)", ErrHomeExists, homes[i])
		}
	}
	parts := make([]*Part, n)
	for i, home := range homes {
		s := InitSpec{
			Home: home, Moniker: fmt.Sprintf("node%d", i),
			Listen:    fmt.Sprintf("%s:%d", spec.Host, spec.P2PPortBase+2*i),
			CometAddr: fmt.Sprintf("%s:%d", spec.Host, spec.P2PPortBase+2*i+1),
			RPCAddr:   fmt.Sprintf("%s:%d", spec.Host, spec.RPCPortBase+i),
		}
		if i < spec.Validators {
			s.Power, s.FeeRecipient = validatorPower, spec.FeeRecipient
		}
		// A member named as the node runs it (chuxin testnet's node0…).
		if j := slices.IndexFunc(c.Members, func(m system.Member) bool { return m.Name == s.Moniker }); j >= 0 {
			s.Member = &c.Members[j]
		}
		var err error
		if parts[i], err = Init(s); err != nil {
			return nil, err
		}
	}
	doc, _, err := Assemble(parts, Params{
		ChainID: spec.ChainID, GenesisTime: spec.GenesisTime, GasLimit: spec.GasLimit, BaseFee: spec.BaseFee,
		Alloc: spec.Alloc, Consortium: c, Beacon: spec.Beacon, Edit: spec.Genesis,
	})
	if err != nil {
		return nil, err
	}
	hash := Hash(doc)
	for i, home := range homes {
		if _, err := Install(home, doc, hash); err != nil {
			return nil, err
		}
		if spec.Tune == nil {
			continue
		}
		cfg, err := config.Load(home)
		if err != nil {
			return nil, err
		}
		spec.Tune(i, cfg)
		if err := cfg.Validate(); err != nil {
			return nil, err
		}
		if err := cfg.Save(home); err != nil {
			return nil, err
		}
	}
	return homes, nil
}
