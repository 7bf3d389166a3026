package ceremony_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/ceremony"
	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
)

var (
	govA  = common.HexToAddress("0x00000000000000000000000000000000000000a1")
	govB  = common.HexToAddress("0x00000000000000000000000000000000000000b1")
	feesA = common.HexToAddress("0x00000000000000000000000000000000000000fa")
	when  = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
)

// members makes the homes of a three-node network, as three operators
// would on their own machines: two members' validators and an observer.
func members(t *testing.T) (dir string, homes []string, parts []*ceremony.Part) {
	t.Helper()
	dir = t.TempDir()
	specs := []ceremony.InitSpec{
		{Moniker: "beijing", Listen: "127.0.0.1:30001", Power: 10, FeeRecipient: feesA,
			Member: &system.Member{Name: "Beijing", Weight: 2, Governors: []common.Address{govA}},
			Roles:  []system.RoleGrant{{Account: govA, Roles: []string{"admin", "regulator"}}}},
		{Moniker: "shanghai", Listen: "0.0.0.0:30002", Address: "10.0.0.2:30002", Power: 20, FeeRecipient: feesA,
			Member: &system.Member{Name: "Shanghai", Weight: 1, Governors: []common.Address{govB}}},
		{Moniker: "regulator", Listen: "127.0.0.1:30003"},
	}
	for i, s := range specs {
		s.Home = filepath.Join(dir, s.Moniker)
		p, err := ceremony.Init(s)
		if err != nil {
			t.Fatalf("init %d: %v", i, err)
		}
		read, err := ceremony.ReadPart(config.PartFile(s.Home))
		if err != nil {
			t.Fatal(err)
		}
		homes, parts = append(homes, s.Home), append(parts, read)
		if p.NodeID != read.NodeID || len(read.ConsensusPubKey) != 32 {
			t.Fatalf("part %d read back as %+v, made %+v", i, read, p)
		}
	}
	return dir, homes, parts
}

func params() ceremony.Params {
	return ceremony.Params{ChainID: 4242, GenesisTime: when, Consortium: system.Genesis{Permissioned: true}}
}

// TestCeremony: parts made in separate homes assemble into one genesis,
// which each home installs after checking its hash and its own part.
func TestCeremony(t *testing.T) {
	_, homes, parts := members(t)
	doc, _, err := ceremony.Assemble(parts, params())
	if err != nil {
		t.Fatal(err)
	}
	again, _, err := ceremony.Assemble(parts, params())
	if err != nil || !bytes.Equal(doc, again) {
		t.Fatalf("assembling the same parts twice gave another genesis (%v)", err)
	}
	hash := ceremony.Hash(doc)
	_, g, err := ceremony.Check(doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Validators) != 2 || g.Validators[1].Power != 20 || g.Validators[0].FeeRecipient != feesA {
		t.Fatalf("validators %+v", g.Validators)
	}
	for i, v := range g.Validators { // each signs on its own node
		if v.Node != parts[i].NodeID {
			t.Errorf("validators[%d] names node %q, its part %q", i, v.Node, parts[i].NodeID)
		}
	}
	if len(g.Consortium.Members) != 2 || g.Consortium.Members[0].Weight != 2 || !g.Consortium.Permissioned {
		t.Fatalf("consortium %+v", g.Consortium)
	}
	if len(g.Consortium.Nodes) != 3 || g.Consortium.Nodes[1].Address != "10.0.0.2:30002" {
		t.Fatalf("admitted nodes %+v", g.Consortium.Nodes)
	}
	for i, home := range homes {
		got, err := ceremony.Install(home, doc, strings.ToUpper(hash))
		if err != nil {
			t.Fatalf("install in %s: %v", home, err)
		}
		if got.ChainID != "chuxin-4242" || got.Validator != (i < 2) || len(got.Peers) != 2 {
			t.Fatalf("install in %s: %+v", home, got)
		}
		c, err := config.Load(home)
		if err != nil {
			t.Fatal(err)
		}
		if c.GenesisHash != hash {
			t.Fatalf("%s: genesis_hash %q, want %q", home, c.GenesisHash, hash)
		}
		for j, p := range parts {
			if want := p.NodeID + "@" + p.Address; (j != i) != strings.Contains(c.P2P.PersistentPeers, want) {
				t.Fatalf("%s: persistent peers %q and %s", home, c.P2P.PersistentPeers, want)
			}
		}
		if want := i == 2; c.DB.Archive != want {
			t.Fatalf("%s: archive %v, want %v (observers keep every state)", home, c.DB.Archive, want)
		}
		installed, err := os.ReadFile(config.GenesisFile(home))
		if err != nil || !bytes.Equal(installed, doc) {
			t.Fatalf("%s: installed genesis differs (%v)", home, err)
		}
	}
	c, _ := config.Load(homes[1])
	if c.P2P.Listen != "0.0.0.0:30002" || c.P2P.ExternalAddress != "10.0.0.2:30002" {
		t.Fatalf("a node behind an address listens on %q and advertises %q", c.P2P.Listen, c.P2P.ExternalAddress)
	}
}

