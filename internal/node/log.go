package node

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/cometbft/cometbft/p2p"

	cmtlog "github.com/cometbft/cometbft/libs/log"
	gethlog "github.com/ethereum/go-ethereum/log"
)

// NewLogger returns a structured logger at level ("debug", "info", "warn",
// "error") in format ("text" or "json").
func NewLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(strings.ToUpper(level)))
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// RouteGethLog sends go-ethereum's own log lines to l, marked module=geth:
// the state snapshot's generation and its progress after an unclean stop,
// the database's cache and file handles, trie writes. go-ethereum discards
// them unless told where to write. Its warnings come at info: in a chuxin
// node they tell of what the node repairs by itself (no state snapshot at
// the first start or after a crash, which it rebuilds). Its errors stay
// errors. Its logger is one per process, so a process calls this once, for
// the logger its nodes share; l also becomes the process's default slog
// logger.
func RouteGethLog(l *slog.Logger) {
	gethlog.SetDefault(gethlog.NewLogger(gethHandler{l.With("module", "geth").Handler()}))
	slog.SetDefault(l) // gethlog.SetDefault made its own handler slog's default
}

// gethHandler lowers go-ethereum's warnings to info.
type gethHandler struct{ slog.Handler }

func gethLevel(l slog.Level) slog.Level {
	if l >= slog.LevelWarn && l < slog.LevelError {
		return slog.LevelInfo
	}
	return l
}

func (g gethHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return g.Handler.Enabled(ctx, gethLevel(l))
}

func (g gethHandler) Handle(ctx context.Context, r slog.Record) error {
	r.Level = gethLevel(r.Level)
	return g.Handler.Handle(ctx, r)
}

func (g gethHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return gethHandler{g.Handler.WithAttrs(as)}
}

func (g gethHandler) WithGroup(name string) slog.Handler {
	return gethHandler{g.Handler.WithGroup(name)}
}

// cometLogger routes CometBFT's logs into slog. CometBFT reports every step
// of every height at info; those go to debug so that an operator's info log
// shows chuxin's own summary lines. Its errors stay errors, except those it
// reports in normal operation (benignErrors), so that an ERROR line always
// means something an operator should look at.
//
// CometBFT logs every gossiped message at debug: nothing is formatted unless
// the level is enabled, or the formatting alone costs more CPU than the
// transactions it describes.
type cometLogger struct {
	l      *slog.Logger
	closes *closeWatch // nil: not watched
}

func (c cometLogger) Debug(msg string, kv ...any) { c.log(slog.LevelDebug, msg, kv) }
func (c cometLogger) Info(msg string, kv ...any)  { c.log(slog.LevelDebug, msg, kv) }
func (c cometLogger) Error(msg string, kv ...any) {
	if c.closes != nil && msg == "Stopping peer for error" {
		c.closes.closed(kv)
	}
	c.log(errorLevel(msg, kv), msg, kv)
}

func (c cometLogger) With(kv ...any) cmtlog.Logger {
	return cometLogger{c.l.With(normalize(kv)...), c.closes}
}

func (c cometLogger) log(level slog.Level, msg string, kv []any) {
	ctx := context.Background()
	if !c.l.Enabled(ctx, level) {
		return
	}
	c.l.Log(ctx, level, msg, normalize(kv)...)
}

// normalize makes CometBFT's key-value lists safe for slog: keys become
// strings; values stay as they are (slog formats them only when it writes).
func normalize(kv []any) []any {
	out := make([]any, 0, len(kv))
	for i := 0; i < len(kv); i += 2 {
		key, ok := kv[i].(string)
		if !ok {
			key = fmt.Sprint(kv[i])
		}
		if i+1 < len(kv) {
			out = append(out, key, kv[i+1])
		} else {
			out = append(out, "extra", kv[i])
		}
	}
	return out
}

