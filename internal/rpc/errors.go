package rpc

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// Sentinel errors of the RPC layer.
var (
	// ErrLimit: a request asked for more than the node's bounds allow.
	ErrLimit = errors.New("request exceeds a limit")
	// ErrParams: a parameter is malformed.
	ErrParams = errors.New("invalid params")
	// ErrUnknownBlock: the block does not exist (yet).
	ErrUnknownBlock = errors.New("unknown block")
	// ErrNotSupported: the method or option does not apply to this chain.
	ErrNotSupported = errors.New("not supported")
)

// rpcError is an error with a JSON-RPC code and optional data.
type rpcError struct {
	code int
	msg  string
	data any
}

func (e *rpcError) Error() string  { return e.msg }
func (e *rpcError) ErrorCode() int { return e.code }
func (e *rpcError) ErrorData() any { return e.data }

func invalidParams(format string, args ...any) error {
	return &rpcError{code: -32602, msg: fmt.Sprintf("%v: %s", ErrParams, fmt.Sprintf(format, args...))}
}

func limitExceeded(format string, args ...any) error {
	return &rpcError{code: -32005, msg: fmt.Sprintf(format, args...)}
}

// txRefused is the error of a transaction the mempool would not take; the
// code is geth's for transaction pool errors.
func txRefused(reason string) error { return &rpcError{code: -32000, msg: reason} }

// revertError is the EIP-140 revert of eth_call and eth_estimateGas: code 3,
// the decoded reason in the message, the raw return data in data.
func revertError(ret []byte) error {
	msg := "execution reverted"
	if reason, err := abi.UnpackRevert(ret); err == nil {
		msg += ": " + reason
	}
	return &rpcError{code: 3, msg: msg, data: hexutil.Encode(ret)}
}
