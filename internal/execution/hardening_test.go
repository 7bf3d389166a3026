package execution_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/system"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// consensusAddr is a consensus key's CometBFT address, as evidence names it.
func consensusAddr(key [32]byte) (a [20]byte) {
	copy(a[:], system.ConsensusAddress(key[:]))
	return a
}

// evidenceBlock applies an empty block that reports a double-sign by each
// key and fails the test if a system call of it failed.
func (c *consortium) evidenceBlock(keys ...[32]byte) *execution.Result {
	c.t.Helper()
	in := &execution.BlockInput{Parent: c.head, Time: c.head.Time + 1}
	for i, k := range keys {
		in.Misbehavior = append(in.Misbehavior, execution.Misbehavior{Address: consensusAddr(k), Height: c.head.Number.Uint64() - uint64(i), Kind: execution.MisbehaviorDuplicateVote})
	}
	res := c.applyInput(in)
	if len(res.Failures) != 0 {
		c.t.Fatalf("block %d: system calls failed: %v", res.Block.NumberU64(), res.Failures)
	}
	return res
}

// TestEvidenceAgainstBeaconHoldersAlwaysTakesEffect: evidence removes a
// misbehaving share holder even when fewer than the beacon's threshold of
// holders stay validators (the guard binds proposals only), and the chain
// goes on.
func TestEvidenceAgainstBeaconHoldersAlwaysTakesEffect(t *testing.T) {
	c, keys := newBeaconConsortium(t)
	for i, k := range keys[:2] { // the second leaves 2 holders of the 3 needed
		res := c.evidenceBlock(k)
		if u := res.Updates.Validators; len(u) != 1 || u[0].Power != 0 || !bytes.Equal(u[0].PubKey, k[:]) {
			t.Fatalf("evidence %d: updates %v, want holder %x removed", i, u, k[:1])
		}
	}
	// A governance proposal may still not go below the threshold.
	if reason := c.simulate(0, "propose", []system.Action{system.SetValidators(system.ValidatorUpdate{PubKey: keys[2]})}, "x"); !strings.Contains(reason, "share holders would stay validators") {
		t.Fatalf("a proposal below the beacon's threshold: %q", reason)
	}
	// But one that keeps the holders as they are, or brings one back, may
	// pass: validator governance is not frozen by the evidence.
	for _, a := range []system.Action{setNodeValidators(system.ValidatorUpdate{PubKey: [32]byte{0x77}, Power: 10}), setNodeValidators(system.ValidatorUpdate{PubKey: keys[0], Power: 10})} {
		if reason := c.simulate(0, "propose", []system.Action{a}, "x"); reason != "" {
			t.Fatalf("a proposal that lowers no holder: %q", reason)
		}
	}
	c.apply() // blocks go on
}

// TestAddAndRemoveInOneProposalHandsConsensusNothing: a proposal that adds
// a validator and removes it again passes, and the block that passes it
// hands CometBFT no update for it (CometBFT would refuse the removal of a
// validator it never had, on every node).
func TestAddAndRemoveInOneProposalHandsConsensusNothing(t *testing.T) {
	c := newConsortium(t, true)
	k := system.ValidatorUpdate{PubKey: [32]byte{7}, Power: 5}
	id := new(big.Int).SetUint64(c.propose(0, setNodeValidators(k), system.SetValidators(system.ValidatorUpdate{PubKey: k.PubKey})))
	c.gov(0, "vote", id, true)
	res := c.gov(1, "vote", id, true)
	if s, o := c.status(id.Uint64()); s != statusPassed {
		t.Fatalf("status %d %s", s, o)
	}
	if len(res.Updates.Validators) != 0 || len(res.Failures) != 0 {
		t.Fatalf("updates %v, failures %v", res.Updates.Validators, res.Failures)
	}
}

