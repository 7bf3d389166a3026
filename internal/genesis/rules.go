package genesis

import (
	"fmt"
	"math/big"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/params"

	"github.com/chuxin-chain/chuxin/internal/system"
)

// KnownRuleVersion is the newest chuxin rule version this binary executes.
// A chain may schedule a newer one; this binary then stops before the
// height it activates (see Rules.Check).
//
// Version 3 changes no rule of the core: it activates the modules that
// declare it (module.Activation), the scheduler among them, whose
// contracts are made on its first block on older chains. Version 4
// certifies the logs of system calls (VersionSystemLogs). Version 5 splits
// the Consortium by concern (VersionSplit). Version 6 ties each validator
// to its admitted node and lets proposals call governed contracts
// (VersionValidatorNodes).
const KnownRuleVersion = 6

// VersionValidatorNodes is the chuxin rule version from which a validator
// that a proposal adds names the admitted node that signs with it (the
// SET_NODE_VALIDATORS action; chuxin gov propose --set-validator
// KEY:POWER:NODE_ID, --join, --rotate-validator), and a node that signs for
// a validator is not revoked: a validator whose node the consortium has
// not admitted cannot connect, so its power would only cost liveness. The
// genesis validators' nodes are their Validator.Node. Power changes and
// removals name no node. The same version lets a proposal call the
// contracts on a list governance holds (system.SetGoverned, system.Call):
// an application keeps its own roles and governance grants them there.
const VersionValidatorNodes = system.VersionValidatorNodes

// VersionSplit is the chuxin rule version from which the Consortium
// contract is split by concern, each part under 20,000 bytes of code, for
// room to grow (system.ConsortiumParts): governance proper at its address,
// and the permissions, validators and network parts, which it serves by
// DELEGATECALL on its storage. Its behaviour, address, slots and ABI are
// version 4's; the parts' code is installed on the version's first block.
const VersionSplit = system.VersionSplit

// VersionSystemLogs is the chuxin rule version from which a block's AppHash
// covers the logs its system calls emitted: keccak256(stateRoot ‖
// receiptsRoot ‖ systemLogsRoot) rather than keccak256(stateRoot ‖
// receiptsRoot) (execution.AppHash). Every version keeps and serves those
// logs; from this one the validators' signatures certify them.
const VersionSystemLogs = 4

// VersionGuards is the chuxin rule version from which the consortium's
// guards apply (new chains start at it; an older chain gains it when
// governance schedules it):
//   - the system contracts' code of that version (Genesis.SystemCode),
//     installed on the block where it takes effect, with ConsortiumViews;
//   - on a permissioned network, a transaction to the Consortium contract
//     needs a role or a governor's seat;
//   - nothing creates a contract at a frozen address, and on a permissioned
//     network what genesis code or an EIP-7702-delegated account creates
//     needs a deployer's transaction;
//   - no delegation (EIP-7702) to a frozen contract, and an account
//     delegated to one runs code that reverts;
//   - the timelock-header precompile (system.TimelockHeaderAddress), with
//     which the Capsules contract seals a ciphertext only to the round it
//     names.
//
// Version 1 chains replay their blocks as they were made.
const VersionGuards = 2

// DefaultGasLimit is the block gas limit of a new chain: room for about 2,000
// ERC-20 transfers a block.
const DefaultGasLimit = 100_000_000

// MinGasLimit is the lowest block gas limit, at genesis as by proposal
// (the Consortium contract's floor): a governance proposal must fit.
const MinGasLimit = 10_000_000

// MaxBlockBytes is the most bytes of transactions a block holds, CometBFT's
// block.max_bytes in every chuxin genesis.
const MaxBlockBytes = 16 << 20

// Rules are everything that decides whether a block is valid and what it
// does, other than the state: a chain's genesis holds them whole, and a
// change takes effect only at the activation point it names.
type Rules struct {
	// Ethereum is the EVM's fork schedule: forks before the Merge at block 0,
	// forks after it by block time (nil: never). Its chainId is the chain's.
	Ethereum *params.ChainConfig `json:"ethereum"`
	// Versions is chuxin's own rule schedule: rule version Version applies
	// from height Height on. The first entry applies from height 1;
	// versions and heights increase.
	Versions []RuleVersion `json:"versions"`
	// VoteExtensionsHeight is the first height whose votes carry extensions
	// (CometBFT's feature.vote_extensions_enable_height; 0: off). Once that
	// height is reached it can never change.
	VoteExtensionsHeight int64 `json:"voteExtensionsHeight"`
	// GasLimit is the block gas limit.
	GasLimit uint64 `json:"gasLimit"`
	// BaseFee is the fixed base fee per gas in wei: zero (the default) is
	// consortium mode, where transactions need no balance for gas; above
	// zero it is the floor every transaction must pay, and it is burnt.
	BaseFee *hexutil.Big `json:"baseFee"`
	// AllowUnprotectedTxs admits legacy transactions without EIP-155.
	AllowUnprotectedTxs bool `json:"allowUnprotectedTxs,omitempty"`
	// UnprotectedTxs are the pre-EIP-155 transactions the chain admits
	// nonetheless, by hash: presigned keyless deployments (a contract at the
	// same address on every chain) without opening unprotected transactions
	// to everyone.
	UnprotectedTxs []common.Hash `json:"unprotectedTxs,omitempty"`
}

