package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/privval"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// duplicateVote builds evidence that the validator whose key is in home
// signed two precommits for different blocks at height, as CometBFT's e2e
// runner builds it (test/e2e/runner/evidence.go).
func duplicateVote(t *testing.T, c *rpchttp.HTTP, home string, height int64) *cmttypes.DuplicateVoteEvidence {
	t.Helper()
	ctx := context.Background()
	raw, err := os.ReadFile(filepath.Join(home, "config", "priv_validator_key.json"))
	if err != nil {
		t.Fatal(err)
	}
	var key privval.FilePVKey
	if err := cmtjson.Unmarshal(raw, &key); err != nil {
		t.Fatal(err)
	}
	block, err := c.Block(ctx, &height)
	if err != nil {
		t.Fatal(err)
	}
	per := 100
	vals, err := c.Validators(ctx, &height, nil, &per)
	if err != nil {
		t.Fatal(err)
	}
	set, err := cmttypes.ValidatorSetFromExistingValidators(vals.Validators)
	if err != nil {
		t.Fatal(err)
	}
	idx, _ := set.GetByAddress(key.PubKey.Address())
	if idx < 0 {
		t.Fatalf("%s is no validator at height %d", home, height)
	}
	pv := cmttypes.NewMockPVWithParams(key.PrivKey, false, false)
	blockID := func(seed string) cmttypes.BlockID {
		return cmttypes.BlockID{Hash: crypto.Keccak256([]byte(seed)), PartSetHeader: cmttypes.PartSetHeader{Total: 1, Hash: crypto.Keccak256([]byte(seed + "parts"))}}
	}
	chainID := block.Block.ChainID
	a, err := cmttypes.MakeVote(pv, chainID, idx, height, 0, cmttypes.PrecommitType, blockID("a"), block.Block.Time)
	if err != nil {
		t.Fatal(err)
	}
	b, err := cmttypes.MakeVote(pv, chainID, idx, height, 0, cmttypes.PrecommitType, blockID("b"), block.Block.Time)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []*cmttypes.Vote{a, b} { // vote extensions are off
		v.Extension, v.ExtensionSignature = nil, nil
	}
	ev, err := cmttypes.NewDuplicateVoteEvidence(a, b, block.Block.Time, set)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestDoubleSignRemovesTheValidator runs four validator processes and
// broadcasts evidence that node3 signed twice: the block that carries it
// sets node3's power to zero, node3 leaves CometBFT's validator set, the
// chain goes on, and `chuxin audit` shows the evidence. Evidence against
// node3 once it is out changes nothing, and says so.
func TestDoubleSignRemovesTheValidator(t *testing.T) {
	dir, urls := testnet(t, 4, 0)
	n := len(urls)
	for i := range n {
		p := startProc(t, dir, fmt.Sprintf("node%d", i), "start", "--home", home(dir, i))
		dialWhenUp(t, urls[i], p)
	}
	var id identity
	if err := json.Unmarshal([]byte(cli(t, "identity", "--json", "--home", home(dir, 3))), &id); err != nil {
		t.Fatal(err)
	}
	c, err := rpchttp.New(cometURL(urls, 0))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "height 3", func() bool {
		st, err := c.Status(context.Background())
		return err == nil && st.SyncInfo.LatestBlockHeight >= 3
	})
	st, _ := c.Status(context.Background())
	misbehaved := st.SyncInfo.LatestBlockHeight - 1
	if _, err := c.BroadcastEvidence(context.Background(), duplicateVote(t, c, home(dir, 3), misbehaved)); err != nil {
		t.Fatalf("broadcast evidence: %v", err)
	}
	waitFor(t, "node3 out of the validator set", func() bool {
		_, in := validatorSet(t, cometURL(urls, 0))[id.Address]
		return !in
	})
	out := cli(t, "audit", "--rpc", urls[0], "--kind", "validator")
	if !strings.Contains(out, "beacon: any 3 of its 4 share holders") {
		t.Fatalf("chuxin audit does not show the beacon's threshold:\n%s", out)
	}
	if !strings.Contains(out, fmt.Sprintf("signed twice at height %d; its power 10 was set to 0", misbehaved)) {
		t.Fatalf("chuxin audit after the evidence:\n%s", out)
	}
	if strings.Contains(out, strings.ToLower(id.PubKey)+" power") {
		t.Fatalf("node3 is still listed as a validator:\n%s", out)
	}

	// Evidence against a validator already removed changes nothing.
	if _, err := c.BroadcastEvidence(context.Background(), duplicateVote(t, c, home(dir, 3), misbehaved-1)); err != nil {
		t.Fatalf("broadcast the second evidence: %v", err)
	}
	waitFor(t, "the second evidence in the audit trail", func() bool {
		return strings.Contains(cli(t, "audit", "--rpc", urls[0], "--kind", "validator"), "it was no longer a validator, nothing changed")
	})
	before, _ := c.Status(context.Background())
	waitFor(t, "the chain going on", func() bool {
		now, err := c.Status(context.Background())
		return err == nil && now.SyncInfo.LatestBlockHeight > before.SyncInfo.LatestBlockHeight+1
	})
	if len(validatorSet(t, cometURL(urls, 0))) != 3 {
		t.Fatalf("validators after both pieces of evidence: %v", validatorSet(t, cometURL(urls, 0)))
	}

	// The testnet's validators hold the beacon's shares, 3 of 4 needed.
	// Evidence against node2 too leaves 2 holders among the validators:
	// it takes effect all the same (the beacon waits, the chain goes on).
	var id2 identity
	if err := json.Unmarshal([]byte(cli(t, "identity", "--json", "--home", home(dir, 2))), &id2); err != nil {
		t.Fatal(err)
	}
	st, _ = c.Status(context.Background())
	if _, err := c.BroadcastEvidence(context.Background(), duplicateVote(t, c, home(dir, 2), st.SyncInfo.LatestBlockHeight-1)); err != nil {
		t.Fatalf("broadcast evidence against a second share holder: %v", err)
	}
	waitFor(t, "node2 out of the validator set", func() bool {
		_, in := validatorSet(t, cometURL(urls, 0))[id2.Address]
		return !in
	})
	before, _ = c.Status(context.Background())
	waitFor(t, "the chain going on below the beacon's threshold", func() bool {
		now, err := c.Status(context.Background())
		return err == nil && now.SyncInfo.LatestBlockHeight > before.SyncInfo.LatestBlockHeight+1
	})
	if len(validatorSet(t, cometURL(urls, 0))) != 2 {
		t.Fatalf("validators after evidence against two holders: %v", validatorSet(t, cometURL(urls, 0)))
	}
	for i := range n {
		if logHas(t, dir, fmt.Sprintf("node%d", i), "CONSENSUS FAILURE") {
			t.Fatalf("node%d failed consensus", i)
		}
	}
}