// TestValidatorUpdatesAreAlwaysAcceptedByCometBFT: random sequences of
// proposals (adds, removals, power changes, several in one proposal),
// evidence and settlements never yield updates that CometBFT's own
// validator-set code refuses, and the set CometBFT ends with is the
// contract's.
func TestValidatorUpdatesAreAlwaysAcceptedByCometBFT(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			r := mrand.New(mrand.NewPCG(seed, 99))
			c := newConsortium(t, true)
			model := cmttypes.NewValidatorSet([]*cmttypes.Validator{cmttypes.NewValidator(ed25519.PubKey(val1.PubKey[:]), 10)})
			pool := [][32]byte{val1.PubKey, {2}, {3}, {4}, {5}}
			check := func(res *execution.Result) {
				t.Helper()
				if len(res.Failures) != 0 {
					t.Fatalf("block %d: failures %v", res.Block.NumberU64(), res.Failures)
				}
				var changes []*cmttypes.Validator
				for _, u := range res.Updates.Validators {
					changes = append(changes, cmttypes.NewValidator(ed25519.PubKey(u.PubKey), u.Power))
				}
				if err := model.UpdateWithChangeSet(changes); err != nil {
					t.Fatalf("block %d: CometBFT refuses %v: %v", res.Block.NumberU64(), res.Updates.Validators, err)
				}
				st, _ := c.st.State(c.head.Root)
				var want []string
				for _, v := range system.Validators(st) {
					want = append(want, fmt.Sprintf("%x:%d", v.PubKey[:1], v.Power))
				}
				var got []string
				for _, v := range model.Validators {
					got = append(got, fmt.Sprintf("%x:%d", v.PubKey.Bytes()[:1], v.VotingPower))
				}
				if len(got) != len(want) {
					t.Fatalf("block %d: CometBFT has %v, the contract %v", res.Block.NumberU64(), got, want)
				}
			}
			for range 30 {
				switch r.IntN(3) {
				case 0, 1: // a proposal of one to three validator actions
					var actions []system.Action
					for range 1 + r.IntN(3) {
						var us []system.ValidatorUpdate
						for _, i := range r.Perm(len(pool))[:1+r.IntN(2)] {
							us = append(us, system.ValidatorUpdate{PubKey: pool[i], Power: uint64(r.IntN(3))})
						}
						actions = append(actions, setNodeValidators(us...))
					}
					if c.simulate(0, "propose", actions, "x") != "" {
						continue // refused when proposed, as it must be
					}
					id := new(big.Int).SetUint64(c.propose(0, actions...))
					check(c.gov(0, "vote", id, true))
					if r.IntN(2) == 0 {
						check(c.gov(1, "vote", id, true)) // passes now
					} else {
						for range 6 { // or at settlement
							check(c.apply())
						}
					}
				case 2:
					check(c.evidenceBlock(pool[r.IntN(len(pool))]))
				}
			}
		})
	}
}

// TestValidatorChangesRefusesWhatCometBFTRefuses: the last check before
// updates leave the application.
func TestValidatorChangesRefusesWhatCometBFTRefuses(t *testing.T) {
	a := system.ValidatorUpdate{PubKey: [32]byte{1}, Power: 10}
	if _, err := execution.ValidatorChanges([]system.ValidatorUpdate{a}, nil); !errors.Is(err, execution.ErrValidatorUpdates) {
		t.Fatalf("an empty set: %v", err)
	}
	big := system.ValidatorUpdate{PubKey: [32]byte{2}, Power: 1 << 62}
	if _, err := execution.ValidatorChanges([]system.ValidatorUpdate{a}, []system.ValidatorUpdate{a, big}); !errors.Is(err, execution.ErrValidatorUpdates) {
		t.Fatalf("over CometBFT's total power: %v", err)
	}
	us, err := execution.ValidatorChanges([]system.ValidatorUpdate{a}, []system.ValidatorUpdate{{PubKey: [32]byte{2}, Power: 3}})
	if err != nil || len(us) != 2 || us[0].Power != 3 || us[1].Power != 0 {
		t.Fatalf("a swap: %v %v", us, err)
	}
}

