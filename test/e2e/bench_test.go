package e2e

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chuxin-chain/chuxin/internal/bench"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// TestBenchAgainstDevnet runs `chuxin bench` for each workload against a
// devnet process: every transaction it sent must be seen committed, with no
// refusal, and the report must carry measured figures.
func TestBenchAgainstDevnet(t *testing.T) {
	dir := t.TempDir()
	base := testchain.PortBase(3)
	p := startProc(t, dir, "devnet", "devnet", "--home", filepath.Join(dir, "devnet"),
		"--p2p-port", fmt.Sprint(base), "--rpc-port", fmt.Sprint(base+2), "--log-level", "warn")
	url := fmt.Sprintf("http://127.0.0.1:%d", base+2)
	dialWhenUp(t, url, p)
	for i, w := range []string{"transfer", "erc20", "deploy", "mixed"} {
		out, err := exec.Command(chuxinBinary(t), "bench", "--rpc", url, "--workload", w, "--duration", "3s",
			"--senders", "20", "--window", "8", "--seed", fmt.Sprint(i+10), "--json", "--quiet").Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", w, err, out)
		}
		var r bench.Result
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("%s: %v\n%s", w, err, out)
		}
		if r.Sent == 0 || r.Committed != r.Sent || r.Unconfirmed != 0 || len(r.Refusals) != 0 {
			t.Fatalf("%s: sent %d committed %d unconfirmed %d refusals %v", w, r.Sent, r.Committed, r.Unconfirmed, r.Refusals)
		}
		if r.Senders != 20 || r.Window != 8 {
			t.Fatalf("%s: the report names %d senders × window %d, want 20 × 8", w, r.Senders, r.Window)
		}
		if r.TPS <= 0 || r.P50 <= 0 || r.P99 < r.P50 || r.Blocks == 0 {
			t.Fatalf("%s: figures missing: %+v", w, r)
		}
		t.Logf("%s: %.0f tx/s, p50 %.3fs p99 %.3fs", w, r.TPS, r.P50, r.P99)
	}
}
