package client

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/govclient"
	"github.com/chuxin-chain/chuxin/internal/module/client"
	"github.com/chuxin-chain/chuxin/internal/nodepart"
	"github.com/chuxin-chain/chuxin/internal/system"
	ctypes "github.com/chuxin-chain/chuxin/x/consortium/types"
)

// clientFlags are the flags every governance command takes: the shared
// client's, with a governance client.
type clientFlags struct {
	client.Flags
}

func (f *clientFlags) add(cmd *cobra.Command) { f.Add(cmd) }

func (f *clientFlags) key() (*ecdsa.PrivateKey, error) { return f.Key() }

func (f *clientFlags) dial(ctx context.Context) (*govclient.Client, error) {
	c, err := f.Dial(ctx)
	if err != nil {
		return nil, err
	}
	return &govclient.Client{Client: c}, nil
}

// print writes v as JSON, or its text.
func (f *clientFlags) print(w io.Writer, v any, text string) error { return f.Print(w, v, text) }

// read runs a read-only query on a governance client and prints what it
// returns: v as JSON with --json, else text.
func (f *clientFlags) read(cmd *cobra.Command, query func(ctx context.Context, c *govclient.Client) (v any, text string, err error)) error {
	return f.Read(cmd, func(ctx context.Context, c *client.Client) (any, string, error) {
		return query(ctx, &govclient.Client{Client: c})
	})
}

// proposed is what gov propose did: the proposal, and the proposer's vote.
type proposed struct {
	Proposal *govclient.Outcome `json:"proposal"`
	Vote     *govclient.Outcome `json:"vote,omitempty"`
}

// validatorChange is a validator key whose power a proposal sets (0: it
// leaves).
type validatorChange struct {
	key   [32]byte
	power uint64
	name  string
}

// toleranceWarning says what a proposal that makes new keys validators
// costs the network's fault tolerance until their nodes run and have
// caught up: their power is down from the block the change applies.
// changes are the proposal's validator updates (power 0 removes a key).
// It is empty when no key is new.
func toleranceWarning(info *ctypes.ConsortiumInfo, changes []validatorChange) string {
	power := map[[32]byte]uint64{}
	for _, v := range info.Validators {
		power[v.PubKey] = v.Power
	}
	before := slices.Collect(maps.Values(power))
	newKeys := map[[32]byte]bool{}
	var down uint64
	var names []string
	for _, a := range changes {
		if _, in := power[a.key]; in || a.power == 0 || newKeys[a.key] {
			continue
		}
		newKeys[a.key] = true
		down += a.power
		name := a.name
		if name == "" {
			name = fmt.Sprintf("0x%x…", a.key[:4])
		}
		names = append(names, name)
	}
	if down == 0 {
		return ""
	}
	for _, a := range changes {
		if a.power == 0 {
			delete(power, a.key)
		} else {
			power[a.key] = a.power
		}
	}
	var up []uint64 // the validators whose nodes run, after the change
	var total uint64
	for k, p := range power {
		total += p
		if !newKeys[k] {
			up = append(up, p)
		}
	}
	nowPower, nowK := spareOf(sum(before), before, 0)
	head := fmt.Sprintf("WARNING: %s will be a validator before its node can have caught up (a node connects only once admitted). Until it runs and has caught up, its power of %d is down",
		strings.Join(names, ", "), down)
	if down > total-(total*2/3+1) {
		return fmt.Sprintf("%s, and the rest are not more than two thirds of the power: the chain halts from the block the change applies until its node has caught up (now %d power, %d validators, may be down). Start its node before the proposal passes, or admit the node first and make it a validator once it has caught up.",
			head, nowPower, nowK)
	}
	thenPower, thenK := spareOf(total, up, down)
	return fmt.Sprintf("%s: the network then tolerates %d more power down (%d validators), against %d (%d validators) now. Start its node as soon as the proposal passes; with %d more validators down the chain halts until it has caught up.",
		head, thenPower, thenK, nowPower, nowK, thenK+1)
}

func sum(ps []uint64) uint64 {
	var t uint64
	for _, p := range ps {
		t += p
	}
	return t
}

