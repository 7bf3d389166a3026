// Package types is the scheduler module's constants and wire types, shared
// by its node side, its CLI and other clients.
package types

import (
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// Address is the Scheduler contract's, in every chain from rule version 3.
var Address = common.HexToAddress("0xC415000000000000000000000000000000000005")

// ActiveFrom is the chuxin rule version from which the scheduler runs.
const ActiveFrom = 3

// Bounds of one block's firing: at most MaxFires calls taken from the
// queue, and MaxBlockGas of their gas limits. What is left runs in the
// next blocks, in order.
const (
	MaxFires    = 64
	MaxBlockGas = 10_000_000
)

// MaxCallGas is the most gas one call may have (Scheduler.MAX_CALL_GAS).
const MaxCallGas = 2_000_000

// Statuses of a call, as the contract numbers them.
var Statuses = []string{"none", "pending", "done", "failed", "cancelled"}

// Call is a scheduled call, as chuxin_scheduled answers it.
type Call struct {
	ID       uint64         `json:"id"`
	Owner    common.Address `json:"owner"` // who scheduled it
	Target   common.Address `json:"target"`
	Time     uint64         `json:"time"` // block time, seconds
	GasLimit uint64         `json:"gasLimit"`
	Status   string         `json:"status"`
	FiredAt  uint64         `json:"firedAt,omitempty"` // the block that ran it
	Data     hexutil.Bytes  `json:"data"`
	Reason   string         `json:"reason,omitempty"` // why it failed
}

// Query is chuxin_scheduled's filter: calls to one target, due within a
// time range, of one status, from an id on.
type Query struct {
	Target   *common.Address `json:"target,omitempty"`
	FromTime uint64          `json:"fromTime,omitempty"`
	ToTime   uint64          `json:"toTime,omitempty"` // 0: no bound
	Status   string          `json:"status,omitempty"`
	FromID   uint64          `json:"fromId,omitempty"` // 0: the first
	Limit    int             `json:"limit,omitempty"`  // 0: 100, at most 1000
}

// Page is chuxin_scheduled's answer: the calls that match among the ids
// scanned, and where to go on (NextID 0: the end).
type Page struct {
	Calls   []Call `json:"calls"`
	Count   uint64 `json:"count"`   // calls ever scheduled
	Pending uint64 `json:"pending"` // calls waiting
	NextDue uint64 `json:"nextDue"` // the earliest pending call's time (0: none)
	NextID  uint64 `json:"nextId,omitempty"`
}
