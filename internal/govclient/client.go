// Package govclient is the client side of consortium governance: it sends
// the Consortium contract's transactions over any Ethereum JSON-RPC
// endpoint, waits for them to commit and tells what happened, in words and
// as data. The chuxin gov, roles, freeze and unfreeze commands are built
// on it, and it on the shared client (internal/module/client).
//
// A call the contract would refuse is never sent: gas estimation runs it
// first, and its revert reason ("account 0x… lacks role admin", "member A
// has voted on proposal 3 already") is the error.
package govclient

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/module/client"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// Sentinel errors: the shared client's, so that errors.Is finds either.
var (
	// ErrRefused: the contract refuses the call; the reason follows.
	ErrRefused = client.ErrRefused
	// ErrNotCommitted: the transaction did not commit in time.
	ErrNotCommitted = client.ErrNotCommitted
	// ErrNoKey: a transaction needs a key.
	ErrNoKey = client.ErrNoKey
)

// Client talks to one node for one account, about governance.
type Client struct {
	*client.Client
}

// Dial connects to a node's JSON-RPC endpoint; key may be nil for reads.
func Dial(ctx context.Context, url string, key *ecdsa.PrivateKey) (*Client, error) {
	c, err := client.Dial(ctx, url, key)
	if err != nil {
		return nil, err
	}
	return &Client{c}, nil
}

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

// View calls a view method of the Consortium contract at the head.
func (c *Client) View(ctx context.Context, method string, args ...any) ([]any, error) {
	data, err := system.Pack(method, args...)
	if err != nil {
		return nil, err
	}
	ret, err := c.CallContract(ctx, system.ConsortiumAddress, data)
	if err != nil {
		return nil, err
	}
	return system.Unpack(method, ret)
}
