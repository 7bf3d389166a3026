package rpc

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/ethdb/memorydb"
	"github.com/ethereum/go-ethereum/rlp"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
	"github.com/ethereum/go-ethereum/trie"

	"github.com/chuxin-chain/chuxin/internal/app"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

func encode(tx *types.Transaction) hexutil.Bytes {
	b, err := tx.MarshalBinary()
	if err != nil {
		panic(err)
	}
	return b
}

// post sends a raw HTTP body and returns the decoded JSON reply.
func (h *harness) post(t testing.TB, body string) any {
	t.Helper()
	resp, err := http.Post(h.http.URL, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("reply to %.60q is not JSON: %v", body, err)
	}
	return out
}

func TestBadTransactionsGetClearErrorsAndHarmNothing(t *testing.T) {
	h := newHarness(t)
	k := h.keys[0]
	to := common.Address{0xbe, 0xef}
	fee0 := new(big.Int)
	// A committed transaction, to replay below.
	first := testchain.Transfer(k, cid, 0, to, big.NewInt(1))
	if err := h.eth.SendTransaction(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	h.mine()
	pooled := testchain.Transfer(k, cid, 1, to, big.NewInt(1))
	if err := h.eth.SendTransaction(context.Background(), pooled); err != nil {
		t.Fatal(err)
	}
	badSig := types.NewTx(&types.DynamicFeeTx{ChainID: cid, Nonce: 2, To: &to, Gas: 21000, GasFeeCap: fee0, GasTipCap: fee0, Value: big.NewInt(1), V: big.NewInt(1), R: big.NewInt(0), S: big.NewInt(1)})
	unprotected, _ := types.SignTx(types.NewTransaction(2, to, big.NewInt(1), 21000, fee0, nil), types.HomesteadSigner{}, k)
	cases := []struct {
		name string
		raw  hexutil.Bytes
		want string
	}{
		{"malformed RLP", hexutil.Bytes{0xf8, 0xff, 0x01}, "invalid transaction encoding"},
		{"empty", hexutil.Bytes{}, "invalid transaction encoding"},
		{"unknown type", hexutil.Bytes{0x7f, 0xc0}, "invalid transaction encoding"},
		{"wrong chain id", encode(testchain.Transfer(k, big.NewInt(1), 2, to, big.NewInt(1))), "invalid chain id"},
		{"bad signature", encode(badSig), "invalid transaction signature"},
		{"unprotected", encode(unprotected), "replay-protected"},
		{"nonce too low", encode(testchain.Transfer(k, cid, 0, to, big.NewInt(2))), "nonce too low"},
		{"resent committed", encode(first), "nonce too low"},
		{"nonce far ahead", encode(testchain.Transfer(k, cid, 1000, to, big.NewInt(1))), "nonce too high"},
		{"taken nonce", encode(testchain.Transfer(k, cid, 1, to, big.NewInt(5))), "replacement transaction not supported"},
		{"gas above block", encode(testchain.Call(k, cid, 2, to, nil, 40_000_000)), "exceeds block gas limit"},
		{"gas above tx cap", encode(testchain.Call(k, cid, 2, to, nil, 20_000_000)), "transaction gas limit too high"},
		{"intrinsic gas", encode(testchain.Call(k, cid, 2, to, nil, 20_000)), "intrinsic gas too low"},
		{"too poor", encode(testchain.Transfer(k, cid, 2, to, big.NewInt(2e18))), "insufficient funds"},
		{"oversized", encode(testchain.Call(k, cid, 2, to, make([]byte, 200_000), 10_000_000)), "oversized data"},
		{"301-bit fee", encode(testchain.Sign(k, cid, &types.DynamicFeeTx{ChainID: cid, Nonce: 2, To: &to, Gas: 21000, Value: big.NewInt(1), GasFeeCap: new(big.Int).Lsh(big.NewInt(1), 300), GasTipCap: new(big.Int)})), "above 2^256-1"},
	}
	cached := h.app.TxCache().Bytes()
	for _, tc := range cases {
		var hash common.Hash
		err := h.rpc.Call(&hash, "eth_sendRawTransaction", tc.raw)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
			continue
		}
		if e, ok := err.(gethrpc.Error); !ok || e.ErrorCode() != -32000 {
			t.Errorf("%s: error code %v, want -32000", tc.name, err)
		}
	}
	if grew := h.app.TxCache().Bytes() - cached; grew >= 200_000 {
		t.Errorf("the refused transactions left %d bytes in the transaction cache: an oversized one was kept", grew)
	}
	// The node goes on: the pooled transaction and a new one commit.
	next := testchain.Transfer(k, cid, 2, to, big.NewInt(1))
	if err := h.eth.SendTransaction(context.Background(), next); err != nil {
		t.Fatal(err)
	}
	b := h.mine()
	if len(b.Transactions()) != 2 {
		t.Fatalf("block after the bad input has %d transactions, want 2", len(b.Transactions()))
	}
	if bal, _ := h.eth.BalanceAt(context.Background(), to, nil); bal.Int64() != 3 {
		t.Fatalf("balance %v, want 3", bal)
	}
}

