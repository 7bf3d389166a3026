package execution_test

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"strings"
	"testing"

	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/internal/system"
	"github.com/chuxin-chain/chuxin/x/beacon"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/store"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

const chainID = 1337

var cid = big.NewInt(chainID)

// chain is a genesis with funded keys over a fresh on-disk store.
type chain struct {
	t     testing.TB
	st    *store.Store
	exec  *execution.Executor
	keys  []*ecdsa.PrivateKey
	addrs []common.Address
	head  *types.Header
}

func newChain(t testing.TB, accounts int) *chain {
	t.Helper()
	return fundedChainOf(t, testchain.Genesis(chainID, 1_000_000_000, nil), accounts, nil)
}

// fundedChainOf starts the chain that g describes with accounts funded keys
// and extra added to its state.
func fundedChainOf(t testing.TB, g *genesis.Genesis, accounts int, extra types.GenesisAlloc) *chain {
	t.Helper()
	var keys []*ecdsa.PrivateKey
	var addrs []common.Address
	for i := range accounts {
		k := testKey(i)
		keys, addrs = append(keys, k), append(addrs, crypto.PubkeyToAddress(k.PublicKey))
		g.Alloc[addrs[i]] = types.Account{Balance: big.NewInt(1e18)}
	}
	maps.Copy(g.Alloc, extra)
	c := chainOf(t, g)
	c.keys, c.addrs = keys, addrs
	return c
}

// testKey is the key of funded account i of fundedChainOf.
func testKey(i int) *ecdsa.PrivateKey {
	k, _ := crypto.ToECDSA(crypto.Keccak256([]byte{byte(i), byte(i >> 8), 7}))
	return k
}

// chainOf starts the chain that g describes on a fresh on-disk store.
func chainOf(t testing.TB, g *genesis.Genesis) *chain {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{CacheMB: 64})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	// The beacon module, as the binary has it: the Capsules contract of a
	// chain with a beacon, and the timelock-header precompile.
	mods, err := module.NewSet(beacon.Module{})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.UseModules(mods); err != nil {
		t.Fatal(err)
	}
	genesis, err := st.InitGenesis(g)
	if err != nil {
		t.Fatal(err)
	}
	return &chain{t: t, st: st, exec: execution.NewExecutor(g, execution.Extensions{Precompiles: mods.Precompiles()}), head: genesis.Header()}
}

// apply executes raw transactions as the next block, a second after its
// parent, and commits it.
func (c *chain) apply(raws ...[]byte) *execution.Result {
	c.t.Helper()
	return c.applyAt(c.head.Time+1, raws...)
}

// applyAt executes raw transactions as the next block at time and commits it.
func (c *chain) applyAt(time uint64, raws ...[]byte) *execution.Result {
	c.t.Helper()
	return c.applyInput(&execution.BlockInput{Parent: c.head, Time: time, Txs: raws})
}

// applyInput executes a block and commits it.
func (c *chain) applyInput(in *execution.BlockInput) *execution.Result {
	c.t.Helper()
	st, err := c.st.State(c.head.Root)
	if err != nil {
		c.t.Fatal(err)
	}
	res, err := c.exec.Execute(st, c.st.Chain(), in)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.st.CommitBlock(res, nil); err != nil {
		c.t.Fatal(err)
	}
	c.head = res.Block.Header()
	return res
}

func raw(tx *types.Transaction) []byte {
	b, err := tx.MarshalBinary()
	if err != nil {
		panic(err)
	}
	return b
}

