package node_test

import (
	"context"
	"io"
	"math/big"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/node"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// TestMetricsAndReadiness scrapes a node's Prometheus metrics after a
// transaction and a refusal: CometBFT's and chuxin's are served together.
func TestMetricsAndReadiness(t *testing.T) {
	metricsAddr := ""
	homes, key := networkWith(t, 1, 0, func(i int, c *config.Config) {
		c.RPC.CometAddr = ""
		metricsAddr = "127.0.0.1:" + freePort(t)
		c.MetricsAddr = metricsAddr
	})
	n := start(t, homes[0])
	defer n.Stop()
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
	var body string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		res, err := http.Get("http://" + metricsAddr + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			body = string(b)
			if strings.Contains(body, "chuxin_height") {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no metrics: %v\n%s", err, body)
		}
	}
	for _, want := range []string{
		"cometbft_consensus_height", "cometbft_consensus_rounds", "cometbft_mempool_size",
		"chuxin_block_transactions_count", "chuxin_execution_seconds_bucket", "chuxin_commit_seconds_sum",
		`chuxin_mempool_refusals_total{reason="nonce too low"} 1`,
		`chuxin_rpc_requests_total{method="eth_sendRawTransaction"} 2`,
		`chuxin_rpc_request_seconds_count{method="eth_getTransactionReceipt"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
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
	n, err := node.Open(context.Background(), homes[0], testLogger())
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err == nil || !strings.Contains(err.Error(), "change p2p.listen") {
		t.Fatalf("start with the p2p port taken: %v", err)
	}
	if _, err := node.Open(context.Background(), homes[0], testLogger()); err == nil || !strings.Contains(err.Error(), "another chuxin process is using the home") {
		t.Fatalf("a second node on a home in use: %v", err)
	}
	ln.Close()
	n.Stop()
}
