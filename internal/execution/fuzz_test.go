package execution_test

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// FuzzDecodeTx feeds arbitrary bytes to transaction decoding and sender
// recovery: they must refuse with an error, never panic, and what they
// accept must re-encode to the same bytes.
func FuzzDecodeTx(f *testing.F) {
	c := newChain(f, 1)
	f.Add(raw(testchain.Transfer(c.keys[0], cid, 0, c.addrs[0], big.NewInt(1))))
	f.Add(raw(testchain.Deploy(c.keys[0], cid, 3, testchain.CounterInit(), 100_000)))
	f.Add([]byte{0x02, 0xc0})
	f.Add([]byte{0xf8, 0x00})
	f.Add([]byte{})
	exec := execution.NewExecutor(testchain.Genesis(chainID, 30_000_000, nil), execution.Extensions{})
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := exec.DecodeTx(b)
		if err != nil {
			return
		}
		if _, err := exec.Sender(tx); err != nil {
			return
		}
		again, err := tx.MarshalBinary()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("accepted %x but it re-encodes to %x (%v)", b, again, err)
		}
	})
}

// FuzzExecuteBlock executes blocks of arbitrary raw transactions on top of
// a chain: execution must never fail or panic on bad input, only skip it.
func FuzzExecuteBlock(f *testing.F) {
	c := newChain(f, 2)
	good := raw(testchain.Transfer(c.keys[0], cid, 0, c.addrs[1], big.NewInt(1)))
	f.Add(good, []byte{0x01, 0x02})
	f.Add([]byte{0xc0}, good)
	f.Add(raw(hugeFee(c.keys[1], c.addrs[0])), good)
	f.Fuzz(func(t *testing.T, a, b []byte) {
		st, err := c.st.State(c.head.Root)
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.exec.Execute(st, c.st.Chain(), &execution.BlockInput{Parent: c.head, Time: c.head.Time + 1, Txs: [][]byte{a, b}})
		if err != nil {
			t.Fatalf("execute: %v", err)
		}
		if len(res.Outcomes) != 2 {
			t.Fatalf("%d outcomes for 2 transactions", len(res.Outcomes))
		}
	})
}