func TestTransfersMoveValueAndAgreeOnRoot(t *testing.T) {
	a, b := newChain(t, 4), newChain(t, 4)
	var raws [][]byte
	for i := range 4 {
		raws = append(raws, raw(testchain.Transfer(a.keys[i], cid, 0, a.addrs[(i+1)%4], big.NewInt(int64(1000*(i+1))))))
	}
	ra, rb := a.apply(raws...), b.apply(raws...)
	if ra.Block.Root() != rb.Block.Root() || ra.Block.Hash() != rb.Block.Hash() {
		t.Fatalf("same block, different results: %s vs %s", ra.Block.Root(), rb.Block.Root())
	}
	if n := len(ra.Block.Transactions()); n != 4 {
		t.Fatalf("block has %d transactions, want 4", n)
	}
	st, _ := a.st.State(ra.Block.Root())
	// account 1 sent 2000 and received 1000
	want := new(big.Int).Sub(big.NewInt(1e18), big.NewInt(1000))
	if got := st.GetBalance(a.addrs[1]).ToBig(); got.Cmp(want) != 0 {
		t.Fatalf("balance of account 1: got %s want %s", got, want)
	}
	for i, r := range ra.Receipts {
		if r.Status != types.ReceiptStatusSuccessful || r.GasUsed != 21000 || r.BlockHash != ra.Block.Hash() {
			t.Fatalf("receipt %d: status %d gas %d block %s", i, r.Status, r.GasUsed, r.BlockHash)
		}
	}
	if ra.Block.GasUsed() != 4*21000 {
		t.Fatalf("block gas used %d", ra.Block.GasUsed())
	}
}

func TestInvalidTransactionsAreSkippedWithReason(t *testing.T) {
	c := newChain(t, 2)
	good := raw(testchain.Transfer(c.keys[0], cid, 0, c.addrs[1], big.NewInt(1)))
	cases := []struct {
		name string
		raw  []byte
		want error
	}{
		{"garbage", []byte{0x02, 0xde, 0xad}, execution.ErrDecode},
		{"wrong chain", raw(testchain.Transfer(c.keys[0], big.NewInt(1), 1, c.addrs[1], big.NewInt(1))), execution.ErrChainID},
		{"nonce gap", raw(testchain.Transfer(c.keys[1], cid, 5, c.addrs[0], big.NewInt(1))), core.ErrNonceTooHigh},
		{"replay", good, core.ErrNonceTooLow},
		{"too poor", raw(testchain.Transfer(c.keys[1], cid, 0, c.addrs[0], big.NewInt(2e18))), core.ErrInsufficientFunds},
		{"301-bit fee cap", raw(hugeFee(c.keys[1], c.addrs[0])), execution.ErrTooLarge},
		{"unprotected", raw(func() *types.Transaction {
			tx, _ := types.SignTx(types.NewTransaction(0, c.addrs[0], big.NewInt(1), 21000, new(big.Int), nil), types.HomesteadSigner{}, c.keys[1])
			return tx
		}()), execution.ErrUnprotected},
	}
	raws := [][]byte{good}
	for _, tc := range cases {
		raws = append(raws, tc.raw)
	}
	res := c.apply(raws...)
	if len(res.Block.Transactions()) != 1 || res.Outcomes[0].Index != 0 {
		t.Fatalf("want only the good transaction in the block, got %d", len(res.Block.Transactions()))
	}
	for i, tc := range cases {
		o := res.Outcomes[i+1]
		if o.Index != -1 || !errors.Is(o.Err, tc.want) {
			t.Errorf("%s: index %d err %v, want %v", tc.name, o.Index, o.Err, tc.want)
		}
	}
	st, _ := c.st.State(res.Block.Root())
	if n := st.GetNonce(c.addrs[1]); n != 0 {
		t.Fatalf("skipped transactions changed state: nonce %d", n)
	}
}

func TestContractDeployCallAndLogs(t *testing.T) {
	c := newChain(t, 1)
	res := c.apply(raw(testchain.Deploy(c.keys[0], cid, 0, testchain.CounterInit(), 200_000)))
	addr := res.Receipts[0].ContractAddress
	if res.Receipts[0].Status != types.ReceiptStatusSuccessful {
		t.Fatal("deploy failed")
	}
	res = c.apply(
		raw(testchain.Call(c.keys[0], cid, 1, addr, nil, 100_000)),
		raw(testchain.Call(c.keys[0], cid, 2, addr, nil, 100_000)),
	)
	if len(res.Receipts) != 2 {
		t.Fatalf("%d receipts", len(res.Receipts))
	}
	l := res.Receipts[1].Logs[0]
	if l.Address != addr || l.Topics[0] != testchain.IncrementedTopic || new(big.Int).SetBytes(l.Data).Int64() != 2 || l.Index != 1 || l.BlockHash != res.Block.Hash() {
		t.Fatalf("unexpected log %+v", l)
	}
	if !types.BloomLookup(res.Block.Bloom(), addr) {
		t.Fatal("block bloom misses the contract")
	}
	stored, err := c.st.Receipts(res.Block.Header())
	if err != nil || len(stored) != 2 || stored[1].Logs[0].TxHash != res.Block.Transactions()[1].Hash() {
		t.Fatalf("stored receipts: %v %v", stored, err)
	}
}

