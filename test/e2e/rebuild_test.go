package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/devaccounts"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// TestRebuiltValidatorNeverSignsTwice follows the README's "Rebuilding a
// node" for a validator of a four-validator network: stop it, let more
// blocks pass than CometBFT's own double-sign check looks back, delete its
// data/, start it again. It catches up without a vote that conflicts with
// one it signed before (CometBFT logs "conflicting vote from ourselves"),
// no evidence is committed against it, and it signs new blocks.
func TestRebuiltValidatorNeverSignsTwice(t *testing.T) {
	validatorComesBack(t, "node3-rebuilt", nil, syscall.SIGTERM, func(home string) {
		if err := os.RemoveAll(filepath.Join(home, "data")); err != nil {
			t.Fatal(err)
		}
	})
}

// TestRestoredValidatorNeverSignsTwice follows the README's disaster
// recovery: a validator is backed up while it runs (chuxin backup
// --encrypt), signs on, is killed and its whole home is lost, and is
// restored on a fresh home (chuxin restore) from the backup, whose signing
// state is behind what it signed since. It catches up, signs again, and
// signs nothing that conflicts with its votes.
func TestRestoredValidatorNeverSignsTwice(t *testing.T) {
	var archive, pass string
	validatorComesBack(t, "node3-restored", func(dir, home string) {
		archive, pass = filepath.Join(dir, "node3-backup.tar.gz.age"), filepath.Join(dir, "backup-pass")
		os.WriteFile(pass, []byte("keep it safe\n"), 0o600)
		if out := cli(t, "backup", "--home", home, "--out", archive, "--password", pass); !strings.Contains(out, "encrypted with the passphrase") {
			t.Fatalf("backup:\n%s", out)
		}
		if fi, err := os.Stat(archive); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("the backup's mode: %v %v", fi, err)
		}
	}, syscall.SIGKILL, func(home string) {
		if err := os.RemoveAll(home); err != nil {
			t.Fatal(err)
		}
		if out := cli(t, "restore", "--home", home, "--password", pass, archive); !strings.Contains(out, "signs again once caught up") {
			t.Fatalf("restore:\n%s", out)
		}
	})
}

// validatorComesBack runs a four-validator network, calls before (if set)
// with node3's home while it runs, stops node3 with sig after 5 blocks,
// lets 14 more pass, calls lose with its home, starts it again as name,
// and checks that it signs again without a vote that conflicts with one it
// signed and without evidence against it.
func validatorComesBack(t *testing.T, name string, before func(dir, home string), sig syscall.Signal, lose func(home string)) {
	dir, urls := testnet(t, 4, 0)
	n := len(urls)
	procs := make([]*proc, n)
	for i := range n {
		procs[i] = startProc(t, dir, fmt.Sprintf("node%d", i), "start", "--home", home(dir, i))
	}
	c0 := dialWhenUp(t, urls[0], procs[0])
	for i := 1; i < n; i++ {
		dialWhenUp(t, urls[i], procs[i])
	}
	var id identity
	if err := json.Unmarshal([]byte(cli(t, "identity", "--json", "--home", home(dir, 3))), &id); err != nil {
		t.Fatal(err)
	}
	accs, err := devaccounts.Derive(devaccounts.Mnemonic, 1)
	if err != nil {
		t.Fatal(err)
	}
	nonce := uint64(0)
	blocks := func(k int) uint64 { // k blocks, each with a transfer
		t.Helper()
		var last common.Hash
		for range k {
			tx := testchain.Transfer(accs[0].Key, chainID, nonce, common.Address{0x5e}, big.NewInt(1))
			nonce++
			if err := c0.SendTransaction(context.Background(), tx); err != nil {
				t.Fatal(err)
			}
			last = tx.Hash()
			waitReceipt(t, c0, last)
		}
		return waitReceipt(t, c0, last).BlockNumber.Uint64()
	}
	blocks(5)
	if before != nil {
		before(dir, home(dir, 3))
	}
	blocks(3) // signed after the backup
	procs[3].stop(sig)
	stoppedAt := blocks(14)
	lose(home(dir, 3))
	procs[3] = startProc(t, dir, name, "start", "--home", home(dir, 3))
	c3 := dialWhenUp(t, urls[3], procs[3])
	waitHeight(t, c3, stoppedAt)
	// It signs new blocks: its signature is in the commits of the blocks
	// after it caught up.
	comet, err := rpchttp.New(cometURL(urls, 0))
	if err != nil {
		t.Fatal(err)
	}
	signed := func(h int64) bool {
		commit, err := comet.Commit(context.Background(), &h)
		if err != nil {
			return false
		}
		for _, s := range commit.Commit.Signatures {
			if s.BlockIDFlag == cmttypes.BlockIDFlagCommit && strings.EqualFold(s.ValidatorAddress.String(), id.Address) {
				return true
			}
		}
		return false
	}
	var signedAt uint64
	for range 40 {
		if top := blocks(1); signed(int64(top - 1)) {
			signedAt = top - 1
			break
		}
	}
	if signedAt == 0 {
		t.Fatalf("the validator, back, signed none of the 40 blocks after height %d", stoppedAt)
	}
	log, err := os.ReadFile(filepath.Join(dir, name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(log), "conflicting vote from ourselves") {
		t.Fatalf("the validator, back, signed a vote that conflicts with its own:\n%s", grepLines(string(log), "conflicting"))
	}
	if out := cli(t, "audit", "--rpc", urls[0], "--kind", "validator"); strings.Contains(out, "signed twice") {
		t.Fatalf("evidence was committed against the validator that came back:\n%s", out)
	}
	// A restart and a catch-up are normal operation: no ERROR line.
	noErrorLines(t, log)
	if _, in := validatorSet(t, cometURL(urls, 0))[id.Address]; !in {
		t.Fatal("the validator that came back left the validator set")
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
