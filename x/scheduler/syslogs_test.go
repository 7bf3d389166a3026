package scheduler_test

import (
	"bytes"
	"math/big"
	"reflect"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	sched "github.com/chuxin-chain/chuxin/x/scheduler/types"
)

var (
	firedEventID   = crypto.Keccak256Hash([]byte("Fired(uint256,address,bool,bytes)"))
	scheduledEvent = crypto.Keccak256Hash([]byte("Scheduled(uint256,address,address,uint64,uint64)"))
)

// TestFiringsAreSystemLogs: a block's firings are its system logs, each
// naming the fire call, with the logs of the calls that succeeded and none
// of those that reverted; from rule version 4 the AppHash covers their
// root, an idle block's root is the empty trie's, and the store keeps them.
func TestFiringsAreSystemLogs(t *testing.T) {
	c := newChain(t)
	now := c.head.Time
	raws := c.schedule(logger, 100_000, now+5)
	raws = append(raws, c.schedule(loggerReverts, 100_000, now+5)...)
	raws = append(raws, c.schedule(counter, 100_000, now+5)...)
	scheduling := c.applyAt(now+1, raws...)
	if len(scheduling.SystemLogs) != 0 || scheduling.Receipts[0].Logs[0].Topics[0] != scheduledEvent {
		t.Fatalf("a block of transactions has system logs %+v", scheduling.SystemLogs)
	}
	res := c.applyAt(now + 6)

	fire := pack(t, "fire", big.NewInt(1), big.NewInt(1))[:4]
	// Call 0 of the block is fire. In order: the logger's LOG0 and its
	// Fired; the reverting logger's Fired (its LOG0 reverted with it); the
	// counter's event and its Fired.
	want := []struct {
		addr  common.Address
		topic common.Hash
		id    uint64
	}{{logger, common.Hash{}, 0}, {sched.Address, firedEventID, 1}, {sched.Address, firedEventID, 2}, {counter, common.Hash{}, 0}, {sched.Address, firedEventID, 3}}
	if len(res.SystemLogs) != len(want) {
		t.Fatalf("system logs: %+v", res.SystemLogs)
	}
	for i, w := range want {
		l := res.SystemLogs[i]
		if l.Address != w.addr || l.Call != 0 || l.Phase != execution.PhasePostBlock || l.To != sched.Address || !bytes.Equal(l.Method[:], fire) {
			t.Fatalf("system log %d: %+v", i, l)
		}
		switch w.addr {
		case logger:
			if len(l.Topics) != 0 {
				t.Fatalf("the logger's log: %+v", l)
			}
			continue
		case counter:
			continue // the counter's own event
		}
		if l.Topics[0] != w.topic || l.Topics[1] != common.BigToHash(new(big.Int).SetUint64(w.id)) {
			t.Fatalf("system log %d: %+v, want Fired of call %d", i, l, w.id)
		}
	}
	if c.get(2).Status != "failed" {
		t.Fatalf("the reverting logger: %+v", c.get(2))
	}

	// The AppHash covers their root.
	root := execution.SystemLogsRoot(res.SystemLogs)
	if res.SystemLogsRoot == nil || *res.SystemLogsRoot != root || root == types.EmptyRootHash {
		t.Fatalf("the block's system logs root: %v, want %s", res.SystemLogsRoot, root)
	}
	h := res.Block.Header()
	if !bytes.Equal(res.AppHash(), crypto.Keccak256(h.Root.Bytes(), h.ReceiptHash.Bytes(), root.Bytes())) {
		t.Fatal("the AppHash is not keccak256(stateRoot ‖ receiptsRoot ‖ systemLogsRoot)")
	}
	// Another log, another AppHash: the root is bound to each log.
	other := append(execution.SystemLogs{}, res.SystemLogs...)
	other[0].Call = 1
	if execution.SystemLogsRoot(other) == root {
		t.Fatal("the root does not depend on the call that emitted a log")
	}

	// The store keeps them by block, and only blocks that have some.
	kept, err := c.st.SystemLogs(h.Number.Uint64())
	if err != nil || len(kept) != len(res.SystemLogs) || execution.SystemLogsRoot(kept) != root {
		t.Fatalf("kept: %+v %v", kept, err)
	}
	idle1, idle2 := c.applyAt(now+7), c.applyAt(now+8)
	if idle1.SystemLogsRoot == nil || *idle1.SystemLogsRoot != types.EmptyRootHash || !bytes.Equal(idle1.AppHash(), idle2.AppHash()) {
		t.Fatalf("idle blocks: root %v, AppHashes %x %x", idle1.SystemLogsRoot, idle1.AppHash(), idle2.AppHash())
	}
	var seen []uint64
	if err := c.st.EachSystemLogs(0, c.head.Number.Uint64()+10, nil, func(n uint64, logs execution.SystemLogs) error {
		seen = append(seen, n)
		return nil
	}); err != nil || !reflect.DeepEqual(seen, []uint64{h.Number.Uint64()}) {
		t.Fatalf("blocks with system logs: %v %v", seen, err)
	}
	if from, err := c.st.SystemLogsFrom(); err != nil || from != 1 {
		t.Fatalf("a new chain's system logs from %d (%v)", from, err)
	}
}

// TestBeforeVersion4TheAppHashLeavesSystemLogsOut: a version 3 block keeps
// its system logs but reports keccak256(stateRoot ‖ receiptsRoot), as
// version 3 blocks were made; version 4's first block adds the root.
func TestBeforeVersion4TheAppHashLeavesSystemLogsOut(t *testing.T) {
	c := newChain(t, genesis.RuleVersion{Version: 3, Height: 1}, genesis.RuleVersion{Version: 4, Height: 4})
	now := c.head.Time
	c.applyAt(now+1, c.schedule(counter, 100_000, now+2)...)
	res := c.applyAt(now + 2) // block 2, version 3
	h := res.Block.Header()
	if len(res.SystemLogs) != 2 || res.SystemLogsRoot != nil || !bytes.Equal(res.AppHash(), crypto.Keccak256(h.Root.Bytes(), h.ReceiptHash.Bytes())) {
		t.Fatalf("version 3: %d system logs, root %v", len(res.SystemLogs), res.SystemLogsRoot)
	}
	c.applyAt(now + 3) // block 3, version 3
	v4 := c.applyAt(now + 4)
	h = v4.Block.Header()
	if v4.SystemLogsRoot == nil || !bytes.Equal(v4.AppHash(), crypto.Keccak256(h.Root.Bytes(), h.ReceiptHash.Bytes(), types.EmptyRootHash.Bytes())) {
		t.Fatalf("version 4's first block: root %v", v4.SystemLogsRoot)
	}
	st, err := c.st.State(c.head.Root)
	if err != nil {
		t.Fatal(err)
	}
	stateErr := func() error { return c.st.ReadErr(st, c.head.Root) }
	if got, root, err := c.exec.CommittedAppHash(st, res.Block.Header(), stateErr, c.st.SystemLogs); err != nil || root != nil || !bytes.Equal(got, res.AppHash()) {
		t.Fatalf("the AppHash of the version 3 block from the store: %x (root %v, %v), it reported %x", got, root, err, res.AppHash())
	}
	if got, root, err := c.exec.CommittedAppHash(st, v4.Block.Header(), stateErr, c.st.SystemLogs); err != nil || root == nil || !bytes.Equal(got, v4.AppHash()) {
		t.Fatalf("the AppHash of the version 4 block from the store: %x (root %v, %v), it reported %x", got, root, err, v4.AppHash())
	}
}
