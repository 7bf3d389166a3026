package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
	"github.com/ethereum/go-ethereum/trie"

	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/store"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// numberRuntime returns the block number.
var numberRuntime = []byte{0x43, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3}

// loopRuntime loops until its gas runs out.
var loopRuntime = []byte{0x5b, 0x60, 0x00, 0x56}

// traceChain is a harness with a counter, a proxy that calls it, and a
// block of two calls through the proxy.
type traceChain struct {
	*harness
	from, counter, proxy, loop common.Address
	block                      *types.Block // the two calls
	loopTx                     common.Hash
}

func newTraceChain(t *testing.T) *traceChain {
	return newTraceChainWith(t, store.Options{CacheMB: 16})
}

func newTraceChainWith(t *testing.T, opts store.Options) *traceChain {
	h := newHarnessWith(t, opts)
	ctx := context.Background()
	c := &traceChain{harness: h, from: crypto.PubkeyToAddress(h.keys[0].PublicKey)}
	c.counter = crypto.CreateAddress(c.from, 0)
	c.proxy = crypto.CreateAddress(c.from, 1)
	c.loop = crypto.CreateAddress(c.from, 2)
	send := func(tx *types.Transaction) common.Hash {
		t.Helper()
		if err := h.eth.SendTransaction(ctx, tx); err != nil {
			t.Fatal(err)
		}
		return tx.Hash()
	}
	send(testchain.Deploy(h.keys[0], cid, 0, testchain.CounterInit(), 200_000))
	send(testchain.Deploy(h.keys[0], cid, 1, testchain.DeployCode(testchain.CallerRuntime(c.counter, false)), 200_000))
	send(testchain.Deploy(h.keys[0], cid, 2, testchain.DeployCode(loopRuntime), 200_000))
	h.mine()
	send(testchain.Call(h.keys[0], cid, 3, c.proxy, []byte{0x12, 0x34, 0x56, 0x78}, 200_000))
	send(testchain.Call(h.keys[0], cid, 4, c.proxy, []byte{0x12, 0x34, 0x56, 0x78}, 200_000))
	c.block = h.mine()
	if n := len(c.block.Transactions()); n != 2 {
		t.Fatalf("block %d has %d transactions, want 2", c.block.NumberU64(), n)
	}
	c.loopTx = send(testchain.Call(h.keys[0], cid, 5, c.loop, nil, 3_000_000))
	h.mine()
	return c
}

func (c *traceChain) receipt(hash common.Hash) *types.Receipt {
	c.t.Helper()
	r, err := c.eth.TransactionReceipt(context.Background(), hash)
	if err != nil {
		c.t.Fatal(err)
	}
	return r
}

// callFrame is the part of callTracer's frame the tests read.
type callFrame struct {
	Type    string         `json:"type"`
	From    common.Address `json:"from"`
	To      common.Address `json:"to"`
	GasUsed hexutil.Uint64 `json:"gasUsed"`
	Output  hexutil.Bytes  `json:"output"`
	Calls   []callFrame    `json:"calls"`
	Logs    []struct {
		Address common.Address `json:"address"`
		Topics  []common.Hash  `json:"topics"`
	} `json:"logs"`
}