// spareOf is the power that may go down on top of alreadyDown in a set of
// total power while more than two thirds stays up, and how many of the
// candidates, the largest first, fit in it.
func spareOf(total uint64, candidates []uint64, alreadyDown uint64) (uint64, int) {
	if total == 0 {
		return 0, 0
	}
	spare := total - (total*2/3 + 1)
	if alreadyDown > spare {
		return 0, 0
	}
	spare -= alreadyDown
	sorted := slices.Sorted(slices.Values(candidates))
	k, left := 0, spare
	for i := len(sorted) - 1; i >= 0 && sorted[i] <= left; i-- {
		left -= sorted[i]
		k++
	}
	return spare, k
}

// checkJoin refuses a part that would change what the consortium has
// already: an admitted node, a member, a validator key, an account's
// roles. A join only adds; a change is a proposal of its own flags.
func checkJoin(ctx context.Context, c *govclient.Client, info *ctypes.ConsortiumInfo, part *nodepart.Part) error {
	for _, n := range info.Nodes {
		if strings.EqualFold(n.ID, part.NodeID) {
			return fmt.Errorf("--join: node %s is admitted already (as %q)", part.NodeID, n.Name)
		}
	}
	if m := part.Member; m != nil {
		for _, have := range info.Members {
			if have.Name == m.Name {
				return fmt.Errorf("--join: member %q exists already: a join would replace its weight and governors; change a member with --set-member", m.Name)
			}
		}
	}
	for _, v := range info.Validators {
		if len(part.ConsensusPubKey) == 32 && v.PubKey == common.Hash(part.ConsensusPubKey) {
			return fmt.Errorf("--join: consensus key 0x%x is a validator already", part.ConsensusPubKey)
		}
	}
	for _, r := range part.Roles {
		p, err := c.PermissionsOf(ctx, r.Account)
		if err != nil {
			return err
		}
		if p.Roles != "" && p.Roles != "none" {
			return fmt.Errorf("--join: account %s has roles already (%s): a join would replace them; change them with --set-roles", r.Account, p.Roles)
		}
	}
	return nil
}

// joinText says what a join proposal does, with the part's names quoted.
func joinText(part *nodepart.Part) string {
	var b strings.Builder
	fmt.Fprintf(&b, "join: admit node %s as %s", part.NodeID, strconv.Quote(part.Moniker))
	if m := part.Member; m != nil {
		fmt.Fprintf(&b, "; member %s, weight %d, governors %v", strconv.Quote(m.Name), m.Weight, m.Governors)
	}
	for _, r := range part.Roles {
		fmt.Fprintf(&b, "; roles %v for %s", r.Roles, r.Account)
	}
	if part.Power > 0 {
		fmt.Fprintf(&b, "; validator 0x%x with power %d, its fees to %s", part.ConsensusPubKey, part.Power, part.FeeRecipient)
	}
	return b.String() + "\n"
}

// propose sends a proposal and, with vote, the proposing member's yes vote.
// proposal is what gov propose was asked for: actions, and the joins and
// rotations whose actions are made against the chain as it stands.
type proposal struct {
	actions []system.Action
	joins   []*nodepart.Part
	rotate  []rotation
	changes []validatorChange // the validator changes, for the tolerance warning
	v6      []string          // the flags given whose actions rule version 6 brings
}

// ErrNeedsVersion6: a proposal's flag asks for an action that rule version
// 6 brings, on a chain before it.
var ErrNeedsVersion6 = errors.New("the consortium takes this action from rule version 6")

// listsFirst orders actions for the contract, which applies them in
// order: the admissions of nodes and listings of governed contracts
// first, then the rest, then the members named for nodes, then the
// revocations, each group as given, so that a validator names a node
// admitted before it, a call goes to a contract listed before it, a node's
// member exists before it is named, and a node is revoked after the
// validator that signed on it has left.
func listsFirst(actions []system.Action) []system.Action {
	phase := func(a system.Action) int {
		var listed bool
		var err error
		switch a.Kind {
		case system.KindSetNode:
			_, listed, _, err = system.DecodeSetNode(a.Data)
		case system.KindSetGoverned:
			_, listed, _, err = system.DecodeSetGoverned(a.Data)
		case system.KindSetNodeMember:
			return 2 // after the members a join or --set-member makes
		default:
			return 1
		}
		if err == nil && !listed {
			return 3
		}
		return 0
	}
	slices.SortStableFunc(actions, func(a, b system.Action) int { return cmp.Compare(phase(a), phase(b)) })
	return actions
}

