package govclient

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/system"
	ctypes "github.com/chuxin-chain/chuxin/x/consortium/types"
)

// Statuses of a proposal, as the contract's Status.
var statusNames = []string{"none", "open", "passed", "rejected", "expired", "failed"}

// Proposal is a proposal as the contract holds it.
type Proposal struct {
	ID          uint64         `json:"id"`
	Proposer    common.Address `json:"proposer"`
	Member      string         `json:"member"`
	Created     uint64         `json:"created"`
	Deadline    uint64         `json:"deadline"`
	Status      string         `json:"status"`
	Yes         uint64         `json:"yes"`
	No          uint64         `json:"no"`
	Description string         `json:"description"`
	Outcome     string         `json:"outcome,omitempty"`
	Actions     []string       `json:"actions"`
	// Validators are the validator changes of its SetValidators and
	// SetNodeValidators actions, one list an action (power 0 removes a key;
	// Node is zero where the action names none); a rotation is an action of
	// one removal and one key given power.
	Validators [][]system.NodeValidator `json:"-"`
}

// Text tells the proposal in words.
func (p *Proposal) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "proposal %d: %s\n  %q, by %s (member %s) in block %d; votes until block %d\n  yes %d, no %d",
		p.ID, p.Status, p.Description, p.Proposer, p.Member, p.Created, p.Deadline, p.Yes, p.No)
	if p.Outcome != "" {
		fmt.Fprintf(&b, "; %s", p.Outcome)
	}
	b.WriteString("\n")
	for _, a := range p.Actions {
		fmt.Fprintf(&b, "  - %s\n", a)
	}
	return b.String()
}

// Proposal reads proposal id.
func (c *Client) Proposal(ctx context.Context, id uint64) (*Proposal, error) {
	out, err := c.View(ctx, "proposal", new(big.Int).SetUint64(id))
	if err != nil {
		return nil, err
	}
	var p struct {
		Proposer    common.Address
		Member      [32]byte
		Created     uint64
		Deadline    uint64
		Decided     uint64
		Status      uint8
		Yes         *big.Int
		No          *big.Int
		Description string
		Outcome     string
	}
	p = *abi.ConvertType(out[0], &p).(*struct {
		Proposer    common.Address
		Member      [32]byte
		Created     uint64
		Deadline    uint64
		Decided     uint64
		Status      uint8
		Yes         *big.Int
		No          *big.Int
		Description string
		Outcome     string
	})
	actions := *abi.ConvertType(out[1], new([]system.Action)).(*[]system.Action)
	members, err := c.memberNames(ctx)
	if err != nil {
		return nil, err
	}
	r := &Proposal{ID: id, Proposer: p.Proposer, Member: members[p.Member], Created: p.Created, Deadline: p.Deadline,
		Status: statusNames[min(int(p.Status), len(statusNames)-1)], Yes: p.Yes.Uint64(), No: p.No.Uint64(),
		Description: p.Description, Outcome: p.Outcome}
	for _, a := range actions {
		r.Actions = append(r.Actions, DescribeAction(a))
		if us, ok := validatorUpdates(a); ok {
			r.Validators = append(r.Validators, us)
		}
	}
	return r, nil
}

// validatorUpdates are the validator changes of a SetValidators or
// SetNodeValidators action.
func validatorUpdates(a system.Action) ([]system.NodeValidator, bool) {
	switch a.Kind {
	case system.KindSetValidators:
		us, err := system.DecodeSetValidators(a.Data)
		ns := make([]system.NodeValidator, len(us))
		for i, u := range us {
			ns[i] = system.NodeValidator{PubKey: u.PubKey, Power: u.Power}
		}
		return ns, err == nil
	case system.KindSetNodeValidators:
		ns, err := system.DecodeSetNodeValidators(a.Data)
		return ns, err == nil
	}
	return nil, false
}

