// Package bench is chuxin's load generator. It speaks only public protocols
// (Ethereum JSON-RPC, or CometBFT's RPC for the kvstore baseline), so the
// same run measures chuxin and any other node side by side.
//
// A run funds its sender accounts, then offers load for a fixed time: closed
// loop (every sender keeps a window of transactions in flight) or open loop
// (a target rate). It signs locally, sends in JSON-RPC batches, and learns
// what committed by reading blocks. It reports committed transactions per
// second over the load window, send-to-commit latency percentiles, and the
// refusals by reason.
package bench

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ErrOptions: the options cannot describe a run.
var ErrOptions = errors.New("invalid bench options")

// ErrBusy: the node still works through transactions sent before the run.
var ErrBusy = errors.New("node busy")

// Options describe one run.
type Options struct {
	URL      string            // JSON-RPC endpoint of the node under load
	Protocol string            // "eth" (any Ethereum node) or "cometbft" (kvstore baseline)
	Workload string            // transfer, erc20, deploy or mixed (eth); ignored for cometbft
	Senders  int               // accounts that send
	Duration time.Duration     // how long load is offered
	Rate     float64           // offered transactions per second; 0 runs closed loop
	Batch    int               // transactions per JSON-RPC batch
	Window   int               // most transactions one sender has in flight
	Workers  int               // concurrent batch senders
	Drain    time.Duration     // how long to wait for in-flight transactions after the load
	Seed     uint64            // derives the sender keys
	Label    string            // names the run in reports
	Progress io.Writer         // progress line every second (nil: quiet)
	Funder   *ecdsa.PrivateKey // eth: key of the funded account (nil: development account 0)
	Presign  int               // eth: transactions per sender signed before the load window
	// GrantRoles (eth, a permissioned chuxin network): the funder, an
	// admin, grants the senders the transactor and deployer roles.
	GrantRoles bool
}

func (o *Options) validate() error {
	switch {
	case o.URL == "":
		return fmt.Errorf("%w: an RPC URL is needed", ErrOptions)
	case o.Senders < 1 || o.Batch < 1 || o.Window < 1 || o.Workers < 1:
		return fmt.Errorf("%w: senders, batch, window and workers must be at least 1", ErrOptions)
	case o.Duration <= 0:
		return fmt.Errorf("%w: duration must be positive", ErrOptions)
	case o.Rate < 0:
		return fmt.Errorf("%w: rate must not be negative", ErrOptions)
	}
	return nil
}

// Result is what a run measured.
type Result struct {
	Label       string         `json:"label"`
	Client      string         `json:"client"`
	Protocol    string         `json:"protocol"`
	Workload    string         `json:"workload"`
	Mode        string         `json:"mode"`
	OfferedTPS  float64        `json:"offered_tps"`
	Seconds     float64        `json:"seconds"`
	Senders     int            `json:"senders"`
	Window      int            `json:"window"`
	Sent        int            `json:"sent"`
	Committed   int            `json:"committed"`
	Unconfirmed int            `json:"unconfirmed"`
	TPS         float64        `json:"committed_tps"`
	P50         float64        `json:"latency_p50_s"`
	P95         float64        `json:"latency_p95_s"`
	P99         float64        `json:"latency_p99_s"`
	Max         float64        `json:"latency_max_s"`
	Blocks      int            `json:"blocks"`
	Backlog     int            `json:"client_backlog"`
	Refusals    map[string]int `json:"refusals"`
}

