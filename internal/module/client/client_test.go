package client_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/spf13/cobra"

	"github.com/chuxin-chain/chuxin/contracts"
	"github.com/chuxin-chain/chuxin/internal/ceremony"
	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/devaccounts"
	"github.com/chuxin-chain/chuxin/internal/module/client"
	"github.com/chuxin-chain/chuxin/internal/modules"
	"github.com/chuxin-chain/chuxin/internal/node"
	"github.com/chuxin-chain/chuxin/internal/system"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

func TestFlagsKey(t *testing.T) {
	accs, err := devaccounts.Derive(devaccounts.Mnemonic, 2)
	if err != nil {
		t.Fatal(err)
	}
	hexFile := filepath.Join(t.TempDir(), "key.hex")
	if err := os.WriteFile(hexFile, []byte(common.Bytes2Hex(crypto.FromECDSA(accs[0].Key))+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    client.Flags
		want common.Address // zero: no key
		err  error
	}{
		{"no key", client.Flags{DevAccount: -1}, common.Address{}, nil},
		{"a development account", client.Flags{DevAccount: 1}, accs[1].Address, nil},
		{"a hex file", client.Flags{DevAccount: -1, KeyFile: hexFile}, accs[0].Address, nil},
		{"two ways", client.Flags{DevAccount: 1, KeyFile: hexFile}, common.Address{}, client.ErrKeyFlags},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := tc.f.Key()
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			var got common.Address
			if k != nil {
				got = crypto.PubkeyToAddress(k.PublicKey)
			}
			if got != tc.want {
				t.Fatalf("key of %s, want %s", got, tc.want)
			}
		})
	}
}

func TestFlagsPrintTextOrJSON(t *testing.T) {
	cmd := &cobra.Command{Use: "x"}
	var f client.Flags
	f.Add(cmd)
	if err := cmd.ParseFlags([]string{"--json"}); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Print(&b, map[string]int{"n": 1}, "one\n"); err != nil || b.String() != "{\n  \"n\": 1\n}\n" {
		t.Fatalf("--json printed %q, %v", b.String(), err)
	}
	f.JSON = false
	b.Reset()
	if err := f.Print(&b, nil, "one\n"); err != nil || b.String() != "one\n" {
		t.Fatalf("text printed %q, %v", b.String(), err)
	}
}

// TestAgainstANode: on a one-validator network, the client reads a
// contract, sends a transaction and waits for it, and names a contract's
// refusal without sending it.
func TestAgainstANode(t *testing.T) {
	accs, err := devaccounts.Derive(devaccounts.Mnemonic, 1)
	if err != nil {
		t.Fatal(err)
	}
	base := testchain.PortBase(3)
	homes, err := ceremony.WriteNetwork(ceremony.NetworkSpec{
		Dir: t.TempDir(), ChainID: 1337, Validators: 1, P2PPortBase: base, RPCPortBase: base + 2,
		Alloc:        types.GenesisAlloc{accs[0].Address: {Balance: big.NewInt(1e18)}},
		FeeRecipient: common.HexToAddress("0xfee"),
		Tune: func(_ int, c *config.Config) {
			c.Consensus.TimeoutCommit = config.Duration(50 * time.Millisecond)
			c.RPC.CometAddr = ""
			c.DB.CacheMB = 16
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := node.Open(context.Background(), homes[0], slog.New(slog.DiscardHandler), modules.Set())
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	f := client.Flags{RPC: "http://" + n.RPCAddr(), DevAccount: 0}
	c, err := f.Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.From() != accs[0].Address {
		t.Fatalf("the client's account is %s", c.From())
	}
	art, err := contracts.Load("Consortium")
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.View(ctx, system.ConsortiumAddress, &art.ABI, "ADMIN")
	if err != nil || out[0].(*big.Int).Uint64() != 1 {
		t.Fatalf("ADMIN: %v, %v", out, err)
	}
	to := common.HexToAddress("0x1234")
	r, err := c.SendTo(ctx, to, nil)
	if err != nil || r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("a transaction: %v, %v", r, err)
	}
	vote, err := art.ABI.Pack("vote", big.NewInt(7), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendTo(ctx, system.ConsortiumAddress, vote); !errors.Is(err, client.ErrRefused) || !strings.Contains(err.Error(), "governor") {
		t.Fatalf("a vote by no governor: %v", err)
	}
	nonce, err := c.Eth().NonceAt(ctx, c.From(), nil)
	if err != nil || nonce != 1 {
		t.Fatalf("nonce %d (%v): the refused vote was sent", nonce, err)
	}
	ro, err := client.Dial(ctx, f.RPC, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.SendTo(ctx, to, nil); !errors.Is(err, client.ErrNoKey) {
		t.Fatalf("a read-only client sends: %v", err)
	}
}
