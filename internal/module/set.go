package module

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// Sentinel errors.
var (
	// ErrDuplicate: two modules claim one name, namespace, address or URL
	// prefix, or a module claims one the core holds.
	ErrDuplicate = errors.New("module conflict")
	// ErrInvalid: a module's declaration, or its genesis section, is wrong.
	ErrInvalid = errors.New("invalid module")
)

// ReservedNamespaces are the JSON-RPC namespaces the core serves.
var ReservedNamespaces = []string{"eth", "net", "web3", "txpool", "debug", "chuxin", "rpc"}

// CompatNamespace is the only namespace where modules keep old method
// names (API.Compat): the methods applications had before modules.
const CompatNamespace = "chuxin"

// ReservedPrefixes are the URL paths the core serves on the JSON-RPC port.
var ReservedPrefixes = []string{"/health", "/ready"}

var _ genesis.Modules = (*Set)(nil)

var nameRe = regexp.MustCompile(`^[a-z][a-z0-9]{0,31}$`)

// Set is a checked, ordered list of modules. Its zero value and nil hold
// none. It is the genesis's view of the modules (genesis.Modules).
type Set struct {
	mods      []Module
	addresses map[common.Address]string // owner of each module contract
}

// NewSet checks mods and returns them as a Set, in their order.
func NewSet(mods ...Module) (*Set, error) {
	s := &Set{addresses: map[common.Address]string{}}
	core := coreAddresses()
	names := map[string]bool{}
	for i, m := range mods {
		name := m.Name()
		if !nameRe.MatchString(name) {
			return nil, fmt.Errorf("%w: module %d is named %q: want lower-case letters and digits, from a letter", ErrInvalid, i, name)
		}
		if names[name] {
			return nil, fmt.Errorf("%w: two modules are named %q", ErrDuplicate, name)
		}
		names[name] = true
		owned := map[string]common.Address{}
		if c, ok := m.(Contracts); ok {
			maps.Copy(owned, c.Contracts())
		}
		if p, ok := m.(Precompiles); ok {
			for i, pc := range p.Precompiles() {
				key := fmt.Sprintf("its precompile %d (%s)", i, pc.Contract.Name())
				if slices.Contains(slices.Collect(maps.Values(owned)), pc.Address) {
					return nil, fmt.Errorf("%w: module %s places %s at %s, where it has a contract or precompile already", ErrDuplicate, name, key, pc.Address)
				}
				owned[key] = pc.Address
			}
		}
		for _, key := range slices.Sorted(maps.Keys(owned)) {
			a := owned[key]
			if what, taken := core[a]; taken {
				return nil, fmt.Errorf("%w: module %s places %s at %s, the address of %s", ErrDuplicate, name, key, a, what)
			}
			if other, taken := s.addresses[a]; taken {
				return nil, fmt.Errorf("%w: modules %s and %s both place a contract at %s", ErrDuplicate, other, name, a)
			}
			s.addresses[a] = name
		}
	}
	kinds, audited := map[string]string{}, map[common.Address]string{}
	for _, m := range mods {
		a, ok := m.(Audit)
		if !ok {
			continue
		}
		for _, k := range a.AuditKinds() {
			if other, taken := kinds[k]; taken {
				return nil, fmt.Errorf("%w: modules %s and %s both tell audit entries of kind %q", ErrDuplicate, other, m.Name(), k)
			}
			kinds[k] = m.Name()
		}
		for _, addr := range a.AuditAddresses() {
			if other, taken := audited[addr]; taken {
				return nil, fmt.Errorf("%w: modules %s and %s both tell the logs of %s in the audit trail", ErrDuplicate, other, m.Name(), addr)
			}
			audited[addr] = m.Name()
		}
	}
	s.mods = slices.Clone(mods)
	return s, nil
}

// coreAddresses are the addresses the core's contracts and precompiles
// hold, by what they are.
func coreAddresses() map[common.Address]string {
	out := map[common.Address]string{
		system.ConsortiumAddress:            "the Consortium contract",
		system.ConsortiumViewsAddress:       "the Consortium's views",
		system.ConsortiumPermissionsAddress: "the Consortium's permissions",
		system.ConsortiumValidatorsAddress:  "the Consortium's validators",
		system.ConsortiumNetworkAddress:     "the Consortium's network",
		params.DeterministicFactoryAddress:  "the deterministic deployment factory",
	}
	for _, d := range system.StandardDeployments {
		out[d.Address] = "the standard deployment " + d.Name
	}
	for i := 1; i <= 0x11; i++ {
		out[common.BytesToAddress([]byte{byte(i)})] = "an Ethereum precompile"
	}
	out[common.HexToAddress("0x100")] = "an Ethereum precompile" // P256VERIFY
	return out
}

