package ceremony

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/vm"

	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// The floors below which install refuses a consortium's decision rules:
// approval by a majority of the weight that votes, with at least a third of
// all weight taking part. Lower, a small member could pass proposals alone.
const (
	MinQuorum    = 3334
	MinThreshold = 5001
)

// Grants are every grant of power a genesis makes, as install shows them
// to the operator before it writes anything.
type Grants struct {
	Members      []MemberGrant         `json:"members"`
	Quorum       uint64                `json:"quorum"`
	Threshold    uint64                `json:"threshold"`
	VotingPeriod uint64                `json:"votingPeriod"`
	Permissioned bool                  `json:"permissioned"`
	Roles        map[string][]string   `json:"roles"` // role name → accounts
	Validators   []ValidatorGrant      `json:"validators"`
	Code         []common.Address      `json:"code"`   // accounts given code beyond the standard contracts
	Funded       map[string]string     `json:"funded"` // account → wei
	Unprotected  bool                  `json:"allowUnprotectedTxs"`
	Presigned    int                   `json:"unprotectedTxs"` // pre-EIP-155 transactions admitted by hash
	Rules        []genesis.RuleVersion `json:"ruleVersions"`
}

// MemberGrant is a member with its share of all weight.
type MemberGrant struct {
	Name      string           `json:"name"`
	Weight    uint64           `json:"weight"`
	ShareBps  uint64           `json:"shareBps"`
	Governors []common.Address `json:"governors"`
}

// ValidatorGrant is a validator with its share of all power.
type ValidatorGrant struct {
	Name     string `json:"name"`
	PubKey   string `json:"pubKey"`
	Power    int64  `json:"power"`
	ShareBps uint64 `json:"shareBps"`
	// Node is the node it signs on and Member the member the genesis says
	// runs that node: a member answers for the validators named its own.
	Node   string `json:"node,omitempty"`
	Member string `json:"member,omitempty"`
}

// Policy is what an operator expects of a genesis before installing it
// (`genesis install --expect FILE`); a field left out expects nothing.
type Policy struct {
	// MyWeightAtLeastBps: this home's member holds at least this share of
	// all weight, in basis points.
	MyWeightAtLeastBps uint64 `json:"myWeightAtLeastBps,omitempty"`
	// OnlyAdmins and OnlyRegulators: no account other than these holds the
	// role (an empty list: none may).
	OnlyAdmins     *[]common.Address `json:"onlyAdmins,omitempty"`
	OnlyRegulators *[]common.Address `json:"onlyRegulators,omitempty"`
	// MaxFundedWei: no account is funded with more (a decimal string).
	MaxFundedWei string `json:"maxFundedWei,omitempty"`
	// NoCode: no account is given code beyond the standard contracts.
	NoCode bool `json:"noCode,omitempty"`
	// Protected: no pre-EIP-155 transaction is admitted.
	Protected bool `json:"protected,omitempty"`
}

// ParsePolicy reads a policy file strictly: an unknown field is an error,
// not an expectation silently dropped.
func ParsePolicy(b []byte) (*Policy, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Policy
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: the policy file: %v (fields: myWeightAtLeastBps, onlyAdmins, onlyRegulators, maxFundedWei, noCode, protected)", ErrPolicy, err)
	}
	if p.MaxFundedWei != "" {
		if _, ok := new(big.Int).SetString(p.MaxFundedWei, 10); !ok {
			return nil, fmt.Errorf("%w: maxFundedWei %q is not a decimal number of wei", ErrPolicy, p.MaxFundedWei)
		}
	}
	return &p, nil
}

// Review checks a genesis file as every node will and lists its grants of
// power, for the operator to read before installing it.
func Review(genesisJSON []byte) (*Grants, error) {
	_, g, err := Check(genesisJSON)
	if err != nil {
		return nil, err
	}
	return GrantsOf(g), nil
}

// GrantsOf lists every grant of power in g.
func GrantsOf(g *genesis.Genesis) *Grants {
	c := g.Consortium
	out := &Grants{Quorum: c.Quorum, Threshold: c.Threshold, VotingPeriod: c.VotingPeriod, Permissioned: c.Permissioned,
		Roles: map[string][]string{}, Funded: map[string]string{}, Unprotected: g.Rules.AllowUnprotectedTxs,
		Presigned: len(g.Rules.UnprotectedTxs), Rules: g.Rules.Versions}
	var weight uint64
	for _, m := range c.Members {
		weight += m.Weight
	}
	for _, m := range c.Members {
		out.Members = append(out.Members, MemberGrant{m.Name, m.Weight, share(m.Weight, weight), m.Governors})
	}
	for _, r := range c.Roles {
		for _, name := range r.Roles {
			name = strings.ToLower(strings.TrimSpace(name))
			if !slices.Contains(out.Roles[name], r.Account.Hex()) {
				out.Roles[name] = append(out.Roles[name], r.Account.Hex())
			}
		}
	}
	var power int64
	for _, v := range g.Validators {
		power += v.Power
	}
	for _, v := range g.Validators {
		grant := ValidatorGrant{Name: v.Name, PubKey: fmt.Sprintf("0x%x", v.PubKey), Power: v.Power, ShareBps: share(uint64(v.Power), uint64(power)), Node: v.Node}
		if i := slices.IndexFunc(c.Nodes, func(n system.Node) bool { return v.Node != "" && strings.EqualFold(n.ID, v.Node) }); i >= 0 {
			grant.Member = c.Nodes[i].Member
		}
		out.Validators = append(out.Validators, grant)
	}
	for _, a := range sortedAccounts(g) { // the standard contracts are not in the allocation
		acc := g.Alloc[a]
		if len(acc.Code) > 0 {
			out.Code = append(out.Code, a)
		}
		if acc.Balance != nil && acc.Balance.Sign() > 0 {
			out.Funded[a.Hex()] = acc.Balance.String()
		}
	}
	return out
}

