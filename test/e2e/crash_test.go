package e2e

import (
	"context"
	"math/big"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/chuxin-chain/chuxin/internal/devaccounts"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// TestSIGKILLUnderLoadLosesNothing runs four validator processes, loads them
// with transfers from ten senders, kills one validator with SIGKILL in the
// middle of the load and restarts it. The restarted node must reach the same
// blocks and state roots as its peers, and every transaction it had
// reported committed before the kill must still be there with its receipt.
// The nodes are full nodes, which write their state every 128 blocks: the
// victim comes back at genesis and CometBFT replays its blocks.
func TestSIGKILLUnderLoadLosesNothing(t *testing.T) {
	dir, urls := testnet(t, 4, 0)
	procs := make([]*proc, 4)
	clients := make([]*ethclient.Client, 4)
	for i := range 4 {
		procs[i] = startProc(t, dir, "node"+string(rune('0'+i)), "start", "--home", home(dir, i))
	}
	for i := range 4 {
		clients[i] = dialWhenUp(t, urls[i], procs[i])
	}
	accs, err := devaccounts.Derive(devaccounts.Mnemonic, 10)
	if err != nil {
		t.Fatal(err)
	}

	// Load: ten senders, each its own nonce sequence, through nodes 0 and 1.
	ctx, stopLoad := context.WithCancel(context.Background())
	var (
		mu   sync.Mutex
		sent []common.Hash
		wg   sync.WaitGroup
	)
	for s, acc := range accs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := clients[s%2]
			to := common.BigToAddress(big.NewInt(int64(0x1000 + s)))
			for nonce := uint64(0); nonce < 2000; nonce++ {
				if ctx.Err() != nil {
					return
				}
				// Keep at most 64 transactions in flight per sender, so the
				// load runs at the chain's pace until it is stopped.
				for nonce >= 64 && ctx.Err() == nil {
					done, err := c.NonceAt(ctx, acc.Address, nil)
					if err == nil && done+64 > nonce {
						break
					}
					time.Sleep(20 * time.Millisecond)
				}
				tx := testchain.Transfer(acc.Key, chainID, nonce, to, big.NewInt(1))
				err := c.SendTransaction(ctx, tx)
				for retry := 0; err != nil && strings.Contains(err.Error(), "nonce too high") && retry < 100; retry++ {
					time.Sleep(100 * time.Millisecond) // the mempool window is full: wait for a block
					err = c.SendTransaction(ctx, tx)
				}
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					t.Errorf("sender %d nonce %d: %v", s, nonce, err)
					return
				}
				mu.Lock()
				sent = append(sent, tx.Hash())
				mu.Unlock()
			}
		}()
	}

	// Let the load run for several blocks on the victim, then record what it
	// reports committed.
	victim := clients[3]
	loadFrom, err := victim.BlockNumber(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	waitHeight(t, victim, loadFrom+6)
	mu.Lock()
	candidates := append([]common.Hash(nil), sent...)
	mu.Unlock()
	committed := map[common.Hash]*types.Receipt{}
	for _, h := range candidates {
		if r, err := victim.TransactionReceipt(context.Background(), h); err == nil {
			committed[h] = r
		}
	}
	if len(committed) == 0 {
		t.Fatal("the victim committed nothing under load")
	}
	procs[3].stop(syscall.SIGKILL)
	t.Logf("killed node3 under load with %d transactions committed on it", len(committed))

	// The others go on without it for a few blocks, so that it must catch up.
	killedAt, err := clients[0].BlockNumber(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	waitHeight(t, clients[0], killedAt+3)
	procs[3] = startProc(t, dir, "node3-restart", "start", "--home", home(dir, 3))
	victim = dialWhenUp(t, urls[3], procs[3])
	if out, _ := os.ReadFile(procs[3].log); !strings.Contains(string(out), "consensus replays them") {
		t.Errorf("the restarted full node did not report the blocks it replays:\n%s", out)
	}
	// It commits with the network again, still under load.
	restartedAt, err := clients[0].BlockNumber(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	waitHeight(t, victim, restartedAt+2)
	stopLoad()
	wg.Wait()

	head, err := clients[0].BlockNumber(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	waitHeight(t, victim, head)
	for h := uint64(1); h <= head; h++ {
		want, err := clients[0].HeaderByNumber(context.Background(), new(big.Int).SetUint64(h))
		if err != nil {
			t.Fatal(err)
		}
		got, err := victim.HeaderByNumber(context.Background(), new(big.Int).SetUint64(h))
		if err != nil {
			t.Fatal(err)
		}
		if got.Hash() != want.Hash() || got.Root != want.Root {
			t.Fatalf("restarted node disagrees at height %d: root %s, peers %s", h, got.Root, want.Root)
		}
	}
	for h, before := range committed {
		after, err := victim.TransactionReceipt(context.Background(), h)
		if err != nil {
			t.Fatalf("transaction %s was committed before the kill, now: %v", h, err)
		}
		if after.BlockHash != before.BlockHash || after.Status != before.Status {
			t.Fatalf("transaction %s moved: block %s -> %s", h, before.BlockHash, after.BlockHash)
		}
	}
	t.Logf("all %d transactions committed before the kill survived; %d blocks agree", len(committed), head)
}
