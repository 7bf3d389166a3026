package rpc

import (
	"encoding/json"
	"maps"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// marshalHeader must say what geth's own header JSON says, field for field,
// leaving out the optional fields a header does not have.
func TestMarshalHeaderMatchesHeaderJSON(t *testing.T) {
	u := func(v uint64) *uint64 { return &v }
	h := func(b byte) *common.Hash { x := common.Hash{b}; return &x }
	full := &types.Header{
		ParentHash: common.Hash{1}, UncleHash: types.EmptyUncleHash, Coinbase: common.Address{2},
		Root: common.Hash{3}, TxHash: common.Hash{4}, ReceiptHash: common.Hash{5}, Bloom: types.Bloom{6},
		Difficulty: big.NewInt(0), Number: big.NewInt(1234567), GasLimit: 100_000_000, GasUsed: 21000,
		Time: 1_700_000_000, Extra: []byte("chuxin"), MixDigest: common.Hash{7}, Nonce: types.BlockNonce{8},
		BaseFee: big.NewInt(7), WithdrawalsHash: h(9), BlobGasUsed: u(0), ExcessBlobGas: u(131072),
		ParentBeaconRoot: h(10), RequestsHash: h(11),
	}
	bare := &types.Header{Difficulty: big.NewInt(0), Number: big.NewInt(0)}
	for name, hd := range map[string]*types.Header{"every field": full, "no optional field": bare} {
		oracle, err := json.Marshal(hd)
		if err != nil {
			t.Fatal(err)
		}
		var want map[string]any
		if err := json.Unmarshal(oracle, &want); err != nil {
			t.Fatal(err)
		}
		maps.DeleteFunc(want, func(_ string, v any) bool { return v == nil })
		want["totalDifficulty"] = "0x0"
		mine, err := json.Marshal(marshalHeader(hd))
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(mine, &got); err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", name, got, want)
		}
	}
}
