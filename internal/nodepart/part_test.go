package nodepart_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/nodepart"
	"github.com/chuxin-chain/chuxin/internal/system"
)

func validator() *nodepart.Part {
	return &nodepart.Part{Moniker: "hangzhou-1", NodeID: strings.Repeat("ab", 20), ConsensusPubKey: make([]byte, 32), Address: "10.0.0.5:26656",
		Power: 10, FeeRecipient: common.Address{9}, Member: &system.Member{Name: "Hangzhou", Weight: 1, Governors: []common.Address{{7}}}}
}

// TestReadChecksThePart: a part file round-trips through Save and Read;
// Read refuses an unknown field and a part no network could take, naming
// the field.
func TestReadChecksThePart(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "part.json")
	if err := validator().Save(file); err != nil {
		t.Fatal(err)
	}
	p, err := nodepart.Read(file)
	if err != nil || p.Moniker != "hangzhou-1" || p.Member.Name != "Hangzhou" {
		t.Fatalf("read back: %+v %v", p, err)
	}
	for want, edit := range map[string]func(p *nodepart.Part){
		"without a feeRecipient": func(p *nodepart.Part) { p.FeeRecipient = common.Address{} },
		"is not host:port":       func(p *nodepart.Part) { p.Address = "10.0.0.5" },
		"consensusPubKey has 31": func(p *nodepart.Part) { p.ConsensusPubKey = make([]byte, 31) },
		"has no moniker":         func(p *nodepart.Part) { p.Moniker = "" },
	} {
		p := validator()
		edit(p)
		if err := p.Save(file); err != nil {
			t.Fatal(err)
		}
		if _, err := nodepart.Read(file); !errors.Is(err, nodepart.ErrPart) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", want, err)
		}
	}
	if err := os.WriteFile(file, []byte(`{"moniker":"x","surprise":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := nodepart.Read(file); !errors.Is(err, nodepart.ErrPart) || !strings.Contains(err.Error(), "surprise") {
		t.Fatalf("an unknown field: %v", err)
	}
}

// TestJoinActionsAdmitFirst: the join admits the node before anything
// names it, and from rule version 6 the validator change names that node.
func TestJoinActionsAdmitFirst(t *testing.T) {
	p := validator()
	for _, nodes := range []bool{false, true} {
		as, err := nodepart.JoinActions(p, nodes)
		if err != nil {
			t.Fatal(err)
		}
		kinds := []uint8{}
		for _, a := range as {
			kinds = append(kinds, a.Kind)
		}
		want := []uint8{system.KindSetNode, system.KindSetMember, system.KindSetValidators, system.KindFeeRecipient}
		if nodes { // the member runs the node, and the validator names it
			want = []uint8{system.KindSetNode, system.KindSetMember, system.KindSetNodeMember, system.KindSetNodeValidators, system.KindFeeRecipient}
		}
		if len(kinds) != len(want) {
			t.Fatalf("nodes %v: kinds %v, want %v", nodes, kinds, want)
		}
		for i := range want {
			if kinds[i] != want[i] {
				t.Fatalf("nodes %v: kinds %v, want %v", nodes, kinds, want)
			}
		}
	}
	p.FeeRecipient = common.Address{}
	if _, err := nodepart.JoinActions(p, true); !errors.Is(err, nodepart.ErrPart) {
		t.Fatalf("a validator without a fee recipient: %v", err)
	}
}
