package scheduler_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/internal/store"
	"github.com/chuxin-chain/chuxin/internal/testchain"
	"github.com/chuxin-chain/chuxin/x/scheduler"
	"github.com/chuxin-chain/chuxin/x/scheduler/contracts"
	sched "github.com/chuxin-chain/chuxin/x/scheduler/types"
)

const chainID = 1337

var (
	cid         = big.NewInt(chainID)
	ownerKey    = key("owner")
	owner       = crypto.PubkeyToAddress(ownerKey.PublicKey)
	strangerKey = key("stranger")
	stranger    = crypto.PubkeyToAddress(strangerKey.PublicKey)
	counter     = common.HexToAddress("0x00000000000000000000000000000000000c0c0c")
	reverter    = common.HexToAddress("0x00000000000000000000000000000000000bad00")
	spinner     = common.HexToAddress("0x000000000000000000000000000000000005b1b1")
	proxy       = common.HexToAddress("0x0000000000000000000000000000000000aaaa01")
	echo        = common.HexToAddress("0x0000000000000000000000000000000000aaaa02")
	// logger emits LOG0(0, 0) and stops; loggerReverts emits it and reverts.
	logger        = common.HexToAddress("0x0000000000000000000000000000000000aaaa03")
	loggerReverts = common.HexToAddress("0x0000000000000000000000000000000000aaaa04")
)

func key(s string) *ecdsa.PrivateKey {
	k, _ := crypto.ToECDSA(crypto.Keccak256([]byte(s)))
	return k
}

// chain is a chain with the scheduler, blocks applied by the executor.
type chain struct {
	t      testing.TB
	st     *store.Store
	exec   *execution.Executor
	head   *types.Header
	nonces map[common.Address]uint64
}

// newChain starts a chain at rule versions (version from height), with
// owner allowed to schedule and the test contracts deployed.
func newChain(t testing.TB, versions ...genesis.RuleVersion) *chain {
	t.Helper()
	alloc := types.GenesisAlloc{
		owner:              {Balance: big.NewInt(1e18)},
		stranger:           {Balance: big.NewInt(1e18)},
		testchain.Governor: {Balance: big.NewInt(1e18)},
		counter:            {Code: testchain.CounterRuntime(), Balance: common.Big0},
		reverter:           {Code: []byte{0x60, 0x00, 0x60, 0x00, 0xfd}, Balance: common.Big0}, // REVERT(0, 0)
		spinner:            {Code: []byte{0x5b, 0x60, 0x00, 0x56}, Balance: common.Big0},       // a loop: runs out of gas
		proxy:              {Code: proxyCode(), Balance: common.Big0},
		echo:               {Code: []byte{0x36, 0x60, 0x00, 0x60, 0x00, 0x37, 0x36, 0x60, 0x00, 0xfd}, Balance: common.Big0}, // reverts with its calldata
		logger:             {Code: []byte{0x60, 0x00, 0x60, 0x00, 0xa0, 0x00}, Balance: common.Big0},
		loggerReverts:      {Code: []byte{0x60, 0x00, 0x60, 0x00, 0xa0, 0x60, 0x00, 0x80, 0xfd}, Balance: common.Big0},
	}
	g := testchain.Genesis(chainID, 1_000_000_000, alloc)
	if len(versions) > 0 {
		g.Rules.Versions = versions
	}
	g.Modules = map[string]json.RawMessage{"scheduler": json.RawMessage(`{"allowed":["` + owner.Hex() + `","` + proxy.Hex() + `"]}`)}
	set, err := module.NewSet(scheduler.Module{})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.UseModules(set); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.TempDir(), store.Options{CacheMB: 32})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	block, err := st.InitGenesis(g)
	if err != nil {
		t.Fatal(err)
	}
	return &chain{t: t, st: st, exec: execution.NewExecutor(g, execution.Extensions{Hooks: set.Hooks(), Precompiles: set.Precompiles()}), head: block.Header(), nonces: map[common.Address]uint64{}}
}