// Summary is the human report of a result.
func (r *Result) Summary() string {
	var b strings.Builder
	offered := "closed loop"
	if r.Mode == "open" {
		offered = fmt.Sprintf("open loop at %.0f tx/s", r.OfferedTPS)
	}
	fmt.Fprintf(&b, "%s: %s %s against %s, %d senders (window %d), %.0fs\n", r.Label, r.Workload, offered, r.Client, r.Senders, r.Window, r.Seconds)
	fmt.Fprintf(&b, "  committed  %d of %d sent in %d blocks: %.0f tx/s\n", r.Committed, r.Sent, r.Blocks, r.TPS)
	fmt.Fprintf(&b, "  latency    p50 %.3fs  p95 %.3fs  p99 %.3fs  max %.3fs (send to commit)\n", r.P50, r.P95, r.P99, r.Max)
	if r.Unconfirmed > 0 {
		fmt.Fprintf(&b, "  unconfirmed %d transactions were not seen committed before the drain ended\n", r.Unconfirmed)
	}
	if r.Backlog > 0 {
		fmt.Fprintf(&b, "  backlog    %d transactions could not be offered: every sender had its window full\n", r.Backlog)
	}
	keys := make([]string, 0, len(r.Refusals))
	for k := range r.Refusals {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "  refused    %d × %s\n", r.Refusals[k], k)
	}
	return b.String()
}

// txID identifies a transaction in the target's own terms (hash).
type txID [32]byte

// built is one signed transaction ready to send.
type built struct {
	id    txID
	raw   []byte
	nonce uint64
}

// target is a kind of node under load.
type target interface {
	// Setup connects, funds the senders and deploys what the workload needs.
	Setup(ctx context.Context, o *Options, log io.Writer) (client string, err error)
	// Build signs the next transaction of sender a.
	Build(a int) (built, error)
	// Rewind makes sender a reuse nonce after a refusal.
	Rewind(a int, nonce uint64)
	// Send submits a batch; the error of item i says why it was refused.
	Send(ctx context.Context, raws [][]byte) ([]error, error)
	// Head returns the last committed height.
	Head(ctx context.Context) (uint64, error)
	// BlockTxs returns the transactions of a committed block.
	BlockTxs(ctx context.Context, height uint64) ([]txID, error)
}

// presigner is a target that can sign transactions ahead of the load
// window, so that signing does not compete with the node for the CPU.
type presigner interface {
	Presign(ctx context.Context, perSender int, log io.Writer) error
}

// pooler is a target that tells how many transactions wait in the node's
// pool: a run starts once the transactions an earlier run left behind have
// committed, or it would measure their backlog as its own latency.
type pooler interface {
	Pending(ctx context.Context) (n int, ok bool, err error)
}

// drainWait bounds how long a run waits for the node's pool to empty.
const drainWait = 3 * time.Minute

// waitDrained waits up to limit until the node's pool holds no transaction
// that can run, showing what is left. A node that does not tell is not
// waited for.
func waitDrained(ctx context.Context, t target, log io.Writer, limit time.Duration) error {
	p, ok := t.(pooler)
	if !ok {
		return nil
	}
	deadline := time.Now().Add(limit)
	for first := true; ; first = false {
		n, ok, err := p.Pending(ctx)
		if err != nil {
			return err
		}
		if !ok || n == 0 {
			if !first {
				fmt.Fprintf(log, "\rthe node's pool is empty%30s\n", "")
			}
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: the node's pool still holds %d transactions after %v; a run would measure that backlog too: wait, or restart the node", ErrBusy, n, limit)
		}
		fmt.Fprintf(log, "\rwaiting for the node's pool to empty: %d transactions left   ", n)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

type inflight struct {
	sender int
	sentAt time.Time
}

// run is the state of one load run.
type run struct {
	o      *Options
	t      target
	start  time.Time
	end    time.Time
	budget atomic.Int64 // open loop: transactions offered so far

	mu        sync.Mutex
	pending   map[txID]inflight
	inFlight  []int // per sender
	latencies []float64
	sent      int
	committed int
	inWindow  int // commits observed before the load ended
	blocks    int
	backlog   int
	refusals  map[string]int
}

// Run loads the node that o names and returns what it measured.
func Run(ctx context.Context, o Options) (*Result, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	var t target
	switch o.Protocol {
	case "", "eth":
		o.Protocol = "eth"
		t = &ethTarget{}
	case "cometbft":
		t = &cometTarget{}
		o.Workload = "kv"
	default:
		return nil, fmt.Errorf("%w: protocol %q (use eth or cometbft)", ErrOptions, o.Protocol)
	}
	log := o.Progress
	if log == nil {
		log = io.Discard
	}
	client, err := t.Setup(ctx, &o, log)
	if err != nil {
		return nil, err
	}
	if ps, ok := t.(presigner); ok && o.Presign > 0 {
		if err := ps.Presign(ctx, o.Presign, log); err != nil {
			return nil, err
		}
	}
	if err := waitDrained(ctx, t, log, drainWait); err != nil {
		return nil, err
	}
	r := &run{o: &o, t: t, pending: map[txID]inflight{}, inFlight: make([]int, o.Senders), refusals: map[string]int{}}
	head, err := t.Head(ctx)
	if err != nil {
		return nil, err
	}
	r.start = time.Now()
	r.end = r.start.Add(o.Duration)
	loadCtx, stopLoad := context.WithDeadline(ctx, r.end)
	defer stopLoad()
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	watchDone := make(chan error, 1)
	go func() { watchDone <- r.watch(watchCtx, head) }()

	var wg sync.WaitGroup
	for w := range o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.work(loadCtx, ctx, w)
		}()
	}
	progressDone := make(chan struct{})
	go r.progress(loadCtx, log, progressDone)
	wg.Wait()
	<-progressDone

	// Drain: wait for what is in flight, up to o.Drain.
	drainEnd := time.Now().Add(o.Drain)
	for time.Now().Before(drainEnd) {
		r.mu.Lock()
		left := len(r.pending)
		r.mu.Unlock()
		if left == 0 {
			break
		}
		select {
		case err := <-watchDone:
			return nil, err
		case <-time.After(50 * time.Millisecond):
		}
	}
	stopWatch()
	if err := <-watchDone; err != nil && !errors.Is(err, context.Canceled) {
		return nil, err
	}
	fmt.Fprintln(log)
	return r.result(client), nil
}

