package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/rpc/wire"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// TestToleranceWarning: four validators of power 10 tolerate one down; a
// fifth voted in before its node runs is down already, so they tolerate
// none more. A change of an existing validator's power warns of nothing.
func TestToleranceWarning(t *testing.T) {
	info := &wire.ConsortiumInfo{}
	for i := range 4 {
		info.Validators = append(info.Validators, wire.ValidatorInfo{PubKey: common.Hash{byte(i + 1)}, Power: 10})
	}
	w := toleranceWarning(info, []validatorChange{{key: [32]byte{9}, power: 10, name: "hangzhou-1"}})
	for _, want := range []string{"hangzhou-1 will be a validator", "its power of 10 is down", "tolerates 6 more power down (0 validators)", "against 13 (1 validators) now", "with 1 more validators down the chain halts"} {
		if !strings.Contains(w, want) {
			t.Errorf("warning lacks %q:\n%s", want, w)
		}
	}
	if w := toleranceWarning(info, []validatorChange{{key: [32]byte{1}, power: 20}}); w != "" {
		t.Errorf("a power change of a validator warned: %s", w)
	}
	// Seven of power 10 tolerate two; an eighth down leaves one.
	for i := 4; i < 7; i++ {
		info.Validators = append(info.Validators, wire.ValidatorInfo{PubKey: common.Hash{byte(i + 1)}, Power: 10})
	}
	if w := toleranceWarning(info, []validatorChange{{key: [32]byte{9}, power: 10}}); !strings.Contains(w, "tolerates 16 more power down (1 validators), against 23 (2 validators) now") {
		t.Errorf("seven validators and an eighth:\n%s", w)
	}
	// Two and a third: the new one's power alone is more than the spare.
	two := &wire.ConsortiumInfo{Validators: info.Validators[:2]}
	if w := toleranceWarning(two, []validatorChange{{key: [32]byte{9}, power: 10}}); !strings.Contains(w, "the chain halts from the block the change applies") {
		t.Errorf("two validators and a third:\n%s", w)
	}
	// Ten of 10 and a new one of 15: the down one is no candidate; two
	// more of 10 may fail (115 power, spare 38, 23 after the new one).
	var ten []wire.ValidatorInfo
	for i := range 10 {
		ten = append(ten, wire.ValidatorInfo{PubKey: common.Hash{byte(i + 1)}, Power: 10})
	}
	if w := toleranceWarning(&wire.ConsortiumInfo{Validators: ten}, []validatorChange{{key: [32]byte{99}, power: 15}}); !strings.Contains(w, "tolerates 23 more power down (2 validators)") {
		t.Errorf("ten validators and one of 15:\n%s", w)
	}
	// A removal in the same proposal counts: four of 10, one leaves, one
	// joins: 40 power, spare 13, 3 after the new one.
	if w := toleranceWarning(&wire.ConsortiumInfo{Validators: ten[:4]}, []validatorChange{{key: [32]byte{1}}, {key: [32]byte{99}, power: 10}}); !strings.Contains(w, "tolerates 3 more power down (0 validators)") {
		t.Errorf("a removal and a join:\n%s", w)
	}
}

// TestNodesFirst: the contract applies a proposal's actions in order, so
// admissions go first, revocations last, and the rest keep their order:
// a rotation onto a node that the same proposal admits, and the
// revocation of the node the old key leaves, apply.
func TestNodesFirst(t *testing.T) {
	oldNode, newNode := system.NodeID{1}, system.NodeID{2}
	rotate := system.SetNodeValidators(system.NodeValidator{PubKey: [32]byte{1}}, system.NodeValidator{PubKey: [32]byte{2}, Power: 10, Node: newNode})
	fee := system.SetFeeRecipient([32]byte{2}, common.Address{9})
	got := nodesFirst([]system.Action{rotate, fee, system.SetNode(oldNode, false, ""), system.SetNode(newNode, true, "new")})
	want := []system.Action{system.SetNode(newNode, true, "new"), rotate, fee, system.SetNode(oldNode, false, "")}
	for i := range want {
		if got[i].Kind != want[i].Kind || !bytes.Equal(got[i].Data, want[i].Data) {
			t.Fatalf("action %d: kind %d, want kind %d", i, got[i].Kind, want[i].Kind)
		}
	}
}

// TestNodesComingWarning: a chain before version 6 that has version 6
// scheduled warns that a proposal adding validators its old way fails
// from that height; one with no such version scheduled does not.
func TestNodesComingWarning(t *testing.T) {
	info := &wire.ConsortiumInfo{RuleVersion: 5, Upgrades: []wire.RuleUpgrade{{Version: 6, Height: 120}}}
	if w := nodesComingWarning(info); !strings.Contains(w, "rule version 6 applies from block 120") || !strings.Contains(w, "made for version 5, fails if it passes at or after that block") {
		t.Fatalf("warning: %q", w)
	}
	if w := nodesComingWarning(&wire.ConsortiumInfo{RuleVersion: 5}); w != "" {
		t.Fatalf("no version 6 scheduled, but: %q", w)
	}
}