// applyAt executes raw transactions as the next block at time and commits it.
func (c *chain) applyAt(time uint64, raws ...[]byte) *execution.Result {
	c.t.Helper()
	st, err := c.st.State(c.head.Root)
	if err != nil {
		c.t.Fatal(err)
	}
	res, err := c.exec.Execute(st, c.st.Chain(), &execution.BlockInput{Parent: c.head, Time: time, Txs: raws})
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.st.CommitBlock(res, nil); err != nil {
		c.t.Fatal(err)
	}
	c.head = res.Block.Header()
	return res
}

func pack(t testing.TB, method string, args ...any) []byte {
	t.Helper()
	art, err := contracts.Scheduler()
	if err != nil {
		t.Fatal(err)
	}
	data, err := art.ABI.Pack(method, args...)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// tx signs a call of the Scheduler contract by k.
func (c *chain) tx(k *ecdsa.PrivateKey, data []byte) []byte {
	from := crypto.PubkeyToAddress(k.PublicKey)
	n := c.nonces[from]
	c.nonces[from]++
	b, err := testchain.Call(k, cid, n, sched.Address, data, 3_000_000).MarshalBinary()
	if err != nil {
		c.t.Fatal(err)
	}
	return b
}

// schedule makes the raw transactions of owner's calls of target, each at
// its time with gas.
func (c *chain) schedule(target common.Address, gas uint64, times ...uint64) [][]byte {
	var raws [][]byte
	for _, at := range times {
		raws = append(raws, c.tx(ownerKey, pack(c.t, "schedule", target, []byte{}, at, gas)))
	}
	return raws
}

// call runs a read-only call at the head, as eth_call would.
func (c *chain) call(from common.Address, data []byte) ([]byte, error) {
	st, err := c.st.State(c.head.Root)
	if err != nil {
		c.t.Fatal(err)
	}
	next := *c.head
	next.Number = new(big.Int).Add(c.head.Number, common.Big1)
	next.Time++
	evm := vm.NewEVM(core.NewEVMBlockContext(&next, c.st.Chain(), nil), st, c.exec.Config, vm.Config{NoBaseFee: true})
	ret, _, err := evm.Call(from, sched.Address, data, vm.NewGasBudget(30_000_000, 0), new(uint256.Int))
	return ret, err
}

// refusal is why from's call would revert ("" if it would not).
func (c *chain) refusal(from common.Address, data []byte) string {
	ret, err := c.call(from, data)
	if err == nil {
		return ""
	}
	if reason, uerr := abi.UnpackRevert(ret); uerr == nil {
		return reason
	}
	return err.Error()
}

func (c *chain) get(id uint64) *sched.Call {
	c.t.Helper()
	call, err := sched.Get(context.Background(), c.reader(), id)
	if err != nil {
		c.t.Fatal(err)
	}
	return call
}

// reader reads the Scheduler contract at the head.
func (c *chain) reader() sched.Caller {
	return func(_ context.Context, data []byte) ([]byte, error) { return c.call(common.Address{}, data) }
}

// counted is the counter's count.
func (c *chain) counted() uint64 {
	st, err := c.st.State(c.head.Root)
	if err != nil {
		c.t.Fatal(err)
	}
	return st.GetState(counter, common.Hash{}).Big().Uint64()
}

func TestACallFiresInTheFirstBlockAtOrAfterItsTime(t *testing.T) {
	c := newChain(t)
	due := c.head.Time + 10
	c.applyAt(c.head.Time+1, c.schedule(counter, 100_000, due)...)
	if got := c.get(1); got.Status != "pending" || got.Owner != owner || got.Target != counter || got.Time != due {
		t.Fatalf("scheduled: %+v", got)
	}
	c.applyAt(due - 1)
	if c.counted() != 0 || c.get(1).Status != "pending" {
		t.Fatal("the call ran before its time")
	}
	res := c.applyAt(due)
	if c.counted() != 1 {
		t.Fatal("the call did not run in the first block at its time")
	}
	if got := c.get(1); got.Status != "done" || got.FiredAt != res.Block.NumberU64() {
		t.Fatalf("after its block: %+v", got)
	}
	// Nothing due: the next block leaves the state as it was.
	before := c.head.Root
	if after := c.applyAt(due + 5).Block.Root(); after != before {
		t.Fatalf("an idle block changed the state: %s to %s", before, after)
	}
}

func TestCallsFireInTimeOrderWithinTheBounds(t *testing.T) {
	c := newChain(t)
	now := c.head.Time
	// 100 calls: due in reverse order of scheduling, two at each time.
	var times []uint64
	for i := range 100 {
		times = append(times, now+200-uint64(i/2))
	}
	c.applyAt(now+1, c.schedule(counter, 50_000, times...)...)
	c.applyAt(now + 300)
	if n := c.counted(); n != sched.MaxFires {
		t.Fatalf("the first block ran %d calls, want the bound %d", n, sched.MaxFires)
	}
	// The earliest 64 by (time, id) ran: the latest-scheduled ones, due
	// first; the 36 left are the latest times, ids 1 to 36.
	var pending []uint64
	for id := uint64(1); id <= 100; id++ {
		if c.get(id).Status == "pending" {
			pending = append(pending, id)
		}
	}
	if len(pending) != 36 {
		t.Fatalf("%d pending after the first block, want 36", len(pending))
	}
	for _, id := range pending {
		if id > 36 {
			t.Fatalf("call %d (due %d) waits while a later one ran", id, times[id-1])
		}
	}
	// The backlog drains in the next block, with no transactions.
	c.applyAt(now + 301)
	if n := c.counted(); n != 100 {
		t.Fatalf("%d calls ran after two blocks, want 100", n)
	}
}

func TestTheGasBoundSpreadsCallsOverBlocks(t *testing.T) {
	c := newChain(t)
	now := c.head.Time
	c.applyAt(now+1, c.schedule(counter, sched.MaxCallGas, now+5, now+5, now+5, now+5, now+5, now+5)...)
	c.applyAt(now + 10)
	if n, want := c.counted(), uint64(sched.MaxBlockGas/sched.MaxCallGas); n != want {
		t.Fatalf("%d calls of the most gas a call has ran in one block, want %d", n, want)
	}
	c.applyAt(now + 11)
	if n := c.counted(); n != 6 {
		t.Fatalf("%d calls ran after two blocks, want 6", n)
	}
}

func TestAFailedCallIsRecordedAndTheOthersRun(t *testing.T) {
	c := newChain(t)
	now := c.head.Time
	raws := c.schedule(reverter, 100_000, now+5)
	raws = append(raws, c.schedule(spinner, 200_000, now+5)...)
	raws = append(raws, c.schedule(counter, 100_000, now+5)...)
	c.applyAt(now+1, raws...)
	res := c.applyAt(now + 6)
	if len(res.Failures) != 0 {
		t.Fatalf("the system call failed: %v", res.Failures)
	}
	for id, want := range map[uint64]string{1: "failed", 2: "failed", 3: "done"} {
		if got := c.get(id); got.Status != want || (want == "failed" && !strings.Contains(got.Reason, "reverted without a reason, or ran out of gas")) {
			t.Errorf("call %d: %+v, want %s", id, got, want)
		}
	}
	if c.counted() != 1 {
		t.Fatal("the call after two failures did not run")
	}
}

func TestRefusalsSayWhy(t *testing.T) {
	c := newChain(t)
	now := c.head.Time
	for _, tc := range []struct {
		from common.Address
		data []byte
		want string
	}{
		{stranger, pack(t, "schedule", counter, []byte{}, now+100, uint64(1000)), "may not schedule calls"},
		{owner, pack(t, "schedule", counter, []byte{}, now, uint64(1000)), "not in the future"},
		{owner, pack(t, "schedule", counter, []byte{}, now+100, uint64(sched.MaxBlockGas)), "the gas limit is 1 to 2000000"},
		{owner, pack(t, "schedule", counter, make([]byte, 1025), now+100, uint64(1000)), "at most 1024 bytes"},
		{stranger, pack(t, "allow", stranger, true), "admin role"},
		{common.Address{}, pack(t, "fire", big.NewInt(1), big.NewInt(1)), "called by the node"},
	} {
		if got := c.refusal(tc.from, tc.data); !strings.Contains(got, tc.want) {
			t.Errorf("refusal %q, want %q", got, tc.want)
		}
	}
	// An admin allows the stranger, who may then schedule.
	c.applyAt(now+1, c.tx(testchain.GovernorKey, pack(t, "allow", stranger, true)))
	if got := c.refusal(stranger, pack(t, "schedule", counter, []byte{}, now+100, uint64(1000))); got != "" {
		t.Fatalf("an allowed account's schedule: %s", got)
	}
}

func TestCancel(t *testing.T) {
	c := newChain(t)
	now := c.head.Time
	c.applyAt(now+1, c.schedule(counter, 100_000, now+5, now+5)...)
	if got := c.refusal(stranger, pack(t, "cancel", big.NewInt(1))); !strings.Contains(got, "only the contract that scheduled a call, or a consortium admin, cancels it") {
		t.Fatalf("a stranger's cancel: %q", got)
	}
	c.applyAt(now+2, c.tx(ownerKey, pack(t, "cancel", big.NewInt(1))))
	c.applyAt(now + 6)
	if c.get(1).Status != "cancelled" || c.get(2).Status != "done" || c.counted() != 1 {
		t.Fatalf("after the cancel: %+v, %+v, %d runs", c.get(1), c.get(2), c.counted())
	}
	page, err := sched.Read(context.Background(), c.reader(), sched.Query{Status: "cancelled"})
	if err != nil || len(page.Calls) != 1 || page.Calls[0].ID != 1 || page.Count != 2 || page.Pending != 0 {
		t.Fatalf("chuxin_scheduled of the cancelled: %+v, %v", page, err)
	}
}

// TestVersion3MakesTheScheduler: a chain that starts at rule version 2
// has no scheduler; the first block of version 3 makes it, with its
// genesis section's allowed accounts, and from then on it fires.
func TestVersion3MakesTheScheduler(t *testing.T) {
	c := newChain(t, genesis.RuleVersion{Version: 2, Height: 1}, genesis.RuleVersion{Version: 3, Height: 3})
	code := func() int {
		st, err := c.st.State(c.head.Root)
		if err != nil {
			t.Fatal(err)
		}
		return len(st.GetCode(sched.Address))
	}
	now := c.head.Time
	c.applyAt(now + 1)
	if code() != 0 {
		t.Fatal("a version 2 chain has the scheduler at genesis")
	}
	c.applyAt(now + 2)
	if code() != 0 {
		t.Fatal("the scheduler came before version 3")
	}
	c.applyAt(now+3, c.schedule(counter, 100_000, now+6)...) // block 3: version 3
	if code() == 0 {
		t.Fatal("version 3's first block did not make the scheduler")
	}
	c.applyAt(now + 7)
	if c.counted() != 1 || c.get(1).Status != "done" {
		t.Fatalf("after activation: %+v", c.get(1))
	}
}

func TestGenesisSectionIsStrict(t *testing.T) {
	ctx := module.GenesisContext{Version: 3, Section: json.RawMessage(`{"alowed":[]}`)}
	if _, err := (scheduler.Module{}).GenesisAccounts(ctx); !errors.Is(err, scheduler.ErrGenesis) || !strings.Contains(err.Error(), `unknown field "alowed"`) {
		t.Fatalf("a misspelt field: %v", err)
	}
}

func TestTheBoundsAreTheContracts(t *testing.T) {
	c := newChain(t)
	ret, err := c.call(common.Address{}, pack(t, "MAX_CALL_GAS"))
	if err != nil || new(big.Int).SetBytes(ret).Uint64() != sched.MaxCallGas {
		t.Fatalf("MAX_CALL_GAS %x (%v), types.MaxCallGas %d", ret, err, sched.MaxCallGas)
	}
}

// proxyCode forwards its calldata to the Scheduler contract, reverting if
// that reverts: an allowed scheduler that anyone drives.
func proxyCode() []byte {
	c := []byte{0x36, 0x60, 0x00, 0x60, 0x00, 0x37, 0x60, 0x00, 0x60, 0x00, 0x36, 0x60, 0x00, 0x60, 0x00, 0x73}
	c = append(c, sched.Address.Bytes()...)
	return append(c, 0x5a, 0xf1, 0x60, 0x2e, 0x57, 0x60, 0x00, 0x60, 0x00, 0xfd, 0x5b, 0x00)
}

// txTo signs owner's call of to.
func (c *chain) txTo(to common.Address, data []byte, gas uint64) []byte {
	n := c.nonces[owner]
	c.nonces[owner]++
	b, err := testchain.Call(ownerKey, cid, n, to, data, gas).MarshalBinary()
	if err != nil {
		c.t.Fatal(err)
	}
	return b
}

// TestACallCannotCancelItself: a scheduled call that cancels itself while
// it runs fails, and the queue goes on (it had counted the call twice, and
// every later fire reverted).
func TestACallCannotCancelItself(t *testing.T) {
	c := newChain(t)
	now := c.head.Time
	raws := [][]byte{c.txTo(proxy, pack(t, "schedule", proxy, pack(t, "cancel", big.NewInt(1)), now+5, uint64(200_000)), 1_000_000)}
	raws = append(raws, c.schedule(counter, 100_000, now+6)...)
	c.applyAt(now+1, raws...)
	if res := c.applyAt(now + 5); len(res.Failures) != 0 {
		t.Fatal(res.Failures)
	}
	if got := c.get(1); got.Status != "failed" { // its cancel reverted ("not pending"), which the proxy passes on without a reason
		t.Fatalf("the self-cancelling call: %+v", got)
	}
	if res := c.applyAt(now + 6); len(res.Failures) != 0 || c.get(2).Status != "done" || c.counted() != 1 {
		t.Fatalf("the next call: %+v, %v", c.get(2), res.Failures)
	}
}

// TestFireNeverRunsOutOfGas: 64 calls with the most data, each failing
// with the longest reason kept, behind a first call whose gas shifts the
// others' against fire's own: for every shift, fire's system call
// succeeds, and the queue drains over blocks.
func TestFireNeverRunsOutOfGas(t *testing.T) {
	data := make([]byte, 1024)
	for i := range data {
		data[i] = 0xab
	}
	for g0 := uint64(20_000); g0 <= 1_620_000; g0 += 200_000 {
		c := newChain(t)
		now := c.head.Time
		raws := [][]byte{c.txTo(sched.Address, pack(t, "schedule", spinner, []byte{}, now+99, g0), 1_000_000)}
		for range 64 {
			raws = append(raws, c.txTo(sched.Address, pack(t, "schedule", echo, data, now+100, uint64(30_000)), 3_000_000))
		}
		res := c.applyAt(now+1, raws...)
		for _, o := range res.Outcomes {
			if o.Err != nil {
				t.Fatalf("schedule: %v", o.Err)
			}
		}
		at := now + 100
		for {
			res := c.applyAt(at)
			if len(res.Failures) != 0 {
				t.Fatalf("first call of %d gas: fire failed at +%d: %v", g0, at-now, res.Failures)
			}
			page, err := sched.Read(context.Background(), c.reader(), sched.Query{Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if page.Pending == 0 {
				break
			}
			if at++; at > now+110 {
				t.Fatalf("first call of %d gas: %d calls still pending after 10 blocks", g0, page.Pending)
			}
		}
		if got := c.get(2); got.Status != "failed" || len(got.Reason) != 128 {
			t.Fatalf("a call that reverted with its data: %s, a reason of %d bytes", got.Status, len(got.Reason))
		}
	}
}

func TestAnAdminCancelsAndDisallows(t *testing.T) {
	c := newChain(t)
	now := c.head.Time
	c.applyAt(now+1, c.schedule(counter, 100_000, now+5, now+5)...)
	c.applyAt(now+2, c.tx(testchain.GovernorKey, pack(t, "cancel", big.NewInt(1))), c.tx(testchain.GovernorKey, pack(t, "allow", owner, false)))
	c.applyAt(now + 5)
	if c.get(1).Status != "cancelled" {
		t.Fatalf("the admin's cancel: %+v", c.get(1))
	}
	if got := c.get(2); got.Status != "failed" || got.Reason != "the scheduler is no longer allowed" || c.counted() != 0 {
		t.Fatalf("a disallowed scheduler's call: %+v", got)
	}
}

// TestTheCodeIsPinned: chains hold the Scheduler's code from genesis or
// from version 3's first block, so a node built with other code would not
// replay them; a change of Scheduler.sol is a new contract at a new rule
// version, with this artifact kept.
func TestTheCodeIsPinned(t *testing.T) {
	art, err := contracts.Scheduler()
	if err != nil {
		t.Fatal(err)
	}
	const want = "0xbc166da76daf9d609f57341ef7d2a59115e705f55a7863d3eec0ee98c12bd84d"
	if got := crypto.Keccak256Hash(art.Bytecode).Hex(); got != want {
		t.Fatalf("the Scheduler's code changed (%s, pinned %s)", got, want)
	}
}

// TestCancelledCallsLeaveTheQueue: calls due one a second, some cancelled
// from the middle of the queue, by their scheduler and by an admin; every
// other call runs in the block of its own second, and the counts come back
// to nothing.
func TestCancelledCallsLeaveTheQueue(t *testing.T) {
	c := newChain(t)
	now := c.head.Time
	const n = 120
	var times []uint64
	for i := range n {
		times = append(times, now+10+uint64((i*37)%n)) // every second once, out of order
	}
	c.applyAt(now+1, c.schedule(counter, 50_000, times...)...)
	cancelled := map[uint64]bool{}
	var raws [][]byte
	for id := uint64(3); id <= n; id += 7 {
		k := ownerKey
		if id%2 == 0 {
			k = testchain.GovernorKey
		}
		raws = append(raws, c.tx(k, pack(t, "cancel", new(big.Int).SetUint64(id))))
		cancelled[id] = true
	}
	c.applyAt(now+2, raws...)
	for at := now + 10; at < now+10+n; at++ {
		res := c.applyAt(at)
		if len(res.Failures) != 0 {
			t.Fatal(res.Failures)
		}
	}
	for id := uint64(1); id <= n; id++ {
		got := c.get(id)
		if cancelled[id] {
			if got.Status != "cancelled" {
				t.Fatalf("cancelled call %d: %+v", id, got)
			}
			continue
		}
		h, err := c.st.HeaderByNumber(got.FiredAt)
		if err != nil || got.Status != "done" || h.Time != got.Time {
			t.Fatalf("call %d due at %d: %s in block %d (%v)", id, got.Time, got.Status, got.FiredAt, err)
		}
	}
	for _, v := range []string{"pending", "nextDue"} {
		ret, err := c.call(common.Address{}, pack(t, v))
		if err != nil || new(big.Int).SetBytes(ret).Sign() != 0 {
			t.Fatalf("%s after every call: %x, %v", v, ret, err)
		}
	}
	for _, v := range []string{"queuedBy", "queuedGasBy"} {
		ret, err := c.call(common.Address{}, pack(t, v, owner))
		if err != nil || new(big.Int).SetBytes(ret).Sign() != 0 {
			t.Fatalf("%s of the scheduler after every call: %x, %v", v, ret, err)
		}
	}
}

// TestASchedulersShareIsBounded: one scheduler's pending calls hold at most
// 640,000,000 gas (64 blocks of the bound); a cancel frees its share.
func TestASchedulersShareIsBounded(t *testing.T) {
	c := newChain(t)
	now := c.head.Time
	times := make([]uint64, 320)
	for i := range times {
		times[i] = now + 1000
	}
	c.applyAt(now+1, c.schedule(counter, sched.MaxCallGas, times...)...)
	next := pack(t, "schedule", counter, []byte{}, now+1000, uint64(sched.MaxCallGas))
	if got := c.refusal(owner, next); !strings.Contains(got, "over 640000000 gas") {
		t.Fatalf("a 321st call of the most gas: %q", got)
	}
	c.applyAt(now+2, c.tx(ownerKey, pack(t, "cancel", big.NewInt(7))))
	if got := c.refusal(owner, next); got != "" {
		t.Fatalf("after a cancel: %q", got)
	}
}