// TestSettlementIsBoundedPerBlock: many heavy proposals that pass at the
// end of their voting period are applied over as many blocks as it takes,
// each under its own gas cap, and no block's system call fails; a proposal
// too heavy to apply within the cap is refused when proposed, and stored
// fields have length bounds.
func TestSettlementIsBoundedPerBlock(t *testing.T) {
	c := newConsortiumWithGas(t, true, 200_000_000)
	governors := func(seed byte) []common.Address {
		var gs []common.Address
		for i := range 16 {
			gs = append(gs, common.Address{seed, byte(i + 1)})
		}
		return gs
	}
	heavy := func(n, seed int) []system.Action {
		var as []system.Action
		for i := range n {
			as = append(as, system.SetMember(fmt.Sprintf("M%d-%d", seed, i), 1, governors(byte(seed*8+i))))
		}
		return as
	}
	if reason := c.simulate(0, "propose", heavy(32, 30), "x"); !strings.Contains(reason, "split them into proposals") {
		t.Fatalf("a proposal over the gas cap: %q", reason)
	}
	if reason := c.simulate(0, "propose", []system.Action{system.SetNode(system.NodeID{1}, true, strings.Repeat("n", 65))}, "x"); !strings.Contains(reason, "at most 64 bytes") {
		t.Fatalf("a long node name: %q", reason)
	}
	if reason := c.simulate(0, "propose", []system.Action{system.SetParam(system.ParamQuorum, 5000)}, strings.Repeat("d", 1025)); !strings.Contains(reason, "at most 1024 bytes") {
		t.Fatalf("a long description: %q", reason)
	}
	// Member A (half the weight) proposes and votes for 16 proposals of
	// 20 node admissions each: each passes only when its period ends, all
	// in the same block.
	nodes := func(p int) []system.Action {
		var as []system.Action
		for i := range 20 {
			as = append(as, system.SetNode(system.NodeID{0xaa, byte(p), byte(i)}, true, strings.Repeat("n", 64)))
		}
		return as
	}
	var raws [][]byte
	to := system.ConsortiumAddress
	for i := range 16 {
		data, _ := system.Pack("propose", nodes(i), "heavy")
		raws = append(raws, c.tx(0, &to, 0, data))
	}
	if res := c.apply(raws...); len(res.Receipts) != 16 || res.Receipts[15].Status != 1 {
		t.Fatalf("%d of 16 proposals included: %v", len(res.Receipts), res.Outcomes)
	}
	raws = nil
	for id := range uint64(16) {
		data, _ := system.Pack("vote", new(big.Int).SetUint64(id+1), true)
		raws = append(raws, c.tx(0, &to, 0, data))
	}
	c.apply(raws...)
	settling := 0
	for range 20 {
		res := c.apply()
		if len(res.Failures) != 0 {
			t.Fatalf("block %d: %v", res.Block.NumberU64(), res.Failures)
		}
		st, _ := c.st.State(c.head.Root)
		if system.SettleDue(st, c.head.Number.Uint64()+1) {
			settling++
		}
	}
	for id := range uint64(16) {
		if s, o := c.status(id + 1); s != statusPassed {
			t.Fatalf("proposal %d: status %d %s", id+1, s, o)
		}
	}
	if settling == 0 {
		t.Fatal("16 heavy proposals were all settled in one block: the bound was not reached")
	}
}

// TestOnlyThoseWithAPlaceCallTheConsortium: on a permissioned network an
// account with no role that governs no member cannot call the Consortium
// contract (it would fill blocks with calls that fail); a governor without
// roles can.
func TestOnlyThoseWithAPlaceCallTheConsortium(t *testing.T) {
	c := newConsortium(t, true)
	data, _ := system.Pack("vote", big.NewInt(1), true)
	_, err := c.send(3, &system.ConsortiumAddress, 0, data)
	if !errors.Is(err, execution.ErrPermission) || !strings.Contains(err.Error(), "has no role and governs no member") {
		t.Fatalf("a stranger's call: %v", err)
	}
	if _, err := c.send(1, &system.ConsortiumAddress, 0, nil); err != nil {
		t.Fatalf("a governor without roles: %v", err)
	}
	// On an open network anyone may.
	o := newConsortium(t, false)
	if _, err := o.send(3, &system.ConsortiumAddress, 0, nil); err != nil {
		t.Fatalf("an open network: %v", err)
	}
}