// TestInstallRefuses: a member installs only the published genesis, and
// only one that holds its part as it gave it.
func TestInstallRefuses(t *testing.T) {
	_, homes, parts := members(t)
	doc, _, err := ceremony.Assemble(parts, params())
	if err != nil {
		t.Fatal(err)
	}
	changed := func(t *testing.T, edit func(ps []*ceremony.Part, p *ceremony.Params)) []byte {
		ps := make([]*ceremony.Part, len(parts))
		for i, p := range parts {
			cp := *p
			ps[i] = &cp
		}
		pr := params()
		edit(ps, &pr)
		b, _, err := ceremony.Assemble(ps, pr)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tampered := bytes.Replace(doc, []byte(`"chuxin-4242"`), []byte(`"chuxin-4243"`), 1)
	withHash := func(b []byte) ([]byte, string) { return b, ceremony.Hash(b) }
	for _, tc := range []struct {
		name string
		home int
		doc  []byte
		hash string
		want error
		says string
	}{
		{"no hash", 0, doc, "", ceremony.ErrHashMismatch, "ask the coordinator"},
		{"a changed file", 0, tampered, ceremony.Hash(doc), ceremony.ErrHashMismatch, "it was changed"},
		{"a node left out", 0, nil, "", ceremony.ErrNotInGenesis, "not among the admitted nodes"},
		{"a validator's power changed", 0, nil, "", ceremony.ErrNotInGenesis, "power 11"},
		{"a node's address changed", 1, nil, "", ceremony.ErrNotInGenesis, `address "10.9.9.9:1"`},
		{"an observer made a validator", 2, nil, "", ceremony.ErrNotInGenesis, "is an observer"},
		{"a member's weight changed", 0, nil, "", ceremony.ErrNotInGenesis, "weight 7"},
		{"roles left out", 0, nil, "", ceremony.ErrNotInGenesis, "roles [admin regulator]"},
		{"a node given to another member", 0, nil, "", ceremony.ErrNotInGenesis, `member "Shanghai" runs node beijing, its part "Beijing"`},
		{"a validator moved to another node", 0, nil, "", ceremony.ErrNotInGenesis, "says validator beijing signs on node"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			switch tc.name {
			case "a node left out":
				b, _, err := ceremony.Assemble(parts[1:], params())
				if err != nil {
					t.Fatal(err)
				}
				tc.doc, tc.hash = withHash(b)
			case "a validator's power changed":
				tc.doc, tc.hash = withHash(changed(t, func(ps []*ceremony.Part, _ *ceremony.Params) { ps[0].Power = 11 }))
			case "a node's address changed":
				tc.doc, tc.hash = withHash(changed(t, func(ps []*ceremony.Part, _ *ceremony.Params) { ps[1].Address = "10.9.9.9:1" }))
			case "an observer made a validator":
				tc.doc, tc.hash = withHash(changed(t, func(ps []*ceremony.Part, _ *ceremony.Params) { ps[2].Power, ps[2].FeeRecipient = 1, feesA }))
			case "a member's weight changed":
				tc.doc, tc.hash = withHash(changed(t, func(ps []*ceremony.Part, _ *ceremony.Params) {
					m := *ps[0].Member
					m.Weight = 7
					ps[0].Member = &m
				}))
			case "roles left out":
				tc.doc, tc.hash = withHash(changed(t, func(ps []*ceremony.Part, _ *ceremony.Params) { ps[0].Roles = nil }))
			case "a node given to another member":
				tc.doc, tc.hash = withHash(changed(t, func(_ []*ceremony.Part, p *ceremony.Params) {
					p.Edit = func(g *genesis.Genesis) { g.Consortium.Nodes[0].Member = "Shanghai" }
				}))
			case "a validator moved to another node":
				tc.doc, tc.hash = withHash(changed(t, func(_ []*ceremony.Part, p *ceremony.Params) {
					p.Edit = func(g *genesis.Genesis) { g.Validators[0].Node = g.Consortium.Nodes[2].ID }
				}))
			}
			_, err := ceremony.Install(homes[tc.home], tc.doc, tc.hash)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("install: %v, want %v saying %q", err, tc.want, tc.says)
			}
			if _, err := os.Stat(config.GenesisFile(homes[tc.home])); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("a refused genesis was installed (%v)", err)
			}
		})
	}
	// Another node's part in this home: the keys do not match.
	other, err := os.ReadFile(config.PartFile(homes[1]))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(config.PartFile(homes[0]), other, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ceremony.Install(homes[0], doc, ceremony.Hash(doc)); !errors.Is(err, ceremony.ErrPart) || !strings.Contains(err.Error(), "another node's part") {
		t.Fatalf("install with another node's part: %v", err)
	}
}

