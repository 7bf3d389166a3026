package app

import (
	"encoding/binary"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

func TestTxCacheKeepsTwoGenerations(t *testing.T) {
	c := NewTxCache()
	key := func(i int) []byte { return binary.BigEndian.AppendUint64(nil, uint64(i)) }
	tx := types.NewTx(&types.LegacyTx{})
	for i := range 2*txGeneration + 10 {
		c.Add(key(i), tx, common.Address{byte(i)})
	}
	if _, _, ok := c.Lookup(key(0)); ok {
		t.Fatal("the oldest generation was not dropped")
	}
	for _, i := range []int{txGeneration, 2*txGeneration - 1, 2*txGeneration + 9} {
		_, from, ok := c.Lookup(key(i))
		if !ok || from != (common.Address{byte(i)}) {
			t.Fatalf("entry %d lost", i)
		}
	}
	if n := len(c.cur) + len(c.old); n > 2*txGeneration {
		t.Fatalf("cache holds %d entries, bound is %d", n, 2*txGeneration)
	}
}

func TestTxCacheIsBoundedInBytes(t *testing.T) {
	c := NewTxCache()
	tx := types.NewTx(&types.LegacyTx{})
	big := make([]byte, MaxTxSize)
	for i := range 4 * txGenerationBytes / MaxTxSize {
		binary.BigEndian.PutUint64(big, uint64(i))
		c.Add(append([]byte{}, big...), tx, common.Address{})
	}
	if b := c.Bytes(); b > 2*txGenerationBytes {
		t.Fatalf("cache holds %d bytes of transactions, bound is %d", b, 2*txGenerationBytes)
	}
}