// TestGovernanceCannotBeLocked: no parameter change and no regulator alone
// stops governance from acting.
func TestGovernanceCannotBeLocked(t *testing.T) {
	c := newConsortium(t, true)
	// A base fee no governor of some member could pay is refused.
	if reason := c.simulate(0, "propose", []system.Action{system.SetParam(system.ParamBaseFee, 2e12)}, "x"); !strings.Contains(reason, "no unfrozen governor of member") {
		t.Fatalf("a base fee that prices out governors: %q", reason)
	}
	// A regulator cannot freeze a governor, itself included.
	for _, k := range []int{0, 1} {
		if reason := c.simulate(0, "freeze", c.addrs[k], "x"); !strings.Contains(reason, "is a governor: only a proposal freezes it") {
			t.Fatalf("a regulator freezing governor %d: %q", k, reason)
		}
	}
	// What a regulator froze, the consortium can unfreeze; and it alone
	// can freeze a governor.
	c.gov(0, "freeze", c.addrs[3], "x")
	id := new(big.Int).SetUint64(c.propose(0, system.SetFrozen(c.addrs[3], false), system.SetFrozen(c.addrs[2], true)))
	c.gov(0, "vote", id, true)
	c.gov(1, "vote", id, true)
	if s, o := c.status(id.Uint64()); s != statusPassed {
		t.Fatalf("status %d %s", s, o)
	}
	st, _ := c.st.State(c.head.Root)
	if system.PermissionsOf(st, c.addrs[3]).Frozen || !system.PermissionsOf(st, c.addrs[2]).Frozen {
		t.Fatal("the proposal's freezes did not apply")
	}
	// What the consortium froze, no regulator alone unfreezes.
	if reason := c.simulate(0, "unfreeze", c.addrs[2]); !strings.Contains(reason, "only a proposal unfreezes it") {
		t.Fatalf("a regulator undoing the consortium's freeze: %q", reason)
	}
	// A frozen account does not become a governor.
	c.gov(0, "freeze", c.addrs[3], "x")
	if reason := c.simulate(0, "propose", []system.Action{system.SetMember("D", 1, []common.Address{c.addrs[3]})}, "x"); !strings.Contains(reason, "is frozen: unfreeze it before it governs") {
		t.Fatalf("a frozen account made a governor: %q", reason)
	}
	// Nor is a system contract frozen.
	for _, a := range []common.Address{system.ConsortiumAddress, system.ConsortiumViewsAddress, system.CapsulesAddress} {
		if reason := c.simulate(0, "freeze", a, "x"); !strings.Contains(reason, "a system contract cannot be frozen") {
			t.Fatalf("freezing %s: %q", a, reason)
		}
	}
}

// TestEvidenceIsHandledOneItemACall: a block with much evidence (here
// against validators no longer in the set) does not run one call out of
// gas.
func TestEvidenceIsHandledOneItemACall(t *testing.T) {
	c := newConsortium(t, true)
	var keys [][32]byte
	for i := range 300 {
		keys = append(keys, [32]byte{0xee, byte(i), byte(i >> 8)})
	}
	c.evidenceBlock(keys...)
	if n := c.view("evidenceCount")[0].(*big.Int); n.Int64() != 300 {
		t.Fatalf("evidence recorded: %v", n)
	}
}

// codeAt returns the code at a in the head state.
func (c *consortium) codeAt(a common.Address) []byte {
	st, _ := c.st.State(c.head.Root)
	return st.GetCode(a)
}

