package e2e

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/devaccounts"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// TestDevnetLifecycle is the devnet as a developer uses it: one command
// starts a chain and prints what to connect to; Ctrl-C stops it cleanly; the
// next run continues the same chain; --reset starts a new one.
func TestDevnetLifecycle(t *testing.T) {
	dir := t.TempDir()
	home := filepath.Join(dir, "devnet")
	base := testchain.PortBase(3)
	args := []string{"devnet", "--home", home, "--p2p-port", fmt.Sprint(base), "--rpc-port", fmt.Sprint(base + 2)}
	url := fmt.Sprintf("http://127.0.0.1:%d", base+2)
	accs, _ := devaccounts.Derive(devaccounts.Mnemonic, 1)
	to := common.Address{0x42}

	p := startProc(t, dir, "devnet", args...)
	c := dialWhenUp(t, url, p)
	tx := testchain.Transfer(accs[0].Key, chainID, 0, to, big.NewInt(1000))
	if err := c.SendTransaction(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	height := waitReceipt(t, c, tx.Hash()).BlockNumber.Uint64()
	p.stop(syscall.SIGINT)
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("devnet exited with %d after Ctrl-C", code)
	}
	out, _ := os.ReadFile(p.log)
	for _, want := range []string{url, "Chain ID   1337", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "shutting down"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("devnet output lacks %q:\n%s", want, out)
		}
	}
	noErrorLines(t, out)

	p = startProc(t, dir, "devnet-again", args...)
	c = dialWhenUp(t, url, p)
	if n, _ := c.BlockNumber(context.Background()); n < height {
		t.Fatalf("second run at height %d, first reached %d", n, height)
	}
	if bal, _ := c.BalanceAt(context.Background(), to, nil); bal.Int64() != 1000 {
		t.Fatalf("second run lost the transfer: balance %v", bal)
	}
	p.stop(syscall.SIGTERM)

	p = startProc(t, dir, "devnet-reset", append(args, "--reset")...)
	c = dialWhenUp(t, url, p)
	if bal, _ := c.BalanceAt(context.Background(), to, nil); bal.Sign() != 0 {
		t.Fatalf("--reset kept the old chain: balance %v", bal)
	}
	p.stop(syscall.SIGINT)
}

// TestHelpShowsDefaults checks that every command documents its flags.
func TestHelpShowsDefaults(t *testing.T) {
	for _, cmd := range []string{"devnet", "testnet", "start"} {
		out, err := exec.Command(chuxinBinary(t), cmd, "--help").CombinedOutput()
		if err != nil {
			t.Fatalf("%s --help: %v", cmd, err)
		}
		if !strings.Contains(string(out), "--home") && !strings.Contains(string(out), "--out") {
			t.Fatalf("%s --help lists no flags:\n%s", cmd, out)
		}
	}
	out, _ := exec.Command(chuxinBinary(t), "devnet", "--help").CombinedOutput()
	if !strings.Contains(string(out), `(default 8545)`) {
		t.Fatalf("devnet --help shows no defaults:\n%s", out)
	}
	out, err := exec.Command(chuxinBinary(t), "start", "--home", t.TempDir()).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "chuxin testnet") {
		t.Fatalf("start on an empty home: %v\n%s", err, out)
	}
	// The version names the commit the binary was built from, as git has it.
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skip("not a git checkout: the binary records no commit")
	}
	out, err = exec.Command(chuxinBinary(t), "version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "commit "+string(head[:12])) || !strings.Contains(string(out), "go go1.") {
		t.Fatalf("chuxin version (HEAD %s):\n%s", head, out)
	}
}

// TestDevnetFourValidators runs `chuxin devnet --validators 4`: four
// validators in one process, peered, committing.
func TestDevnetFourValidators(t *testing.T) {
	dir := t.TempDir()
	base := testchain.PortBase(12)
	p := startProc(t, dir, "devnet4", "devnet", "--home", filepath.Join(dir, "devnet"), "--validators", "4",
		"--p2p-port", fmt.Sprint(base), "--rpc-port", fmt.Sprint(base+8))
	c := dialWhenUp(t, fmt.Sprintf("http://127.0.0.1:%d", base+8), p)
	accs, _ := devaccounts.Derive(devaccounts.Mnemonic, 1)
	tx := testchain.Transfer(accs[0].Key, chainID, 0, common.Address{1}, big.NewInt(1))
	if err := c.SendTransaction(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	waitReceipt(t, c, tx.Hash())
	// Three of four validators commit a block, so the fourth peer may still
	// be connecting (two nodes that dial each other at once keep one
	// connection and redial): wait for it.
	var peers string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		err := c.Client().Call(&peers, "net_peerCount")
		if err == nil && peers == "0x3" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("peers %s %v after 30 s, want 3", peers, err)
		}
	}
	p.stop(syscall.SIGINT)
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	out, _ := os.ReadFile(p.log)
	noErrorLines(t, out)
}

// noErrorLines fails on any ERROR line: a start, normal operation and a
// clean stop log none, so an operator can read ERROR as "look at this".
func noErrorLines(t *testing.T, log []byte) {
	t.Helper()
	var errs []string
	for _, line := range strings.Split(string(log), "\n") {
		if strings.Contains(line, "level=ERROR") {
			errs = append(errs, line)
		}
	}
	if len(errs) > 0 {
		t.Fatalf("a clean run logged %d errors:\n%s", len(errs), strings.Join(errs, "\n"))
	}
}
