package execution_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"

	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// consortium is a chain governed by three members: A (weight 2, governed
// by key 0), B and C (weight 1, keys 1 and 2); key 0 is also an admin and a
// regulator. Key 3 has no role. One validator, of power 10.
type consortium struct {
	*chain
	nonces map[common.Address]uint64
	// payBaseFee: transactions offer the base fee in force, with gas
	// 7,000,000 (propose wants over 6,130,000 left for its dry run), not
	// 1 gwei with gas 8,000,000.
	payBaseFee bool
	txGas      uint64 // the gas of each transaction, if not 0
}

var val1 = system.ValidatorUpdate{PubKey: [32]byte{1}, Power: 10}

// testNode is the node that the validator of key signs on in these tests:
// the genesis admits those of the keys {1} to {9} and {0x77}.
func testNode(key [32]byte) system.NodeID { return system.NodeID{0xee, key[0]} }

// testNodes are the nodes a test genesis admits (testNode).
func testNodes() []system.Node {
	var nodes []system.Node
	for _, b := range []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 0x77} {
		id := testNode([32]byte{b})
		nodes = append(nodes, system.Node{ID: hex.EncodeToString(id[:]), Name: fmt.Sprintf("city-%d", b)})
	}
	return nodes
}

// setNodeValidators is the SET_NODE_VALIDATORS action of us, each key on
// its testNode: the way a proposal adds a validator.
func setNodeValidators(us ...system.ValidatorUpdate) system.Action {
	changes := make([]system.NodeValidator, len(us))
	for i, u := range us {
		changes[i] = system.NodeValidator{PubKey: u.PubKey, Power: u.Power, Node: testNode(u.PubKey)}
	}
	return system.SetNodeValidators(changes...)
}

func newConsortium(t *testing.T, permissioned bool) *consortium {
	t.Helper()
	return newConsortiumWithGas(t, permissioned, 30_000_000)
}

// newConsortiumWithGas is newConsortium with another block gas limit.
func newConsortiumWithGas(t *testing.T, permissioned bool, gasLimit uint64) *consortium {
	t.Helper()
	return newConsortiumAt(t, permissioned, gasLimit, genesis.KnownRuleVersion)
}

// newConsortiumAt is newConsortiumWithGas on a chain that starts at chuxin
// rule version, its genesis changed by each of edits.
func newConsortiumAt(t *testing.T, permissioned bool, gasLimit, version uint64, edits ...func(*genesis.Genesis)) *consortium {
	t.Helper()
	g := testchain.Genesis(chainID, gasLimit, nil)
	g.Rules.Versions = []genesis.RuleVersion{{Version: version, Height: 1}}
	g.Validators = []genesis.Validator{{Name: "v1", PubKey: val1.PubKey[:], Power: 10, FeeRecipient: common.Address{9}}}
	keys := make([]common.Address, 4)
	for i := range keys {
		keys[i] = crypto.PubkeyToAddress(testKey(i).PublicKey)
	}
	g.Consortium = system.Genesis{
		Members: []system.Member{
			{Name: "A", Weight: 2, Governors: keys[:1]},
			{Name: "B", Weight: 1, Governors: keys[1:2]},
			{Name: "C", Weight: 1, Governors: keys[2:3]},
		},
		Quorum: 5000, Threshold: 6667, VotingPeriod: 5, Permissioned: permissioned,
		// Named twice: the account has the roles of both grants.
		Roles: []system.RoleGrant{{Account: keys[0], Roles: []string{"admin", "regulator"}}, {Account: keys[0], Roles: []string{"transactor", "deployer"}}},
		Nodes: testNodes(),
	}
	for _, edit := range edits {
		edit(g)
	}
	return &consortium{chain: fundedChainOf(t, g, 4, nil), nonces: map[common.Address]uint64{}}
}

