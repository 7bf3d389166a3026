package module_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// fake is a module whose parts a test sets.
type fake struct {
	name      string
	contracts map[string]common.Address
	apis      []module.API
	mounts    []module.Mount
	accounts  types.GenesisAlloc
	sections  *[]json.RawMessage // the sections it was given
}

func (f fake) Name() string                         { return f.name }
func (f fake) Contracts() map[string]common.Address { return f.contracts }
func (f fake) APIs(module.Chain) []module.API       { return f.apis }
func (f fake) Mounts(module.Chain) []module.Mount   { return f.mounts }
func (f fake) GenesisAccounts(ctx module.GenesisContext) (types.GenesisAlloc, error) {
	if f.sections != nil {
		*f.sections = append(*f.sections, ctx.Section)
	}
	return f.accounts, nil
}

type service struct{}

func (service) Hello() string { return "hello" }

var (
	addrA = common.HexToAddress("0xC415000000000000000000000000000000000a01")
	addrB = common.HexToAddress("0xC415000000000000000000000000000000000b01")
)

func TestNewSetRefusesConflicts(t *testing.T) {
	for _, tc := range []struct {
		name string
		mods []module.Module
		want error
		says string
	}{
		{"an empty name", []module.Module{fake{name: ""}}, module.ErrInvalid, `named ""`},
		{"an upper-case name", []module.Module{fake{name: "Bank"}}, module.ErrInvalid, `named "Bank"`},
		{"two modules of one name", []module.Module{fake{name: "bank"}, fake{name: "bank"}}, module.ErrDuplicate, `two modules are named "bank"`},
		{"a core contract's address", []module.Module{fake{name: "bank", contracts: map[string]common.Address{"token": system.ConsortiumAddress}}}, module.ErrDuplicate, "the Consortium contract"},
		{"a precompile's address", []module.Module{fake{name: "bank", contracts: map[string]common.Address{"token": common.BytesToAddress([]byte{8})}}}, module.ErrDuplicate, "precompile"},
		{"two modules at one address", []module.Module{
			fake{name: "bank", contracts: map[string]common.Address{"token": addrA}},
			fake{name: "court", contracts: map[string]common.Address{"cases": addrA}},
		}, module.ErrDuplicate, "modules bank and court both place a contract at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := module.NewSet(tc.mods...)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("got %v, want %v saying %q", err, tc.want, tc.says)
			}
		})
	}
}

