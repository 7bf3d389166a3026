package genesis

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"slices"

	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/system"
)

// Validator is one validator of the genesis.
type Validator struct {
	// Name is for people (the node's moniker); it has no effect.
	Name string `json:"name,omitempty"`
	// PubKey is the validator's ed25519 consensus key (base64 in JSON, as
	// in the CometBFT genesis).
	PubKey []byte `json:"pubKey"`
	// Power is its voting power, as in the CometBFT genesis.
	Power int64 `json:"power"`
	// FeeRecipient receives the priority fees of the blocks it proposes:
	// the coinbase of those blocks.
	FeeRecipient common.Address `json:"feeRecipient"`
	// Node is the CometBFT node ID (40 hex digits) of the admitted node
	// that signs with the key, one of consortium.nodes; the ceremony names
	// it for every validator. A chain that starts at rule version
	// VersionValidatorNodes or later keeps it, and a node that signs for a
	// validator is then not revoked while it does; a chain that starts
	// earlier, or a validator without one, has no node on record.
	Node string `json:"node,omitempty"`
}

// Address returns the validator's CometBFT address: the first 20 bytes of
// the SHA-256 of its public key.
func (v Validator) Address() []byte {
	sum := sha256.Sum256(v.PubKey)
	return sum[:20]
}

func validateValidators(vals []Validator, nodes []system.Node) error {
	for i, v := range vals {
		if v.Node != "" {
			id, err := system.ParseNodeID(v.Node)
			if err != nil {
				return fmt.Errorf("%w: validators[%d].node: %w", ErrInvalid, i, err)
			}
			if !slices.ContainsFunc(nodes, func(n system.Node) bool { other, err := system.ParseNodeID(n.ID); return err == nil && other == id }) {
				return fmt.Errorf("%w: validators[%d].node %s is not among consortium.nodes: admit it there, or leave the validator's node out", ErrInvalid, i, v.Node)
			}
			for j := range i {
				if other, err := system.ParseNodeID(vals[j].Node); err == nil && other == id {
					return fmt.Errorf("%w: validators[%d] and validators[%d] name node %s: a node signs with one key", ErrInvalid, j, i, v.Node)
				}
			}
		}
		switch {
		case len(v.PubKey) != ed25519.PublicKeySize:
			return fmt.Errorf("%w: validators[%d].pubKey has %d bytes, an ed25519 key has %d", ErrInvalid, i, len(v.PubKey), ed25519.PublicKeySize)
		case bytes.Equal(v.PubKey, make([]byte, ed25519.PublicKeySize)):
			return fmt.Errorf("%w: validators[%d].pubKey is all zeros: give the node's consensus public key (chuxin identity)", ErrInvalid, i)
		case v.Power <= 0:
			return fmt.Errorf("%w: validators[%d].power must be positive", ErrInvalid, i)
		}
		for j := range i {
			if bytes.Equal(vals[j].PubKey, v.PubKey) {
				return fmt.Errorf("%w: validators[%d] and validators[%d] have the same key", ErrInvalid, j, i)
			}
		}
	}
	return nil
}

// ConsensusValidator is a validator as consensus announces it.
type ConsensusValidator struct {
	PubKey []byte
	Power  int64
}

// CheckValidators refuses consensus's genesis validators unless they are
// exactly this genesis's, key for key and power for power, in any order.
func (g *Genesis) CheckValidators(got []ConsensusValidator) error {
	key := func(pub []byte, power int64) string { return fmt.Sprintf("%x/%d", pub, power) }
	var want, have []string
	for _, v := range g.Validators {
		want = append(want, key(v.PubKey, v.Power))
	}
	for _, v := range got {
		have = append(have, key(v.PubKey, v.Power))
	}
	slices.Sort(want)
	slices.Sort(have)
	for i := 0; i < max(len(want), len(have)); i++ {
		switch {
		case i >= len(want):
			return fmt.Errorf("%w: consensus names validator %s, which the app_state's validators lack", ErrValidators, have[i])
		case i >= len(have) || want[i] != have[i]:
			return fmt.Errorf("%w: the app_state names validator %s (key/power) that consensus's genesis validators lack; the two lists in genesis.json must agree", ErrValidators, want[i])
		}
	}
	return nil
}