func TestBlockGasLimitSkipsOverflow(t *testing.T) {
	g := testchain.Genesis(chainID, genesis.MinGasLimit, nil)
	k, _ := crypto.GenerateKey()
	g.Alloc = types.GenesisAlloc{crypto.PubkeyToAddress(k.PublicKey): {Balance: big.NewInt(1e18)}}
	to := common.Address{1}
	// After two transfers 9,958,000 gas is left, less than the third declares.
	heavy := raw(testchain.Sign(k, cid, &types.DynamicFeeTx{ChainID: cid, Nonce: 2, To: &to, Value: big.NewInt(1), Gas: 9_980_000, GasFeeCap: big.NewInt(0)}))
	res := chainOf(t, g).apply(
		raw(testchain.Transfer(k, cid, 0, to, big.NewInt(1))),
		raw(testchain.Transfer(k, cid, 1, to, big.NewInt(1))),
		heavy,
	)
	if len(res.Block.Transactions()) != 2 || !errors.Is(res.Outcomes[2].Err, execution.ErrBlockFull) {
		t.Fatalf("want 2 included and the third refused for gas, got %d, %v", len(res.Block.Transactions()), res.Outcomes[2].Err)
	}
}

func TestBaseFeeFloorIsPaidAndBurnt(t *testing.T) {
	gwei := big.NewInt(1e9)
	k, _ := crypto.GenerateKey()
	from := crypto.PubkeyToAddress(k.PublicKey)
	g := testchain.Genesis(chainID, genesis.MinGasLimit, types.GenesisAlloc{from: {Balance: big.NewInt(1e18)}})
	g.Rules.BaseFee = (*hexutil.Big)(gwei)
	c := chainOf(t, g)
	to := common.Address{7}
	pays := testchain.Sign(k, cid, &types.DynamicFeeTx{ChainID: cid, Nonce: 0, To: &to, Value: big.NewInt(5), Gas: 21000,
		GasFeeCap: new(big.Int).Mul(gwei, big.NewInt(2)), GasTipCap: new(big.Int)})
	free := testchain.Transfer(k, cid, 1, to, big.NewInt(5)) // fee cap 0: below the floor
	res := c.apply(raw(pays), raw(free))
	if !errors.Is(res.Outcomes[1].Err, core.ErrFeeCapTooLow) {
		t.Fatalf("a zero-fee transaction under a floor: %v", res.Outcomes[1].Err)
	}
	after, _ := c.st.State(res.Block.Root())
	want := new(big.Int).Sub(big.NewInt(1e18), new(big.Int).Add(big.NewInt(5), new(big.Int).Mul(gwei, big.NewInt(21000))))
	if got := after.GetBalance(from).ToBig(); got.Cmp(want) != 0 {
		t.Fatalf("sender balance %s, want %s (value plus base fee)", got, want)
	}
	if res.Block.BaseFee().Cmp(gwei) != 0 {
		t.Fatalf("header base fee %s", res.Block.BaseFee())
	}
}

// hugeFee is a signed transaction whose fee fields do not fit 256 bits,
// which RLP admits and a byzantine proposer could put in a block.
func hugeFee(k *ecdsa.PrivateKey, to common.Address) *types.Transaction {
	huge := new(big.Int).Lsh(big.NewInt(1), 300)
	return testchain.Sign(k, cid, &types.DynamicFeeTx{ChainID: cid, Nonce: 0, To: &to, Value: big.NewInt(1), Gas: 21000, GasFeeCap: huge, GasTipCap: huge})
}

