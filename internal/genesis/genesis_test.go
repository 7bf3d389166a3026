package genesis_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func valid() *genesis.Genesis {
	g := genesis.New(1337)
	g.Validators = []genesis.Validator{{Name: "a", PubKey: key(1), Power: 10, FeeRecipient: common.Address{9}}}
	g.Consortium = system.NewGenesis("a", common.Address{7}, true)
	return g
}

func TestDefaultGenesisRoundTrips(t *testing.T) {
	g := valid()
	raw, err := g.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := genesis.Parse(raw)
	if err != nil {
		t.Fatalf("the default genesis does not parse back: %v", err)
	}
	if err := genesis.CheckStored(mustEncode(t, &g.Rules), &back.Rules); err != nil {
		t.Fatalf("rules changed in a round trip: %v", err)
	}
	if back.Rules.Ethereum.OsakaTime == nil || *back.Rules.Ethereum.OsakaTime != 0 || back.Rules.Ethereum.AmsterdamTime != nil {
		t.Fatal("a new chain runs Osaka from genesis and no fork in development")
	}
}

func TestParseRefusesFieldsItDoesNotKnow(t *testing.T) {
	raw, _ := valid().Marshal()
	for _, tc := range []struct{ from, to string }{
		{`"gasLimit"`, `"gasLimt"`},       // a typo must not fall back to a default
		{`"osakaTime"`, `"glamsterTime"`}, // a fork this go-ethereum does not know
	} {
		bad := bytes.Replace(raw, []byte(tc.from), []byte(tc.to), 1)
		if _, err := genesis.Parse(bad); !errors.Is(err, genesis.ErrInvalid) || !strings.Contains(err.Error(), tc.to) {
			t.Errorf("%s: %v", tc.to, err)
		}
	}
}

func TestValidateNamesTheField(t *testing.T) {
	five, one, ten := big.NewInt(5), uint64(1), uint64(10)
	for _, tc := range []struct {
		field string
		edit  func(g *genesis.Genesis)
	}{
		{"chainId", func(g *genesis.Genesis) { g.ChainID = 0 }},
		{"rules.gasLimit", func(g *genesis.Genesis) { g.Rules.GasLimit = genesis.MinGasLimit - 1 }},
		{"rules.versions", func(g *genesis.Genesis) { g.Rules.Versions = nil }},
		{"rules.versions", func(g *genesis.Genesis) { g.Rules.Versions[0].Height = 5 }},
		{"rules.versions[1]", func(g *genesis.Genesis) {
			g.Rules.Versions = append(g.Rules.Versions, genesis.RuleVersion{Version: 1, Height: 9})
		}},
		{"rules.voteExtensionsHeight", func(g *genesis.Genesis) { g.Rules.VoteExtensionsHeight = -1 }},
		{"rules.ethereum is missing", func(g *genesis.Genesis) { g.Rules.Ethereum = nil }},
		{"rules.ethereum.chainId", func(g *genesis.Genesis) { g.Rules.Ethereum.ChainID = big.NewInt(1) }},
		{"rules.ethereum.londonBlock", func(g *genesis.Genesis) { g.Rules.Ethereum.LondonBlock = five }},
		{"rules.ethereum.terminalTotalDifficulty", func(g *genesis.Genesis) { g.Rules.Ethereum.TerminalTotalDifficulty = five }},
		{"rules.ethereum.amsterdamTime", func(g *genesis.Genesis) { g.Rules.Ethereum.AmsterdamTime = &one }},
		{"rules.ethereum", func(g *genesis.Genesis) { g.Rules.Ethereum.PragueTime = &ten }}, // Osaka before Prague
		{"validators[0].pubKey", func(g *genesis.Genesis) { g.Validators[0].PubKey = key(1)[:31] }},
		{"validators[0].power", func(g *genesis.Genesis) { g.Validators[0].Power = 0 }},
		{"validators[0].pubKey is all zeros", func(g *genesis.Genesis) { g.Validators[0].PubKey = make([]byte, 32) }},
		{"validators[0] and validators[1]", func(g *genesis.Genesis) { g.Validators = append(g.Validators, g.Validators[0]) }},
		{"validators[0].node", func(g *genesis.Genesis) { g.Validators[0].Node = "7c1e" }},
		{"validators[0].node 7c1e000000000000000000000000000000000000 is not among consortium.nodes", func(g *genesis.Genesis) {
			g.Validators[0].Node = "7c1e000000000000000000000000000000000000"
		}},
		{"validators[0] and validators[1] name node", func(g *genesis.Genesis) {
			id := "7c1e000000000000000000000000000000000000"
			g.Consortium.Nodes = append(g.Consortium.Nodes, system.Node{ID: id})
			other := g.Validators[0]
			other.PubKey = key(9)[:]
			g.Validators = append(g.Validators, other)
			g.Validators[0].Node, g.Validators[1].Node = id, id
		}},
		{"consortium.members", func(g *genesis.Genesis) { g.Consortium.Members = nil }},
		{`names member "Z", which is not among consortium.members`, func(g *genesis.Genesis) {
			g.Consortium.Nodes = append(g.Consortium.Nodes, system.Node{ID: "7c1e000000000000000000000000000000000000", Member: "Z"})
		}},
		{"consortium.quorum", func(g *genesis.Genesis) { g.Consortium.Quorum = 10001 }},
		{"consortium.votingPeriod", func(g *genesis.Genesis) { g.Consortium.VotingPeriod = 0 }},
		{`"auditor"`, func(g *genesis.Genesis) { g.Consortium.Roles[0].Roles = []string{"auditor"} }},
	} {
		g := valid()
		tc.edit(g)
		if err := g.Validate(); !errors.Is(err, genesis.ErrInvalid) || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: %v", tc.field, err)
		}
	}
}

