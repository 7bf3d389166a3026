package ceremony

import (
	"fmt"
	"strings"

	"github.com/chuxin-chain/chuxin/internal/system"
)

// JoinActions are the actions of the one proposal that lets a node made
// after genesis into a running network, from the part it made with chuxin
// init: admit its node ID under its moniker; make its operator a member,
// if the part names one, with the part's weight and governors; grant the
// roles the part asks for; and, for a validator, give its consensus key
// the part's power and its blocks' fees to the part's fee recipient. With
// nodes (a chain at rule version system.VersionValidatorNodes or later),
// the validator change names the part's node as the one that signs with
// the key, as the consortium then requires.
func JoinActions(part *Part, nodes bool) ([]system.Action, error) {
	id, err := system.ParseNodeID(part.NodeID)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPart, err)
	}
	actions := []system.Action{system.SetNode(id, true, part.Moniker)}
	if m := part.Member; m != nil {
		actions = append(actions, system.SetMember(m.Name, m.Weight, m.Governors))
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