// nodesComingWarning warns, on a chain before rule version 6, when version
// 6 is scheduled: a validator that a proposal adds without its node is
// refused from its height, so the proposal fails if it passes there or
// later.
func nodesComingWarning(info *ctypes.ConsortiumInfo) string {
	for _, u := range info.Upgrades {
		if u.Version >= system.VersionValidatorNodes {
			return fmt.Sprintf("warning: rule version %d applies from block %d, from which a validator is added only with its node: this proposal, made for version %d, fails if it passes at or after that block (then propose again)",
				u.Version, u.Height, info.RuleVersion)
		}
	}
	return ""
}

// rotation is a --rotate-validator: the old key, the new, and the node
// that signs with them if the command named it.
type rotation struct {
	old, next system.ValidatorUpdate
	node      *system.NodeID
}

func (f *clientFlags) propose(cmd *cobra.Command, p proposal, description string, vote bool) error {
	ctx, cancel := context.WithTimeout(cmd.Context(), 4*time.Minute)
	defer cancel()
	c, err := f.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	actions := p.actions
	var info *ctypes.ConsortiumInfo
	if len(p.joins) > 0 || len(p.changes) > 0 || len(p.rotate) > 0 || len(p.v6) > 0 {
		if info, err = c.Consortium(ctx); err != nil {
			return fmt.Errorf("reading the consortium, to check the proposal against it: %w", err)
		}
	}
	// From rule version 6 the consortium keeps each validator's node, and
	// a validator change that adds a key names it.
	binds := info != nil && info.RuleVersion >= system.VersionValidatorNodes
	if len(p.v6) > 0 && !binds {
		return fmt.Errorf("%s: %w: this chain runs rule version %d (schedule version %d first)", strings.Join(p.v6, ", "), ErrNeedsVersion6, info.RuleVersion, system.VersionValidatorNodes)
	}
	if info != nil && !binds {
		if w := nodesComingWarning(info); w != "" {
			fmt.Fprintln(cmd.ErrOrStderr(), w)
		}
	}
	for _, r := range p.rotate {
		as, note, err := rotationActions(ctx, c, info, r, binds)
		if err != nil {
			return err
		}
		actions = append(as, actions...)
		fmt.Fprint(cmd.ErrOrStderr(), note)
	}
	for _, part := range p.joins {
		if err := checkJoin(ctx, c, info, part); err != nil {
			return err
		}
		as, _ := nodepart.JoinActions(part, binds)
		actions = append(actions, as...)
		fmt.Fprint(cmd.ErrOrStderr(), joinText(part))
	}
	if len(p.changes) > 0 {
		if w := toleranceWarning(info, p.changes); w != "" {
			fmt.Fprintln(cmd.ErrOrStderr(), w)
		}
	}
	out := proposed{}
	if out.Proposal, err = c.Send(ctx, "propose", listsFirst(actions), description); err != nil {
		return err
	}
	text := out.Proposal.Text()
	var id *big.Int
	for _, e := range out.Proposal.Events {
		if e.Name == "Proposed" {
			id, _ = e.Fields["id"].(*big.Int)
		}
	}
	if vote && id != nil {
		if out.Vote, err = c.Send(ctx, "vote", id, true); err != nil {
			_ = f.print(cmd.OutOrStdout(), out, text)
			return fmt.Errorf("proposal %v was created, but the proposer's vote failed (vote with chuxin gov vote %v yes): %w", id, id, err)
		}
		text += out.Vote.Text()
	}
	return f.print(cmd.OutOrStdout(), out, text)
}

// warnBeforeVote prints, before a yes vote, what the proposal's new
// validators cost the network's fault tolerance until their nodes have
// caught up (toleranceWarning). Reading failures only skip the warning.
func (f *clientFlags) warnBeforeVote(cmd *cobra.Command, id uint64) {
	ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Second)
	defer cancel()
	c, err := f.dial(ctx)
	if err != nil {
		return
	}
	defer c.Close()
	p, err := c.Proposal(ctx, id)
	if err != nil || len(p.Validators) == 0 {
		return
	}
	info, err := c.Consortium(ctx)
	if err != nil {
		return
	}
	changes := voteChanges(info, p.Validators)
	if w := toleranceWarning(info, changes); w != "" {
		fmt.Fprintln(cmd.ErrOrStderr(), w)
	}
}

