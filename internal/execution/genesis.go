package execution

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
)

// DefaultGasLimit is the block gas limit of a new chain: room for about 2,000
// ERC-20 transfers a block.
const DefaultGasLimit = 100_000_000

// Genesis is the EVM part of a chain's genesis: it travels as the app_state of
// the CometBFT genesis document, so one file describes the whole chain.
type Genesis struct {
	// ChainID is the EIP-155 chain id that every transaction is signed for.
	ChainID uint64 `json:"chainId"`
	// GasLimit is the block gas limit.
	GasLimit uint64 `json:"gasLimit"`
	// BaseFee is the fixed base fee per gas in wei: zero (the default) is
	// consortium mode, where transactions need no balance for gas; above
	// zero it is the floor every transaction must pay, and it is burnt.
	BaseFee *hexutil.Big `json:"baseFee"`
	// AllowUnprotectedTxs admits legacy transactions without EIP-155.
	AllowUnprotectedTxs bool `json:"allowUnprotectedTxs,omitempty"`
	// Timestamp is the time of block 0, in seconds since the epoch.
	Timestamp uint64 `json:"timestamp"`
	// Alloc is the initial state: balances, code and storage.
	Alloc types.GenesisAlloc `json:"alloc"`
}

// ParseGenesis decodes and validates a genesis app_state.
func ParseGenesis(raw []byte) (*Genesis, error) {
	var g Genesis
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, fmt.Errorf("%w: app_state is not a chuxin genesis: %v", ErrGenesis, err)
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	return &g, nil
}

// Validate reports the first field of g that no chain could run with.
func (g *Genesis) Validate() error {
	switch {
	case g.ChainID == 0:
		return fmt.Errorf("%w: chainId must be set (a positive EIP-155 chain id)", ErrGenesis)
	case g.GasLimit < params.TxGas:
		return fmt.Errorf("%w: gasLimit %d is below the %d gas of a plain transfer", ErrGenesis, g.GasLimit, params.TxGas)
	case g.BaseFee != nil && g.BaseFee.ToInt().Sign() < 0:
		return fmt.Errorf("%w: baseFee must not be negative", ErrGenesis)
	}
	return nil
}

// BaseFeeInt returns the base fee as a big integer (zero when unset).
func (g *Genesis) BaseFeeInt() *big.Int {
	if g.BaseFee == nil {
		return new(big.Int)
	}
	return new(big.Int).Set(g.BaseFee.ToInt())
}

// SystemAllocs are the contracts every chuxin chain starts with: the
// EIP-7997 deterministic deployment factory, so CREATE2 deployments get the
// same addresses as on other chains.
//
// The EIP-4788 and EIP-2935 contracts are left out on purpose: their system
// calls write state in every block, so an idle chain would never be idle
// (CometBFT makes a new block whenever the last one changed the AppHash).
// BLOCKHASH serves the last 256 block hashes from headers, and the header's
// parentBeaconBlockRoot carries the previous consensus block hash.
func SystemAllocs() types.GenesisAlloc {
	return types.GenesisAlloc{
		params.DeterministicFactoryAddress: {Nonce: 1, Code: params.DeterministicFactoryCode, Balance: common.Big0},
	}
}

// CoreGenesis returns the go-ethereum genesis that g describes, with the
// system contracts added to its allocation.
func (g *Genesis) CoreGenesis() *core.Genesis {
	alloc := maps.Clone(g.Alloc)
	if alloc == nil {
		alloc = types.GenesisAlloc{}
	}
	maps.Copy(alloc, SystemAllocs())
	return &core.Genesis{
		Config:     ChainConfig(g.ChainID),
		Timestamp:  g.Timestamp,
		GasLimit:   g.GasLimit,
		BaseFee:    g.BaseFeeInt(),
		Difficulty: big.NewInt(0),
		Alloc:      alloc,
	}
}