// TestUnprotectedTransactionsListedByHash: a pre-EIP-155 transaction whose
// hash the genesis lists (a presigned keyless deployment) runs; another is
// refused with the reason.
func TestUnprotectedTransactionsListedByHash(t *testing.T) {
	keys := []*ecdsa.PrivateKey{testKey(0), testKey(1)}
	sign := func(k *ecdsa.PrivateKey) *types.Transaction {
		tx, _ := types.SignTx(types.NewContractCreation(0, new(big.Int), 100_000, new(big.Int), testchain.CounterInit()), types.HomesteadSigner{}, k)
		return tx
	}
	listed, other := sign(keys[0]), sign(keys[1])
	g := testchain.Genesis(chainID, 30_000_000, nil)
	g.Rules.UnprotectedTxs = []common.Hash{listed.Hash()}
	c := fundedChainOf(t, g, 2, nil)
	res := c.apply(raw(listed), raw(other))
	if len(res.Receipts) != 1 || res.Receipts[0].Status != types.ReceiptStatusSuccessful {
		t.Fatalf("the listed keyless deployment: %d receipts, outcomes %+v", len(res.Receipts), res.Outcomes)
	}
	if want := crypto.CreateAddress(c.addrs[0], 0); res.Receipts[0].ContractAddress != want {
		t.Fatalf("deployed at %s, want %s (the same on every chain)", res.Receipts[0].ContractAddress, want)
	}
	if err := res.Outcomes[1].Err; !errors.Is(err, execution.ErrUnprotected) || !strings.Contains(err.Error(), "rules.unprotectedTxs") {
		t.Fatalf("an unlisted unprotected transaction: %v", err)
	}
}

// barred is a module's admission rule that refuses transfers to one
// account, as a register of barred accounts kept in state might, from rule
// version from on.
type barred struct {
	to   common.Address
	from uint64
}

func (b barred) Admit(_ execution.Accounts, tx *types.Transaction, _ common.Address, version uint64) error {
	if version >= b.from && tx.To() != nil && *tx.To() == b.to {
		return fmt.Errorf("transfers to %s are barred", b.to)
	}
	return nil
}

// TestAModulesAdmissionRuleRefusesAndSkips: a module's part of the
// admission rule refuses a transaction at admission, with its reason, and
// block execution skips it, as it skips any the rule refuses; under a rule
// version before the rule's, it takes it.
func TestAModulesAdmissionRuleRefusesAndSkips(t *testing.T) {
	c := newChain(t, 2)
	bar := common.Address{0xba}
	c.exec.Admission = []execution.AdmissionRule{barred{to: bar, from: 1}}
	st, err := c.st.State(c.head.Root)
	if err != nil {
		t.Fatal(err)
	}
	at := execution.At{Number: c.head.Number.Uint64() + 1, Time: c.head.Time + 1, Limits: system.LimitsOf(st)}
	toBar := testchain.Transfer(c.keys[0], cid, 0, bar, big.NewInt(1))
	if err := c.exec.Admit(st, toBar, c.addrs[0], at, 1); !errors.Is(err, execution.ErrModuleRefused) || !strings.Contains(err.Error(), "transfers to "+bar.Hex()+" are barred") {
		t.Fatalf("admission of a barred transfer: %v", err)
	}
	res := c.apply(raw(toBar), raw(testchain.Transfer(c.keys[1], cid, 0, c.addrs[0], big.NewInt(1))))
	if len(res.Block.Transactions()) != 1 || res.Outcomes[0].Index != -1 || !errors.Is(res.Outcomes[0].Err, execution.ErrModuleRefused) || res.Outcomes[1].Index != 0 {
		t.Fatalf("a block with a barred transfer: %d transactions, outcomes %+v", len(res.Block.Transactions()), res.Outcomes)
	}
	c.exec.Admission = []execution.AdmissionRule{barred{to: bar, from: genesis.KnownRuleVersion + 1}}
	if res := c.apply(raw(toBar)); len(res.Block.Transactions()) != 1 {
		t.Fatalf("a rule of a later version applied: %+v", res.Outcomes)
	}
}
