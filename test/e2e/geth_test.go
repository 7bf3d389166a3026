package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/chuxin-chain/chuxin/internal/devaccounts"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// gethVersion is the geth command the traces are compared with (.ci/run
// installs it and names it in CHUXIN_GETH).
const gethVersion = "v1.17.8"

// TestTracesMatchGeth runs the same signed transactions on a chuxin devnet
// and on geth --dev whose datadir was initialised with the devnet's chain
// configuration and accounts, and compares what debug_traceTransaction and
// debug_traceCall answer with each of go-ethereum's tracers: chuxin's
// traces come from its own executor, geth's from geth's, and they must be
// the same JSON.
func TestTracesMatchGeth(t *testing.T) {
	geth := os.Getenv("CHUXIN_GETH")
	if geth == "" {
		msg := "CHUXIN_GETH is not set: install geth " + gethVersion + " (GOBIN=DIR go install github.com/ethereum/go-ethereum/cmd/geth@" + gethVersion + ") and name it there (.ci/run does)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if out, err := exec.Command(geth, "version").CombinedOutput(); err != nil || !strings.Contains(string(out), strings.TrimPrefix(gethVersion, "v")) {
		t.Fatalf("%s is not geth %s: %v\n%s", geth, gethVersion, err, out)
	}
	dir := t.TempDir()
	base := testchain.PortBase(6)
	p := startProc(t, dir, "devnet", "devnet", "--home", filepath.Join(dir, "devnet"),
		"--p2p-port", fmt.Sprint(base), "--rpc-port", fmt.Sprint(base+2))
	chuxinURL := fmt.Sprintf("http://127.0.0.1:%d", base+2)
	chuxin := dialWhenUp(t, chuxinURL, p)

	accs, err := devaccounts.Derive(devaccounts.Mnemonic, 2)
	if err != nil {
		t.Fatal(err)
	}
	multicall3 := testchain.Multicall3
	create2 := common.HexToAddress("0x4e59b44847b379578588920ca78fbf26c0b4956c")
	gp := startGeth(t, geth, dir, filepath.Join(dir, "devnet", "node0", "config", "genesis.json"), accs[0], chuxin, []common.Address{multicall3, create2}, base+3)
	gethc := dialWhenUp(t, fmt.Sprintf("http://127.0.0.1:%d", base+3), gp)

	// The transactions, signed once, sent to both chains in order.
	key, from := accs[1].Key, accs[1].Address
	counter := crypto.CreateAddress(from, 0)
	proxy := crypto.CreateAddress(from, 1)
	reverter := crypto.CreateAddress(from, 2)
	aggregate := testchain.Aggregate3(testchain.Call3{Target: proxy, CallData: []byte{0xde, 0xad, 0xbe, 0xef}}, testchain.Call3{Target: reverter, AllowFailure: true})
	salted := append(common.LeftPadBytes([]byte{7}, 32), testchain.CounterInit()...)
	// geth mines no transaction paying less than 1 Mwei a gas (it raises
	// a lower --miner.gasprice to that); the tips go to the same coinbase
	// on both chains.
	tip := big.NewInt(1_000_000)
	sign := func(nonce uint64, to *common.Address, value *big.Int, data []byte, gas uint64) *types.Transaction {
		return testchain.Sign(key, chainID, &types.DynamicFeeTx{ChainID: chainID, Nonce: nonce, GasTipCap: tip, GasFeeCap: tip, Gas: gas, To: to, Value: value, Data: data})
	}
	bob := common.HexToAddress("0x00000000000000000000000000000000000b0b00")
	txs := []*types.Transaction{
		sign(0, nil, nil, testchain.CounterInit(), 300_000),
		sign(1, nil, nil, testchain.DeployCode(testchain.CallerRuntime(counter, false)), 300_000),
		sign(2, nil, nil, testchain.DeployCode(testchain.CallerRuntime(counter, true)), 300_000),
		sign(3, &proxy, nil, []byte{0x12, 0x34, 0x56, 0x78}, 300_000),
		sign(4, &reverter, nil, nil, 300_000),
		sign(5, &multicall3, nil, aggregate, 500_000),
		sign(6, &create2, nil, salted, 300_000),
		sign(7, &bob, big.NewInt(12345), nil, 21_000),
	}
	ctx := context.Background()
	for i, tx := range txs {
		for _, c := range []*ethclient.Client{chuxin, gethc} {
			if err := c.SendTransaction(ctx, tx); err != nil {
				t.Fatalf("transaction %d: %v", i, err)
			}
			r := receiptOf(t, c, tx.Hash())
			if i == 4 && r.Status != types.ReceiptStatusFailed || i != 4 && r.Status != types.ReceiptStatusSuccessful {
				t.Fatalf("transaction %d: status %d", i, r.Status)
			}
		}
	}

	configs := []map[string]any{
		{"tracer": "callTracer", "tracerConfig": map[string]any{"withLog": true}},
		{"tracer": "callTracer", "tracerConfig": map[string]any{"onlyTopCall": true}},
		{"tracer": "flatCallTracer"},
		{"tracer": "prestateTracer"},
		{"tracer": "prestateTracer", "tracerConfig": map[string]any{"diffMode": true}},
		{"tracer": "4byteTracer"},
		{},
		{"enableMemory": true, "enableReturnData": true, "disableStack": true},
	}
	crpc, grpc := chuxin.Client(), gethc.Client()
	compared := 0
	for i, tx := range txs {
		for _, cfg := range configs {
			what := fmt.Sprintf("transaction %d, %v", i, cfg)
			same(t, what, crpc, grpc, "debug_traceTransaction", tx.Hash(), cfg)
			compared++
		}
	}
	// debug_traceCall on the state both chains reached, with an override.
	callArgs := map[string]any{"from": from, "to": multicall3, "input": hexutil.Bytes(aggregate)}
	for _, cfg := range configs {
		cfg := map[string]any{"tracer": cfg["tracer"], "tracerConfig": cfg["tracerConfig"],
			"stateOverrides": map[common.Address]any{counter: map[string]any{"stateDiff": map[string]string{common.Hash{}.Hex(): common.BigToHash(big.NewInt(100)).Hex()}}}}
		if cfg["tracer"] == nil {
			delete(cfg, "tracer")
			delete(cfg, "tracerConfig")
		}
		same(t, fmt.Sprintf("traceCall, %v", cfg), crpc, grpc, "debug_traceCall", callArgs, "latest", cfg)
		compared++
	}
	t.Logf("%d traces of %d transactions and a call are the same on chuxin and geth %s", compared, len(txs), gethVersion)

	// eth_simulateV1 over the same state: the calls' results, logs (with
	// traceTransfers' ether transfers), gas and errors, and the simulated
	// blocks' transactions and receipts, are geth's. The blocks' numbers,
	// times and parents are each chain's own.
	gas := func(n uint64) hexutil.Uint64 { return hexutil.Uint64(n) }
	bob2 := common.HexToAddress("0x00000000000000000000000000000000000b0b02")
	for _, validation := range []bool{false, true} {
		opts := map[string]any{
			"traceTransfers": true,
			"validation":     validation,
			"blockStateCalls": []any{
				map[string]any{
					"stateOverrides": map[common.Address]any{counter: map[string]any{"stateDiff": map[string]string{common.Hash{}.Hex(): common.BigToHash(big.NewInt(5)).Hex()}}},
					"calls": []any{
						map[string]any{"from": from, "to": proxy, "gas": gas(100_000), "input": "0x12345678"},
						map[string]any{"from": from, "to": bob2, "value": "0x10", "gas": gas(21_000)},
						// Last: the log of its inner call is dropped with the
						// revert, and from geth v1.17.10 on (whose code chuxin
						// runs) the next log takes its index; v1.17.8 leaves
						// a gap.
						map[string]any{"from": from, "to": reverter, "gas": gas(100_000)},
					},
				},
				map[string]any{
					"calls": []any{map[string]any{"from": from, "to": multicall3, "input": hexutil.Bytes(aggregate), "gas": gas(500_000)}},
				},
			},
		}
		var a, b []map[string]any
		if err := crpc.Call(&a, "eth_simulateV1", opts, "latest"); err != nil {
			t.Fatalf("eth_simulateV1 (validation %v) on chuxin: %v", validation, err)
		}
		if err := grpc.Call(&b, "eth_simulateV1", opts, "latest"); err != nil {
			t.Fatalf("eth_simulateV1 (validation %v) on geth: %v", validation, err)
		}
		keep := []string{"calls", "transactions", "transactionsRoot", "receiptsRoot", "logsBloom", "gasUsed"}
		strip := func(blocks []map[string]any) []map[string]any {
			var out []map[string]any
			for _, blk := range blocks {
				m := map[string]any{}
				for _, k := range keep {
					m[k] = blk[k]
				}
				for _, c := range blk["calls"].([]any) {
					for _, l := range c.(map[string]any)["logs"].([]any) {
						for _, k := range []string{"blockHash", "blockNumber", "blockTimestamp"} {
							delete(l.(map[string]any), k)
						}
					}
				}
				out = append(out, m)
			}
			return out
		}
		x, y := strip(a), strip(b)
		if !reflect.DeepEqual(x, y) {
			xa, _ := json.Marshal(x)
			ya, _ := json.Marshal(y)
			t.Fatalf("eth_simulateV1 (validation %v): chuxin and geth differ\nchuxin: %s\ngeth:   %s", validation, clip(xa), clip(ya))
		}
	}
	t.Log("eth_simulateV1 answers as geth does, with and without validation")
}

