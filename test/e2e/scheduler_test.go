package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"path/filepath"
	"strings"
	"testing"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/chuxin-chain/chuxin/internal/devaccounts"
	"github.com/chuxin-chain/chuxin/internal/rpc/wire"
	"github.com/chuxin-chain/chuxin/internal/system"
	"github.com/chuxin-chain/chuxin/internal/testchain"
	"github.com/chuxin-chain/chuxin/x/scheduler/contracts"
	sched "github.com/chuxin-chain/chuxin/x/scheduler/types"
)

// TestSchedulerArrivesWithRuleVersion3: four validator processes run a
// chain made at rule version 2, without the scheduler. Governance
// schedules version 3; every node makes the Scheduler contract on that
// version's first block, alike. An admin allows an account, whose call,
// scheduled through the contract, runs in the first block whose time is at
// or after the call's. An observer started afterwards syncs from genesis
// through the activation to the same blocks. Governance then schedules
// version 5 (with 4), from whose first block the AppHash the validators
// sign covers the system logs (the firing's log, from a version 3 block,
// is served but has no proof) and the Consortium runs split into its
// parts.
func TestSchedulerArrivesWithRuleVersion3(t *testing.T) {
	dir, urls := testnet(t, 4, 1, "--rule-version", "2", "--open", "--beacon-period", "0")
	clients := make([]*ethclient.Client, 5)
	for i := range 4 {
		clients[i] = dialWhenUp(t, urls[i], startProc(t, dir, fmt.Sprintf("node%d", i), "start", "--home", home(dir, i)))
	}
	ctx := context.Background()
	rpcFlag := []string{"--rpc", urls[0]}
	codeAt := func(c *ethclient.Client, n *big.Int) int {
		code, err := c.CodeAt(ctx, sched.Address, n)
		if err != nil {
			t.Fatal(err)
		}
		return len(code)
	}
	if codeAt(clients[0], nil) != 0 {
		t.Fatal("a rule version 2 chain has the scheduler")
	}
	if out := cliFails(t, append([]string{"schedule", "list"}, rpcFlag...)...); !strings.Contains(out, "Scheduler contract") {
		t.Fatalf("schedule list before version 3:\n%s", out)
	}

	accs, err := devaccounts.Derive(devaccounts.Mnemonic, 5)
	if err != nil {
		t.Fatal(err)
	}
	h, err := clients[0].BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	at := h + 10
	cli(t, append([]string{"gov", "propose", "--dev-account", "0", "--description", "rule version 3: the scheduler", "--schedule-upgrade", fmt.Sprintf("3:%d", at)}, rpcFlag...)...)
	cli(t, append([]string{"gov", "vote", "1", "yes", "--dev-account", "1"}, rpcFlag...)...)
	cli(t, append([]string{"gov", "vote", "1", "yes", "--dev-account", "2"}, rpcFlag...)...)
	nudge := func() { // blocks come sooner
		tx := testchain.Transfer(accs[4].Key, chainID, pendingNonce(t, clients[0], accs[4].Address), common.Address{2}, big.NewInt(1))
		_ = clients[0].SendTransaction(ctx, tx)
	}
	waitFor(t, fmt.Sprintf("every validator at height %d", at), func() bool {
		nudge()
		for i := range 4 {
			if got, err := clients[i].BlockNumber(ctx); err != nil || got < at {
				return false
			}
		}
		return true
	})
	first, err := clients[0].HeaderByNumber(ctx, new(big.Int).SetUint64(at))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		got, err := clients[i].HeaderByNumber(ctx, new(big.Int).SetUint64(at))
		if err != nil || got.Hash() != first.Hash() || got.Root != first.Root {
			t.Fatalf("node%d's block %d differs: %v", i, at, err)
		}
		if codeAt(clients[i], nil) == 0 {
			t.Fatalf("node%d has no scheduler after version 3", i)
		}
	}

	// An admin (development account 0) allows account 1, which deploys a
	// counter and schedules a call of it three seconds on.
	if out := cli(t, append([]string{"schedule", "allow", accs[1].Address.Hex(), "--dev-account", "0"}, rpcFlag...)...); !strings.Contains(out, "may schedule calls") {
		t.Fatalf("schedule allow:\n%s", out)
	}
	deploy := testchain.Deploy(accs[1].Key, chainID, pendingNonce(t, clients[0], accs[1].Address), testchain.CounterInit(), 200_000)
	if err := clients[0].SendTransaction(ctx, deploy); err != nil {
		t.Fatal(err)
	}
	counter := waitReceipt(t, clients[0], deploy.Hash()).ContractAddress
	head, err := clients[0].HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	due := head.Time + 3
	art, err := contracts.Scheduler()
	if err != nil {
		t.Fatal(err)
	}
	data, err := art.ABI.Pack("schedule", counter, []byte{}, due, uint64(100_000))
	if err != nil {
		t.Fatal(err)
	}
	tx := testchain.Call(accs[1].Key, chainID, pendingNonce(t, clients[0], accs[1].Address), sched.Address, data, 500_000)
	if err := clients[0].SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if r := waitReceipt(t, clients[0], tx.Hash()); r.Status != 1 {
		t.Fatal("the schedule transaction reverted")
	}
	var call sched.Call
	waitFor(t, "the scheduled call to run", func() bool {
		out := cli(t, append([]string{"schedule", "show", "1", "--json"}, rpcFlag...)...)
		if err := json.Unmarshal([]byte(out), &call); err != nil {
			t.Fatalf("schedule show: %v\n%s", err, out)
		}
		return call.Status != "pending"
	})
	if call.Status != "done" || call.Owner != accs[1].Address || call.Target != counter {
		t.Fatalf("the call: %+v", call)
	}
	fired, err := clients[0].HeaderByNumber(ctx, new(big.Int).SetUint64(call.FiredAt))
	if err != nil {
		t.Fatal(err)
	}
	before, err := clients[0].HeaderByNumber(ctx, new(big.Int).SetUint64(call.FiredAt-1))
	if err != nil {
		t.Fatal(err)
	}
	if fired.Time < due || before.Time >= due {
		t.Fatalf("due at %d, it ran in block %d at %d, after block %d at %d: not the first block at or after its time", due, call.FiredAt, fired.Time, call.FiredAt-1, before.Time)
	}
	count, err := clients[1].StorageAt(ctx, counter, common.Hash{}, nil)
	if err != nil || new(big.Int).SetBytes(count).Uint64() != 1 {
		t.Fatalf("the counter on node1: %x, %v", count, err)
	}
	c, err := rpc.Dial(urls[2])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var page sched.Page
	if err := c.Call(&page, "chuxin_scheduled", sched.Query{Target: &counter}); err != nil || len(page.Calls) != 1 || page.Calls[0].Status != "done" || page.Pending != 0 {
		t.Fatalf("chuxin_scheduled: %+v, %v", page, err)
	}
	if out := cli(t, append([]string{"schedule", "list", "--status", "done"}, rpcFlag...)...); !strings.Contains(out, fmt.Sprintf("call 1 by %s to %s", accs[1].Address, counter)) {
		t.Fatalf("schedule list:\n%s", out)
	}
	// The audit trail tells the scheduling, by its sender, and the firing,
	// by consensus (the scheduler's entries, kind schedule).
	audit := cli(t, append([]string{"audit", "--kind", "schedule"}, rpcFlag...)...)
	for _, want := range []string{fmt.Sprintf("call 1 to %s scheduled by %s", counter, accs[1].Address), fmt.Sprintf("call 1 to %s ran", counter)} {
		if !strings.Contains(audit, want) {
			t.Fatalf("audit --kind schedule lacks %q:\n%s", want, audit)
		}
	}

	// The firing is a system log, served but not certified under version 3.
	var logs []wire.SystemLog
	firedID := art.ABI.Events["Fired"].ID
	if err := c.Call(&logs, "chuxin_getSystemLogs", map[string]any{"fromBlock": hexutil.Uint64(call.FiredAt), "toBlock": hexutil.Uint64(call.FiredAt), "topics": []any{firedID}}); err != nil ||
		len(logs) != 1 || logs[0].Address != sched.Address || logs[0].SystemCall.Phase != "postBlock" || logs[0].Topics[2] != common.BytesToHash(counter.Bytes()) {
		t.Fatalf("the firing's system log: %+v, %v", logs, err)
	}
	var proof wire.SystemLogProof
	if err := c.Call(&proof, "chuxin_getSystemLogProof", logs[0].BlockNumber, logs[0].LogIndex); err == nil || !strings.Contains(err.Error(), "covers no system logs") {
		t.Fatalf("a proof under rule version 3: %v", err)
	}

	// Governance schedules version 5 (taking 4 with it): from its first
	// block the AppHash that every validator signs covers the system logs
	// (4), and the Consortium is split into its parts (5).
	if h, err = clients[0].BlockNumber(ctx); err != nil {
		t.Fatal(err)
	}
	at4 := h + 10
	cli(t, append([]string{"gov", "propose", "--dev-account", "0", "--description", "rule versions 4 and 5: certified system logs, the Consortium split", "--schedule-upgrade", fmt.Sprintf("5:%d", at4)}, rpcFlag...)...)
	cli(t, append([]string{"gov", "vote", "2", "yes", "--dev-account", "1"}, rpcFlag...)...)
	cli(t, append([]string{"gov", "vote", "2", "yes", "--dev-account", "2"}, rpcFlag...)...)
	waitFor(t, fmt.Sprintf("every validator at height %d", at4+2), func() bool {
		nudge()
		for i := range 4 {
			if got, err := clients[i].BlockNumber(ctx); err != nil || got < at4+2 {
				return false
			}
		}
		return true
	})
	cmt, err := rpchttp.New(cometURL(urls, 0))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []uint64{at4 - 1, at4} {
		eth, err := clients[0].HeaderByNumber(ctx, new(big.Int).SetUint64(n))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Call(&logs, "chuxin_getSystemLogs", map[string]any{"blockHash": eth.Hash()}); err != nil || len(logs) != 0 {
			t.Fatalf("block %d has system logs: %+v, %v", n, logs, err)
		}
		want := crypto.Keccak256(eth.Root.Bytes(), eth.ReceiptHash.Bytes())
		if n >= at4 {
			want = crypto.Keccak256(eth.Root.Bytes(), eth.ReceiptHash.Bytes(), types.EmptyRootHash.Bytes())
		}
		height := int64(n + 1) // a header carries the AppHash of the block before it
		signed, err := cmt.Header(ctx, &height)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(signed.Header.AppHash, want) {
			t.Fatalf("block %d (version 5 from %d): the validators signed AppHash %X, want %x", n, at4, signed.Header.AppHash, want)
		}
	}
	for i := range 4 {
		if code, err := clients[i].CodeAt(ctx, system.ConsortiumValidatorsAddress, nil); err != nil || len(code) == 0 {
			t.Fatalf("node%d has no ConsortiumValidators after version 5: %v", i, err)
		}
	}
	// Governance goes on through the parts: an admin's grant.
	if out := cli(t, append([]string{"roles", "grant", accs[3].Address.Hex(), "deployer", "--dev-account", "0"}, rpcFlag...)...); !strings.Contains(out, "now has roles deployer") {
		t.Fatalf("roles grant after the split:\n%s", out)
	}

	// The observer syncs from genesis, through versions 3 to 5, to the
	// same chain (its CometBFT checks every AppHash it replays).
	clients[4] = dialWhenUp(t, urls[4], startProc(t, dir, "node4", "start", "--home", home(dir, 4)))
	h, err = clients[0].BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waitHeight(t, clients[4], h)
	for _, n := range []uint64{at - 1, at, at4, h} {
		want, _ := clients[0].HeaderByNumber(ctx, new(big.Int).SetUint64(n))
		got, err := clients[4].HeaderByNumber(ctx, new(big.Int).SetUint64(n))
		if err != nil || got.Hash() != want.Hash() || got.Root != want.Root {
			t.Fatalf("the observer's block %d differs: %v", n, err)
		}
	}
	// An archive node: no scheduler before version 3, one from its block.
	if codeAt(clients[4], new(big.Int).SetUint64(at-1)) != 0 || codeAt(clients[4], new(big.Int).SetUint64(at)) == 0 {
		t.Fatal("the observer's scheduler is not made on version 3's first block")
	}
}

