// Package contracts embeds the pledge module's compiled contracts
// (compiled by contracts/compile.mjs beside the system contracts).
//
// artifacts/PledgeBook.json is the current compile of PledgeBook.sol;
// artifacts/v1/PledgeBook.json is the artifact of record, whose code every
// chain's genesis holds: the two differ only in the compiler's metadata
// hash (the source's path), which a test checks.
package contracts

import (
	"embed"

	"github.com/chuxin-chain/chuxin/contracts"
)

//go:embed artifacts/*.json artifacts/v1/*.json
var artifacts embed.FS

// PledgeBook is the current artifact: the ABI clients use.
func PledgeBook() (*contracts.Artifact, error) { return contracts.LoadFS(artifacts, "PledgeBook") }

// PledgeBookOfRecord is the artifact whose code chains hold at genesis.
func PledgeBookOfRecord() (*contracts.Artifact, error) {
	return contracts.LoadFS(artifacts, "v1/PledgeBook")
}
