package execution_test

import (
	"bytes"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// pass proposes actions by key 0 and passes them with the votes of A and B
// (three quarters of the weight); it returns the block that passed them.
func (c *consortium) pass(actions ...system.Action) *execution.Result {
	c.t.Helper()
	id := new(big.Int).SetUint64(c.propose(0, actions...))
	c.gov(0, "vote", id, true)
	res := c.gov(1, "vote", id, true)
	if s, outcome := c.status(id.Uint64()); s != statusPassed {
		c.t.Fatalf("proposal %d: status %d %s", id, s, outcome)
	}
	return res
}

// nodeOf is the Consortium's record of the node validator key signs on,
// and the validator that node signs for.
func (c *consortium) nodeOf(key [32]byte) (system.NodeID, [32]byte) {
	c.t.Helper()
	node := system.NodeID(c.view("nodeOfValidator", key)[0].([20]byte))
	return node, c.view("validatorOnNode", [20]byte(node))[0].([32]byte)
}

// TestValidatorsAProposalAddsNameTheirNode: from rule version 6 a proposal
// adds a validator only with the admitted node that signs with it, one key
// per node; the node is not revoked while it signs; a rotation moves the
// node to the new key in one action; evidence frees the node.
func TestValidatorsAProposalAddsNameTheirNode(t *testing.T) {
	c := newConsortium(t, true)
	propose := func(actions ...system.Action) string { return c.simulate(0, "propose", actions, "x") }
	k2, k3, k4 := [32]byte{2}, [32]byte{3}, [32]byte{4}
	node2 := testNode(k2)
	for want, actions := range map[string][]system.Action{
		"0x0200000000000000000000000000000000000000000000000000000000000000 is new: name the admitted node": {system.SetValidators(system.ValidatorUpdate{PubKey: k2, Power: 5})},
		"node 0xabababababababababababababababababababab is not admitted":                                   {system.SetNodeValidators(system.NodeValidator{PubKey: k2, Power: 5, Node: system.NodeID(bytes.Repeat([]byte{0xab}, 20))})},
		"names no node": {system.SetNodeValidators(system.NodeValidator{PubKey: k2, Power: 5})},
		"a validator needs its consensus public key": {system.SetNodeValidators(system.NodeValidator{Power: 5, Node: node2})},
		"signs for validator 0x0200000":              {system.SetNodeValidators(system.NodeValidator{PubKey: k2, Power: 5, Node: node2}, system.NodeValidator{PubKey: k3, Power: 5, Node: node2})},
	} {
		if reason := propose(actions...); !strings.Contains(reason, want) {
			t.Errorf("want %q: proposing it reverted with %q", want, reason)
		}
	}
	// Added on its node.
	res := c.pass(system.SetNodeValidators(system.NodeValidator{PubKey: k2, Power: 5, Node: node2}))
	if u := res.Updates.Validators; len(u) != 1 || u[0].Power != 5 || !bytes.Equal(u[0].PubKey, k2[:]) {
		t.Fatalf("updates of the add: %v", u)
	}
	if n, k := c.nodeOf(k2); n != node2 || k != k2 {
		t.Fatalf("after the add: key 2 on %x, the node signs for %x", n, k)
	}
	// A second key on the node, and the node's revocation, are refused.
	if reason := propose(setNodeValidators(system.ValidatorUpdate{PubKey: k2, Power: 5}), system.SetNodeValidators(system.NodeValidator{PubKey: k3, Power: 1, Node: node2})); !strings.Contains(reason, "already: a node signs with one key") {
		t.Fatalf("a second key on a node: %q", reason)
	}
	if reason := propose(system.SetNode(node2, false, "")); !strings.Contains(reason, "signs for validator 0x0200") || !strings.Contains(reason, "remove the validator first") {
		t.Fatalf("revoking a validator's node: %q", reason)
	}
	// A power change names no node and keeps it.
	c.pass(system.SetValidators(system.ValidatorUpdate{PubKey: k2, Power: 6}))
	if n, _ := c.nodeOf(k2); n != node2 {
		t.Fatalf("a power change moved the node: %x", n)
	}
	// A rotation: the old key out and the new in, on the same node, in one action.
	res = c.pass(system.SetNodeValidators(system.NodeValidator{PubKey: k2}, system.NodeValidator{PubKey: k3, Power: 6, Node: node2}))
	if u := res.Updates.Validators; len(u) != 2 {
		t.Fatalf("updates of the rotation: %v", u)
	}
	if n, k := c.nodeOf(k3); n != node2 || k != k3 {
		t.Fatalf("after the rotation: key 3 on %x, the node signs for %x", n, k)
	}
	if n, _ := c.nodeOf(k2); n != (system.NodeID{}) {
		t.Fatalf("the rotated-out key still names node %x", n)
	}
	// A node admitted and given its validator in one proposal.
	fresh := system.NodeID{0xfe, 1}
	c.pass(system.SetNode(fresh, true, "city-new"), system.SetNodeValidators(system.NodeValidator{PubKey: k4, Power: 2, Node: fresh}))
	if n, _ := c.nodeOf(k4); n != fresh {
		t.Fatalf("the new node's validator names %x", n)
	}
	// Evidence removes the validator and frees its node, which may then go.
	c.evidenceBlock(k3)
	if n, _ := c.nodeOf(k3); n != (system.NodeID{}) {
		t.Fatalf("after evidence the removed key still names %x", n)
	}
	if reason := propose(system.SetNode(node2, false, "")); reason != "" {
		t.Fatalf("revoking a node freed by evidence: %q", reason)
	}
	// Removal by SET_VALIDATORS frees it too.
	c.pass(system.SetValidators(system.ValidatorUpdate{PubKey: k4}))
	if _, k := c.nodeOf([32]byte{}); k != ([32]byte{}) {
		t.Fatal("the zero node signs for a key")
	}
	if reason := propose(system.SetNode(fresh, false, "")); reason != "" {
		t.Fatalf("revoking the node of a removed validator: %q", reason)
	}
}

// TestGenesisValidatorsSignOnTheirNodes: a genesis validator's Node is
// recorded, so that its node is not revoked while it signs.
func TestGenesisValidatorsSignOnTheirNodes(t *testing.T) {
	c := newConsortiumAt(t, true, 30_000_000, genesis.KnownRuleVersion, func(g *genesis.Genesis) {
		id := testNode(val1.PubKey)
		g.Validators[0].Node = hex.EncodeToString(id[:])
	})
	if n, k := c.nodeOf(val1.PubKey); n != testNode(val1.PubKey) || k != val1.PubKey {
		t.Fatalf("the genesis validator on %x, its node signs for %x", n, k)
	}
	if reason := c.simulate(0, "propose", []system.Action{system.SetNode(testNode(val1.PubKey), false, "")}, "x"); !strings.Contains(reason, "remove the validator first") {
		t.Fatalf("revoking the genesis validator's node: %q", reason)
	}
}

// TestVersionSixTiesValidatorsToNodes: a version 5 chain adds validators
// by SET_VALIDATORS and knows no SET_NODE_VALIDATORS; from the block where
// governance moves it to version 6 it has version 6's code, its validators
// kept, and a new validator names its node.
func TestVersionSixTiesValidatorsToNodes(t *testing.T) {
	c := newConsortiumAt(t, true, 30_000_000, genesis.VersionSplit)
	k2 := system.ValidatorUpdate{PubKey: [32]byte{2}, Power: 5}
	if reason := c.simulate(0, "propose", []system.Action{setNodeValidators(k2)}, "x"); !strings.Contains(reason, "unknown action kind 9") {
		t.Fatalf("SET_NODE_VALIDATORS under version 5: %q", reason)
	}
	c.pass(system.SetValidators(k2))
	at := c.head.Number.Uint64() + 10
	c.pass(system.ScheduleUpgrade(genesis.VersionValidatorNodes, at))
	for c.head.Number.Uint64() < at {
		c.apply()
	}
	v6, err := system.ConsortiumAt(genesis.VersionValidatorNodes)
	if err != nil {
		t.Fatal(err)
	}
	parts, arts, err := system.ConsortiumParts(genesis.VersionValidatorNodes)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.codeAt(system.ConsortiumAddress), v6.Runtime) {
		t.Fatal("version 6's first block did not install its Consortium")
	}
	for i, p := range parts {
		if !bytes.Equal(c.codeAt(p.Address), arts[i].Runtime) {
			t.Fatalf("version 6's first block did not install %s", p.Name)
		}
	}
	if keys := c.view("validators")[0].([][32]byte); len(keys) != 2 {
		t.Fatalf("validators after the upgrade: %x", keys)
	}
	k3 := system.ValidatorUpdate{PubKey: [32]byte{3}, Power: 5}
	if reason := c.simulate(0, "propose", []system.Action{system.SetValidators(k3)}, "x"); !strings.Contains(reason, "is new: name the admitted node") {
		t.Fatalf("SET_VALIDATORS of a new key under version 6: %q", reason)
	}
	// A validator of before (no node named) changes power as it did, and
	// takes a node by SET_NODE_VALIDATORS.
	c.pass(system.SetValidators(system.ValidatorUpdate{PubKey: k2.PubKey, Power: 4}))
	c.pass(setNodeValidators(system.ValidatorUpdate{PubKey: k2.PubKey, Power: 4}, k3))
	if n, _ := c.nodeOf(k2.PubKey); n != testNode(k2.PubKey) {
		t.Fatalf("key 2 after it named its node: %x", n)
	}
}

