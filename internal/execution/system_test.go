package execution_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

var (
	counterAddr = common.Address{0xc0}
	// pendingSlot of the counter holds a validator update a test asks for;
	// the hook below hands it to consensus and clears it.
	pendingSlot = common.Hash{31: 9}
)

// validatorHook does work only when pendingSlot is set: it then reports a
// validator update and clears the slot by a system call's side effect.
type validatorHook struct{ pre, post int }

func (h *validatorHook) PreBlock(sys *execution.System, in *execution.BlockInput) error {
	h.pre++
	return nil
}

func (h *validatorHook) PostBlock(sys *execution.System, in *execution.BlockInput, out *execution.Updates) error {
	h.post++
	v := sys.State().GetState(counterAddr, pendingSlot)
	if v == (common.Hash{}) {
		return nil // no work: write nothing
	}
	out.Validators = append(out.Validators, execution.ValidatorUpdate{PubKey: v.Bytes(), Power: 7})
	sys.State().SetState(counterAddr, pendingSlot, common.Hash{})
	return nil
}

// counterPayload applies a payload by calling the counter, once per byte.
type counterPayload struct{}

func (counterPayload) Check(data []byte) error {
	if len(data) == 0 || len(data) > 3 {
		return fmt.Errorf("want 1 to 3 bytes, got %d", len(data))
	}
	return nil
}

func (counterPayload) Apply(sys *execution.System, data []byte) error {
	for range data {
		if _, err := sys.Call(counterAddr, nil); err != nil {
			return err
		}
	}
	return nil
}

func systemChain(t *testing.T) (*chain, *validatorHook) {
	c := fundedChainOf(t, testchain.Genesis(chainID, 30_000_000, nil), 1, types.GenesisAlloc{counterAddr: {Code: testchain.CounterRuntime()}})
	h := &validatorHook{}
	c.exec.Hooks = []execution.Hook{h}
	c.exec.Payloads = map[execution.PayloadType]execution.PayloadHandler{7: counterPayload{}}
	return c, h
}

func TestIdleChainStaysIdleWithHooks(t *testing.T) {
	c, h := systemChain(t)
	genesisRoot := c.head.Root
	first := c.apply()
	second := c.apply()
	if h.pre != 2 || h.post != 2 {
		t.Fatalf("hooks ran %d/%d times for 2 blocks", h.pre, h.post)
	}
	if first.Block.Root() != genesisRoot || second.Block.Root() != genesisRoot {
		t.Fatal("an empty block with idle hooks changed the state")
	}
	if !bytes.Equal(first.AppHash(), second.AppHash()) || len(second.Updates.Validators) != 0 {
		t.Fatal("an empty block after an empty block changed the AppHash")
	}
	// After a block with a transaction, one empty block changes the AppHash
	// (its receipts root is empty again), and the next leaves it alone.
	busy := c.apply(raw(testchain.Transfer(c.keys[0], cid, 0, common.Address{1}, common.Big1)))
	e1, e2 := c.apply(), c.apply()
	if bytes.Equal(busy.AppHash(), e1.AppHash()) || !bytes.Equal(e1.AppHash(), e2.AppHash()) {
		t.Fatal("the AppHash does not settle after a busy block")
	}
}

func TestPayloadsApplyBySystemCallAndHooksReportUpdates(t *testing.T) {
	c, _ := systemChain(t)
	// The counter counts system calls; the payload makes two.
	res := c.applyInput(&execution.BlockInput{Parent: c.head, Time: c.head.Time + 1,
		Payloads: []execution.Payload{{Type: 7, Data: []byte{1, 2}}}})
	st, _ := c.st.State(res.Block.Root())
	if got := st.GetState(counterAddr, common.Hash{}); got != (common.Hash{31: 2}) {
		t.Fatalf("counter after a two-call payload: %s", got)
	}
	if len(res.Receipts) != 0 || len(res.Block.Transactions()) != 0 {
		t.Fatal("a payload became a transaction")
	}
	// A validator update asked for in state leaves through the result once.
	st.SetState(counterAddr, pendingSlot, common.Hash{31: 0xee})
	next := c.exec.Header(st, &execution.BlockInput{Parent: c.head, Time: c.head.Time + 1})
	out, err := c.exec.Execute(st, c.st.Chain(), &execution.BlockInput{Parent: c.head, Time: next.Time})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Updates.Validators) != 1 || out.Updates.Validators[0].Power != 7 || out.Updates.Validators[0].PubKey[31] != 0xee {
		t.Fatalf("validator updates out of execution: %+v", out.Updates)
	}
}

func TestPayloadEnvelopes(t *testing.T) {
	c, _ := systemChain(t)
	tx := raw(testchain.Transfer(c.keys[0], cid, 0, common.Address{1}, common.Big1))
	p := execution.EncodePayload(execution.Payload{Type: 7, Data: []byte{1}})
	payloads, txs, err := execution.SplitBlock([][]byte{p, p, tx})
	if err != nil || len(payloads) != 2 || len(txs) != 1 || !bytes.Equal(txs[0], tx) {
		t.Fatalf("split: %d payloads, %d txs, %v", len(payloads), len(txs), err)
	}
	if _, _, err := execution.SplitBlock([][]byte{tx, p}); !errors.Is(err, execution.ErrPayload) {
		t.Fatalf("a payload after a transaction: %v", err)
	}
	for name, ps := range map[string][]execution.Payload{
		"unknown type":  {{Type: 8, Data: []byte{1}}},
		"refused check": {{Type: 7, Data: nil}},
	} {
		if err := c.exec.CheckPayloads(ps); !errors.Is(err, execution.ErrPayload) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := c.exec.DecodeTx(p); !errors.Is(err, execution.ErrDecode) {
		t.Fatalf("a payload decoded as a transaction: %v", err)
	}
}
