package execution

import (
	"maps"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/params"
)

// Precompile is a precompiled contract that a module adds to blocks from
// a rule version on (module.Precompiles).
type Precompile struct {
	Address  common.Address
	Contract vm.PrecompiledContract
	From     uint64 // the first rule version whose blocks have it
}

// BasePrecompiles returns the precompiled contracts of a block under the
// forks of rules and chuxin rule version, before the frozen accounts'
// stand-ins: go-ethereum's, and the modules' that the version has
// (Executor.Precompiled). The map is shared: clone it to change it.
func (e *Executor) BasePrecompiles(rules params.Rules, version uint64) vm.PrecompiledContracts {
	base := vm.ActivePrecompiledContracts(rules)
	var pcs vm.PrecompiledContracts
	for _, p := range e.Precompiled {
		if version < p.From {
			continue
		}
		if pcs == nil {
			pcs = maps.Clone(base)
		}
		pcs[p.Address] = p.Contract
	}
	if pcs == nil {
		return base
	}
	return pcs
}
