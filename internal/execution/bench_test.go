package execution_test

import (
	"math/big"
	"runtime"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/chuxin-chain/chuxin/contracts"
	"github.com/chuxin-chain/chuxin/internal/system"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// admittedCache is what mempool admission leaves for execution: every
// transaction it admitted, decoded, with its sender.
type admittedCache map[string]admittedTx

type admittedTx struct {
	tx   *types.Transaction
	from common.Address
}

func (c admittedCache) Lookup(raw []byte) (*types.Transaction, common.Address, bool) {
	a, ok := c[string(raw)]
	return a.tx, a.from, ok
}

// BenchmarkBlockOfTransfers applies and commits to disk blocks of 1,000
// signed native transfers from 1,000 senders: decoding, execution, the state
// commit and the block's write with its fsync, no consensus. It reports
// transactions per second in two settings: "recover" decodes and recovers
// every transaction (a node replaying blocks it never saw in its mempool),
// "admitted" finds them decoded with their senders, as mempool admission
// left them (a validator finalizing a block from its mempool).
//
// "permissioned" is "admitted" on a permissioned network whose senders hold
// the transactor role: the cost of the role checks.
func BenchmarkBlockOfTransfers(b *testing.B) {
	b.Run("recover", func(b *testing.B) { benchTransfers(b, false, false) })
	b.Run("admitted", func(b *testing.B) { benchTransfers(b, true, false) })
	b.Run("permissioned", func(b *testing.B) { benchTransfers(b, true, true) })
	b.Run("frozen10k", func(b *testing.B) { benchTransfers(b, true, false, 10_000) })
}

// benchTransfers times blocks of 1,000 transfers, with frozen accounts
// frozen (none by default) before the first.
func benchTransfers(b *testing.B, admitted, permissioned bool, frozen ...int) {
	const perBlock = 1000
	g := testchain.Genesis(chainID, 1_000_000_000, nil)
	if permissioned {
		g.Consortium.Permissioned = true
		for i := range perBlock {
			g.Consortium.Roles = append(g.Consortium.Roles, system.RoleGrant{Account: crypto.PubkeyToAddress(testKey(i).PublicKey), Roles: []string{"transactor"}})
		}
	}
	c := fundedChainOf(b, g, perBlock, nil)
	if len(frozen) > 0 {
		freezeMany(b, c, frozen[0])
		runtime.GC() // the setup's garbage is not the blocks' cost
	}
	cache := admittedCache{}
	if admitted {
		c.exec.Cache = cache
	}
	blocks := make([][][]byte, b.N)
	for n := range b.N {
		blocks[n] = make([][]byte, perBlock)
		for i := range perBlock {
			tx := testchain.Transfer(c.keys[i], cid, uint64(n), c.addrs[(i+1)%perBlock], big.NewInt(1))
			blocks[n][i] = raw(tx)
			tx.Hash() // admission hashed it (CheckTx pools it by hash); the hash is kept with it
			cache[string(blocks[n][i])] = admittedTx{tx, c.addrs[i]}
		}
	}
	applyBlocks(b, c, blocks)
}

// freezeMany freezes n accounts (none of the senders), by the governor,
// who is a regulator, in blocks of up to 5,000 freezes.
func freezeMany(b *testing.B, c *chain, n int) {
	b.Helper()
	var txs [][]byte
	for i := range n {
		data, _ := system.Pack("freeze", common.BigToAddress(big.NewInt(int64(1_000_000+i))), "bench")
		txs = append(txs, raw(testchain.Call(testchain.GovernorKey, cid, uint64(i), system.ConsortiumAddress, data, 200_000)))
	}
	for len(txs) > 0 {
		k := min(len(txs), 5_000)
		if res := c.apply(txs[:k]...); len(res.Block.Transactions()) != k {
			b.Fatalf("freezing: %d of %d ran: %v", len(res.Block.Transactions()), k, res.Outcomes[len(res.Block.Transactions())].Err)
		}
		txs = txs[k:]
	}
}

// applyBlocks times applying and committing the prepared blocks, each of
// which must execute whole, and reports transactions per second.
func applyBlocks(b *testing.B, c *chain, blocks [][][]byte) {
	b.ResetTimer()
	start, total := time.Now(), 0
	for n, txs := range blocks {
		res := c.apply(txs...)
		if len(res.Block.Transactions()) != len(txs) {
			b.Fatalf("block %d: %d of %d transactions executed: %v", n, len(res.Block.Transactions()), len(txs), res.Outcomes[0].Err)
		}
		total += len(txs)
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "tx/s")
}

// BenchmarkBlockOfERC20Transfers is BenchmarkBlockOfTransfers for blocks of
// 1,000 OpenZeppelin ERC-20 transfers (the contract of contracts/apps).
func BenchmarkBlockOfERC20Transfers(b *testing.B) {
	const perBlock = 1000
	c := newChain(b, perBlock)
	token, err := contracts.Load("ChuxinToken")
	if err != nil {
		b.Fatal(err)
	}
	code, _ := token.DeployData(new(big.Int).Exp(big.NewInt(10), big.NewInt(30), nil))
	res := c.apply(raw(testchain.Deploy(c.keys[0], cid, 0, code, 3_000_000)))
	addr := res.Receipts[0].ContractAddress
	// Give every sender tokens.
	var grants [][]byte
	for i := range perBlock {
		data, _ := token.ABI.Pack("transfer", c.addrs[i], big.NewInt(1e18))
		grants = append(grants, raw(testchain.Call(c.keys[0], cid, uint64(1+i), addr, data, 100_000)))
	}
	if res := c.apply(grants...); len(res.Block.Transactions()) != perBlock {
		b.Fatalf("grants: %d of %d", len(res.Block.Transactions()), perBlock)
	}
	blocks := make([][][]byte, b.N)
	for n := range b.N {
		blocks[n] = make([][]byte, perBlock)
		for i := range perBlock {
			data, _ := token.ABI.Pack("transfer", c.addrs[(i+1)%perBlock], big.NewInt(1))
			nonce := uint64(n)
			if i == 0 {
				nonce += 1 + perBlock // the deployer also sent the grants
			}
			blocks[n][i] = raw(testchain.Call(c.keys[i], cid, nonce, addr, data, 100_000))
		}
	}
	applyBlocks(b, c, blocks)
}
