package genesis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"

	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// Genesis is chuxin's part of a chain's genesis: it travels as the app_state
// of the CometBFT genesis document, so one file describes the whole chain.
type Genesis struct {
	// ChainID is the EIP-155 chain id that every transaction is signed for.
	ChainID uint64 `json:"chainId"`
	// Timestamp is the time of block 0, in seconds since the epoch.
	Timestamp uint64 `json:"timestamp"`
	// Rules is the chain's whole rule set.
	Rules Rules `json:"rules"`
	// Validators are the first validators, exactly as the CometBFT genesis
	// names them, each with the account that receives its blocks' fees.
	Validators []Validator `json:"validators"`
	// Consortium is who governs the network at genesis: its members,
	// parameters and the accounts with roles. The Consortium system
	// contract starts with it (and with the validators above).
	Consortium system.Genesis `json:"consortium"`
	// Beacon, if set, is the committee of validators that releases the
	// time capsules' epoch keys through vote extensions, and its epochs.
	Beacon *capsule.Beacon `json:"beacon,omitempty"`
	// Alloc is the initial state: balances, code and storage. The system
	// contracts (SystemAllocs) are added to it.
	Alloc types.GenesisAlloc `json:"alloc"`
	// Modules are the modules' own genesis sections, by module name; each
	// module decodes its own, strictly.
	Modules map[string]json.RawMessage `json:"modules,omitempty"`

	// modules are the modules of the binary that runs the chain, whose
	// genesis accounts SystemAllocs adds (UseModules).
	modules Modules
}

// ModuleContext is what a module's contracts may depend on when they are
// made: at genesis, or on the block where the rule version that activates
// the module takes effect.
type ModuleContext struct {
	Config  *params.ChainConfig
	Time    uint64 // the genesis block's time
	Version uint64 // the chuxin rule version in force
	// ChainID is the chain's EIP-155 chain id.
	ChainID uint64
	// Beacon is the genesis's beacon committee (nil: the chain has none).
	Beacon *capsule.Beacon
	// Section is the module's own genesis section, app_state.modules.NAME
	// (nil: absent). The module decodes it strictly and names the field on
	// error.
	Section json.RawMessage
}

// Modules are the modules a chain runs, as its genesis needs them
// (module.Set).
type Modules interface {
	// Accounts returns the accounts of the modules that become active
	// after rule version after, up to ctx.Version (after 0: at genesis),
	// each module given its section of sections.
	Accounts(ctx ModuleContext, after uint64, sections map[string]json.RawMessage) (types.GenesisAlloc, error)
	// Code returns the code of the active modules' contracts under rule
	// version ctx.Version, where it changes with versions.
	Code(ctx ModuleContext, sections map[string]json.RawMessage) (map[common.Address][]byte, error)
}

// UseModules makes g the genesis of a chain that runs mods: the accounts
// of those active at genesis join the system contracts, and the others'
// are made when the rule version that activates them takes effect
// (ModuleAccounts). It refuses a genesis section of a module mods lacks,
// and a section its module refuses. Every node of a chain must run the
// same modules, as the same rules.
func (g *Genesis) UseModules(mods Modules) error {
	g.modules = mods
	atGenesis, err := g.moduleAllocs(0, g.Rules.VersionAt(1))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	// The beacon's contract, precompile and payloads are a module's: a
	// binary without it would make another genesis and refuse the
	// beacon's blocks.
	if _, ok := atGenesis[system.CapsulesAddress]; g.Beacon != nil && !ok {
		return fmt.Errorf("%w: the genesis has a beacon committee, but no module of this binary places the Capsules contract (%s): use a chuxin that carries the beacon module", ErrInvalid, system.CapsulesAddress)
	}
	// The modules a later rule version activates are made then, from their
	// sections: a section they would refuse is refused now, not at that
	// height, where it would stop every node; and their addresses must be
	// empty, since making them keeps no code or storage found there.
	first := g.Rules.VersionAt(1)
	later, err := g.moduleAllocs(first, max(KnownRuleVersion, first))
	if err != nil {
		return fmt.Errorf("%w: %w (a module of a later rule version)", ErrInvalid, err)
	}
	for a := range later {
		if acc, ok := g.Alloc[a]; ok && (len(acc.Code) > 0 || len(acc.Storage) > 0 || acc.Nonce > 0) {
			return fmt.Errorf("%w: alloc gives %s code, storage or a nonce, but a module a later rule version activates is made there", ErrInvalid, a)
		}
	}
	return nil
}

// ModuleAccounts returns the accounts of the modules that rule version
// activates on a chain coming from rule version prev: what the node
// creates on the block where version takes effect.
func (g *Genesis) ModuleAccounts(prev, version uint64) (types.GenesisAlloc, error) {
	return g.moduleAllocs(prev, version)
}