func (c *consortium) tx(k int, to *common.Address, value int64, data []byte) []byte {
	from := c.addrs[k]
	n := c.nonces[from]
	c.nonces[from]++
	gas, feeCap := uint64(8_000_000), big.NewInt(1e9)
	if c.payBaseFee {
		st, err := c.st.State(c.head.Root)
		if err != nil {
			c.t.Fatal(err)
		}
		gas, feeCap = 7_000_000, system.LimitsOf(st).BaseFee
	}
	if c.txGas != 0 {
		gas = c.txGas
	}
	return raw(testchain.Sign(c.keys[k], cid, &types.DynamicFeeTx{ChainID: cid, Nonce: n, To: to, Value: big.NewInt(value),
		Gas: gas, GasFeeCap: feeCap, Data: data}))
}

// send applies a block of one transaction and returns its receipt, or
// the reason it was refused.
func (c *consortium) send(k int, to *common.Address, value int64, data []byte) (*types.Receipt, error) {
	c.t.Helper()
	res := c.apply(c.tx(k, to, value, data))
	if err := res.Outcomes[0].Err; err != nil {
		c.nonces[c.addrs[k]]--
		return nil, err
	}
	return res.Receipts[0], nil
}

// gov sends a call of the Consortium contract and wants it to succeed.
func (c *consortium) gov(k int, method string, args ...any) *execution.Result {
	c.t.Helper()
	if reason := c.simulate(k, method, args...); reason != "" {
		c.t.Fatalf("%s by key %d reverts: %s", method, k, reason)
	}
	data, err := system.Pack(method, args...)
	if err != nil {
		c.t.Fatal(err)
	}
	to := system.ConsortiumAddress
	res := c.apply(c.tx(k, &to, 0, data))
	if res.Outcomes[0].Err != nil || res.Receipts[0].Status != types.ReceiptStatusSuccessful {
		c.t.Fatalf("%s by key %d: %v", method, k, res.Outcomes[0].Err)
	}
	return res
}

// simulate runs a call of the Consortium contract on the head state, as
// eth_call would, and returns its revert reason ("" if it succeeds).
func (c *consortium) simulate(k int, method string, args ...any) string {
	c.t.Helper()
	data, err := system.Pack(method, args...)
	if err != nil {
		c.t.Fatal(err)
	}
	ret, err := c.call(c.addrs[k], system.ConsortiumAddress, data)
	if err == nil {
		return ""
	}
	if reason, uerr := abi.UnpackRevert(ret); uerr == nil {
		return reason
	}
	return err.Error()
}

func (c *consortium) call(from, to common.Address, data []byte) ([]byte, error) {
	st, err := c.st.State(c.head.Root)
	if err != nil {
		c.t.Fatal(err)
	}
	next := *c.head
	next.Number = new(big.Int).Add(c.head.Number, common.Big1)
	evm := vm.NewEVM(core.NewEVMBlockContext(&next, c.st.Chain(), nil), st, c.exec.Config, vm.Config{NoBaseFee: true})
	c.exec.GuardFrozen(evm, st, c.exec.VersionAt(st, next.Number.Uint64()))
	ret, _, err := evm.Call(from, to, data, vm.NewGasBudget(30_000_000, 0), new(uint256.Int))
	return ret, err
}

func (c *consortium) view(method string, args ...any) []any {
	c.t.Helper()
	data, _ := system.Pack(method, args...)
	ret, err := c.call(common.Address{}, system.ConsortiumAddress, data)
	if err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	out, err := system.Unpack(method, ret)
	if err != nil {
		c.t.Fatal(err)
	}
	return out
}

func wantErr(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want an error containing %q", err, want)
	}
}

