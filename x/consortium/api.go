package consortium

import (
	"context"
	"fmt"
	"maps"
	"math/big"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/internal/system"
	ctypes "github.com/chuxin-chain/chuxin/x/consortium/types"
)

// API serves chuxin_audit and chuxin_consortium, in the chuxin namespace
// where they were before modules.
type API struct{ chain module.Chain }

// NewAPI is the API over a chain.
func NewAPI(chain module.Chain) *API { return &API{chain: chain} }

// maxAuditPage bounds the entries of one page.
const maxAuditPage = 1000

// Audit returns the audit trail of the consortium: every event of the
// Consortium contract in the range, with the transaction and its sender,
// and what the node decided by system calls (proposals settled at the end
// of their voting period, evidence), filtered and paginated.
func (api *API) Audit(ctx context.Context, q ctypes.AuditQuery) (*ctypes.AuditPage, error) {
	head, err := api.chain.Head()
	if err != nil {
		return nil, err
	}
	// One query scans at most as many blocks as one eth_getLogs
	// (rpc.max_log_block_range); without fromBlock, the last that many.
	span := max(api.chain.MaxLogRange(), 1)
	to := head.Number.Uint64()
	if q.ToBlock != nil {
		to = min(uint64(*q.ToBlock), to)
	}
	from := uint64(0)
	if to >= span {
		from = to - span + 1
	}
	if q.FromBlock != nil {
		from = uint64(*q.FromBlock)
	}
	if to >= from && to-from+1 > span {
		return nil, module.LimitExceeded("block range %d-%d spans more than %d blocks (rpc.max_log_block_range): query smaller ranges", from, to, span)
	}
	if q.PageSize == 0 {
		q.PageSize = 100
	}
	if q.PageSize < 1 || q.PageSize > maxAuditPage || q.Page < 0 {
		return nil, module.InvalidParams("pageSize is 1 to %d and page at least 0", maxAuditPage)
	}
	src := api.sources()
	if kinds := src.kinds(); q.Kind != "" && !slices.Contains(kinds, q.Kind) {
		return nil, module.InvalidParams("kind %q: one of %s", q.Kind, strings.Join(kinds, ", "))
	}
	var all []ranked
	if from <= to {
		if all, err = api.auditLogs(ctx, src, from, to); err != nil {
			return nil, err
		}
		system, err := api.auditSystem(ctx, src, from, to)
		if err != nil {
			return nil, err
		}
		all = append(all, system...)
	}
	sortRanked(all)
	var kept []ctypes.AuditEntry
	for _, e := range all {
		if (q.Kind == "" || e.Kind == q.Kind) && (q.Account == nil || concerns(&e.AuditEntry, *q.Account)) {
			kept = append(kept, e.AuditEntry)
		}
	}
	page := &ctypes.AuditPage{FromBlock: hexutil.Uint64(from), ToBlock: hexutil.Uint64(to), Total: len(kept), Page: q.Page, PageSize: q.PageSize, Entries: []ctypes.AuditEntry{}}
	if start := q.Page * q.PageSize; start < len(kept) {
		page.Entries = kept[start:min(start+q.PageSize, len(kept))]
	}
	return page, nil
}

// consortiumKinds are the kinds of the consortium's own entries.
var consortiumKinds = []string{"proposal", "vote", "member", "validator", "role", "freeze", "node", "param", "contract"}

// auditSources are the contracts whose logs the trail tells: the
// Consortium contract, and each module's that implements module.Audit.
type auditSources map[common.Address]module.Audit

// sources are the chain's audited contracts besides the Consortium.
func (api *API) sources() auditSources {
	src := auditSources{}
	for _, m := range api.chain.Modules() {
		if a, ok := m.(module.Audit); ok && m.Name() != (Module{}).Name() { // the consortium's are told apart
			for _, addr := range a.AuditAddresses() {
				src[addr] = a
			}
		}
	}
	return src
}

// addresses are the Consortium's and the modules' audited contracts, in
// order.
func (src auditSources) addresses() []common.Address {
	return append([]common.Address{system.ConsortiumAddress}, slices.SortedFunc(maps.Keys(src), common.Address.Cmp)...)
}