func sortedAccounts(g *genesis.Genesis) []common.Address {
	var as []common.Address
	for a := range g.Alloc {
		as = append(as, a)
	}
	slices.SortFunc(as, func(x, y common.Address) int { return bytes.Compare(x[:], y[:]) })
	return as
}

func share(part, total uint64) uint64 {
	if total == 0 {
		return 0
	}
	return new(big.Int).Div(new(big.Int).Mul(new(big.Int).SetUint64(part), big.NewInt(10000)), new(big.Int).SetUint64(total)).Uint64()
}

// checkGrants refuses, with the reason, a genesis that hands the network
// to someone: code at a governor's address (its member could never act),
// decision rules under the floors, or anything the operator's policy (nil:
// none) does not expect. member is this home's member ("" if none).
func checkGrants(g *genesis.Genesis, gr *Grants, member string, p *Policy) error {
	standard := g.CodeAddresses()
	precompiles := vm.ActivePrecompiledContracts(g.Rules.Ethereum.Rules(new(big.Int), true, g.Timestamp))
	for _, m := range g.Consortium.Members {
		for _, gov := range m.Governors {
			acc, ok := g.Alloc[gov]
			_, precompile := precompiles[gov]
			if ok && len(acc.Code) > 0 || standard[gov] || precompile || gov == system.TimelockHeaderAddress {
				return fmt.Errorf("%w: governor %s of member %s is a contract, a system contract or a precompile's address, so it could never send a transaction: its member could never act", ErrGrants, gov, m.Name)
			}
		}
	}
	if gr.Quorum < MinQuorum || gr.Threshold < MinThreshold {
		return fmt.Errorf("%w: quorum %d and threshold %d basis points; install wants at least %d and %d, or a small member could pass proposals alone", ErrGrants, gr.Quorum, gr.Threshold, MinQuorum, MinThreshold)
	}
	if p == nil {
		return nil
	}
	if p.MyWeightAtLeastBps > 0 {
		i := slices.IndexFunc(gr.Members, func(m MemberGrant) bool { return m.Name == member })
		if i < 0 || gr.Members[i].ShareBps < p.MyWeightAtLeastBps {
			got := uint64(0)
			if i >= 0 {
				got = gr.Members[i].ShareBps
			}
			return fmt.Errorf("%w: member %q holds %d basis points of the weight, the policy expects at least %d", ErrPolicy, member, got, p.MyWeightAtLeastBps)
		}
	}
	for role, allowed := range map[string]*[]common.Address{"admin": p.OnlyAdmins, "regulator": p.OnlyRegulators} {
		if allowed == nil {
			continue
		}
		for _, a := range gr.Roles[role] {
			if !slices.Contains(*allowed, common.HexToAddress(a)) {
				return fmt.Errorf("%w: %s is made %s, which the policy does not expect", ErrPolicy, a, role)
			}
		}
	}
	if p.MaxFundedWei != "" {
		limit, _ := new(big.Int).SetString(p.MaxFundedWei, 10)
		for _, a := range sortedAccounts(g) {
			if b := g.Alloc[a].Balance; b != nil && b.Cmp(limit) > 0 {
				return fmt.Errorf("%w: account %s is funded with %s wei, over the policy's %s", ErrPolicy, a, b, limit)
			}
		}
	}
	if p.NoCode && len(gr.Code) > 0 {
		return fmt.Errorf("%w: accounts %v are given code, which the policy does not expect", ErrPolicy, gr.Code)
	}
	if p.Protected && (gr.Unprotected || gr.Presigned > 0) {
		return fmt.Errorf("%w: the genesis admits pre-EIP-155 transactions (allowUnprotectedTxs %v, %d by hash), which the policy does not expect", ErrPolicy, gr.Unprotected, gr.Presigned)
	}
	return nil
}

// Text is the grants as an operator reads them.
func (gr *Grants) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "members (quorum %d, threshold %d basis points, voting period %d blocks, %s):\n", gr.Quorum, gr.Threshold, gr.VotingPeriod, map[bool]string{true: "permissioned", false: "open"}[gr.Permissioned])
	for _, m := range gr.Members {
		fmt.Fprintf(&b, "  %s: weight %d (%d.%02d%%), governors %v\n", m.Name, m.Weight, m.ShareBps/100, m.ShareBps%100, m.Governors)
	}
	for _, role := range []string{"admin", "regulator", "deployer", "transactor"} {
		fmt.Fprintf(&b, "%ss: %v\n", role, gr.Roles[role])
	}
	fmt.Fprintf(&b, "validators:\n")
	for _, v := range gr.Validators {
		fmt.Fprintf(&b, "  %s %s: power %d (%d.%02d%%)", v.Name, v.PubKey, v.Power, v.ShareBps/100, v.ShareBps%100)
		if v.Node != "" {
			fmt.Fprintf(&b, ", on node %s", v.Node)
		}
		if v.Member != "" {
			fmt.Fprintf(&b, ", run by member %s", v.Member)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "code beyond the standard contracts: %v\n", gr.Code)
	fmt.Fprintf(&b, "funded accounts (wei): %v\n", gr.Funded)
	fmt.Fprintf(&b, "pre-EIP-155 transactions: allowUnprotectedTxs %v, %d admitted by hash\n", gr.Unprotected, gr.Presigned)
	fmt.Fprintf(&b, "rule versions: %v\n", gr.Rules)
	return b.String()
}