// Proposals reads every proposal, newest first.
func (c *Client) Proposals(ctx context.Context) ([]*Proposal, error) {
	out, err := c.View(ctx, "proposalCount")
	if err != nil {
		return nil, err
	}
	n := out[0].(*big.Int).Uint64()
	var ps []*Proposal
	for id := n; id >= 1; id-- {
		p, err := c.Proposal(ctx, id)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// Member is a member of the consortium.
type Member struct {
	Name      string           `json:"name"`
	Weight    uint64           `json:"weight"`
	Governors []common.Address `json:"governors"`
}

// Members reads the members.
func (c *Client) Members(ctx context.Context) ([]Member, error) {
	out, err := c.View(ctx, "memberCount")
	if err != nil {
		return nil, err
	}
	n := out[0].(*big.Int).Uint64()
	ms := make([]Member, 0, n)
	for i := range n {
		out, err := c.View(ctx, "memberAt", new(big.Int).SetUint64(i))
		if err != nil {
			return nil, err
		}
		ms = append(ms, Member{Name: out[1].(string), Weight: out[2].(uint64), Governors: out[3].([]common.Address)})
	}
	return ms, nil
}

func (c *Client) memberNames(ctx context.Context) (map[[32]byte]string, error) {
	ms, err := c.Members(ctx)
	if err != nil {
		return nil, err
	}
	names := map[[32]byte]string{}
	for _, m := range ms {
		names[system.MemberID(m.Name)] = m.Name
	}
	return names, nil
}

// Permissions are an account's roles and freeze.
type Permissions struct {
	Account      common.Address `json:"account"`
	Roles        string         `json:"roles"`
	Frozen       bool           `json:"frozen"`
	FrozenSince  uint64         `json:"frozenSince,omitempty"`
	FrozenBy     common.Address `json:"frozenBy,omitzero"`
	Permissioned bool           `json:"permissioned"`
	Governs      string         `json:"governs,omitempty"`
}

// Text tells the permissions in words.
func (p *Permissions) Text() string {
	mode := "an open network: any account may send and deploy"
	if p.Permissioned {
		mode = "a permissioned network"
	}
	s := fmt.Sprintf("account %s\n  roles: %s (%s)\n", p.Account, p.Roles, mode)
	if p.Governs != "" {
		s += fmt.Sprintf("  governor of member %s\n", p.Governs)
	}
	if p.Frozen {
		s += fmt.Sprintf("  frozen since block %d by %s\n", p.FrozenSince, p.FrozenBy)
	}
	return s
}

// PermissionsOf reads an account's roles and freeze.
func (c *Client) PermissionsOf(ctx context.Context, account common.Address) (*Permissions, error) {
	out, err := c.View(ctx, "permissions", account)
	if err != nil {
		return nil, err
	}
	word := out[0].(*big.Int)
	p := &Permissions{Account: account, Roles: system.Role(word.Uint64() & 0xf).String(), Frozen: word.Bit(128) == 1}
	if p.Frozen {
		out, err := c.View(ctx, "freezes", account)
		if err != nil {
			return nil, err
		}
		p.FrozenSince, p.FrozenBy = out[0].(uint64), out[1].(common.Address)
	}
	out, err = c.View(ctx, "permissioned")
	if err != nil {
		return nil, err
	}
	p.Permissioned = out[0].(bool)
	out, err = c.View(ctx, "governorOf", account)
	if err != nil {
		return nil, err
	}
	if id := out[0].([32]byte); id != ([32]byte{}) {
		names, err := c.memberNames(ctx)
		if err != nil {
			return nil, err
		}
		p.Governs = names[id]
	}
	return p, nil
}

// DescribeAction tells a proposal's action in words.
func DescribeAction(a system.Action) string {
	args := func(types ...string) []any {
		var as abi.Arguments
		for _, t := range types {
			ty, _ := abi.NewType(t, "", nil)
			as = append(as, abi.Argument{Type: ty})
		}
		out, err := as.Unpack(a.Data)
		if err != nil {
			return nil
		}
		return out
	}
	switch a.Kind {
	case system.KindSetMember:
		if v := args("string", "uint64", "address[]"); v != nil {
			if v[1].(uint64) == 0 {
				return fmt.Sprintf("remove member %s", v[0])
			}
			return fmt.Sprintf("set member %s: weight %d, governors %v", v[0], v[1], v[2])
		}
	case system.KindSetValidators:
		if us, err := system.DecodeSetValidators(a.Data); err == nil {
			parts := make([]string, len(us))
			for i, u := range us {
				parts[i] = fmt.Sprintf("validator 0x%x to power %d", u.PubKey, u.Power)
				if u.Power == 0 {
					parts[i] = fmt.Sprintf("remove validator 0x%x", u.PubKey)
				}
			}
			return strings.Join(parts, "; ")
		}
	case system.KindSetNodeValidators:
		if us, err := system.DecodeSetNodeValidators(a.Data); err == nil {
			parts := make([]string, len(us))
			for i, u := range us {
				parts[i] = fmt.Sprintf("validator 0x%x to power %d on node %s", u.PubKey, u.Power, u.Node)
				if u.Power == 0 {
					parts[i] = fmt.Sprintf("remove validator 0x%x", u.PubKey)
				}
			}
			return strings.Join(parts, "; ")
		}
	case system.KindSetRoles:
		if v := args("address", "uint256"); v != nil {
			return fmt.Sprintf("set the roles of %s to %s", v[0], system.Role(v[1].(*big.Int).Uint64()))
		}
	case system.KindSetNode:
		if v := args("bytes20", "bool", "string"); v != nil {
			id := v[0].([20]byte)
			if v[1].(bool) {
				return fmt.Sprintf("admit node %s (%s)", system.NodeID(id), v[2])
			}
			return fmt.Sprintf("revoke the admission of node %s", system.NodeID(id))
		}
	case system.KindSetNodeMember:
		if v := args("bytes20", "string"); v != nil {
			if v[1] == "" {
				return fmt.Sprintf("node %s is run by no member", system.NodeID(v[0].([20]byte)))
			}
			return fmt.Sprintf("node %s is run by member %s", system.NodeID(v[0].([20]byte)), v[1])
		}
	case system.KindSetGoverned:
		if v := args("address", "bool", "string"); v != nil {
			if v[1].(bool) {
				return fmt.Sprintf("govern contract %s (%s): proposals may call it", v[0], v[2])
			}
			return fmt.Sprintf("take contract %s off the governed list", v[0])
		}
	case system.KindCall:
		if v := args("address", "bytes"); v != nil {
			// Whole: what a voter approves is the arguments, not the function.
			return fmt.Sprintf("call contract %s with calldata 0x%x", v[0], v[1].([]byte))
		}
	case system.KindFeeRecipient:
		if v := args("bytes32", "address"); v != nil {
			return fmt.Sprintf("pay the fees of validator 0x%x's blocks to %s", v[0], v[1])
		}
	case system.KindSetFrozen:
		if v := args("address", "bool"); v != nil {
			if v[1].(bool) {
				return fmt.Sprintf("freeze %s", v[0])
			}
			return fmt.Sprintf("unfreeze %s", v[0])
		}
	case system.KindUpgrade:
		if v := args("uint64", "uint64"); v != nil {
			return fmt.Sprintf("schedule rule version %d from height %d", v[0], v[1])
		}
	case system.KindSetParam:
		if v := args("uint8", "uint256"); v != nil {
			return fmt.Sprintf("set %s to %s", system.ParamName(v[0].(uint8)), v[1])
		}
	}
	return fmt.Sprintf("action of kind %d (%d bytes)", a.Kind, len(a.Data))
}

// Audit reads a page of the audit trail (chuxin_audit).
func (c *Client) Audit(ctx context.Context, q ctypes.AuditQuery) (*ctypes.AuditPage, error) {
	var page ctypes.AuditPage
	if err := c.Call(ctx, &page, "chuxin_audit", q); err != nil {
		return nil, err
	}
	return &page, nil
}

// Consortium reads the consortium as it stands (chuxin_consortium).
func (c *Client) Consortium(ctx context.Context) (*ctypes.ConsortiumInfo, error) {
	var info ctypes.ConsortiumInfo
	if err := c.Call(ctx, &info, "chuxin_consortium"); err != nil {
		return nil, err
	}
	return &info, nil
}