// RuleVersion is one step of chuxin's rule schedule.
type RuleVersion struct {
	Version uint64 `json:"version"`
	Height  uint64 `json:"height"`
}

// DefaultRules are the rules of a new chain: every fork Ethereum mainnet
// runs, from genesis, the newest rule version from height 1, no vote
// extensions, the default gas limit and free gas.
func DefaultRules(chainID uint64) Rules {
	return Rules{
		Ethereum: DefaultEthereum(chainID),
		Versions: []RuleVersion{{Version: KnownRuleVersion, Height: 1}},
		GasLimit: DefaultGasLimit,
		BaseFee:  (*hexutil.Big)(new(big.Int)),
	}
}

// DefaultEthereum returns the fork schedule of a new chain: every fork that
// Ethereum mainnet runs (through Osaka and its blob-parameter forks), active
// from genesis, and none still in development. Proof of stake is assumed
// from block 0 (terminal total difficulty zero), so PREVRANDAO and the
// post-merge opcodes behave as on mainnet.
func DefaultEthereum(chainID uint64) *params.ChainConfig {
	zero := uint64(0)
	return &params.ChainConfig{
		ChainID:                 new(big.Int).SetUint64(chainID),
		HomesteadBlock:          big.NewInt(0),
		EIP150Block:             big.NewInt(0),
		EIP155Block:             big.NewInt(0),
		EIP158Block:             big.NewInt(0),
		ByzantiumBlock:          big.NewInt(0),
		ConstantinopleBlock:     big.NewInt(0),
		PetersburgBlock:         big.NewInt(0),
		IstanbulBlock:           big.NewInt(0),
		MuirGlacierBlock:        big.NewInt(0),
		BerlinBlock:             big.NewInt(0),
		LondonBlock:             big.NewInt(0),
		ArrowGlacierBlock:       big.NewInt(0),
		GrayGlacierBlock:        big.NewInt(0),
		MergeNetsplitBlock:      big.NewInt(0),
		TerminalTotalDifficulty: big.NewInt(0),
		ShanghaiTime:            &zero,
		CancunTime:              &zero,
		PragueTime:              &zero,
		OsakaTime:               &zero,
		BPO1Time:                &zero,
		BPO2Time:                &zero,
		BlobScheduleConfig: &params.BlobScheduleConfig{
			Cancun: params.DefaultCancunBlobConfig,
			Prague: params.DefaultPragueBlobConfig,
			BPO1:   params.DefaultBPO1BlobConfig,
			BPO2:   params.DefaultBPO2BlobConfig,
		},
	}
}

// VersionAt returns the chuxin rule version in force at height.
func (r *Rules) VersionAt(height uint64) uint64 {
	v := uint64(0)
	for _, s := range r.Versions {
		if s.Height > height {
			break
		}
		v = s.Version
	}
	return v
}

// Check refuses a height whose rule version this binary does not know, so a
// node that was not upgraded stops there instead of forking off.
func (r *Rules) Check(height uint64) error {
	if v := r.VersionAt(height); v > KnownRuleVersion {
		return UnknownVersion(height, v)
	}
	return nil
}

// UnknownVersion is the error of a height whose rule version v this binary
// does not know.
func UnknownVersion(height, v uint64) error {
	return fmt.Errorf("%w: height %d runs rule version %d, this binary knows rule versions up to %d; upgrade chuxin to a release with rule version %d and start the node again", ErrUnknownRules, height, v, KnownRuleVersion, v)
}

// NextUnknown returns the first scheduled rule version above height that
// this binary does not know, so an operator can be warned ahead of it.
func (r *Rules) NextUnknown(height uint64) (RuleVersion, bool) {
	for _, s := range r.Versions {
		if s.Height > height && s.Version > KnownRuleVersion {
			return s, true
		}
	}
	return RuleVersion{}, false
}

// BaseFeeInt returns the base fee as a big integer (zero when unset).
func (r *Rules) BaseFeeInt() *big.Int {
	if r.BaseFee == nil {
		return new(big.Int)
	}
	return new(big.Int).Set(r.BaseFee.ToInt())
}

// validate reports the first field of r that no chain could run with.
func (r *Rules) validate(chainID uint64) error {
	if err := r.validateVersions(); err != nil {
		return err
	}
	switch {
	case r.GasLimit < MinGasLimit && r.Versions[0].Version >= VersionGuards:
		return fmt.Errorf("%w: rules.gasLimit %d is below %d, the least in which a governance proposal fits (so governance could never raise it)", ErrInvalid, r.GasLimit, MinGasLimit)
	case r.BaseFee != nil && r.BaseFee.ToInt().Sign() < 0:
		return fmt.Errorf("%w: rules.baseFee must not be negative", ErrInvalid)
	case r.BaseFee != nil && r.BaseFee.ToInt().BitLen() > 256:
		return fmt.Errorf("%w: rules.baseFee does not fit 256 bits", ErrInvalid)
	case r.VoteExtensionsHeight < 0:
		return fmt.Errorf("%w: rules.voteExtensionsHeight must be 0 (off) or a height", ErrInvalid)
	}
	return validateEthereum(r.Ethereum, chainID)
}

