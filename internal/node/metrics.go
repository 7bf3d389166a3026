package node

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/api/cometbft/types/v1"
	cmtbytes "github.com/cometbft/cometbft/libs/bytes"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chuxin-chain/chuxin/internal/app"
)

// ErrMetricsTaken: a second node of one process asked to serve metrics.
var ErrMetricsTaken = errors.New("metrics_addr is set on two nodes of one process")

// metrics are chuxin's own Prometheus metrics, each labelled with the
// chain_id, as CometBFT labels its own. CometBFT's (consensus height and
// rounds, peers, mempool size …) are registered beside them in the
// process's default registry and served on the same address, which is why
// only one node of a process may serve metrics.
type metrics struct {
	reg        prometheus.Registerer       // the default registry, with the chain_id label
	names      map[string]string           // validators' names (the genesis's), by consensus address in hex
	live       atomic.Pointer[func() bool] // whether the node executes blocks as they come (not catching up)
	missed     *prometheus.CounterVec
	signed     *prometheus.CounterVec
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
func claimMetrics(chainID string, names map[string]string) (*metrics, error) {
	metricsMu.Lock()
	defer metricsMu.Unlock()
	if metricsTaken {
		return nil, ErrMetricsTaken
	}
	m := &metrics{
		names: names,
		reg:   prometheus.WrapRegistererWith(prometheus.Labels{"chain_id": chainID}, prometheus.DefaultRegisterer),
		missed: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "chuxin", Name: "validator_missed_blocks_total",
			Help: "Blocks whose commit lacks the validator's signature, by validator (consensus address) and name, counted from the commits this node executed."}, []string{"validator", "name"}),
		signed: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "chuxin", Name: "validator_signed_blocks_total",
			Help: "Blocks whose commit carries the validator's signature, by validator (consensus address) and name."}, []string{"validator", "name"}),
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
	b := app.Build()
	info := prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "chuxin", Name: "build_info",
		Help:        "Always 1; its labels name the binary: version, commit and Go version.",
		ConstLabels: prometheus.Labels{"version": b.Version, "commit": b.ShortCommit(), "go_version": b.Go}})
	info.Set(1)
	for _, c := range []prometheus.Collector{info, m.missed, m.signed, m.height, m.blockTxs, m.blockGas, m.execution, m.commit, m.refusals, m.rpcCalls, m.rpcSeconds} {
		if err := m.reg.Register(c); err != nil {
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

// Signed counts, from a block's last commit, which validators signed the
// block before and which did not.
func (m *metrics) Signed(commit abci.CommitInfo) {
	// Blocks a node catches up on are history: an outage of long ago
	// would count as missed blocks now.
	if live := m.live.Load(); live == nil || !(*live)() {
		return
	}
	for _, v := range commit.Votes {
		addr := cmtbytes.HexBytes(v.Validator.Address).String()
		labels := []string{addr, m.names[addr]}
		if v.BlockIdFlag == cmtproto.BlockIDFlagCommit {
			m.signed.WithLabelValues(labels...).Inc()
		} else {
			m.missed.WithLabelValues(labels...).Inc()
		}
	}
}

// watch registers the gauges read from the running node at each scrape.
func (m *metrics) watch(n *Node) error {
	live := func() bool { s, _ := n.syncing(); return !s }
	m.live.Store(&live)
	bit := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "chuxin", Name: name, Help: help}, f)
	}
	cs := []prometheus.Collector{
		gauge("ready", "1 when the node has caught up and blocks commit (as GET /ready answers 200), else 0.",
			func() float64 { return bit(n.ready() == nil) }),
		gauge("catching_up", "1 while the node is catching up with the network, else 0.",
			func() float64 { s, _ := n.syncing(); return bit(s) }),
		gauge("stalled", "1 while no block has committed for longer than a stall takes (three block intervals, at least 3 s) and the node is not catching up, else 0.",
			func() float64 {
				s, _ := n.syncing()
				return bit(!s && n.stall.sinceCommit() > n.stall.stallAfter)
			}),
		gauge("seconds_since_last_block", "Seconds since this node last committed a block.",
			func() float64 { return n.stall.sinceCommit().Seconds() }),
		newDiskCollector(n.Home),
		gauge("mempool_capacity_txs", "The most transactions the mempool holds (mempool.size); compare cometbft_mempool_size.",
			func() float64 { return float64(n.Config.Mempool.Size) }),
	}
	if n.beacon != nil {
		cs = append(cs,
			gauge("beacon_released_round", "The last beacon round whose key the chain released (0: none yet).",
				func() float64 { r, _ := n.beacon.Latest(); return float64(r) }),
			gauge("beacon_lag_rounds", "Rounds whose time has come but whose key is not released yet: the round due now minus the last released (0: on time).",
				func() float64 {
					r, _ := n.beacon.Latest()
					due := n.beacon.Info().RoundAt(time.Now().Unix())
					if due <= r {
						return 0
					}
					return float64(due - r)
				}),
		)
	}
	for _, c := range cs {
		if err := m.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// diskCollector measures the bytes a node's stores take on disk, walking
// their directories at most once in diskEvery, so a scrape stays cheap,
// and the free space and capacity of the file system that holds the home.
type diskCollector struct {
	home           string
	state, data    string // data/chuxin.db/ and data/, as prefixes of the paths under home
	desc           *prometheus.Desc
	free, capacity *prometheus.Desc
	mu             sync.Mutex
	at             time.Time
	sizes          map[string]float64
}

const diskEvery = 30 * time.Second

func newDiskCollector(home string) *diskCollector {
	data := filepath.Join(home, "data")
	sep := string(filepath.Separator)
	return &diskCollector{
		home:  home,
		state: filepath.Join(data, "chuxin.db") + sep,
		data:  data + sep,
		free: prometheus.NewDesc("chuxin_disk_free_bytes",
			"Bytes free for the node on the file system that holds its home.", nil, nil),
		capacity: prometheus.NewDesc("chuxin_disk_capacity_bytes",
			"Size in bytes of the file system that holds the node's home.", nil, nil),
		desc: prometheus.NewDesc("chuxin_disk_bytes",
			"Bytes on disk, by store: state (chuxin's state and blocks, data/chuxin.db), cometbft (CometBFT's block store, state and evidence, the rest of data/), and home (everything under the home).",
			[]string{"store"}, nil),
	}
}

func (d *diskCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- d.desc
	ch <- d.free
	ch <- d.capacity
}

func (d *diskCollector) Collect(ch chan<- prometheus.Metric) {
	d.mu.Lock()
	if d.sizes == nil || time.Since(d.at) >= diskEvery {
		d.sizes = d.walk()
		d.at = time.Now()
	}
	state, data, home := d.sizes["state"], d.sizes["data"], d.sizes["home"]
	d.mu.Unlock()
	ch <- prometheus.MustNewConstMetric(d.desc, prometheus.GaugeValue, state, "state")
	ch <- prometheus.MustNewConstMetric(d.desc, prometheus.GaugeValue, max(data-state, 0), "cometbft")
	ch <- prometheus.MustNewConstMetric(d.desc, prometheus.GaugeValue, home, "home")
	if free, capacity, ok := diskSpace(d.home); ok {
		ch <- prometheus.MustNewConstMetric(d.free, prometheus.GaugeValue, float64(free))
		ch <- prometheus.MustNewConstMetric(d.capacity, prometheus.GaugeValue, float64(capacity))
	}
}

// walk adds up the regular files under the home once, into the stores
// they lie in (state ⊂ data ⊂ home).
func (d *diskCollector) walk() map[string]float64 {
	sizes := map[string]float64{}
	_ = filepath.WalkDir(d.home, func(p string, de fs.DirEntry, err error) error {
		if err != nil || !de.Type().IsRegular() {
			return nil
		}
		fi, err := de.Info()
		if err != nil {
			return nil
		}
		size := float64(fi.Size())
		sizes["home"] += size
		if strings.HasPrefix(p, d.data) {
			sizes["data"] += size
		}
		if strings.HasPrefix(p, d.state) {
			sizes["state"] += size
		}
		return nil
	})
	return sizes
}
