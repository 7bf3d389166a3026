package rpc

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/x/consortium"

	ctypes "github.com/chuxin-chain/chuxin/x/consortium/types"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethdb/memorydb"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/ethereum/go-ethereum/trie"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/store"
	"github.com/chuxin-chain/chuxin/internal/system"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// expiredProposal makes a harness whose voting period is 2 blocks, in
// which the governor proposes and nobody votes: the block after the
// deadline settles it, and its Expired event is a system log. It returns
// the harness and that block's number.
func expiredProposal(t *testing.T) (*harness, uint64) {
	h := newHarnessWith(t, store.Options{CacheMB: 16}, func(g *genesis.Genesis) { g.Consortium.VotingPeriod = 2 })
	data, err := system.Pack("propose", []system.Action{system.SetParam(system.ParamVotingPeriod, 9)}, "nobody votes")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.submit(t.Context(), encode(testchain.Call(testchain.GovernorKey, cid, 0, system.ConsortiumAddress, data, 8_000_000))); err != nil {
		t.Fatal(err)
	}
	proposed := h.mine().NumberU64() // deadline proposed+2, settled at proposed+3
	for h.mine().NumberU64() < proposed+3 {
	}
	return h, proposed + 3
}

// TestSystemLogsAreServedAndProved: settlement's event is in no receipt
// and not in eth_getLogs; chuxin_getSystemLogs serves it with the block
// and the system call that emitted it, under eth_getLogs's filter;
// chuxin_getSystemLogProof proves it against the AppHash that the block
// reported to consensus; and chuxin_audit tells the settlement from it.
func TestSystemLogsAreServedAndProved(t *testing.T) {
	h, settled := expiredProposal(t)
	expired := crypto.Keccak256Hash([]byte("Expired(uint256,string)"))

	var eth []*types.Log
	if err := h.rpc.Call(&eth, "eth_getLogs", map[string]any{"fromBlock": "0x1", "toBlock": "latest", "topics": []any{expired}}); err != nil || len(eth) != 0 {
		t.Fatalf("eth_getLogs has a system log: %v %v", eth, err)
	}

	var logs []SystemLog
	if err := h.rpc.Call(&logs, "chuxin_getSystemLogs", map[string]any{"fromBlock": "0x1", "toBlock": "latest"}); err != nil {
		t.Fatal(err)
	}
	if len(logs) != 1 {
		t.Fatalf("system logs of the chain: %+v", logs)
	}
	l := logs[0]
	block, err := h.eth.HeaderByNumber(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if l.Address != system.ConsortiumAddress || l.Topics[0] != expired || uint64(l.BlockNumber) != settled || l.BlockHash != block.Hash() ||
		uint64(l.BlockTimestamp) != block.Time || l.LogIndex != 0 || l.Removed {
		t.Fatalf("the settlement's log: %+v (block %d %s)", l, settled, block.Hash())
	}
	if c := l.SystemCall; c.Phase != "postBlock" || c.To != system.ConsortiumAddress || !bytes.Equal(c.Method, system.SettleCall()) {
		t.Fatalf("the call that emitted it: %+v", c)
	}

	// The filter: by address, by topic, by block hash; none elsewhere.
	for _, tc := range []struct {
		name string
		crit map[string]any
		want int
	}{
		{"its address", map[string]any{"fromBlock": "0x1", "address": system.ConsortiumAddress}, 1},
		{"another address", map[string]any{"fromBlock": "0x1", "address": common.Address{1}}, 0},
		{"its topic", map[string]any{"fromBlock": "0x1", "topics": []any{[]common.Hash{{1}, expired}}}, 1},
		{"another topic", map[string]any{"fromBlock": "0x1", "topics": []any{common.Hash{1}}}, 0},
		{"its block", map[string]any{"blockHash": block.Hash()}, 1},
		{"the blocks before", map[string]any{"fromBlock": "0x1", "toBlock": hexutil.Uint64(settled - 1)}, 0},
	} {
		var got []SystemLog
		if err := h.rpc.Call(&got, "chuxin_getSystemLogs", tc.crit); err != nil || len(got) != tc.want {
			t.Errorf("%s: %d logs, want %d (%v)", tc.name, len(got), tc.want, err)
		}
	}

	// The proof, checked as a light client would.
	var p SystemLogProof
	if err := h.rpc.Call(&p, "chuxin_getSystemLogProof", hexutil.Uint64(settled), hexutil.Uint64(0)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.AppHash, h.appHashes[settled]) {
		t.Fatalf("the proof's AppHash %x, the block reported %x", p.AppHash, h.appHashes[settled])
	}
	if !bytes.Equal(crypto.Keccak256(p.StateRoot.Bytes(), p.ReceiptsRoot.Bytes(), p.SystemLogsRoot.Bytes()), p.AppHash) ||
		p.StateRoot != block.Root || p.ReceiptsRoot != block.ReceiptHash || uint64(p.ConsensusHeight) != settled+1 {
		t.Fatalf("the roots do not hash to the AppHash: %+v", p)
	}
	db := memorydb.New()
	for _, n := range p.Proof {
		b := common.FromHex(n)
		db.Put(crypto.Keccak256(b), b)
	}
	got, err := trie.VerifyProof(p.SystemLogsRoot, rlp.AppendUint64(nil, 0), db)
	if err != nil || !bytes.Equal(got, p.Log) {
		t.Fatalf("the proof: %v", err)
	}
	var proved execution.SystemLog
	if err := rlp.DecodeBytes(p.Log, &proved); err != nil || proved.Address != l.Address || proved.Topics[0] != expired ||
		!bytes.Equal(proved.Data, l.Data) || proved.Phase != execution.PhasePostBlock || proved.To != system.ConsortiumAddress {
		t.Fatalf("the proved log: %+v %v", proved, err)
	}
	for _, bad := range [][2]hexutil.Uint64{{hexutil.Uint64(settled), 1}, {hexutil.Uint64(settled + 100), 0}, {0xfffffffffffffffe, 0}, {0xffffffffffffffff, 0}} {
		if err := h.rpc.Call(&p, "chuxin_getSystemLogProof", bad[0], bad[1]); err == nil {
			t.Errorf("a proof of log %d of block %d", bad[1], bad[0])
		}
	}
	// A block without system logs hashes the empty trie's root.
	before, err := h.eth.HeaderByNumber(t.Context(), new(big.Int).SetUint64(settled-1))
	if err != nil {
		t.Fatal(err)
	}
	if want := crypto.Keccak256(before.Root.Bytes(), before.ReceiptHash.Bytes(), types.EmptyRootHash.Bytes()); !bytes.Equal(h.appHashes[settled-1], want) {
		t.Fatalf("block %d, without system logs: AppHash %x, want %x", settled-1, h.appHashes[settled-1], want)
	}

	// chuxin_audit tells the settlement, from the log.
	var page ctypes.AuditPage
	if err := h.rpc.Call(&page, "chuxin_audit", ctypes.AuditQuery{Kind: "proposal"}); err != nil {
		t.Fatal(err)
	}
	var settledEntries []ctypes.AuditEntry
	for _, e := range page.Entries {
		if e.Event == "Settled" {
			settledEntries = append(settledEntries, e)
		}
	}
	if len(settledEntries) != 1 || uint64(settledEntries[0].Block) != settled || settledEntries[0].Actor != "consensus" ||
		!strings.HasPrefix(settledEntries[0].Text, "proposal 1 expired when its voting period ended (yes 0, no 0): participation 0/") {
		t.Fatalf("the audit's settlement: %+v", page.Entries)
	}

	// A query spans at most rpc.max_log_block_range blocks (50 here).
	for h.mine().NumberU64() < 60 {
	}
	var none []SystemLog
	if err := h.rpc.Call(&none, "chuxin_getSystemLogs", map[string]any{"fromBlock": "0x0", "toBlock": "latest"}); err == nil || !strings.Contains(err.Error(), "rpc.max_log_block_range") {
		t.Fatalf("61 blocks: %v", err)
	}
}

// TestAuditFromStateTellsWhatTheLogsTell: for blocks whose system logs a
// store does not have (made by a binary that kept none), chuxin_audit reads
// the contract's state instead; both tell the same settlement, and the
// same evidence, once each (the removal the evidence caused is told with
// it). From the logs a settlement that passed is followed by what its
// actions changed.
func TestAuditFromStateTellsWhatTheLogsTell(t *testing.T) {
	var keys [][]byte
	for i := range 2 {
		seed := make([]byte, 32)
		seed[0] = byte(i + 1)
		keys = append(keys, ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey))
	}
	other := common.Address{0x12, 0x34}
	h := newHarnessWith(t, store.Options{CacheMB: 16}, func(g *genesis.Genesis) {
		g.Consortium.VotingPeriod = 2
		g.Consortium.Members = append(g.Consortium.Members, system.Member{Name: "other", Weight: 1, Governors: []common.Address{other}})
		g.Validators = []genesis.Validator{{PubKey: keys[0], Power: 10}, {PubKey: keys[1], Power: 10}}
	})
	// Proposal 1 expires; proposal 2, half the weight for it, passes when
	// its voting period ends.
	gov := func(nonce uint64, method string, args ...any) {
		data, err := system.Pack(method, args...)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.submit(t.Context(), encode(testchain.Call(testchain.GovernorKey, cid, nonce, system.ConsortiumAddress, data, 8_000_000))); err != nil {
			t.Fatal(err)
		}
	}
	gov(0, "propose", []system.Action{system.SetParam(system.ParamVotingPeriod, 9)}, "nobody votes")
	gov(1, "propose", []system.Action{system.SetParam(system.ParamVotingPeriod, 7)}, "one vote for")
	gov(2, "vote", big.NewInt(2), true)
	proposed := h.mine().NumberU64()
	// The evidence's block also grants a role: its log is the block's
	// first transaction log, index 0, after the evidence's system logs.
	var published []uint
	h.app.OnCommit(func(_ *types.Block, rs types.Receipts) {
		for _, r := range rs {
			for _, l := range r.Logs {
				published = append(published, l.Index)
			}
		}
	})
	gov(3, "grantRoles", other, big.NewInt(int64(system.RoleDeployer)))
	h.misbehavior = []abci.Misbehavior{{Type: abci.MISBEHAVIOR_TYPE_DUPLICATE_VOTE, Validator: abci.Validator{Address: system.ConsensusAddress(keys[1]), Power: 10}, Height: 1}}
	punished := h.mine().NumberU64()
	if len(published) != 1 || published[0] != 0 {
		t.Fatalf("the log indices a block's receipts were published with: %v, want [0]", published)
	}
	for h.mine().NumberU64() < proposed+3 {
	}
	// What the node did by system calls, as chuxin_audit tells it from the
	// system logs, and as it tells it from the state to a store that keeps
	// no system logs before the head.
	bySystem := func(chain module.Chain) []ctypes.AuditEntry {
		t.Helper()
		from, to := hexutil.Uint64(1), hexutil.Uint64(proposed+3)
		page, err := consortium.NewAPI(chain).Audit(t.Context(), ctypes.AuditQuery{FromBlock: &from, ToBlock: &to, PageSize: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var out []ctypes.AuditEntry
		for _, e := range page.Entries {
			if e.Actor == "consensus" {
				out = append(out, e)
			}
		}
		return out
	}
	fromLogs := bySystem(moduleChain{h.backend})
	fromState := bySystem(keptNoSystemLogs{moduleChain{h.backend}, proposed + 4})
	var events []string
	for _, e := range fromLogs {
		events = append(events, fmt.Sprintf("%d %s", e.Block, e.Event))
	}
	want := []string{fmt.Sprintf("%d Evidence", punished), fmt.Sprintf("%d Settled", proposed+3), fmt.Sprintf("%d Settled", proposed+3), fmt.Sprintf("%d ParamChanged", proposed+3)}
	if !reflect.DeepEqual(events, want) {
		t.Fatalf("from the system logs: %v, want %v", events, want)
	}
	if !strings.Contains(fromLogs[0].Text, "its power 10 was set to 0") || !strings.Contains(fromLogs[2].Text, "proposal 2 passed when its voting period ended") ||
		!strings.Contains(fromLogs[3].Text, "the voting period (blocks) set to 7") {
		t.Fatalf("from the system logs: %+v", fromLogs)
	}
	// The state tells the decisions and the evidence, not the changes.
	if !reflect.DeepEqual(fromLogs[:3], fromState) {
		t.Fatalf("from the system logs: %+v\nfrom the state: %+v", fromLogs[:3], fromState)
	}
}

// keptNoSystemLogs is a chain whose store keeps system logs only from a
// height on, as one that a binary keeping none made before it.
type keptNoSystemLogs struct {
	module.Chain
	from uint64
}

func (c keptNoSystemLogs) SystemLogsFrom() (uint64, error) { return c.from, nil }
