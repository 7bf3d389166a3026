package system

import (
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// Event is one event of the Consortium contract, decoded.
type Event struct {
	Name   string         `json:"event"`
	Fields map[string]any `json:"fields"`
	Text   string         `json:"text"`
}

// MemberID is a member's id in the contract: the hash of its name.
func MemberID(name string) [32]byte { return crypto.Keccak256Hash([]byte(name)) }

// DecodeEvent decodes a log of the Consortium contract, with its words.
func DecodeEvent(l *types.Log) (Event, bool) {
	if l.Address != ConsortiumAddress || len(l.Topics) == 0 {
		return Event{}, false
	}
	a, err := consortium()
	if err != nil {
		return Event{}, false
	}
	name, fields, ok := a.DecodeLog(l)
	if !ok {
		return Event{}, false
	}
	return Event{Name: name, Fields: fields, Text: describeEvent(name, fields)}, true
}

func describeEvent(name string, f map[string]any) string {
	switch name {
	case "Proposed":
		return fmt.Sprintf("proposal %v created by %v; votes count until block %v", f["id"], f["proposer"], f["deadline"])
	case "Voted":
		side := "against"
		if f["support"] == true {
			side = "for"
		}
		return fmt.Sprintf("%v voted %s proposal %v with weight %v", f["governor"], side, f["id"], f["weight"])
	case "Passed":
		return fmt.Sprintf("proposal %v passed and its actions applied", f["id"])
	case "Rejected":
		return fmt.Sprintf("proposal %v rejected: %v", f["id"], f["reason"])
	case "Expired":
		return fmt.Sprintf("proposal %v expired: %v", f["id"], f["reason"])
	case "Failed":
		return fmt.Sprintf("proposal %v passed but could not apply: %v", f["id"], f["reason"])
	case "MemberChanged":
		if f["weight"] == uint64(0) {
			return fmt.Sprintf("member %v removed", f["name"])
		}
		return fmt.Sprintf("member %v now has weight %v and governors %v", f["name"], f["weight"], f["governors"])
	case "ValidatorChanged":
		if f["power"] == uint64(0) {
			return fmt.Sprintf("validator %v removed (consensus applies it two blocks on)", f["pubKey"])
		}
		return fmt.Sprintf("validator %v now has power %v (consensus applies it two blocks on)", f["pubKey"], f["power"])
	case "RolesChanged":
		roles, _ := f["roles"].(*big.Int)
		return fmt.Sprintf("account %v now has roles %s", f["account"], Role(roles.Uint64()))
	case "Frozen":
		return fmt.Sprintf("account %v frozen by %v: %v", f["account"], f["by"], f["reason"])
	case "Unfrozen":
		return fmt.Sprintf("account %v unfrozen by %v", f["account"], f["by"])
	case "NodeAdmitted":
		id, _ := f["id"].([20]byte)
		return fmt.Sprintf("node %s (%v) admitted", NodeID(id), f["name"])
	case "NodeRevoked":
		id, _ := f["id"].([20]byte)
		return fmt.Sprintf("node %s no longer admitted: its connections are closed", NodeID(id))
	case "ParamChanged":
		p, _ := f["param"].(uint8)
		return fmt.Sprintf("%s set to %v", ParamName(p), f["value"])
	case "FeeRecipientChanged":
		return fmt.Sprintf("validator %v's blocks now pay their fees to %v", f["pubKey"], f["recipient"])
	case "UpgradeScheduled":
		return fmt.Sprintf("rule version %v scheduled from height %v: upgrade every node's binary before it", f["version"], f["height"])
	case "ValidatorNodeChanged":
		node, _ := f["node"].([20]byte)
		if node == ([20]byte{}) {
			return fmt.Sprintf("validator %v signs on no node on record", f["pubKey"])
		}
		return fmt.Sprintf("validator %v signs on node %s", f["pubKey"], NodeID(node))
	case "NodeMemberChanged":
		node, _ := f["node"].([20]byte)
		if f["name"] == "" {
			return fmt.Sprintf("node %s is run by no member on record", NodeID(node))
		}
		return fmt.Sprintf("node %s is run by member %v", NodeID(node), f["name"])
	case "GovernedChanged":
		if f["listed"] == false {
			return fmt.Sprintf("contract %v taken off the list of governed contracts", f["target"])
		}
		return fmt.Sprintf("contract %v (%v) governed: proposals may call it", f["target"], f["name"])
	case "GovernedCalled":
		sel, _ := f["selector"].([4]byte)
		return fmt.Sprintf("the consortium called %v (%v), function 0x%x", f["target"], f["name"], sel)
	case "Misbehaved":
		return fmt.Sprintf("validator %v misbehaved at height %v (kind %v); its power was %v", f["pubKey"], f["height"], f["kind"], f["powerBefore"])
	}
	return name
}

// ParamName names a parameter of SetParam.
func ParamName(p uint8) string {
	switch p {
	case ParamQuorum:
		return "the quorum (basis points)"
	case ParamThreshold:
		return "the threshold (basis points)"
	case ParamVotingPeriod:
		return "the voting period (blocks)"
	case ParamPermissioned:
		return "permissioned (0 or 1)"
	case ParamGasLimit:
		return "the block gas limit"
	case ParamBaseFee:
		return "the base fee (wei per gas)"
	}
	return fmt.Sprintf("parameter %d", p)
}

// EventKind groups the contract's events for the audit trail.
func EventKind(name string) string {
	switch name {
	case "Proposed", "Passed", "Rejected", "Expired", "Failed":
		return "proposal"
	case "Voted":
		return "vote"
	case "MemberChanged":
		return "member"
	case "ValidatorChanged", "Misbehaved", "FeeRecipientChanged", "ValidatorNodeChanged":
		return "validator"
	case "RolesChanged":
		return "role"
	case "Frozen", "Unfrozen":
		return "freeze"
	case "NodeAdmitted", "NodeRevoked", "NodeMemberChanged":
		return "node"
	case "ParamChanged", "UpgradeScheduled":
		return "param"
	case "GovernedChanged", "GovernedCalled":
		return "contract"
	}
	return "other"
}