// voteChanges are the validator changes of a proposal's actions that cost
// the network's fault tolerance until their nodes run: a rotation, one
// validator's power moved whole to a new key on the same node (chuxin
// rotate-key), is none, as that node is not down; one that names another
// node moves to a machine that may not run yet.
func voteChanges(info *ctypes.ConsortiumInfo, actions [][]system.NodeValidator) []validatorChange {
	power, node := map[[32]byte]uint64{}, map[[32]byte]string{}
	for _, v := range info.Validators {
		power[v.PubKey], node[v.PubKey] = v.Power, v.Node
	}
	var changes []validatorChange
	for _, us := range actions {
		sameNode := len(us) == 2 && (us[1].Node == (system.NodeID{}) || us[1].Node.String() == node[us[0].PubKey])
		if sameNode && us[0].Power == 0 && us[1].Power > 0 && power[us[0].PubKey] == us[1].Power && power[us[1].PubKey] == 0 {
			continue
		}
		for _, u := range us {
			changes = append(changes, validatorChange{key: u.PubKey, power: u.Power})
		}
	}
	return changes
}

func (f *clientFlags) send(cmd *cobra.Command, method string, args ...any) error {
	ctx, cancel := context.WithTimeout(cmd.Context(), 2*time.Minute)
	defer cancel()
	c, err := f.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	out, err := c.Send(ctx, method, args...)
	if err != nil {
		return err
	}
	return f.print(cmd.OutOrStdout(), out, out.Text())
}

// Commands are the consortium's commands: chuxin gov, roles, freeze,
// unfreeze and audit.
func Commands() []*cobra.Command {
	return append([]*cobra.Command{govCmd(), rolesCmd(), auditCmd()}, freezeCmds()...)
}

func govCmd() *cobra.Command {
	var f clientFlags
	cmd := &cobra.Command{
		Use:   "gov",
		Short: "Propose, vote on and read the consortium's proposals",
		Long: `The consortium's members decide by proposals who validates, who is a member,
which accounts have roles and the network's parameters. A governor of a member
proposes and votes for it; a proposal passes, and applies, in the block of the
vote that makes it certain (approval of at least the threshold of all weight,
with the quorum taking part), or when its voting period ends with the quorum
taking part and approval of at least the threshold of the weight that voted.`,
	}
	f.add(cmd)
	cmd.AddCommand(proposeCmd(&f), voteCmd(&f), showCmd(&f), listCmd(&f), membersCmd(&f))
	return cmd
}

