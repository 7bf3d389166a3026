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

	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/devaccounts"
	"github.com/chuxin-chain/chuxin/internal/system"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// haltingCommit is the last commit whose binary hands CometBFT the removal
// of a validator it never had, when one proposal adds and removes it: every
// node then halts on that block, and again at each restart.
const haltingCommit = "1ca8716"

// oldBinary builds cmd/chuxin as it was at commit, from the repository's
// history (git archive: the work tree and its git metadata are left alone).
func oldBinary(t *testing.T, commit string) string {
	t.Helper()
	if err := exec.Command("git", "cat-file", "-e", commit+"^{commit}").Run(); err != nil {
		t.Skipf("commit %s is not in this clone's history (a shallow clone?): %v", commit, err)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	archive := exec.Command("sh", "-c", fmt.Sprintf("git -C \"$(git rev-parse --show-toplevel)\" archive %s | tar -x -C %s", commit, src))
	if out, err := archive.CombinedOutput(); err != nil {
		t.Fatalf("git archive %s: %v\n%s", commit, err, out)
	}
	bin := filepath.Join(dir, "chuxin-"+commit)
	build := exec.Command("go", "build", "-o", bin, "./cmd/chuxin")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build chuxin at %s: %v\n%s", commit, err, out)
	}
	return bin
}

// TestHaltedChainResumesOnTheFixedBinary: a devnet made by a binary that
// halts on a proposal adding and removing one validator is halted that
// way, and fails again at a restart; the same data directory started by
// this binary executes the block anew and goes on, with nothing lost: the
// proposal passed, and CometBFT was handed no update.
func TestHaltedChainResumesOnTheFixedBinary(t *testing.T) {
	old := oldBinary(t, haltingCommit)
	dir := t.TempDir()
	base := testchain.PortBase(3)
	url := fmt.Sprintf("http://127.0.0.1:%d", base+2)
	args := []string{"devnet", "--home", filepath.Join(dir, "devnet"), "--p2p-port", fmt.Sprint(base), "--rpc-port", fmt.Sprint(base + 2)}
	p := startCmd(t, dir, "old", old, args...)
	c := dialWhenUp(t, url, p)
	accs, err := devaccounts.Derive(devaccounts.Mnemonic, 1)
	if err != nil {
		t.Fatal(err)
	}
	k := system.ValidatorUpdate{PubKey: [32]byte{7, 7, 7}, Power: 5}
	propose, _ := system.Pack("propose", []system.Action{system.SetValidators(k), system.SetValidators(system.ValidatorUpdate{PubKey: k.PubKey})}, "add a validator, then remove it")
	vote, _ := system.Pack("vote", big.NewInt(1), true)
	for i, data := range [][]byte{propose, vote} {
		tx := testchain.Call(accs[0].Key, chainID, uint64(i), system.ConsortiumAddress, data, 8_000_000)
		if err := c.SendTransaction(context.Background(), tx); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if r := waitReceipt(t, c, tx.Hash()); r.Status != types.ReceiptStatusSuccessful {
				t.Fatalf("propose failed in block %d", r.BlockNumber)
			}
		}
	}
	waitFor(t, "the old binary's consensus failure", func() bool {
		b, _ := os.ReadFile(p.log)
		return strings.Contains(string(b), "CONSENSUS FAILURE") && strings.Contains(string(b), "changing validator set")
	})
	halted, err := c.BlockNumber(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p.stop(syscall.SIGTERM)
	// Restarted, the old binary fails again on the same block.
	again := exec.Command(old, append([]string{"start", "--home"}, filepath.Join(dir, "devnet", "node0"))...)
	if out, err := runFor(again, 20*time.Second); err == nil || !strings.Contains(out, "changing validator set") {
		t.Fatalf("the old binary at restart: %v\n%s", err, out)
	}
	p = startProc(t, dir, "new", args...)
	c = dialWhenUp(t, url, p)
	waitHeight(t, c, halted+3)
	if out := cli(t, "gov", "show", "1", "--rpc", url); !strings.Contains(out, "proposal 1: passed") {
		t.Fatalf("the proposal after the restart:\n%s", out)
	}
	if n, err := c.NonceAt(context.Background(), accs[0].Address, nil); err != nil || n != 2 {
		t.Fatalf("the governor's nonce: %d, %v: a committed transaction was lost", n, err)
	}
}

// runFor runs cmd until it exits or d passes (then it is killed), and
// returns its output and how it ended.
func runFor(cmd *exec.Cmd, d time.Duration) (string, error) {
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(d):
		_ = cmd.Process.Kill()
		<-done
		return out.String(), nil
	}
}