// drainInit is init code that sends the whole balance of the account it
// runs as to 0xbe…: what creation at a frozen address would do.
func drainInit() []byte {
	init := []byte{0x60, 0, 0x60, 0, 0x60, 0, 0x60, 0, 0x47, 0x73}
	init = append(init, common.HexToAddress("0xbe").Bytes()...)
	return append(init, 0x5a, 0xf1, 0x00)
}

var createXAddr = common.HexToAddress("0xba5Ed099633D3B313e4D5F7bdc1305d3c28ba5Ed")

// deployCreate is CreateX's deployCreate(bytes): a CREATE from CreateX.
func deployCreate(init []byte) []byte {
	bytesT, _ := abi.NewType("bytes", "", nil)
	enc, _ := abi.Arguments{{Type: bytesT}}.Pack(init)
	return append(crypto.Keccak256([]byte("deployCreate(bytes)"))[:4], enc...)
}

// TestNothingIsCreatedAtAFrozenAddress: while an address is frozen, no
// contract is created there by any path (a creation transaction's CREATE,
// CREATE2 through the deterministic factory, CreateX), so its balance never
// moves.
func TestNothingIsCreatedAtAFrozenAddress(t *testing.T) {
	c := newConsortium(t, true)
	st, _ := c.st.State(c.head.Root)
	var salt [32]byte
	paths := []struct {
		name string
		at   common.Address
		to   *common.Address
		data []byte
	}{
		{"CREATE", crypto.CreateAddress(c.addrs[0], c.nonces[c.addrs[0]]+6), nil, drainInit()},
		{"CREATE2", crypto.CreateAddress2(params.DeterministicFactoryAddress, salt, crypto.Keccak256(drainInit())), &params.DeterministicFactoryAddress, append(salt[:], drainInit()...)},
		{"CreateX", crypto.CreateAddress(createXAddr, st.GetNonce(createXAddr)), &createXAddr, deployCreate(drainInit())},
	}
	// Fund each address, then freeze it (key 0 is a regulator and a
	// deployer): six transactions, so the CREATE path's address is key 0's
	// seventh nonce from here.
	for _, p := range paths {
		if _, err := c.send(0, &p.at, 5_000_000, nil); err != nil {
			t.Fatal(err)
		}
		c.gov(0, "freeze", p.at, "illicit funds")
	}
	for _, p := range paths {
		if _, err := c.send(0, p.to, 0, p.data); err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		if code := c.codeAt(p.at); len(code) != 0 || c.balance(p.at).Uint64() != 5_000_000 {
			t.Fatalf("%s: code %x and balance %s at the frozen %s", p.name, code, c.balance(p.at), p.at)
		}
	}
	if b := c.balance(common.HexToAddress("0xbe")); !b.IsZero() {
		t.Fatalf("%s wei left the frozen accounts", b)
	}
}

