package testchain

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
)

// WaitReceipt polls a node until the transaction is committed and returns
// its receipt; it fails the test after timeout.
func WaitReceipt(t testing.TB, c *ethclient.Client, hash common.Hash, timeout time.Duration) *types.Receipt {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		r, err := c.TransactionReceipt(context.Background(), hash)
		if err == nil {
			return r
		}
		if !errors.Is(err, ethereum.NotFound) {
			t.Fatalf("receipt %s: %v", hash, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("transaction %s not committed within %v", hash, timeout)
	return nil
}

// WaitHeight polls a node until it has committed height h; it fails the
// test after timeout.
func WaitHeight(t testing.TB, c *ethclient.Client, h uint64, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if n, err := c.BlockNumber(context.Background()); err == nil && n >= h {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("height %d not reached within %v", h, timeout)
}
