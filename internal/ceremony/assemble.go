package ceremony

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"reflect"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// Params are the choices of the network as a whole, made by whoever
// assembles the genesis (and checked by every member before installing it).
type Params struct {
	// ChainID is the EIP-155 chain id; the CometBFT chain ID is
	// "chuxin-<ChainID>".
	ChainID uint64
	// GenesisTime is the time of block 0; consensus starts at it.
	GenesisTime time.Time
	// GasLimit is the block gas limit (0: genesis.DefaultGasLimit).
	GasLimit uint64
	// BaseFee is a fixed base fee per gas (nil: free gas).
	BaseFee *big.Int
	// Alloc is the initial state: balances, code and storage.
	Alloc types.GenesisAlloc
	// Consortium holds the parameters (quorum, threshold, voting period,
	// permission mode) and any members and role grants besides the parts'.
	// Zero parameters take the defaults.
	Consortium system.Genesis
	// Edit, if set, changes the genesis before it is checked and encoded
	// (a fork schedule, rule versions).
	Edit func(g *genesis.Genesis)
}

// Assemble writes the genesis of a network from its nodes' parts and
// returns the genesis file's bytes, checked as every node will check them
// at start. Validators and admitted nodes are listed in the parts' order.
func Assemble(parts []*Part, p Params) ([]byte, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("%w: no parts: a network needs at least one validator's", ErrParts)
	}
	if p.ChainID == 0 {
		return nil, fmt.Errorf("%w: a chain id is needed (a positive EIP-155 chain id)", genesis.ErrInvalid)
	}
	if p.GenesisTime.IsZero() {
		return nil, fmt.Errorf("%w: a genesis time is needed", genesis.ErrInvalid)
	}
	if p.GasLimit == 0 {
		p.GasLimit = genesis.DefaultGasLimit
	}
	g := genesis.New(p.ChainID)
	g.Timestamp = uint64(p.GenesisTime.Unix())
	g.Rules.GasLimit = p.GasLimit
	if p.BaseFee != nil {
		g.Rules.BaseFee = (*hexutil.Big)(new(big.Int).Set(p.BaseFee))
	}
	if p.Alloc != nil {
		g.Alloc = p.Alloc
	}
	c := p.Consortium
	if c.Quorum == 0 {
		c.Quorum = system.DefaultQuorum
	}
	if c.Threshold == 0 {
		c.Threshold = system.DefaultThreshold
	}
	if c.VotingPeriod == 0 {
		c.VotingPeriod = system.DefaultVotingPeriod
	}
	c.Members = append([]system.Member(nil), c.Members...)
	c.Roles = append([]system.RoleGrant(nil), c.Roles...)
	c.Nodes = append([]system.Node(nil), c.Nodes...)
	var vals []cmttypes.GenesisValidator
	seen := map[string]string{} // node ID, consensus key and moniker → the part's moniker
	claim := func(kind, key, who string) error {
		if other, ok := seen[kind+key]; ok {
			return fmt.Errorf("%w: %s and %s have the same %s %s", ErrParts, other, who, kind, key)
		}
		seen[kind+key] = who
		return nil
	}
	for _, part := range parts {
		if err := part.check(); err != nil {
			return nil, err
		}
		for _, claimed := range [][2]string{{"moniker", part.Moniker}, {"node ID", part.NodeID}, {"consensus key", hex.EncodeToString(part.ConsensusPubKey)}} {
			if err := claim(claimed[0], claimed[1], part.Moniker); err != nil {
				return nil, err
			}
		}
		c.Nodes = append(c.Nodes, system.Node{ID: part.NodeID, Name: part.Moniker, Address: part.Address})
		if part.Power > 0 {
			pub := ed25519.PubKey(part.ConsensusPubKey)
			vals = append(vals, cmttypes.GenesisValidator{Address: pub.Address(), PubKey: pub, Power: part.Power, Name: part.Moniker})
			g.Validators = append(g.Validators, genesis.Validator{Name: part.Moniker, PubKey: part.ConsensusPubKey, Power: part.Power, FeeRecipient: part.FeeRecipient})
		}
		if part.Member != nil {
			var err error
			if c.Members, err = addMember(c.Members, *part.Member, part.Moniker); err != nil {
				return nil, err
			}
		}
		c.Roles = append(c.Roles, part.Roles...)
	}
	if len(vals) == 0 {
		return nil, fmt.Errorf("%w: every part is an observer (power 0): a network needs at least one validator", ErrParts)
	}
	g.Consortium = c
	if p.Edit != nil {
		p.Edit(g)
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
	params.Block.MaxGas = int64(g.Rules.GasLimit)
	params.Block.MaxBytes = genesis.MaxBlockBytes
	doc := &cmttypes.GenesisDoc{
		GenesisTime:     p.GenesisTime.UTC(),
		ChainID:         fmt.Sprintf("chuxin-%d", p.ChainID),
		InitialHeight:   1,
		ConsensusParams: params,
		Validators:      vals,
		AppState:        appState,
	}
	if err := doc.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("%w: %w", genesis.ErrInvalid, err)
	}
	b, err := cmtjson.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode genesis: %w", err)
	}
	b = append(b, '\n')
	if _, _, err := Check(b); err != nil {
		return nil, err
	}
	return b, nil
}

// addMember adds m to members, or checks that the member of that name is
// described the same way by every part.
func addMember(members []system.Member, m system.Member, who string) ([]system.Member, error) {
	for _, have := range members {
		if have.Name != m.Name {
			continue
		}
		if !reflect.DeepEqual(have, m) {
			return nil, fmt.Errorf("%w: %s describes member %q with weight %d and governors %v, another part or the parameters with weight %d and governors %v: agree on one",
				ErrParts, who, m.Name, m.Weight, m.Governors, have.Weight, have.Governors)
		}
		return members, nil
	}
	return append(members, m), nil
}

// Hash is the genesis hash of a genesis file: the SHA-256 of its bytes, in
// hex, as CometBFT computes it and as genesis_hash records it.
func Hash(genesisJSON []byte) string {
	sum := sha256.Sum256(genesisJSON)
	return hex.EncodeToString(sum[:])
}

// Check decodes a genesis file and checks it as a node does when it
// starts: the CometBFT document, chuxin's app_state, the two validator
// lists agreeing, and the genesis state built (the system contracts'
// constructors run).
func Check(genesisJSON []byte) (*cmttypes.GenesisDoc, *genesis.Genesis, error) {
	doc, err := cmttypes.GenesisDocFromJSON(genesisJSON)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", genesis.ErrInvalid, err)
	}
	g, err := genesis.Parse(doc.AppState)
	if err != nil {
		return nil, nil, err
	}
	var vals []genesis.ConsensusValidator
	for _, v := range doc.Validators {
		vals = append(vals, genesis.ConsensusValidator{PubKey: v.PubKey.Bytes(), Power: v.Power})
	}
	if err := g.CheckValidators(vals); err != nil {
		return nil, nil, err
	}
	if _, err := g.CoreGenesis(); err != nil {
		return nil, nil, err
	}
	return doc, g, nil
}
