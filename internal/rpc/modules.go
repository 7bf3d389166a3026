package rpc

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// moduleChain is the node as the modules' APIs and mounts read it.
type moduleChain struct{ b *Backend }

// Call runs a read-only call at the head, as eth_call does.
func (c moduleChain) Call(ctx context.Context, to common.Address, data []byte) ([]byte, error) {
	input := hexutil.Bytes(data)
	return (&EthAPI{b: c.b}).Call(ctx, CallArgs{To: &to, Data: &input}, nil, nil, nil)
}

// Beacon is the chain's beacon, if it has one.
func (c moduleChain) Beacon() (module.Beacon, bool) {
	if c.b.Beacon == nil {
		return nil, false
	}
	return c.b.Beacon, true
}

// Contract is a module contract's address, by name.
func (c moduleChain) Contract(name string) (common.Address, bool) { return c.b.Modules.Contract(name) }

// Head is the last committed block's header.
func (c moduleChain) Head() (*types.Header, error) { return c.b.head() }

// Header is a committed block's header.
func (c moduleChain) Header(number uint64) (*types.Header, error) {
	return c.b.Store.HeaderByNumber(number)
}

// MaxLogRange is rpc.max_log_block_range.
func (c moduleChain) MaxLogRange() uint64 { return c.b.Limits.MaxLogRange }

// EachLogs visits the blocks of from..to with transactions' logs of the
// addresses, as eth_getLogs reads them (blooms first).
func (c moduleChain) EachLogs(ctx context.Context, from, to uint64, addresses []common.Address, fn func(*types.Header, []*types.Log) error) error {
	crit := FilterCriteria{Addresses: addresses}
	return scanReceipts(ctx, c.b, &crit, from, to, func(h *types.Header, receipts types.Receipts) error {
		var logs []*types.Log
		for _, r := range receipts {
			for _, l := range r.Logs {
				if crit.matches(l) {
					logs = append(logs, l)
				}
			}
		}
		if len(logs) == 0 {
			return nil
		}
		return fn(h, logs)
	})
}

// Sender is a committed transaction's sender.
func (c moduleChain) Sender(hash common.Hash) (common.Address, error) {
	tx, _, err := c.b.Store.Transaction(hash)
	if err != nil {
		return common.Address{}, err
	}
	if tx == nil {
		return common.Address{}, fmt.Errorf("%w: transaction %s", ErrUnknownBlock, hash)
	}
	return types.Sender(c.b.App.Executor().Signer, tx)
}

// SystemLogsFrom is the first block whose system logs the store keeps.
func (c moduleChain) SystemLogsFrom() (uint64, error) { return c.b.Store.SystemLogsFrom() }

// EachSystemLogs visits the blocks of from..to whose system logs the
// addresses may have emitted (by the blocks' system-log blooms).
func (c moduleChain) EachSystemLogs(ctx context.Context, from, to uint64, addresses []common.Address, fn func(*types.Header, execution.SystemLogs) error) error {
	crit := FilterCriteria{Addresses: addresses}
	return c.b.Store.EachSystemLogs(from, to, crit.mayMatch, func(n uint64, logs execution.SystemLogs) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !slices.ContainsFunc(logs, func(l execution.SystemLog) bool { return crit.matches(&types.Log{Address: l.Address}) }) {
			return nil // the bloom's false positive
		}
		h, err := c.b.Store.HeaderByNumber(n)
		if err != nil {
			return err
		}
		return fn(h, logs)
	})
}

// ReadHead reads the head's state, and answers the error of any read that
// failed.
func (c moduleChain) ReadHead(read func(*types.Header, system.State)) error {
	st, h, err := c.b.stateAt(latest)
	if err != nil {
		return err
	}
	read(h, st)
	return c.b.readErr(st, h)
}

// Rules are the rule version of block number and those scheduled after it.
func (c moduleChain) Rules(st system.State, number uint64) (uint64, []module.Upgrade) {
	ex := c.b.App.Executor()
	var later []module.Upgrade
	for _, v := range ex.Rules.Versions {
		if v.Height > number {
			later = append(later, module.Upgrade{Version: v.Version, Height: v.Height})
		}
	}
	for _, u := range system.Upgrades(st) {
		if u.Height > number {
			later = append(later, module.Upgrade{Version: u.Version, Height: u.Height})
		}
	}
	slices.SortStableFunc(later, func(a, b module.Upgrade) int { return cmp.Compare(a.Height, b.Height) })
	return ex.VersionAt(st, number), later
}

// Node is what the node alone knows.
func (c moduleChain) Node() module.Node { return c.b.Node }

// Modules are the chain's modules.
func (c moduleChain) Modules() []module.Module { return c.b.Modules.Modules() }
