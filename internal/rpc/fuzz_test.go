package rpc

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// fuzzMethods are the methods whose parameter parsing the fuzzer exercises.
var fuzzMethods = []string{
	"eth_getBalance", "eth_getCode", "eth_getStorageAt", "eth_getTransactionCount",
	"eth_call", "eth_estimateGas", "eth_getBlockByNumber", "eth_getBlockByHash",
	"eth_getLogs", "eth_newFilter", "eth_getFilterChanges", "eth_feeHistory",
	"eth_getProof", "eth_sendRawTransaction", "eth_getTransactionReceipt",
	"eth_getBlockReceipts", "eth_getTransactionByBlockNumberAndIndex",
}

// FuzzJSONRPCParams sends arbitrary parameters to each method: every
// request gets a JSON reply, nothing panics, and the node still makes blocks.
func FuzzJSONRPCParams(f *testing.F) {
	h := newHarness(f)
	seedTx := encode(testchain.Transfer(h.keys[2], cid, 0, common.Address{1}, big.NewInt(1)))
	f.Add(uint8(0), `["0x0000000000000000000000000000000000000001","latest"]`)
	f.Add(uint8(2), `["0x0000000000000000000000000000000000000001","0x0","pending"]`)
	f.Add(uint8(4), `[{"to":"0x0000000000000000000000000000000000000001","data":"0x00"},"latest"]`)
	f.Add(uint8(8), `[{"fromBlock":"earliest","topics":[null,["0x00"]]}]`)
	f.Add(uint8(11), `["0x10","latest",[10,90]]`)
	f.Add(uint8(12), `["0x0000000000000000000000000000000000000001",["0x0"],"latest"]`)
	f.Add(uint8(13), fmt.Sprintf(`["%s"]`, seedTx))
	f.Add(uint8(6), `["0xffffffffffffffff",true]`)
	f.Fuzz(func(t *testing.T, m uint8, params string) {
		method := fuzzMethods[int(m)%len(fuzzMethods)]
		body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": json.RawMessage(params)})
		if !json.Valid([]byte(params)) {
			body = []byte(fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":%q,"params":%s}`, method, params))
		}
		h.post(t, string(body))
		if _, err := h.eth.BlockNumber(context.Background()); err != nil {
			t.Fatalf("server stopped answering after %s %s: %v", method, params, err)
		}
	})
}
