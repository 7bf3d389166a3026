package ceremony

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/modules"
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
	// Beacon, if set, makes the validators a beacon committee that releases
	// the time capsules' epoch keys: Assemble deals the master secret among
	// them and seals each share to its node (the parts' shareRecipient).
	Beacon *BeaconParams
	// Edit, if set, changes the genesis before it is checked and encoded
	// (a fork schedule, rule versions).
	Edit func(g *genesis.Genesis)
}

// BeaconParams are a beacon's choices: one epoch every Period seconds from
// the genesis time, released by Threshold validators (0: the default,
// capsule.DefaultThreshold of the validators).
type BeaconParams struct {
	Period    uint32
	Threshold int
	// AnyOneOpens must be set for a threshold of 1 among more than one
	// validator: then every validator holds the master secret and can open
	// every capsule at once.
	AnyOneOpens bool
	// TimeZone is the network's (IANA; empty: capsule.DefaultTimeZone).
	TimeZone string
}

// Assemble writes the genesis of a network from its nodes' parts and
// returns the genesis file's bytes, checked as every node will check them
// at start, and the chuxin genesis they hold. Validators and admitted nodes
// are listed in the parts' order.
func Assemble(parts []*Part, p Params) ([]byte, *genesis.Genesis, error) {
	if len(parts) == 0 {
		return nil, nil, fmt.Errorf("%w: no parts: a network needs at least one validator's", ErrParts)
	}
	if p.ChainID == 0 {
		return nil, nil, fmt.Errorf("%w: a chain id is needed (a positive EIP-155 chain id)", genesis.ErrInvalid)
	}
	if p.GenesisTime.IsZero() {
		return nil, nil, fmt.Errorf("%w: a genesis time is needed", genesis.ErrInvalid)
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
	var (
		vals []cmttypes.GenesisValidator
		err  error
	)
	seen := map[string]string{} // node ID, consensus key and moniker → the part's moniker
	claim := func(kind, key, who string) error {
		if other, ok := seen[kind+key]; ok {
			return fmt.Errorf("%w: %s and %s have the same %s %s", ErrParts, other, who, kind, key)
		}
		seen[kind+key] = who
		return nil
	}
	for _, part := range parts {
		if err := part.Check(); err != nil {
			return nil, nil, err
		}
		for _, claimed := range [][2]string{{"moniker", part.Moniker}, {"node ID", part.NodeID}, {"consensus key", hex.EncodeToString(part.ConsensusPubKey)}} {
			if err := claim(claimed[0], claimed[1], part.Moniker); err != nil {
				return nil, nil, err
			}
		}
		node := system.Node{ID: part.NodeID, Name: part.Moniker, Address: part.Address}
		if part.Member != nil {
			node.Member = part.Member.Name
		}
		c.Nodes = append(c.Nodes, node)
		if part.Power > 0 {
			pub := ed25519.PubKey(part.ConsensusPubKey)
			vals = append(vals, cmttypes.GenesisValidator{Address: pub.Address(), PubKey: pub, Power: part.Power, Name: part.Moniker})
			g.Validators = append(g.Validators, genesis.Validator{Name: part.Moniker, PubKey: part.ConsensusPubKey, Power: part.Power, FeeRecipient: part.FeeRecipient, Node: part.NodeID})
		}
		if part.Member != nil {
			if c.Members, err = addMember(c.Members, *part.Member, part.Moniker); err != nil {
				return nil, nil, err
			}
		}
		c.Roles = append(c.Roles, part.Roles...)
	}
	if len(vals) == 0 {
		return nil, nil, fmt.Errorf("%w: every part is an observer (power 0): a network needs at least one validator", ErrParts)
	}
	g.Consortium = c
	if p.Beacon != nil {
		if g.Beacon, err = dealBeacon(parts, p.Beacon, g.Timestamp); err != nil {
			return nil, nil, err
		}
		g.Rules.VoteExtensionsHeight = 1
	}
	if p.Edit != nil {
		p.Edit(g)
	}
	// A chain that starts before rule version 6 keeps no validator's node
	// and no node's member: left out, its genesis reads on the binaries of
	// those versions, which refuse fields they do not know.
	if g.Rules.VersionAt(1) < genesis.VersionValidatorNodes {
		for i := range g.Validators {
			g.Validators[i].Node = ""
		}
		for i := range g.Consortium.Nodes {
			g.Consortium.Nodes[i].Member = ""
		}
	}
	if err := g.Validate(); err != nil {
		return nil, nil, err
	}
	appState, err := g.Marshal()
	if err != nil {
		return nil, nil, err
	}
	params := cmttypes.DefaultConsensusParams()
	params.Feature.PbtsEnableHeight = 1
	params.Feature.VoteExtensionsEnableHeight = g.Rules.VoteExtensionsHeight
	params.Block.MaxGas = -1 // the proposer applies rules.gasLimit (rule version 2)
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
		return nil, nil, fmt.Errorf("%w: %w", genesis.ErrInvalid, err)
	}
	b, err := cmtjson.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, nil, fmt.Errorf("encode genesis: %w", err)
	}
	b = append(b, '\n')
	_, checked, err := Check(b)
	if err != nil {
		return nil, nil, err
	}
	return b, checked, nil
}

