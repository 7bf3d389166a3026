package execution

import "errors"

// Sentinel errors of the state transition. Callers match them with errors.Is;
// the wrapped message says what was wrong and what to do.
var (
	// ErrDecode: the bytes are not a valid Ethereum transaction encoding.
	ErrDecode = errors.New("invalid transaction encoding")
	// ErrUnprotected: a legacy transaction without EIP-155 replay protection.
	ErrUnprotected = errors.New("only replay-protected (EIP-155) transactions are allowed")
	// ErrChainID: the transaction was signed for another chain.
	ErrChainID = errors.New("invalid chain id")
	// ErrSignature: the signature does not recover to a sender.
	ErrSignature = errors.New("invalid transaction signature")
	// ErrBlobTx: blob-carrying (EIP-4844) transactions have no data availability layer here.
	ErrBlobTx = errors.New("blob transactions are not supported")
	// ErrTxType: the transaction's type is not enabled by the forks in force.
	ErrTxType = errors.New("transaction type not supported")
	// ErrTooLarge: a fee or value field does not fit 256 bits.
	ErrTooLarge = errors.New("fee or value above 2^256-1")
	// ErrGasLimit: the transaction's gas limit is above what a block can hold.
	ErrGasLimit = errors.New("exceeds block gas limit")
	// ErrBlockFull: no gas left in this block for the transaction.
	ErrBlockFull = errors.New("block gas limit reached")
	// ErrMessage: a decoded transaction could not become an EVM message.
	ErrMessage = errors.New("transaction cannot be executed")
	// ErrPayload: a system payload is malformed, misplaced or of an unknown type.
	ErrPayload = errors.New("invalid system payload")
	// ErrPermission: the sender lacks the role the transaction needs.
	ErrPermission = errors.New("not permitted")
	// ErrFrozen: the sender or the recipient is frozen by a regulator.
	ErrFrozen = errors.New("account frozen")
	// ErrModuleRefused: a module's part of the admission rule refused the
	// transaction (its reason follows).
	ErrModuleRefused = errors.New("refused by the admission rule of a module")
	// ErrSystemCall: a system call failed; the block cannot be executed.
	ErrSystemCall = errors.New("system call failed")
	// ErrValidatorUpdates: a block's validator changes are ones CometBFT
	// would refuse; they are recorded and not handed to it.
	ErrValidatorUpdates = errors.New("validator updates refused")
	// ErrReplay: a block executed again did not run what it ran the first
	// time (a broken invariant: execution is deterministic).
	ErrReplay = errors.New("replay diverged from the committed block")
)
