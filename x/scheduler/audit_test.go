package scheduler_test

import (
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/x/scheduler"
	"github.com/chuxin-chain/chuxin/x/scheduler/contracts"
	sched "github.com/chuxin-chain/chuxin/x/scheduler/types"
)

// eventLog is the log the Scheduler emits for event name with args, in
// the ABI's order.
func eventLog(t *testing.T, name string, args ...any) *types.Log {
	t.Helper()
	art, err := contracts.Scheduler()
	if err != nil {
		t.Fatal(err)
	}
	ev := art.ABI.Events[name]
	l := &types.Log{Address: sched.Address, Topics: []common.Hash{ev.ID}}
	var data []any
	var plain abi.Arguments
	for i, in := range ev.Inputs {
		if !in.Indexed {
			data, plain = append(data, args[i]), append(plain, in)
			continue
		}
		topics, err := abi.MakeTopics([]any{args[i]})
		if err != nil {
			t.Fatal(err)
		}
		l.Topics = append(l.Topics, topics[0][0])
	}
	if l.Data, err = plain.Pack(data...); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestTheAuditTellsTheSchedulersEvents: each event of the Scheduler is an
// audit entry of kind schedule, worded, a failure with its reason.
func TestTheAuditTellsTheSchedulersEvents(t *testing.T) {
	owner, target, admin := common.Address{1}, common.Address{2}, common.Address{3}
	for _, tc := range []struct {
		log  *types.Log
		want string
	}{
		{eventLog(t, "Allowed", owner, true, admin), "account " + owner.Hex() + " may schedule calls (by " + admin.Hex() + ")"},
		{eventLog(t, "Allowed", owner, false, admin), "account " + owner.Hex() + " may no longer schedule calls"},
		{eventLog(t, "Scheduled", big.NewInt(7), owner, target, uint64(1_800_000_000), uint64(50_000)), "call 7 to " + target.Hex() + " scheduled by " + owner.Hex() + " for 2027-01-15T08:00:00Z (gas 50000)"},
		{eventLog(t, "Cancelled", big.NewInt(7)), "call 7 cancelled"},
		{eventLog(t, "Fired", big.NewInt(7), target, true, []byte{}), "call 7 to " + target.Hex() + " ran"},
		{eventLog(t, "Fired", big.NewInt(8), target, false, execution.RevertData("not yet")), "call 8 to " + target.Hex() + " failed: not yet"},
		{eventLog(t, "Fired", big.NewInt(9), target, false, []byte{}), "failed: reverted without a reason, or ran out of gas"},
	} {
		e, ok := scheduler.Module{}.AuditLog(tc.log)
		if !ok || e.Kind != "schedule" || !strings.Contains(e.Text, tc.want) {
			t.Errorf("%v: %+v, want %q", ok, e, tc.want)
		}
	}
	other := eventLog(t, "Cancelled", big.NewInt(7))
	other.Address = common.Address{9}
	if _, ok := (scheduler.Module{}).AuditLog(other); ok {
		t.Error("a log of another contract was told")
	}
}
