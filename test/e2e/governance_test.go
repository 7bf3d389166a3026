package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/chuxin-chain/chuxin/internal/devaccounts"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// cli runs the chuxin binary and returns its output, failing the test if it
// fails.
func cli(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(chuxinBinary(t), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("chuxin %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// cliFails runs the chuxin binary, wants it to fail, and returns its output.
func cliFails(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(chuxinBinary(t), args...).CombinedOutput()
	if err == nil {
		t.Fatalf("chuxin %s succeeded:\n%s", strings.Join(args, " "), out)
	}
	return string(out)
}

// cometGet decodes a CometBFT RPC answer's result.
func cometGet(t *testing.T, url string, result any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(body.Result, result); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
}

// validatorSet returns the CometBFT validator set at the latest height:
// address → power.
func validatorSet(t *testing.T, cometURL string) map[string]string {
	var res struct {
		Validators []struct {
			Address     string `json:"address"`
			VotingPower string `json:"voting_power"`
		} `json:"validators"`
	}
	cometGet(t, cometURL+"/validators", &res)
	set := map[string]string{}
	for _, v := range res.Validators {
		set[v.Address] = v.VotingPower
	}
	return set
}

// signers returns the validators whose commit signatures a block carries.
func signers(t *testing.T, cometURL string, height uint64) map[string]bool {
	var res struct {
		SignedHeader struct {
			Commit struct {
				Signatures []struct {
					Flag    int    `json:"block_id_flag"`
					Address string `json:"validator_address"`
				} `json:"signatures"`
			} `json:"commit"`
		} `json:"signed_header"`
	}
	cometGet(t, fmt.Sprintf("%s/commit?height=%d", cometURL, height), &res)
	out := map[string]bool{}
	for _, s := range res.SignedHeader.Commit.Signatures {
		if s.Flag == 2 {
			out[s.Address] = true
		}
	}
	return out
}

// waitFor polls cond until it holds, nudging the chain with a transaction
// so that it makes blocks, for up to a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 90s", what)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

type identity struct {
	NodeID  string `json:"nodeId"`
	PubKey  string `json:"consensusPubKey"`
	Address string `json:"consensusAddress"`
}

// TestConsortiumGovernsTheNetwork runs four validators and two more nodes of
// a permissioned testnet as processes, and governs it through the CLI: the
// members vote node5 in as a validator and it signs blocks; they vote node3
// out and it leaves the set; the chain commits throughout. An account
// without roles is refused, an admin grants it the transactor role, a
// regulator freezes and unfreezes it. The members revoke node6's admission:
// the others disconnect it and refuse it with the reason in their logs, and
// it warns that it may not be admitted. Last, node4 starts from genesis and
// reaches the same blocks. Then the members schedule a rule version this
// binary does not know: every node warns and stops before its height.
func TestConsortiumGovernsTheNetwork(t *testing.T) {
	dir, urls := testnet(t, 4, 3)
	n := len(urls)
	clients := make([]*ethclient.Client, n)
	for _, i := range []int{0, 1, 2, 3, 5, 6} {
		p := startProc(t, dir, fmt.Sprintf("node%d", i), "start", "--home", home(dir, i))
		clients[i] = dialWhenUp(t, urls[i], p)
	}
	rpc := []string{"--rpc", urls[0]}
	ids := make([]identity, n)
	for i := range n {
		if err := json.Unmarshal([]byte(cli(t, "identity", "--json", "--home", home(dir, i))), &ids[i]); err != nil {
			t.Fatal(err)
		}
	}

	// Vote node5 in: two of four members are not enough, the third passes
	// it. The proposer's vote is cast with its proposal. A new validator
	// names its admitted node.
	out := cliFails(t, append([]string{"gov", "propose", "--dev-account", "0", "--description", "admit node5",
		"--set-validator", ids[5].PubKey + ":10"}, rpc...)...)
	if !strings.Contains(out, "is new: name the admitted node that signs with it") {
		t.Fatalf("a new validator without its node:\n%s", out)
	}
	out = cli(t, append([]string{"gov", "propose", "--dev-account", "0", "--description", "admit node5",
		"--set-validator", ids[5].PubKey + ":10:" + ids[5].NodeID}, rpc...)...)
	if !strings.Contains(out, "proposal 1 created") || !strings.Contains(out, "voted for proposal 1") {
		t.Fatalf("propose:\n%s", out)
	}
	for _, k := range []int{1, 2} {
		out := cli(t, append([]string{"gov", "vote", "1", "yes", "--dev-account", fmt.Sprint(k)}, rpc...)...)
		if !strings.Contains(out, "voted for proposal 1") || (k == 1) == strings.Contains(out, "passed") {
			t.Fatalf("vote by member %d:\n%s", k, out)
		}
	}
	out = cliFails(t, append([]string{"gov", "vote", "1", "yes", "--dev-account", "3"}, rpc...)...)
	if !strings.Contains(out, "proposal 1 is passed: it takes no votes") {
		t.Fatalf("a vote on a passed proposal:\n%s", out)
	}
	waitFor(t, "node5 in the validator set", func() bool { return validatorSet(t, cometURL(urls, 0))[ids[5].Address] == "10" })
	waitFor(t, "node5 signing", func() bool {
		h, err := clients[0].BlockNumber(context.Background())
		return err == nil && h > 1 && signers(t, cometURL(urls, 0), h-1)[ids[5].Address]
	})

	// Vote node3 out, lower the block gas limit, and hand member node2 to a
	// governor whose key is a keystore file made by chuxin keys new.
	ksDir := filepath.Join(dir, "keystore")
	pass := filepath.Join(dir, "pass.txt")
	if err := os.WriteFile(pass, []byte("correct horse battery staple\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out = cli(t, "keys", "new", "--dir", ksDir, "--password", pass, "--light-kdf")
	var ksAddr, ksFile string
	if _, err := fmt.Sscanf(out, "address %s\nkeystore %s\n", &ksAddr, &ksFile); err != nil {
		t.Fatalf("keys new:\n%s", out)
	}
	if out := cli(t, "keys", "list", "--dir", ksDir); !strings.Contains(out, ksAddr) {
		t.Fatalf("keys list:\n%s", out)
	}
	keystoreGov := []string{"--keystore", ksFile, "--password", pass}
	out = cli(t, append([]string{"gov", "propose", "--dev-account", "1", "--no-vote", "--description", "retire node3", "--remove-validator", ids[3].PubKey,
		"--set-param", "gas-limit=60000000", "--set-member", "node2:1:" + ksAddr}, rpc...)...)
	if strings.Contains(out, "voted") {
		t.Fatalf("propose --no-vote voted:\n%s", out)
	}
	for _, k := range []int{1, 0, 2} {
		cli(t, append([]string{"gov", "vote", "2", "yes", "--dev-account", fmt.Sprint(k)}, rpc...)...)
	}
	waitFor(t, "node3 out of the validator set", func() bool {
		_, in := validatorSet(t, cometURL(urls, 0))[ids[3].Address]
		return !in
	})
	// Blocks after the proposal's have the new gas limit; CometBFT, which
	// would hand proposers transactions only up to a gas bound of its own,
	// has none (rule version 2): the proposer applies the limit. CometBFT's
	// /validators shows the set of the height after its last block, whose
	// execution may not have committed yet: the passing block can still be
	// the head, so read the block after the present head.
	now, err := clients[0].BlockNumber(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	waitHeight(t, clients[0], now+1)
	if h, err := clients[0].HeaderByNumber(context.Background(), new(big.Int).SetUint64(now+1)); err != nil || h.GasLimit != 60_000_000 {
		t.Fatalf("the gas limit after the proposal: %v, %v", h, err)
	}
	var params struct {
		Params struct {
			Block struct {
				MaxGas string `json:"max_gas"`
			} `json:"block"`
		} `json:"consensus_params"`
	}
	cometGet(t, cometURL(urls, 0)+"/consensus_params", &params)
	if params.Params.Block.MaxGas != "-1" {
		t.Fatalf("CometBFT's block max_gas after the proposal: %q", params.Params.Block.MaxGas)
	}
	out = cli(t, append([]string{"gov", "members"}, rpc...)...)
	if strings.Contains(out, strings.ToLower(ids[3].PubKey)) || !strings.Contains(out, strings.ToLower(ids[5].PubKey)) || !strings.Contains(out, "on node "+ids[5].NodeID) ||
		!strings.Contains(out, "on node "+ids[1].NodeID+", run by member node1") {
		t.Fatalf("gov members after the changes:\n%s", out)
	}
	if out := cli(t, append([]string{"gov", "show", "2"}, rpc...)...); !strings.Contains(out, "passed") || !strings.Contains(out, "remove validator") {
		t.Fatalf("gov show 2:\n%s", out)
	}

	// Roles: an account without them is refused; an admin grants; a
	// regulator freezes and unfreezes.
	stranger, _ := crypto.ToECDSA(crypto.Keccak256([]byte("stranger")))
	strangerAddr := crypto.PubkeyToAddress(stranger.PublicKey)
	accs, _ := devaccounts.Derive(devaccounts.Mnemonic, 1)
	fund := testchain.Transfer(accs[0].Key, chainID, pendingNonce(t, clients[0], accs[0].Address), strangerAddr, big.NewInt(1e18))
	if err := clients[0].SendTransaction(context.Background(), fund); err != nil {
		t.Fatal(err)
	}
	waitReceipt(t, clients[0], fund.Hash())
	// The role changes go through node0 and the transfers through node1,
	// which may be a block behind: it checks against the state it has.
	caughtUp := func() {
		t.Helper()
		h, err := clients[0].BlockNumber(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		waitHeight(t, clients[1], h)
	}
	send := func() error {
		caughtUp()
		tx := testchain.Transfer(stranger, chainID, pendingNonce(t, clients[1], strangerAddr), common.Address{1}, big.NewInt(1))
		if err := clients[1].SendTransaction(context.Background(), tx); err != nil {
			return err
		}
		waitReceipt(t, clients[1], tx.Hash())
		return nil
	}
	if err := send(); err == nil || !strings.Contains(err.Error(), "account "+strangerAddr.Hex()+" lacks role transactor") {
		t.Fatalf("a transfer without the transactor role: %v", err)
	}
	if out := cli(t, append([]string{"roles", "grant", strangerAddr.Hex(), "transactor", "--dev-account", "0"}, rpc...)...); !strings.Contains(out, "now has roles transactor") {
		t.Fatalf("roles grant:\n%s", out)
	}
	if err := send(); err != nil {
		t.Fatalf("a transactor's transfer: %v", err)
	}
	if out := cliFails(t, append([]string{"freeze", strangerAddr.Hex(), "--reason", "case 7", "--dev-account", "1"}, rpc...)...); !strings.Contains(out, "lacks role regulator") {
		t.Fatalf("a freeze by a non-regulator:\n%s", out)
	}
	cli(t, append([]string{"freeze", strangerAddr.Hex(), "--reason", "case 7", "--dev-account", "0"}, rpc...)...)
	if err := send(); err == nil || !strings.Contains(err.Error(), "account "+strangerAddr.Hex()+" is frozen since block") {
		t.Fatalf("a frozen account's transfer: %v", err)
	}
	if out := cli(t, append([]string{"roles", "show", strangerAddr.Hex()}, rpc...)...); !strings.Contains(out, "frozen since block") {
		t.Fatalf("roles show of a frozen account:\n%s", out)
	}
	cli(t, append([]string{"unfreeze", strangerAddr.Hex(), "--dev-account", "0"}, rpc...)...)
	if err := send(); err != nil {
		t.Fatalf("an unfrozen account's transfer: %v", err)
	}

	// Revoking node6's admission disconnects it; its redials are refused.
	if peers(t, clients[6]) == 0 {
		t.Fatal("node6 has no peers before its admission is revoked")
	}
	cli(t, append([]string{"gov", "propose", "--dev-account", "0", "--description", "node6 leaves", "--revoke-node", ids[6].NodeID}, rpc...)...)
	cli(t, append([]string{"gov", "vote", "3", "yes", "--dev-account", "1"}, rpc...)...)
	// Member node2's old governor no longer votes; its keystore governor does.
	if out := cliFails(t, append([]string{"gov", "vote", "3", "yes", "--dev-account", "2"}, rpc...)...); !strings.Contains(out, "is no member's governor") {
		t.Fatalf("a vote by a replaced governor:\n%s", out)
	}
	if out := cli(t, append(append([]string{"gov", "vote", "3", "yes"}, keystoreGov...), rpc...)...); !strings.Contains(out, "proposal 3 passed") {
		t.Fatalf("the keystore governor's vote:\n%s", out)
	}
	waitFor(t, "node6 without peers", func() bool { return peers(t, clients[6]) == 0 })
	waitFor(t, "the refusals and the warning in the logs", func() bool {
		return logHas(t, dir, "node0", "disconnected a peer whose admission the consortium revoked") &&
			logHas(t, dir, "node1", "refused a peer the consortium has not admitted") &&
			logHas(t, dir, "node6", "may not be admitted")
	})
	if out := cli(t, append([]string{"gov", "members"}, rpc...)...); strings.Contains(out, ids[6].NodeID) || !strings.Contains(out, ids[5].NodeID) {
		t.Fatalf("gov members after the revocation:\n%s", out)
	}

	// The scheduler's allow-list by proposal: the Scheduler is a governed
	// contract, and the consortium, made an admin, calls it.
	allowee := common.HexToAddress("0x00000000000000000000000000000000000a110e")
	sched := "0xC415000000000000000000000000000000000005"
	schedAddr := common.HexToAddress(sched)
	call := []string{"--govern", sched + ":scheduler", "--call", sched + ":allow(address,bool):" + allowee.Hex() + ",true"}
	if out := cliFails(t, append(append([]string{"gov", "propose", "--dev-account", "0", "--description", "allow a scheduler"}, call...), rpc...)...); !strings.Contains(out, "the call of scheduler failed: allowing a scheduler takes the consortium's admin role") {
		t.Fatalf("a governed call the contract refuses:\n%s", out)
	}
	cli(t, append(append([]string{"gov", "propose", "--dev-account", "0", "--description", "allow a scheduler", "--set-roles", "0xC415000000000000000000000000000000000001:admin"}, call...), rpc...)...)
	cli(t, append([]string{"gov", "vote", "4", "yes", "--dev-account", "1"}, rpc...)...)
	if out := cli(t, append(append([]string{"gov", "vote", "4", "yes"}, keystoreGov...), rpc...)...); !strings.Contains(out, "proposal 4 passed") {
		t.Fatalf("the governed call's proposal:\n%s", out)
	}
	allowed, err := clients[0].CallContract(context.Background(), ethereum.CallMsg{To: &schedAddr,
		Data: append(crypto.Keccak256([]byte("allowed(address)"))[:4], common.LeftPadBytes(allowee.Bytes(), 32)...)}, nil)
	if err != nil || len(allowed) != 32 || allowed[31] != 1 {
		t.Fatalf("the scheduler's allow-list after the proposal: %x %v", allowed, err)
	}
	if out := cli(t, append([]string{"gov", "members"}, rpc...)...); !strings.Contains(out, "governed contracts") || !strings.Contains(out, "scheduler") {
		t.Fatalf("gov members lists no governed contract:\n%s", out)
	}

	// A node started now syncs from genesis through every change.
	p := startProc(t, dir, "node4", "start", "--home", home(dir, 4))
	clients[4] = dialWhenUp(t, urls[4], p)
	h, err := clients[0].BlockNumber(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	waitHeight(t, clients[4], h)
	want, _ := clients[0].HeaderByNumber(context.Background(), new(big.Int).SetUint64(h))
	got, err := clients[4].HeaderByNumber(context.Background(), new(big.Int).SetUint64(h))
	if err != nil || got.Hash() != want.Hash() || got.Root != want.Root {
		t.Fatalf("the fresh node's block %d differs: %v", h, err)
	}

	// A rule version this binary does not know, scheduled by governance:
	// every node warns, and every node stops before its height.
	h, _ = clients[0].BlockNumber(context.Background())
	at := h + 12
	cli(t, append([]string{"gov", "propose", "--dev-account", "0", "--description", "an unknown rule version", "--schedule-upgrade", fmt.Sprintf("%d:%d", genesis.KnownRuleVersion+1, at)}, rpc...)...)
	cli(t, append([]string{"gov", "vote", "5", "yes", "--dev-account", "1"}, rpc...)...)
	cli(t, append(append([]string{"gov", "vote", "5", "yes"}, keystoreGov...), rpc...)...)
	// The keystore governor's key, exported in the clear, is a secret the
	// nodes' logs must not hold, as are every home's keys.
	cli(t, "keys", "export", "--keystore", ksFile, "--password", pass, "--out", filepath.Join(dir, "governor.hex"))
	defer noSecretsInLogs(t, dir)
	nudger, _ := devaccounts.Derive(devaccounts.Mnemonic, 5)
	running := []int{0, 1, 2, 4, 5}
	waitFor(t, fmt.Sprintf("every node at height %d", at-1), func() bool {
		tx := testchain.Transfer(nudger[4].Key, chainID, pendingNonce(t, clients[0], nudger[4].Address), common.Address{2}, big.NewInt(1))
		_ = clients[0].SendTransaction(context.Background(), tx) // blocks come sooner; refused once the chain stops
		for _, i := range running {
			if got, err := clients[i].BlockNumber(context.Background()); err != nil || got != at-1 {
				return false
			}
		}
		return true
	})
	time.Sleep(3 * time.Second)
	for _, i := range running {
		if got, _ := clients[i].BlockNumber(context.Background()); got != at-1 {
			t.Fatalf("node%d went past height %d to %d", i, at-1, got)
		}
		if !logHas(t, dir, fmt.Sprintf("node%d", i), "upgrade chuxin") {
			t.Fatalf("node%d did not warn of rule version %d", i, genesis.KnownRuleVersion+1)
		}
	}
}

func pendingNonce(t *testing.T, c *ethclient.Client, a common.Address) uint64 {
	t.Helper()
	n, err := c.PendingNonceAt(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func peers(t *testing.T, c *ethclient.Client) uint64 {
	t.Helper()
	n, err := c.PeerCount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func logHas(t *testing.T, dir, name, text string) bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name+".log"))
	return err == nil && strings.Contains(string(b), text)
}
