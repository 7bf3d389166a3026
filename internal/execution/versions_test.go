package execution_test

import (
	"bytes"
	"errors"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/contracts"
	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// TestVersionOneChainKeepsItsRulesUntilGovernanceMovesIt: a chain made
// under rule version 1 starts with version 1's Consortium code and admits
// what version 1 admitted, so its old blocks replay as they were made.
// Governance schedules version 2; on its first block the contract gets
// version 2's code with its storage kept (a freeze made before still holds
// and can be lifted), ConsortiumViews appears, and version 2's admission
// rule applies.
func TestVersionOneChainKeepsItsRulesUntilGovernanceMovesIt(t *testing.T) {
	c := newConsortiumAt(t, true, 30_000_000, 1)
	v1, err := system.ConsortiumAt(1)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := system.ConsortiumAt(2)
	if err != nil {
		t.Fatal(err)
	}
	views, err := contracts.Load("v4/ConsortiumViews")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(v1.Runtime, v2.Runtime) {
		t.Fatal("versions 1 and 2 have the same Consortium code")
	}
	if !bytes.Equal(c.codeAt(system.ConsortiumAddress), v1.Runtime) || len(c.codeAt(system.ConsortiumViewsAddress)) != 0 {
		t.Fatal("a version 1 chain does not start with version 1's Consortium code alone")
	}

	// Version 1: key 3, without a role, may call the contract (it reverts
	// or not; the block includes it).
	consortium := system.ConsortiumAddress
	call, _ := system.Pack("permissioned")
	if _, err := c.send(3, &consortium, 0, call); err != nil {
		t.Fatalf("version 1 refused a role-less call of the Consortium contract: %v", err)
	}
	target := common.Address{0x42}
	c.gov(0, "freeze", target, "court order 9")

	at := c.head.Number.Uint64() + 10
	id := new(big.Int).SetUint64(c.propose(0, system.ScheduleUpgrade(genesis.VersionGuards, at)))
	c.gov(0, "vote", id, true)
	c.gov(1, "vote", id, true)
	if s, outcome := c.status(id.Uint64()); s != statusPassed {
		t.Fatalf("the upgrade's proposal: %d %s", s, outcome)
	}
	for c.head.Number.Uint64()+2 < at {
		c.apply()
		if !bytes.Equal(c.codeAt(system.ConsortiumAddress), v1.Runtime) {
			t.Fatalf("block %d changed the code before version 2", c.head.Number)
		}
	}
	if _, err := c.send(3, &consortium, 0, call); err != nil {
		t.Fatalf("the last version 1 block refused a role-less call: %v", err)
	}
	c.apply() // block at: version 2
	if !bytes.Equal(c.codeAt(system.ConsortiumAddress), v2.Runtime) || !bytes.Equal(c.codeAt(system.ConsortiumViewsAddress), views.Runtime) {
		t.Fatalf("block %d, where version 2 applies: the Consortium code is not version 2's", c.head.Number)
	}
	if _, err := c.send(3, &consortium, 0, call); !errors.Is(err, execution.ErrPermission) {
		t.Fatalf("version 2 let a role-less account call the Consortium contract: %v", err)
	}

	// The storage carried over: the members, served now by ConsortiumViews,
	// and the freeze, which holds and is lifted under version 2's code.
	if n := c.view("memberCount")[0].(*big.Int); n.Int64() != 3 {
		t.Fatalf("members after the upgrade: %v", n)
	}
	if got := c.view("frozen", big.NewInt(0))[0].(common.Address); got != target {
		t.Fatalf("the frozen list after the upgrade starts with %s", got)
	}
	if _, err := c.send(0, &target, 1, nil); !errors.Is(err, execution.ErrFrozen) {
		t.Fatalf("a transfer to an account frozen before the upgrade: %v", err)
	}
	c.gov(0, "unfreeze", target)
	if v := c.view("frozenVersion")[0].(*big.Int); v.Int64() != 1 {
		t.Fatalf("frozenVersion after the first unfreeze under version 2: %v", v)
	}
	if _, err := c.send(0, &target, 1, nil); err != nil {
		t.Fatalf("a transfer to the unfrozen account: %v", err)
	}
}

// TestNewChainsStartAtTheNewestVersion: a new chain runs rule version 2
// from its first block, with its code from genesis (the first block
// installs nothing).
func TestNewChainsStartAtTheNewestVersion(t *testing.T) {
	c := newConsortium(t, true)
	v2, _ := system.ConsortiumAt(genesis.KnownRuleVersion)
	if !bytes.Equal(c.codeAt(system.ConsortiumAddress), v2.Runtime) || len(c.codeAt(system.ConsortiumViewsAddress)) == 0 {
		t.Fatal("a new chain's genesis lacks the newest Consortium code")
	}
	before := c.head.Root
	if idle := c.apply(); idle.Block.Root() != before {
		t.Fatal("the first block of a new chain changed the state")
	}
	consortium := system.ConsortiumAddress
	call, _ := system.Pack("permissioned")
	if _, err := c.send(3, &consortium, 0, call); !errors.Is(err, execution.ErrPermission) {
		t.Fatalf("a new permissioned chain let a role-less account call the Consortium contract: %v", err)
	}
}

// sealReason seals ciphertext to round from key 1 and returns the revert
// reason ("" if the capsule was sealed).
func (c *consortium) sealReason(round uint64, ciphertext []byte) string {
	c.t.Helper()
	data, err := system.PackCapsules("seal", round, ciphertext, "a capsule")
	if err != nil {
		c.t.Fatal(err)
	}
	if ret, err := c.call(c.addrs[1], system.CapsulesAddress, data); err != nil {
		reason, uerr := abi.UnpackRevert(ret)
		if uerr != nil {
			return err.Error()
		}
		return reason
	}
	to := system.CapsulesAddress
	if r, err := c.send(1, &to, 0, data); err != nil || r.Status != types.ReceiptStatusSuccessful {
		c.t.Fatalf("a seal that eth_call accepts failed in its block: %v", err)
	}
	return ""
}

// withStanza returns a binary age ciphertext with one more recipient
// stanza before its MAC line: another key that would open it.
func withStanza(t *testing.T, ct []byte) []byte {
	t.Helper()
	i := bytes.Index(ct, []byte("\n--- "))
	if i < 0 {
		t.Fatal("no MAC line in the ciphertext")
	}
	extra := []byte("\n-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc\nEmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U")
	return append(append(append([]byte{}, ct[:i]...), extra...), ct[i:]...)
}

// TestCapsulesSealOnlyToTheRoundTheCiphertextNames: under rule version 2
// a capsule's ciphertext names this network's beacon and the round the
// capsule is sealed to, and no other recipient: a ciphertext of another
// round or another beacon, one with a second recipient and bytes that are
// no timelock ciphertext are refused at sealing. On a version 1 chain they were sealed; the version 2 code,
// installed where governance schedules it, refuses them from there on and
// keeps the capsules sealed before, and the beacon's round times.
func TestCapsulesSealOnlyToTheRoundTheCiphertextNames(t *testing.T) {
	for _, version := range []uint64{1, genesis.VersionGuards} {
		c, _, master, chainHash := newBeaconConsortiumAt(t, version)
		ct5, err := capsule.Encrypt(master, chainHash, 5, []byte("hello"), true)
		if err != nil {
			t.Fatal(err)
		}
		binary5, _ := capsule.Encrypt(master, chainHash, 5, []byte("hello"), false)
		elsewhere, _ := capsule.Encrypt(master, strings.Repeat("ab", 32), 5, []byte("hello"), true)
		bad := map[string]struct {
			round uint64
			ct    []byte
		}{
			"another round's":          {4, ct5},
			"another beacon's":         {5, elsewhere},
			"two recipients'":          {5, withStanza(t, binary5)},
			"not a timelock":           {5, []byte("sealed, honestly")},
			"a malformed chain hash's": {5, []byte("age-encryption.org/v1\n-> tlock 5 abcd\nAAAA\n--- AAAA\n")},
		}
		refuse := func(when string) {
			t.Helper()
			for name, b := range bad {
				if reason := c.sealReason(b.round, b.ct); !strings.Contains(reason, "the ciphertext") {
					t.Errorf("version %d, %s: %s ciphertext to round %d: %q", version, when, name, b.round, reason)
				}
			}
		}
		if version == 1 {
			for name, b := range bad {
				if reason := c.sealReason(b.round, b.ct); reason != "" {
					t.Fatalf("version 1 refused %s ciphertext: %s", name, reason)
				}
			}
			at := c.head.Number.Uint64() + 5
			id := new(big.Int).SetUint64(c.propose(0, system.ScheduleUpgrade(genesis.VersionGuards, at)))
			c.gov(0, "vote", id, true)
			for c.head.Number.Uint64() < at {
				c.apply()
			}
			want, err := c.exec.SystemCode(genesis.VersionGuards)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(c.codeAt(system.CapsulesAddress), want[system.CapsulesAddress]) {
				t.Fatal("the Capsules contract does not run version 2's code after the upgrade")
			}
			refuse("after the upgrade")
			data, _ := system.PackCapsules("count")
			if ret, err := c.call(common.Address{}, system.CapsulesAddress, data); err != nil || new(big.Int).SetBytes(ret).Int64() != int64(len(bad)) {
				t.Fatalf("capsules sealed before the upgrade: %x, %v", ret, err)
			}
		} else {
			refuse("from genesis")
		}
		data, _ := system.PackCapsules("roundTime", uint64(2))
		if ret, err := c.call(common.Address{}, system.CapsulesAddress, data); err != nil || new(big.Int).SetBytes(ret).Int64() != 1_800_000_003 {
			t.Fatalf("version %d: round 2's time: %x, %v", version, ret, err)
		}
		for _, ct := range [][]byte{ct5, binary5} {
			if reason := c.sealReason(5, ct); reason != "" {
				t.Fatalf("version %d: a ciphertext of round 5, sealed to round 5: %s", version, reason)
			}
		}
	}
}

// TestUpgradeOfAVersionOneChainUnderTheFloors: version 1 allowed a block
// gas limit too small for version 2's proposals, and node names version 2
// refuses; the upgrade neither halts on them nor locks governance: the
// gas limit rises to the floor with version 2, and a proposal passes.
func TestUpgradeOfAVersionOneChainUnderTheFloors(t *testing.T) {
	g := testchain.Genesis(chainID, 6_000_000, nil)
	g.Rules.Versions = []genesis.RuleVersion{{Version: 1, Height: 1}}
	g.Consortium.Nodes = []system.Node{{ID: strings.Repeat("ab", 20), Name: strings.Repeat("n", 100)}}
	if _, err := g.SystemCode(genesis.VersionGuards); err != nil {
		t.Fatalf("version 2's code for a version 1 genesis with a long node name: %v", err)
	}

	c := newConsortiumAt(t, true, 6_000_000, 1)
	c.txGas = 5_900_000
	at := c.head.Number.Uint64() + 10
	id := new(big.Int).SetUint64(c.propose(0, system.ScheduleUpgrade(genesis.VersionGuards, at)))
	c.gov(0, "vote", id, true)
	c.gov(1, "vote", id, true)
	for c.head.Number.Uint64() < at {
		c.apply()
	}
	st, _ := c.st.State(c.head.Root)
	if got := system.LimitsOf(st).GasLimit; got != genesis.MinGasLimit {
		t.Fatalf("the gas limit after version 2 took effect: %d, want the floor %d", got, genesis.MinGasLimit)
	}
	c.apply() // the first block at the new limit
	c.txGas = 8_000_000
	id = new(big.Int).SetUint64(c.propose(0, system.SetParam(system.ParamGasLimit, 30_000_000)))
	c.gov(0, "vote", id, true)
	c.gov(1, "vote", id, true)
	if s, o := c.status(id.Uint64()); s != statusPassed {
		t.Fatalf("a proposal after the upgrade: %d %s", s, o)
	}
}

// TestGasBoundOfConsensusByVersion: under rule version 1 a changed gas
// limit reaches CometBFT as its block gas bound, as it did when those
// blocks were made; the block where version 2 takes effect lifts that
// bound (-1), so CometBFT's reaping in arrival order no longer lets
// transactions that declare much gas keep the others from the proposer.
func TestGasBoundOfConsensusByVersion(t *testing.T) {
	c := newConsortiumAt(t, true, 30_000_000, 1)
	id := new(big.Int).SetUint64(c.propose(0, system.SetParam(system.ParamGasLimit, 12_000_000)))
	c.gov(0, "vote", id, true)
	res := c.gov(1, "vote", id, true)
	if p := res.Updates.Params; p == nil || p.Block == nil || p.Block.MaxGas != 12_000_000 {
		t.Fatalf("version 1: the updates of the block that changed the gas limit: %+v", p)
	}
	at := c.head.Number.Uint64() + 6
	id = new(big.Int).SetUint64(c.propose(0, system.ScheduleUpgrade(genesis.VersionGuards, at)))
	c.gov(0, "vote", id, true)
	c.gov(1, "vote", id, true)
	for c.head.Number.Uint64()+1 < at {
		if p := c.apply().Updates.Params; p != nil {
			t.Fatalf("block %d: updates %+v", c.head.Number, p)
		}
	}
	if p := c.apply().Updates.Params; p == nil || p.Block == nil || p.Block.MaxGas != -1 || p.Block.MaxBytes != genesis.MaxBlockBytes {
		t.Fatalf("the block where version 2 takes effect: updates %+v", p)
	}
	if p := c.apply().Updates.Params; p != nil {
		t.Fatalf("the block after: updates %+v", p)
	}
}

// TestVersionFiveSplitsTheConsortium: a chain made under rule version 4
// runs the Consortium in one contract (with its views). Governance
// schedules version 5; on its first block the Consortium gets version 5's
// code and its parts appear, its storage kept: members, roles, a freeze and
// the validators carry over, and every concern works through the parts at
// the Consortium's address — an admin's grant, a regulator's unfreeze, a
// proposal that sets a parameter, admits a node and changes a validator.
func TestVersionFiveSplitsTheConsortium(t *testing.T) {
	c := newConsortiumAt(t, true, 30_000_000, 4)
	v4, err := system.ConsortiumAt(4)
	if err != nil {
		t.Fatal(err)
	}
	v5, err := system.ConsortiumAt(genesis.VersionSplit)
	if err != nil {
		t.Fatal(err)
	}
	parts, arts, err := system.ConsortiumParts(genesis.VersionSplit)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(v4.Runtime, v5.Runtime) || !bytes.Equal(c.codeAt(system.ConsortiumAddress), v4.Runtime) || len(c.codeAt(system.ConsortiumPermissionsAddress)) != 0 {
		t.Fatal("a version 4 chain does not start with version 4's Consortium, unsplit")
	}
	target := common.Address{0x42}
	c.gov(0, "freeze", target, "court order 10")
	at := c.head.Number.Uint64() + 10
	id := new(big.Int).SetUint64(c.propose(0, system.ScheduleUpgrade(genesis.VersionSplit, at)))
	c.gov(0, "vote", id, true)
	c.gov(1, "vote", id, true)
	for c.head.Number.Uint64()+1 < at {
		c.apply()
	}
	if len(c.codeAt(system.ConsortiumValidatorsAddress)) != 0 {
		t.Fatal("the parts came before version 5")
	}
	c.apply() // block at: version 5
	if !bytes.Equal(c.codeAt(system.ConsortiumAddress), v5.Runtime) {
		t.Fatal("version 5's first block did not install its Consortium code")
	}
	for i, p := range parts {
		if !bytes.Equal(c.codeAt(p.Address), arts[i].Runtime) {
			t.Fatalf("version 5's first block did not install %s at %s", p.Name, p.Address)
		}
	}

	// The storage carried over, and each concern works through its part.
	if n := c.view("memberCount")[0].(*big.Int); n.Int64() != 3 {
		t.Fatalf("members after the split: %v", n)
	}
	if _, err := c.send(0, &target, 1, nil); !errors.Is(err, execution.ErrFrozen) {
		t.Fatalf("a transfer to an account frozen before the split: %v", err)
	}
	c.gov(0, "unfreeze", target) // ConsortiumPermissions
	if _, err := c.send(0, &target, 1, nil); err != nil {
		t.Fatalf("a transfer to the unfrozen account: %v", err)
	}
	grantee := c.addrs[3]
	c.gov(0, "grantRoles", grantee, big.NewInt(int64(system.RoleTransactor)))
	if st, _ := c.st.State(c.head.Root); system.PermissionsOf(st, grantee).Roles != system.RoleTransactor {
		t.Fatal("an admin's grant after the split did not hold")
	}
	if reason := c.simulate(3, "grantRoles", grantee, big.NewInt(int64(system.RoleAdmin))); !strings.Contains(reason, "lacks role admin") {
		t.Fatalf("a grant by a non-admin after the split: %q", reason)
	}
	node := system.NodeID{7}
	val2 := system.ValidatorUpdate{PubKey: [32]byte{2}, Power: 5}
	id = new(big.Int).SetUint64(c.propose(0, system.SetParam(system.ParamVotingPeriod, 7), system.SetNode(node, true, "city-7"), system.SetValidators(val2)))
	c.gov(0, "vote", id, true)
	res := c.gov(1, "vote", id, true)
	if s, outcome := c.status(id.Uint64()); s != statusPassed {
		t.Fatalf("a proposal after the split: %d %s", s, outcome)
	}
	if v := c.view("votingPeriod")[0].(uint64); v != 7 {
		t.Fatalf("the voting period after the proposal: %d", v)
	}
	if st, _ := c.st.State(c.head.Root); !system.Admitted(st, node) {
		t.Fatal("the node the proposal admitted is not admitted")
	}
	if len(res.Updates.Validators) != 1 || res.Updates.Validators[0].Power != 5 {
		t.Fatalf("the validator change the proposal made: %+v", res.Updates.Validators)
	}
	// A part's proposal-only function is nobody's to call.
	data, err := arts[1].ABI.Pack("byProposalSetRoles", c.addrs[3], big.NewInt(int64(system.RoleAdmin)))
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []common.Address{system.ConsortiumAddress, system.ConsortiumPermissionsAddress} {
		if _, err := c.call(c.addrs[0], to, data); err == nil {
			t.Fatalf("an admin called byProposalSetRoles at %s", to)
		}
	}
}

// TestTheSplitLiftsFreezesOfItsParts: version 1 let a regulator freeze the
// empty addresses where version 5 installs the Consortium's parts. The
// version's first block lifts those freezes, keeps the others (the frozen
// list and its index stay whole), and governance works through the parts.
func TestTheSplitLiftsFreezesOfItsParts(t *testing.T) {
	c := newConsortiumAt(t, true, 30_000_000, 1)
	other := common.Address{0x42}
	c.gov(0, "freeze", system.ConsortiumPermissionsAddress, "under version 1")
	c.gov(0, "freeze", other, "court order 11")
	c.gov(0, "freeze", system.ConsortiumNetworkAddress, "under version 1")
	at := c.head.Number.Uint64() + 10
	id := new(big.Int).SetUint64(c.propose(0, system.ScheduleUpgrade(genesis.VersionSplit, at)))
	c.gov(0, "vote", id, true)
	c.gov(1, "vote", id, true)
	for c.head.Number.Uint64() < at {
		c.apply()
	}
	st, err := c.st.State(c.head.Root)
	if err != nil {
		t.Fatal(err)
	}
	if frozen := system.Frozen(st); len(frozen) != 1 || frozen[0] != other || !system.PermissionsOf(st, other).Frozen {
		t.Fatalf("frozen after the split: %v", frozen)
	}
	for _, a := range []common.Address{system.ConsortiumPermissionsAddress, system.ConsortiumNetworkAddress} {
		if system.PermissionsOf(st, a).Frozen || system.FreezeOf(st, a) != (system.Freeze{}) {
			t.Fatalf("%s is still frozen after the split", a)
		}
	}
	if v := c.view("frozenVersion")[0].(*big.Int); v.Int64() != 2 {
		t.Fatalf("frozenVersion after two freezes lifted: %v", v)
	}
	// Governance works through the parts, and the other freeze holds and
	// is lifted as any other.
	c.gov(0, "grantRoles", c.addrs[3], big.NewInt(int64(system.RoleTransactor)))
	id = new(big.Int).SetUint64(c.propose(0, system.SetParam(system.ParamVotingPeriod, 7)))
	c.gov(0, "vote", id, true)
	c.gov(1, "vote", id, true)
	if s, outcome := c.status(id.Uint64()); s != statusPassed {
		t.Fatalf("a proposal after the split: %d %s", s, outcome)
	}
	if _, err := c.send(0, &other, 1, nil); !errors.Is(err, execution.ErrFrozen) {
		t.Fatalf("a transfer to the account still frozen: %v", err)
	}
	c.gov(0, "unfreeze", other)
	if _, err := c.send(0, &other, 1, nil); err != nil {
		t.Fatalf("a transfer to the unfrozen account: %v", err)
	}
}

// publicArrays are the Consortium's public array state variables.
var publicArrays = map[string]bool{"beaconHolders": true, "upgrades": true, "frozen": true}

// TestEveryFunctionOfTheConsortiumABIIsServed: the Consortium's ABI holds
// its parts' functions (compile.mjs merges them) and its fallback routes
// them (Consortium.sol): a function in the one but not the other would
// revert with nothing to say. Each function of the ABI, called at the
// Consortium with zero arguments, either answers or says why it refuses.
func TestEveryFunctionOfTheConsortiumABIIsServed(t *testing.T) {
	c := newConsortium(t, true)
	art, err := system.ConsortiumAt(genesis.KnownRuleVersion)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range art.ABI.Methods {
		args := make([]any, len(m.Inputs))
		for i, in := range m.Inputs {
			v := reflect.New(in.Type.GetType()).Elem()
			if v.Kind() == reflect.Pointer { // *big.Int
				v = reflect.New(v.Type().Elem())
			}
			args[i] = v.Interface()
		}
		packed, err := m.Inputs.Pack(args...)
		if err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		ret, err := c.call(c.addrs[3], system.ConsortiumAddress, append(m.ID, packed...))
		// Solidity's getter of a public array reverts without a word at an
		// index past its end.
		if err != nil && len(ret) == 0 && !publicArrays[m.Name] {
			t.Errorf("%s reverts without a word: its part does not serve it (%v)", m.Sig, err)
		}
	}
}