// dealBeacon deals a new master secret among the validators' parts and
// seals each share to its node. The master secret is gone when it returns.
func dealBeacon(parts []*Part, p *BeaconParams, genesisTime uint64) (*capsule.Beacon, error) {
	var holders []*Part
	for _, part := range parts {
		if part.Power > 0 {
			holders = append(holders, part)
		}
	}
	t := p.Threshold
	if t == 0 {
		t = capsule.DefaultThreshold(len(holders))
	}
	if t == 1 && len(holders) > 1 && !p.AnyOneOpens {
		return nil, fmt.Errorf("%w: a beacon threshold of 1 among %d validators gives each of them the master secret, so any one could open every capsule at once; leave the threshold at its default (%d) or, if that is meant, say so (--beacon-any-one-opens)", ErrParts, len(holders), capsule.DefaultThreshold(len(holders)))
	}
	committee, shares, err := capsule.Deal(t, len(holders), rand.Reader)
	if err != nil {
		return nil, err
	}
	tz := p.TimeZone
	if tz == "" {
		tz = capsule.DefaultTimeZone
	}
	b := &capsule.Beacon{Threshold: t, PublicKey: committee.Master.Bytes(), Period: p.Period, GenesisTime: int64(genesisTime), TimeZone: tz}
	for i, part := range holders {
		r, err := age.ParseX25519Recipient(part.ShareRecipient)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: shareRecipient %q is not an age X25519 key (chuxin init writes one): %v", ErrPart, part.Moniker, part.ShareRecipient, err)
		}
		plain, err := json.Marshal(shares[i])
		if err != nil {
			return nil, err
		}
		sealed, err := sealTo(r, plain)
		if err != nil {
			return nil, err
		}
		b.Holders = append(b.Holders, capsule.Holder{Validator: part.ConsensusPubKey, PublicShare: committee.Shares[i].Bytes(), SealedShare: sealed})
	}
	return b, nil
}

// sealTo encrypts plain to r as an armored age file.
func sealTo(r age.Recipient, plain []byte) (string, error) {
	var out strings.Builder
	arm := armor.NewWriter(&out)
	w, err := age.Encrypt(arm, r)
	if err != nil {
		return "", fmt.Errorf("seal a beacon share: %w", err)
	}
	if _, err := w.Write(plain); err != nil {
		return "", fmt.Errorf("seal a beacon share: %w", err)
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("seal a beacon share: %w", err)
	}
	if err := arm.Close(); err != nil {
		return "", fmt.Errorf("seal a beacon share: %w", err)
	}
	return out.String(), nil
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

// Check decodes a genesis file and checks it as a node of this binary does
// when it starts: the CometBFT document, chuxin's app_state with the
// modules' sections (internal/modules), the two validator lists agreeing,
// and the genesis state built (the system contracts' and the modules'
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
	if err := g.UseModules(modules.Set()); err != nil {
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
	if g.Beacon != nil {
		c, err := g.Beacon.Committee()
		if err == nil {
			err = c.CheckShares()
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%w: beacon: %w", genesis.ErrInvalid, err)
		}
	}
	return doc, g, nil
}