// Modules returns the modules, in order.
func (s *Set) Modules() []Module {
	if s == nil {
		return nil
	}
	return slices.Clone(s.mods)
}

// Contract returns the address of a module contract by its name.
func (s *Set) Contract(name string) (common.Address, bool) {
	for _, m := range s.Modules() {
		if c, ok := m.(Contracts); ok {
			if a, ok := c.Contracts()[name]; ok {
				return a, true
			}
		}
	}
	return common.Address{}, false
}

// ActiveFrom is the rule version from which m is active (1 unless it says).
func ActiveFrom(m Module) uint64 {
	if a, ok := m.(Activation); ok {
		return max(a.ActiveFrom(), 1)
	}
	return 1
}

// GenesisAlloc returns the accounts of the modules active at genesis
// (base.Version), each module's Section taken from sections
// (app_state.modules).
func (s *Set) GenesisAlloc(base GenesisContext, sections map[string]json.RawMessage) (types.GenesisAlloc, error) {
	return s.Accounts(base, 0, sections)
}

// Accounts returns the accounts of the modules that become active after
// rule version after, up to base.Version: at genesis (after 0), or on the
// first block of base.Version. A section no module of the set owns is
// refused: it may be an application this binary lacks.
func (s *Set) Accounts(base GenesisContext, after uint64, sections map[string]json.RawMessage) (types.GenesisAlloc, error) {
	for _, name := range slices.Sorted(maps.Keys(sections)) {
		if !slices.ContainsFunc(s.Modules(), func(m Module) bool { return m.Name() == name }) {
			return nil, fmt.Errorf("%w: app_state.modules.%s: this binary has no module %q (a misspelt name, or an application a newer chuxin carries)", ErrInvalid, name, name)
		}
	}
	out := types.GenesisAlloc{}
	for _, m := range s.Modules() {
		g, ok := m.(Genesis)
		if from := ActiveFrom(m); !ok || from <= after || from > base.Version {
			continue
		}
		ctx := base
		ctx.Section = sections[m.Name()]
		accounts, err := g.GenesisAccounts(ctx)
		if err != nil {
			return nil, fmt.Errorf("module %s genesis: %w", m.Name(), err)
		}
		for a, acc := range accounts {
			if s.addresses[a] != m.Name() {
				return nil, fmt.Errorf("%w: module %s has a genesis account at %s, which is not among its contracts", ErrInvalid, m.Name(), a)
			}
			out[a] = acc
		}
	}
	return out, nil
}

// Precompiles returns the modules' precompiled contracts, in order, each
// from the later of its own rule version and its module's.
func (s *Set) Precompiles() []execution.Precompile {
	var out []execution.Precompile
	for _, m := range s.Modules() {
		if p, ok := m.(Precompiles); ok {
			for _, pc := range p.Precompiles() {
				pc.From = max(pc.From, ActiveFrom(m))
				out = append(out, pc)
			}
		}
	}
	return out
}

// Admission returns the modules' parts of the admission rule, in order,
// each applied only under rule versions where its module is active.
func (s *Set) Admission() []execution.AdmissionRule {
	var out []execution.AdmissionRule
	for _, m := range s.Modules() {
		if a, ok := m.(Admission); ok {
			out = append(out, activeRule{from: ActiveFrom(m), rule: a.AdmissionRule()})
		}
	}
	return out
}

// activeRule applies rule from rule version from on.
type activeRule struct {
	from uint64
	rule execution.AdmissionRule
}

func (a activeRule) Admit(st execution.Accounts, tx *types.Transaction, from common.Address, version uint64) error {
	if version < a.from {
		return nil
	}
	return a.rule.Admit(st, tx, from, version)
}

// Code returns the code of the active modules' contracts under rule
// version base.Version (Code), each module's Section taken from sections.
func (s *Set) Code(base GenesisContext, sections map[string]json.RawMessage) (map[common.Address][]byte, error) {
	out := map[common.Address][]byte{}
	for _, m := range s.Modules() {
		c, ok := m.(Code)
		if !ok || ActiveFrom(m) > base.Version {
			continue
		}
		ctx := base
		ctx.Section = sections[m.Name()]
		code, err := c.Code(ctx)
		if err != nil {
			return nil, fmt.Errorf("module %s code of rule version %d: %w", m.Name(), base.Version, err)
		}
		for a, c := range code {
			if s.addresses[a] != m.Name() {
				return nil, fmt.Errorf("%w: module %s gives code to %s, which is not among its contracts", ErrInvalid, m.Name(), a)
			}
			out[a] = c
		}
	}
	return out, nil
}