func TestMalformedJSONRPC(t *testing.T) {
	h := newHarness(t)
	for range 60 { // longer than the log range limit of 50
		h.mine()
	}
	code := func(reply any) float64 {
		m, _ := reply.(map[string]any)
		e, _ := m["error"].(map[string]any)
		c, _ := e["code"].(float64)
		return c
	}
	cases := []struct {
		body string
		code float64
	}{
		{`{not json`, -32700},
		{`{"jsonrpc":"2.0","id":1,"method":"eth_noSuchMethod","params":[]}`, -32601},
		{`{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0xnothex","latest"]}`, -32602},
		{`{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":[]}`, -32602},
		{`{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x1", "yes"]}`, -32602},
		{`{"jsonrpc":"2.0","id":1,"method":"eth_getLogs","params":[{"fromBlock":"0x0","toBlock":"latest"}]}`, -32005},
		{`{"jsonrpc":"2.0","id":1,"method":"eth_getLogs","params":[{"topics":[[],[],[],[],[]]}]}`, -32602},
		{`{"jsonrpc":"2.0","id":1,"method":"eth_getStorageAt","params":["0x0000000000000000000000000000000000000001","0x` + strings.Repeat("ab", 40) + `","latest"]}`, -32602},
		{`{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[{"data":"0x01","input":"0x02"},"latest"]}`, -32602},
	}
	for _, tc := range cases {
		if got := code(h.post(t, tc.body)); got != tc.code {
			t.Errorf("%.70s: code %v, want %v", tc.body, got, tc.code)
		}
	}
	// A batch over the limit (100 here) is refused whole; one at the limit works.
	batch := func(n int) string {
		items := make([]string, n)
		for i := range items {
			items[i] = fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"eth_blockNumber"}`, i)
		}
		return "[" + strings.Join(items, ",") + "]"
	}
	if reply, ok := h.post(t, batch(100)).([]any); !ok || len(reply) != 100 {
		t.Fatalf("batch of 100: %v", reply)
	}
	reply := h.post(t, batch(101))
	if !strings.Contains(fmt.Sprint(reply), "batch too large") {
		t.Fatalf("batch of 101: %v", reply)
	}
	// Still serving.
	if n, err := h.eth.BlockNumber(context.Background()); err != nil || n != 60 {
		t.Fatalf("after bad requests: %d %v", n, err)
	}
}

func TestLogsFiltersAndSubscriptions(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	k := h.keys[0]
	heads := make(chan *types.Header, 16)
	wsURL := "ws" + strings.TrimPrefix(h.http.URL, "http")
	ws, err := gethrpc.Dial(wsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	sub, err := ws.EthSubscribe(ctx, heads, "newHeads")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	var blockFilter, logFilter string
	if err := h.rpc.Call(&blockFilter, "eth_newBlockFilter"); err != nil {
		t.Fatal(err)
	}

	deploy := testchain.Deploy(k, cid, 0, testchain.CounterInit(), 200_000)
	if err := h.eth.SendTransaction(ctx, deploy); err != nil {
		t.Fatal(err)
	}
	h.mine()
	r, err := h.eth.TransactionReceipt(ctx, deploy.Hash())
	if err != nil || r.ContractAddress == (common.Address{}) {
		t.Fatalf("deploy receipt %v %v", r, err)
	}
	counter := r.ContractAddress
	if err := h.rpc.Call(&logFilter, "eth_newFilter", map[string]any{"address": counter}); err != nil {
		t.Fatal(err)
	}
	logs := make(chan types.Log, 16)
	lsub, err := ethclient.NewClient(ws).SubscribeFilterLogs(ctx, ethereum.FilterQuery{Addresses: []common.Address{counter}}, logs)
	if err != nil {
		t.Fatal(err)
	}
	defer lsub.Unsubscribe()
	for i := range 3 {
		if err := h.eth.SendTransaction(ctx, testchain.Call(k, cid, uint64(1+i), counter, nil, 100_000)); err != nil {
			t.Fatal(err)
		}
		h.mine()
	}
	got, err := h.eth.FilterLogs(ctx, ethereum.FilterQuery{FromBlock: big.NewInt(0), Addresses: []common.Address{counter}, Topics: [][]common.Hash{{testchain.IncrementedTopic}}})
	if err != nil || len(got) != 3 {
		t.Fatalf("getLogs: %d logs, %v", len(got), err)
	}
	for i, l := range got {
		if new(big.Int).SetBytes(l.Data).Int64() != int64(i+1) || l.BlockNumber != uint64(i+2) {
			t.Fatalf("log %d: %+v", i, l)
		}
	}
	none, err := h.eth.FilterLogs(ctx, ethereum.FilterQuery{FromBlock: big.NewInt(0), Addresses: []common.Address{{1}}})
	if err != nil || len(none) != 0 {
		t.Fatalf("getLogs of another address: %v %v", none, err)
	}
	var hashes []common.Hash
	if err := h.rpc.Call(&hashes, "eth_getFilterChanges", blockFilter); err != nil || len(hashes) != 4 {
		t.Fatalf("block filter: %d hashes, %v", len(hashes), err)
	}
	var changes []types.Log
	if err := h.rpc.Call(&changes, "eth_getFilterChanges", logFilter); err != nil || len(changes) != 3 {
		t.Fatalf("log filter: %d logs, %v", len(changes), err)
	}
	if err := h.rpc.Call(&changes, "eth_getFilterChanges", logFilter); err != nil || len(changes) != 0 {
		t.Fatalf("log filter polled again: %d logs, %v", len(changes), err)
	}
	var removed bool
	if err := h.rpc.Call(&removed, "eth_uninstallFilter", logFilter); err != nil || !removed {
		t.Fatal("uninstall failed")
	}
	if err := h.rpc.Call(&changes, "eth_getFilterChanges", logFilter); err == nil {
		t.Fatal("an uninstalled filter still answers")
	}
	for i := range 4 {
		if hd := <-heads; hd.Number.Int64() != int64(i+1) {
			t.Fatalf("newHeads %d: block %d", i, hd.Number)
		}
	}
	for i := range 3 {
		if l := <-logs; new(big.Int).SetBytes(l.Data).Int64() != int64(i+1) {
			t.Fatalf("logs subscription %d: %+v", i, l)
		}
	}
}

func TestGetProofVerifiesAgainstStateRoot(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	deploy := testchain.Deploy(h.keys[0], cid, 0, testchain.CounterInit(), 200_000)
	h.eth.SendTransaction(ctx, deploy)
	h.mine()
	r, _ := h.eth.TransactionReceipt(ctx, deploy.Hash())
	h.eth.SendTransaction(ctx, testchain.Call(h.keys[0], cid, 1, r.ContractAddress, nil, 100_000))
	block := h.mine()

	var res accountResult
	if err := h.rpc.Call(&res, "eth_getProof", r.ContractAddress, []string{"0x0"}, "latest"); err != nil {
		t.Fatal(err)
	}
	proofDB := memorydb.New()
	for _, node := range res.AccountProof {
		b := hexutil.MustDecode(node)
		proofDB.Put(crypto.Keccak256(b), b)
	}
	val, err := trie.VerifyProof(block.Root(), crypto.Keccak256(r.ContractAddress.Bytes()), proofDB)
	if err != nil || len(val) == 0 {
		t.Fatalf("account proof does not verify against the block's state root: %v", err)
	}
	var acc types.StateAccount
	if err := rlp.DecodeBytes(val, &acc); err != nil || acc.Root != res.StorageHash {
		t.Fatalf("proved account: %+v, %v", acc, err)
	}
	storageDB := memorydb.New()
	for _, node := range res.StorageProof[0].Proof {
		b := hexutil.MustDecode(node)
		storageDB.Put(crypto.Keccak256(b), b)
	}
	sval, err := trie.VerifyProof(res.StorageHash, crypto.Keccak256(common.Hash{}.Bytes()), storageDB)
	if err != nil || res.StorageProof[0].Value.ToInt().Int64() != 1 {
		t.Fatalf("storage proof: %x %v value %v", sval, err, res.StorageProof[0].Value)
	}
}

func TestBlocksTransactionsAndFees(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	to := common.Address{9}
	tx := testchain.Transfer(h.keys[1], cid, 0, to, big.NewInt(5))
	h.eth.SendTransaction(ctx, tx)
	if n, err := h.eth.PendingNonceAt(ctx, crypto.PubkeyToAddress(h.keys[1].PublicKey)); err != nil || n != 1 {
		t.Fatalf("pending nonce %d %v", n, err)
	}
	block := h.mine()
	got, pending, err := h.eth.TransactionByHash(ctx, tx.Hash())
	if err != nil || pending || got.Hash() != tx.Hash() {
		t.Fatalf("tx by hash: %v %v", pending, err)
	}
	byHash, err := h.eth.BlockByHash(ctx, block.Hash())
	if err != nil || byHash.Hash() != block.Hash() || len(byHash.Transactions()) != 1 {
		t.Fatalf("block by hash: %v", err)
	}
	if n, err := h.eth.TransactionCount(ctx, block.Hash()); err != nil || n != 1 {
		t.Fatalf("tx count %d %v", n, err)
	}
	var receipts []*types.Receipt
	if err := h.rpc.Call(&receipts, "eth_getBlockReceipts", "latest"); err != nil || len(receipts) != 1 || receipts[0].TxHash != tx.Hash() {
		t.Fatalf("block receipts: %v", err)
	}
	// Pending is the last block too: no node builds a pending block here.
	for _, tag := range []string{"latest", "safe", "finalized", "pending"} {
		var b map[string]any
		if err := h.rpc.Call(&b, "eth_getBlockByNumber", tag, false); err != nil || b["hash"] != block.Hash().Hex() {
			t.Fatalf("%s: %v %v", tag, b["hash"], err)
		}
	}
	if b, err := h.eth.BlockByNumber(ctx, big.NewInt(99)); err == nil || b != nil {
		t.Fatal("a future block was found")
	}
	many := make([]float64, 101)
	for i := range many {
		many[i] = float64(i) / 2
	}
	if _, err := h.eth.FeeHistory(ctx, 4, nil, many); err == nil || !strings.Contains(err.Error(), "at most 100") {
		t.Fatalf("101 reward percentiles: %v", err)
	}
	hist, err := h.eth.FeeHistory(ctx, 4, nil, []float64{25, 75})
	if err != nil || len(hist.BaseFee) != 3 || len(hist.Reward) != 2 || hist.OldestBlock.Int64() != 0 {
		t.Fatalf("fee history: %+v %v", hist, err)
	}
	gas, err := h.eth.EstimateGas(ctx, ethereum.CallMsg{From: crypto.PubkeyToAddress(h.keys[1].PublicKey), To: &to, Value: big.NewInt(1)})
	if err != nil || gas != 21000 {
		t.Fatalf("estimate %d %v", gas, err)
	}
	price, err := h.eth.SuggestGasPrice(ctx)
	if err != nil || price.Sign() != 0 {
		t.Fatalf("gas price %v %v", price, err)
	}
	var version string
	if err := h.rpc.Call(&version, "web3_clientVersion"); err != nil || !strings.HasPrefix(version, "chuxin/") {
		t.Fatalf("client version %q %v", version, err)
	}
	var netVersion string
	if err := h.rpc.Call(&netVersion, "net_version"); err != nil || netVersion != "1337" {
		t.Fatalf("net_version %q", netVersion)
	}
}

func TestCallRevertCarriesData(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	// Runtime: REVERT(0, 4) with memory holding 0xdeadbeef at 0..4.
	runtime := []byte{0x63, 0xde, 0xad, 0xbe, 0xef, 0x60, 0xe0, 0x1b, 0x60, 0x00, 0x52, 0x60, 0x04, 0x60, 0x00, 0xfd}
	init := append([]byte{0x60, byte(len(runtime)), 0x60, 12, 0x60, 0x00, 0x39, 0x60, byte(len(runtime)), 0x60, 0x00, 0xf3}, runtime...)
	deploy := testchain.Deploy(h.keys[0], cid, 0, init, 200_000)
	h.eth.SendTransaction(ctx, deploy)
	h.mine()
	r, _ := h.eth.TransactionReceipt(ctx, deploy.Hash())
	_, err := h.eth.CallContract(ctx, ethereum.CallMsg{To: &r.ContractAddress}, nil)
	de, ok := err.(gethrpc.DataError)
	if !ok || de.ErrorData() != "0xdeadbeef" || !strings.Contains(err.Error(), "execution reverted") {
		t.Fatalf("revert error: %v (%T)", err, err)
	}
	if _, err := h.eth.EstimateGas(ctx, ethereum.CallMsg{To: &r.ContractAddress}); err == nil || !strings.Contains(err.Error(), "execution reverted") {
		t.Fatalf("estimate of a reverting call: %v", err)
	}
}

// txpool_status counts the mempool as geth does: pending can run next,
// queued waits behind a nonce gap; a block takes the pending ones.
func TestTxPoolStatus(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	status := func() (pending, queued uint64) {
		t.Helper()
		var st map[string]hexutil.Uint
		if err := h.rpc.Call(&st, "txpool_status"); err != nil {
			t.Fatal(err)
		}
		return uint64(st["pending"]), uint64(st["queued"])
	}
	if p, q := status(); p != 0 || q != 0 {
		t.Fatalf("empty pool: pending %d queued %d", p, q)
	}
	to := common.Address{9}
	for _, tx := range []*types.Transaction{
		testchain.Transfer(h.keys[0], cid, 0, to, big.NewInt(1)),
		testchain.Transfer(h.keys[0], cid, 2, to, big.NewInt(1)), // nonce 1 missing
		testchain.Transfer(h.keys[1], cid, 0, to, big.NewInt(1)),
	} {
		if err := h.eth.SendTransaction(ctx, tx); err != nil {
			t.Fatal(err)
		}
	}
	if p, q := status(); p != 2 || q != 1 {
		t.Fatalf("after three sends: pending %d queued %d, want 2 and 1", p, q)
	}
	from0 := crypto.PubkeyToAddress(h.keys[0].PublicKey).Hex()
	var content map[string]map[string]map[string]struct {
		Nonce     hexutil.Uint64  `json:"nonce"`
		BlockHash *common.Hash    `json:"blockHash"`
		To        *common.Address `json:"to"`
	}
	if err := h.rpc.Call(&content, "txpool_content"); err != nil {
		t.Fatal(err)
	}
	if tx := content["pending"][from0]["0"]; tx.Nonce != 0 || tx.BlockHash != nil || *tx.To != to {
		t.Fatalf("txpool_content pending of %s: %+v", from0, content["pending"][from0])
	}
	if _, ok := content["queued"][from0]["2"]; !ok || len(content["pending"]) != 2 {
		t.Fatalf("txpool_content: %+v", content)
	}
	var one map[string]map[string]any
	if err := h.rpc.Call(&one, "txpool_contentFrom", from0); err != nil || len(one["pending"]) != 1 || len(one["queued"]) != 1 {
		t.Fatalf("txpool_contentFrom: %v, %v", one, err)
	}
	var inspect map[string]map[string]map[string]string
	if err := h.rpc.Call(&inspect, "txpool_inspect"); err != nil {
		t.Fatal(err)
	}
	if got := inspect["pending"][from0]["0"]; got != to.Hex()+": 1 wei + 21000 gas × 0 wei" {
		t.Fatalf("txpool_inspect: %q", got)
	}
	if n := len(h.mine().Transactions()); n != 2 {
		t.Fatalf("block took %d transactions, want the 2 pending", n)
	}
	if p, q := status(); p != 0 || q != 1 {
		t.Fatalf("after the block: pending %d queued %d, want 0 and 1", p, q)
	}
}

// TestMethodsLibrariesStillCall: the methods of mining, uncles, accounts and
// blobs answer as an Ethereum devnet answers them, and an inverted log range
// is geth's error.
func TestMethodsLibrariesStillCall(t *testing.T) {
	h := newHarness(t)
	h.mine()
	for method, want := range map[string]string{
		"eth_accounts": "[]", "eth_mining": "false", "eth_hashrate": `"0x0"`, "eth_protocolVersion": `"0x44"`,
		"eth_blobBaseFee": `"0x1"`, "eth_coinbase": `"` + strings.ToLower(common.BytesToAddress(harnessConsensusAddress).Hex()) + `"`,
	} {
		var got json.RawMessage
		if err := h.rpc.Call(&got, method); err != nil || strings.ToLower(string(got)) != want {
			t.Errorf("%s: %s, %v, want %s", method, got, err, want)
		}
	}
	var got json.RawMessage
	for _, c := range []struct {
		method string
		args   []any
		want   string
	}{
		{"eth_getUncleCountByBlockNumber", []any{"0x1"}, `"0x0"`},
		{"eth_getUncleCountByBlockNumber", []any{"0x99"}, "null"},
		{"eth_getUncleByBlockNumberAndIndex", []any{"0x1", "0x0"}, "null"},
	} {
		if err := h.rpc.Call(&got, c.method, c.args...); err != nil || string(got) != c.want {
			t.Errorf("%s%v: %s, %v, want %s", c.method, c.args, got, err, c.want)
		}
	}
	err := h.rpc.Call(&got, "eth_getLogs", map[string]any{"fromBlock": "0x2", "toBlock": "0x1"})
	if err == nil || !strings.Contains(err.Error(), "invalid block range params") {
		t.Fatalf("an inverted range: %v", err)
	}
	if err := h.rpc.Call(&got, "eth_getLogs", map[string]any{"fromBlock": "0x1", "toBlock": "latest"}); err != nil {
		t.Fatalf("a range to latest: %v", err)
	}
}

// TestPendingTransactions: a pending-transaction filter and the
// newPendingTransactions subscription (hashes, and full transactions when
// asked) report what the mempool admits, and not what it refuses.
func TestPendingTransactions(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	ws, err := gethrpc.Dial("ws" + strings.TrimPrefix(h.http.URL, "http"))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	hashes := make(chan common.Hash, 8)
	sub, err := ws.EthSubscribe(ctx, hashes, "newPendingTransactions")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	full := make(chan map[string]any, 8)
	fsub, err := ws.EthSubscribe(ctx, full, "newPendingTransactions", true)
	if err != nil {
		t.Fatal(err)
	}
	defer fsub.Unsubscribe()
	var id string
	if err := h.rpc.Call(&id, "eth_newPendingTransactionFilter"); err != nil {
		t.Fatal(err)
	}
	tx := testchain.Transfer(h.keys[0], cid, 0, common.Address{9}, big.NewInt(1))
	if err := h.eth.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := h.eth.SendTransaction(ctx, testchain.Transfer(h.keys[0], cid, 0, common.Address{9}, big.NewInt(2))); err == nil {
		t.Fatal("a second transaction with the same nonce was admitted")
	}
	select {
	case got := <-hashes:
		if got != tx.Hash() {
			t.Fatalf("newPendingTransactions sent %s, want %s", got, tx.Hash())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no pending transaction hash within 5 s")
	}
	select {
	case got := <-full:
		if got["hash"] != tx.Hash().Hex() || got["blockHash"] != nil || !strings.EqualFold(got["from"].(string), crypto.PubkeyToAddress(h.keys[0].PublicKey).Hex()) {
			t.Fatalf("newPendingTransactions with fullTx sent %v", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no pending transaction within 5 s")
	}
	var changes []common.Hash
	if err := h.rpc.Call(&changes, "eth_getFilterChanges", id); err != nil || len(changes) != 1 || changes[0] != tx.Hash() {
		t.Fatalf("pending filter changes: %v, %v", changes, err)
	}
	if err := h.rpc.Call(&changes, "eth_getFilterChanges", id); err != nil || len(changes) != 0 {
		t.Fatalf("pending filter changes polled twice: %v, %v", changes, err)
	}
	select {
	case extra := <-hashes:
		t.Fatalf("the refused transaction was announced: %s", extra)
	default:
	}
}

// TestMulticall3IsThere: Multicall3 is at its address from genesis, with the
// code its presigned deployment makes, and answers (getChainId, and
// aggregate3 of getBlockNumber).
func TestMulticall3IsThere(t *testing.T) {
	h := newHarness(t)
	h.mine()
	ctx := context.Background()
	mc := testchain.Multicall3
	code, err := h.eth.CodeAt(ctx, mc, nil)
	if err != nil || len(code) != 0xee0 {
		t.Fatalf("Multicall3's code: %d bytes, %v", len(code), err)
	}
	ret, err := h.eth.CallContract(ctx, ethereum.CallMsg{To: &mc, Data: common.FromHex("0x3408e470")}, nil) // getChainId()
	if err != nil || new(big.Int).SetBytes(ret).Int64() != 1337 {
		t.Fatalf("getChainId: %x, %v", ret, err)
	}
	data := testchain.Aggregate3(testchain.Call3{Target: mc, CallData: common.FromHex("0x42cbb15c")}, testchain.Call3{Target: mc, AllowFailure: true, CallData: common.FromHex("0xdeadbeef")})
	ret, err = h.eth.CallContract(ctx, ethereum.CallMsg{To: &mc, Data: data}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := testchain.Multicall3ABI.Unpack("aggregate3", ret)
	if err != nil {
		t.Fatal(err)
	}
	results := out[0].([]struct {
		Success    bool   `json:"success"`
		ReturnData []byte `json:"returnData"`
	})
	if len(results) != 2 || !results[0].Success || new(big.Int).SetBytes(results[0].ReturnData).Uint64() != 1 || results[1].Success {
		t.Fatalf("aggregate3: %+v", results)
	}
}

func TestOtherStandardDeploymentsAreThere(t *testing.T) {
	h := newHarness(t)
	h.mine()
	ctx := context.Background()
	// CreateX, with the runtime code hash its authors publish: its
	// constructor keeps address(this), so it must have run at its address.
	createx := common.HexToAddress("0xba5Ed099633D3B313e4D5F7bdc1305d3c28ba5Ed")
	code, err := h.eth.CodeAt(ctx, createx, nil)
	if err != nil || crypto.Keccak256Hash(code) != common.HexToHash("0xbd8a7ea8cfca7b4e5f5041d7d4b17bc317c5ce42cfbc42066a00cf26b43eb53f") {
		t.Fatalf("CreateX's code: %d bytes hashing to %s, %v", len(code), crypto.Keccak256Hash(code), err)
	}
	// The ERC-1820 registry: an address without a manager manages itself.
	registry := common.HexToAddress("0x1820a4B7618BdE71Dce8cdc73aAB6C95905faD24")
	who := common.HexToAddress("0x00000000000000000000000000000000000a11ce")
	ret, err := h.eth.CallContract(ctx, ethereum.CallMsg{To: &registry, Data: append(common.FromHex("0x3d584063"), common.LeftPadBytes(who.Bytes(), 32)...)}, nil) // getManager(address)
	if err != nil || common.BytesToAddress(ret) != who {
		t.Fatalf("ERC-1820 getManager: %x, %v", ret, err)
	}
	for _, signer := range []string{"0xa990077c3205cbDf861e17Fa532eeB069cE9fF96", "0xeD456e05CaAb11d66C4c797dD6c1D6f9A7F352b5"} {
		if n, err := h.eth.NonceAt(ctx, common.HexToAddress(signer), nil); err != nil || n != 1 {
			t.Fatalf("presigned deployer %s: nonce %d, %v; want 1, as after its deployment", signer, n, err)
		}
	}
}

// A transaction that reaches the mempool further ahead of its sender's
// pooled ones than the mempool keeps waits a moment for them, as when a
// client's in-order writes on one connection are served out of order.
func TestSendRawTransactionWaitsForItsPredecessors(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	key, to := h.keys[1], common.Address{9}
	const ahead = app.MaxFutureNonces + 6
	early := make(chan error, 1)
	go func() { early <- h.eth.SendTransaction(ctx, testchain.Transfer(key, cid, ahead, to, big.NewInt(1))) }()
	time.Sleep(20 * time.Millisecond) // it arrives first, and would be refused
	for n := range uint64(ahead) {
		if err := h.eth.SendTransaction(ctx, testchain.Transfer(key, cid, n, to, big.NewInt(1))); err != nil {
			t.Fatalf("nonce %d: %v", n, err)
		}
	}
	if err := <-early; err != nil {
		t.Fatalf("nonce %d, sent before its predecessors: %v", ahead, err)
	}
	// One with no predecessors on their way is refused, after the wait.
	start := time.Now()
	err := h.eth.SendTransaction(ctx, testchain.Transfer(key, cid, 500, to, big.NewInt(1)))
	if err == nil || !strings.Contains(err.Error(), "nonce too high") || time.Since(start) < 200*time.Millisecond {
		t.Fatalf("nonce 500: %v after %v", err, time.Since(start))
	}
}