func (r *Rules) validateVersions() error {
	if len(r.Versions) == 0 || r.Versions[0].Height != 1 || r.Versions[0].Version == 0 {
		return fmt.Errorf("%w: rules.versions must start with a version from height 1, as [{\"version\":1,\"height\":1}]", ErrInvalid)
	}
	for i := 1; i < len(r.Versions); i++ {
		prev, cur := r.Versions[i-1], r.Versions[i]
		if cur.Height <= prev.Height || cur.Version <= prev.Version {
			return fmt.Errorf("%w: rules.versions[%d] (version %d at height %d) must follow version %d at height %d with a higher version at a higher height", ErrInvalid, i, cur.Version, cur.Height, prev.Version, prev.Height)
		}
	}
	return nil
}

// validateEthereum accepts the fork schedules chuxin can run: every fork
// before the Merge at block 0 (chuxin is proof of stake from genesis), later
// forks at a block time or never, in go-ethereum's order, and none that
// go-ethereum still develops.
func validateEthereum(c *params.ChainConfig, chainID uint64) error {
	if c == nil {
		return fmt.Errorf("%w: rules.ethereum is missing: the Ethereum fork schedule (a go-ethereum chain config)", ErrInvalid)
	}
	if c.ChainID == nil || !c.ChainID.IsUint64() || c.ChainID.Uint64() != chainID {
		return fmt.Errorf("%w: rules.ethereum.chainId %v differs from chainId %d", ErrInvalid, c.ChainID, chainID)
	}
	if c.TerminalTotalDifficulty == nil || c.TerminalTotalDifficulty.Sign() != 0 {
		return fmt.Errorf("%w: rules.ethereum.terminalTotalDifficulty must be 0: chuxin chains are post-Merge from genesis", ErrInvalid)
	}
	if c.Ethash != nil || c.Clique != nil {
		return fmt.Errorf("%w: rules.ethereum names ethash or clique: CometBFT is chuxin's consensus engine", ErrInvalid)
	}
	for _, f := range blockForks(c) {
		if f.block != nil && f.block.Sign() != 0 {
			return fmt.Errorf("%w: rules.ethereum.%s is %v: every fork before the Merge runs from block 0", ErrInvalid, f.name, f.block)
		}
		if f.block == nil && !f.optional {
			return fmt.Errorf("%w: rules.ethereum.%s is missing: every fork before the Merge runs from block 0", ErrInvalid, f.name)
		}
	}
	if c.ShanghaiTime == nil {
		return fmt.Errorf("%w: rules.ethereum.shanghaiTime is missing: set it to 0", ErrInvalid)
	}
	for _, name := range developmentForks(c) {
		return fmt.Errorf("%w: rules.ethereum.%s schedules a fork go-ethereum still develops; its rules may change before mainnet runs it", ErrInvalid, name)
	}
	if err := c.CheckConfigForkOrder(); err != nil {
		return fmt.Errorf("%w: rules.ethereum: %v", ErrInvalid, err)
	}
	return nil
}

type blockFork struct {
	name     string
	block    *big.Int
	optional bool
}

func blockForks(c *params.ChainConfig) []blockFork {
	return []blockFork{
		{"homesteadBlock", c.HomesteadBlock, false}, {"daoForkBlock", c.DAOForkBlock, true},
		{"eip150Block", c.EIP150Block, false}, {"eip155Block", c.EIP155Block, false},
		{"eip158Block", c.EIP158Block, false}, {"byzantiumBlock", c.ByzantiumBlock, false},
		{"constantinopleBlock", c.ConstantinopleBlock, false}, {"petersburgBlock", c.PetersburgBlock, false},
		{"istanbulBlock", c.IstanbulBlock, false}, {"muirGlacierBlock", c.MuirGlacierBlock, true},
		{"berlinBlock", c.BerlinBlock, false}, {"londonBlock", c.LondonBlock, false},
		{"arrowGlacierBlock", c.ArrowGlacierBlock, true}, {"grayGlacierBlock", c.GrayGlacierBlock, true},
		{"mergeNetsplitBlock", c.MergeNetsplitBlock, true},
	}
}

// developmentForks names the forks of c that go-ethereum v1.17 knows but
// Ethereum mainnet does not run yet.
func developmentForks(c *params.ChainConfig) []string {
	var names []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"bpo3Time", c.BPO3Time != nil}, {"bpo4Time", c.BPO4Time != nil}, {"bpo5Time", c.BPO5Time != nil},
		{"amsterdamTime", c.AmsterdamTime != nil}, {"bogotaTime", c.BogotaTime != nil},
		{"ubtTime", c.UBTTime != nil}, {"enableUBTAtGenesis", c.EnableUBTAtGenesis},
	} {
		if f.set {
			names = append(names, f.name)
		}
	}
	return slices.Clip(names)
}