func TestTraceTransactionWithGethTracers(t *testing.T) {
	c := newTraceChain(t)
	second := c.block.Transactions()[1]
	receipt := c.receipt(second.Hash())

	var call callFrame
	if err := c.rpc.Call(&call, "debug_traceTransaction", second.Hash(), map[string]any{"tracer": "callTracer", "tracerConfig": map[string]any{"withLog": true}}); err != nil {
		t.Fatal(err)
	}
	if call.Type != "CALL" || call.From != c.from || call.To != c.proxy || uint64(call.GasUsed) != receipt.GasUsed {
		t.Fatalf("top frame %+v, want a CALL from %s to %s using %d gas", call, c.from, c.proxy, receipt.GasUsed)
	}
	if len(call.Calls) != 1 || call.Calls[0].To != c.counter || len(call.Calls[0].Logs) != 1 || call.Calls[0].Logs[0].Topics[0] != testchain.IncrementedTopic {
		t.Fatalf("inner frames %+v, want the counter's call with its Incremented log", call.Calls)
	}
	// The second call of the block sees the first's increment: the block
	// was executed again in order.
	if got := new(big.Int).SetBytes(call.Output).Int64(); got != 2 {
		t.Fatalf("second call returned %d, want 2", got)
	}

	var diff struct {
		Pre, Post map[common.Address]struct {
			Storage map[common.Hash]common.Hash `json:"storage"`
		}
	}
	if err := c.rpc.Call(&diff, "debug_traceTransaction", second.Hash(), map[string]any{"tracer": "prestateTracer", "tracerConfig": map[string]any{"diffMode": true}}); err != nil {
		t.Fatal(err)
	}
	if pre, post := diff.Pre[c.counter].Storage[common.Hash{}], diff.Post[c.counter].Storage[common.Hash{}]; pre != common.BigToHash(big.NewInt(1)) || post != common.BigToHash(big.NewInt(2)) {
		t.Fatalf("counter slot 0 went %s -> %s, want 1 -> 2", pre, post)
	}

	var fourByte map[string]int
	if err := c.rpc.Call(&fourByte, "debug_traceTransaction", second.Hash(), map[string]any{"tracer": "4byteTracer"}); err != nil {
		t.Fatal(err)
	}
	if fourByte["0x12345678-0"] != 1 {
		t.Fatalf("4byteTracer: %v, want 0x12345678-0: 1", fourByte)
	}

	var logs struct {
		Gas         uint64 `json:"gas"`
		Failed      bool   `json:"failed"`
		ReturnValue string `json:"returnValue"`
		StructLogs  []struct {
			Op      string            `json:"op"`
			Depth   int               `json:"depth"`
			Storage map[string]string `json:"storage"`
		} `json:"structLogs"`
	}
	if err := c.rpc.Call(&logs, "debug_traceTransaction", second.Hash(), map[string]any{"enableReturnData": true}); err != nil {
		t.Fatal(err)
	}
	if logs.Gas != receipt.GasUsed || logs.Failed || len(logs.StructLogs) < 20 || logs.StructLogs[0].Op != "PUSH1" {
		t.Fatalf("struct logger: gas %d failed %v, %d steps, want gas %d and the proxy's steps", logs.Gas, logs.Failed, len(logs.StructLogs), receipt.GasUsed)
	}
	sstore := false
	for _, l := range logs.StructLogs {
		if l.Op == "SSTORE" && l.Depth == 2 {
			sstore = l.Storage[common.Hash{}.Hex()] == common.BigToHash(big.NewInt(2)).Hex()
		}
	}
	if !sstore {
		t.Fatal("struct logger shows no SSTORE of 2 in the counter")
	}
}

func TestTraceBlock(t *testing.T) {
	c := newTraceChain(t)
	for _, tc := range []struct {
		method string
		arg    any
	}{
		{"debug_traceBlockByNumber", hexutil.Uint64(c.block.NumberU64())},
		{"debug_traceBlockByHash", c.block.Hash()},
	} {
		var results []struct {
			TxHash common.Hash `json:"txHash"`
			Result callFrame   `json:"result"`
		}
		if err := c.rpc.Call(&results, tc.method, tc.arg, map[string]any{"tracer": "callTracer"}); err != nil {
			t.Fatalf("%s: %v", tc.method, err)
		}
		if len(results) != 2 {
			t.Fatalf("%s: %d results, want 2", tc.method, len(results))
		}
		for i, r := range results {
			tx := c.block.Transactions()[i]
			if r.TxHash != tx.Hash() || uint64(r.Result.GasUsed) != c.receipt(tx.Hash()).GasUsed {
				t.Fatalf("%s: result %d is %s using %d gas, want %s", tc.method, i, r.TxHash, r.Result.GasUsed, tx.Hash())
			}
			if got := new(big.Int).SetBytes(r.Result.Output).Int64(); got != int64(i+1) {
				t.Fatalf("%s: call %d returned %d, want %d", tc.method, i, got, i+1)
			}
		}
	}
	err := c.rpc.Call(new(any), "debug_traceBlockByNumber", "0x0", nil)
	if err == nil || !strings.Contains(err.Error(), "genesis is not traceable") {
		t.Fatalf("tracing genesis: %v", err)
	}
}