func TestPermissionedNetworkNeedsRoles(t *testing.T) {
	c := newConsortium(t, true)
	to := c.addrs[1]
	_, err := c.send(3, &to, 1, nil)
	wantErr(t, err, "account "+c.addrs[3].Hex()+" lacks role transactor")
	_, err = c.send(3, nil, 0, testchain.CounterInit())
	wantErr(t, err, "account "+c.addrs[3].Hex()+" lacks role deployer")
	// A governor without roles may still vote: the contract checks it.
	if _, err := c.send(1, &system.ConsortiumAddress, 0, nil); err != nil {
		t.Fatalf("a transaction to the Consortium contract needs no role: %v", err)
	}

	c.gov(0, "grantRoles", c.addrs[3], big.NewInt(int64(system.RoleTransactor)))
	if r, err := c.send(3, &to, 1, nil); err != nil || r.Status != 1 {
		t.Fatalf("a transactor's transfer: %v", err)
	}
	_, err = c.send(3, nil, 0, testchain.CounterInit())
	wantErr(t, err, "lacks role deployer")
	c.gov(0, "grantRoles", c.addrs[3], big.NewInt(int64(system.RoleDeployer)))
	if r, err := c.send(3, nil, 0, testchain.CounterInit()); err != nil || r.Status != 1 {
		t.Fatalf("a deployer's creation: %v", err)
	}
	if reason := c.simulate(3, "grantRoles", c.addrs[3], big.NewInt(1)); !strings.Contains(reason, "lacks role admin") {
		t.Fatalf("a non-admin granting roles: %q", reason)
	}
	c.gov(0, "revokeRoles", c.addrs[3], big.NewInt(int64(system.RoleTransactor)))
	_, err = c.send(3, &to, 1, nil)
	wantErr(t, err, "lacks role transactor")
}

func TestOpenNetworkNeedsNoRoles(t *testing.T) {
	c := newConsortium(t, false)
	to := c.addrs[1]
	if _, err := c.send(3, &to, 1, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.send(3, nil, 0, testchain.CounterInit()); err != nil {
		t.Fatal(err)
	}
}

// forwarder is a contract that calls (with its call value) the address in
// its calldata and reverts with the callee's revert data if that fails.
var forwarder = []byte{
	0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, // out size, out offset, in size, in offset
	0x34,             // CALLVALUE
	0x60, 0x00, 0x35, // CALLDATALOAD(0): the callee
	0x5a,             // GAS
	0xf1,             // CALL
	0x60, 0x1f, 0x57, // JUMPI to 0x1f on success
	0x3d, 0x60, 0x00, 0x60, 0x00, 0x3e, // RETURNDATACOPY(0, 0, size)
	0x3d, 0x60, 0x00, 0xfd, // REVERT(0, size)
	0x00, 0x00, 0x00, 0x00, // padding up to the JUMPDEST at 0x1f
	0x5b, 0x00, // JUMPDEST, STOP
}

func TestFrozenAccountsAndContracts(t *testing.T) {
	c := newConsortium(t, false)
	fwd := crypto.CreateAddress(c.addrs[0], 0)
	if r, err := c.send(0, nil, 0, append(deployCode(forwarder), nil...)); err != nil || r.ContractAddress != fwd {
		t.Fatalf("deploy forwarder: %v", err)
	}
	counter := crypto.CreateAddress(c.addrs[0], 1)
	if _, err := c.send(0, nil, 0, testchain.CounterInit()); err != nil {
		t.Fatal(err)
	}
	target := c.addrs[3]
	if reason := c.simulate(1, "freeze", target, "court order 7"); !strings.Contains(reason, "lacks role regulator") {
		t.Fatalf("a non-regulator freezing: %q", reason)
	}
	frozenAt := c.gov(0, "freeze", target, "court order 7").Block.NumberU64()
	frozenMsg := "account " + target.Hex() + " is frozen since block " + big.NewInt(int64(frozenAt)).String() + " by " + c.addrs[0].Hex()

	to := c.addrs[1]
	_, err := c.send(3, &to, 1, nil)
	wantErr(t, err, frozenMsg)
	_, err = c.send(1, &target, 1, nil)
	wantErr(t, err, frozenMsg)
	// A contract cannot pass it value either: the call reverts with the reason.
	before := c.balance(target)
	r, err := c.send(1, &fwd, 5, common.LeftPadBytes(target.Bytes(), 32))
	if err != nil || r.Status != types.ReceiptStatusFailed || c.balance(target).Cmp(before) != 0 {
		t.Fatalf("value through a contract to a frozen account: %v %v", err, r)
	}
	if ret, err := c.call(c.addrs[1], fwd, common.LeftPadBytes(target.Bytes(), 32)); err == nil || !strings.Contains(revertReason(ret), frozenMsg) {
		t.Fatalf("a call into a frozen account: %v %q", err, revertReason(ret))
	}

	// Nor can another's transaction delegate its code (EIP-7702).
	auth, err := types.SignSetCode(testKey(3), types.SetCodeAuthorization{ChainID: *uint256.NewInt(chainID), Address: fwd, Nonce: c.nonces[target]})
	if err != nil {
		t.Fatal(err)
	}
	n := c.nonces[c.addrs[1]]
	setCode := raw(testchain.Sign(testKey(1), cid, &types.SetCodeTx{ChainID: uint256.NewInt(chainID), Nonce: n, To: c.addrs[2],
		Gas: 100_000, GasFeeCap: uint256.NewInt(1e9), AuthList: []types.SetCodeAuthorization{auth}}))
	if res := c.apply(setCode); res.Outcomes[0].Err == nil || !strings.Contains(res.Outcomes[0].Err.Error(), frozenMsg) {
		t.Fatalf("a delegation signed by a frozen account: %v", res.Outcomes[0].Err)
	}

	// A frozen contract: transactions to it are refused, calls into it revert.
	c.gov(0, "freeze", counter, "recall")
	_, err = c.send(1, &counter, 0, nil)
	wantErr(t, err, "account "+counter.Hex()+" is frozen")
	r, err = c.send(1, &fwd, 0, common.LeftPadBytes(counter.Bytes(), 32))
	if err != nil || r.Status != types.ReceiptStatusFailed {
		t.Fatalf("a call into a frozen contract from another: %v %v", err, r)
	}
	if got := c.view("frozenCount")[0].(*big.Int); got.Int64() != 2 {
		t.Fatalf("frozen accounts: %v", got)
	}

	// Unfreezing restores both.
	c.gov(0, "unfreeze", target)
	c.gov(0, "unfreeze", counter)
	if _, err := c.send(3, &to, 1, nil); err != nil {
		t.Fatalf("an unfrozen account sends: %v", err)
	}
	r, err = c.send(1, &fwd, 5, common.LeftPadBytes(target.Bytes(), 32))
	if err != nil || r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("value to an unfrozen account: %v", err)
	}
	if r, err := c.send(1, &counter, 0, nil); err != nil || r.Status != types.ReceiptStatusSuccessful || len(r.Logs) != 1 {
		t.Fatalf("an unfrozen contract runs: %v %v", err, r)
	}
}

