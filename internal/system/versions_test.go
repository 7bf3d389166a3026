package system_test

import (
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/chuxin-chain/chuxin/contracts"
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
		// Rule version 2.
		"Consortium":      "0xaf5f23cb4111d4eb64fccdd8759b1a8eaced0a8635de8a178684528eed5ff732",
		"ConsortiumViews": "0x09e9d979a6fe2ba64254baf4d0e6b290585135cb3d908373c4012104e5d613cc",
		"Capsules":        "0x5ef4b1f73e113cc7a37c7f009c49643d1484039d9a9f2305f5022143949b1542",
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
