package node_test

import (
	"context"
	"math/big"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/chuxin-chain/chuxin/internal/app"
	"github.com/chuxin-chain/chuxin/internal/ceremony"
	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/modules"
	"github.com/chuxin-chain/chuxin/internal/node"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// TestMetricsAndReadiness scrapes a node's Prometheus metrics after a
// transaction and a refusal: CometBFT's and chuxin's are served together,
// chuxin's each with the chain_id label, and the operator's gauges and
// counters (readiness, stall, build, disk, beacon lag, each validator's
// signed and missed blocks) say what they should. Only one node of a
// process serves metrics, so this is the package's one test of them.
func TestMetricsAndReadiness(t *testing.T) {
	metricsAddr := ""
	homes, key := networkOf(t, 4, 0, &ceremony.BeaconParams{Period: 1}, func(i int, c *config.Config) {
		c.RPC.CometAddr = ""
		if i == 0 {
			metricsAddr = "127.0.0.1:" + freePort(t)
			c.MetricsAddr = metricsAddr
		}
	})
	nodes := startAll(t, homes)
	n := nodes[0]
	c := dial(t, n)
	waitReceipt(t, c, send(t, c, testchain.Transfer(key, cid, 0, common.Address{1}, big.NewInt(1))))
	if err := c.SendTransaction(context.Background(), testchain.Transfer(key, cid, 0, common.Address{1}, big.NewInt(1))); err == nil {
		t.Fatal("a spent nonce was accepted")
	}
	res, err := http.Get("http://" + n.RPCAddr() + "/ready")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("/ready of a committing node: %v %v", res, err)
	}
	res.Body.Close()
	var fams map[string]*dto.MetricFamily
	scrape := func() {
		t.Helper()
		res, err := http.Get("http://" + metricsAddr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var p expfmt.TextParser
		if fams, err = p.TextToMetricFamilies(res.Body); err != nil {
			t.Fatalf("the metrics do not parse: %v", err)
		}
	}
	// value is the metric's value with the labels given (others free), and
	// whether there is one.
	value := func(name string, labels ...string) (float64, bool) {
		f := fams[name]
		if f == nil {
			return 0, false
		}
	next:
		for _, m := range f.Metric {
			have := map[string]string{}
			for _, l := range m.Label {
				have[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(labels); i += 2 {
				if have[labels[i]] != labels[i+1] {
					continue next
				}
			}
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue(), true
			case m.Gauge != nil:
				return m.Gauge.GetValue(), true
			case m.Histogram != nil:
				return float64(m.Histogram.GetSampleCount()), true
			}
		}
		return 0, false
	}
	// node3 signs, then stops: its signatures go missing from the commits.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		scrape()
		if signed, _ := value("chuxin_validator_signed_blocks_total", "name", "node3"); signed > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("node3 signed no block")
		}
	}
	nodes[3].Stop()
	// A live validator's signature can be absent from a commit that the
	// other three made before its precommit arrived (CometBFT counts it
	// missed, as Cosmos's slashing does); once node3 is down, every commit
	// needs node0's, so from then on node0 misses none.
	node0Missed := -1.0
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		scrape()
		missed, _ := value("chuxin_validator_missed_blocks_total", "name", "node3")
		released, _ := value("chuxin_beacon_released_round")
		lag, _ := value("chuxin_beacon_lag_rounds")
		if missed >= 1 && node0Missed < 0 {
			node0Missed, _ = value("chuxin_validator_missed_blocks_total", "name", "node0")
		}
		if missed >= 3 && released > 0 && lag <= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node3's missed blocks: %v; beacon round %v, lag %v", missed, released, lag)
		}
	}
	for _, name := range []string{"cometbft_consensus_height", "cometbft_consensus_rounds", "cometbft_mempool_size"} {
		if fams[name] == nil {
			t.Errorf("metrics lack %s", name)
		}
	}
	chainID := fams["cometbft_consensus_height"].Metric[0].Label[0].GetValue()
	for name, f := range fams {
		if !strings.HasPrefix(name, "chuxin_") {
			continue
		}
		for _, m := range f.Metric {
			ok := false
			for _, l := range m.Label {
				ok = ok || (l.GetName() == "chain_id" && l.GetValue() == chainID)
			}
			if !ok {
				t.Errorf("%s has no chain_id label %q: %v", name, chainID, m.Label)
			}
		}
	}
	for _, want := range []struct {
		name   string
		labels []string
		ok     func(float64) bool
	}{
		{"chuxin_block_transactions", nil, func(v float64) bool { return v > 0 }},
		{"chuxin_execution_seconds", nil, func(v float64) bool { return v > 0 }},
		{"chuxin_commit_seconds", nil, func(v float64) bool { return v > 0 }},
		{"chuxin_mempool_refusals_total", []string{"reason", "nonce too low"}, func(v float64) bool { return v == 1 }},
		{"chuxin_rpc_requests_total", []string{"method", "eth_sendRawTransaction"}, func(v float64) bool { return v == 2 }},
		{"chuxin_rpc_request_seconds", []string{"method", "eth_getTransactionReceipt"}, func(v float64) bool { return v > 0 }},
		{"chuxin_build_info", []string{"version", app.Version}, func(v float64) bool { return v == 1 }},
		{"chuxin_ready", nil, func(v float64) bool { return v == 1 }},
		{"chuxin_catching_up", nil, func(v float64) bool { return v == 0 }},
		{"chuxin_stalled", nil, func(v float64) bool { return v == 0 }},
		{"chuxin_seconds_since_last_block", nil, func(v float64) bool { return v >= 0 && v < 10 }},
		{"chuxin_disk_bytes", []string{"store", "state"}, func(v float64) bool { return v > 0 }},
		{"chuxin_disk_bytes", []string{"store", "cometbft"}, func(v float64) bool { return v > 0 }},
		{"chuxin_disk_free_bytes", nil, func(v float64) bool { return v > 0 }},
		{"chuxin_disk_capacity_bytes", nil, func(v float64) bool { return v > 0 }},
		{"chuxin_mempool_capacity_txs", nil, func(v float64) bool { return v > 0 }},
		{"chuxin_beacon_lag_rounds", nil, func(v float64) bool { return v <= 1 }},
		{"chuxin_beacon_released_round", nil, func(v float64) bool { return v > 0 }},
		{"chuxin_validator_signed_blocks_total", []string{"name", "node0"}, func(v float64) bool { return v > 0 }},
		{"chuxin_validator_signed_blocks_total", []string{"name", "node3"}, func(v float64) bool { return v > 0 }},
		{"chuxin_validator_missed_blocks_total", []string{"name", "node3"}, func(v float64) bool { return v >= 2 }},
	} {
		if v, ok := value(want.name, want.labels...); !ok || !want.ok(v) {
			t.Errorf("%s%v = %v (present: %v)", want.name, want.labels, v, ok)
		}
	}
	if v, _ := value("chuxin_validator_missed_blocks_total", "name", "node0"); v != node0Missed {
		t.Errorf("node0, which signs every block node3 is down for, missed %v blocks, %v before", v, node0Missed)
	}
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// TestBusyPortsAndHomesNameTheSetting: a port in use or a home another
// process holds is refused with what to change.
func TestBusyPortsAndHomesNameTheSetting(t *testing.T) {
	homes, _ := network(t, 1, 0)
	cfg, err := config.Load(homes[0])
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", cfg.P2P.Listen)
	if err != nil {
		t.Fatal(err)
	}
	n, err := node.Open(context.Background(), homes[0], testLogger(), modules.Set())
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err == nil || !strings.Contains(err.Error(), "change p2p.listen") {
		t.Fatalf("start with the p2p port taken: %v", err)
	}
	if _, err := node.Open(context.Background(), homes[0], testLogger(), modules.Set()); err == nil || !strings.Contains(err.Error(), "another chuxin process is using the home") {
		t.Fatalf("a second node on a home in use: %v", err)
	}
	ln.Close()
	n.Stop()
}
