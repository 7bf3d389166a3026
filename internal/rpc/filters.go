package rpc

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

// filterTimeout is how long an unpolled filter lives (geth's default).
const filterTimeout = 5 * time.Minute

// subscriptionBuffer is how many blocks a slow subscriber may fall behind
// before it is dropped (consensus never waits for a subscriber): its
// connection is closed, as go-ethereum closes one that cannot keep up, so
// the client sees it and can resubscribe.
const subscriptionBuffer = 256

// maxFilters bounds the installed polling filters of a node; each client
// address may hold the configured share of them (rpc.max_filters_per_client).
const maxFilters = 10_000

// commitEvent is one durable block with its receipts, or, for pending
// subscriptions, a transaction the mempool just admitted.
type commitEvent struct {
	block    *types.Block
	receipts types.Receipts
	tx       *types.Transaction // pending events
	from     common.Address
}

// maxPendingHashes bounds what a pending-transaction filter keeps between
// polls: beyond it, the oldest hashes go.
const maxPendingHashes = 10_000

type filterKind int

const (
	blockFilter filterKind = iota
	logFilter
	pendingFilter
)

// filter is an installed polling filter.
type filter struct {
	kind     filterKind
	crit     FilterCriteria
	client   string // the address that installed it
	next     uint64 // first block not yet reported
	deadline time.Time
	hashes   []common.Hash // pending filters: admitted since the last poll
}

// subscription is one subscriber's queue of committed blocks.
type subscription struct {
	ch      chan commitEvent
	remote  string     // the subscriber's connection (its remote address)
	id      gethrpc.ID // the subscription's id, for the log
	pending bool       // follows admitted transactions, not blocks
}

// filterSystem holds polling filters and fans committed blocks out to
// subscriptions.
type filterSystem struct {
	api          *EthAPI
	maxPerClient int
	log          *slog.Logger
	dropConn     func(remote string) bool // closes a slow subscriber's connection

	mu       sync.Mutex
	filters  map[gethrpc.ID]*filter
	byClient map[string]int
	subs     map[int]*subscription
	nextSub  int

	// pendingWatchers counts the pending filters and subscriptions, so that
	// an admission costs nothing when nobody follows them.
	pendingWatchers atomic.Int64
}

func newFilterSystem(maxPerClient int, log *slog.Logger) *filterSystem {
	return &filterSystem{maxPerClient: maxPerClient, log: log,
		filters: map[gethrpc.ID]*filter{}, byClient: map[string]int{}, subs: map[int]*subscription{}}
}

// publish hands a committed block to every subscriber without blocking. A
// subscriber a full buffer behind is dropped, and its connection closed at
// once: a write blocked on it then fails instead of waiting out its deadline.
func (fs *filterSystem) publish(ev commitEvent) {
	var behind []*subscription
	fs.mu.Lock()
	for id, sub := range fs.subs {
		if sub.pending != (ev.tx != nil) {
			continue
		}
		select {
		case sub.ch <- ev:
		default: // too far behind: drop it rather than stall consensus
			behind = append(behind, sub)
			close(sub.ch)
			delete(fs.subs, id)
			if sub.pending {
				fs.pendingWatchers.Add(-1)
			}
		}
	}
	fs.mu.Unlock()
	for _, sub := range behind {
		fs.dropSlow(sub, fmt.Sprintf("it fell %d blocks behind", subscriptionBuffer))
	}
}

// publishPending tells pending filters and subscriptions of a transaction
// the mempool admitted. It never blocks, and costs an atomic read when
// nobody follows pending transactions.
func (fs *filterSystem) publishPending(tx *types.Transaction, from common.Address) {
	if fs.pendingWatchers.Load() == 0 {
		return
	}
	fs.mu.Lock()
	for _, f := range fs.filters {
		if f.kind == pendingFilter {
			if len(f.hashes) >= maxPendingHashes {
				f.hashes = f.hashes[1:]
			}
			f.hashes = append(f.hashes, tx.Hash())
		}
	}
	fs.mu.Unlock()
	fs.publish(commitEvent{tx: tx, from: from})
}

func (fs *filterSystem) subscribe(remote string, rpcID gethrpc.ID, pending bool) (int, *subscription) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	id := fs.nextSub
	fs.nextSub++
	size := subscriptionBuffer
	if pending {
		size = maxPendingHashes // transactions come faster than blocks
		fs.pendingWatchers.Add(1)
	}
	sub := &subscription{ch: make(chan commitEvent, size), remote: remote, id: rpcID, pending: pending}
	fs.subs[id] = sub
	return id, sub
}

