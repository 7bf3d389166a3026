package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/chuxin-chain/chuxin/internal/devaccounts"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// cometStatus reads a node's CometBFT /status: its voting power and whether
// it is catching up.
func cometStatus(t *testing.T, url string) (power string, catchingUp bool) {
	t.Helper()
	resp, err := http.Get(url + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Result struct {
			SyncInfo struct {
				CatchingUp bool `json:"catching_up"`
			} `json:"sync_info"`
			ValidatorInfo struct {
				VotingPower string `json:"voting_power"`
			} `json:"validator_info"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st.Result.ValidatorInfo.VotingPower, st.Result.SyncInfo.CatchingUp
}

// TestObserverReplicatesWithoutVoting runs four validators and an observer as
// processes. Transactions sent to the observer are gossiped to the
// validators and committed; the observer holds every block the validators
// hold, serves them over JSON-RPC, and has no voting power.
func TestObserverReplicatesWithoutVoting(t *testing.T) {
	dir, urls := testnet(t, 4, 1)
	clients := make([]*ethclient.Client, 5)
	for i := range 5 {
		p := startProc(t, dir, fmt.Sprintf("node%d", i), "start", "--home", home(dir, i))
		clients[i] = dialWhenUp(t, urls[i], p)
	}
	observer := clients[4]
	accs, _ := devaccounts.Derive(devaccounts.Mnemonic, 1)
	to := common.Address{0x0b, 0x5e}
	var last common.Hash
	for nonce := range uint64(5) {
		tx := testchain.Transfer(accs[0].Key, chainID, nonce, to, big.NewInt(10))
		if err := observer.SendTransaction(context.Background(), tx); err != nil {
			t.Fatal(err)
		}
		last = tx.Hash()
	}
	r := waitReceipt(t, observer, last)
	waitHeight(t, clients[0], r.BlockNumber.Uint64())
	for h := uint64(1); h <= r.BlockNumber.Uint64(); h++ {
		want, err := clients[0].HeaderByNumber(context.Background(), new(big.Int).SetUint64(h))
		if err != nil {
			t.Fatal(err)
		}
		got, err := observer.HeaderByNumber(context.Background(), new(big.Int).SetUint64(h))
		if err != nil || got.Hash() != want.Hash() {
			t.Fatalf("observer block %d differs from the validators' (%v)", h, err)
		}
	}
	if bal, _ := observer.BalanceAt(context.Background(), to, nil); bal.Int64() != 50 {
		t.Fatalf("observer balance %v, want 50", bal)
	}
	if power, _ := cometStatus(t, cometURL(urls, 4)); power != "0" {
		t.Fatalf("observer voting power %s, want 0", power)
	}
	if power, _ := cometStatus(t, cometURL(urls, 0)); power != "10" {
		t.Fatalf("validator voting power %s, want 10", power)
	}
	var peers string
	if err := observer.Client().Call(&peers, "net_peerCount"); err != nil || peers == "0x0" {
		t.Fatalf("observer peers %s %v", peers, err)
	}
}
