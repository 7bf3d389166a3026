package execution_test

import (
	"math/big"
	"testing"
	"time"

	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// BenchmarkBlockOfTransfers applies and commits to disk blocks of 1,000
// signed native transfers from 1,000 senders: decoding, sender recovery,
// execution, the state commit and the block's write with its fsync. There is
// no consensus. It reports transactions per second.
func BenchmarkBlockOfTransfers(b *testing.B) {
	const perBlock = 1000
	c := newChain(b, perBlock)
	blocks := make([][][]byte, b.N)
	for n := range b.N {
		blocks[n] = make([][]byte, perBlock)
		for i := range perBlock {
			tx := testchain.Transfer(c.keys[i], cid, uint64(n), c.addrs[(i+1)%perBlock], big.NewInt(1))
			blocks[n][i] = raw(tx)
		}
	}
	b.ResetTimer()
	start := time.Now()
	for n := range b.N {
		res := c.apply(blocks[n]...)
		if len(res.Block.Transactions()) != perBlock {
			b.Fatalf("block %d: %d of %d transactions executed: %v", n, len(res.Block.Transactions()), perBlock, res.Outcomes[0].Err)
		}
	}
	b.ReportMetric(float64(b.N*perBlock)/time.Since(start).Seconds(), "tx/s")
}
