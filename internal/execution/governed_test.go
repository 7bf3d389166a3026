package execution_test

import (
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/chuxin-chain/chuxin/contracts"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// deploy creates a contract of runtime code by key 0 (a deployer) and
// returns its address.
func (c *consortium) deploy(runtime []byte) common.Address {
	c.t.Helper()
	r, err := c.send(0, nil, 0, deployCode(runtime))
	if err != nil || r.Status != types.ReceiptStatusSuccessful {
		c.t.Fatalf("deploy: %v %v", err, r)
	}
	return r.ContractAddress
}

// recorder is runtime code that keeps its caller in slot 0 and the first
// word of its calldata in slot 1: an application that takes a role grant
// from whoever calls it, to show who called.
var recorder = []byte{0x33, 0x60, 0x00, 0x55, 0x60, 0x00, 0x35, 0x60, 0x01, 0x55, 0x00}

// refuser is runtime code that reverts with Error("closed to grants").
func refuser() []byte {
	reason, _ := abi.NewType("string", "", nil)
	body, _ := abi.Arguments{{Type: reason}}.Pack("closed to grants")
	payload := append([]byte{0x08, 0xc3, 0x79, 0xa0}, body...)
	n := byte(len(payload))
	// CODECOPY(0, 12, n); REVERT(0, n)
	code := []byte{0x60, n, 0x60, 12, 0x60, 0x00, 0x39, 0x60, n, 0x60, 0x00, 0xfd}
	return append(code, payload...)
}

// spinner is runtime code that loops until its gas is gone.
var spinner = []byte{0x5b, 0x60, 0x00, 0x56}

// TestProposalsCallGovernedContracts: from rule version 6 a proposal calls
// a contract on the list that governance holds, as the Consortium: the
// way an application's own roles are granted. A contract off the list,
// one without code and the Consortium's own parts are refused; a call that
// reverts or runs out of gas is refused when proposed, with the reason.
func TestProposalsCallGovernedContracts(t *testing.T) {
	c := newConsortium(t, true)
	app, closed, spin := c.deploy(recorder), c.deploy(refuser()), c.deploy(spinner)
	propose := func(actions ...system.Action) string { return c.simulate(0, "propose", actions, "x") }
	grant := append(make([]byte, 31), 7)
	for want, actions := range map[string][]system.Action{
		"is not governed: list it":                                                 {system.Call(app, grant)},
		"has no code: deploy the contract first":                                   {system.SetGoverned(common.Address{0x42}, true, "nothing")},
		"the Consortium and its parts are governed by the other":                   {system.SetGoverned(system.ConsortiumPermissionsAddress, true, "permissions")},
		"a governed contract's name has 1 to 64 bytes":                             {system.SetGoverned(app, true, "")},
		"is not on the list of governed contracts":                                 {system.SetGoverned(app, false, "")},
		"the call of court registry failed: closed to grants":                      {system.SetGoverned(closed, true, "court registry"), system.Call(closed, grant)},
		"the call of spinner failed: reverted without a reason, or ran out of gas": {system.SetGoverned(spin, true, "spinner"), system.Call(spin, grant)},
	} {
		if reason := propose(actions...); !strings.Contains(reason, want) {
			t.Errorf("want %q: proposing it reverted with %q", want, reason)
		}
	}
	// Listed and called in one proposal: the application sees the
	// Consortium as its caller.
	res := c.pass(system.SetGoverned(app, true, "identity issuers"), system.Call(app, grant))
	if len(res.Failures) != 0 {
		t.Fatalf("failures: %v", res.Failures)
	}
	st, _ := c.st.State(c.head.Root)
	if caller := common.BytesToAddress(st.GetState(app, common.Hash{}).Bytes()); caller != system.ConsortiumAddress {
		t.Fatalf("the governed contract was called by %s", caller)
	}
	if arg := st.GetState(app, common.Hash{31: 1}); arg != (common.Hash{31: 7}) {
		t.Fatalf("the governed contract got %x", arg)
	}
	out := c.view("governedContracts")
	if targets, names := out[0].([]common.Address), out[1].([]string); len(targets) != 1 || targets[0] != app || names[0] != "identity issuers" {
		t.Fatalf("governed contracts: %v %v", targets, names)
	}
	// Another grant of the same application needs no listing; off the
	// list, it takes no call.
	c.pass(system.Call(app, append(make([]byte, 31), 8)))
	c.pass(system.SetGoverned(app, false, ""))
	if reason := propose(system.Call(app, grant)); !strings.Contains(reason, "is not governed") {
		t.Fatalf("a call of a contract taken off the list: %q", reason)
	}
	if targets := c.view("governedContracts")[0].([]common.Address); len(targets) != 0 {
		t.Fatalf("governed contracts after the removal: %v", targets)
	}
}

// TestAGovernedCallThatFailsWhenAppliedFailsItsProposalOnly: a call that
// passed its dry run but reverts when the proposal passes (the contract
// changed in between) fails that proposal, with the reason, and the block
// goes on.
func TestAGovernedCallThatFailsWhenAppliedFailsItsProposalOnly(t *testing.T) {
	c := newConsortium(t, true)
	app := c.deploy(recorder)
	c.pass(system.SetGoverned(app, true, "registry"))
	id := new(big.Int).SetUint64(c.propose(0, system.Call(app, []byte{1, 2, 3, 4})))
	c.gov(0, "vote", id, true)
	// The application is frozen meanwhile: calls into it revert.
	c.gov(0, "freeze", app, "court order 12")
	res := c.gov(1, "vote", id, true)
	if s, outcome := c.status(id.Uint64()); s != statusFailed || !strings.Contains(outcome, "the call of registry failed") {
		t.Fatalf("status %d %q", s, outcome)
	}
	if len(res.Failures) != 0 {
		t.Fatalf("system call failures: %v", res.Failures)
	}
}

// TestVersionFiveKnowsNoGovernedCalls: the actions are version 6's.
func TestVersionFiveKnowsNoGovernedCalls(t *testing.T) {
	c := newConsortiumAt(t, true, 30_000_000, genesis.VersionSplit)
	app := c.deploy(recorder)
	if reason := c.simulate(0, "propose", []system.Action{system.SetGoverned(app, true, "x")}, "x"); !strings.Contains(reason, "unknown action kind 10") {
		t.Fatalf("SET_GOVERNED under version 5: %q", reason)
	}
}

// turncoat is runtime code that returns when called with data until a
// call without data arms it; armed, it reverts with an Error(string) of
// size bytes (under 2^24).
func turncoat(size uint32) []byte {
	n, total := big.NewInt(int64(size)).FillBytes(make([]byte, 3)), big.NewInt(int64(size)+68).FillBytes(make([]byte, 3))
	code := []byte{
		0x36, 0x15, 0x60, 0x2c, 0x57, // CALLDATASIZE ISZERO PUSH1 arm JUMPI
		0x60, 0x00, 0x54, 0x15, 0x60, 0x2a, 0x57, // SLOAD(0) ISZERO PUSH1 ok JUMPI
		0x63, 0x08, 0xc3, 0x79, 0xa0, 0x60, 0xe0, 0x1b, 0x60, 0x00, 0x52, // MSTORE(0, Error selector)
		0x60, 0x20, 0x60, 0x04, 0x52, // MSTORE(4, 32)
		0x62, n[0], n[1], n[2], 0x60, 0x24, 0x52, // MSTORE(36, size)
		0x62, total[0], total[1], total[2], 0x60, 0x00, 0xfd, // REVERT(0, size+68)
		0x5b, 0x00, // ok: STOP
		0x5b, 0x60, 0x01, 0x60, 0x00, 0x55, 0x00, // arm: SSTORE(0, 1) STOP
	}
	return code
}

// TestAGovernedContractsHugeReasonIsCut: a governed contract that turns,
// between the dry run and the passing vote, to reverting with a 100,000
// byte reason fails its proposal with the reason cut to 512 bytes: the
// outcome stored never costs the vote, or settlement, more gas than it
// has.
func TestAGovernedContractsHugeReasonIsCut(t *testing.T) {
	for _, size := range []uint32{40_000, 100_000} {
		c := newConsortium(t, true)
		app := c.deploy(turncoat(size))
		c.pass(system.SetGoverned(app, true, "turncoat"), system.SetParam(system.ParamVotingPeriod, 20))
		// One proposal passes by a vote, two more when settled (A alone
		// holds the quorum, and nothing is certain before the end).
		byVote := new(big.Int).SetUint64(c.propose(0, system.Call(app, []byte{1, 2, 3, 4})))
		settled := []*big.Int{new(big.Int).SetUint64(c.propose(0, system.Call(app, []byte{1}))), new(big.Int).SetUint64(c.propose(0, system.Call(app, []byte{2})))}
		for _, id := range append(settled, byVote) {
			c.gov(0, "vote", id, true)
		}
		if _, err := c.send(0, &app, 0, nil); err != nil {
			t.Fatal(err)
		}
		if res := c.gov(1, "vote", byVote, true); len(res.Failures) != 0 {
			t.Fatalf("reason of %d bytes, by vote: failures %v", size, res.Failures)
		}
		for range 24 {
			if res := c.apply(); len(res.Failures) != 0 {
				t.Fatalf("reason of %d bytes, settling: failures %v", size, res.Failures)
			}
		}
		for _, id := range append(settled, byVote) {
			s, outcome := c.status(id.Uint64())
			if s != statusFailed || !strings.HasPrefix(outcome, "the call of turncoat failed: ") || len(outcome) > 512 {
				t.Fatalf("reason of %d bytes, proposal %v: status %d, outcome of %d bytes: %.80q", size, id, s, len(outcome), outcome)
			}
		}
	}
}

// TestAnApplicationsRolesAreGrantedByProposal: an application built on
// contracts/apps/ConsortiumRoles.sol (here its RoleRegistry) keeps its own
// roles; a passed proposal grants and revokes them, and no account, not
// even the consortium's admin, grants one directly.
func TestAnApplicationsRolesAreGrantedByProposal(t *testing.T) {
	c := newConsortium(t, true)
	art, err := contracts.Load("RoleRegistry")
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.send(0, nil, 0, art.Bytecode)
	if err != nil || r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("deploy: %v %v", err, r)
	}
	registry := r.ContractAddress
	issuer, account := crypto.Keccak256Hash([]byte("ISSUER")), common.Address{0x1c}
	call := func(method string, args ...any) []byte {
		data, err := art.ABI.Pack(method, args...)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	holds := func() bool {
		ret, err := c.call(common.Address{}, registry, call("hasRole", issuer, account))
		if err != nil {
			t.Fatal(err)
		}
		return new(big.Int).SetBytes(ret).Sign() != 0
	}
	if ret, err := c.call(c.addrs[0], registry, call("grantRole", issuer, account)); err == nil || !strings.Contains(revertReason(ret), "only the consortium's proposals grant") {
		t.Fatalf("a grant by the consortium's admin: %v %q", err, revertReason(ret))
	}
	c.pass(system.SetGoverned(registry, true, "accredited issuers"), system.Call(registry, call("grantRole", issuer, account)))
	if !holds() {
		t.Fatal("the proposal's grant did not hold")
	}
	if reason := c.simulate(0, "propose", []system.Action{system.Call(registry, call("grantRole", issuer, common.Address{}))}, "x"); !strings.Contains(reason, "the call of accredited issuers failed: no role for the zero address") {
		t.Fatalf("a grant to the zero address: %q", reason)
	}
	c.pass(system.Call(registry, call("grantRole", issuer, account))) // held already: no change, and it passes
	c.pass(system.Call(registry, call("revokeRole", issuer, account)))
	if holds() {
		t.Fatal("the proposal's revocation did not hold")
	}
	// A holder gives its role up without a proposal.
	holder := c.addrs[0]
	c.pass(system.Call(registry, call("grantRole", issuer, holder)))
	if r, err := c.send(0, &registry, 0, call("renounceRole", issuer)); err != nil || r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("renounce: %v %v", err, r)
	}
	if ret, _ := c.call(common.Address{}, registry, call("hasRole", issuer, holder)); new(big.Int).SetBytes(ret).Sign() != 0 {
		t.Fatal("the renounced role is still held")
	}
}