func TestTraceCallAndOverrides(t *testing.T) {
	c := newTraceChain(t)
	slot0 := func(v int64) map[string]any {
		return map[string]any{"stateDiff": map[string]string{common.Hash{}.Hex(): common.BigToHash(big.NewInt(v)).Hex()}}
	}
	call := map[string]any{"from": c.from, "to": c.proxy}

	// After the block the counter holds 2; before its second transaction, 1.
	var frame callFrame
	if err := c.rpc.Call(&frame, "debug_traceCall", call, hexutil.Uint64(c.block.NumberU64()), map[string]any{"tracer": "callTracer", "txIndex": "0x1"}); err != nil {
		t.Fatal(err)
	}
	if got := new(big.Int).SetBytes(frame.Output).Int64(); got != 2 {
		t.Fatalf("traceCall before transaction 1 returned %d, want 2", got)
	}
	if err := c.rpc.Call(&frame, "debug_traceCall", call, "latest", map[string]any{"tracer": "callTracer", "stateOverrides": map[common.Address]any{c.counter: slot0(41)}}); err != nil {
		t.Fatal(err)
	}
	if got := new(big.Int).SetBytes(frame.Output).Int64(); got != 42 || len(frame.Calls) != 1 {
		t.Fatalf("traceCall with the counter at 41 returned %d, want 42", got)
	}

	// With the next block's number, BLOCKHASH(number-1) is the latest
	// block's hash, as in the next block.
	parentHash := []byte{0x43, 0x60, 0x01, 0x90, 0x03, 0x40, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3}
	probe := common.HexToAddress("0x5000000000000000000000000000000000000006")
	latest, err := c.eth.HeaderByNumber(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.rpc.Call(&frame, "debug_traceCall", map[string]any{"from": c.from, "to": probe}, "latest", map[string]any{"tracer": "callTracer",
		"stateOverrides": map[common.Address]any{probe: map[string]any{"code": hexutil.Bytes(parentHash)}},
		"blockOverrides": map[string]any{"number": hexutil.Uint64(latest.Number.Uint64() + 1)}}); err != nil {
		t.Fatal(err)
	}
	if common.BytesToHash(frame.Output) != latest.Hash() {
		t.Fatalf("BLOCKHASH of the parent under the next number: %x, want %s", frame.Output, latest.Hash())
	}

	// eth_call: a stateDiff, a code override and a block override.
	var out hexutil.Bytes
	if err := c.rpc.Call(&out, "eth_call", call, "latest", map[common.Address]any{c.counter: slot0(41)}); err != nil {
		t.Fatal(err)
	}
	if got := new(big.Int).SetBytes(out).Int64(); got != 42 {
		t.Fatalf("eth_call with the counter at 41 returned %d, want 42", got)
	}
	somewhere := common.HexToAddress("0x5000000000000000000000000000000000000005")
	at := map[string]any{"from": c.from, "to": somewhere}
	if err := c.rpc.Call(&out, "eth_call", at, "latest", map[common.Address]any{somewhere: map[string]any{"code": hexutil.Bytes(numberRuntime)}}, map[string]any{"number": "0x999"}); err != nil {
		t.Fatal(err)
	}
	if got := new(big.Int).SetBytes(out).Int64(); got != 0x999 {
		t.Fatalf("eth_call under block number 0x999 returned %#x", got)
	}
	err = c.rpc.Call(&out, "eth_call", call, "latest", map[common.Address]any{c.counter: map[string]any{"state": map[string]string{}, "stateDiff": map[string]string{}}})
	if err == nil || !strings.Contains(err.Error(), "has both 'state' and 'stateDiff'") {
		t.Fatalf("state and stateDiff together: %v", err)
	}

	// eth_estimateGas sees overridden code: a counter where there was none.
	var bare, overridden hexutil.Uint64
	if err := c.rpc.Call(&bare, "eth_estimateGas", at); err != nil {
		t.Fatal(err)
	}
	if err := c.rpc.Call(&overridden, "eth_estimateGas", at, "latest", map[common.Address]any{somewhere: map[string]any{"code": hexutil.Bytes(testchain.CounterRuntime())}}); err != nil {
		t.Fatal(err)
	}
	if bare != 21_000 || overridden < 40_000 {
		t.Fatalf("estimates: %d for an empty account, %d for a counter put there", bare, overridden)
	}

	// eth_createAccessList: the proxy reads and writes the counter's slot.
	var al struct {
		AccessList types.AccessList `json:"accessList"`
		GasUsed    hexutil.Uint64   `json:"gasUsed"`
		Error      string           `json:"error"`
	}
	if err := c.rpc.Call(&al, "eth_createAccessList", call); err != nil {
		t.Fatal(err)
	}
	if len(al.AccessList) != 1 || al.AccessList[0].Address != c.counter || len(al.AccessList[0].StorageKeys) != 1 || al.GasUsed == 0 || al.Error != "" {
		t.Fatalf("access list %+v", al)
	}
}

func TestTraceLimitsAndErrors(t *testing.T) {
	c := newTraceChain(t)
	err := c.rpc.Call(new(any), "debug_traceTransaction", c.loopTx, map[string]any{"timeout": "1ms"})
	if err == nil || !strings.Contains(err.Error(), "execution timeout") {
		t.Fatalf("a 3M-gas loop under a 1ms bound: %v", err)
	}
	err = c.rpc.Call(new(any), "debug_traceTransaction", c.loopTx, map[string]any{"timeout": "soon"})
	if err == nil || !strings.Contains(err.Error(), `timeout "soon"`) {
		t.Fatalf("a bad timeout: %v", err)
	}
	err = c.rpc.Call(new(any), "debug_traceTransaction", c.loopTx, map[string]any{"tracer": "nosuchTracer"})
	if err == nil || !strings.Contains(err.Error(), `unknown tracer "nosuchTracer"`) {
		t.Fatalf("an unknown tracer: %v", err)
	}
	err = c.rpc.Call(new(any), "debug_traceTransaction", common.Hash{1})
	if err == nil || !strings.Contains(err.Error(), "transaction not found") {
		t.Fatalf("an unknown transaction: %v", err)
	}

	// A full node keeps the states of its last blocks only.
	for range store.RecentStates + 4 {
		c.mine()
	}
	err = c.rpc.Call(new(any), "debug_traceTransaction", c.block.Transactions()[0].Hash(), map[string]any{"tracer": "callTracer"})
	if err == nil || !strings.Contains(err.Error(), "archive node") {
		t.Fatalf("tracing a block whose parent state is pruned: %v", err)
	}
}

func TestArchiveNodeTracesOldBlocks(t *testing.T) {
	c := newTraceChainWith(t, store.Options{CacheMB: 16, Archive: true})
	for range store.RecentStates + 4 {
		c.mine()
	}
	var frame callFrame
	if err := c.rpc.Call(&frame, "debug_traceTransaction", c.block.Transactions()[1].Hash(), map[string]any{"tracer": "callTracer"}); err != nil {
		t.Fatal(err)
	}
	if got := new(big.Int).SetBytes(frame.Output).Int64(); got != 2 {
		t.Fatalf("an archive node's trace of an old block: the call returned %d, want 2", got)
	}
}

func TestDebugIsOffUnlessConfigured(t *testing.T) {
	if config.Default().RPC.Debug {
		t.Fatal("debug_* is on in the default configuration")
	}
	h := newHarness(t)
	limits := config.Default().RPC
	srv, err := NewServer(&Backend{Store: h.srv.filters.api.b.Store, App: h.app, Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	if srv.methods["debug_traceTransaction"] {
		t.Fatal("debug_traceTransaction is served although rpc.debug is off")
	}
	if !h.srv.methods["debug_traceTransaction"] || !h.srv.methods["debug_traceCall"] {
		t.Fatal("debug_* is not served although rpc.debug is on")
	}
	h.mine()
	var raw []json.RawMessage
	if err := h.rpc.Call(&raw, "debug_traceBlockByNumber", "latest", map[string]any{"tracer": "callTracer"}); err != nil || len(raw) != 0 {
		t.Fatalf("tracing an empty block: %d traces, %v", len(raw), err)
	}
}

func TestSimulateV1(t *testing.T) {
	c := newTraceChain(t)
	call := func(to common.Address, extra map[string]any) map[string]any {
		m := map[string]any{"from": c.from, "to": to}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	simulate := func(opts map[string]any) ([]map[string]any, error) {
		var out []map[string]any
		err := c.rpc.Call(&out, "eth_simulateV1", opts, "latest")
		return out, err
	}
	head := c.block.NumberU64() + 1 // the loop's block
	out, err := simulate(map[string]any{
		"returnFullTransactions": true,
		"blockStateCalls": []any{
			map[string]any{"calls": []any{call(c.proxy, nil), call(c.proxy, nil)}},
			map[string]any{"blockOverrides": map[string]any{"number": hexutil.Uint64(head + 3), "time": hexutil.Uint64(4_000_000_000)}, "calls": []any{call(c.proxy, nil)}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Block head+3 was asked for: head+2 fills the gap.
	if len(out) != 3 || out[0]["number"] != hexutil.EncodeUint64(head+1) || out[2]["number"] != hexutil.EncodeUint64(head+3) || out[2]["timestamp"] != hexutil.EncodeUint64(4_000_000_000) {
		t.Fatalf("blocks: %d, numbers %v %v, time %v", len(out), out[0]["number"], out[2]["number"], out[2]["timestamp"])
	}
	if out[1]["parentHash"] != out[0]["hash"] || out[2]["parentHash"] != out[1]["hash"] {
		t.Fatal("simulated blocks are not chained")
	}
	// The counter was at 2: the calls see each other's writes, across blocks.
	for i, want := range []int64{3, 4} {
		calls := out[0]["calls"].([]any)
		ret := calls[i].(map[string]any)["returnData"].(string)
		if got := new(big.Int).SetBytes(common.FromHex(ret)).Int64(); got != want {
			t.Fatalf("call %d returned %d, want %d", i, got, want)
		}
	}
	last := out[2]["calls"].([]any)[0].(map[string]any)
	if got := new(big.Int).SetBytes(common.FromHex(last["returnData"].(string))).Int64(); got != 5 {
		t.Fatalf("the third block's call returned %d, want 5", got)
	}
	txs := out[0]["transactions"].([]any)
	if from := txs[0].(map[string]any)["from"]; !strings.EqualFold(from.(string), c.from.Hex()) {
		t.Fatalf("full transaction's from is %v, want %s", from, c.from)
	}

	// Bounds and refusals, with geth's codes.
	for _, tc := range []struct {
		opts map[string]any
		code int
		msg  string
	}{
		{map[string]any{"blockStateCalls": []any{}}, -32602, "empty input"},
		{map[string]any{"blockStateCalls": []any{map[string]any{"blockOverrides": map[string]any{"number": hexutil.Uint64(head - 1)}}}}, -38020, "block numbers must be in order"},
		{map[string]any{"blockStateCalls": []any{map[string]any{"blockOverrides": map[string]any{"time": hexutil.Uint64(1)}}}}, -38021, "block timestamps must be in order"},
		{map[string]any{"blockStateCalls": []any{map[string]any{"blockOverrides": map[string]any{"number": hexutil.Uint64(head + 300)}}}}, -38026, "too many blocks"},
		{map[string]any{"blockStateCalls": []any{map[string]any{"blockOverrides": map[string]any{"nmber": "0x1"}}}}, -32602, `unknown field "nmber" in block override`},
		{map[string]any{"blockStateCalls": []any{map[string]any{"blockOverrides": map[string]any{"difficulty": "0x1"}}}}, -32602, "difficulty override is not allowed after the merge"},
		{map[string]any{"blockStateCalls": []any{map[string]any{"calls": []any{call(c.proxy, map[string]any{"gas": hexutil.Uint64(1 << 40)})}}}}, -38015, "block gas limit reached"},
		{map[string]any{"validation": true, "blockStateCalls": []any{map[string]any{"calls": []any{call(c.proxy, map[string]any{"nonce": "0x0"})}}}}, -38010, "nonce too low"},
	} {
		_, err := simulate(tc.opts)
		var rerr gethrpc.Error
		if !errors.As(err, &rerr) || rerr.ErrorCode() != tc.code || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%v: %v, want code %d and %q", tc.opts, err, tc.code, tc.msg)
		}
	}
}

func TestDebugRawEncodings(t *testing.T) {
	c := newTraceChain(t)
	n := hexutil.Uint64(c.block.NumberU64())
	var header, block hexutil.Bytes
	var receipts []hexutil.Bytes
	if err := c.rpc.Call(&header, "debug_getRawHeader", n); err != nil {
		t.Fatal(err)
	}
	if crypto.Keccak256Hash(header) != c.block.Hash() {
		t.Fatal("debug_getRawHeader does not hash to the block's hash")
	}
	if err := c.rpc.Call(&block, "debug_getRawBlock", c.block.Hash()); err != nil {
		t.Fatal(err)
	}
	var decoded types.Block
	if err := rlp.DecodeBytes(block, &decoded); err != nil || decoded.Hash() != c.block.Hash() || len(decoded.Transactions()) != 2 {
		t.Fatalf("debug_getRawBlock: %v", err)
	}
	if err := c.rpc.Call(&receipts, "debug_getRawReceipts", n); err != nil || len(receipts) != 2 {
		t.Fatalf("debug_getRawReceipts: %d, %v", len(receipts), err)
	}
	list := make(types.Receipts, len(receipts))
	for i, raw := range receipts {
		list[i] = new(types.Receipt)
		if err := list[i].UnmarshalBinary(raw); err != nil {
			t.Fatal(err)
		}
	}
	if types.DeriveSha(list, trie.NewStackTrie(nil)) != c.block.ReceiptHash() {
		t.Fatal("debug_getRawReceipts does not make the block's receipts root")
	}
	tx := c.block.Transactions()[1]
	var raw hexutil.Bytes
	if err := c.rpc.Call(&raw, "debug_getRawTransaction", tx.Hash()); err != nil || crypto.Keccak256Hash(raw) != tx.Hash() {
		t.Fatalf("debug_getRawTransaction: %v", err)
	}
}

// Under validation a simulated call meets the consortium's roles as a
// transaction would; without, it runs as eth_call does.
func TestSimulateV1ValidationChecksRoles(t *testing.T) {
	h := newHarnessWith(t, store.Options{CacheMB: 16}, func(g *genesis.Genesis) { g.Consortium.Permissioned = true })
	h.mine()
	stranger := crypto.PubkeyToAddress(h.keys[2].PublicKey) // holds no role
	opts := func(validation bool) map[string]any {
		return map[string]any{"validation": validation, "blockStateCalls": []any{map[string]any{"calls": []any{
			map[string]any{"from": stranger, "to": common.Address{7}, "value": "0x1", "maxFeePerGas": "0x0", "maxPriorityFeePerGas": "0x0"},
		}}}}
	}
	var out []map[string]any
	if err := h.rpc.Call(&out, "eth_simulateV1", opts(false), "latest"); err != nil {
		t.Fatalf("without validation: %v", err)
	}
	err := h.rpc.Call(&out, "eth_simulateV1", opts(true), "latest")
	if err == nil || !strings.Contains(err.Error(), "lacks role transactor") {
		t.Fatalf("with validation, a sender without a role: %v", err)
	}
}
