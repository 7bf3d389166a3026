package client

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/system"
	ctypes "github.com/chuxin-chain/chuxin/x/consortium/types"
)

// TestToleranceWarning: four validators of power 10 tolerate one down; a
// fifth voted in before its node runs is down already, so they tolerate
// none more. A change of an existing validator's power warns of nothing.
func TestToleranceWarning(t *testing.T) {
	info := &ctypes.ConsortiumInfo{}
	for i := range 4 {
		info.Validators = append(info.Validators, ctypes.ValidatorInfo{PubKey: common.Hash{byte(i + 1)}, Power: 10})
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
		info.Validators = append(info.Validators, ctypes.ValidatorInfo{PubKey: common.Hash{byte(i + 1)}, Power: 10})
	}
	if w := toleranceWarning(info, []validatorChange{{key: [32]byte{9}, power: 10}}); !strings.Contains(w, "tolerates 16 more power down (1 validators), against 23 (2 validators) now") {
		t.Errorf("seven validators and an eighth:\n%s", w)
	}
	// Two and a third: the new one's power alone is more than the spare.
	two := &ctypes.ConsortiumInfo{Validators: info.Validators[:2]}
	if w := toleranceWarning(two, []validatorChange{{key: [32]byte{9}, power: 10}}); !strings.Contains(w, "the chain halts from the block the change applies") {
		t.Errorf("two validators and a third:\n%s", w)
	}
	// Ten of 10 and a new one of 15: the down one is no candidate; two
	// more of 10 may fail (115 power, spare 38, 23 after the new one).
	var ten []ctypes.ValidatorInfo
	for i := range 10 {
		ten = append(ten, ctypes.ValidatorInfo{PubKey: common.Hash{byte(i + 1)}, Power: 10})
	}
	if w := toleranceWarning(&ctypes.ConsortiumInfo{Validators: ten}, []validatorChange{{key: [32]byte{99}, power: 15}}); !strings.Contains(w, "tolerates 23 more power down (2 validators)") {
		t.Errorf("ten validators and one of 15:\n%s", w)
	}
	// A removal in the same proposal counts: four of 10, one leaves, one
	// joins: 40 power, spare 13, 3 after the new one.
	if w := toleranceWarning(&ctypes.ConsortiumInfo{Validators: ten[:4]}, []validatorChange{{key: [32]byte{1}}, {key: [32]byte{99}, power: 10}}); !strings.Contains(w, "tolerates 3 more power down (0 validators)") {
		t.Errorf("a removal and a join:\n%s", w)
	}
}

// TestListsFirst: the contract applies a proposal's actions in order, so
// admissions go first, then the rest in their order, then the members
// named for nodes (after the member a join makes), revocations last:
// a rotation onto a node that the same proposal admits, and the
// revocation of the node the old key leaves, apply.
func TestListsFirst(t *testing.T) {
	oldNode, newNode := system.NodeID{1}, system.NodeID{2}
	rotate := system.SetNodeValidators(system.NodeValidator{PubKey: [32]byte{1}}, system.NodeValidator{PubKey: [32]byte{2}, Power: 10, Node: newNode})
	fee := system.SetFeeRecipient([32]byte{2}, common.Address{9})
	member, runs := system.SetMember("M", 1, []common.Address{{7}}), system.SetNodeMember(newNode, "M")
	got := listsFirst([]system.Action{runs, rotate, fee, system.SetNode(oldNode, false, ""), member, system.SetNode(newNode, true, "new")})
	want := []system.Action{system.SetNode(newNode, true, "new"), rotate, fee, member, runs, system.SetNode(oldNode, false, "")}
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
	info := &ctypes.ConsortiumInfo{RuleVersion: 5, Upgrades: []ctypes.RuleUpgrade{{Version: 6, Height: 120}}}
	if w := nodesComingWarning(info); !strings.Contains(w, "rule version 6 applies from block 120") || !strings.Contains(w, "made for version 5, fails if it passes at or after that block") {
		t.Fatalf("warning: %q", w)
	}
	if w := nodesComingWarning(&ctypes.ConsortiumInfo{RuleVersion: 5}); w != "" {
		t.Fatalf("no version 6 scheduled, but: %q", w)
	}
}