func (c *consortium) balance(a common.Address) *uint256.Int {
	st, _ := c.st.State(c.head.Root)
	return st.GetBalance(a)
}

func revertReason(ret []byte) string {
	r, _ := abi.UnpackRevert(ret)
	return r
}

// deployCode wraps runtime code in init code that returns it.
func deployCode(runtime []byte) []byte {
	n := byte(len(runtime))
	init := []byte{0x60, n, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, n, 0x60, 0x00, 0xf3}
	return append(init, runtime...)
}

func (c *consortium) propose(k int, actions ...system.Action) uint64 {
	c.t.Helper()
	c.gov(k, "propose", actions, "test")
	return c.view("proposalCount")[0].(*big.Int).Uint64()
}

func (c *consortium) status(id uint64) (uint8, string) {
	p := reflect.ValueOf(c.view("proposal", new(big.Int).SetUint64(id))[0])
	return p.FieldByName("Status").Interface().(uint8), p.FieldByName("Outcome").Interface().(string)
}

const (
	statusOpen = 1 + iota
	statusPassed
	statusRejected
	statusExpired
	statusFailed
)

func TestProposalAddsAValidatorWhenItPasses(t *testing.T) {
	c := newConsortium(t, true)
	val2 := system.ValidatorUpdate{PubKey: [32]byte{2}, Power: 5}
	id := c.propose(0, setNodeValidators(val2))
	res := c.gov(0, "vote", new(big.Int).SetUint64(id), true) // 2 of 4: short of two thirds of all weight
	if s, _ := c.status(id); s != statusOpen || len(res.Updates.Validators) != 0 {
		t.Fatalf("after one vote: status %d, updates %v", s, res.Updates.Validators)
	}
	res = c.gov(1, "vote", new(big.Int).SetUint64(id), true) // 3 of 4: passes in this block
	if s, outcome := c.status(id); s != statusPassed {
		t.Fatalf("after the deciding vote: status %d %s", s, outcome)
	}
	want := []execution.ValidatorUpdate{{PubKey: val2.PubKey[:], Power: 5}}
	if len(res.Updates.Validators) != 1 || !bytes.Equal(res.Updates.Validators[0].PubKey, want[0].PubKey) || res.Updates.Validators[0].Power != 5 {
		t.Fatalf("validator updates of the passing block: %v", res.Updates.Validators)
	}
	if got := c.apply(); len(got.Updates.Validators) != 0 || got.Block.Root() != res.Block.Root() {
		t.Fatal("the updates were handed to consensus twice, or an idle block changed the state")
	}
	keys := c.view("validators")[0].([][32]byte)
	if len(keys) != 2 || keys[1] != val2.PubKey {
		t.Fatalf("the contract's validator set: %x", keys)
	}
	// Voting on a decided proposal is refused.
	if reason := c.simulate(2, "vote", new(big.Int).SetUint64(id), true); !strings.Contains(reason, "is passed: it takes no votes") {
		t.Fatalf("a vote on a passed proposal: %q", reason)
	}
}