// work is one batch sender: it owns the senders a with a%Workers == w. It
// starts batches while load is on and lets a started batch finish (under
// sendCtx): a batch cut off half way would leave nonce gaps behind it.
func (r *run) work(ctx, sendCtx context.Context, w int) {
	var mine []int
	for a := w; a < r.o.Senders; a += r.o.Workers {
		mine = append(mine, a)
	}
	next := 0
	for ctx.Err() == nil {
		want := r.o.Batch
		if r.o.Rate > 0 {
			want = r.takeBudget(want)
			if want == 0 {
				time.Sleep(2 * time.Millisecond)
				continue
			}
		}
		var (
			batch  []built
			owners []int
		)
		r.mu.Lock()
		for tries := 0; len(batch) < want && tries < len(mine); tries++ {
			a := mine[next%len(mine)]
			next++
			for r.inFlight[a] < r.o.Window && len(batch) < want {
				tx, err := r.t.Build(a)
				if err != nil {
					r.mu.Unlock()
					r.refuse(reason(err))
					return
				}
				r.inFlight[a]++
				batch, owners = append(batch, tx), append(owners, a)
				if r.o.Rate > 0 {
					break // spread an open-loop batch over senders
				}
			}
		}
		if r.o.Rate > 0 && len(batch) < want {
			r.backlog += want - len(batch)
		}
		r.mu.Unlock()
		if len(batch) == 0 {
			time.Sleep(2 * time.Millisecond)
			continue
		}
		r.send(sendCtx, batch, owners)
	}
}

// takeBudget returns how many of n transactions the open-loop rate allows now.
func (r *run) takeBudget(n int) int {
	allowed := int64(r.o.Rate * time.Since(r.start).Seconds())
	for {
		used := r.budget.Load()
		take := min(int64(n), allowed-used)
		if take <= 0 {
			return 0
		}
		if r.budget.CompareAndSwap(used, used+take) {
			return int(take)
		}
	}
}

