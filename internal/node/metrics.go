package node

import (
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ErrMetricsTaken: a second node of one process asked to serve metrics.
var ErrMetricsTaken = errors.New("metrics_addr is set on two nodes of one process")

// metrics are chuxin's own Prometheus metrics. CometBFT's (consensus height
// and rounds, peers, mempool size …) are registered beside them in the
// process's default registry and served on the same address, which is why
// only one node of a process may serve metrics.
type metrics struct {
	height     prometheus.Gauge
	blockTxs   prometheus.Histogram
	blockGas   prometheus.Histogram
	execution  prometheus.Histogram
	commit     prometheus.Histogram
	refusals   *prometheus.CounterVec
	rpcCalls   *prometheus.CounterVec
	rpcSeconds *prometheus.HistogramVec
}

var (
	metricsMu    sync.Mutex
	metricsTaken bool
)

// claimMetrics registers chuxin's metrics for the one node of this process
// that serves them.
func claimMetrics() (*metrics, error) {
	metricsMu.Lock()
	defer metricsMu.Unlock()
	if metricsTaken {
		return nil, ErrMetricsTaken
	}
	m := &metrics{
		height: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "chuxin", Name: "height", Help: "Height of the last committed block."}),
		blockTxs: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "chuxin", Name: "block_transactions", Help: "Transactions per executed block.",
			Buckets: []float64{0, 1, 10, 100, 500, 1000, 2000, 5000}}),
		blockGas: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "chuxin", Name: "block_gas", Help: "Gas used per executed block.",
			Buckets: prometheus.ExponentialBuckets(21_000, 4, 8)}),
		execution: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "chuxin", Name: "execution_seconds", Help: "Time to execute a block (FinalizeBlock).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}),
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "chuxin", Name: "commit_seconds", Help: "Time to make a block durable (Commit).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "chuxin", Name: "mempool_refusals_total", Help: "Transactions the mempool refused, by reason."}, []string{"reason"}),
		rpcCalls: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "chuxin", Name: "rpc_requests_total", Help: "JSON-RPC HTTP requests, by method (batch for a batch)."}, []string{"method"}),
		rpcSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "chuxin", Name: "rpc_request_seconds", Help: "JSON-RPC HTTP request latency, by method.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10)}, []string{"method"}),
	}
	for _, c := range []prometheus.Collector{m.height, m.blockTxs, m.blockGas, m.execution, m.commit, m.refusals, m.rpcCalls, m.rpcSeconds} {
		if err := prometheus.Register(c); err != nil {
			return nil, err
		}
	}
	metricsTaken = true
	return m, nil
}

func (m *metrics) Refused(reason string) { m.refusals.WithLabelValues(reason).Inc() }

func (m *metrics) Executed(txs int, gas uint64, d time.Duration) {
	m.blockTxs.Observe(float64(txs))
	m.blockGas.Observe(float64(gas))
	m.execution.Observe(d.Seconds())
}

func (m *metrics) Committed(d time.Duration) { m.commit.Observe(d.Seconds()) }

func (m *metrics) rpc(method string, d time.Duration) {
	m.rpcCalls.WithLabelValues(method).Inc()
	m.rpcSeconds.WithLabelValues(method).Observe(d.Seconds())
}