func TestProposalsCometBFTWouldRejectAreRefused(t *testing.T) {
	c := newConsortium(t, true)
	propose := func(actions ...system.Action) string {
		data := []system.Action(actions)
		return c.simulate(0, "propose", data, "x")
	}
	unknown := system.ValidatorUpdate{PubKey: [32]byte{7}}
	for want, actions := range map[string][]system.Action{
		"is not in the set":                {system.SetValidators(unknown)},
		"is changed twice":                 {setNodeValidators(system.ValidatorUpdate{PubKey: [32]byte{2}, Power: 1}, system.ValidatorUpdate{PubKey: [32]byte{2}, Power: 2})},
		"the validator set would be empty": {system.SetValidators(system.ValidatorUpdate{PubKey: val1.PubKey})},
		"power is over CometBFT's limit":   {setNodeValidators(system.ValidatorUpdate{PubKey: [32]byte{2}, Power: 1 << 62})},
		"total voting power would be over": {setNodeValidators(system.ValidatorUpdate{PubKey: [32]byte{2}, Power: (1<<63 - 1) / 8}, system.ValidatorUpdate{PubKey: [32]byte{3}, Power: 1})},
		"no validator changes":             {system.SetValidators()},
		"unknown action kind 13":           {{Kind: 13}},
		"quorum and threshold are":         {system.SetParam(system.ParamQuorum, 0)},
		"no member with weight":            {system.SetMember("A", 0, nil), system.SetMember("B", 0, nil), system.SetMember("C", 0, nil)},
	} {
		if reason := propose(actions...); !strings.Contains(reason, want) {
			t.Errorf("%s: proposing it reverted with %q", want, reason)
		}
	}
	if reason := c.simulate(3, "propose", []system.Action{system.SetParam(system.ParamVotingPeriod, 9)}, "x"); !strings.Contains(reason, "is no member's governor") {
		t.Errorf("a proposal by a non-member: %q", reason)
	}
	// Both halves of a valid change pass the check: adding, then removing.
	if reason := propose(setNodeValidators(system.ValidatorUpdate{PubKey: [32]byte{2}, Power: 1}, system.ValidatorUpdate{PubKey: val1.PubKey})); reason != "" {
		t.Errorf("replacing the only validator: %q", reason)
	}
}

func TestVotesAreRefusedWithTheReason(t *testing.T) {
	c := newConsortium(t, true)
	id := new(big.Int).SetUint64(c.propose(0, system.SetParam(system.ParamVotingPeriod, 9)))
	c.gov(1, "vote", id, true)
	if reason := c.simulate(1, "vote", id, false); !strings.Contains(reason, "member B has voted on proposal 1 already") {
		t.Fatalf("a second vote: %q", reason)
	}
	if reason := c.simulate(3, "vote", id, true); !strings.Contains(reason, "is no member's governor") {
		t.Fatalf("a non-member's vote: %q", reason)
	}
	if reason := c.simulate(0, "vote", big.NewInt(7), true); !strings.Contains(reason, "no proposal 7") {
		t.Fatalf("a vote on no proposal: %q", reason)
	}
	// Against from A and C: approval can no longer reach the threshold.
	c.gov(2, "vote", id, false)
	c.gov(0, "vote", id, false)
	if s, _ := c.status(id.Uint64()); s != statusRejected {
		t.Fatalf("status %d after A and C voted against", s)
	}
}

