// Package govclient is the client side of consortium governance: it sends
// the Consortium contract's transactions over any Ethereum JSON-RPC
// endpoint, waits for them to commit and tells what happened, in words and
// as data. The chuxin gov, roles, freeze and unfreeze commands are built
// on it.
//
// A call the contract would refuse is never sent: gas estimation runs it
// first, and its revert reason ("account 0x… lacks role admin", "member A
// has voted on proposal 3 already") is the error.
package govclient

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

	"github.com/chuxin-chain/chuxin/internal/system"
)

// Sentinel errors.
var (
	// ErrRefused: the contract refuses the call; the reason follows.
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

// From is the client's account.
func (c *Client) From() common.Address { return c.from }

// Event is one event of the Consortium contract.
type Event = system.Event

// Outcome is a committed governance transaction.
type Outcome struct {
	Tx     common.Hash `json:"tx"`
	Block  uint64      `json:"block"`
	Events []Event     `json:"events"`
}

// Text tells what happened, one event a line.
func (o *Outcome) Text() string {
	var b strings.Builder
	for _, e := range o.Events {
		b.WriteString(e.Text + "\n")
	}
	fmt.Fprintf(&b, "(transaction %s, block %d)\n", o.Tx, o.Block)
	return b.String()
}

// Send calls method of the Consortium contract in a transaction, after
// checking by gas estimation that the contract takes it.
func (c *Client) Send(ctx context.Context, method string, args ...any) (*Outcome, error) {
	data, err := system.Pack(method, args...)
	if err != nil {
		return nil, err
	}
	r, err := c.SendTo(ctx, system.ConsortiumAddress, data)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Tx: r.TxHash, Block: r.BlockNumber.Uint64()}
	for _, l := range r.Logs {
		if e, ok := system.DecodeEvent(l); ok {
			out.Events = append(out.Events, e)
		}
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
		return nil, refusal(err)
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
	tip := big.NewInt(0)
	feeCap := new(big.Int).Mul(head.BaseFee, big.NewInt(2))
	tx, err := types.SignNewTx(c.key, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{
		ChainID: chainID, Nonce: nonce, To: &to, Gas: gas + gas/4, GasTipCap: tip, GasFeeCap: feeCap, Data: data,
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

// Call makes a JSON-RPC call of the node (chuxin_… methods among others).
func (c *Client) Call(ctx context.Context, result any, method string, args ...any) error {
	return c.rpc.CallContext(ctx, result, method, args...)
}

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

// refusal turns a gas estimation error into the contract's reason.
func refusal(err error) error {
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

// View calls a view method of the Consortium contract at the head.
func (c *Client) View(ctx context.Context, method string, args ...any) ([]any, error) {
	data, err := system.Pack(method, args...)
	if err != nil {
		return nil, err
	}
	to := system.ConsortiumAddress
	ret, err := c.eth.CallContract(ctx, ethereum.CallMsg{To: &to, Data: data}, nil)
	if err != nil {
		return nil, refusal(err)
	}
	return system.Unpack(method, ret)
}
