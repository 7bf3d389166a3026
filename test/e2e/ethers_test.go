package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// TestEthersJS runs the ethers.js suite (test/e2e/js) against a real
// `chuxin devnet` process. It needs the npm packages of the repository root
// (`npm ci`), which .ci/run installs.
func TestEthersJS(t *testing.T) {
	root, _ := filepath.Abs("../..")
	missing := t.Skip
	if os.Getenv("CI") != "" {
		missing = t.Fatal // CI installs them: their absence is a failure there
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "ethers")); err != nil {
		missing("ethers.js is not installed: run `npm ci` in the repository root (.ci/run does)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
	}
	dir := t.TempDir()
	base := testchain.PortBase(3)
	p := startProc(t, dir, "devnet", "devnet", "--home", filepath.Join(dir, "devnet"),
		"--p2p-port", fmt.Sprint(base), "--rpc-port", fmt.Sprint(base+2))
	url := fmt.Sprintf("http://127.0.0.1:%d", base+2)
	dialWhenUp(t, url, p)
	cmd := exec.Command(node, "--test", "--test-reporter=spec", "test/e2e/js/")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CHUXIN_RPC="+url)
	out, err := cmd.CombinedOutput()
	t.Logf("node --test:\n%s", out)
	if err != nil {
		devnetLog, _ := os.ReadFile(p.log)
		t.Fatalf("ethers.js suite failed: %v\ndevnet log:\n%s", err, devnetLog)
	}
}