// TestNodesAreRunByMembers: from rule version 6 the consortium records the
// member that runs each node (the genesis's nodes[].member, or
// SET_NODE_MEMBER): who answers for the validator that signs on it. The
// node must be admitted and the member must exist; a revocation forgets it,
// and a member that leaves is no longer named, nor is a later member of
// the same name.
func TestNodesAreRunByMembers(t *testing.T) {
	run := testNode([32]byte{2})
	c := newConsortiumAt(t, true, 30_000_000, genesis.KnownRuleVersion, func(g *genesis.Genesis) {
		for i := range g.Consortium.Nodes {
			if g.Consortium.Nodes[i].ID == hex.EncodeToString(run[:]) {
				g.Consortium.Nodes[i].Member = "B"
			}
		}
	})
	members := func() map[system.NodeID]string {
		out := c.view("admittedNodeMembers")
		ids, names := out[0].([][20]byte), out[1].([]string)
		m := map[system.NodeID]string{}
		for i, id := range ids {
			m[system.NodeID(id)] = names[i]
		}
		return m
	}
	if m := members(); m[run] != "B" || m[testNode([32]byte{3})] != "" {
		t.Fatalf("after genesis: %v", m)
	}
	propose := func(actions ...system.Action) string { return c.simulate(0, "propose", actions, "x") }
	for want, actions := range map[string][]system.Action{
		"is not admitted: admit it":                 {system.SetNodeMember(system.NodeID{0xab}, "A")},
		"member Z does not exist: make it a member": {system.SetNodeMember(run, "Z")},
	} {
		if reason := propose(actions...); !strings.Contains(reason, want) {
			t.Errorf("want %q: proposing it reverted with %q", want, reason)
		}
	}
	// A new member and the node it runs, in one proposal.
	fresh := system.NodeID{0xfe, 2}
	c.pass(system.SetNode(fresh, true, "city-d"), system.SetMember("D", 1, []common.Address{{0xd}}), system.SetNodeMember(fresh, "D"), system.SetNodeMember(run, ""))
	if m := members(); m[fresh] != "D" || m[run] != "" {
		t.Fatalf("after the proposal: %v", m)
	}
	// A member that leaves is no longer named, nor is a later member of the
	// same name; a revoked node is forgotten.
	id := new(big.Int).SetUint64(c.propose(0, system.SetMember("D", 0, []common.Address{})))
	for k := range 3 { // four of five weight, D's own not needed
		c.gov(k, "vote", id, true)
	}
	if m := members(); m[fresh] != "" {
		t.Fatalf("after member D left: %v", m)
	}
	c.pass(system.SetNodeMember(testNode([32]byte{3}), "C"), system.SetNode(testNode([32]byte{3}), false, ""))
	c.pass(system.SetNode(testNode([32]byte{3}), true, "again"))
	if m := members(); m[testNode([32]byte{3})] != "" {
		t.Fatalf("a node admitted again kept its member: %v", m)
	}
	// A new member of the same name does not inherit the node.
	c.pass(system.SetMember("D", 1, []common.Address{{0xe}}))
	if m := members(); m[fresh] != "" {
		t.Fatalf("a new member D inherited the node of the one that left: %v", m)
	}
}
