package node_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/chuxin-chain/chuxin/internal/ceremony"
	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/devaccounts"
	"github.com/chuxin-chain/chuxin/internal/modules"
	"github.com/chuxin-chain/chuxin/internal/node"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

var cid = big.NewInt(1337)

func testLogger() *slog.Logger {
	if os.Getenv("CHUXIN_TEST_LOG") != "" {
		return node.NewLogger(os.Stderr, os.Getenv("CHUXIN_TEST_LOG"), "text")
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// feeRecipient receives the priority fees of the test networks' blocks.
var feeRecipient = common.HexToAddress("0x00000000000000000000000000000000000fee00")

// network writes the homes of n validators with free ports and a funded key.
func network(t *testing.T, validators, observers int) ([]string, *ecdsa.PrivateKey) {
	t.Helper()
	return networkWith(t, validators, observers, nil)
}

// networkWith is network with tune applied to each node's configuration
// after the tests' defaults.
func networkWith(t *testing.T, validators, observers int, tune func(i int, c *config.Config)) ([]string, *ecdsa.PrivateKey) {
	t.Helper()
	return networkOf(t, validators, observers, nil, tune)
}

// networkOf is networkWith whose validators hold a beacon, if one is given.
func networkOf(t *testing.T, validators, observers int, beacon *ceremony.BeaconParams, tune func(i int, c *config.Config)) ([]string, *ecdsa.PrivateKey) {
	t.Helper()
	accs, err := devaccounts.Derive(devaccounts.Mnemonic, 1)
	if err != nil {
		t.Fatal(err)
	}
	n := validators + observers
	base := testchain.PortBase(3 * n)
	homes, err := ceremony.WriteNetwork(ceremony.NetworkSpec{
		Dir: t.TempDir(), ChainID: 1337, Validators: validators, Observers: observers,
		P2PPortBase: base, RPCPortBase: base + 2*n,
		Alloc:        types.GenesisAlloc{accs[0].Address: {Balance: big.NewInt(1e18)}},
		FeeRecipient: feeRecipient, Beacon: beacon,
		Tune: func(i int, c *config.Config) {
			cometAddr := c.RPC.CometAddr
			c.Consensus.TimeoutCommit = config.Duration(50 * time.Millisecond)
			c.Consensus.TimeoutPropose = config.Duration(time.Second)
			c.Consensus.EmptyBlockInterval = config.Duration(time.Second)
			c.RPC.CometAddr = ""
			c.DB.CacheMB = 16
			if tune != nil {
				c.RPC.CometAddr = cometAddr // tune decides
				tune(i, c)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return homes, accs[0].Key
}

// TestOpenRefusesAChangedGenesis: a node whose genesis file is no longer
// the one it installed (genesis_hash) does not start.
func TestOpenRefusesAChangedGenesis(t *testing.T) {
	homes, _ := network(t, 1, 0)
	b, err := os.ReadFile(config.GenesisFile(homes[0]))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(config.GenesisFile(homes[0]), bytes.Replace(b, []byte(`"chuxin-1337"`), []byte(`"chuxin-1338"`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = node.Open(context.Background(), homes[0], testLogger(), modules.Set())
	if !errors.Is(err, node.ErrGenesisChanged) || !strings.Contains(err.Error(), "restore the file the ceremony published") {
		t.Fatalf("open with a changed genesis: %v, want %v", err, node.ErrGenesisChanged)
	}
}

func start(t *testing.T, home string) *node.Node {
	t.Helper()
	n, err := node.Open(context.Background(), home, testLogger(), modules.Set())
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	return n
}

// startAll starts a node on each home and stops, when the test ends, those
// still in the slice (a test sets a slot to nil once it stops that node).
func startAll(t *testing.T, homes []string) []*node.Node {
	t.Helper()
	nodes := make([]*node.Node, len(homes))
	t.Cleanup(func() {
		for _, n := range nodes {
			if n != nil {
				n.Stop()
			}
		}
	})
	for i, h := range homes {
		nodes[i] = start(t, h)
	}
	return nodes
}

func dial(t *testing.T, n *node.Node) *ethclient.Client {
	t.Helper()
	c, err := ethclient.Dial("http://" + n.RPCAddr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func send(t *testing.T, c *ethclient.Client, tx *types.Transaction) common.Hash {
	t.Helper()
	if err := c.SendTransaction(context.Background(), tx); err != nil {
		t.Fatalf("send %s: %v", tx.Hash(), err)
	}
	return tx.Hash()
}

// TestFourValidatorsSurviveOneDown runs four validators in this process,
// sends transfers and contract calls through JSON-RPC, stops one validator
// (three of four still make a two-thirds majority), keeps committing,
// restarts it and checks that all four agree on every block.
func TestFourValidatorsSurviveOneDown(t *testing.T) {
	homes, key := network(t, 4, 0)
	nodes := startAll(t, homes)
	c0, c1 := dial(t, nodes[0]), dial(t, nodes[1])
	to := common.HexToAddress("0x000000000000000000000000000000000000beef")

	// Transfers and a contract through node 0.
	var nonce uint64
	for range 5 {
		send(t, c0, testchain.Transfer(key, cid, nonce, to, big.NewInt(7)))
		nonce++
	}
	deploy := send(t, c0, testchain.Deploy(key, cid, nonce, testchain.CounterInit(), 200_000))
	nonce++
	r := waitReceipt(t, c0, deploy)
	counter := r.ContractAddress
	call := send(t, c0, testchain.Call(key, cid, nonce, counter, nil, 100_000))
	nonce++
	if r := waitReceipt(t, c0, call); r.Status != 1 || len(r.Logs) != 1 {
		t.Fatalf("call receipt: status %d, %d logs", r.Status, len(r.Logs))
	}

	// One validator down: the other three keep committing.
	if err := nodes[3].Stop(); err != nil {
		t.Fatal(err)
	}
	nodes[3] = nil
	for range 3 {
		send(t, c1, testchain.Transfer(key, cid, nonce, to, big.NewInt(7)))
		nonce++
	}
	last := send(t, c1, testchain.Call(key, cid, nonce, counter, nil, 100_000))
	nonce++
	r = waitReceipt(t, c1, last)

	// Back up: it catches up and agrees.
	nodes[3] = start(t, homes[3])
	c3 := dial(t, nodes[3])
	target := r.BlockNumber.Uint64() + 2
	// Every node is compared below, so every node must have reached target:
	// three validators commit without the fourth, so one at target says
	// nothing of another.
	for _, c := range []*ethclient.Client{c0, c1, dial(t, nodes[2]), c3} {
		waitHeight(t, c, target)
	}
	for h := uint64(1); h <= target; h++ {
		want, err := c0.HeaderByNumber(context.Background(), new(big.Int).SetUint64(h))
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range nodes {
			got, err := dial(t, n).HeaderByNumber(context.Background(), new(big.Int).SetUint64(h))
			if err != nil {
				t.Fatal(err)
			}
			if got.Hash() != want.Hash() || got.Root != want.Root {
				t.Fatalf("node %d disagrees at height %d: root %s vs %s", i, h, got.Root, want.Root)
			}
		}
	}
	bal, err := c3.BalanceAt(context.Background(), to, nil)
	if err != nil || bal.Int64() != 8*7 {
		t.Fatalf("restarted node: balance %v (%v), want 56", bal, err)
	}
	slot, err := c3.StorageAt(context.Background(), counter, common.Hash{}, nil)
	if err != nil || new(big.Int).SetBytes(slot).Int64() != 2 {
		t.Fatalf("restarted node: counter %x (%v), want 2", slot, err)
	}
	if n, _ := c3.PendingNonceAt(context.Background(), crypto.PubkeyToAddress(key.PublicKey)); n != nonce {
		t.Fatalf("pending nonce %d, want %d", n, nonce)
	}
}

func waitReceipt(t *testing.T, c *ethclient.Client, hash common.Hash) *types.Receipt {
	t.Helper()
	return testchain.WaitReceipt(t, c, hash, 30*time.Second)
}

func waitHeight(t *testing.T, c *ethclient.Client, h uint64) {
	t.Helper()
	testchain.WaitHeight(t, c, h, 60*time.Second)
}

// TestStopEndsTheMempoolClient: a stopped node leaves none of its mempool
// client's goroutines behind (a devnet of several nodes, or the tests,
// would pile them up).
func TestStopEndsTheMempoolClient(t *testing.T) {
	homes, _ := network(t, 1, 0)
	n := start(t, homes[0])
	waitHeight(t, dial(t, n), 1)
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		buf := make([]byte, 1<<22)
		stacks := string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(stacks, "pipelinedClient") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines of the mempool client outlived the node:\n%s", stacks)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestValidatorRebuildsFromConfigAndKeys: an operator deletes a validator's
// data/ (keeping config/ and its keys) to rebuild it. It starts, syncs the
// chain from its peers and agrees with them.
func TestValidatorRebuildsFromConfigAndKeys(t *testing.T) {
	homes, key := network(t, 4, 0)
	nodes := startAll(t, homes)
	c0 := dial(t, nodes[0])
	waitHeight(t, c0, 2)
	if err := nodes[3].Stop(); err != nil {
		t.Fatal(err)
	}
	nodes[3] = nil
	if err := os.RemoveAll(filepath.Join(homes[3], "data")); err != nil {
		t.Fatal(err)
	}
	// Its signing state is in config/, so it remembers what it signed and
	// cannot sign at those heights again, whatever consensus asks of it.
	if signed := signedHeight(t, homes[3]); signed < 2 {
		t.Fatalf("after deleting data/, the signing state says height %d", signed)
	}
	// The others go on for more blocks than a rebuilt validator checks for
	// its own signature before it votes.
	to := common.Address{0x5e}
	var last common.Hash
	for nonce := range uint64(12) {
		last = send(t, c0, testchain.Transfer(key, cid, nonce, to, big.NewInt(1)))
		waitReceipt(t, c0, last)
	}
	nodes[3] = start(t, homes[3])
	c3 := dial(t, nodes[3])
	target := waitReceipt(t, c0, last).BlockNumber.Uint64() + 1
	waitHeight(t, c3, target)
	for h := uint64(1); h <= target; h++ {
		want, _ := c0.HeaderByNumber(context.Background(), new(big.Int).SetUint64(h))
		got, err := c3.HeaderByNumber(context.Background(), new(big.Int).SetUint64(h))
		if err != nil || got.Hash() != want.Hash() {
			t.Fatalf("rebuilt node at height %d: %v", h, err)
		}
	}
	if bal, _ := c3.BalanceAt(context.Background(), to, nil); bal.Int64() != 12 {
		t.Fatalf("rebuilt node: balance %v, want 12", bal)
	}
}

// signedHeight reads the height a home's signing state last signed at.
func signedHeight(t *testing.T, home string) int64 {
	t.Helper()
	b, err := os.ReadFile(config.SignStateFile(home))
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Height json.Number `json:"height"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	h, _ := st.Height.Int64()
	return h
}

// TestSignStateMovesToConfig: a home made when the signing state lived in
// data/ has it moved beside the keys on start, and signs on from it.
func TestSignStateMovesToConfig(t *testing.T) {
	homes, _ := network(t, 1, 0)
	b, err := os.ReadFile(config.SignStateFile(homes[0]))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(config.LegacySignStateFile(homes[0])), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(config.LegacySignStateFile(homes[0]), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(config.SignStateFile(homes[0])); err != nil {
		t.Fatal(err)
	}
	n := start(t, homes[0])
	waitHeight(t, dial(t, n), 2)
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(config.LegacySignStateFile(homes[0])); !os.IsNotExist(err) {
		t.Fatalf("the old signing state is still in data/: %v", err)
	}
	if h := signedHeight(t, homes[0]); h < 2 {
		t.Fatalf("the moved signing state says height %d", h)
	}
}
