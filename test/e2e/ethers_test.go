package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// TestEthersJS runs the JavaScript suites (test/e2e/js: ethers.js, viem,
// web3.js, tlock-js and the pledge book page in Chromium) against real
// `chuxin devnet` processes, an open one and a permissioned one, and ethers'
// keystore files against `chuxin keys`. It needs
// the npm packages of the repository root (`npm ci`), which .ci/run
// installs.
func TestEthersJS(t *testing.T) {
	root, _ := filepath.Abs("../..")
	missing := t.Skip
	if os.Getenv("CI") != "" {
		missing = t.Fatal // CI installs them: their absence is a failure there
	}
	for _, pkg := range []string{"ethers", "viem", "web3"} {
		if _, err := os.Stat(filepath.Join(root, "node_modules", pkg)); err != nil {
			missing(pkg + " is not installed: run `npm ci` in the repository root (.ci/run does)")
		}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
	}
	dir := t.TempDir()
	base := testchain.PortBase(6)
	p := startProc(t, dir, "devnet", "devnet", "--home", filepath.Join(dir, "devnet"), "--beacon-period", "2",
		"--p2p-port", fmt.Sprint(base), "--rpc-port", fmt.Sprint(base+2))
	url := fmt.Sprintf("http://127.0.0.1:%d", base+2)
	dialWhenUp(t, url, p)
	// A second, permissioned devnet, for the consortium's suite.
	pp := startProc(t, dir, "devnet-permissioned", "devnet", "--permissioned", "--home", filepath.Join(dir, "devnet-permissioned"),
		"--p2p-port", fmt.Sprint(base+3), "--rpc-port", fmt.Sprint(base+5))
	purl := fmt.Sprintf("http://127.0.0.1:%d", base+5)
	dialWhenUp(t, purl, pp)
	// Bounded: a suite waiting on a transaction that never commits fails
	// here with its output rather than at the package's deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec", "test/e2e/js/")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CHUXIN_RPC="+url, "CHUXIN_PERMISSIONED_RPC="+purl, "CHUXIN_BIN="+chuxinBinary(t))
	out, err := cmd.CombinedOutput()
	t.Logf("node --test:\n%s", out)
	if err != nil {
		devnetLog, _ := os.ReadFile(p.log)
		t.Fatalf("ethers.js suite failed: %v\ndevnet log:\n%s", err, devnetLog)
	}
}