func proposeCmd(f *clientFlags) *cobra.Command {
	var (
		description                                 string
		addVals, removeVals, members, removeMembers []string
		roles, params, admit, revoke, upgrades      []string
		govern, ungovern, calls, nodeMembers        []string
		recipients, freezeAccts, unfreezeAccts      []string
		joins, rotations                            []string
		noVote                                      bool
	)
	var changes []validatorChange
	cmd := &cobra.Command{
		Use:   "propose",
		Short: "Propose changes; each flag adds an action, all apply together or none",
		Long: `propose creates a proposal of one or more actions, which apply together or not
at all, and then casts the proposing member's yes vote (a second transaction;
--no-vote leaves it out). The proposal passes in the block of the vote that
makes approval certain, or at the end of its voting period (see chuxin gov).`,
		Example: `  chuxin gov propose --dev-account 0 --description "node4 validates" --admit-node 7c1e…:node4 --set-validator 0x3f…:10:7c1e…
  chuxin gov propose --key gov.key --description "retire node2" --remove-validator 0x9a…
  chuxin gov propose --key gov.key --description "welcome Hangzhou" --set-member Hangzhou:1:0xAb…
  chuxin gov propose --key gov.key --description "permissioned" --set-param permissioned=1
  chuxin gov propose --keystore gov.json --description "Hangzhou joins" --join ./hz-part.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var actions []system.Action
			var vals []system.ValidatorUpdate
			var rotate []rotation
			for _, r := range rotations {
				fields := strings.Split(r, ":")
				if len(fields) < 2 || len(fields) > 3 {
					return errRotateFormat
				}
				old, err1 := validatorKey(fields[0])
				next, err2 := validatorKey(fields[1])
				if err1 != nil || err2 != nil {
					return errRotateFormat
				}
				rot := rotation{old: old, next: next}
				if len(fields) == 3 {
					id, err := system.ParseNodeID(fields[2])
					if err != nil {
						return fmt.Errorf("--rotate-validator %q: %w", r, err)
					}
					rot.node = &id
				}
				rotate = append(rotate, rot)
			}
			var parts []*nodepart.Part
			for _, j := range joins {
				part, err := nodepart.Read(j)
				if err != nil {
					return fmt.Errorf("--join: %w", err)
				}
				if _, err := nodepart.JoinActions(part, true); err != nil {
					return fmt.Errorf("--join %s: %w", j, err)
				}
				for _, other := range parts {
					if other.NodeID == part.NodeID || bytes.Equal(other.ConsensusPubKey, part.ConsensusPubKey) ||
						(other.Member != nil && part.Member != nil && other.Member.Name == part.Member.Name) {
						return fmt.Errorf("--join %s: it names the node, key or member another --join names", j)
					}
				}
				for _, a := range admit {
					if id, _, _ := strings.Cut(a, ":"); strings.EqualFold(id, part.NodeID) {
						return fmt.Errorf("--join %s: --admit-node names its node too", j)
					}
				}
				for _, m := range members {
					if name, _, _ := strings.Cut(m, ":"); part.Member != nil && name == part.Member.Name {
						return fmt.Errorf("--join %s: --set-member names its member too", j)
					}
				}
				parts = append(parts, part)
				if part.Power > 0 {
					changes = append(changes, validatorChange{key: [32]byte(part.ConsensusPubKey), power: uint64(part.Power), name: part.Moniker})
				}
			}
			var nodeVals []system.NodeValidator
			for _, v := range addVals {
				fields := strings.Split(v, ":")
				if len(fields) != 2 && len(fields) != 3 {
					return fmt.Errorf("--set-validator %q: want KEY:POWER[:NODE_ID]", v)
				}
				p, err := strconv.ParseUint(fields[1], 10, 63)
				if err != nil {
					return fmt.Errorf("--set-validator %q: want KEY:POWER[:NODE_ID], POWER a whole number", v)
				}
				u, err := validatorKey(fields[0])
				if err != nil {
					return err
				}
				u.Power = p
				changes = append(changes, validatorChange{key: u.PubKey, power: p})
				if len(fields) == 2 {
					vals = append(vals, u)
					continue
				}
				id, err := system.ParseNodeID(fields[2])
				if err != nil {
					return fmt.Errorf("--set-validator %q: %w", v, err)
				}
				nodeVals = append(nodeVals, system.NodeValidator{PubKey: u.PubKey, Power: p, Node: id})
			}
			for _, key := range removeVals {
				u, err := validatorKey(key)
				if err != nil {
					return err
				}
				vals = append(vals, u)
				changes = append(changes, validatorChange{key: u.PubKey})
			}
			for _, a := range admit {
				idText, name, _ := strings.Cut(a, ":")
				id, err := system.ParseNodeID(idText)
				if err != nil {
					return fmt.Errorf("--admit-node: %w", err)
				}
				actions = append(actions, system.SetNode(id, true, name))
			}
			if len(vals) > 0 {
				actions = append(actions, system.SetValidators(vals...))
			}
			if len(nodeVals) > 0 {
				actions = append(actions, system.SetNodeValidators(nodeVals...))
			}
			for _, m := range members {
				parts := strings.SplitN(m, ":", 3)
				if len(parts) != 3 {
					return fmt.Errorf("--set-member %q: want NAME:WEIGHT:GOVERNOR[,GOVERNOR…]", m)
				}
				w, err := strconv.ParseUint(parts[1], 10, 64)
				if err != nil || w == 0 {
					return fmt.Errorf("--set-member %q: the weight is a positive number (remove a member with --remove-member)", m)
				}
				govs, err := addresses(parts[2])
				if err != nil {
					return fmt.Errorf("--set-member %q: %w", m, err)
				}
				actions = append(actions, system.SetMember(parts[0], w, govs))
			}
			for _, m := range removeMembers {
				actions = append(actions, system.SetMember(m, 0, []common.Address{}))
			}
			for _, nm := range nodeMembers {
				idText, member, ok := strings.Cut(nm, ":")
				id, err := system.ParseNodeID(idText)
				if err != nil || !ok {
					return fmt.Errorf("--set-node-member %q: want NODE_ID:MEMBER (an empty MEMBER names none)", nm)
				}
				actions = append(actions, system.SetNodeMember(id, member))
			}
			for _, r := range roles {
				addr, names, _ := strings.Cut(r, ":")
				as, err := addresses(addr)
				if err != nil || len(as) != 1 {
					return fmt.Errorf("--set-roles %q: want ADDRESS:ROLE[,ROLE…]", r)
				}
				role := system.Role(0)
				if names != "" && names != "none" {
					if role, err = system.ParseRoles(names); err != nil {
						return fmt.Errorf("--set-roles %q: %w", r, err)
					}
				}
				actions = append(actions, system.SetRoles(as[0], role))
			}
			for _, p := range params {
				name, value, _ := strings.Cut(p, "=")
				v, err := strconv.ParseUint(value, 10, 64)
				id, known := map[string]uint8{"quorum": system.ParamQuorum, "threshold": system.ParamThreshold,
					"voting-period": system.ParamVotingPeriod, "permissioned": system.ParamPermissioned,
					"gas-limit": system.ParamGasLimit, "base-fee": system.ParamBaseFee}[name]
				if err != nil || !known {
					return fmt.Errorf("--set-param %q: want quorum|threshold|voting-period|permissioned|gas-limit|base-fee=NUMBER", p)
				}
				actions = append(actions, system.SetParam(id, v))
			}
			for _, g := range govern {
				addr, name, _ := strings.Cut(g, ":")
				as, err := addresses(addr)
				if err != nil || len(as) != 1 || name == "" {
					return fmt.Errorf("--govern %q: want ADDRESS:NAME", g)
				}
				actions = append(actions, system.SetGoverned(as[0], true, name))
			}
			for _, c := range calls {
				target, data, err := callData(c)
				if err != nil {
					return fmt.Errorf("--call %q: %w", c, err)
				}
				actions = append(actions, system.Call(target, data))
			}
			for _, g := range ungovern {
				as, err := addresses(g)
				if err != nil || len(as) != 1 {
					return fmt.Errorf("--ungovern %q: want an ADDRESS", g)
				}
				actions = append(actions, system.SetGoverned(as[0], false, ""))
			}
			for _, r := range revoke {
				id, err := system.ParseNodeID(r)
				if err != nil {
					return fmt.Errorf("--revoke-node: %w", err)
				}
				actions = append(actions, system.SetNode(id, false, ""))
			}
			for _, u := range upgrades {
				v, h, ok := strings.Cut(u, ":")
				version, err1 := strconv.ParseUint(v, 10, 64)
				height, err2 := strconv.ParseUint(h, 10, 64)
				if !ok || err1 != nil || err2 != nil {
					return fmt.Errorf("--schedule-upgrade %q: want VERSION:HEIGHT", u)
				}
				actions = append(actions, system.ScheduleUpgrade(version, height))
			}
			for _, r := range recipients {
				key, addr, _ := strings.Cut(r, ":")
				u, err := validatorKey(key)
				if err != nil {
					return fmt.Errorf("--set-fee-recipient: %w", err)
				}
				as, err := addresses(addr)
				if err != nil {
					return fmt.Errorf("--set-fee-recipient %q: want KEY:ADDRESS: %w", r, err)
				}
				actions = append(actions, system.SetFeeRecipient(u.PubKey, as[0]))
			}
			for _, fz := range []struct {
				flag  string
				addrs []string
				on    bool
			}{{"--freeze", freezeAccts, true}, {"--unfreeze", unfreezeAccts, false}} {
				for _, a := range fz.addrs {
					as, err := addresses(a)
					if err != nil || len(as) != 1 {
						return fmt.Errorf("%s %q: want an ADDRESS", fz.flag, a)
					}
					actions = append(actions, system.SetFrozen(as[0], fz.on))
				}
			}
			if len(actions) == 0 && len(rotate) == 0 && len(parts) == 0 {
				return fmt.Errorf("nothing to propose: add --join, --rotate-validator, --set-validator, --remove-validator, --set-fee-recipient, --set-member, --remove-member, --set-roles, --set-param, --admit-node, --revoke-node, --schedule-upgrade, --freeze, --unfreeze, --govern, --ungovern, --call or --set-node-member")
			}
			if description == "" {
				return fmt.Errorf("--description is needed: say why, for the other members and the audit trail")
			}
			var v6 []string
			for flag, given := range map[string]bool{"--govern": len(govern) > 0, "--ungovern": len(ungovern) > 0, "--call": len(calls) > 0, "--set-node-member": len(nodeMembers) > 0,
				"--set-validator KEY:POWER:NODE_ID (leave :NODE_ID out)": len(nodeVals) > 0} {
				if given {
					v6 = append(v6, flag)
				}
			}
			slices.Sort(v6)
			return f.propose(cmd, proposal{actions: actions, joins: parts, rotate: rotate, changes: changes, v6: v6}, description, !noVote)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&noVote, "no-vote", false, "only propose: do not cast the proposing member's yes vote")
	fl.StringArrayVar(&rotations, "rotate-validator", nil, "OLD_KEY:NEW_KEY[:NODE_ID]: hand a validator's power, fee recipient and node to its new consensus key (chuxin rotate-key makes it and prints this); the node moves to the new key by itself. NODE_ID is needed only when the consortium has no node on record for the old key")
	fl.StringArrayVar(&joins, "join", nil, "PART.json: let in a node made after genesis (chuxin init, chuxin join): admit it, make its member a member, grant the roles it asks, and make a validator its key with its power and fee recipient")
	fl.StringVar(&description, "description", "", "what the proposal does and why")
	fl.StringArrayVar(&addVals, "set-validator", nil, "KEY:POWER[:NODE_ID]: add a validator or change its power (KEY: its consensus public key, hex or base64). A new validator names the admitted node that signs with it (NODE_ID, chuxin init prints it); a power change need not")
	fl.StringArrayVar(&removeVals, "remove-validator", nil, "KEY: remove a validator")
	fl.StringArrayVar(&recipients, "set-fee-recipient", nil, "KEY:ADDRESS: the account that receives the fees of the blocks a validator proposes")
	fl.StringArrayVar(&members, "set-member", nil, "NAME:WEIGHT:GOVERNOR[,GOVERNOR…]: add a member or change it")
	fl.StringArrayVar(&removeMembers, "remove-member", nil, "NAME: remove a member")
	fl.StringArrayVar(&roles, "set-roles", nil, "ADDRESS:ROLE[,ROLE…]: replace an account's roles (admin, deployer, transactor, regulator, or none)")
	fl.StringArrayVar(&nodeMembers, "set-node-member", nil, "NODE_ID:MEMBER: record the member that runs an admitted node (and so answers for the validator that signs on it)")
	fl.StringArrayVar(&admit, "admit-node", nil, "NODE_ID[:NAME]: admit a node, so that the network's nodes take its connections")
	fl.StringArrayVar(&govern, "govern", nil, "ADDRESS:NAME: put a contract on the list of those a proposal may call (--call), under a name")
	fl.StringArrayVar(&ungovern, "ungovern", nil, "ADDRESS: take a contract off the governed list")
	fl.StringArrayVar(&calls, "call", nil, "ADDRESS:FUNCTION(TYPES)[:ARG,ARG…] or ADDRESS:0xCALLDATA: call a governed contract as the consortium, e.g. to grant an application's own role: --call '0xAb…:setIssuer(address,bool):0xCd…,true'")
	fl.StringArrayVar(&revoke, "revoke-node", nil, "NODE_ID: revoke a node's admission; its connections are closed")
	fl.StringArrayVar(&freezeAccts, "freeze", nil, "ADDRESS: freeze an account or contract by the consortium's decision (the only way to freeze a governor)")
	fl.StringArrayVar(&unfreezeAccts, "unfreeze", nil, "ADDRESS: unfreeze an account or contract, whoever froze it")
	fl.StringArrayVar(&upgrades, "schedule-upgrade", nil, "VERSION:HEIGHT: rule version VERSION applies from HEIGHT on; nodes whose binary does not know it stop before HEIGHT, so upgrade them first")
	fl.StringArrayVar(&params, "set-param", nil, "NAME=VALUE: quorum and threshold (basis points), voting-period (blocks), permissioned (0 or 1), gas-limit (the block gas limit), base-fee (wei per gas); from the block after it passes")
	return cmd
}

// validatorKey reads a consensus public key in hex (0x…) or base64.
func validatorKey(s string) (system.ValidatorUpdate, error) {
	var u system.ValidatorUpdate
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil || len(b) != 32 {
		b, err = base64.StdEncoding.DecodeString(s)
	}
	if err != nil || len(b) != 32 {
		return u, fmt.Errorf("validator key %q: want an ed25519 public key, 32 bytes in hex or base64 (chuxin identity --home shows a node's)", s)
	}
	copy(u.PubKey[:], b)
	return u, nil
}

// addresses reads a comma-separated list of addresses.
func addresses(s string) ([]common.Address, error) { return client.ParseAddresses(s) }

func voteCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "vote ID yes|no",
		Short: "Vote for or against a proposal, for the member the key governs",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("proposal id %q: a number", args[0])
			}
			support := map[string]bool{"yes": true, "no": false}
			s, ok := support[strings.ToLower(args[1])]
			if !ok {
				return fmt.Errorf("vote %q: yes or no", args[1])
			}
			if s {
				f.warnBeforeVote(cmd, id)
			}
			return f.send(cmd, "vote", bigU(id), s)
		},
	}
}

func showCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show a proposal: its actions, votes and outcome",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("proposal id %q: a number", args[0])
			}
			return f.read(cmd, func(ctx context.Context, c *govclient.Client) (any, string, error) {
				p, err := c.Proposal(ctx, id)
				if err != nil {
					return nil, "", err
				}
				return p, p.Text(), nil
			})
		},
	}
}

func listCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the proposals, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return f.read(cmd, func(ctx context.Context, c *govclient.Client) (any, string, error) {
				ps, err := c.Proposals(ctx)
				if err != nil {
					return nil, "", err
				}
				var b strings.Builder
				for _, p := range ps {
					b.WriteString(p.Text())
				}
				if len(ps) == 0 {
					b.WriteString("no proposals yet\n")
				}
				return ps, b.String(), nil
			})
		},
	}
}

func membersCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "members",
		Short: "Show the members with their weights and governors, the validators and the admitted nodes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return f.read(cmd, func(ctx context.Context, c *govclient.Client) (any, string, error) {
				return membersText(ctx, c)
			})
		},
	}
}

// membersText reads the members, validators and admitted nodes.
func membersText(ctx context.Context, c *govclient.Client) (any, string, error) {
	info, err := c.Consortium(ctx)
	if err != nil {
		return nil, "", err
	}
	return info, consortiumText(info), nil
}

func rolesCmd() *cobra.Command {
	var f clientFlags
	cmd := &cobra.Command{
		Use:   "roles",
		Short: "Grant, revoke and show account roles (admin, deployer, transactor, regulator)",
		Long: `Roles: admin grants and revokes roles; deployer may create contracts and
transactor may send transactions in a permissioned network; regulator freezes
and unfreezes accounts. An admin's key grants and revokes; anyone may show.`,
	}
	f.add(cmd)
	change := func(use, method, short string) *cobra.Command {
		return &cobra.Command{
			Use: use + " ADDRESS ROLE[,ROLE…]", Short: short, Args: cobra.ExactArgs(2),
			RunE: func(cmd *cobra.Command, args []string) error {
				as, err := addresses(args[0])
				if err != nil {
					return err
				}
				r, err := system.ParseRoles(args[1])
				if err != nil {
					return err
				}
				return f.send(cmd, method, as[0], bigU(uint64(r)))
			},
		}
	}
	show := &cobra.Command{
		Use: "show ADDRESS", Short: "Show an account's roles, freeze and membership", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			as, err := addresses(args[0])
			if err != nil {
				return err
			}
			return f.read(cmd, func(ctx context.Context, c *govclient.Client) (any, string, error) {
				p, err := c.PermissionsOf(ctx, as[0])
				if err != nil {
					return nil, "", err
				}
				return p, p.Text(), nil
			})
		},
	}
	cmd.AddCommand(change("grant", "grantRoles", "Grant roles to an account (an admin's key)"),
		change("revoke", "revokeRoles", "Revoke roles from an account (an admin's key)"), show)
	return cmd
}

