package execution_test

import (
	"bytes"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/contracts"
	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
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
	views, err := contracts.Load("ConsortiumViews")
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