// TestFactoriesServeDeployersOnly: on a permissioned network a transactor
// without the deployer role creates nothing through the genesis factories
// (nor through an EIP-7702 delegation to one), a deployer does, and a
// deployer's own contracts still create when a transactor calls them.
func TestFactoriesServeDeployersOnly(t *testing.T) {
	c := newConsortium(t, true)
	c.gov(0, "grantRoles", c.addrs[3], big.NewInt(int64(system.RoleTransactor)))
	child := testchain.DeployCode([]byte{0x00})
	var salt [32]byte
	at := crypto.CreateAddress2(params.DeterministicFactoryAddress, salt, crypto.Keccak256(child))
	call := append(salt[:], child...)
	if r, err := c.send(3, &params.DeterministicFactoryAddress, 0, call); err != nil || r.Status != 0 || len(c.codeAt(at)) != 0 {
		t.Fatalf("a transactor through the CREATE2 factory: %v, code %x", err, c.codeAt(at))
	}
	st, _ := c.st.State(c.head.Root)
	viaX := crypto.CreateAddress(createXAddr, st.GetNonce(createXAddr))
	if r, err := c.send(3, &createXAddr, 0, deployCreate(child)); err != nil || r.Status != 0 || len(c.codeAt(viaX)) != 0 {
		t.Fatalf("a transactor through CreateX: %v, code %x", err, c.codeAt(viaX))
	}
	// Nor by delegating its own account to the factory's code (EIP-7702)
	// and calling itself.
	self := c.addrs[3]
	auth, err := types.SignSetCode(c.keys[3], types.SetCodeAuthorization{ChainID: *uint256.NewInt(chainID), Address: params.DeterministicFactoryAddress, Nonce: c.nonces[self] + 1})
	if err != nil {
		t.Fatal(err)
	}
	res := c.apply(raw(testchain.Sign(c.keys[3], cid, &types.SetCodeTx{ChainID: uint256.NewInt(chainID), Nonce: c.nonces[self], To: self, Gas: 500_000,
		GasFeeCap: uint256.NewInt(1e9), AuthList: []types.SetCodeAuthorization{auth}, Data: call})))
	c.nonces[self] += 2
	viaSelf := crypto.CreateAddress2(self, salt, crypto.Keccak256(child))
	if res.Outcomes[0].Err != nil || res.Receipts[0].Status != 0 || len(c.codeAt(viaSelf)) != 0 {
		t.Fatalf("a transactor through a delegation to the factory: %v, code %x", res.Outcomes[0].Err, c.codeAt(viaSelf))
	}
	// Nor does a deployer's call into that delegated account lend it the
	// role (key 0 is a deployer).
	if r, err := c.send(0, &self, 0, call); err != nil || r.Status != 0 || len(c.codeAt(viaSelf)) != 0 {
		t.Fatalf("a deployer calling a transactor's delegation to the factory: %v, code %x", err, c.codeAt(viaSelf))
	}
	if r, err := c.send(0, &params.DeterministicFactoryAddress, 0, call); err != nil || r.Status != 1 || len(c.codeAt(at)) == 0 {
		t.Fatalf("a deployer through the CREATE2 factory: %v", err)
	}
	// A deployer's factory: each call CREATEs a child whose code is 0x01.
	runtime := []byte{0x69, 0x60, 0x01, 0x60, 0x00, 0x53, 0x60, 0x01, 0x60, 0x00, 0xf3, // PUSH10 the child's init code
		0x60, 0x00, 0x52, 0x60, 0x0a, 0x60, 0x16, 0x60, 0x00, 0xf0, // MSTORE; CREATE(0, 22, 10)
		0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3} // return the child's address
	r, err := c.send(0, nil, 0, testchain.DeployCode(runtime))
	if err != nil || r.Status != 1 {
		t.Fatalf("deploying the deployer's factory: %v", err)
	}
	factory := r.ContractAddress
	if r, err := c.send(3, &factory, 0, nil); err != nil || r.Status != 1 || len(c.codeAt(crypto.CreateAddress(factory, 1))) == 0 {
		t.Fatalf("a transactor calling a deployer's factory: %v", err)
	}
}

