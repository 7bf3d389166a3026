package system

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"

	"github.com/chuxin-chain/chuxin/contracts"
)

// CapsulesAddress is the Capsules system contract's, in every chain whose
// genesis has a beacon.
var CapsulesAddress = common.HexToAddress("0xC415000000000000000000000000000000000002")

// TimelockHeaderAddress is the precompile that reads the header of a
// timelock (tlock) ciphertext, from rule version 2: called with a
// ciphertext of at most 16 KiB, armored or binary, it returns
// abi.encode(uint256 round, bytes32 chainHash) of its one tlock recipient,
// and reverts with the reason for anything else. The Capsules contract
// seals a ciphertext only to the round and chain hash it names.
var TimelockHeaderAddress = common.HexToAddress("0xC415000000000000000000000000000000000100")

// slotCountAt is the Capsules contract's mapping(uint64 => uint256) of
// capsules per round.
const slotCountAt = 0

// Capsules loads the Capsules contract's artifact.
func Capsules() (*contracts.Artifact, error) { return contracts.Load("Capsules") }

var (
	capsulesOnce sync.Once
	capsulesArt  *contracts.Artifact
	capsulesErr  error
)

// capsules is the newest Capsules artifact, whose ABI serves every version.
func capsules() (*contracts.Artifact, error) {
	capsulesOnce.Do(func() { capsulesArt, capsulesErr = Capsules() })
	return capsulesArt, capsulesErr
}

// CapsulesAccount returns the Capsules contract's genesis account for a
// beacon whose round 1 is at genesisTime, one round every period seconds,
// and whose drand chain hash is chainHash, with the code of chuxin rule
// version: from version 2 it seals a ciphertext only to the round and
// chain hash its header names (TimelockHeaderAddress); version 1 chains
// keep the code they were made with.
func CapsulesAccount(genesisTime int64, period uint32, chainHash [32]byte, config *params.ChainConfig, time, version uint64) (types.Account, error) {
	var (
		art *contracts.Artifact
		err error
	)
	args := []any{uint64(genesisTime), uint64(period)}
	if version < 2 {
		art, err = contracts.Load("v1/Capsules")
	} else {
		art, err = capsules()
		args = append(args, chainHash)
	}
	if err != nil {
		return types.Account{}, err
	}
	code, err := art.DeployData(args...)
	if err != nil {
		return types.Account{}, fmt.Errorf("%w: %v", ErrGenesis, err)
	}
	return Deploy("Capsules", code, config, time)
}

// CapsulesAt reads how many capsules are sealed to round.
func CapsulesAt(st State, round uint64) uint64 {
	var buf [64]byte
	binary.BigEndian.PutUint64(buf[24:32], round)
	binary.BigEndian.PutUint64(buf[56:], slotCountAt)
	w := st.GetState(CapsulesAddress, crypto.Keccak256Hash(buf[:]))
	return new(big.Int).SetBytes(w[:]).Uint64()
}

// PackCapsules encodes a call of the Capsules contract's method.
func PackCapsules(method string, args ...any) ([]byte, error) {
	return packWith(capsules, method, args...)
}

// UnpackCapsules decodes what the Capsules contract's method returned.
func UnpackCapsules(method string, ret []byte) ([]any, error) {
	return unpackWith(capsules, method, ret)
}
