// Package client is the client side every CLI command shares: it connects
// to a node over JSON-RPC with an account's key, reads contracts, sends a
// contract's transactions and waits for them to commit, and prints results
// as text or as JSON. It knows no contract and imports no server package:
// the governance commands (internal/govclient) and each module's commands
// (x/NAME/client) are built on it.
//
// A transaction a contract would refuse is never sent: gas estimation runs
// it first, and its revert reason ("account 0x… lacks role admin") is the
// error, wrapped in ErrRefused.
package client

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
)

// Sentinel errors.
var (
	// ErrRefused: the contract or the node refuses the call; the reason
	// follows.
	ErrRefused = errors.New("refused")
	// ErrNotCommitted: the transaction did not commit in time.
	ErrNotCommitted = errors.New("transaction not committed")
	// ErrNoKey: a transaction needs a key.
	ErrNoKey = errors.New("no key: pass --keystore FILE (see chuxin keys), --key FILE of hex, or --dev-account N on a development network")
)

// Client talks to one node for one account.
type Client struct {
	eth  *ethclient.Client
	rpc  *rpc.Client
	key  *ecdsa.PrivateKey // nil: read-only
	from common.Address
	// Wait bounds how long a transaction may take to commit.
	Wait time.Duration
}

// Dial connects to a node's JSON-RPC endpoint; key may be nil for reads.
func Dial(ctx context.Context, url string, key *ecdsa.PrivateKey) (*Client, error) {
	c, err := rpc.DialContext(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", url, err)
	}
	cl := &Client{eth: ethclient.NewClient(c), rpc: c, key: key, Wait: time.Minute}
	if key != nil {
		cl.from = crypto.PubkeyToAddress(key.PublicKey)
	}
	return cl, nil
}

// Close closes the connection.
func (c *Client) Close() { c.rpc.Close() }

// From is the client's account (zero for a read-only client).
func (c *Client) From() common.Address { return c.from }

// Key is the client's account key (nil for a read-only client).
func (c *Client) Key() *ecdsa.PrivateKey { return c.key }

// Eth is the client as go-ethereum's ethclient.
func (c *Client) Eth() *ethclient.Client { return c.eth }

// Call makes a JSON-RPC call of the node (chuxin_… methods among others).
func (c *Client) Call(ctx context.Context, result any, method string, args ...any) error {
	return c.rpc.CallContext(ctx, result, method, args...)
}

// CallContract runs a read-only call of the contract at to, at the head,
// and returns what it returned; a revert is ErrRefused with its reason.
func (c *Client) CallContract(ctx context.Context, to common.Address, data []byte) ([]byte, error) {
	ret, err := c.eth.CallContract(ctx, ethereum.CallMsg{From: c.from, To: &to, Data: data}, nil)
	if err != nil {
		return nil, Refusal(err)
	}
	return ret, nil
}

// View calls a view method of the contract at to whose ABI is a, and
// returns its decoded results.
func (c *Client) View(ctx context.Context, to common.Address, a *abi.ABI, method string, args ...any) ([]any, error) {
	data, err := a.Pack(method, args...)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", method, err)
	}
	ret, err := c.CallContract(ctx, to, data)
	if err != nil {
		return nil, err
	}
	out, err := a.Unpack(method, ret)
	if err != nil {
		return nil, fmt.Errorf("decode %s of %s: %w (is this the contract's address on this network?)", method, to, err)
	}
	return out, nil
}

// SendTo sends a call of the contract at to in a transaction, after
// checking by gas estimation that it does not revert (the revert reason is
// the error), and returns its receipt once it commits.
func (c *Client) SendTo(ctx context.Context, to common.Address, data []byte) (*types.Receipt, error) {
	if c.key == nil {
		return nil, ErrNoKey
	}
	msg := ethereum.CallMsg{From: c.from, To: &to, Data: data}
	gas, err := c.eth.EstimateGas(ctx, msg)
	if err != nil {
		return nil, Refusal(err)
	}
	chainID, err := c.eth.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	nonce, err := c.eth.PendingNonceAt(ctx, c.from)
	if err != nil {
		return nil, err
	}
	head, err := c.eth.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, err
	}
	feeCap := new(big.Int).Mul(head.BaseFee, big.NewInt(2))
	tx, err := types.SignNewTx(c.key, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{
		ChainID: chainID, Nonce: nonce, To: &to, Gas: gas + gas/4, GasTipCap: new(big.Int), GasFeeCap: feeCap, Data: data,
	})
	if err != nil {
		return nil, err
	}
	if err := c.eth.SendTransaction(ctx, tx); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	r, err := c.receipt(ctx, tx.Hash())
	if err != nil {
		return nil, err
	}
	if r.Status != types.ReceiptStatusSuccessful {
		return nil, fmt.Errorf("%w: transaction %s reverted in block %d", ErrRefused, tx.Hash(), r.BlockNumber)
	}
	return r, nil
}

// receipt waits for a transaction's receipt, until c.Wait has passed.
func (c *Client) receipt(ctx context.Context, h common.Hash) (*types.Receipt, error) {
	deadline := time.Now().Add(c.Wait)
	for {
		r, err := c.eth.TransactionReceipt(ctx, h)
		if err == nil {
			return r, nil
		}
		if !errors.Is(err, ethereum.NotFound) {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w: %s after %v (is the network making blocks?)", ErrNotCommitted, h, c.Wait)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Refusal turns a call's or a gas estimation's error into the contract's
// reason, wrapped in ErrRefused.
func Refusal(err error) error {
	var de rpc.DataError
	if errors.As(err, &de) {
		if s, ok := de.ErrorData().(string); ok {
			if reason, uerr := abi.UnpackRevert(common.FromHex(s)); uerr == nil {
				return fmt.Errorf("%w: %s", ErrRefused, reason)
			}
		}
	}
	return fmt.Errorf("%w: %v", ErrRefused, strings.TrimPrefix(err.Error(), "execution reverted: "))
}
