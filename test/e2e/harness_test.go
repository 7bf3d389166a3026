package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/chuxin-chain/chuxin/internal/testchain"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// TestMain removes the binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binary != "" {
		os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}

// chuxinBinary builds cmd/chuxin once per test run.
func chuxinBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "chuxin-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "chuxin")
		args := []string{"build", "-o", binary}
		if exec.Command("git", "rev-parse", "HEAD").Run() == nil {
			// The binary records its commit (chuxin version) even where
			// GOFLAGS turns VCS stamping off.
			args = append(args, "-buildvcs=true")
		}
		cmd := exec.Command("go", append(args, "../../cmd/chuxin")...)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// proc is one running chuxin process.
type proc struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

// startProc runs chuxin with args, its output in a log file under dir.
func startProc(t *testing.T, dir, name string, args ...string) *proc {
	t.Helper()
	return startCmd(t, dir, name, chuxinBinary(t), args...)
}

// startCmd runs the program bin with args, its output in dir/name.log,
// and kills it when the test ends.
func startCmd(t *testing.T, dir, name, bin string, args ...string) *proc {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		f.Close()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop(syscall.SIGKILL) })
	return p
}

// stop sends sig and waits for the process to exit.
func (p *proc) stop(sig syscall.Signal) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// dialWhenUp waits for a JSON-RPC endpoint to answer eth_blockNumber.
func dialWhenUp(t *testing.T, url string, p *proc) *ethclient.Client {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			out, _ := os.ReadFile(p.log)
			t.Fatalf("process exited before serving %s:\n%s", url, out)
		default:
		}
		c, err := ethclient.Dial(url)
		if err == nil {
			if _, err = c.BlockNumber(context.Background()); err == nil {
				t.Cleanup(c.Close)
				return c
			}
			c.Close()
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not answer within 60s", url)
	return nil
}

// testnet writes a network with `chuxin testnet` and returns its directory
// and the JSON-RPC URL of each node; flags are more of testnet's flags.
func testnet(t *testing.T, validators, observers int, flags ...string) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	n := validators + observers
	base := testchain.PortBase(3 * n)
	out, err := exec.Command(chuxinBinary(t), append([]string{"testnet", "--out", dir,
		"--validators", fmt.Sprint(validators), "--observers", fmt.Sprint(observers),
		"--p2p-port", fmt.Sprint(base), "--rpc-port", fmt.Sprint(base + 2*n)}, flags...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("chuxin testnet: %v\n%s", err, out)
	}
	urls := make([]string, n)
	for i := range n {
		urls[i] = fmt.Sprintf("http://127.0.0.1:%d", base+2*n+i)
	}
	return dir, urls
}

// cometURL is the CometBFT RPC address of node i of a testnet whose
// JSON-RPC addresses are urls: its p2p port + 1, the p2p ports starting
// 2n below the first JSON-RPC port (testnet's layout).
func cometURL(urls []string, i int) string {
	var rpc int
	fmt.Sscanf(urls[0][strings.LastIndex(urls[0], ":")+1:], "%d", &rpc)
	return fmt.Sprintf("http://127.0.0.1:%d", rpc-2*len(urls)+2*i+1)
}

func home(dir string, i int) string { return filepath.Join(dir, fmt.Sprintf("node%d", i)) }

var chainID = big.NewInt(1337)

func waitReceipt(t *testing.T, c *ethclient.Client, hash common.Hash) *types.Receipt {
	t.Helper()
	return testchain.WaitReceipt(t, c, hash, 60*time.Second)
}

func waitHeight(t *testing.T, c *ethclient.Client, h uint64) {
	t.Helper()
	testchain.WaitHeight(t, c, h, 90*time.Second)
}

// noSecretsInLogs fails the test if a log file under dir holds any part of
// a secret of a node home under dir: the consensus and node keys (as
// base64 or hex, whole or their seed), the capsule share key and the
// beacon share, or a hex key file's key.
func noSecretsInLogs(t *testing.T, dir string) {
	t.Helper()
	var secrets, logs []string
	add := func(b []byte) {
		for _, s := range []string{base64.StdEncoding.EncodeToString(b), hex.EncodeToString(b)} {
			secrets = append(secrets, s[:16], strings.ToUpper(s[:16]))
		}
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		raw, _ := os.ReadFile(p)
		switch name := d.Name(); {
		case strings.HasSuffix(name, ".log"):
			logs = append(logs, p)
		case name == "priv_validator_key.json" || name == "node_key.json":
			var k struct {
				Priv struct{ Value []byte } `json:"priv_key"`
			}
			if json.Unmarshal(raw, &k) == nil && len(k.Priv.Value) == 64 {
				add(k.Priv.Value)
				add(k.Priv.Value[:32])
			}
		case name == "beacon_share.json":
			var s struct{ Share string }
			if json.Unmarshal(raw, &s) == nil && len(s.Share) >= 16 {
				b, _ := hex.DecodeString(s.Share)
				add(b)
			}
		case name == "share_key.txt":
			secrets = append(secrets, strings.TrimSpace(string(raw))[:24])
		case strings.HasSuffix(name, ".hex"):
			b, _ := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(string(raw)), "0x"))
			if len(b) == 32 {
				add(b)
			}
		}
		return nil
	})
	if len(secrets) == 0 || len(logs) == 0 {
		t.Fatalf("no secrets (%d) or no logs (%d) under %s", len(secrets), len(logs), dir)
	}
	for _, l := range logs {
		raw, _ := os.ReadFile(l)
		for _, s := range secrets {
			if i := bytes.Index(raw, []byte(s)); i >= 0 {
				t.Errorf("%s holds part of a secret at byte %d", l, i)
			}
		}
	}
}