func TestRuleVersionSchedule(t *testing.T) {
	r := genesis.DefaultRules(1)
	r.Versions = append(r.Versions, genesis.RuleVersion{Version: genesis.KnownRuleVersion + 1, Height: 100})
	for _, tc := range []struct {
		height, version uint64
		known           bool
	}{{1, genesis.KnownRuleVersion, true}, {99, genesis.KnownRuleVersion, true}, {100, genesis.KnownRuleVersion + 1, false}, {500, genesis.KnownRuleVersion + 1, false}} {
		if v := r.VersionAt(tc.height); v != tc.version {
			t.Errorf("height %d: version %d, want %d", tc.height, v, tc.version)
		}
		err := r.Check(tc.height)
		if tc.known != (err == nil) || (err != nil && (!errors.Is(err, genesis.ErrUnknownRules) || !strings.Contains(err.Error(), fmt.Sprintf("rule version %d", genesis.KnownRuleVersion+1)))) {
			t.Errorf("height %d: %v", tc.height, err)
		}
	}
	if next, ok := r.NextUnknown(50); !ok || next.Height != 100 {
		t.Errorf("the coming unknown version was not announced: %v %v", next, ok)
	}
	if _, ok := r.NextUnknown(100); ok {
		t.Error("a version already in force was announced as coming")
	}
}

func TestCheckStoredNamesTheFirstDifference(t *testing.T) {
	stored := mustEncode(t, &valid().Rules)
	g := valid()
	if err := genesis.CheckStored(stored, &g.Rules); err != nil {
		t.Fatalf("same rules: %v", err)
	}
	g.Rules.GasLimit = 30_000_000
	g.Rules.VoteExtensionsHeight = 7
	err := genesis.CheckStored(stored, &g.Rules)
	if !errors.Is(err, genesis.ErrRulesDiffer) || !strings.Contains(err.Error(), "rules.gasLimit is 100000000 in the data directory and 30000000 in genesis.json") {
		t.Fatalf("want the gas limit named first: %v", err)
	}
	g = valid()
	g.Rules.Versions = append(g.Rules.Versions, genesis.RuleVersion{Version: 2, Height: 50})
	if err := genesis.CheckStored(stored, &g.Rules); !strings.Contains(err.Error(), "rules.versions is") {
		t.Fatalf("an added rule version: %v", err)
	}
}

func TestCheckValidatorsComparesKeysAndPowers(t *testing.T) {
	g := valid()
	g.Validators = append(g.Validators, genesis.Validator{PubKey: key(2), Power: 5})
	same := []genesis.ConsensusValidator{{PubKey: key(2), Power: 5}, {PubKey: key(1), Power: 10}}
	if err := g.CheckValidators(same); err != nil {
		t.Fatalf("same validators in another order: %v", err)
	}
	for name, got := range map[string][]genesis.ConsensusValidator{
		"missing":     same[:1],
		"other power": {{PubKey: key(2), Power: 6}, {PubKey: key(1), Power: 10}},
		"extra":       append(same, genesis.ConsensusValidator{PubKey: key(3), Power: 1}),
	} {
		if err := g.CheckValidators(got); !errors.Is(err, genesis.ErrValidators) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func mustEncode(t *testing.T, r *genesis.Rules) []byte {
	t.Helper()
	b, err := genesis.EncodeRules(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
