package app

import (
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// Queued reads committed nonces (state) without the pool's lock, which
// every CheckTx and Commit waits on.
func TestQueuedReadsStateWithoutThePoolLock(t *testing.T) {
	p := NewTxPool()
	a := common.Address{1}
	for _, n := range []uint64{0, 1, 3, 4} {
		p.Add(common.Hash{byte(n)}, a, n)
	}
	done := make(chan int)
	go func() {
		done <- p.Queued(func(common.Address) uint64 {
			p.Add(common.Hash{9}, common.Address{2}, 0) // as a CheckTx meanwhile would
			return 0
		})
	}()
	select {
	case q := <-done:
		if q != 2 {
			t.Fatalf("queued %d, want 2 (nonces 3 and 4 wait behind 2)", q)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Queued holds the pool's lock while it reads state")
	}
}