// moduleAllocs are the accounts of g's modules that become active after
// rule version after, up to version.
func (g *Genesis) moduleAllocs(after, version uint64) (types.GenesisAlloc, error) {
	if g.modules == nil {
		if len(g.Modules) > 0 {
			return nil, fmt.Errorf("%w: app_state.modules is set, but no modules were given to this genesis", ErrInvalid)
		}
		if g.Beacon != nil {
			return nil, fmt.Errorf("%w: the genesis has a beacon committee, whose contract is a module's, but no modules were given to it (UseModules)", ErrInvalid)
		}
		return nil, nil
	}
	return g.modules.Accounts(g.moduleContext(version), after, g.Modules)
}

// moduleContext is what g's modules are made from under rule version.
func (g *Genesis) moduleContext(version uint64) ModuleContext {
	return ModuleContext{Config: g.Rules.Ethereum, Time: g.Timestamp, Version: version, ChainID: g.ChainID, Beacon: g.Beacon}
}

// New returns the genesis of a new chain with DefaultRules, no validators,
// nothing allocated and a consortium with the default parameters but no
// members yet (a chain needs one).
func New(chainID uint64) *Genesis {
	return &Genesis{ChainID: chainID, Rules: DefaultRules(chainID), Alloc: types.GenesisAlloc{},
		Consortium: system.Genesis{Quorum: system.DefaultQuorum, Threshold: system.DefaultThreshold, VotingPeriod: system.DefaultVotingPeriod}}
}

// Parse decodes and validates a genesis app_state. A field it does not know
// is refused, not ignored: it may be a rule this binary would not apply.
func Parse(raw []byte) (*Genesis, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var g Genesis
	if err := dec.Decode(&g); err != nil {
		if strings.Contains(err.Error(), "unknown field") {
			return nil, fmt.Errorf("%w: app_state: %v: a misspelt field, or a rule this binary does not know (then upgrade chuxin)", ErrInvalid, err)
		}
		return nil, fmt.Errorf("%w: app_state is not a chuxin genesis: %v", ErrInvalid, err)
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	return &g, nil
}

// Validate reports the first field of g that no chain could run with.
func (g *Genesis) Validate() error {
	if g.ChainID == 0 {
		return fmt.Errorf("%w: chainId must be set (a positive EIP-155 chain id)", ErrInvalid)
	}
	if err := g.Rules.validate(g.ChainID); err != nil {
		return err
	}
	if err := validateValidators(g.Validators, g.Consortium.Nodes); err != nil {
		return err
	}
	if err := g.Consortium.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if b := g.Beacon; b != nil {
		if err := b.Validate(); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		for i, h := range b.Holders {
			if !slices.ContainsFunc(g.Validators, func(v Validator) bool { return bytes.Equal(v.PubKey, h.Validator) }) {
				return fmt.Errorf("%w: beacon.holders[%d] is no genesis validator: only validators release epoch keys", ErrInvalid, i)
			}
		}
		if g.Rules.VoteExtensionsHeight != 1 {
			return fmt.Errorf("%w: a beacon needs vote extensions from height 1 (rules.voteExtensionsHeight 1, and consensus_params.feature.vote_extensions_enable_height 1)", ErrInvalid)
		}
	}
	return nil
}

// Marshal encodes g as an app_state.
func (g *Genesis) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode genesis: %w", err)
	}
	return b, nil
}

// SystemAllocs are the contracts every chuxin chain starts with: the
// Consortium contract and its parts, made from g's consortium and
// validators; its modules' contracts (UseModules: the beacon module's
// Capsules contract in a chain with a beacon, among them); the standard
// presigned deployments (system.StandardDeployments: Multicall3); and the
// EIP-7997 deterministic deployment factory, so CREATE2 deployments get the
// same addresses as on other chains.
//
// The EIP-4788 and EIP-2935 contracts are left out on purpose: their system
// calls write state in every block, so an idle chain would never be idle
// (CometBFT makes a new block whenever the last one changed the AppHash).
// BLOCKHASH serves the last 256 block hashes from headers, and the header's
// parentBeaconBlockRoot carries the previous consensus block hash.
func (g *Genesis) SystemAllocs() (types.GenesisAlloc, error) {
	return g.systemAllocs(g.Rules.VersionAt(1))
}

