package node_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/ceremony"
	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/modules"
	"github.com/chuxin-chain/chuxin/internal/node"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// drandGet decodes a drand API answer from a node, or returns its status.
func drandGet(t *testing.T, addr, path string, v any) int {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/drand" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK && v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

type drandRound struct {
	Round     uint64 `json:"round"`
	Signature string `json:"signature"`
}

// TestBeaconReleasesEpochKeys: four validators (threshold 3) release every
// round's key through their vote extensions; every node serves the same
// keys in drand's API and each verifies under the master key from /info.
// With one validator stopped, the other three still release; an observer
// started later syncs every released key from genesis.
func TestBeaconReleasesEpochKeys(t *testing.T) {
	base := testchain.PortBase(15)
	homes, err := ceremony.WriteNetwork(ceremony.NetworkSpec{
		Dir: t.TempDir(), ChainID: 1337, Validators: 4, Observers: 1, P2PPortBase: base, RPCPortBase: base + 10,
		FeeRecipient: feeRecipient, Beacon: &ceremony.BeaconParams{Period: 1},
		Tune: func(i int, c *config.Config) {
			c.Consensus.TimeoutCommit = config.Duration(100 * time.Millisecond)
			c.Consensus.TimeoutPropose = config.Duration(time.Second)
			c.Consensus.EmptyBlockInterval = config.Duration(500 * time.Millisecond)
			c.RPC.CometAddr = ""
			c.DB.CacheMB = 16
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	nodes := startAll(t, homes[:4])
	var info struct {
		PublicKey string `json:"public_key"`
		Hash      string `json:"hash"`
	}
	if drandGet(t, nodes[0].RPCAddr(), "/info", &info) != http.StatusOK {
		t.Fatal("no /drand/info")
	}
	pkBytes, _ := hex.DecodeString(info.PublicKey)
	master, err := capsule.ParsePublicKey(pkBytes)
	if err != nil {
		t.Fatal(err)
	}
	latest := func(i int) uint64 {
		var r drandRound
		if drandGet(t, nodes[i].RPCAddr(), "/public/latest", &r) != http.StatusOK {
			return 0
		}
		return r.Round
	}
	waitRound := func(i int, want uint64) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for latest(i) < want {
			if time.Now().After(deadline) {
				t.Fatalf("node %d: round %d not released within 60s (latest %d)", i, want, latest(i))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	waitRound(0, 3)
	for round := uint64(1); round <= 3; round++ {
		var first string
		for i := range nodes {
			waitRound(i, round)
			var r drandRound
			if code := drandGet(t, nodes[i].RPCAddr(), fmt.Sprintf("/%s/public/%d", info.Hash, round), &r); code != http.StatusOK {
				t.Fatalf("node %d round %d: status %d", i, round, code)
			}
			sig, _ := hex.DecodeString(r.Signature)
			key, err := capsule.ParseSignature(sig)
			if err != nil {
				t.Fatal(err)
			}
			if err := capsule.Verify(master, round, key); err != nil {
				t.Fatalf("node %d round %d: %v", i, round, err)
			}
			if first == "" {
				first = r.Signature
			} else if r.Signature != first {
				t.Fatalf("node %d serves another key for round %d", i, round)
			}
		}
	}
	// Three of four are the threshold.
	nodes[3].Stop()
	nodes[3] = nil
	now := latest(0)
	waitRound(0, now+3)
	waitRound(2, now+3)
	// An observer syncing from genesis checks every key as it executes the
	// blocks (a pairing each) and serves the same rounds.
	nodes = append(nodes, start(t, homes[4]))
	t.Cleanup(func() { nodes[4].Stop() })
	waitRound(4, now+3)
	for round := uint64(1); round <= now+3; round++ {
		var a, b drandRound
		drandGet(t, nodes[0].RPCAddr(), fmt.Sprintf("/public/%d", round), &a)
		drandGet(t, nodes[4].RPCAddr(), fmt.Sprintf("/public/%d", round), &b)
		if a.Signature == "" || a != b {
			t.Fatalf("round %d: validator %+v, observer %+v", round, a, b)
		}
	}
	// …and reaches the same state root and block hash.
	obs := dial(t, nodes[4])
	h, err := obs.BlockNumber(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mine, err := obs.HeaderByNumber(context.Background(), new(big.Int).SetUint64(h))
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := dial(t, nodes[0]).HeaderByNumber(context.Background(), new(big.Int).SetUint64(h))
	if err != nil {
		t.Fatal(err)
	}
	if mine.Hash() != theirs.Hash() || mine.Root != theirs.Root {
		t.Fatalf("block %d: observer %s (root %s), validator %s (root %s)", h, mine.Hash(), mine.Root, theirs.Hash(), theirs.Root)
	}
}

// TestWrongPartialKeysAreLeftOut: of four validators (threshold 3), one
// holds a wrong share and so sends wrong partial keys. The proposers detect
// them, leave them out and log the validator; the other three release every
// round, whose keys verify.
func TestWrongPartialKeysAreLeftOut(t *testing.T) {
	homes := beaconNetwork(t, 4, 1, 100*time.Millisecond, 500*time.Millisecond)
	// Node 3 keeps its index but gets another dealing's share.
	_, other, err := capsule.Deal(1, 4, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := capsule.SaveShare(config.BeaconShareFile(homes[3]), other[3]); err != nil {
		t.Fatal(err)
	}
	var logs testchain.SyncBuffer
	nodes := make([]*node.Node, 4)
	t.Cleanup(func() {
		for _, n := range nodes {
			if n != nil {
				n.Stop()
			}
		}
	})
	for i, h := range homes {
		log := node.NewLogger(&logs, "info", "text")
		if i == 3 {
			log = testLogger()
		}
		n, err := node.Open(context.Background(), h, log, modules.Set())
		if err != nil {
			t.Fatal(err)
		}
		if err := n.Start(); err != nil {
			t.Fatal(err)
		}
		nodes[i] = n
	}
	var info struct {
		PublicKey string `json:"public_key"`
	}
	deadline := time.Now().Add(60 * time.Second)
	for drandGet(t, nodes[0].RPCAddr(), "/info", &info) != http.StatusOK {
		time.Sleep(100 * time.Millisecond)
	}
	pk, _ := hex.DecodeString(info.PublicKey)
	master, err := capsule.ParsePublicKey(pk)
	if err != nil {
		t.Fatal(err)
	}
	var r drandRound
	for drandGet(t, nodes[0].RPCAddr(), "/public/latest", &r) != http.StatusOK || r.Round < 4 || !strings.Contains(logs.String(), "sent a wrong partial key") {
		if time.Now().After(deadline) {
			t.Fatalf("within 60 s: latest round %d, logs:\n%s", r.Round, logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "holder=4") {
		t.Fatalf("the wrong partial keys are not put down to holder 4:\n%s", logs.String())
	}
	// node1 may be a block behind node0, whose latest round r is: wait
	// for it to have r too.
	for wait := time.Now().Add(10 * time.Second); drandGet(t, nodes[1].RPCAddr(), fmt.Sprintf("/public/%d", r.Round), &drandRound{}) != http.StatusOK; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(wait) {
			t.Fatalf("node1 has not released round %d 10 s after node0", r.Round)
		}
	}
	for round := uint64(1); round <= r.Round; round++ {
		var k drandRound
		if code := drandGet(t, nodes[1].RPCAddr(), fmt.Sprintf("/public/%d", round), &k); code != http.StatusOK {
			t.Fatalf("round %d: status %d", round, code)
		}
		sig, _ := hex.DecodeString(k.Signature)
		key, err := capsule.ParseSignature(sig)
		if err != nil {
			t.Fatal(err)
		}
		if err := capsule.Verify(master, round, key); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
}

// TestIdleChainReleasesEachRoundOnTime: on a chain without transactions,
// whose empty_block_interval (60 s) would leave it without a block for a
// minute, each round's key is released within a block or two of its time:
// the nodes' nudges wake the chain when a round comes, and it waits again
// once the key is out.
func TestIdleChainReleasesEachRoundOnTime(t *testing.T) {
	nodes := startAll(t, beaconNetwork(t, 3, 2, 200*time.Millisecond, 60*time.Second))
	var info struct {
		Period      int64 `json:"period"`
		GenesisTime int64 `json:"genesis_time"`
	}
	for drandGet(t, nodes[0].RPCAddr(), "/info", &info) != http.StatusOK {
		time.Sleep(100 * time.Millisecond)
	}
	due := func() uint64 { return uint64((time.Now().Unix()-info.GenesisTime)/info.Period) + 1 }
	c, err := ethclient.Dial("http://" + nodes[0].RPCAddr())
	if err != nil {
		t.Fatal(err)
	}
	var r drandRound
	deadline := time.Now().Add(30 * time.Second)
	for drandGet(t, nodes[0].RPCAddr(), "/public/latest", &r) != http.StatusOK || r.Round < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("no round released within 30 s (latest %d, due %d)", r.Round, due())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Watch ten rounds: the latest key is never more than the round due
	// and the one before it behind (the one before: its blocks are on
	// their way), and each round costs a few blocks, not a stream of them.
	startHeight, _ := c.BlockNumber(context.Background())
	startRound := r.Round
	var worst uint64
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(250 * time.Millisecond) {
		want := due()
		if drandGet(t, nodes[0].RPCAddr(), "/public/latest", &r) != http.StatusOK {
			t.Fatal("no latest round")
		}
		if lag := want - min(want, r.Round); lag > worst {
			worst = lag
		}
	}
	height, _ := c.BlockNumber(context.Background())
	rounds := r.Round - startRound
	t.Logf("%d rounds released in 20 s with %d blocks; the latest key at most %d rounds behind the round due", rounds, height-startHeight, worst)
	if worst > 1 {
		t.Fatalf("an idle chain's latest key fell %d rounds behind the round due", worst)
	}
	if rounds < 8 || height-startHeight > 4*rounds+4 {
		t.Fatalf("%d rounds released with %d blocks", rounds, height-startHeight)
	}
}

// beaconNetwork writes the homes of a network of validators that hold a
// beacon of period seconds, with the commit timeout and empty-block
// interval given.
func beaconNetwork(t *testing.T, validators int, period uint32, commit, empty time.Duration) []string {
	t.Helper()
	base := testchain.PortBase(12)
	homes, err := ceremony.WriteNetwork(ceremony.NetworkSpec{
		Dir: t.TempDir(), ChainID: 1337, Validators: validators, P2PPortBase: base, RPCPortBase: base + 8,
		FeeRecipient: feeRecipient, Beacon: &ceremony.BeaconParams{Period: period},
		Tune: func(i int, c *config.Config) {
			c.Consensus.TimeoutCommit = config.Duration(commit)
			c.Consensus.EmptyBlockInterval = config.Duration(empty)
			c.RPC.CometAddr = ""
			c.DB.CacheMB = 16
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return homes
}
