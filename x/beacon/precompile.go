package beacon

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/ethereum/go-ethereum/core/vm"

	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/execution"
)

// maxTimelockHeaderInput is the most bytes timelockHeader reads: a
// capsule's ciphertext is at most 16 KiB (the Capsules contract's bound).
const maxTimelockHeaderInput = 16 << 10

// timelockHeader reads what a timelock ciphertext says of itself: the round
// and drand chain hash of its tlock stanza. It reverts, with the reason and
// without taking the caller's gas, for input over 16 KiB or that is not a
// tlock ciphertext with one recipient. Its price covers parsing the most
// costly header of 16 KiB, some ten times a hash's per byte.
type timelockHeader struct{}

func (timelockHeader) Name() string { return "TLOCK_HEADER" }

func (timelockHeader) RequiredGas(input []byte) uint64 {
	return 3000 + 60*((uint64(len(input))+31)/32)
}

func (timelockHeader) Run(input []byte) ([]byte, error) {
	if len(input) > maxTimelockHeaderInput {
		return execution.RevertData(fmt.Sprintf("a timelock ciphertext here has at most %d bytes, this one %d", maxTimelockHeaderInput, len(input))), vm.ErrExecutionReverted
	}
	h, err := capsule.Inspect(input)
	if err != nil || h.Recipients != 1 {
		return execution.RevertData("not a timelock (tlock) ciphertext with one recipient"), vm.ErrExecutionReverted
	}
	chain, err := hex.DecodeString(h.ChainHash)
	if err != nil || len(chain) != 32 {
		return execution.RevertData("the tlock stanza's chain hash is not 32 bytes of hex"), vm.ErrExecutionReverted
	}
	out := make([]byte, 64)
	binary.BigEndian.PutUint64(out[24:32], h.Round)
	copy(out[32:], chain)
	return out, nil
}