// send submits a batch. Its transactions are registered as pending before
// the request goes out: a block may commit them before the reply arrives.
func (r *run) send(ctx context.Context, batch []built, owners []int) {
	raws := make([][]byte, len(batch))
	fresh := make([]bool, len(batch))
	now := time.Now()
	r.mu.Lock()
	for i, b := range batch {
		raws[i] = b.raw
		if _, seen := r.pending[b.id]; !seen {
			r.pending[b.id] = inflight{sender: owners[i], sentAt: now}
			r.sent++
			fresh[i] = true
		} else {
			r.inFlight[owners[i]]-- // a resend of a pending transaction
		}
	}
	r.mu.Unlock()
	errs, err := r.t.Send(ctx, raws)
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, b := range batch {
		itemErr := err
		if err == nil {
			itemErr = errs[i]
		}
		if itemErr == nil || !fresh[i] || strings.Contains(itemErr.Error(), "already known") {
			continue
		}
		if _, still := r.pending[b.id]; !still {
			continue // committed although the reply said otherwise: it counts
		}
		delete(r.pending, b.id)
		r.sent--
		r.refusals[reason(itemErr)]++
		r.inFlight[owners[i]]--
		r.t.Rewind(owners[i], b.nonce)
	}
}

func (r *run) refuse(why string) {
	r.mu.Lock()
	r.refusals[why]++
	r.mu.Unlock()
}

// watch follows committed blocks from height from+1 and settles the
// transactions it finds.
func (r *run) watch(ctx context.Context, from uint64) error {
	next := from + 1
	for {
		head, err := r.t.Head(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("follow blocks: %w", err)
		}
		for ; next <= head; next++ {
			ids, err := r.t.BlockTxs(ctx, next)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return fmt.Errorf("read block %d: %w", next, err)
			}
			now := time.Now()
			r.mu.Lock()
			r.blocks++
			for _, id := range ids {
				f, ok := r.pending[id]
				if !ok {
					continue
				}
				delete(r.pending, id)
				r.inFlight[f.sender]--
				r.committed++
				if !now.After(r.end) {
					r.inWindow++
				}
				r.latencies = append(r.latencies, now.Sub(f.sentAt).Seconds())
			}
			r.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// progress prints a line a second while the load runs.
func (r *run) progress(ctx context.Context, w io.Writer, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		r.mu.Lock()
		elapsed := time.Since(r.start)
		frac := min(elapsed.Seconds()/r.o.Duration.Seconds(), 1)
		bar := strings.Repeat("█", int(frac*30)) + strings.Repeat("·", 30-int(frac*30))
		fmt.Fprintf(w, "\r%s %s %3.0fs/%.0fs  sent %d  committed %d  %5d tx/s  in flight %d   ",
			r.o.Label, bar, elapsed.Seconds(), r.o.Duration.Seconds(), r.sent, r.committed, r.committed-last, len(r.pending))
		last = r.committed
		r.mu.Unlock()
	}
}

func (r *run) result(client string) *Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := &Result{
		Label: r.o.Label, Client: client, Protocol: r.o.Protocol, Workload: r.o.Workload, Mode: "closed",
		Seconds: r.o.Duration.Seconds(), Senders: r.o.Senders, Window: r.o.Window, Sent: r.sent, Committed: r.committed,
		Unconfirmed: len(r.pending), TPS: float64(r.inWindow) / r.o.Duration.Seconds(),
		Blocks: r.blocks, Backlog: r.backlog, Refusals: r.refusals,
	}
	if r.o.Rate > 0 {
		res.Mode, res.OfferedTPS = "open", r.o.Rate
	}
	lat := slices.Clone(r.latencies)
	slices.Sort(lat)
	res.P50, res.P95, res.P99 = percentile(lat, 50), percentile(lat, 95), percentile(lat, 99)
	if len(lat) > 0 {
		res.Max = lat[len(lat)-1]
	}
	return res
}

// percentile of sorted values (nearest rank); 0 for none.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(rank, 0)]
}

// reason shortens an error to its kind: the text before the first colon,
// so refusals group by cause, not by address or nonce.
func reason(err error) string {
	msg := err.Error()
	i := strings.IndexByte(msg, ':')
	if i > 0 && strings.TrimSpace(msg[:i]) == "Internal error" {
		// CometBFT's RPC says what went wrong after its generic message.
		if j := strings.IndexByte(msg[i+1:], ':'); j > 0 {
			i += 1 + j
		} else {
			i = len(msg)
		}
	}
	if i > 0 {
		msg = msg[:i]
	}
	return strings.TrimSpace(msg)
}
