package system

import "errors"

// Sentinel errors of the system contracts.
var (
	// ErrGenesis: the consortium part of a genesis cannot be deployed.
	ErrGenesis = errors.New("consortium genesis")
	// ErrUnknownRole: a role name that is not one of the four.
	ErrUnknownRole = errors.New("unknown role")
	// ErrNodeID: text that is not a CometBFT node ID.
	ErrNodeID = errors.New("invalid node ID")
	// ErrCall: a system call returned what the node cannot use.
	ErrCall = errors.New("system contract call")
)
