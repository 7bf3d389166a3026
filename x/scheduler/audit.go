package scheduler

import (
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/x/scheduler/contracts"
	sched "github.com/chuxin-chain/chuxin/x/scheduler/types"
)

// auditKind is the kind of the scheduler's entries in the audit trail.
const auditKind = "schedule"

// AuditAddresses is the Scheduler contract.
func (Module) AuditAddresses() []common.Address { return []common.Address{sched.Address} }

// AuditKinds is "schedule".
func (Module) AuditKinds() []string { return []string{auditKind} }

// AuditLog tells the Scheduler's events: who may schedule, what was
// scheduled and cancelled, and every firing, with a failure's reason.
func (Module) AuditLog(l *types.Log) (module.AuditEntry, bool) {
	art, err := contracts.Scheduler()
	if err != nil || l.Address != sched.Address {
		return module.AuditEntry{}, false
	}
	name, f, ok := art.DecodeLog(l)
	if !ok {
		return module.AuditEntry{}, false
	}
	var text string
	switch name {
	case "Allowed":
		text = fmt.Sprintf("account %v may no longer schedule calls (by %v)", f["account"], f["by"])
		if f["allowed"] == true {
			text = fmt.Sprintf("account %v may schedule calls (by %v)", f["account"], f["by"])
		}
	case "Scheduled":
		at, _ := f["time"].(uint64)
		text = fmt.Sprintf("call %v to %v scheduled by %v for %s (gas %v)", f["id"], f["target"], f["owner"], time.Unix(int64(at), 0).UTC().Format(time.RFC3339), f["gasLimit"])
	case "Cancelled":
		text = fmt.Sprintf("call %v cancelled", f["id"])
	case "Fired":
		text = fmt.Sprintf("call %v to %v ran", f["id"], f["target"])
		if f["success"] != true {
			text = fmt.Sprintf("call %v to %v failed: %s", f["id"], f["target"], failure(f["reason"]))
		}
	default:
		return module.AuditEntry{}, false
	}
	if id, ok := f["id"].(*big.Int); ok {
		f["id"] = id.Uint64() // ids count from 1, far below 2^64
	}
	return module.AuditEntry{Kind: auditKind, Event: name, Text: text, Fields: f}, true
}

// failure words a failed call's reason: its revert reason, or its bytes.
func failure(v any) string {
	reason, _ := v.([]byte)
	if len(reason) == 0 {
		return "reverted without a reason, or ran out of gas"
	}
	if s, err := abi.UnpackRevert(reason); err == nil {
		return s
	}
	return "reverted with " + hexutil.Encode(reason)
}