// benignErrors are the errors CometBFT logs in normal operation, with the
// level they deserve: a peer going away, a transaction gossiped back by a
// second peer, peers dialling each other at once, the steps of a clean
// stop, and a validator holding its signatures while it catches up.
var benignErrors = []struct {
	msg, err string // the message, and a part of its err value ("" any)
	level    slog.Level
}{
	{"Tx already received from peer", "", slog.LevelDebug},
	{"Stopping peer for error", "EOF", slog.LevelInfo},
	{"Stopping peer for error", "use of closed network connection", slog.LevelInfo},
	{"Stopping peer for error", "connection reset by peer", slog.LevelInfo},
	{"Stopped accept routine, as transport is closed", "", slog.LevelDebug},
	{"Error stopping pool", "already stopped", slog.LevelDebug},
	// A peer stopped twice (for an error, and as its connection closed):
	// the second stop finds it stopped.
	{"error stopping peer", "already stopped", slog.LevelDebug},
	// A node stopped while it still syncs blocks: CometBFT's consensus
	// reactor stops its consensus state, which block sync has not handed
	// over to yet.
	{"Not stopping State service -- has not been started yet", "", slog.LevelDebug},
	{"Error stopping consensus state", "not started", slog.LevelDebug},
	{"Error serving server", "use of closed network connection", slog.LevelDebug},
	{"Error dialing peer", "duplicate ID", slog.LevelDebug},
	{"Error dialing peer", "connection refused", slog.LevelInfo},
	// Block sync dropping a peer that sent nothing in time, or (after the
	// hand-over to consensus) the pool's timers firing for requests nobody
	// waits for: a peer is replaced, nothing is lost.
	{"SendTimeout", "peer did not send us anything", slog.LevelInfo},
	// Block sync asks a second peer for the blocks it waits on longest, so
	// the slower answer arrives after the block was applied; CometBFT itself
	// does not punish the peer for it.
	{"failed to add block", "got an already committed block", slog.LevelInfo},
	// A validator holding its signatures until it has caught up (signGuard).
	{"Propose step; failed signing proposal", "not signing until caught up", slog.LevelInfo},
	{"Failed signing vote", "not signing until caught up", slog.LevelInfo},
}

// errorLevel returns the level of a CometBFT error line.
func errorLevel(msg string, kv []any) slog.Level {
	for _, b := range benignErrors {
		if b.msg == msg && (b.err == "" || strings.Contains(errValue(kv), b.err)) {
			return b.level
		}
	}
	return slog.LevelError
}

// errValue returns the err value of a key-value list, formatted.
func errValue(kv []any) string {
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok && (k == "err" || k == "reason") {
			return fmt.Sprint(kv[i+1])
		}
	}
	return ""
}

// closeWatch notices peers that keep closing their connections to this
// node at once: what a node the consortium has not admitted sees (the
// refusing side closes the connection without a word), and then warns.
type closeWatch struct {
	log    *slog.Logger
	nodeID string
	limit  int           // closes of one peer within window
	window time.Duration // that make the warning

	mu     sync.Mutex
	recent map[string][]time.Time
	warned map[string]time.Time
}

func newCloseWatch(log *slog.Logger, nodeID string) *closeWatch {
	return &closeWatch{log: log, nodeID: nodeID, limit: 3, window: time.Minute,
		recent: map[string][]time.Time{}, warned: map[string]time.Time{}}
}

func (w *closeWatch) closed(kv []any) {
	e := errValue(kv)
	if !strings.Contains(e, "EOF") && !strings.Contains(e, "connection reset") {
		return
	}
	peer := ""
	for i := 0; i+1 < len(kv); i += 2 {
		if k, _ := kv[i].(string); k == "peer" {
			if p, ok := kv[i+1].(interface{ ID() p2p.ID }); ok {
				peer = string(p.ID())
			} else {
				peer = fmt.Sprint(kv[i+1])
			}
		}
	}
	now := time.Now()
	w.mu.Lock()
	times := append(w.recent[peer], now)
	for len(times) > 0 && now.Sub(times[0]) > w.window {
		times = times[1:]
	}
	w.recent[peer] = times
	warn := len(times) >= w.limit && now.Sub(w.warned[peer]) > w.window
	if warn {
		w.warned[peer] = now
	}
	if len(w.recent) > 1000 {
		clear(w.recent)
	}
	w.mu.Unlock()
	if warn {
		w.log.Warn("a peer keeps closing its connection to this node: this node may not be admitted by the consortium; ask a member to propose admitting its node ID",
			"peer", peer, "closes", len(times), "within", w.window, "node_id", w.nodeID)
	}
}