func (fs *filterSystem) unsubscribe(id int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if sub, ok := fs.subs[id]; ok {
		close(sub.ch)
		delete(fs.subs, id)
		if sub.pending {
			fs.pendingWatchers.Add(-1)
		}
	}
}

// install adds a polling filter that reports from the next block on.
func (fs *filterSystem) install(ctx context.Context, f *filter) (gethrpc.ID, error) {
	head, err := fs.api.b.head()
	if err != nil {
		return "", err
	}
	f.next = head.Number.Uint64() + 1
	f.deadline = time.Now().Add(filterTimeout)
	f.client = clientOf(gethrpc.PeerInfoFromContext(ctx).RemoteAddr)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.sweepLocked()
	if len(fs.filters) >= maxFilters {
		return "", limitExceeded("%d filters are installed, the most a node keeps: uninstall unused ones", maxFilters)
	}
	if n := fs.byClient[f.client]; n >= fs.maxPerClient {
		return "", limitExceeded("%s has %d filters installed, the most one client may have (rpc.max_filters_per_client): uninstall unused ones", f.client, n)
	}
	id := gethrpc.NewID()
	fs.filters[id] = f
	fs.byClient[f.client]++
	if f.kind == pendingFilter {
		fs.pendingWatchers.Add(1)
	}
	return id, nil
}

// removeLocked uninstalls a filter.
func (fs *filterSystem) removeLocked(id gethrpc.ID) bool {
	f, ok := fs.filters[id]
	if !ok {
		return false
	}
	delete(fs.filters, id)
	if fs.byClient[f.client]--; fs.byClient[f.client] <= 0 {
		delete(fs.byClient, f.client)
	}
	if f.kind == pendingFilter {
		fs.pendingWatchers.Add(-1)
	}
	return true
}

// sweepLocked removes filters nobody polled within filterTimeout.
func (fs *filterSystem) sweepLocked() {
	now := time.Now()
	for id, f := range fs.filters {
		if now.After(f.deadline) {
			fs.removeLocked(id)
		}
	}
}

// take returns a filter for polling and moves its cursor to head+1.
func (fs *filterSystem) take(id gethrpc.ID, head uint64) (filter, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.sweepLocked()
	f, ok := fs.filters[id]
	if !ok {
		return filter{}, false
	}
	snapshot := *f
	f.next = head + 1
	f.deadline = time.Now().Add(filterTimeout)
	f.hashes = nil
	return snapshot, true
}

var errFilterNotFound = &rpcError{code: -32000, msg: "filter not found (filters expire after 5 minutes without polling)"}

// NewFilter installs a log filter; poll it with eth_getFilterChanges.
func (api *EthAPI) NewFilter(ctx context.Context, crit FilterCriteria) (gethrpc.ID, error) {
	if crit.BlockHash != nil {
		return "", invalidParams("blockHash is for eth_getLogs; a filter follows new blocks")
	}
	return api.filters.install(ctx, &filter{kind: logFilter, crit: crit})
}

// NewBlockFilter installs a filter of new block hashes.
func (api *EthAPI) NewBlockFilter(ctx context.Context) (gethrpc.ID, error) {
	return api.filters.install(ctx, &filter{kind: blockFilter})
}

// NewPendingTransactionFilter installs a filter of the hashes of the
// transactions this node's mempool admits (sent to it or gossiped to it),
// as geth's does; poll it with eth_getFilterChanges.
func (api *EthAPI) NewPendingTransactionFilter(ctx context.Context) (gethrpc.ID, error) {
	return api.filters.install(ctx, &filter{kind: pendingFilter})
}

// UninstallFilter removes a filter.
func (api *EthAPI) UninstallFilter(id gethrpc.ID) bool {
	fs := api.filters
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.removeLocked(id)
}

// GetFilterChanges returns what a filter matched since it was last polled:
// block hashes for a block filter, logs for a log filter.
func (api *EthAPI) GetFilterChanges(ctx context.Context, id gethrpc.ID) (any, error) {
	head, err := api.b.head()
	if err != nil {
		return nil, err
	}
	f, ok := api.filters.take(id, head.Number.Uint64())
	if !ok {
		return nil, errFilterNotFound
	}
	if f.kind == pendingFilter {
		if f.hashes == nil {
			return []common.Hash{}, nil
		}
		return f.hashes, nil
	}
	to := head.Number.Uint64()
	if f.next > to {
		if f.kind == blockFilter {
			return []common.Hash{}, nil
		}
		return []*types.Log{}, nil
	}
	if f.kind == blockFilter {
		hashes := make([]common.Hash, 0, to-f.next+1)
		for n := f.next; n <= to; n++ {
			h, err := api.b.Store.HeaderByNumber(n)
			if err != nil {
				return nil, err
			}
			hashes = append(hashes, h.Hash())
		}
		return hashes, nil
	}
	from := f.next
	if to-from+1 > api.b.Limits.MaxLogRange {
		from = to + 1 - api.b.Limits.MaxLogRange
	}
	return api.logsInRange(ctx, &f.crit, from, to)
}

