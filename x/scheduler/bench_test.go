package scheduler_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/chuxin-chain/chuxin/internal/testchain"
	sched "github.com/chuxin-chain/chuxin/x/scheduler/types"
)

// BenchmarkBacklogDrain: 10,000 calls due at once drain at the per-block
// bound (64 calls a block). It reports the blocks the drain took and the
// executor's time per block (execute and commit), at the median and the
// 95th percentile, with the backlog and on the idle blocks after it.
//
//	go test -run XXX -bench BacklogDrain -benchtime 1x ./x/scheduler
func BenchmarkBacklogDrain(b *testing.B) {
	for range b.N {
		c := newChain(b)
		now := c.head.Time
		// 10,000 calls due at once, from three schedulers (one has at most
		// 4,096 pending): the owner, the stranger (allowed by the admin)
		// and the proxy (driven by the owner).
		const n = 10_000
		c.applyAt(now+1, c.tx(testchain.GovernorKey, pack(b, "allow", stranger, true)))
		due := now + 100
		call := pack(b, "schedule", counter, []byte{}, due, uint64(30_000))
		for i := 0; i < n; i += 1000 {
			var raws [][]byte
			for j := range 1000 {
				switch (i + j) % 3 {
				case 0:
					raws = append(raws, c.tx(ownerKey, call))
				case 1:
					raws = append(raws, c.tx(strangerKey, call))
				default:
					raws = append(raws, c.txTo(proxy, call, 1_000_000))
				}
			}
			c.applyAt(now+2+uint64(i/1000), raws...)
		}
		at := now + 100
		var busy, idle []time.Duration
		for c.counted() < n {
			start := time.Now()
			c.applyAt(at)
			busy = append(busy, time.Since(start))
			at++
			if len(busy) > 2*n/sched.MaxFires {
				b.Fatalf("%d calls ran after %d blocks", c.counted(), len(busy))
			}
		}
		for range 50 {
			start := time.Now()
			c.applyAt(at)
			idle = append(idle, time.Since(start))
			at++
		}
		page, err := sched.Read(context.Background(), c.reader(), sched.Query{Limit: 1})
		if err != nil || page.Pending != 0 {
			b.Fatalf("after the drain: %+v, %v", page, err)
		}
		b.ReportMetric(float64(len(busy)), "blocks-to-drain")
		b.ReportMetric(ms(pct(busy, 50)), "ms/block-p50-backlog")
		b.ReportMetric(ms(pct(busy, 95)), "ms/block-p95-backlog")
		b.ReportMetric(ms(pct(idle, 50)), "ms/block-p50-idle")
		b.ReportMetric(ms(pct(idle, 95)), "ms/block-p95-idle")
	}
}

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[(len(s)-1)*p/100]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
