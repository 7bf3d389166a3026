// Package contracts embeds the scheduler module's compiled contract
// (compiled by contracts/compile.mjs beside the system contracts).
package contracts

import (
	"embed"
	"sync"

	"github.com/chuxin-chain/chuxin/contracts"
)

//go:embed artifacts/*.json
var artifacts embed.FS

var (
	once sync.Once
	art  *contracts.Artifact
	err  error
)

// Scheduler is the Scheduler contract's artifact.
func Scheduler() (*contracts.Artifact, error) {
	once.Do(func() { art, err = contracts.LoadFS(artifacts, "Scheduler") })
	return art, err
}