func TestAPIsAndMountsRefuseConflicts(t *testing.T) {
	h := http.NotFoundHandler()
	for _, tc := range []struct {
		name string
		mods []module.Module
		says string
	}{
		{"a core namespace", []module.Module{fake{name: "bank", apis: []module.API{{Namespace: "eth", Service: service{}}}}}, `namespace "eth", which the core serves`},
		{"one namespace for two modules", []module.Module{
			fake{name: "bank", apis: []module.API{{Namespace: "money", Service: service{}}}},
			fake{name: "court", apis: []module.API{{Namespace: "money", Service: service{}}}},
		}, `modules bank and court both serve the JSON-RPC namespace "money"`},
		{"a core path", []module.Module{fake{name: "bank", mounts: []module.Mount{{Prefix: "/health/x", Handler: h}}}}, "overlaps /health of the core"},
		{"a path under another module's", []module.Module{
			fake{name: "bank", mounts: []module.Mount{{Prefix: "/bank", Handler: h}}},
			fake{name: "court", mounts: []module.Mount{{Prefix: "/bank/court", Handler: h}}},
		}, "overlaps /bank of module bank"},
		{"old names outside the chuxin namespace", []module.Module{fake{name: "bank", apis: []module.API{{Namespace: "debug", Service: service{}, Compat: true}}}}, `old names live only in "chuxin"`},
		{"a path that is no path", []module.Module{fake{name: "bank", mounts: []module.Mount{{Prefix: "bank/", Handler: h}}}}, `mounts "bank/"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := module.NewSet(tc.mods...)
			if err != nil {
				t.Fatal(err)
			}
			_, aerr := s.APIs(nil)
			_, merr := s.Mounts(nil)
			err = errors.Join(aerr, merr)
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("got %v, want an error saying %q", err, tc.says)
			}
		})
	}
}

func TestCompatRegistrationsMayUseACoreNamespace(t *testing.T) {
	s, err := module.NewSet(fake{name: "bank", apis: []module.API{{Namespace: "bank", Service: service{}}, {Namespace: "chuxin", Service: service{}, Compat: true}}})
	if err != nil {
		t.Fatal(err)
	}
	apis, err := s.APIs(nil)
	if err != nil || len(apis) != 2 {
		t.Fatalf("got %d APIs, %v", len(apis), err)
	}
}

func TestGenesisSections(t *testing.T) {
	var seen []json.RawMessage
	acc := types.Account{Balance: common.Big1}
	bank := fake{name: "bank", contracts: map[string]common.Address{"token": addrA}, accounts: types.GenesisAlloc{addrA: acc}, sections: &seen}
	s, err := module.NewSet(bank, fake{name: "court"})
	if err != nil {
		t.Fatal(err)
	}
	alloc, err := s.GenesisAlloc(module.GenesisContext{Version: 1}, map[string]json.RawMessage{"bank": json.RawMessage(`{"x":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	if len(alloc) != 1 || alloc[addrA].Balance.Cmp(common.Big1) != 0 || len(seen) != 1 || string(seen[0]) != `{"x":1}` {
		t.Fatalf("alloc %v, sections %q", alloc, seen)
	}
	if _, err := s.GenesisAlloc(module.GenesisContext{Version: 1}, map[string]json.RawMessage{"bnak": json.RawMessage(`{}`)}); !errors.Is(err, module.ErrInvalid) || !strings.Contains(err.Error(), "app_state.modules.bnak") {
		t.Fatalf("a section no module owns: %v", err)
	}
	stray := fake{name: "bank", contracts: map[string]common.Address{"token": addrA}, accounts: types.GenesisAlloc{addrB: acc}}
	s, err = module.NewSet(stray)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GenesisAlloc(module.GenesisContext{Version: 1}, nil); !errors.Is(err, module.ErrInvalid) || !strings.Contains(err.Error(), "not among its contracts") {
		t.Fatalf("an account outside the module's contracts: %v", err)
	}
}

func TestServeFindsTheMountOfAGet(t *testing.T) {
	hit := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	mounts := []module.Mount{{Prefix: "/bank", Handler: hit}}
	for _, tc := range []struct {
		method, path string
		served       bool
	}{
		{http.MethodGet, "/bank", true},
		{http.MethodGet, "/bank/", true},
		{http.MethodGet, "/bank/a.js", true},
		{http.MethodHead, "/bank/a.js", true},
		{http.MethodGet, "/banking", false},
		{http.MethodPost, "/bank/", false},
		{http.MethodGet, "/", false},
	} {
		r := httptest.NewRequest(tc.method, tc.path, nil)
		if _, ok := module.Serve(mounts, r); ok != tc.served {
			t.Errorf("%s %s: served %v, want %v", tc.method, tc.path, ok, tc.served)
		}
	}
}

func TestANilSetHoldsNothing(t *testing.T) {
	var s *module.Set
	if apis, err := s.APIs(nil); err != nil || len(apis) != 0 {
		t.Fatal(apis, err)
	}
	if _, ok := s.Contract("x"); ok {
		t.Fatal("a nil set has a contract")
	}
	if alloc, err := s.GenesisAlloc(module.GenesisContext{Version: 1}, nil); err != nil || len(alloc) != 0 {
		t.Fatal(alloc, err)
	}
}

// later is a module active from rule version 3.
type later struct{ fake }

func (later) ActiveFrom() uint64 { return 3 }

func TestAModuleIsMadeWhenItsVersionComes(t *testing.T) {
	acc := types.Account{Balance: common.Big1}
	s, err := module.NewSet(later{fake{name: "clock", contracts: map[string]common.Address{"clock": addrA}, accounts: types.GenesisAlloc{addrA: acc}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		version, after uint64
		made           bool
	}{
		{2, 0, false}, // a chain that starts before version 3: not at genesis
		{3, 0, true},  // one that starts at it: at genesis
		{4, 0, true},
		{3, 2, true},  // version 3's first block, from 2
		{4, 2, true},  // a chain that skips to 4
		{4, 3, false}, // made already
	} {
		alloc, err := s.Accounts(module.GenesisContext{Version: tc.version}, tc.after, nil)
		if err != nil || (len(alloc) == 1) != tc.made {
			t.Errorf("version %d after %d: %d accounts (%v), want made %v", tc.version, tc.after, len(alloc), err, tc.made)
		}
	}
}

// part is a consensus part that handles payloads of some types, and
// extends votes if asked to.
type part struct{ types []execution.PayloadType }

func (p part) Payloads() map[execution.PayloadType]execution.PayloadHandler {
	out := map[execution.PayloadType]execution.PayloadHandler{}
	for _, t := range p.types {
		out[t] = nil
	}
	return out
}
func (part) Propose(*abci.PrepareProposalRequest) ([]execution.Payload, error) { return nil, nil }
func (part) CheckProposal(time.Time, []execution.Payload) error                { return nil }

type extender struct{ part }

func (extender) Extend(time.Time, [][]byte) ([]byte, error) { return nil, nil }
func (extender) VerifyExtension([]byte) error               { return nil }

// withPart is a module with a consensus part (nil: none on this chain), or
// one that fails to make it.
type withPart struct {
	name string
	part module.ConsensusPart
	err  error
	seen *[]module.ConsensusContext
}

func (m withPart) Name() string { return m.name }
func (m withPart) ConsensusPart(ctx module.ConsensusContext) (module.ConsensusPart, error) {
	if m.seen != nil {
		*m.seen = append(*m.seen, ctx)
	}
	return m.part, m.err
}

func TestConsensusPartsRefuseConflicts(t *testing.T) {
	var seen []module.ConsensusContext
	s, err := module.NewSet(
		withPart{name: "beacon", part: extender{part{[]execution.PayloadType{1}}}, seen: &seen},
		fake{name: "bank"},
		withPart{name: "none", seen: &seen},
		withPart{name: "bridge", part: part{[]execution.PayloadType{2, 3}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	g := &genesis.Genesis{}
	parts, err := s.ConsensusParts(module.ConsensusContext{Genesis: g, Home: "/h", Log: slog.New(slog.DiscardHandler)})
	if err != nil || len(parts) != 2 {
		t.Fatalf("parts %v, %v", parts, err)
	}
	if _, ok := parts[0].(module.VoteExtender); !ok {
		t.Fatal("the parts are not in the list's order")
	}
	if len(seen) != 2 || seen[0].Genesis != g || seen[0].Home != "/h" {
		t.Fatalf("the contexts the modules were given: %+v", seen)
	}
	for _, tc := range []struct {
		name string
		mods []module.Module
		want error
		says string
	}{
		{"two handlers of one payload type", []module.Module{withPart{name: "a", part: part{[]execution.PayloadType{1, 2}}}, withPart{name: "b", part: part{[]execution.PayloadType{2}}}},
			module.ErrDuplicate, "modules a and b both handle system payloads of type 2"},
		{"two vote extensions", []module.Module{withPart{name: "a", part: extender{part{[]execution.PayloadType{1}}}}, withPart{name: "b", part: extender{part{[]execution.PayloadType{2}}}}},
			module.ErrDuplicate, "modules a and b both extend votes"},
		{"a part that cannot be made", []module.Module{withPart{name: "a", err: errors.New("no share file")}},
			nil, "module a: no share file"},
	} {
		s, err := module.NewSet(tc.mods...)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.ConsensusParts(module.ConsensusContext{Genesis: g})
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// withPrecompile is a module with a precompile at an address, from a rule
// version, and perhaps the code of its contract at another version.
type withPrecompile struct {
	name     string
	at       common.Address
	from     uint64
	activeAt uint64
	code     map[common.Address][]byte
}

type nothing struct{}

func (nothing) Name() string                { return "NOTHING" }
func (nothing) RequiredGas([]byte) uint64   { return 0 }
func (nothing) Run([]byte) ([]byte, error)  { return nil, nil }
func (m withPrecompile) Name() string       { return m.name }
func (m withPrecompile) ActiveFrom() uint64 { return m.activeAt }
func (m withPrecompile) Precompiles() []execution.Precompile {
	return []execution.Precompile{{Address: m.at, Contract: nothing{}, From: m.from}}
}
func (m withPrecompile) Contracts() map[string]common.Address {
	out := map[string]common.Address{}
	for a := range m.code {
		out["c"+a.Hex()] = a
	}
	return out
}
func (m withPrecompile) Code(module.GenesisContext) (map[common.Address][]byte, error) {
	return m.code, nil
}

// TestPrecompilesAndCodeAreTheirModulesAlone: a module's precompile takes
// an address as its contracts do, none of the core's or another module's;
// it runs from the later of its version and its module's; a module's code
// by version goes only to its own contracts.
func TestPrecompilesAndCodeAreTheirModulesAlone(t *testing.T) {
	for _, tc := range []struct {
		name string
		mods []module.Module
		says string
	}{
		{"a core precompile's address", []module.Module{withPrecompile{name: "zk", at: common.BytesToAddress([]byte{8})}}, "an Ethereum precompile"},
		{"the Consortium's address", []module.Module{withPrecompile{name: "zk", at: system.ConsortiumAddress}}, "the Consortium contract"},
		{"another module's contract", []module.Module{fake{name: "bank", contracts: map[string]common.Address{"token": addrA}}, withPrecompile{name: "zk", at: addrA}},
			"modules bank and zk both place a contract at"},
	} {
		if _, err := module.NewSet(tc.mods...); !errors.Is(err, module.ErrDuplicate) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if _, err := module.NewSet(twoPrecompiles{}); !errors.Is(err, module.ErrDuplicate) || !strings.Contains(err.Error(), "where it has a contract or precompile already") {
		t.Errorf("two precompiles of one module at one address: %v", err)
	}
	s, err := module.NewSet(withPrecompile{name: "zk", at: addrA, from: 2, activeAt: 4, code: map[common.Address][]byte{addrB: {1}}})
	if err != nil {
		t.Fatal(err)
	}
	if pcs := s.Precompiles(); len(pcs) != 1 || pcs[0].Address != addrA || pcs[0].From != 4 {
		t.Fatalf("the precompiles: %+v", pcs)
	}
	if code, err := s.Code(module.GenesisContext{Version: 3}, nil); err != nil || len(code) != 0 {
		t.Fatalf("the code of a version before the module: %v, %v", code, err)
	}
	if code, err := s.Code(module.GenesisContext{Version: 4}, nil); err != nil || len(code) != 1 || code[addrB][0] != 1 {
		t.Fatalf("the code of its version: %v, %v", code, err)
	}
}

// twoPrecompiles places two precompiles of one name at one address.
type twoPrecompiles struct{}

func (twoPrecompiles) Name() string { return "zk" }
func (twoPrecompiles) Precompiles() []execution.Precompile {
	return []execution.Precompile{{Address: addrA, Contract: nothing{}}, {Address: addrA, Contract: nothing{}}}
}

// refuseAll is a module, active from version 4, whose admission rule
// refuses every transaction.
type refuseAll struct{}

func (refuseAll) Name() string                           { return "strict" }
func (refuseAll) ActiveFrom() uint64                     { return 4 }
func (refuseAll) AdmissionRule() execution.AdmissionRule { return refuseAll{} }
func (refuseAll) Admit(execution.Accounts, *types.Transaction, common.Address, uint64) error {
	return errors.New("no")
}

// TestAnAdmissionRuleAppliesWhileItsModuleIsActive: a module's part of the
// admission rule refuses nothing under a rule version before its module's.
func TestAnAdmissionRuleAppliesWhileItsModuleIsActive(t *testing.T) {
	s, err := module.NewSet(fake{name: "bank"}, refuseAll{})
	if err != nil {
		t.Fatal(err)
	}
	rules := s.Admission()
	if len(rules) != 1 {
		t.Fatalf("%d rules", len(rules))
	}
	tx := types.NewTx(&types.LegacyTx{})
	if err := rules[0].Admit(nil, tx, common.Address{}, 3); err != nil {
		t.Fatalf("under version 3: %v", err)
	}
	if err := rules[0].Admit(nil, tx, common.Address{}, 4); err == nil {
		t.Fatal("under version 4 the rule refused nothing")
	}
}

// audited is a module whose audit entries have the given kinds.
type audited struct {
	name  string
	kinds []string
	addrs []common.Address
}

func (a audited) Name() string                                { return a.name }
func (a audited) AuditAddresses() []common.Address            { return a.addrs }
func (a audited) AuditKinds() []string                        { return a.kinds }
func (audited) AuditLog(*types.Log) (module.AuditEntry, bool) { return module.AuditEntry{}, false }

// TestTwoModulesMayNotShareAnAuditKind: chuxin_audit's kind filter names
// one module's entries.
func TestTwoModulesMayNotShareAnAuditKind(t *testing.T) {
	if _, err := module.NewSet(audited{"court", []string{"case"}, []common.Address{addrA}}, audited{"bank", []string{"payment"}, []common.Address{addrB}}); err != nil {
		t.Fatal(err)
	}
	_, err := module.NewSet(audited{"court", []string{"case"}, nil}, audited{"credit", []string{"loan", "case"}, nil})
	if !errors.Is(err, module.ErrDuplicate) || !strings.Contains(err.Error(), `modules court and credit both tell audit entries of kind "case"`) {
		t.Fatalf("two modules of one kind: %v", err)
	}
	_, err = module.NewSet(audited{"court", []string{"case"}, []common.Address{addrA}}, audited{"credit", []string{"loan"}, []common.Address{addrA}})
	if !errors.Is(err, module.ErrDuplicate) || !strings.Contains(err.Error(), "both tell the logs of") {
		t.Fatalf("two modules of one contract: %v", err)
	}
}