func TestVotingPeriodEndsInSettlement(t *testing.T) {
	c := newConsortium(t, true)
	// Proposal 1: only C votes (a quarter of the weight, below the quorum).
	// Proposal 2: A votes yes (half the weight: the quorum, all in favour),
	// which is not certain before the end, so it passes when settled.
	one := new(big.Int).SetUint64(c.propose(0, system.SetParam(system.ParamThreshold, 5000)))
	two := new(big.Int).SetUint64(c.propose(0, setNodeValidators(system.ValidatorUpdate{PubKey: [32]byte{2}, Power: 3})))
	c.gov(2, "vote", one, true)
	c.gov(0, "vote", two, true)
	// Each is settled in the block after its last voting block.
	var updates []execution.ValidatorUpdate
	var last *execution.Result
	ended := false
	for range 10 {
		// In the block that settles it, a vote comes after the period.
		if s, _ := c.status(1); s == statusOpen {
			ended = ended || strings.Contains(c.simulate(1, "vote", one, true), "voting on proposal 1 ended at block")
		}
		last = c.apply()
		updates = append(updates, last.Updates.Validators...)
		if s, _ := c.status(2); s != statusOpen {
			break
		}
	}
	if !ended {
		t.Fatal("no vote was refused for coming after the voting period")
	}
	if reason := c.simulate(1, "vote", one, true); !strings.Contains(reason, "proposal 1 is expired") {
		t.Fatalf("a vote after the period: %q", reason)
	}
	if s, outcome := c.status(1); s != statusExpired || !strings.Contains(outcome, "below the quorum") {
		t.Fatalf("proposal 1: status %d %q", s, outcome)
	}
	if s, outcome := c.status(2); s != statusPassed {
		t.Fatalf("proposal 2: status %d %q", s, outcome)
	}
	if len(updates) != 1 || updates[0].Power != 3 || len(last.Updates.Validators) != 1 {
		t.Fatalf("the settling block's validator updates: %v", updates)
	}
	if d := c.view("nextDeadline")[0].(uint64); d != 0 {
		t.Fatalf("next deadline %d with no open proposal", d)
	}
	if idle := c.apply(); idle.Block.Root() != last.Block.Root() {
		t.Fatal("an idle block after settlement changed the state")
	}
}

// try executes a block and returns the error that halts it, if any.
func (c *consortium) try(in *execution.BlockInput) (*execution.Result, error) {
	st, err := c.st.State(c.head.Root)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.exec.Execute(st, c.st.Chain(), in)
}

func TestScheduledUpgradeStopsExecutionAtItsHeight(t *testing.T) {
	c := newConsortium(t, true)
	at := c.head.Number.Uint64() + 8
	unknown := uint64(genesis.KnownRuleVersion + 1)
	id := new(big.Int).SetUint64(c.propose(0, system.ScheduleUpgrade(unknown, at)))
	c.gov(0, "vote", id, true)
	c.gov(1, "vote", id, true)
	if s, outcome := c.status(id.Uint64()); s != statusPassed {
		t.Fatalf("the upgrade's proposal: %d %s", s, outcome)
	}
	if reason := c.simulate(0, "propose", []system.Action{system.ScheduleUpgrade(unknown, at+5)}, "x"); !strings.Contains(reason, "is not above the last scheduled") {
		t.Fatalf("a second upgrade to the same version: %q", reason)
	}
	for c.head.Number.Uint64()+1 < at {
		c.apply()
	}
	_, err := c.try(&execution.BlockInput{Parent: c.head, Time: c.head.Time + 1})
	if !errors.Is(err, genesis.ErrUnknownRules) || !strings.Contains(err.Error(), fmt.Sprintf("rule version %d", unknown)) {
		t.Fatalf("block %d, where rule version %d applies: %v", at, unknown, err)
	}
}