// TestFreezesApplyFromTheNextTransaction: within one block, a freeze and an
// unfreeze apply from the next transaction on (the guard follows the
// contract's events), and the next block starts from the set the last left.
func TestFreezesApplyFromTheNextTransaction(t *testing.T) {
	c := newConsortium(t, false)
	fwd := crypto.CreateAddress(c.addrs[0], 0)
	if r, err := c.send(0, nil, 0, deployCode(forwarder)); err != nil || r.ContractAddress != fwd {
		t.Fatalf("deploy forwarder: %v", err)
	}
	x, y := common.Address{0x0f, 1}, common.Address{0x0f, 2}
	freeze, _ := system.Pack("freeze", x, "x")
	unfreeze, _ := system.Pack("unfreeze", x)
	freezeY, _ := system.Pack("freeze", y, "y")
	to := system.ConsortiumAddress
	callX := func() []byte { return c.tx(1, &fwd, 1, common.LeftPadBytes(x.Bytes(), 32)) }
	callY := func() []byte { return c.tx(1, &fwd, 1, common.LeftPadBytes(y.Bytes(), 32)) }
	res := c.apply(c.tx(0, &to, 0, freeze), callX(), c.tx(0, &to, 0, unfreeze), callX(), c.tx(0, &to, 0, freezeY), callY())
	want := []uint64{1, 0, 1, 1, 1, 0}
	for i, r := range res.Receipts {
		if r.Status != want[i] {
			t.Fatalf("transaction %d: status %d, want %d", i, r.Status, want[i])
		}
	}
	res = c.apply(callX(), callY())
	if res.Receipts[0].Status != 1 || res.Receipts[1].Status != 0 {
		t.Fatalf("the next block: into x %d (unfrozen), into y %d (frozen)", res.Receipts[0].Status, res.Receipts[1].Status)
	}
}

// TestAFrozenContractRunsInNoDelegatedAccount: an account delegated
// (EIP-7702) to a contract that is then frozen runs no code when called,
// and no new delegation to the frozen contract is admitted.
func TestAFrozenContractRunsInNoDelegatedAccount(t *testing.T) {
	c := newConsortium(t, false)
	counter := crypto.CreateAddress(c.addrs[0], c.nonces[c.addrs[0]])
	if r, err := c.send(0, nil, 0, testchain.CounterInit()); err != nil || r.ContractAddress != counter {
		t.Fatalf("deploy: %v", err)
	}
	delegate := func(k int) error {
		self := c.addrs[k]
		auth, err := types.SignSetCode(c.keys[k], types.SetCodeAuthorization{ChainID: *uint256.NewInt(chainID), Address: counter, Nonce: c.nonces[self] + 1})
		if err != nil {
			t.Fatal(err)
		}
		res := c.apply(raw(testchain.Sign(c.keys[k], cid, &types.SetCodeTx{ChainID: uint256.NewInt(chainID), Nonce: c.nonces[self], To: self, Gas: 200_000,
			GasFeeCap: uint256.NewInt(1e9), AuthList: []types.SetCodeAuthorization{auth}})))
		if res.Outcomes[0].Err == nil {
			c.nonces[self] += 2
		}
		return res.Outcomes[0].Err
	}
	if err := delegate(1); err != nil {
		t.Fatal(err)
	}
	delegated := c.addrs[1]
	if r, err := c.send(2, &delegated, 0, nil); err != nil || r.Status != 1 || len(r.Logs) != 1 {
		t.Fatalf("a call into the delegated account: %v", err)
	}
	c.gov(0, "freeze", counter, "recall")
	if r, err := c.send(2, &delegated, 0, nil); err != nil || r.Status != 0 || len(r.Logs) != 0 {
		t.Fatalf("a call into an account delegated to a frozen contract: %v, %+v", err, r)
	}
	if err := delegate(3); err == nil || !strings.Contains(err.Error(), "a delegation to "+counter.Hex()) || !errors.Is(err, execution.ErrFrozen) {
		t.Fatalf("a new delegation to a frozen contract: %v", err)
	}
	// The delegating account itself is not frozen: it still sends.
	to := c.addrs[2]
	if r, err := c.send(1, &to, 1, nil); err != nil || r.Status != 1 {
		t.Fatalf("the delegating account's own transfer: %v", err)
	}
}