// Hooks returns the modules' system-call hooks, in order, each run only
// in blocks where its module is active.
func (s *Set) Hooks() []execution.Hook {
	var out []execution.Hook
	for _, m := range s.Modules() {
		if h, ok := m.(Hooks); ok {
			for _, hook := range h.Hooks() {
				out = append(out, activeHook{from: ActiveFrom(m), hook: hook})
			}
		}
	}
	return out
}

// activeHook runs hook from rule version from on.
type activeHook struct {
	from uint64
	hook execution.Hook
}

func (a activeHook) PreBlock(sys *execution.System, in *execution.BlockInput) error {
	if sys.Version() < a.from {
		return nil
	}
	return a.hook.PreBlock(sys, in)
}

func (a activeHook) PostBlock(sys *execution.System, in *execution.BlockInput, out *execution.Updates) error {
	if sys.Version() < a.from {
		return nil
	}
	return a.hook.PostBlock(sys, in, out)
}

// Addresses returns every address a module owns, by owner.
func (s *Set) Addresses() map[common.Address]string {
	if s == nil {
		return nil
	}
	return maps.Clone(s.addresses)
}

// APIs returns the modules' JSON-RPC services, in order, after checking
// that no two modules, and no module and the core, share a namespace.
func (s *Set) APIs(chain Chain) ([]API, error) {
	var out []API
	owner := map[string]string{}
	for _, m := range s.Modules() {
		a, ok := m.(APIs)
		if !ok {
			continue
		}
		for _, api := range a.APIs(chain) {
			if api.Compat {
				if api.Namespace != CompatNamespace {
					return nil, fmt.Errorf("%w: module %s keeps old names in the namespace %q: old names live only in %q", ErrInvalid, m.Name(), api.Namespace, CompatNamespace)
				}
				out = append(out, api)
				continue
			}
			if !nameRe.MatchString(api.Namespace) {
				return nil, fmt.Errorf("%w: module %s's JSON-RPC namespace %q: want lower-case letters and digits", ErrInvalid, m.Name(), api.Namespace)
			}
			if slices.Contains(ReservedNamespaces, api.Namespace) {
				return nil, fmt.Errorf("%w: module %s takes the JSON-RPC namespace %q, which the core serves", ErrDuplicate, m.Name(), api.Namespace)
			}
			if other, taken := owner[api.Namespace]; taken && other != m.Name() {
				return nil, fmt.Errorf("%w: modules %s and %s both serve the JSON-RPC namespace %q", ErrDuplicate, other, m.Name(), api.Namespace)
			}
			owner[api.Namespace] = m.Name()
			out = append(out, api)
		}
	}
	return out, nil
}

// Mounts returns the modules' HTTP mounts, in order, after checking that
// no two of them, and none and the core's paths, overlap.
func (s *Set) Mounts(chain Chain) ([]Mount, error) {
	var out []Mount
	owner := map[string]string{}
	for _, p := range ReservedPrefixes {
		owner[p] = "the core"
	}
	for _, m := range s.Modules() {
		h, ok := m.(HTTP)
		if !ok {
			continue
		}
		for _, mt := range h.Mounts(chain) {
			if !validPrefix(mt.Prefix) || mt.Handler == nil {
				return nil, fmt.Errorf("%w: module %s mounts %q: want a path such as /name, of lower-case letters, digits and dashes, with a handler", ErrInvalid, m.Name(), mt.Prefix)
			}
			for p, other := range owner {
				if Under(p, mt.Prefix) || Under(mt.Prefix, p) {
					return nil, fmt.Errorf("%w: module %s mounts %s, which overlaps %s of %s", ErrDuplicate, m.Name(), mt.Prefix, p, other)
				}
			}
			owner[mt.Prefix] = "module " + m.Name()
			out = append(out, mt)
		}
	}
	return out, nil
}

var prefixRe = regexp.MustCompile(`^(/[a-z0-9][a-z0-9-]*)+$`)

func validPrefix(p string) bool { return prefixRe.MatchString(p) }

// Under says whether path is prefix or lies under it.
func Under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// Serve finds the mount that serves a GET request's path.
func Serve(mounts []Mount, r *http.Request) (http.Handler, bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return nil, false
	}
	for _, m := range mounts {
		if Under(r.URL.Path, m.Prefix) {
			return m.Handler, true
		}
	}
	return nil, false
}

// Commands returns the modules' CLI commands, in order.
func (s *Set) Commands() []*cobra.Command {
	var out []*cobra.Command
	for _, m := range s.Modules() {
		if c, ok := m.(Commands); ok {
			out = append(out, c.Commands()...)
		}
	}
	return out
}