// TestScheduledCallsOnAFastDevnet: on a devnet of 0.1 s blocks (whose
// development accounts may schedule from genesis), calls due over a few
// seconds each run in the first block whose time is at or after theirs.
func TestScheduledCallsOnAFastDevnet(t *testing.T) {
	dir := t.TempDir()
	base := testchain.PortBase(3)
	url := fmt.Sprintf("http://127.0.0.1:%d", base+2)
	c := dialWhenUp(t, url, startProc(t, dir, "devnet", "devnet", "--home", filepath.Join(dir, "devnet"), "--beacon-period", "0",
		"--p2p-port", fmt.Sprint(base), "--rpc-port", fmt.Sprint(base+2)))
	ctx := context.Background()
	accs, err := devaccounts.Derive(devaccounts.Mnemonic, 2)
	if err != nil {
		t.Fatal(err)
	}
	deploy := testchain.Deploy(accs[1].Key, chainID, pendingNonce(t, c, accs[1].Address), testchain.CounterInit(), 200_000)
	if err := c.SendTransaction(ctx, deploy); err != nil {
		t.Fatal(err)
	}
	counter := waitReceipt(t, c, deploy.Hash()).ContractAddress
	head, err := c.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	art, err := contracts.Scheduler()
	if err != nil {
		t.Fatal(err)
	}
	nonce := pendingNonce(t, c, accs[1].Address)
	const calls = 12
	due := make([]uint64, calls)
	var last *types.Transaction
	for i := range calls {
		due[i] = head.Time + 2 + uint64(i%4) // four times, three calls each
		data, err := art.ABI.Pack("schedule", counter, []byte{}, due[i], uint64(100_000))
		if err != nil {
			t.Fatal(err)
		}
		last = testchain.Call(accs[1].Key, chainID, nonce+uint64(i), sched.Address, data, 500_000)
		if err := c.SendTransaction(ctx, last); err != nil {
			t.Fatal(err)
		}
	}
	waitReceipt(t, c, last.Hash())
	waitFor(t, "every call to run", func() bool {
		count, err := c.StorageAt(ctx, counter, common.Hash{}, nil)
		return err == nil && new(big.Int).SetBytes(count).Uint64() == calls
	})
	out := cli(t, "schedule", "list", "--rpc", url, "--json")
	var page sched.Page
	if err := json.Unmarshal([]byte(out), &page); err != nil || len(page.Calls) != calls {
		t.Fatalf("schedule list: %v\n%s", err, out)
	}
	for _, call := range page.Calls {
		fired, err := c.HeaderByNumber(ctx, new(big.Int).SetUint64(call.FiredAt))
		if err != nil {
			t.Fatal(err)
		}
		before, err := c.HeaderByNumber(ctx, new(big.Int).SetUint64(call.FiredAt-1))
		if err != nil {
			t.Fatal(err)
		}
		if call.Status != "done" || fired.Time < call.Time || before.Time >= call.Time {
			t.Fatalf("call %d due at %d: %s in block %d at %d, after block %d at %d", call.ID, call.Time, call.Status, call.FiredAt, fired.Time, call.FiredAt-1, before.Time)
		}
	}
}
