package system

import (
	"maps"
	"slices"
	"testing"

	"github.com/chuxin-chain/chuxin/contracts"
)

// TestStorageLayout checks the slots the node reads against the compiler's
// storage layout of the system contracts: a reordered state variable
// would otherwise make the node read the wrong words.
//
// The Consortium's parts run on its storage (by DELEGATECALL), so each
// part's layout must be the Consortium's, word for word.
func TestStorageLayout(t *testing.T) {
	slots := map[string]uint64{"permissions": slotPermissions, "freezes": slotFreezes, "permissioned": slotPermissioned,
		"pending": slotPending, "nextDeadline": slotDeadline, "frozen": slotFrozen, "admittedSince": slotAdmitted, "upgrades": slotUpgrades, "feeRecipientOf": slotFeeRecipient,
		"gasLimit": slotGasLimit, "baseFee": slotBaseFee, "governorOf": slotGovernorOf, "validatorKeys": slotValidatorKeys, "powerOf": slotPowerOf, "frozenIndex": slotFrozenIndex, "frozenVersion": slotFrozenVersion}
	checkLayout(t, "Consortium", maps.Clone(slots))
	for _, version := range []uint64{2, VersionSplit, VersionValidatorNodes} {
		consortium, err := ConsortiumAt(version)
		if err != nil {
			t.Fatal(err)
		}
		parts, arts, err := ConsortiumParts(version)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range parts {
			checkLayout(t, p.Name, maps.Clone(slots))
			if version >= VersionSplit && !slices.Equal(arts[i].Storage, consortium.Storage) {
				t.Errorf("%s's storage layout is not the Consortium's:\n%v\n%v", p.Name, arts[i].Storage, consortium.Storage)
			}
		}
	}
	checkLayout(t, "v4/Consortium", maps.Clone(slots))
	checkLayout(t, "v5/Consortium", maps.Clone(slots))
	checkLayout(t, "Capsules", map[string]uint64{"countAt": slotCountAt})
}

func checkLayout(t *testing.T, contract string, want map[string]uint64) {
	t.Helper()
	art, err := contracts.Load(contract)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range art.Storage {
		if slot, ok := want[v.Label]; ok {
			if v.Slot != slot || v.Offset != 0 {
				t.Errorf("%s.%s is at slot %d offset %d, the node reads slot %d", contract, v.Label, v.Slot, v.Offset, slot)
			}
			delete(want, v.Label)
		}
	}
	if len(want) != 0 {
		t.Errorf("not in %s's layout: %v", contract, want)
	}
}

func TestRoleNames(t *testing.T) {
	r, err := ParseRoles("admin, Transactor")
	if err != nil || r != RoleAdmin|RoleTransactor || r.String() != "admin,transactor" {
		t.Fatalf("ParseRoles: %v %v %s", r, err, r)
	}
	if _, err := ParseRoles("auditor"); err == nil {
		t.Fatal("an unknown role was parsed")
	}
}
