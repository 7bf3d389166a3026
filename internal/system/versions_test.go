package system_test

import (
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/chuxin-chain/chuxin/contracts"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// TestSystemCodeOfEachRuleVersionIsPinned: the system contracts' code is
// part of a rule version (genesis.VersionGuards). A chain replays its
// blocks on any later binary only if the code of each version never
// changes, so a change of a system contract's source is a new rule
// version, with the old artifacts kept under contracts/artifacts/vN.
func TestSystemCodeOfEachRuleVersionIsPinned(t *testing.T) {
	for name, want := range map[string]string{
		// Rule version 1.
		"v1/Consortium": "0xd5928cb9ec94a5f4d323db5531d3dd2c40ef37015ea5aebe9282b4ab7100ea4c",
		"v1/Capsules":   "0x898c9d5743683df736909f8c959e4ebac507e237ac2e4c1e494b3da183a90917",
		// Rule versions 2 to 4.
		"v4/Consortium":      "0xaf5f23cb4111d4eb64fccdd8759b1a8eaced0a8635de8a178684528eed5ff732",
		"v4/ConsortiumViews": "0x09e9d979a6fe2ba64254baf4d0e6b290585135cb3d908373c4012104e5d613cc",
		"Capsules":           "0x5ef4b1f73e113cc7a37c7f009c49643d1484039d9a9f2305f5022143949b1542",
		// Rule version 5: the Consortium split by concern.
		"v5/Consortium":            "0xb7ed2d279b4d37ab832278ddbdf0c780c9fac2d3d559d98bebeb0310fd9597a6",
		"v5/ConsortiumViews":       "0x75570b64bf59e4e7d8e314e4cd54bd5ad19a39288048ebe2f375891b16ca9411",
		"v5/ConsortiumPermissions": "0xceb504203f3fab06f0d3784cb618580f7a25ea6ecbab25dec33682a42d3556c3",
		"v5/ConsortiumValidators":  "0xa1670ecf481b51d1fb6731be4204fff3c698667c77ffdf0d23b14cc89f169db9",
		"v5/ConsortiumNetwork":     "0x77aad5996b7724ded398758e88362bffb56c9548a27644f95f91f18a23bd103a",
		// Rule version 6: a validator a proposal adds names its admitted node.
		"Consortium":            "0x6fd7314132fb3d325d1a89f77beefb48387aa7878658e6ca862dd98d4d3ff1e2",
		"ConsortiumViews":       "0xcf16d14fb046e856cd97190ef4ea00ff91f6b74e3a2b5a171d641e09a1fa9055",
		"ConsortiumPermissions": "0x8678a53286eb5284d5d6d997303f6b63b7e099a45c44af1d2060175f572ef2de",
		"ConsortiumValidators":  "0xe5b1883ca7386cddbb6180dc1768c85359a429efcf4eafae73be8cc6dbf33f5c",
		"ConsortiumNetwork":     "0x585f08031aecaf2f632320a3fd93bf40c8591e21fcdc4f9d7c4bdb5b6dc903d2",
	} {
		a, err := contracts.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := crypto.Keccak256Hash(a.Bytecode).Hex(); got != want {
			t.Errorf("%s's code changed (%s, pinned %s): a system contract's new code is a new rule version; keep this code as contracts/artifacts/vN/ and load the new under the new version", name, got, want)
		}
	}
}

// TestSystemContractsLeaveRoomToGrow: each system contract's code, at
// every rule version from the split (genesis.VersionSplit) on, is under
// 20,000 bytes, well below EIP-170's 24,576 (which applies at genesis too,
// since the constructor runs): a new governance action or role fits. A
// concern that outgrows it becomes a part of its own.
func TestSystemContractsLeaveRoomToGrow(t *testing.T) {
	const most = 20_000
	names := []string{"Consortium", "Capsules"}
	for _, version := range []uint64{system.VersionSplit, system.VersionValidatorNodes} {
		parts, _, err := system.ConsortiumParts(version)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range parts {
			names = append(names, p.Name)
		}
	}
	for _, name := range names {
		a, err := contracts.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(a.Runtime); n >= most {
			t.Errorf("%s's code is %d bytes, %d or more: split a concern out of it (see system.ConsortiumParts)", name, n, most)
		} else {
			t.Logf("%s: %d bytes", name, n)
		}
	}
}