func TestEvidenceTakesTheValidatorsPower(t *testing.T) {
	c := newConsortium(t, true)
	val2 := system.ValidatorUpdate{PubKey: [32]byte{2}, Power: 5}
	id := new(big.Int).SetUint64(c.propose(0, setNodeValidators(val2)))
	c.gov(0, "vote", id, true)
	c.gov(1, "vote", id, true)
	addr := func(v system.ValidatorUpdate) (a [20]byte) {
		copy(a[:], system.ConsensusAddress(v.PubKey[:]))
		return a
	}
	evidence := func(v system.ValidatorUpdate, height uint64) *execution.Result {
		return c.applyInput(&execution.BlockInput{Parent: c.head, Time: c.head.Time + 1,
			Misbehavior: []execution.Misbehavior{{Address: addr(v), Height: height, Kind: execution.MisbehaviorDuplicateVote}}})
	}
	res := evidence(val1, 3)
	if len(res.Updates.Validators) != 1 || res.Updates.Validators[0].Power != 0 || !bytes.Equal(res.Updates.Validators[0].PubKey, val1.PubKey[:]) {
		t.Fatalf("the evidence block's updates: %v", res.Updates.Validators)
	}
	// Again: it is out already; and against the last validator: it stays.
	if res := evidence(val1, 2); len(res.Updates.Validators) != 0 {
		t.Fatalf("evidence against a removed validator changed the set: %v", res.Updates.Validators)
	}
	if res := evidence(val2, 4); len(res.Updates.Validators) != 0 {
		t.Fatalf("evidence against the last validator emptied the set: %v", res.Updates.Validators)
	}
	if n := c.view("evidenceCount")[0].(*big.Int); n.Int64() != 3 {
		t.Fatalf("evidence recorded: %v", n)
	}
	// An empty block after it changes nothing: the hook wrote only with work.
	if idle, next := c.apply(), c.apply(); idle.Block.Root() != next.Block.Root() {
		t.Fatal("idle blocks after evidence changed the state")
	}
}

// TestGasLimitAndBaseFeeByProposal: a passed proposal changes the block gas
// limit and the base fee from the next block on; consensus learns the new
// gas limit from the passing block; the admission rule applies both.
func TestGasLimitAndBaseFeeByProposal(t *testing.T) {
	c := newConsortium(t, true)
	if reason := c.simulate(0, "propose", []system.Action{system.SetParam(system.ParamGasLimit, 9_999_999)}, "x"); !strings.Contains(reason, "the block gas limit is 10000000 to 2**40: governance must fit in a block") {
		t.Fatalf("proposing a gas limit below governance's floor: %q", reason)
	}
	id := new(big.Int).SetUint64(c.propose(0, system.SetParam(system.ParamGasLimit, 12_000_000), system.SetParam(system.ParamBaseFee, 2e9)))
	c.gov(0, "vote", id, true)
	res := c.gov(1, "vote", id, true)
	if s, outcome := c.status(id.Uint64()); s != statusPassed {
		t.Fatalf("status %d %s", s, outcome)
	}
	if res.Block.GasLimit() != 30_000_000 || res.Block.BaseFee().Sign() != 0 {
		t.Fatalf("the passing block has gas limit %d and base fee %s: its own limits are the old ones", res.Block.GasLimit(), res.Block.BaseFee())
	}
	// CometBFT has no gas bound to update from rule version 2: the
	// proposer applies the limit (TestGasBoundOfConsensusByVersion).
	if p := res.Updates.Params; p != nil {
		t.Fatalf("consensus parameter updates of the passing block: %+v", p)
	}
	next := c.apply()
	if next.Block.GasLimit() != 12_000_000 || next.Block.BaseFee().Cmp(big.NewInt(2e9)) != 0 || next.Updates.Params != nil {
		t.Fatalf("the next block: gas limit %d, base fee %s, updates %+v", next.Block.GasLimit(), next.Block.BaseFee(), next.Updates.Params)
	}
	to := common.Address{0xbe}
	send := func(gas uint64, feeCap int64) (*types.Receipt, error) {
		from := c.addrs[0]
		tx := testchain.Sign(c.keys[0], cid, &types.DynamicFeeTx{ChainID: cid, Nonce: c.nonces[from], To: &to, Value: big.NewInt(1), Gas: gas, GasFeeCap: big.NewInt(feeCap)})
		res := c.apply(raw(tx))
		if err := res.Outcomes[0].Err; err != nil {
			return nil, err
		}
		c.nonces[from]++
		return res.Receipts[0], nil
	}
	_, err := send(12_000_001, 3e9)
	wantErr(t, err, "gas 12000001, block gas limit 12000000")
	_, err = send(21_000, 1e9)
	wantErr(t, err, "max fee per gas 1000000000, base fee 2000000000")
	before := c.balance(c.addrs[0])
	if _, err := send(21_000, 3e9); err != nil {
		t.Fatalf("a transfer paying the new base fee: %v", err)
	}
	paid := new(uint256.Int).Sub(before, c.balance(c.addrs[0]))
	if want := uint256.NewInt(21_000*2e9 + 1); paid.Cmp(want) != 0 {
		t.Fatalf("the transfer cost %s wei, want %s (value and gas at the new base fee)", paid, want)
	}
}

