package e2e

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/chuxin-chain/chuxin/internal/devaccounts"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// haltingCommit is the last commit whose binary hands CometBFT the removal
// of a validator it never had, when one proposal adds and removes it: every
// node then halts on that block, and again at each restart.
const haltingCommit = "1ca8716"

var (
	oldMu       sync.Mutex
	oldBinaries = map[string]string{}
)

// oldBinary builds cmd/chuxin as it was at commit, from the repository's
// history (git archive: the work tree and its git metadata are left alone),
// once per test run.
func oldBinary(t *testing.T, commit string) string {
	t.Helper()
	if err := exec.Command("git", "cat-file", "-e", commit+"^{commit}").Run(); err != nil {
		t.Skipf("commit %s is not in this clone's history (a shallow clone?): %v", commit, err)
	}
	oldMu.Lock()
	defer oldMu.Unlock()
	if bin, ok := oldBinaries[commit]; ok {
		return bin
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
	// Beside this run's binary, which TestMain removes at the end.
	bin := filepath.Join(filepath.Dir(chuxinBinary(t)), "chuxin-"+commit)
	build := exec.Command("go", "build", "-o", bin, "./cmd/chuxin")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build chuxin at %s: %v\n%s", commit, err, out)
	}
	oldBinaries[commit] = bin
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

// TestOldChainReplaysOnThisBinary: a permissioned devnet made by the last
// binary of rule version 1 includes what version 1 admitted (a call of the
// Consortium contract by an account without a role). This binary, its
// state deleted, replays those blocks from CometBFT's block store to the
// same hashes and state roots. Governance then schedules rule version 2:
// from its height the contract runs version 2's code and such a call is
// refused.
func TestOldChainReplaysOnThisBinary(t *testing.T) {
	old := oldBinary(t, haltingCommit)
	dir := t.TempDir()
	base := testchain.PortBase(3)
	url := fmt.Sprintf("http://127.0.0.1:%d", base+2)
	args := []string{"devnet", "--permissioned", "--home", filepath.Join(dir, "devnet"), "--p2p-port", fmt.Sprint(base), "--rpc-port", fmt.Sprint(base + 2)}
	p := startCmd(t, dir, "old", old, args...)
	c := dialWhenUp(t, url, p)
	ctx := context.Background()
	stranger, _ := crypto.GenerateKey()
	call, _ := system.Pack("permissioned")
	tx := testchain.Call(stranger, chainID, 0, system.ConsortiumAddress, call, 100_000)
	if err := c.SendTransaction(ctx, tx); err != nil {
		t.Fatalf("the version 1 binary refused a role-less call of the Consortium contract: %v", err)
	}
	r := waitReceipt(t, c, tx.Hash())
	h := r.BlockNumber.Uint64() + 2
	waitHeight(t, c, h)
	want, err := c.HeaderByNumber(ctx, new(big.Int).SetUint64(h))
	if err != nil {
		t.Fatal(err)
	}
	p.stop(syscall.SIGTERM)

	// This binary, with the node's state gone: CometBFT's handshake
	// replays every block, and each must give the AppHash the next header
	// carries.
	if err := os.RemoveAll(filepath.Join(dir, "devnet", "node0", "data", "chuxin.db")); err != nil {
		t.Fatal(err)
	}
	p = startProc(t, dir, "new", args...)
	c = dialWhenUp(t, url, p)
	got, err := c.HeaderByNumber(ctx, new(big.Int).SetUint64(h))
	if err != nil || got.Hash() != want.Hash() || got.Root != want.Root {
		t.Fatalf("block %d replayed by this binary differs: %v", h, err)
	}
	if r2, err := c.TransactionReceipt(ctx, tx.Hash()); err != nil || r2.Status != r.Status || r2.BlockNumber.Cmp(r.BlockNumber) != 0 {
		t.Fatalf("the role-less call after the replay: %v, %v", r2, err)
	}

	// Rule version 2, by governance.
	accs, err := devaccounts.Derive(devaccounts.Mnemonic, 1)
	if err != nil {
		t.Fatal(err)
	}
	now, _ := c.BlockNumber(ctx)
	at := now + 8
	propose, _ := system.Pack("propose", []system.Action{system.ScheduleUpgrade(genesis.VersionGuards, at)}, "rule version 2")
	vote, _ := system.Pack("vote", big.NewInt(1), true)
	nonce, _ := c.NonceAt(ctx, accs[0].Address, nil)
	var voted *big.Int
	for i, data := range [][]byte{propose, vote} {
		tx := testchain.Call(accs[0].Key, chainID, nonce+uint64(i), system.ConsortiumAddress, data, 8_000_000)
		if err := c.SendTransaction(ctx, tx); err != nil {
			t.Fatal(err)
		}
		r := waitReceipt(t, c, tx.Hash())
		if r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("governance transaction %d failed in block %d", i, r.BlockNumber)
		}
		voted = r.BlockNumber
	}
	if voted.Uint64() >= at {
		t.Fatalf("the vote came in block %d, not before %d", voted, at)
	}
	if out := cli(t, "gov", "show", "1", "--rpc", url); !strings.Contains(out, "proposal 1: passed") {
		t.Fatalf("the upgrade's proposal:\n%s", out)
	}
	v1, _ := system.ConsortiumAt(1)
	v2, _ := system.ConsortiumAt(genesis.VersionGuards)
	if code, err := c.CodeAt(ctx, system.ConsortiumAddress, voted); err != nil || !bytes.Equal(code, v1.Runtime) {
		t.Fatalf("the Consortium code before version 2: %v", err)
	}
	waitFor(t, fmt.Sprintf("height %d", at), func() bool {
		// A transfer makes blocks come sooner.
		n, _ := c.PendingNonceAt(ctx, accs[0].Address)
		_ = c.SendTransaction(ctx, testchain.Transfer(accs[0].Key, chainID, n, common.Address{2}, big.NewInt(1)))
		got, err := c.BlockNumber(ctx)
		return err == nil && got >= at
	})
	if code, err := c.CodeAt(ctx, system.ConsortiumAddress, new(big.Int).SetUint64(at)); err != nil || !bytes.Equal(code, v2.Runtime) {
		t.Fatalf("the Consortium code at version 2's height: %v", err)
	}
	tx = testchain.Call(stranger, chainID, 1, system.ConsortiumAddress, call, 100_000)
	if err := c.SendTransaction(ctx, tx); err == nil || !strings.Contains(err.Error(), "has no role") {
		t.Fatalf("rule version 2 admitted a role-less call of the Consortium contract: %v", err)
	}
}

