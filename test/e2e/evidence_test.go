package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmtmath "github.com/cometbft/cometbft/libs/math"
	"github.com/cometbft/cometbft/privval"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethdb/memorydb"
	"github.com/ethereum/go-ethereum/rlp"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
	"github.com/ethereum/go-ethereum/trie"

	"github.com/chuxin-chain/chuxin/internal/rpc/wire"
	"github.com/chuxin-chain/chuxin/internal/system"
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
	provesMisbehaviour(t, urls, dir, id.PubKey)

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

// provesMisbehaviour checks the evidence's system log as a light client
// would: chuxin_getSystemLogs serves the Misbehaved event of the validator
// whose consensus key is pubKey, and chuxin_getSystemLogProof proves it
// against an AppHash that the genesis validators signed in a CometBFT
// header.
func provesMisbehaviour(t *testing.T, urls []string, dir, pubKey string) {
	t.Helper()
	c, err := gethrpc.Dial(urls[0])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var logs []wire.SystemLog
	misbehaved := crypto.Keccak256Hash([]byte("Misbehaved(bytes32,uint64,uint8,uint64)"))
	if err := c.Call(&logs, "chuxin_getSystemLogs", map[string]any{"fromBlock": "0x1", "topics": []any{misbehaved, common.HexToHash(pubKey)}}); err != nil {
		t.Fatal(err)
	}
	if len(logs) != 1 || logs[0].SystemCall.Phase != "preBlock" || logs[0].Address != system.ConsortiumAddress {
		t.Fatalf("the evidence's system logs: %+v", logs)
	}
	var p wire.SystemLogProof
	if err := c.Call(&p, "chuxin_getSystemLogProof", logs[0].BlockNumber, logs[0].LogIndex); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(crypto.Keccak256(p.StateRoot.Bytes(), p.ReceiptsRoot.Bytes(), p.SystemLogsRoot.Bytes()), p.AppHash) {
		t.Fatal("appHash is not keccak256(stateRoot ‖ receiptsRoot ‖ systemLogsRoot)")
	}
	proof := memorydb.New()
	for _, node := range p.Proof {
		b := common.FromHex(node)
		proof.Put(crypto.Keccak256(b), b)
	}
	if got, err := trie.VerifyProof(p.SystemLogsRoot, rlp.AppendUint64(nil, uint64(p.LogIndex)), proof); err != nil || !bytes.Equal(got, p.Log) {
		t.Fatalf("the system log's proof: %v", err)
	}
	cmt, err := rpchttp.New(cometURL(urls, 0))
	if err != nil {
		t.Fatal(err)
	}
	height := int64(p.ConsensusHeight)
	var commit *coretypes.ResultCommit
	waitFor(t, fmt.Sprintf("the commit of height %d", height), func() bool {
		commit, err = cmt.Commit(context.Background(), &height)
		return err == nil && commit.CanonicalCommit
	})
	gen, err := cmttypes.GenesisDocFromFile(filepath.Join(home(dir, 0), "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]*cmttypes.Validator, len(gen.Validators))
	for i, v := range gen.Validators {
		vals[i] = cmttypes.NewValidator(v.PubKey, v.Power)
	}
	// The genesis validators trust this header: node3, whose power the
	// evidence removed, still counts there with a quarter, as a light
	// client that trusts the genesis set would count it.
	if err := cmttypes.NewValidatorSet(vals).VerifyCommitLightTrusting(gen.ChainID, commit.Commit, cmtmath.Fraction{Numerator: 2, Denominator: 3}); err != nil {
		t.Fatalf("the commit of height %d: %v", height, err)
	}
	if !bytes.Equal(commit.Header.AppHash, p.AppHash) {
		t.Fatalf("signed header %d has AppHash %X, the proof says %x", height, commit.Header.AppHash, p.AppHash)
	}
}
