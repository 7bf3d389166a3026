package node_test

import (
	"bytes"
	"context"
	"math/big"
	"testing"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethdb/memorydb"
	"github.com/ethereum/go-ethereum/rlp"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
	"github.com/ethereum/go-ethereum/trie"

	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/node"
	"github.com/chuxin-chain/chuxin/internal/rpc"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// TestReceiptProofVerifiesAgainstSignedCommit checks a receipt as a light
// client would: from chuxin_getReceiptProof to the AppHash, from the AppHash
// to a CometBFT header, from the header to the commit signatures of the
// genesis validators; and that the block's priority fee went to the
// proposer's fee recipient.
func TestReceiptProofVerifiesAgainstSignedCommit(t *testing.T) {
	homes, key := networkWith(t, 2, 0, func(i int, c *config.Config) {
		if i > 0 {
			c.RPC.CometAddr = ""
		}
	})
	nodes := []*node.Node{start(t, homes[0]), start(t, homes[1])}
	defer func() {
		for _, n := range nodes {
			n.Stop()
		}
	}()
	c := dial(t, nodes[0])
	tip := big.NewInt(1e9)
	to := common.Address{0xbe, 0xef}
	tx := testchain.Sign(key, cid, &types.DynamicFeeTx{ChainID: cid, Nonce: 0, To: &to, Value: big.NewInt(1), Gas: 21000, GasFeeCap: tip, GasTipCap: tip})
	r := waitReceipt(t, c, send(t, c, tx))
	if fees, _ := c.BalanceAt(context.Background(), feeRecipient, r.BlockNumber); fees.Cmp(new(big.Int).Mul(tip, big.NewInt(21000))) != 0 {
		t.Fatalf("fee recipient holds %v after a block with a 1 gwei tip on 21000 gas", fees)
	}

	var p rpc.ReceiptProof
	rc, err := gethrpc.Dial("http://" + nodes[0].RPCAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if err := rc.Call(&p, "chuxin_getReceiptProof", tx.Hash()); err != nil {
		t.Fatal(err)
	}

	// 1. The roots hash to the AppHash.
	if p.SystemLogsRoot == nil || !bytes.Equal(crypto.Keccak256(p.StateRoot.Bytes(), p.ReceiptsRoot.Bytes(), p.SystemLogsRoot.Bytes()), p.AppHash) {
		t.Fatal("appHash is not keccak256(stateRoot ‖ receiptsRoot ‖ systemLogsRoot)")
	}
	// 2. The AppHash is in a header that the genesis validators signed.
	cmt, err := rpchttp.New("http://" + nodes[0].Config.RPC.CometAddr)
	if err != nil {
		t.Fatal(err)
	}
	gen, err := cmttypes.GenesisDocFromFile(homes[0] + "/config/genesis.json")
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]*cmttypes.Validator, len(gen.Validators))
	for i, v := range gen.Validators {
		vals[i] = cmttypes.NewValidator(v.PubKey, v.Power)
	}
	signed := func(appHash []byte, consensusHeight uint64) {
		t.Helper()
		waitHeight(t, c, consensusHeight+1)
		height := int64(consensusHeight)
		commit, err := cmt.Commit(context.Background(), &height)
		if err != nil {
			t.Fatal(err)
		}
		if err := commit.SignedHeader.ValidateBasic(gen.ChainID); err != nil {
			t.Fatal(err)
		}
		if err := cmttypes.NewValidatorSet(vals).VerifyCommitLightAllSignatures(gen.ChainID, commit.Commit.BlockID, height, commit.Commit); err != nil {
			t.Fatalf("commit of height %d: %v", height, err)
		}
		if !bytes.Equal(commit.Header.AppHash, appHash) {
			t.Fatalf("signed header %d has AppHash %X, the proof says %x", height, commit.Header.AppHash, appHash)
		}
	}
	signed(p.AppHash, uint64(p.ConsensusHeight))
	// 3. The receipt is in the receipts root.
	if got := verifyProof(t, p.ReceiptsRoot, uint64(p.TransactionIndex), p.Proof); !bytes.Equal(got, p.Receipt) {
		t.Fatal("the receipt proof ends elsewhere")
	}
	var receipt types.Receipt
	if err := receipt.UnmarshalBinary(p.Receipt); err != nil || receipt.Status != types.ReceiptStatusSuccessful || receipt.CumulativeGasUsed != r.CumulativeGasUsed {
		t.Fatalf("proved receipt: %+v %v", receipt, err)
	}

}

// verifyProof walks a Merkle proof from root along rlp(index) and returns
// the value it ends in.
func verifyProof(t *testing.T, root common.Hash, index uint64, nodes []string) []byte {
	t.Helper()
	proof := memorydb.New()
	for _, node := range nodes {
		b := common.FromHex(node)
		proof.Put(crypto.Keccak256(b), b)
	}
	got, err := trie.VerifyProof(root, rlp.AppendUint64(nil, index), proof)
	if err != nil {
		t.Fatalf("proof against %s: %v", root, err)
	}
	return got
}
