// Package nodepart is one node's part of a network: the public facts its
// operator hands to the genesis ceremony (internal/ceremony) or, for a
// node made after genesis, to the proposal that lets it in (JoinActions).
// A part holds no secret.
package nodepart

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/system"
)

// ErrPart: a node's part is incomplete or malformed.
var ErrPart = errors.New("invalid ceremony part")

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

// Check reports the first field of p that no network could take.
func (p *Part) Check() error {
	if err := p.CheckGiven(); err != nil {
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

// CheckGiven checks the fields an operator gives, before the keys are
// made (ceremony.Init).
func (p *Part) CheckGiven() error {
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

// Read reads and checks a part file.
func Read(file string) (*Part, error) {
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
	if err := p.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &p, nil
}

// JoinActions are the actions of the one proposal that lets a node made
// after genesis into a running network, from the part it made with chuxin
// init: admit its node ID under its moniker; make its operator a member,
// if the part names one, with the part's weight and governors; grant the
// roles the part asks for; and, for a validator, give its consensus key
// the part's power and its blocks' fees to the part's fee recipient. With
// nodes (a chain at rule version system.VersionValidatorNodes or later),
// the validator change names the part's node as the one that signs with
// the key, as the consortium then requires, and the member is recorded as
// the one that runs the node.
func JoinActions(part *Part, nodes bool) ([]system.Action, error) {
	id, err := system.ParseNodeID(part.NodeID)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPart, err)
	}
	actions := []system.Action{system.SetNode(id, true, part.Moniker)}
	if m := part.Member; m != nil {
		actions = append(actions, system.SetMember(m.Name, m.Weight, m.Governors))
		if nodes {
			actions = append(actions, system.SetNodeMember(id, m.Name))
		}
	}
	for _, r := range part.Roles {
		role, err := system.ParseRoles(strings.Join(r.Roles, ","))
		if err != nil {
			return nil, fmt.Errorf("%w: roles of %s: %v", ErrPart, r.Account, err)
		}
		actions = append(actions, system.SetRoles(r.Account, role))
	}
	if part.Power > 0 {
		if len(part.ConsensusPubKey) != 32 {
			return nil, fmt.Errorf("%w: consensusPubKey is %d bytes, want 32 (ed25519)", ErrPart, len(part.ConsensusPubKey))
		}
		if part.FeeRecipient == ([20]byte{}) {
			return nil, fmt.Errorf("%w: validator %s names no fee recipient: its blocks' fees would go to an address whose key no one holds", ErrPart, part.Moniker)
		}
		key := [32]byte(part.ConsensusPubKey)
		set := system.SetValidators(system.ValidatorUpdate{PubKey: key, Power: uint64(part.Power)})
		if nodes {
			set = system.SetNodeValidators(system.NodeValidator{PubKey: key, Power: uint64(part.Power), Node: id})
		}
		actions = append(actions, set, system.SetFeeRecipient(key, part.FeeRecipient))
	}
	return actions, nil
}
