package rpc

import (
	"math/big"
	"strings"
	"testing"

	ctypes "github.com/chuxin-chain/chuxin/x/consortium/types"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/store"
	"github.com/chuxin-chain/chuxin/internal/system"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// TestAuditTrailFiltersAndPages: the governor grants roles, freezes and
// unfreezes accounts; chuxin_audit tells each with its block, transaction
// and sender, filtered by kind and account and paginated, and
// chuxin_consortium shows the members.
func TestAuditTrailFiltersAndPages(t *testing.T) {
	h := newHarness(t)
	a, b := crypto.PubkeyToAddress(h.keys[0].PublicKey), crypto.PubkeyToAddress(h.keys[1].PublicKey)
	nonce := uint64(0)
	gov := func(method string, args ...any) {
		data, err := system.Pack(method, args...)
		if err != nil {
			t.Fatal(err)
		}
		tx := testchain.Call(testchain.GovernorKey, cid, nonce, system.ConsortiumAddress, data, 200_000)
		nonce++
		if err := h.submit(t.Context(), encode(tx)); err != nil {
			t.Fatal(err)
		}
		h.mine()
	}
	gov("grantRoles", a, big.NewInt(int64(system.RoleDeployer)))
	gov("freeze", b, "case 1")
	gov("unfreeze", b)

	audit := func(q ctypes.AuditQuery) *ctypes.AuditPage {
		t.Helper()
		var page ctypes.AuditPage
		if err := h.rpc.Call(&page, "chuxin_audit", q); err != nil {
			t.Fatal(err)
		}
		return &page
	}
	all := audit(ctypes.AuditQuery{})
	if all.Total != 3 || len(all.Entries) != 3 {
		t.Fatalf("the whole trail: %+v", all)
	}
	for i, want := range []string{"RolesChanged", "Frozen", "Unfrozen"} {
		e := all.Entries[i]
		if e.Event != want || e.Actor != testchain.Governor.Hex() || e.Tx == nil || uint64(e.Block) != uint64(i+1) {
			t.Fatalf("entry %d: %+v", i, e)
		}
	}
	if p := audit(ctypes.AuditQuery{Kind: "freeze"}); p.Total != 2 || p.Entries[0].Text != "account "+b.Hex()+" frozen by "+testchain.Governor.Hex()+": case 1" {
		t.Fatalf("kind freeze: %+v", p)
	}
	if p := audit(ctypes.AuditQuery{Account: &a}); p.Total != 1 || p.Entries[0].Event != "RolesChanged" {
		t.Fatalf("account %s: %+v", a, p)
	}
	if p := audit(ctypes.AuditQuery{Account: &testchain.Governor}); p.Total != 3 {
		t.Fatalf("what the governor did: %+v", p)
	}
	two := hexutil.Uint64(2)
	if p := audit(ctypes.AuditQuery{FromBlock: &two, PageSize: 1, Page: 1}); p.Total != 2 || len(p.Entries) != 1 || p.Entries[0].Event != "Unfrozen" {
		t.Fatalf("blocks 2 on, second page of one: %+v", p)
	}
	var bad ctypes.AuditPage
	if err := h.rpc.Call(&bad, "chuxin_audit", ctypes.AuditQuery{Kind: "weather"}); err == nil {
		t.Fatal("an unknown kind was taken")
	}

	var info ctypes.ConsortiumInfo
	if err := h.rpc.Call(&info, "chuxin_consortium"); err != nil {
		t.Fatal(err)
	}
	if len(info.Members) != 1 || info.Members[0].Name != "test" || info.Members[0].Governors[0] != testchain.Governor || info.Permissioned {
		t.Fatalf("chuxin_consortium: %+v", info)
	}
	if info.RuleVersion != genesis.KnownRuleVersion || len(info.Upgrades) != 0 {
		t.Fatalf("chuxin_consortium's rule version %d and upgrades %v, want %d and none", info.RuleVersion, info.Upgrades, genesis.KnownRuleVersion)
	}
}

// TestAuditScansAsFarAsGetLogs: one chuxin_audit query scans at most
// rpc.max_log_block_range blocks (50 in the harness): a wider range is
// refused with the bound, and without fromBlock it takes the last 50.
func TestAuditScansAsFarAsGetLogs(t *testing.T) {
	h := newHarness(t)
	for range 60 {
		h.mine()
	}
	var page ctypes.AuditPage
	err := h.rpc.Call(&page, "chuxin_audit", map[string]any{"fromBlock": "0x0", "toBlock": "0x3c"})
	if err == nil || !strings.Contains(err.Error(), "more than 50 blocks (rpc.max_log_block_range)") {
		t.Fatalf("61 blocks: %v", err)
	}
	if err := h.rpc.Call(&page, "chuxin_audit", map[string]any{}); err != nil || page.ToBlock-page.FromBlock+1 != 50 {
		t.Fatalf("the default range: %d-%d, %v", page.FromBlock, page.ToBlock, err)
	}
}

// TestConsortiumBeforeVersion6: a chain before rule version 6 has no
// validators' nodes, nodes' members or governed contracts to show, and
// chuxin_consortium answers without them (and with its version and the
// one scheduled after it).
func TestConsortiumBeforeVersion6(t *testing.T) {
	h := newHarnessWith(t, store.Options{CacheMB: 16}, func(g *genesis.Genesis) {
		g.Rules.Versions = []genesis.RuleVersion{{Version: genesis.VersionSplit, Height: 1}, {Version: genesis.VersionValidatorNodes, Height: 1000}}
	})
	h.mine()
	var info ctypes.ConsortiumInfo
	if err := h.rpc.Call(&info, "chuxin_consortium"); err != nil {
		t.Fatal(err)
	}
	if info.RuleVersion != genesis.VersionSplit || len(info.Upgrades) != 1 || info.Upgrades[0].Version != genesis.VersionValidatorNodes || info.Upgrades[0].Height != 1000 {
		t.Fatalf("rule version %d, upgrades %v", info.RuleVersion, info.Upgrades)
	}
	if len(info.Members) == 0 || len(info.Governed) != 0 {
		t.Fatalf("chuxin_consortium: %+v", info)
	}
	for _, n := range info.Nodes {
		if n.Member != "" {
			t.Fatalf("a version 5 node with a member: %+v", n)
		}
	}
}
