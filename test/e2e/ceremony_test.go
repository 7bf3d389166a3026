package e2e

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/chuxin-chain/chuxin/internal/devaccounts"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// TestGenesisCeremony: three operators make their homes with `chuxin init`,
// one assembles the genesis from their parts, each installs it after
// checking the published hash, and the network they start commits blocks
// and is governed and permissioned as the parts and flags said. A genesis
// changed on the way is refused.
func TestGenesisCeremony(t *testing.T) {
	dir := t.TempDir()
	base := testchain.PortBase(9)
	accs, err := devaccounts.Derive(devaccounts.Mnemonic, 3)
	if err != nil {
		t.Fatal(err)
	}
	type operator struct{ name, member string }
	ops := []operator{{"beijing", "Beijing"}, {"shanghai", "Shanghai"}, {"regulator", ""}}
	var parts []string
	for i, op := range ops {
		args := []string{"init", "--home", filepath.Join(dir, op.name), "--moniker", op.name,
			"--listen", fmt.Sprintf("127.0.0.1:%d", base+i),
			"--comet-addr", fmt.Sprintf("127.0.0.1:%d", base+3+i),
			"--rpc-addr", fmt.Sprintf("127.0.0.1:%d", base+6+i)}
		if op.member != "" {
			args = append(args, "--fee-recipient", accs[i].Address.Hex(), "--member", op.member, "--governors", accs[i].Address.Hex())
		} else {
			args = append(args, "--observer")
		}
		if out := cli(t, args...); !strings.Contains(out, "it holds no secret") {
			t.Fatalf("chuxin init:\n%s", out)
		}
		parts = append(parts, filepath.Join(dir, op.name, "config", "part.json"))
	}
	genesisFile := filepath.Join(dir, "genesis.json")
	out := cli(t, append([]string{"genesis", "assemble", "--chain-id", "1337", "--out", genesisFile,
		"--fund", accs[2].Address.Hex() + "=100ether", "--role", accs[2].Address.Hex() + "=transactor"}, parts...)...)
	if !strings.Contains(out, "2 validators, 3 nodes, 2 members") {
		t.Fatalf("chuxin genesis assemble:\n%s", out)
	}
	hash := strings.TrimSpace(cli(t, "genesis", "hash", genesisFile))
	if !strings.Contains(out, "genesis hash "+hash) {
		t.Fatalf("assemble printed another hash than `genesis hash` %s:\n%s", hash, out)
	}

	// A genesis changed on the way does not install.
	b, err := os.ReadFile(genesisFile)
	if err != nil {
		t.Fatal(err)
	}
	changed := filepath.Join(dir, "changed.json")
	if err := os.WriteFile(changed, []byte(strings.Replace(string(b), `"power": "10"`, `"power": "11"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := cliFails(t, "genesis", "install", "--home", filepath.Join(dir, "beijing"), "--hash", hash, changed); !strings.Contains(out, "genesis hash mismatch") {
		t.Fatalf("installing a changed genesis:\n%s", out)
	}

	clients := make([]*ethclient.Client, len(ops))
	for i, op := range ops {
		home := filepath.Join(dir, op.name)
		if out := cli(t, "genesis", "install", "--home", home, "--hash", hash, genesisFile); !strings.Contains(out, "2 peers") {
			t.Fatalf("chuxin genesis install:\n%s", out)
		}
		p := startProc(t, dir, op.name, "start", "--home", home)
		clients[i] = dialWhenUp(t, fmt.Sprintf("http://127.0.0.1:%d", base+6+i), p)
	}

	// The funded account has the transactor role; the network is
	// permissioned, so another account, even funded, has not.
	ctx := context.Background()
	tx := testchain.Transfer(accs[2].Key, chainID, 0, common.Address{0xbe, 0xef}, big.NewInt(1))
	if err := clients[2].SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	r := waitReceipt(t, clients[0], tx.Hash())
	err = clients[0].SendTransaction(ctx, testchain.Transfer(accs[0].Key, chainID, 0, common.Address{0xbe, 0xef}, big.NewInt(1)))
	if err == nil || !strings.Contains(err.Error(), "lacks role transactor") {
		t.Fatalf("a transfer by an account without the transactor role: %v", err)
	}
	for i, c := range clients {
		waitHeight(t, c, r.BlockNumber.Uint64())
		h, err := c.HeaderByNumber(ctx, r.BlockNumber)
		if err != nil {
			t.Fatal(err)
		}
		if h.Hash() != r.BlockHash {
			t.Fatalf("%s has block %d %s, the receipt %s", ops[i].name, r.BlockNumber, h.Hash(), r.BlockHash)
		}
	}
	rpc := fmt.Sprintf("http://127.0.0.1:%d", base+8)
	if out := cli(t, "gov", "members", "--rpc", rpc); !strings.Contains(out, "Beijing") || !strings.Contains(out, "Shanghai") || !strings.Contains(out, "regulator") {
		t.Fatalf("gov members on the observer:\n%s", out)
	}
}