// TestAssembleRefuses: parts that cannot make one network are refused,
// naming the part and what is wrong.
func TestAssembleRefuses(t *testing.T) {
	_, _, parts := members(t)
	for _, tc := range []struct {
		name string
		edit func(ps []*ceremony.Part, p *ceremony.Params)
		want error
		says string
	}{
		{"a node twice", func(ps []*ceremony.Part, _ *ceremony.Params) { ps[1].NodeID = ps[0].NodeID }, ceremony.ErrParts, "beijing and shanghai have the same node ID"},
		{"a key twice", func(ps []*ceremony.Part, _ *ceremony.Params) { ps[1].ConsensusPubKey = ps[0].ConsensusPubKey }, ceremony.ErrParts, "same consensus key"},
		{"a member described twice", func(ps []*ceremony.Part, _ *ceremony.Params) {
			ps[1].Member = &system.Member{Name: "Beijing", Weight: 3, Governors: []common.Address{govA}}
		}, ceremony.ErrParts, `describes member "Beijing" with weight 3`},
		{"no validator", func(ps []*ceremony.Part, _ *ceremony.Params) { ps[0].Power, ps[1].Power = 0, 0 }, ceremony.ErrParts, "at least one validator"},
		{"a validator without fee recipient", func(ps []*ceremony.Part, _ *ceremony.Params) { ps[0].FeeRecipient = common.Address{} }, ceremony.ErrPart, "beijing is a validator without a feeRecipient"},
		{"a bad address", func(ps []*ceremony.Part, _ *ceremony.Params) { ps[2].Address = "regulator.example" }, ceremony.ErrPart, `address "regulator.example" is not host:port`},
		{"a bad node ID", func(ps []*ceremony.Part, _ *ceremony.Params) { ps[2].NodeID = "xyz" }, ceremony.ErrPart, "not a node ID"},
		{"a short key", func(ps []*ceremony.Part, _ *ceremony.Params) { ps[0].ConsensusPubKey = ps[0].ConsensusPubKey[:31] }, ceremony.ErrPart, "has 31 bytes"},
		{"no member", func(ps []*ceremony.Part, _ *ceremony.Params) { ps[0].Member, ps[1].Member = nil, nil }, genesis.ErrInvalid, "at least one member"},
		{"no chain id", func(_ []*ceremony.Part, p *ceremony.Params) { p.ChainID = 0 }, genesis.ErrInvalid, "chain id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := make([]*ceremony.Part, len(parts))
			for i, p := range parts {
				cp := *p
				ps[i] = &cp
			}
			p := params()
			tc.edit(ps, &p)
			_, _, err := ceremony.Assemble(ps, p)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("assemble: %v, want %v saying %q", err, tc.want, tc.says)
			}
		})
	}
}

// TestWriteNetwork: a local network's homes come out of the ceremony:
// installed genesis and hash, every node the others' peer, observers
// archive nodes, and the same genesis everywhere.
func TestWriteNetwork(t *testing.T) {
	dir := t.TempDir()
	homes, err := ceremony.WriteNetwork(ceremony.NetworkSpec{Dir: dir, ChainID: 7, Validators: 2, Observers: 1,
		P2PPortBase: 40000, RPCPortBase: 40010, FeeRecipient: feesA})
	if err != nil {
		t.Fatal(err)
	}
	var first []byte
	for i, home := range homes {
		c, err := config.Load(home)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := os.ReadFile(config.GenesisFile(home))
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = doc
		}
		if !bytes.Equal(doc, first) || c.GenesisHash != ceremony.Hash(doc) {
			t.Fatalf("node %d: another genesis, or genesis_hash %q not its hash", i, c.GenesisHash)
		}
		if want := i == 2; c.DB.Archive != want {
			t.Fatalf("node %d: archive %v, want %v", i, c.DB.Archive, want)
		}
		if peers := strings.Split(c.P2P.PersistentPeers, ","); len(peers) != 2 || slices.Contains(peers, "") {
			t.Fatalf("node %d: peers %q", i, c.P2P.PersistentPeers)
		}
	}
	if _, err := ceremony.WriteNetwork(ceremony.NetworkSpec{Dir: dir, ChainID: 7, Validators: 1, FeeRecipient: feesA}); !errors.Is(err, ceremony.ErrHomeExists) {
		t.Fatalf("writing over a network: %v", err)
	}
}