// kinds are the kinds an entry may have: the consortium's and the
// modules'.
func (src auditSources) kinds() []string {
	kinds := slices.Clone(consortiumKinds)
	for _, a := range src {
		for _, k := range a.AuditKinds() {
			if !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
	}
	slices.Sort(kinds[len(consortiumKinds):])
	return kinds
}

// tell is the entry of a log of an audited contract, without its block,
// time, transaction and actor.
func (src auditSources) tell(l *types.Log) (ctypes.AuditEntry, bool) {
	var a module.Audit = Module{}
	if l.Address != system.ConsortiumAddress {
		if a = src[l.Address]; a == nil {
			return ctypes.AuditEntry{}, false
		}
	}
	e, ok := a.AuditLog(l)
	if !ok {
		return ctypes.AuditEntry{}, false
	}
	return ctypes.AuditEntry{Kind: e.Kind, Event: e.Event, Text: e.Text, Fields: e.Fields}, true
}

// concerns reports whether the entry was made by account or names it.
func concerns(e *ctypes.AuditEntry, account common.Address) bool {
	if strings.EqualFold(e.Actor, account.Hex()) {
		return true
	}
	for _, v := range e.Fields {
		switch v := v.(type) {
		case common.Address:
			if v == account {
				return true
			}
		case []common.Address:
			if slices.Contains(v, account) {
				return true
			}
		}
	}
	return false
}

// ranked is an audit entry with its place in its block: 0 before the
// transactions, 1 a transaction's, 2 after them.
type ranked struct {
	ctypes.AuditEntry
	rank int
}

// sortRanked orders entries by block and, in a block, what the node did
// before the transactions (evidence), the transactions, what it did after
// them (settlement); otherwise as they came.
func sortRanked(all []ranked) {
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Block != all[j].Block {
			return all[i].Block < all[j].Block
		}
		return all[i].rank < all[j].rank
	})
}