// same calls method on both chains and fails unless the answers are equal.
func same(t *testing.T, what string, chuxin, geth *gethrpc.Client, method string, args ...any) {
	t.Helper()
	var a, b json.RawMessage
	if err := chuxin.Call(&a, method, args...); err != nil {
		t.Fatalf("%s on chuxin: %v", what, err)
	}
	if err := geth.Call(&b, method, args...); err != nil {
		t.Fatalf("%s on geth: %v", what, err)
	}
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	// flatCallTracer's frames name their block, which is another block
	// on each chain.
	for _, v := range []any{x, y} {
		if frames, ok := v.([]any); ok {
			for _, f := range frames {
				if m, ok := f.(map[string]any); ok {
					delete(m, "blockHash")
					delete(m, "blockNumber")
				}
			}
		}
	}
	if !reflect.DeepEqual(x, y) {
		t.Fatalf("%s: chuxin and geth differ\nchuxin: %s\ngeth:   %s", what, clip(a), clip(b))
	}
}

func clip(b []byte) string {
	if len(b) > 4000 {
		return string(b[:4000]) + "..."
	}
	return string(b)
}

// startGeth initialises a geth datadir with the chain configuration and the
// development accounts of the chuxin genesis at genesisPath, the code of the
// given chuxin deployments and the system contracts geth's forks call, and
// runs geth --dev over it with coinbase as its developer account (chuxin's
// devnet fee recipient), on port rpcPort.
func startGeth(t *testing.T, geth, dir, genesisPath string, coinbase devaccounts.Account, chuxin *ethclient.Client, deployments []common.Address, rpcPort int) *proc {
	t.Helper()
	raw, err := os.ReadFile(genesisPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		AppState struct {
			Rules struct {
				Ethereum *params.ChainConfig `json:"ethereum"`
				GasLimit uint64              `json:"gasLimit"`
			} `json:"rules"`
			Alloc types.GenesisAlloc `json:"alloc"`
		} `json:"app_state"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("read %s: %v", genesisPath, err)
	}
	alloc := doc.AppState.Alloc
	for _, sc := range []struct {
		addr common.Address
		code []byte
	}{
		{params.BeaconRootsAddress, params.BeaconRootsCode},
		{params.HistoryStorageAddress, params.HistoryStorageCode},
		{params.WithdrawalQueueAddress, params.WithdrawalQueueCode},
		{params.ConsolidationQueueAddress, params.ConsolidationQueueCode},
	} {
		alloc[sc.addr] = types.Account{Code: sc.code, Nonce: 1, Balance: new(big.Int)}
	}
	ctx := context.Background()
	for _, a := range deployments {
		code, err := chuxin.CodeAt(ctx, a, nil)
		if err != nil || len(code) == 0 {
			t.Fatalf("code of %s on chuxin: %d bytes, %v", a, len(code), err)
		}
		nonce, err := chuxin.NonceAt(ctx, a, nil)
		if err != nil {
			t.Fatal(err)
		}
		alloc[a] = types.Account{Code: code, Nonce: nonce, Balance: new(big.Int)}
	}
	g := &core.Genesis{Config: doc.AppState.Rules.Ethereum, Alloc: alloc, GasLimit: doc.AppState.Rules.GasLimit, BaseFee: new(big.Int), Difficulty: new(big.Int)}
	gj, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	gdir := filepath.Join(dir, "geth")
	data := filepath.Join(gdir, "data")
	if err := os.MkdirAll(gdir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"genesis.json": string(gj), "pw": "\n", "key": strings.TrimPrefix(coinbase.KeyHex(), "0x") + "\n"}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(gdir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"init", "--datadir", data, filepath.Join(gdir, "genesis.json")},
		{"account", "import", "--datadir", data, "--password", filepath.Join(gdir, "pw"), filepath.Join(gdir, "key")},
	} {
		if out, err := exec.Command(geth, args...).CombinedOutput(); err != nil {
			t.Fatalf("geth %s: %v\n%s", args[0], err, out)
		}
	}
	p := startCmd(t, dir, "geth", geth, "--dev", "--datadir", data, "--password", filepath.Join(gdir, "pw"),
		"--http", "--http.addr", "127.0.0.1", "--http.port", fmt.Sprint(rpcPort), "--http.api", "eth,net,web3,debug",
		"--authrpc.port", fmt.Sprint(rpcPort+1), "--port", "0", "--nodiscover", "--maxpeers", "0", "--ipcdisable",
		"--txpool.pricelimit", "0", "--miner.gasprice", "0", "--verbosity", "3")
	t.Cleanup(func() {
		if t.Failed() {
			out, _ := os.ReadFile(p.log)
			if len(out) > 6000 {
				out = out[len(out)-6000:]
			}
			t.Logf("geth log (its end):\n%s", out)
		}
	})
	return p
}

// receiptOf waits for a receipt, through geth's "transaction indexing is
// in progress" too.
func receiptOf(t *testing.T, c *ethclient.Client, hash common.Hash) *types.Receipt {
	t.Helper()
	var err error
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var r *types.Receipt
		if r, err = c.TransactionReceipt(context.Background(), hash); err == nil {
			return r
		}
	}
	t.Fatalf("no receipt of %s within 60s: %v", hash, err)
	return nil
}
