package scheduler_test

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/x/scheduler/contracts"
	sched "github.com/chuxin-chain/chuxin/x/scheduler/types"
)

// slotOf is the storage slot of a state variable of the Scheduler
// contract, as solc laid it out (its artifact's storage layout).
func slotOf(t *testing.T, label string) common.Hash {
	t.Helper()
	art, err := contracts.Scheduler()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range art.Storage {
		if s.Label == label {
			return common.BigToHash(new(big.Int).SetUint64(s.Slot))
		}
	}
	t.Fatalf("the Scheduler has no %s", label)
	return common.Hash{}
}

func TestTheHookReadsNextDueFromItsSlot(t *testing.T) {
	if slotOf(t, "nextDue") != (common.Hash{}) {
		t.Fatal("nextDue is not slot 0, which the hook reads")
	}
}

// TestFireKeepsGasForTheDeepestQueue: the worst one firing costs, besides
// the call's own gas, is a call taken from a full queue (65,536 calls: its
// last key sinks through 16 levels of cold slots) with the most data, a
// cold target that reverts with a long reason, and cold permission checks.
// At every gas budget fire succeeds: below the least that runs the call it
// leaves the call queued, and at that least the callee gets its whole gas
// limit, burns it, and enough is left to record its failure and reason.
// The reserve (Scheduler.CALL_RESERVE) holds for today's gas prices
// (EIP-2929, EIP-3529); a rule version that reprices storage or calls
// re-derives it with this test.
func TestFireKeepsGasForTheDeepestQueue(t *testing.T) {
	c := newChain(t)
	now := c.head.Time
	greedy := common.HexToAddress("0x0000000000000000000000000000000000aaaa03")
	data := make([]byte, 1024)
	for i := range data {
		data[i] = 0xcd
	}
	c.applyAt(now+1, c.txTo(sched.Address, pack(t, "schedule", greedy, data, now+5, uint64(sched.MaxCallGas)), 3_000_000))
	st, err := c.st.State(c.head.Root)
	if err != nil {
		t.Fatal(err)
	}
	// The target notes the gas it was given, burns nearly all of it, and
	// reverts with 128 bytes whose first word is that gas: the longest
	// reason fire keeps, after the most gas a call can take.
	st.SetCode(greedy, []byte{
		0x5a, 0x60, 0x00, 0x52, // mem[0] = GAS
		0x5b, 0x61, 0x01, 0x00, 0x5a, 0x10, 0x60, 0x10, 0x57, 0x60, 0x04, 0x56, // while GAS >= 256 {}
		0x5b, 0x60, 0x80, 0x60, 0x00, 0xfd, // REVERT(0, 128)
	}, tracing.CodeChangeUnspecified)
	// 65,535 more calls, due long after, fill the heap behind the first.
	const n = 65536
	heapSlot, placeSlot := slotOf(t, "heap"), slotOf(t, "placeOf")
	base := crypto.Keccak256Hash(heapSlot.Bytes()).Big()
	far := new(big.Int).Lsh(new(big.Int).SetUint64(now+1_000_000), 128)
	st.SetState(sched.Address, heapSlot, common.BigToHash(big.NewInt(n)))
	for i := int64(1); i < n; i++ {
		id := common.BigToHash(big.NewInt(1000 + i))
		st.SetState(sched.Address, common.BigToHash(new(big.Int).Add(base, big.NewInt(i))), common.BigToHash(new(big.Int).Or(far, id.Big())))
		st.SetState(sched.Address, crypto.Keccak256Hash(id.Bytes(), placeSlot.Bytes()), common.BigToHash(big.NewInt(i+1)))
	}
	next := *c.head
	next.Number = new(big.Int).Add(c.head.Number, common.Big1)
	next.Time = now + 5
	rules := c.exec.Config.Rules(next.Number, true, next.Time)
	st.Finalise(rules) // the heap as committed state: SSTOREs are priced against it, and every slot is cold in the call below
	fire := pack(t, "fire", big.NewInt(sched.MaxFires), big.NewInt(sched.MaxBlockGas))
	// run calls fire with budget gas and says whether the call ran, the gas
	// its target was given, and what fire had left.
	run := func(budget uint64) (ran bool, given uint64, left uint64) {
		s := st.Copy()
		evm := vm.NewEVM(core.NewEVMBlockContext(&next, c.st.Chain(), nil), s, c.exec.Config, vm.Config{NoBaseFee: true})
		s.Prepare(rules, params.SystemAddress, common.Address{}, &sched.Address, vm.ActivePrecompiles(rules), nil)
		_, g, err := evm.Call(params.SystemAddress, sched.Address, fire, vm.NewGasBudget(budget, 0), new(uint256.Int))
		if err != nil {
			t.Fatalf("fire with %d gas: %v", budget, err)
		}
		ret, _, err := evm.StaticCall(common.Address{}, sched.Address, pack(t, "get", big.NewInt(1)), vm.NewGasBudget(execution.SystemCallGas, 0))
		if err != nil {
			t.Fatal(err)
		}
		art := schedulerABI(t)
		out, err := art.Unpack("get", ret)
		if err != nil {
			t.Fatal(err)
		}
		call := out[0].(struct {
			Owner    common.Address `json:"owner"`
			Time     uint64         `json:"time"`
			GasLimit uint64         `json:"gasLimit"`
			Status   uint8          `json:"status"`
			Target   common.Address `json:"target"`
			FiredAt  uint64         `json:"firedAt"`
			Data     []byte         `json:"data"`
			Reason   []byte         `json:"reason"`
		})
		if call.Status == 1 {
			return false, 0, g.ExecutionGas
		}
		return true, new(big.Int).SetBytes(call.Reason[:32]).Uint64(), g.ExecutionGas
	}
	lo, hi := uint64(100_000), uint64(execution.SystemCallGas)
	if ran, _, _ := run(hi); !ran {
		t.Fatal("the call did not run with the system call's whole gas")
	}
	for lo+1 < hi {
		if mid := (lo + hi) / 2; func() bool { ran, _, _ := run(mid); return ran }() {
			hi = mid
		} else {
			lo = mid
		}
	}
	_, given, left := run(hi)
	// The callee's first instruction (GAS, 2 gas) sees its limit less 2.
	if given != sched.MaxCallGas-2 {
		t.Fatalf("with %d gas, the least that runs it, the call was given %d gas, not its limit %d", hi, given+2, sched.MaxCallGas)
	}
	if ran, _, _ := run(hi); !ran || left < 100_000 {
		t.Fatalf("with %d gas fire ran the call and kept only %d: the reserve is too thin", hi, left)
	}
	t.Logf("the least gas that runs the call: %d; fire kept %d after it", hi, left)
}

func schedulerABI(t *testing.T) abi.ABI {
	t.Helper()
	art, err := contracts.Scheduler()
	if err != nil {
		t.Fatal(err)
	}
	return art.ABI
}
