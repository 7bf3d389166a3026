package execution

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"maps"

	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/params"

	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// BasePrecompiles returns the precompiled contracts of a block under the
// forks of rules and chuxin rule version, before the frozen accounts' stand-ins:
// go-ethereum's, and from rule version 2 chuxin's timelock-header reader
// (system.TimelockHeaderAddress). The map is shared: clone it to change it.
func BasePrecompiles(rules params.Rules, version uint64) vm.PrecompiledContracts {
	base := vm.ActivePrecompiledContracts(rules)
	if version < genesis.VersionGuards {
		return base
	}
	pcs := maps.Clone(base)
	pcs[system.TimelockHeaderAddress] = timelockHeader{}
	return pcs
}

// errNotACapsule is the revert of timelockHeader for input that is not a
// timelock ciphertext with one recipient.
var errNotACapsule = errors.New("not a timelock (tlock) ciphertext with one recipient")

// timelockHeader reads what a timelock ciphertext says of itself: the round
// and drand chain hash of its tlock stanza. Its cost is that of reading
// the input, as a hash's is.
type timelockHeader struct{}

func (timelockHeader) Name() string { return "TLOCK_HEADER" }

func (timelockHeader) RequiredGas(input []byte) uint64 {
	return 3000 + 6*((uint64(len(input))+31)/32)
}

func (timelockHeader) Run(input []byte) ([]byte, error) {
	h, err := capsule.Inspect(input)
	if err != nil || h.Recipients != 1 {
		return nil, errNotACapsule
	}
	chain, err := hex.DecodeString(h.ChainHash)
	if err != nil || len(chain) != 32 {
		return nil, errNotACapsule
	}
	out := make([]byte, 64)
	binary.BigEndian.PutUint64(out[24:32], h.Round)
	copy(out[32:], chain)
	return out, nil
}