// TestOutsidersNeitherStarveNorHalt: on an open zero-fee devnet, 300
// fresh accounts each send two transactions declaring 16,000,000 gas (a
// block's gas limit holds six); a transfer sent after them still commits
// within two blocks, as blocks take each sender's transactions in turn.
// And proposals whose actions would store 9,000 bytes are refused, each
// one, while the chain goes on.
func TestOutsidersNeitherStarveNorHalt(t *testing.T) {
	dir := t.TempDir()
	base := testchain.PortBase(3)
	url := fmt.Sprintf("http://127.0.0.1:%d", base+2)
	p := startProc(t, dir, "devnet", "devnet", "--home", filepath.Join(dir, "devnet"), "--p2p-port", fmt.Sprint(base), "--rpc-port", fmt.Sprint(base+2))
	c := dialWhenUp(t, url, p)
	ctx := context.Background()
	for i := range 300 {
		k, _ := crypto.GenerateKey()
		for n := range uint64(2) {
			tx := testchain.Call(k, chainID, n, common.Address{0xee, byte(i)}, nil, 16_000_000)
			if err := c.SendTransaction(ctx, tx); err != nil {
				t.Fatalf("outsider %d, transaction %d: %v", i, n, err)
			}
		}
	}
	accs, err := devaccounts.Derive(devaccounts.Mnemonic, 2)
	if err != nil {
		t.Fatal(err)
	}
	sent, err := c.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	nonce, _ := c.PendingNonceAt(ctx, accs[1].Address)
	tx := testchain.Transfer(accs[1].Key, chainID, nonce, common.Address{0x42}, big.NewInt(1))
	if err := c.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if r := waitReceipt(t, c, tx.Hash()); r.BlockNumber.Uint64() > sent+2 {
		t.Fatalf("the transfer sent at height %d waited until block %d behind 600 outsiders' transactions", sent, r.BlockNumber)
	}

	long := system.SetNode(system.NodeID{0xab}, true, strings.Repeat("n", 9000))
	propose, _ := system.Pack("propose", []system.Action{long}, "a long name")
	if _, err := c.CallContract(ctx, ethereum.CallMsg{From: accs[0].Address, To: &system.ConsortiumAddress, Data: propose, Gas: 8_000_000}, nil); err == nil || !strings.Contains(err.Error(), "at most 64 bytes") {
		t.Fatalf("a proposal storing a 9,000-byte name: %v", err)
	}
	nonce, _ = c.PendingNonceAt(ctx, accs[0].Address)
	var last *types.Receipt
	for i := range uint64(6) {
		tx := testchain.Call(accs[0].Key, chainID, nonce+i, system.ConsortiumAddress, propose, 8_000_000)
		if err := c.SendTransaction(ctx, tx); err != nil {
			t.Fatal(err)
		}
		last = waitReceipt(t, c, tx.Hash())
		if last.Status != types.ReceiptStatusFailed {
			t.Fatalf("proposal %d with a 9,000-byte name was taken", i)
		}
	}
	waitHeight(t, c, last.BlockNumber.Uint64()+3)
}