// TestCeremonyDealsTheBeacon: with a beacon, the assembler deals the
// master secret among the validators and seals each share to its node;
// each validator's install opens its own, and any threshold of the
// installed shares makes epoch keys the genesis master key verifies. No
// share is in the genesis in the clear, and observers get none.
func TestCeremonyDealsTheBeacon(t *testing.T) {
	_, homes, parts := members(t)
	p := params()
	p.Beacon = &ceremony.BeaconParams{Period: 3}
	doc, _, err := ceremony.Assemble(parts, p)
	if err != nil {
		t.Fatal(err)
	}
	_, g, err := ceremony.Check(doc)
	if err != nil {
		t.Fatal(err)
	}
	b := g.Beacon
	// Two validators: the commit quorum, both of them, not 2f+1 = 1.
	if b == nil || len(b.Holders) != 2 || b.Threshold != 2 || b.Period != 3 || b.GenesisTime != when.Unix() || g.Rules.VoteExtensionsHeight != 1 {
		t.Fatalf("beacon %+v, vote extensions from %d", b, g.Rules.VoteExtensionsHeight)
	}
	var partials []capsule.Partial
	for i, home := range homes {
		if _, err := ceremony.Install(home, doc, ceremony.Hash(doc)); err != nil {
			t.Fatal(err)
		}
		share, err := capsule.LoadShare(config.BeaconShareFile(home))
		if i == 2 {
			if !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("the observer has a share (%v)", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(doc, []byte(hex.EncodeToString(share.Key.Bytes()))) {
			t.Fatal("a share is in the genesis in the clear")
		}
		partials = append(partials, share.PartialKey(5))
	}
	c, err := b.Committee()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range partials { // one validator alone opens nothing
		if _, err := c.Combine([]capsule.Partial{p}); err == nil {
			t.Fatal("one partial key of two combined")
		}
	}
	key, err := c.Combine(partials)
	if err != nil {
		t.Fatal(err)
	}
	if err := capsule.Verify(c.Master, 5, key); err != nil {
		t.Fatal(err)
	}
	// A share sealed to another node does not open here.
	b.Holders[0].SealedShare, b.Holders[1].SealedShare = b.Holders[1].SealedShare, b.Holders[0].SealedShare
	swapped, _, err := ceremony.Assemble(parts, ceremony.Params{ChainID: 4242, GenesisTime: when, Consortium: system.Genesis{Permissioned: true},
		Edit: func(g2 *genesis.Genesis) { g2.Beacon = b; g2.Rules.VoteExtensionsHeight = 1 }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ceremony.Install(homes[0], swapped, ceremony.Hash(swapped)); !errors.Is(err, ceremony.ErrNotInGenesis) || !strings.Contains(err.Error(), "does not open with this home's share key") {
		t.Fatalf("installing a genesis with another node's sealed share: %v", err)
	}
}

// TestBeaconThresholdOneIsAskedForByName: a threshold of 1 among several
// validators gives each the master secret; it is refused unless asked for
// by name.
func TestBeaconThresholdOneIsAskedForByName(t *testing.T) {
	_, homes, parts := members(t)
	p := params()
	p.Beacon = &ceremony.BeaconParams{Period: 3, Threshold: 1}
	if _, _, err := ceremony.Assemble(parts, p); err == nil || !strings.Contains(err.Error(), "any one could open every capsule") {
		t.Fatalf("threshold 1 of 2: %v", err)
	}
	p.Beacon.AnyOneOpens = true
	doc, g, err := ceremony.Assemble(parts, p)
	if err != nil || g.Beacon.Threshold != 1 {
		t.Fatalf("threshold 1 of 2, asked for: %v", err)
	}
	// And install warns of it.
	in, err := ceremony.Install(homes[0], doc, ceremony.Hash(doc))
	if err != nil || in.BeaconThreshold != 1 || len(in.Warnings) != 1 || !strings.Contains(in.Warnings[0], "can open every capsule") {
		t.Fatalf("install of threshold 1 of 2: %+v %v", in, err)
	}
}

// TestInstallRefusesAHostileGenesis: a coordinator's genesis that puts code
// at a member's governor, or lowers the decision rules under the floors,
// is refused with the reason; one that grants what a member's policy does
// not expect (an admin, a funded account, its member's share) is refused
// under --expect; the grants are listed either way.
func TestInstallRefusesAHostileGenesis(t *testing.T) {
	coord := common.HexToAddress("0x00000000000000000000000000000000000c0c0c")
	for name, c := range map[string]struct {
		edit   func(g *genesis.Genesis)
		policy string
		want   string
	}{
		"code at a governor": {edit: func(g *genesis.Genesis) { g.Alloc[govB] = types.Account{Code: []byte{0x00}, Balance: big.NewInt(0)} },
			want: "so it could never send a transaction"},
		"a governor at a system contract": {edit: func(g *genesis.Genesis) {
			g.Consortium.Members = append(g.Consortium.Members, system.Member{Name: "Ghost", Weight: 1, Governors: []common.Address{system.ConsortiumAddress}})
		}, want: "a system contract or a precompile's address"},
		"a threshold of 1 bp": {edit: func(g *genesis.Genesis) { g.Consortium.Quorum, g.Consortium.Threshold = 1, 1 },
			want: "install wants at least 3334 and 5001"},
		"an unexpected admin": {edit: func(g *genesis.Genesis) {
			g.Consortium.Roles = append(g.Consortium.Roles, system.RoleGrant{Account: coord, Roles: []string{"admin"}})
		}, policy: `{"onlyAdmins": ["` + govA.Hex() + `"]}`, want: "is made admin, which the policy does not expect"},
		"a whale": {edit: func(g *genesis.Genesis) { g.Alloc[coord] = types.Account{Balance: big.NewInt(1e18)} },
			policy: `{"maxFundedWei": "1000"}`, want: "is funded with 1000000000000000000 wei"},
		"a member that outweighs": {edit: func(g *genesis.Genesis) {
			g.Consortium.Members = append(g.Consortium.Members, system.Member{Name: "Coordinator", Weight: 1000, Governors: []common.Address{coord}})
		}, policy: `{"myWeightAtLeastBps": 2000}`, want: "the policy expects at least 2000"},
	} {
		t.Run(name, func(t *testing.T) {
			_, homes, parts := members(t)
			p := params()
			p.Edit = c.edit
			doc, _, err := ceremony.Assemble(parts, p)
			if err != nil {
				t.Fatal(err)
			}
			var policy *ceremony.Policy
			if c.policy != "" {
				if policy, err = ceremony.ParsePolicy([]byte(c.policy)); err != nil {
					t.Fatal(err)
				}
				// Without the policy the genesis installs.
				if _, err := ceremony.Install(homes[1], doc, ceremony.Hash(doc)); err != nil {
					t.Fatalf("without the policy: %v", err)
				}
			}
			_, err = ceremony.InstallExpecting(homes[1], doc, ceremony.Hash(doc), policy)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			if gr, err := ceremony.Review(doc); err != nil || !strings.Contains(gr.Text(), "members (quorum") {
				t.Fatalf("the grants: %v", err)
			}
		})
	}
	if _, err := ceremony.ParsePolicy([]byte(`{"onlyAdmin": []}`)); !errors.Is(err, ceremony.ErrPolicy) {
		t.Fatalf("a misspelt policy field: %v", err)
	}
}

// TestAnOlderRuleVersionsGenesisNamesNoNodes: a genesis that starts before
// rule version 6 leaves out the validators' nodes and the nodes' members,
// fields the binaries of those versions do not know.
func TestAnOlderRuleVersionsGenesisNamesNoNodes(t *testing.T) {
	_, _, parts := members(t)
	p := params()
	p.Edit = func(g *genesis.Genesis) {
		g.Rules.Versions = []genesis.RuleVersion{{Version: genesis.VersionSplit, Height: 1}}
	}
	doc, _, err := ceremony.Assemble(parts, p)
	if err != nil {
		t.Fatal(err)
	}
	node, member := regexp.MustCompile(`"node": *"`), regexp.MustCompile(`"member": *"Beijing"`)
	if node.Match(doc) || member.Match(doc) {
		t.Fatalf("a version 5 genesis names validators' nodes or nodes' members:\n%s", doc)
	}
	doc, _, err = ceremony.Assemble(parts, params())
	if err != nil || !node.Match(doc) || !member.Match(doc) {
		t.Fatalf("a version %d genesis names no node or member (%v)", genesis.KnownRuleVersion, err)
	}
}