// auditLogs decodes the logs of from..to that transactions made the
// Consortium contract and the other modules' audited contracts emit.
func (api *API) auditLogs(ctx context.Context, src auditSources, from, to uint64) ([]ranked, error) {
	var out []ranked
	senders := map[common.Hash]string{}
	err := api.chain.EachLogs(ctx, from, to, src.addresses(), func(h *types.Header, logs []*types.Log) error {
		for _, l := range logs {
			e, ok := src.tell(l)
			if !ok {
				continue
			}
			actor, seen := senders[l.TxHash]
			if !seen {
				actor = "unknown"
				if from, err := api.chain.Sender(l.TxHash); err == nil {
					actor = from.Hex()
				}
				senders[l.TxHash] = actor
			}
			tx := l.TxHash
			e.Block, e.Time, e.Tx, e.Actor = hexutil.Uint64(h.Number.Uint64()), hexutil.Uint64(h.Time), &tx, actor
			out = append(out, ranked{e, 1})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// auditSystem adds what the node did by system calls, whose events are in
// no receipt: proposals decided when their voting period ended (each
// followed by what its actions changed), and evidence of misbehaviour. It
// reads the Consortium's system logs of the blocks that have some; for
// blocks that a binary keeping no system logs made
// (store.Store.SystemLogsFrom), it falls back to the contract's state
// (auditState), which tells the decisions but not what they changed.
func (api *API) auditSystem(ctx context.Context, src auditSources, from, to uint64) ([]ranked, error) {
	logsFrom, err := api.chain.SystemLogsFrom()
	if err != nil {
		return nil, err
	}
	var out []ranked
	if from < logsFrom {
		if out, err = api.auditState(ctx, from, min(to, logsFrom-1)); err != nil {
			return nil, err
		}
	}
	err = api.chain.EachSystemLogs(ctx, max(from, logsFrom), to, src.addresses(), func(h *types.Header, logs execution.SystemLogs) error {
		n := h.Number.Uint64()
		// A settlement applies a passed proposal's actions before its
		// Passed event: what they changed is told after the decision.
		var changes []ranked
		for i := 0; i < len(logs); i++ {
			l := &logs[i]
			if i > 0 && logs[i-1].Call != l.Call {
				out, changes = append(out, changes...), nil
			}
			rank := 2
			if l.Phase != execution.PhasePostBlock {
				rank = 0
			}
			e, ok := src.tell(&types.Log{Address: l.Address, Topics: l.Topics, Data: l.Data})
			if !ok {
				continue
			}
			e.Block, e.Time, e.Actor = hexutil.Uint64(n), hexutil.Uint64(h.Time), "consensus"
			if l.Address != system.ConsortiumAddress {
				changes = append(changes, ranked{e, rank}) // a module's: told in its place
				continue
			}
			ev := system.Event{Name: e.Event, Fields: e.Fields, Text: e.Text}
			switch ev.Name {
			case "Passed", "Rejected", "Expired", "Failed":
				if e, err = api.settled(ctx, n, h.Time, ev); err != nil {
					return err
				}
				out, changes = append(append(out, ranked{e, rank}), changes...), nil
			case "Misbehaved":
				// Its power went to zero if the same call removed it next:
				// the removal is the evidence's, told with it.
				removed := false
				if i+1 < len(logs) && logs[i+1].Call == l.Call {
					next, ok := system.DecodeEvent(&types.Log{Address: logs[i+1].Address, Topics: logs[i+1].Topics, Data: logs[i+1].Data})
					removed = ok && next.Name == "ValidatorChanged" && next.Fields["pubKey"] == ev.Fields["pubKey"] && next.Fields["power"] == uint64(0)
				}
				if removed {
					i++
				}
				key, _ := ev.Fields["pubKey"].(common.Hash)
				height, _ := ev.Fields["height"].(uint64)
				kind, _ := ev.Fields["kind"].(uint8)
				powerBefore, _ := ev.Fields["powerBefore"].(uint64)
				out = append(out, ranked{evidenceEntry(evidenceView{pubKey: key, height: height, block: n, kind: kind, powerBefore: powerBefore, removed: removed}, hexutil.Uint64(h.Time)), rank})
			default:
				changes = append(changes, ranked{e, rank})
			}
		}
		out = append(out, changes...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// settled is the audit entry of a proposal that settlement decided in
// block n (ev its Passed, Rejected, Expired or Failed event), with its
// votes as they stand.
func (api *API) settled(ctx context.Context, n, time uint64, ev system.Event) (ctypes.AuditEntry, error) {
	id, _ := ev.Fields["id"].(*big.Int)
	if id == nil {
		return ctypes.AuditEntry{}, fmt.Errorf("%s event of block %d without an id", ev.Name, n)
	}
	ret, err := api.view(ctx, "proposal", id)
	if err != nil {
		return ctypes.AuditEntry{}, err
	}
	return settledEntry(id.Uint64(), proposalOf(ret[0]), n, hexutil.Uint64(time)), nil
}

// settledEntry tells a proposal decided when its voting period ended.
func settledEntry(id uint64, p proposalView, block uint64, time hexutil.Uint64) ctypes.AuditEntry {
	status := []string{"", "open", "passed", "rejected", "expired", "failed"}[min(int(p.status), 5)]
	text := fmt.Sprintf("proposal %d %s when its voting period ended (yes %s, no %s)", id, status, p.yes, p.no)
	if p.outcome != "" {
		text += ": " + p.outcome
	}
	return ctypes.AuditEntry{Block: hexutil.Uint64(block), Time: time, Actor: "consensus", Kind: "proposal",
		Event: "Settled", Text: text, Fields: map[string]any{"id": id, "status": status, "proposer": p.proposer}}
}

// evidenceEntry tells evidence of a validator's misbehaviour.
func evidenceEntry(e evidenceView, time hexutil.Uint64) ctypes.AuditEntry {
	kind := "signed twice"
	if e.kind == 2 {
		kind = "took part in a light client attack"
	}
	text := fmt.Sprintf("validator %s %s at height %d; its power %d was set to 0", common.Hash(e.pubKey), kind, e.height, e.powerBefore)
	switch {
	case e.powerBefore == 0:
		text = fmt.Sprintf("evidence that validator %s %s at height %d; it was no longer a validator, nothing changed", common.Hash(e.pubKey), kind, e.height)
	case !e.removed:
		text = fmt.Sprintf("validator %s %s at height %d; it is the last validator, so its power %d stays (CometBFT refuses an empty set)", common.Hash(e.pubKey), kind, e.height, e.powerBefore)
	}
	return ctypes.AuditEntry{Block: hexutil.Uint64(e.block), Time: time, Actor: "consensus", Kind: "validator",
		Event: "Evidence", Text: text, Fields: map[string]any{"pubKey": common.Hash(e.pubKey), "height": e.height, "powerBefore": e.powerBefore}}
}

// auditState tells, from the contract's state, the proposals that
// settlement decided in from..to and the evidence recorded there: the
// audit of blocks whose system logs this store does not have. It reads
// every proposal and every piece of evidence.
func (api *API) auditState(ctx context.Context, from, to uint64) ([]ranked, error) {
	var out []ranked
	at := func(n uint64) hexutil.Uint64 {
		if h, err := api.chain.Header(n); err == nil {
			return hexutil.Uint64(h.Time)
		}
		return 0
	}
	count, err := api.view(ctx, "proposalCount")
	if err != nil {
		return nil, err
	}
	for id := uint64(1); id <= count[0].(*big.Int).Uint64(); id++ {
		ret, err := api.view(ctx, "proposal", new(big.Int).SetUint64(id))
		if err != nil {
			return nil, err
		}
		p := proposalOf(ret[0])
		// Decided after its last voting block: by settlement.
		if p.decided == 0 || p.decided <= p.deadline || p.decided < from || p.decided > to {
			continue
		}
		out = append(out, ranked{settledEntry(id, p, p.decided, at(p.decided)), 2})
	}
	n, err := api.view(ctx, "evidenceCount")
	if err != nil {
		return nil, err
	}
	for i := uint64(0); i < n[0].(*big.Int).Uint64(); i++ {
		ret, err := api.view(ctx, "evidenceAt", new(big.Int).SetUint64(i))
		if err != nil {
			return nil, err
		}
		e := evidenceOf(ret[0])
		if e.block < from || e.block > to {
			continue
		}
		out = append(out, ranked{evidenceEntry(e, at(e.block)), 0})
	}
	return out, nil
}

// view calls a view of the Consortium contract at the head.
func (api *API) view(ctx context.Context, method string, args ...any) ([]any, error) {
	data, err := system.Pack(method, args...)
	if err != nil {
		return nil, err
	}
	ret, err := api.chain.Call(ctx, system.ConsortiumAddress, data)
	if err != nil {
		return nil, fmt.Errorf("read the Consortium contract (%s): %w", method, err)
	}
	return system.Unpack(method, ret)
}

type proposalView struct {
	proposer          common.Address
	deadline, decided uint64
	status            uint8
	yes, no           *big.Int
	outcome           string
}

// proposalOf reads the fields of the contract's Proposal tuple.
func proposalOf(v any) proposalView {
	f := fieldsOf(v)
	return proposalView{proposer: f["Proposer"].(common.Address), deadline: f["Deadline"].(uint64), decided: f["Decided"].(uint64),
		status: f["Status"].(uint8), yes: f["Yes"].(*big.Int), no: f["No"].(*big.Int), outcome: f["Outcome"].(string)}
}

type evidenceView struct {
	pubKey                     [32]byte
	height, block, powerBefore uint64
	kind                       uint8
	removed                    bool
}

func evidenceOf(v any) evidenceView {
	f := fieldsOf(v)
	return evidenceView{pubKey: f["PubKey"].([32]byte), height: f["Height"].(uint64), block: f["Block"].(uint64),
		kind: f["Kind"].(uint8), powerBefore: f["PowerBefore"].(uint64), removed: f["Removed"].(bool)}
}

// activityWindow is how many recent blocks chuxin_consortium counts.
const activityWindow = 1000

// Consortium returns the consortium as it stands: parameters, members,
// validators with their voting power and what each proposed, signed and
// missed over the last blocks, and the admitted nodes with the last time
// this node saw each connected.
func (api *API) Consortium(ctx context.Context) (*ctypes.ConsortiumInfo, error) {
	info := &ctypes.ConsortiumInfo{Window: activityWindow}
	for name, dst := range map[string]*uint64{"quorum": &info.Quorum, "threshold": &info.Threshold} {
		v, err := api.view(ctx, name)
		if err != nil {
			return nil, err
		}
		*dst = v[0].(*big.Int).Uint64()
	}
	v, err := api.view(ctx, "votingPeriod")
	if err != nil {
		return nil, err
	}
	info.VotingPeriod = v[0].(uint64)
	if v, err = api.view(ctx, "permissioned"); err != nil {
		return nil, err
	}
	info.Permissioned = v[0].(bool)
	var nodesKept bool
	err = api.chain.ReadHead(func(h *types.Header, st system.State) {
		var later []module.Upgrade
		info.RuleVersion, later = api.chain.Rules(st, h.Number.Uint64()+1)
		for _, u := range later {
			info.Upgrades = append(info.Upgrades, ctypes.RuleUpgrade{Version: u.Version, Height: u.Height})
		}
		// The views of validators' nodes, nodes' members and governed
		// contracts are rule version 6's: an older Consortium has none.
		version, _ := api.chain.Rules(st, h.Number.Uint64())
		nodesKept = version >= system.VersionValidatorNodes
		limits := system.LimitsOf(st)
		info.GasLimit, info.BaseFee = limits.GasLimit, (*hexutil.Big)(limits.BaseFee)
	})
	if err != nil {
		return nil, err
	}
	if v, err = api.view(ctx, "memberCount"); err != nil {
		return nil, err
	}
	for i := uint64(0); i < v[0].(*big.Int).Uint64(); i++ {
		m, err := api.view(ctx, "memberAt", new(big.Int).SetUint64(i))
		if err != nil {
			return nil, err
		}
		info.Members = append(info.Members, ctypes.MemberInfo{Name: m[1].(string), Weight: m[2].(uint64), Governors: m[3].([]common.Address)})
	}
	if v, err = api.view(ctx, "validators"); err != nil {
		return nil, err
	}
	node := api.chain.Node()
	activity := map[string]ctypes.ValidatorActivity{}
	if node.ValidatorActivity != nil {
		for addr, a := range node.ValidatorActivity(activityWindow) {
			activity[addr] = ctypes.ValidatorActivity{Proposed: a.Proposed, Signed: a.Signed, Missed: a.Missed}
		}
	}
	if node.BlockTimes != nil {
		if first, last, n := node.BlockTimes(activityWindow); n > 0 {
			info.LastBlockTime = &last
			if n > 1 {
				info.BlockInterval = last.Sub(first).Seconds() / float64(n-1)
			}
		}
	}
	keys, powers := v[0].([][32]byte), v[1].([]uint64)
	for i, k := range keys {
		addr := strings.ToUpper(common.Bytes2Hex(system.ConsensusAddress(k[:])))
		vi := ctypes.ValidatorInfo{PubKey: k, Address: addr, Name: node.ValidatorNames[addr], Power: powers[i], ValidatorActivity: activity[addr]}
		if nodesKept {
			n, err := api.view(ctx, "nodeOfValidator", k)
			if err != nil {
				return nil, err
			}
			if id := system.NodeID(n[0].([20]byte)); id != (system.NodeID{}) {
				vi.Node = id.String()
			}
		}
		info.Validators = append(info.Validators, vi)
	}
	if nodesKept {
		g, err := api.view(ctx, "governedContracts")
		if err != nil {
			return nil, err
		}
		for i, a := range g[0].([]common.Address) {
			info.Governed = append(info.Governed, ctypes.GovernedContract{Address: a, Name: g[1].([]string)[i]})
		}
	}
	if v, err = api.view(ctx, "admittedNodes"); err != nil {
		return nil, err
	}
	var seen map[string]time.Time
	var connected map[string]bool
	if node.PeersSeen != nil {
		seen, connected = node.PeersSeen()
	}
	ids, names := v[0].([][20]byte), v[1].([]string)
	// The members view lists the nodes again, as a block may come between
	// the two reads.
	runBy := map[[20]byte]string{}
	if nodesKept {
		m, err := api.view(ctx, "admittedNodeMembers")
		if err != nil {
			return nil, err
		}
		for i, id := range m[0].([][20]byte) {
			runBy[id] = m[1].([]string)[i]
		}
	}
	memberOf := map[string]string{}
	for i, id := range ids {
		n := ctypes.NodeInfo{ID: system.NodeID(id).String(), Name: names[i], Member: runBy[id]}
		memberOf[n.ID] = n.Member
		n.Self = strings.EqualFold(n.ID, node.ID)
		n.Connected = connected[n.ID]
		if t, ok := seen[n.ID]; ok {
			n.LastSeen = &t
		}
		info.Nodes = append(info.Nodes, n)
	}
	for i := range info.Validators {
		info.Validators[i].Member = memberOf[info.Validators[i].Node]
	}
	return info, nil
}

// fieldsOf returns the fields of a tuple that the ABI decoder made, by name.
func fieldsOf(v any) map[string]any {
	rv := reflect.ValueOf(v)
	out := map[string]any{}
	for i := range rv.NumField() {
		out[rv.Type().Field(i).Name] = rv.Field(i).Interface()
	}
	return out
}
