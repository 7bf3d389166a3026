package execution

import (
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
)

// SystemCallGas is the gas of one system call, as go-ethereum gives its own
// (EIP-4788, EIP-7002).
const SystemCallGas = 30_000_000

// Hook is a system-call hook: the node's way to make calls into system
// contracts around a block's transactions, as go-ethereum does for EIP-4788
// before them and the EIP-7685 request queues after them. A hook must write
// state only when it has work: on an idle chain every block must leave the
// state as it found it, or CometBFT, which makes a block whenever the
// AppHash changed, would never stop making blocks.
//
// A hook's error halts the chain on every node alike (it is deterministic),
// so a hook returns one only for a broken invariant; a system contract that
// reverts is the hook's to handle.
type Hook interface {
	// PreBlock runs after the block's payloads and before its first
	// transaction.
	PreBlock(sys *System, in *BlockInput) error
	// PostBlock runs after the block's last transaction and may add
	// validator and consensus-parameter updates to out.
	PostBlock(sys *System, in *BlockInput, out *Updates) error
}

// PayloadHandler checks and applies the payloads of one type.
type PayloadHandler interface {
	// Check says whether a proposal may carry the payload: a stateless
	// check, made in ProcessProposal on every validator.
	Check(data []byte) error
	// Apply applies the payload by system calls, before the block's
	// transactions.
	Apply(sys *System, data []byte) error
}

// System makes system calls within one block: calls from
// params.SystemAddress that pay no gas and leave no receipt. The logs they
// emit are part of no receipt (as with go-ethereum's system calls): the
// block keeps them as its system logs (SystemLog), each naming the call
// that emitted it.
type System struct {
	evm     *vm.EVM
	statedb *state.StateDB
	rules   params.Rules
	indexed []Indexed
	failed  []error
	version uint64                  // the chuxin rule version in force (Executor.VersionAt)
	base    vm.PrecompiledContracts // the block's precompiles (BasePrecompiles)
	entered bool                    // the block is the first of that version (not block 1)
	phase   Phase                   // of the calls being made
	calls   uint64                  // system calls made so far
	logs    SystemLogs              // what they emitted
}

// Fail records that a system call of the block failed. The block goes on
// (a system call must be total: consensus has decided the block), and the
// failure reaches the node's log and the block's events (Result.Failures).
func (s *System) Fail(err error) {
	s.failed = append(s.failed, err)
}

// Indexed is an entry a block adds to the node's index beside the state:
// data every node derives from the block the same way, kept out of the
// state so that it neither grows the state nor changes the AppHash (the
// epoch keys a block carries, say). The store writes it with the block.
type Indexed struct {
	Key, Value []byte
}

// Index adds an entry to the node's index when the block commits.
func (s *System) Index(key, value []byte) {
	s.indexed = append(s.indexed, Indexed{Key: key, Value: value})
}

// State returns the block's state, for the cheap reads with which a hook
// decides whether it has work.
func (s *System) State() vm.StateDB { return s.statedb }

// Number returns the number of the block being executed.
func (s *System) Number() uint64 { return s.evm.Context.BlockNumber.Uint64() }

// Time returns the time of the block being executed, in seconds.
func (s *System) Time() uint64 { return s.evm.Context.Time }

// Version returns the chuxin rule version in force in the block.
func (s *System) Version() uint64 { return s.version }

// Call calls the contract at to with data from the system address and
// returns what it returned. A call that reverts or fails changes nothing
// and returns its error (ErrSystemCall).
func (s *System) Call(to common.Address, data []byte) ([]byte, error) {
	s.prepare(to, data)
	// System calls share one log context (prepare), so the call's logs
	// are those past what the calls before it left there; a call that
	// reverts leaves none.
	before := len(s.statedb.GetLogs(common.Hash{}, 0, common.Hash{}, 0))
	ret, _, err := s.evm.Call(params.SystemAddress, to, data, vm.NewGasBudget(SystemCallGas, 0), common.U2560)
	s.statedb.Finalise(s.rules)
	call := s.calls
	s.calls++
	if err != nil {
		return ret, fmt.Errorf("%w: call to %s: %v", ErrSystemCall, to, err)
	}
	var method [4]byte
	copy(method[:], data)
	for _, l := range s.statedb.GetLogs(common.Hash{}, 0, common.Hash{}, 0)[before:] {
		s.logs = append(s.logs, SystemLog{Address: l.Address, Topics: l.Topics, Data: l.Data, Call: call, Phase: s.phase, To: to, Method: method})
	}
	return ret, nil
}

// View calls the contract at to read-only.
func (s *System) View(to common.Address, data []byte) ([]byte, error) {
	s.prepare(to, data)
	ret, _, err := s.evm.StaticCall(params.SystemAddress, to, data, vm.NewGasBudget(SystemCallGas, 0))
	if err != nil {
		return ret, fmt.Errorf("%w: view of %s: %v", ErrSystemCall, to, err)
	}
	return ret, nil
}

func (s *System) prepare(to common.Address, data []byte) {
	msg := &core.Message{
		From: params.SystemAddress, To: &to, Data: data, GasLimit: SystemCallGas,
		GasPrice: uint256.NewInt(0), GasFeeCap: uint256.NewInt(0), GasTipCap: uint256.NewInt(0),
	}
	s.evm.SetTxContext(core.NewEVMTxContext(msg))
	s.statedb.Prepare(s.rules, params.SystemAddress, common.Address{}, &to, nil, nil)
	s.statedb.SetTxContext(common.Hash{}, 0, 0)
}

// ValidatorUpdate changes one validator's voting power (0 removes it), in
// CometBFT's terms: an ed25519 consensus key and a power.
type ValidatorUpdate struct {
	PubKey []byte
	Power  int64
}

// ParamUpdates changes consensus parameters; a nil group is unchanged.
type ParamUpdates struct {
	// Block replaces both of CometBFT's block parameters at once (as
	// CometBFT applies them): a block's most bytes (-1: 100 MB) and gas.
	Block *BlockParams
}

// BlockParams are CometBFT's block size limits.
type BlockParams struct {
	MaxBytes int64
	MaxGas   int64
}

// Updates are what a block asks of consensus: validator-set and
// consensus-parameter changes, which FinalizeBlock hands to CometBFT.
type Updates struct {
	Validators []ValidatorUpdate
	Params     *ParamUpdates
}