// SystemCode returns the code of each system contract of the chain under
// chuxin rule version (see VersionGuards): what the node installs, its
// storage kept, on the block where that version takes effect. The core's
// contracts get their artifact's runtime code; the modules give theirs
// (module.Code: the beacon module runs the Capsules contract's
// constructor again, for its beacon parameters, which the genesis
// validated).
func (g *Genesis) SystemCode(version uint64) (map[common.Address][]byte, error) {
	consortium, err := system.ConsortiumAt(version)
	if err != nil {
		return nil, err
	}
	out := map[common.Address][]byte{system.ConsortiumAddress: consortium.Runtime}
	parts, arts, err := system.ConsortiumParts(version)
	if err != nil {
		return nil, err
	}
	for i, p := range parts {
		out[p.Address] = arts[i].Runtime
	}
	if g.modules != nil {
		code, err := g.modules.Code(g.moduleContext(version), g.Modules)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		for a, c := range code {
			if _, taken := out[a]; taken {
				return nil, fmt.Errorf("%w: a module gives code to %s, a system contract's address", ErrInvalid, a)
			}
			out[a] = c
		}
	}
	return out, nil
}

// systemAllocs are SystemAllocs with the system contracts of rule version.
func (g *Genesis) systemAllocs(version uint64) (types.GenesisAlloc, error) {
	vals := make([]system.GenesisValidator, len(g.Validators))
	for i, v := range g.Validators {
		copy(vals[i].PubKey[:], v.PubKey)
		vals[i].Power = uint64(v.Power)
		vals[i].FeeRecipient = v.FeeRecipient
		if v.Node != "" {
			vals[i].Node, _ = system.ParseNodeID(v.Node) // validateValidators parsed it
		}
	}
	limits := system.Limits{GasLimit: g.Rules.GasLimit, BaseFee: g.Rules.BaseFeeInt()}
	var committee system.BeaconCommittee
	if b := g.Beacon; b != nil {
		committee.Threshold = uint64(b.Threshold)
		for _, h := range b.Holders {
			var k [32]byte
			copy(k[:], h.Validator)
			committee.Holders = append(committee.Holders, k)
		}
	}
	consortium, err := g.Consortium.Account(vals, limits, committee, g.Rules.Ethereum, g.Timestamp, version)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	alloc := types.GenesisAlloc{
		system.ConsortiumAddress:           consortium,
		params.DeterministicFactoryAddress: {Nonce: 1, Code: params.DeterministicFactoryCode, Balance: common.Big0},
	}
	parts, err := system.PartAccounts(g.Rules.Ethereum, g.Timestamp, version)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	maps.Copy(alloc, parts)
	std, err := system.StandardAllocs(g.Rules.Ethereum, g.Timestamp)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	maps.Copy(alloc, std)
	mods, err := g.moduleAllocs(0, version)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	for a, acc := range mods {
		if _, taken := alloc[a]; taken {
			return nil, fmt.Errorf("%w: a module places a contract at %s, a system contract's address", ErrInvalid, a)
		}
		alloc[a] = acc
	}
	return alloc, nil
}

// CodeAddresses returns the addresses that hold code at genesis: the
// system contracts, the standard deployments, the deterministic factory and
// any code in the allocation. No deployer made them, so on a permissioned
// network what they create needs a deployer's transaction.
func (g *Genesis) CodeAddresses() map[common.Address]bool {
	out := map[common.Address]bool{
		system.ConsortiumAddress: true, params.DeterministicFactoryAddress: true,
	}
	for _, a := range system.ConsortiumPartAddresses {
		out[a] = true
	}
	for _, d := range system.StandardDeployments {
		out[d.Address] = true
	}
	if mods, err := g.moduleAllocs(0, g.Rules.VersionAt(1)); err == nil {
		for a := range mods {
			out[a] = true
		}
	}
	for a, acc := range g.Alloc {
		if len(acc.Code) > 0 {
			out[a] = true
		}
	}
	return out
}

// CoreGenesis returns the go-ethereum genesis that g describes, with the
// system contracts added to its allocation.
func (g *Genesis) CoreGenesis() (*core.Genesis, error) {
	alloc := maps.Clone(g.Alloc)
	if alloc == nil {
		alloc = types.GenesisAlloc{}
	}
	sys, err := g.SystemAllocs()
	if err != nil {
		return nil, err
	}
	for addr := range sys {
		if _, taken := alloc[addr]; taken {
			return nil, fmt.Errorf("%w: alloc holds %s, the address of a system contract", ErrInvalid, addr)
		}
	}
	maps.Copy(alloc, sys)
	return &core.Genesis{
		Config:     g.Rules.Ethereum,
		Timestamp:  g.Timestamp,
		GasLimit:   g.Rules.GasLimit,
		BaseFee:    g.Rules.BaseFeeInt(),
		Difficulty: big.NewInt(0),
		Alloc:      alloc,
	}, nil
}
