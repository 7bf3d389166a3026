package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chuxin-chain/chuxin/internal/devaccounts"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// TestAnOrganisationJoinsARunningNetwork follows the README's "Joining a
// running network" through the CLI only: on a running network of four
// validators, a fifth organisation makes its governor's key (chuxin keys
// new) and its node's home (chuxin init), installs the network's genesis
// with chuxin join, is let in by one proposal (chuxin gov propose --join,
// which warns what the wait for its node costs), starts, catches up and
// signs blocks; its own governor then proposes. Then a genesis validator
// rotates its consensus key (chuxin rotate-key, gov propose
// --rotate-validator): the running node moves to the new key by itself,
// which signs and whose blocks pay the old key's fee recipient.
func TestAnOrganisationJoinsARunningNetwork(t *testing.T) {
	dir, urls := testnet(t, 4, 0)
	procs := make([]*proc, 4)
	for i := range 4 {
		procs[i] = startProc(t, dir, fmt.Sprintf("node%d", i), "start", "--home", home(dir, i))
	}
	c0 := dialWhenUp(t, urls[0], procs[0])
	for i := 1; i < 4; i++ {
		dialWhenUp(t, urls[i], procs[i])
	}
	rpc := []string{"--rpc", urls[0]}
	var id0 identity
	if err := json.Unmarshal([]byte(cli(t, "identity", "--json", "--home", home(dir, 0))), &id0); err != nil {
		t.Fatal(err)
	}
	cfg0, err := os.ReadFile(filepath.Join(home(dir, 0), "config", "chuxin.toml"))
	if err != nil {
		t.Fatal(err)
	}
	listen0 := ""
	for _, l := range strings.Split(string(cfg0), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "listen = "); ok && listen0 == "" {
			listen0 = strings.Trim(v, `'"`)
		}
	}
	if listen0 == "" {
		t.Fatalf("no p2p listen address in node0's configuration:\n%s", cfg0)
	}

	// Hangzhou's governor key and node.
	pass := filepath.Join(dir, "hz-pass")
	os.WriteFile(pass, []byte("hangzhou\n"), 0o600)
	var govAddr, govFile string
	if _, err := fmt.Sscanf(cli(t, "keys", "new", "--dir", filepath.Join(dir, "hz-keys"), "--password", pass, "--light-kdf"), "address %s\nkeystore %s\n", &govAddr, &govFile); err != nil {
		t.Fatal(err)
	}
	ports := testchain.PortBase(3)
	hz := filepath.Join(dir, "hangzhou")
	cli(t, "init", "--home", hz, "--moniker", "hangzhou-1",
		"--listen", fmt.Sprintf("127.0.0.1:%d", ports), "--comet-addr", fmt.Sprintf("127.0.0.1:%d", ports+1),
		"--rpc-addr", fmt.Sprintf("127.0.0.1:%d", ports+2), "--fee-recipient", govAddr,
		"--member", "Hangzhou", "--weight", "1", "--governors", govAddr)
	gen := filepath.Join(home(dir, 0), "config", "genesis.json")
	hash := strings.TrimSpace(cli(t, "genesis", "hash", gen))
	// The genesis does not name the node: install refuses and says what to do.
	if out := cliFails(t, "genesis", "install", "--home", hz, "--hash", hash, gen); !strings.Contains(out, "chuxin join") {
		t.Fatalf("install of a genesis that does not name the node:\n%s", out)
	}
	out := cli(t, "join", "--home", hz, "--hash", hash, "--peers", id0.NodeID+"@"+listen0, gen)
	if !strings.Contains(out, "gov propose --join") || !strings.Contains(out, "holds no share of the beacon") {
		t.Fatalf("join:\n%s", out)
	}

	// One proposal lets Hangzhou in; the proposer's vote and two more pass it.
	part := filepath.Join(hz, "config", "part.json")
	out = cli(t, append([]string{"gov", "propose", "--dev-account", "0", "--description", "Hangzhou joins", "--join", part}, rpc...)...)
	if !strings.Contains(out, "WARNING: hangzhou-1 will be a validator") || !strings.Contains(out, "voted for proposal 1") {
		t.Fatalf("propose --join:\n%s", out)
	}
	// A voter is warned too.
	if out := cli(t, append([]string{"gov", "vote", "1", "yes", "--dev-account", "1"}, rpc...)...); !strings.Contains(out, "will be a validator before its node can have caught up") {
		t.Fatalf("the second vote, without the warning:\n%s", out)
	}
	if out := cli(t, append([]string{"gov", "vote", "1", "yes", "--dev-account", "2"}, rpc...)...); !strings.Contains(out, "proposal 1 passed") {
		t.Fatalf("the third vote:\n%s", out)
	}
	var idHZ identity
	if err := json.Unmarshal([]byte(cli(t, "identity", "--json", "--home", hz)), &idHZ); err != nil {
		t.Fatal(err)
	}
	members := cli(t, append([]string{"gov", "members"}, rpc...)...)
	if !strings.Contains(members, "Hangzhou") || !strings.Contains(members, idHZ.NodeID) || !strings.Contains(strings.ToLower(members), strings.ToLower(idHZ.PubKey)) ||
		!strings.Contains(members, "on node "+idHZ.NodeID+", run by member Hangzhou") {
		t.Fatalf("gov members after the join:\n%s", members)
	}
	// The answering node is "this node", the genesis validators have names,
	// and the block times show.
	if !regexp.MustCompile(`blocks: the last at 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC, one every \d+\.\d\d s`).MatchString(members) {
		t.Fatalf("gov members shows no block times:\n%s", members)
	}
	if !regexp.MustCompile(id0.NodeID+` +node0 +this node`).MatchString(members) || !regexp.MustCompile(`(?m)^  node1 +[0-9A-F]{40} `).MatchString(members) {
		t.Fatalf("gov members marks neither node0 itself nor the validators' names:\n%s", members)
	}

	// It starts, catches up and signs.
	p := startProc(t, dir, "hangzhou", "start", "--home", hz)
	chz := dialWhenUp(t, fmt.Sprintf("http://127.0.0.1:%d", ports+2), p)
	waitFor(t, "hangzhou-1 signing blocks", func() bool {
		h, err := c0.BlockNumber(context.Background())
		return err == nil && h > 1 && signers(t, cometURL(urls, 0), h-1)[idHZ.Address]
	})
	h, _ := c0.BlockNumber(context.Background())
	waitHeight(t, chz, h)
	if validatorSet(t, cometURL(urls, 0))[idHZ.Address] != "10" {
		t.Fatalf("hangzhou-1 is not a validator of power 10: %v", validatorSet(t, cometURL(urls, 0)))
	}
	// Its own governor, from its keystore, proposes through its own node.
	out = cli(t, "gov", "propose", "--keystore", govFile, "--password", pass, "--rpc", fmt.Sprintf("http://127.0.0.1:%d", ports+2),
		"--description", "a longer voting period", "--set-param", "voting-period=2000")
	if !strings.Contains(out, "proposal 2 created") || !strings.Contains(out, "voted for proposal 2") {
		t.Fatalf("Hangzhou's governor proposes:\n%s", out)
	}
	log, _ := os.ReadFile(p.log)
	noErrorLines(t, log)

	// node1 rotates its consensus key: one proposal hands the new key the
	// old one's power and fee recipient, and the running node moves to it.
	var id1 identity
	if err := json.Unmarshal([]byte(cli(t, "identity", "--json", "--home", home(dir, 1))), &id1); err != nil {
		t.Fatal(err)
	}
	out = cli(t, "rotate-key", "--home", home(dir, 1))
	m := regexp.MustCompile(`new consensus key (0x[0-9a-f]{64}) \(address ([0-9A-F]{40})\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("rotate-key:\n%s", out)
	}
	newKey, newAddr := m[1], m[2]
	out = cli(t, append([]string{"gov", "propose", "--dev-account", "1", "--description", "rotate node1's key", "--rotate-validator", id1.PubKey + ":" + newKey}, rpc...)...)
	if !strings.Contains(out, "takes power 10 and fee recipient") || !strings.Contains(out, "holds a share of the beacon") {
		t.Fatalf("propose --rotate-validator:\n%s", out)
	}
	// Five members now: four yes votes of five pass it.
	if out := cli(t, append([]string{"gov", "vote", "3", "yes", "--dev-account", "0"}, rpc...)...); strings.Contains(out, "WARNING") {
		t.Fatalf("a vote on a rotation warned:\n%s", out)
	}
	cli(t, append([]string{"gov", "vote", "3", "yes", "--dev-account", "2"}, rpc...)...)
	if out := cli(t, "gov", "vote", "3", "yes", "--keystore", govFile, "--password", pass, "--rpc", urls[0]); !strings.Contains(out, "proposal 3 passed") {
		t.Fatalf("the fourth vote:\n%s", out)
	}
	waitFor(t, "node1 signing with its new key", func() bool {
		h, err := c0.BlockNumber(context.Background())
		if err != nil || h < 2 {
			return false
		}
		set := validatorSet(t, cometURL(urls, 0))
		_, old := set[id1.Address]
		return !old && set[newAddr] == "10" && signers(t, cometURL(urls, 0), h-1)[newAddr]
	})
	// No block was missed for it: the commit of the first height whose set
	// holds the new key carries the new key's signature, and the one before
	// the old key's.
	first := uint64(0)
	for h, _ := c0.BlockNumber(context.Background()); h > 1; h-- {
		var vals struct {
			Validators []struct {
				Address string `json:"address"`
			} `json:"validators"`
		}
		cometGet(t, fmt.Sprintf("%s/validators?height=%d&per_page=100", cometURL(urls, 0), h), &vals)
		if !slices.ContainsFunc(vals.Validators, func(v struct {
			Address string `json:"address"`
		}) bool {
			return v.Address == newAddr
		}) {
			break
		}
		first = h
	}
	if first == 0 || !signers(t, cometURL(urls, 0), first)[newAddr] || !signers(t, cometURL(urls, 0), first-1)[id1.Address] {
		t.Fatalf("the rotation missed a block: the new key's first height %d signed %v, the height before by the old key %v",
			first, signers(t, cometURL(urls, 0), first)[newAddr], signers(t, cometURL(urls, 0), first-1)[id1.Address])
	}
	if !logHas(t, dir, "node1", "rotated the consensus key") {
		t.Fatal("node1 did not log its rotation")
	}
	if _, err := os.Stat(filepath.Join(home(dir, 1), "config", "priv_validator_key.retired-"+id1.Address+".json")); err != nil {
		t.Fatalf("the old key was not kept: %v", err)
	}
	var idNew identity
	if err := json.Unmarshal([]byte(cli(t, "identity", "--json", "--home", home(dir, 1))), &idNew); err != nil || idNew.Address != newAddr {
		t.Fatalf("node1's identity after the rotation: %+v %v", idNew, err)
	}
	// The blocks the new key proposes pay the old key's fee recipient.
	waitFor(t, "a block proposed by node1's new key paying its fee recipient", func() bool {
		h, err := c0.BlockNumber(context.Background())
		if err != nil {
			return false
		}
		var blk struct {
			Block struct {
				Header struct {
					Proposer string `json:"proposer_address"`
				} `json:"header"`
			} `json:"block"`
		}
		cometGet(t, fmt.Sprintf("%s/block?height=%d", cometURL(urls, 0), h), &blk)
		if blk.Block.Header.Proposer != newAddr {
			return false
		}
		hdr, err := c0.HeaderByNumber(context.Background(), new(big.Int).SetUint64(h))
		accs, _ := devaccounts.Derive(devaccounts.Mnemonic, 1)
		if err != nil || hdr.Coinbase != accs[0].Address {
			t.Fatalf("block %d by the new key pays %v, want the old key's recipient %s (%v)", h, hdr.Coinbase, accs[0].Address, err)
		}
		return true
	})
	log, _ = os.ReadFile(procs[1].log)
	noErrorLines(t, log)
}