// newBeaconConsortium is a chain of four validators of power 10, keys
// {1} to {4}, each holding a share of a beacon of threshold 3, governed by
// one member (key 0).
func newBeaconConsortium(t *testing.T) (*consortium, [][32]byte) {
	t.Helper()
	c, keys, _, _ := newBeaconConsortiumAt(t, genesis.KnownRuleVersion)
	return c, keys
}

// newBeaconConsortiumAt is newBeaconConsortium on a chain that starts at
// chuxin rule version; it returns the beacon's master public key and drand
// chain hash too.
func newBeaconConsortiumAt(t *testing.T, version uint64) (*consortium, [][32]byte, *capsule.PublicKey, string) {
	t.Helper()
	committee, _, err := capsule.Deal(3, 4, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	g := testchain.Genesis(chainID, 30_000_000, nil)
	g.Rules.Versions = []genesis.RuleVersion{{Version: version, Height: 1}}
	g.Rules.VoteExtensionsHeight = 1
	g.Beacon = &capsule.Beacon{Threshold: 3, PublicKey: committee.Master.Bytes(), Period: 3, GenesisTime: 1_800_000_000, TimeZone: "Asia/Shanghai"}
	var keys [][32]byte
	for i := range 4 {
		key := [32]byte{byte(i + 1)}
		keys = append(keys, key)
		g.Validators = append(g.Validators, genesis.Validator{PubKey: key[:], Power: 10, FeeRecipient: common.Address{9}})
		g.Beacon.Holders = append(g.Beacon.Holders, capsule.Holder{Validator: key[:], PublicShare: committee.Shares[i].Bytes()})
	}
	g.Consortium = system.NewGenesis("A", crypto.PubkeyToAddress(testKey(0).PublicKey), false)
	g.Consortium.Nodes = testNodes()
	info, err := g.Beacon.Info(g.ChainID)
	if err != nil {
		t.Fatal(err)
	}
	return &consortium{chain: fundedChainOf(t, g, 4, nil), nonces: map[common.Address]uint64{}}, keys, committee.Master, info.Hash()
}

// TestProposalsKeepTheBeaconThreshold: a validator change that would leave
// fewer than the beacon's threshold of share holders among the validators
// is refused when proposed (only validators release epoch keys); one that
// leaves enough passes the check.
func TestProposalsKeepTheBeaconThreshold(t *testing.T) {
	c, _ := newBeaconConsortium(t)
	two := []system.Action{system.SetValidators(system.ValidatorUpdate{PubKey: [32]byte{1}}, system.ValidatorUpdate{PubKey: [32]byte{2}})}
	if reason := c.simulate(0, "propose", two, "x"); !strings.Contains(reason, "only 2 of the beacon's 4 share holders would stay validators; 3 must") {
		t.Fatalf("removing two of four holders: %q", reason)
	}
	one := []system.Action{system.SetValidators(system.ValidatorUpdate{PubKey: [32]byte{1}})}
	if reason := c.simulate(0, "propose", one, "x"); reason != "" {
		t.Fatalf("removing one of four holders: %q", reason)
	}
}