func freezeCmds() []*cobra.Command {
	var ff, uf clientFlags
	var reason string
	freeze := &cobra.Command{
		Use:   "freeze ADDRESS",
		Short: "Freeze an account or contract (a regulator's key)",
		Long: `A frozen account can send nothing and no transaction or call can send it value;
a transaction to a frozen contract is refused and a call into it from another
contract reverts with the reason. (SELFDESTRUCT still credits a frozen
beneficiary: the EVM offers no hook there.)`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			as, err := addresses(args[0])
			if err != nil {
				return err
			}
			if reason == "" {
				return fmt.Errorf("--reason is needed: it goes into the audit trail")
			}
			return ff.send(cmd, "freeze", as[0], reason)
		},
	}
	ff.add(freeze)
	freeze.Flags().StringVar(&reason, "reason", "", "why (a case number, an order)")
	unfreeze := &cobra.Command{
		Use: "unfreeze ADDRESS", Short: "Unfreeze an account or contract (a regulator's key)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			as, err := addresses(args[0])
			if err != nil {
				return err
			}
			return uf.send(cmd, "unfreeze", as[0])
		},
	}
	uf.add(unfreeze)
	return []*cobra.Command{freeze, unfreeze}
}

func bigU(v uint64) *big.Int { return new(big.Int).SetUint64(v) }
