package ceremony

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"filippo.io/age"
	cmtcrypto "github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// Part is what one node's operator hands to the ceremony: public facts
// only. It is written to the home as config/part.json.
type Part struct {
	// Moniker names the node for people.
	Moniker string `json:"moniker"`
	// NodeID is the node's CometBFT p2p ID (40 hex digits): the address of
	// its node key.
	NodeID string `json:"nodeId"`
	// ConsensusPubKey is its ed25519 consensus public key (base64).
	ConsensusPubKey []byte `json:"consensusPubKey"`
	// Address is the host:port other nodes dial it at.
	Address string `json:"address"`
	// Power is its voting power; 0 makes it an observer, which verifies and
	// serves every block but does not vote.
	Power int64 `json:"power"`
	// FeeRecipient receives the priority fees of the blocks it proposes
	// (validators only).
	FeeRecipient common.Address `json:"feeRecipient,omitzero"`
	// Member is the consortium member that runs the node, if the operator
	// is one: its name, weight and governor accounts. Every part naming the
	// same member must describe it the same way.
	Member *system.Member `json:"member,omitempty"`
	// Roles are accounts the operator asks roles for at genesis.
	Roles []system.RoleGrant `json:"roles,omitempty"`
	// ShareRecipient is the age (X25519) public key the assembler seals
	// this node's beacon share to, if it is a validator and the network
	// has a beacon; its secret half stays in the home.
	ShareRecipient string `json:"shareRecipient,omitempty"`
}

// InitSpec describes one node's new home.
type InitSpec struct {
	Home    string
	Moniker string
	// Listen is the host:port the node listens for peers on; Address, if
	// set, is the one others dial (a public address in front of Listen).
	Listen, Address string
	// RPCAddr and CometAddr are the JSON-RPC and CometBFT RPC addresses
	// (empty: the defaults); MetricsAddr, if set, serves Prometheus
	// metrics.
	RPCAddr, CometAddr, MetricsAddr string
	// Power, FeeRecipient, Member and Roles go into the part as given.
	Power        int64
	FeeRecipient common.Address
	Member       *system.Member
	Roles        []system.RoleGrant
}

// Init creates a node's home: its p2p and consensus keys, its
// configuration, and its public part, which it returns and writes to
// config/part.json. An observer (power 0) is made an archive node, as
// audits read the state at any past height.
func Init(spec InitSpec) (*Part, error) {
	if spec.Moniker == "" {
		return nil, fmt.Errorf("%w: a node needs a moniker (a name for people)", ErrPart)
	}
	if _, err := os.Stat(spec.Home); err == nil {
		return nil, fmt.Errorf("%w: %s (remove it or choose another directory)", ErrHomeExists, spec.Home)
	}
	if spec.Address == "" {
		spec.Address = spec.Listen
	}
	c := config.Default()
	c.Moniker = spec.Moniker
	c.P2P.Listen = spec.Listen
	if spec.Address != spec.Listen {
		c.P2P.ExternalAddress = spec.Address
	}
	if spec.RPCAddr != "" {
		c.RPC.Addr = spec.RPCAddr
	}
	if spec.CometAddr != "" {
		c.RPC.CometAddr = spec.CometAddr
	}
	c.MetricsAddr = spec.MetricsAddr
	c.DB.Archive = spec.Power == 0
	if err := c.Validate(); err != nil {
		return nil, err
	}
	part := &Part{Moniker: spec.Moniker, Address: spec.Address, Power: spec.Power,
		FeeRecipient: spec.FeeRecipient, Member: spec.Member, Roles: spec.Roles}
	if err := part.checkGiven(); err != nil {
		return nil, err
	}
	for _, d := range []string{"config", "data"} {
		if err := os.MkdirAll(filepath.Join(spec.Home, d), 0o700); err != nil {
			return nil, fmt.Errorf("create home: %w", err)
		}
	}
	nk, err := p2p.LoadOrGenNodeKey(config.NodeKeyFile(spec.Home))
	if err != nil {
		return nil, fmt.Errorf("node key: %w", err)
	}
	pv, err := privval.GenFilePV(config.ConsensusKeyFile(spec.Home), config.SignStateFile(spec.Home),
		func() (cmtcrypto.PrivKey, error) { return ed25519.GenPrivKey(), nil })
	if err != nil {
		return nil, fmt.Errorf("consensus key: %w", err)
	}
	pv.Save()
	pub, err := pv.GetPubKey()
	if err != nil {
		return nil, fmt.Errorf("consensus key: %w", err)
	}
	part.NodeID, part.ConsensusPubKey = string(nk.ID()), pub.Bytes()
	shareKey, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("share key: %w", err)
	}
	if err := os.WriteFile(config.ShareKeyFile(spec.Home), []byte(shareKey.String()+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("share key: %w", err)
	}
	part.ShareRecipient = shareKey.Recipient().String()
	if err := c.Save(spec.Home); err != nil {
		return nil, err
	}
	if err := part.Save(config.PartFile(spec.Home)); err != nil {
		return nil, err
	}
	return part, nil
}

// check reports the first field of p that no network could take.
func (p *Part) check() error {
	if err := p.checkGiven(); err != nil {
		return err
	}
	switch _, err := system.ParseNodeID(p.NodeID); {
	case err != nil:
		return fmt.Errorf("%w: %s: %w", ErrPart, p.Moniker, err)
	case len(p.ConsensusPubKey) != ed25519.PubKeySize:
		return fmt.Errorf("%w: %s: consensusPubKey has %d bytes, an ed25519 key has %d", ErrPart, p.Moniker, len(p.ConsensusPubKey), ed25519.PubKeySize)
	}
	return nil
}

// checkGiven checks the fields an operator gives, before Init makes the
// keys.
func (p *Part) checkGiven() error {
	name := p.Moniker
	if name == "" {
		name = p.NodeID
	}
	switch {
	case p.Moniker == "":
		return fmt.Errorf("%w: node %s has no moniker", ErrPart, p.NodeID)
	case p.Power < 0:
		return fmt.Errorf("%w: %s: power %d is negative (0 makes an observer)", ErrPart, name, p.Power)
	case p.Power > 0 && p.FeeRecipient == (common.Address{}):
		return fmt.Errorf("%w: %s is a validator without a feeRecipient: name the account that receives its blocks' fees", ErrPart, name)
	}
	if _, _, err := net.SplitHostPort(p.Address); err != nil {
		return fmt.Errorf("%w: %s: address %q is not host:port (the address other nodes dial)", ErrPart, name, p.Address)
	}
	if p.Member != nil {
		g := system.Genesis{Members: []system.Member{*p.Member}, Quorum: 1, Threshold: 1, VotingPeriod: 1}
		if err := g.Validate(); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrPart, name, err)
		}
	}
	if len(p.Roles) > 0 {
		g := system.Genesis{Members: []system.Member{{Name: "x", Weight: 1, Governors: []common.Address{{}}}}, Quorum: 1, Threshold: 1, VotingPeriod: 1, Roles: p.Roles}
		if err := g.Validate(); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrPart, name, err)
		}
	}
	return nil
}

// Save writes p as JSON to file.
func (p *Part) Save(file string) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("encode part: %w", err)
	}
	if err := os.WriteFile(file, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write part: %w", err)
	}
	return nil
}

// ReadPart reads and checks a part file.
func ReadPart(file string) (*Part, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read part: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Part
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrPart, file, err)
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &p, nil
}