// TestAnyChangeCanBeReverted is a property: after random changes that one
// proposal or one role holder can make (a parameter set to a random value,
// accepted or refused when proposed; a regulator's freezes and unfreezes of
// random accounts; roles granted by proposal), governance can still pass a
// proposal that reverts them all, and its effects are those it names.
func TestAnyChangeCanBeReverted(t *testing.T) {
	for seed := range int64(4) {
		rng := mrand.New(mrand.NewPCG(uint64(seed), 7))
		c := newConsortium(t, true)
		c.payBaseFee = true
		st, _ := c.st.State(c.head.Root)
		limits := system.LimitsOf(st)
		quorum, threshold := c.view("quorum")[0].(*big.Int).Uint64(), c.view("threshold")[0].(*big.Int).Uint64()
		period := c.view("votingPeriod")[0].(uint64)
		others := []common.Address{{0xaa}, {0xbb}, c.addrs[3]}
		pass := func(actions ...system.Action) bool {
			t.Helper()
			if reason := c.simulate(0, "propose", actions, "x"); reason != "" {
				return false // refused when proposed: no change
			}
			id := new(big.Int).SetUint64(c.propose(0, actions...))
			for k := range 3 {
				if s, _ := c.status(id.Uint64()); s != statusOpen {
					break
				}
				c.gov(k, "vote", id, true)
			}
			if s, o := c.status(id.Uint64()); s != statusPassed {
				t.Fatalf("seed %d: a proposal all members voted for: status %d %s", seed, s, o)
			}
			return true
		}
		changes := 0
		for range 12 {
			switch rng.IntN(4) {
			case 0:
				params := []uint8{system.ParamQuorum, system.ParamThreshold, system.ParamVotingPeriod, system.ParamPermissioned, system.ParamGasLimit, system.ParamBaseFee}
				p := params[rng.IntN(len(params))]
				v := []uint64{0, 1, 2, 21_000, 5_000, 10_000, 9_999_999, 10_000_000, 1e9, 1e11, 1e12, 1 << 62, rng.Uint64N(1 << 40)}[rng.IntN(13)]
				if pass(system.SetParam(p, v)) {
					changes++
				}
			case 1:
				a := others[rng.IntN(len(others))]
				if c.simulate(0, "freeze", a, "x") == "" {
					c.gov(0, "freeze", a, "x")
					changes++
				}
			case 2:
				a := others[rng.IntN(len(others))]
				if c.simulate(0, "unfreeze", a) == "" {
					c.gov(0, "unfreeze", a)
					changes++
				}
			case 3:
				if pass(system.SetRoles(others[rng.IntN(len(others))], system.Role(rng.IntN(16)))) {
					changes++
				}
			}
		}
		if changes < 4 {
			t.Fatalf("seed %d: only %d of 12 random changes took effect: the property was hardly tried", seed, changes)
		}
		// One proposal puts everything back.
		revert := []system.Action{
			system.SetParam(system.ParamBaseFee, limits.BaseFee.Uint64()),
			system.SetParam(system.ParamGasLimit, limits.GasLimit),
			system.SetParam(system.ParamQuorum, quorum),
			system.SetParam(system.ParamThreshold, threshold),
			system.SetParam(system.ParamVotingPeriod, period),
			system.SetParam(system.ParamPermissioned, 1),
		}
		st, _ = c.st.State(c.head.Root)
		for _, a := range others {
			if system.PermissionsOf(st, a).Frozen {
				revert = append(revert, system.SetFrozen(a, false))
			}
			revert = append(revert, system.SetRoles(a, 0))
		}
		if reason := c.simulate(0, "propose", revert, "x"); reason != "" {
			t.Fatalf("seed %d: the reverting proposal is refused: %s", seed, reason)
		}
		if !pass(revert...) {
			t.Fatalf("seed %d: the reverting proposal did not pass", seed)
		}
		c.apply()
		st, _ = c.st.State(c.head.Root)
		if got := system.LimitsOf(st); got.GasLimit != limits.GasLimit || got.BaseFee.Cmp(limits.BaseFee) != 0 || !system.Permissioned(st) {
			t.Fatalf("seed %d: after the revert: %+v, permissioned %v", seed, got, system.Permissioned(st))
		}
		for _, a := range others {
			if p := system.PermissionsOf(st, a); p.Frozen || p.Roles != 0 {
				t.Fatalf("seed %d: %s after the revert: %+v", seed, a, p)
			}
		}
	}
}