// GetFilterLogs returns every log a log filter's criteria match.
func (api *EthAPI) GetFilterLogs(ctx context.Context, id gethrpc.ID) ([]*types.Log, error) {
	api.filters.mu.Lock()
	f, ok := api.filters.filters[id]
	var crit FilterCriteria
	if ok {
		crit = f.crit
	}
	api.filters.mu.Unlock()
	if !ok || f.kind != logFilter {
		return nil, errFilterNotFound
	}
	return api.GetLogs(ctx, crit)
}

// NewHeads is the newHeads subscription: every committed block's header.
func (api *EthAPI) NewHeads(ctx context.Context) (*gethrpc.Subscription, error) {
	return api.subscribe(ctx, func(n *gethrpc.Notifier, id gethrpc.ID, ev commitEvent) error {
		return n.Notify(id, marshalHeader(ev.block.Header()))
	})
}

// Logs is the logs subscription: every log of each newly committed block
// that the address and topic criteria match (a block range is ignored).
func (api *EthAPI) Logs(ctx context.Context, crit FilterCriteria) (*gethrpc.Subscription, error) {
	if crit.BlockHash != nil {
		return nil, invalidParams("a logs subscription follows new blocks: leave out blockHash")
	}
	return api.subscribe(ctx, func(n *gethrpc.Notifier, id gethrpc.ID, ev commitEvent) error {
		for _, r := range ev.receipts {
			for _, l := range r.Logs {
				if crit.matches(l) {
					if err := n.Notify(id, l); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

// NewPendingTransactions is the newPendingTransactions subscription: the
// hash of every transaction this node's mempool admits, or, with fullTx,
// the transaction itself (as geth sends it).
func (api *EthAPI) NewPendingTransactions(ctx context.Context, fullTx *bool) (*gethrpc.Subscription, error) {
	full := fullTx != nil && *fullTx
	return api.subscribeTo(ctx, true, func(n *gethrpc.Notifier, id gethrpc.ID, ev commitEvent) error {
		if full {
			return n.Notify(id, newRPCTransaction(ev.tx, ev.from, nil, 0))
		}
		return n.Notify(id, ev.tx.Hash())
	})
}

func (api *EthAPI) subscribe(ctx context.Context, send func(*gethrpc.Notifier, gethrpc.ID, commitEvent) error) (*gethrpc.Subscription, error) {
	return api.subscribeTo(ctx, false, send)
}

func (api *EthAPI) subscribeTo(ctx context.Context, pending bool, send func(*gethrpc.Notifier, gethrpc.ID, commitEvent) error) (*gethrpc.Subscription, error) {
	notifier, ok := gethrpc.NotifierFromContext(ctx)
	if !ok {
		return nil, gethrpc.ErrNotificationsUnsupported
	}
	rpcSub := notifier.CreateSubscription()
	id, sub := api.filters.subscribe(gethrpc.PeerInfoFromContext(ctx).RemoteAddr, rpcSub.ID, pending)
	go func() {
		defer api.filters.unsubscribe(id)
		for {
			select {
			case ev, ok := <-sub.ch:
				if !ok { // dropped by publish, which closed the connection
					return
				}
				if err := send(notifier, rpcSub.ID, ev); err != nil {
					// A failed write leaves a WebSocket unusable, but
					// go-ethereum keeps reading from it: close it, so the
					// client learns it missed notifications.
					api.filters.dropSlow(sub, fmt.Sprintf("a notification could not be written to it: %v", err))
					return
				}
			case <-rpcSub.Err():
				return
			}
		}
	}()
	return rpcSub, nil
}

// dropSlow closes the connection of a subscriber that does not keep up, so
// that it learns it missed data instead of waiting on a subscription that
// no longer delivers.
func (fs *filterSystem) dropSlow(sub *subscription, why string) {
	if fs.dropConn == nil || !fs.dropConn(sub.remote) {
		return // closed already, by an earlier drop or by the client
	}
	fs.log.Warn("closed the connection of a subscriber that does not keep up; it must reconnect and resubscribe",
		"remote", sub.remote, "subscription", sub.id, "reason", why)
}