// TestCallData: --call's calldata, from a signature and arguments, is the
// ABI encoding go-ethereum's packer makes from the function's ABI; hex is
// taken as given; bad input names what is wrong.
func TestCallData(t *testing.T) {
	issuer := common.HexToAddress("0x00000000000000000000000000000000000000cd")
	parsed, err := abi.JSON(strings.NewReader(`[{"type":"function","name":"setIssuer","inputs":[{"type":"address"},{"type":"bool"},{"type":"uint64"},{"type":"int8"},{"type":"bytes32"},{"type":"string"}]}]`))
	if err != nil {
		t.Fatal(err)
	}
	want, err := parsed.Pack("setIssuer", issuer, true, uint64(7), int8(-3), [32]byte{1}, "court of Hangzhou")
	if err != nil {
		t.Fatal(err)
	}
	to, got, err := callData("0x00000000000000000000000000000000000000ab:setIssuer(address,bool,uint64,int8,bytes32,string):" + issuer.Hex() + ",true,7,-3,0x01" + strings.Repeat("00", 31) + ",court of Hangzhou")
	if err != nil || to != common.HexToAddress("0xab") || !bytes.Equal(got, want) {
		t.Fatalf("callData: %x, %v; want %x", got, err, want)
	}
	if _, got, err := callData("0x00000000000000000000000000000000000000AB:0x12345678aa"); err != nil || !bytes.Equal(got, []byte{0x12, 0x34, 0x56, 0x78, 0xaa}) {
		t.Fatalf("hex calldata: %x %v", got, err)
	}
	if _, got, err := callData("0x00000000000000000000000000000000000000ab:set(uint8):010"); err != nil || got[len(got)-1] != 10 {
		t.Fatalf("a leading zero is decimal: %x %v", got, err)
	}
	if _, got, err := callData("0x00000000000000000000000000000000000000ab:pause()"); err != nil || len(got) != 4 {
		t.Fatalf("a call without arguments: %x %v", got, err)
	}
	for spec, want := range map[string]string{
		"0xab:pause()": "want ADDRESS:",
		"0x00000000000000000000000000000000000000ab:set(uint8):300":        "does not fit uint8",
		"0x00000000000000000000000000000000000000ab:set(int8):-129":        "does not fit int8",
		"0x00000000000000000000000000000000000000ab:set(uint64):-1":        "does not fit uint64",
		"0x00000000000000000000000000000000000000ab:set(address,bool):0x1": "takes 2 arguments, 1 given",
		"0x00000000000000000000000000000000000000ab:set(address):0x1":      "is not an address",
		"0x00000000000000000000000000000000000000ab:set(uint256[]):1":      "uint8 to uint256 (in steps of 8)",
		"0x00000000000000000000000000000000000000ab:0x12":                  "at least 4 bytes",
		"0x00000000000000000000000000000000000000ab:set(address to):0x1":   "with no name or space",
		"0x00000000000000000000000000000000000000ab:set(uint):1":           "with no name or space",
		"0x00000000000000000000000000000000000000ab:set(uint7):1":          "with no name or space",
		"0x00000000000000000000000000000000000000ab:set(uint8)x:1":         "want ADDRESS:",
		"0x00000000000000000000000000000000000000ab:set(uint8):08x":        "is not a number",
		"0x00000000000000000000000000000000000000aB:pause()":               "fails its checksum",
	} {
		if _, _, err := callData(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", spec, err, want)
		}
	}
}

// TestVoteChanges: a rotation on the validator's own node costs nothing
// while its node runs; one onto another node, or a new key, does.
func TestVoteChanges(t *testing.T) {
	here := system.NodeID{1}
	info := &ctypes.ConsortiumInfo{Validators: []ctypes.ValidatorInfo{{PubKey: common.Hash{1}, Power: 10, Node: here.String()}}}
	rotate := func(node system.NodeID) []system.NodeValidator {
		return []system.NodeValidator{{PubKey: [32]byte{1}}, {PubKey: [32]byte{2}, Power: 10, Node: node}}
	}
	for name, tc := range map[string]struct {
		actions [][]system.NodeValidator
		changes int
	}{
		"a rotation on its node":        {[][]system.NodeValidator{rotate(here)}, 0},
		"a rotation naming no node":     {[][]system.NodeValidator{rotate(system.NodeID{})}, 0},
		"a rotation onto another node":  {[][]system.NodeValidator{rotate(system.NodeID{9})}, 2},
		"a new validator":               {[][]system.NodeValidator{{{PubKey: [32]byte{3}, Power: 5, Node: system.NodeID{3}}}}, 1},
		"a rotation that changes power": {[][]system.NodeValidator{{{PubKey: [32]byte{1}}, {PubKey: [32]byte{2}, Power: 11, Node: here}}}, 2},
	} {
		if got := voteChanges(info, tc.actions); len(got) != tc.changes {
			t.Errorf("%s: %d changes, want %d", name, len(got), tc.changes)
		}
	}
}
