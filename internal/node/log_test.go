package node

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	gethlog "github.com/ethereum/go-ethereum/log"

	"github.com/chuxin-chain/chuxin/internal/store"
)

type countingStringer struct{ n *int }

func (c countingStringer) String() string { *c.n++; return "formatted" }

// CometBFT logs every gossiped message at debug; at info level nothing of
// it may be formatted.
func TestCometLoggerFormatsNothingBelowItsLevel(t *testing.T) {
	var buf bytes.Buffer
	var calls int
	l := cometLogger{l: NewLogger(&buf, "info", "text")}
	l.Debug("received", "msg", countingStringer{&calls})
	l.Info("step", "msg", countingStringer{&calls}) // CometBFT's info is chuxin's debug
	if calls != 0 || buf.Len() != 0 {
		t.Fatalf("disabled levels formatted %d values and wrote %q", calls, buf.String())
	}
	l.Error("failed", "err", countingStringer{&calls}, 7, "x")
	if calls != 1 || !strings.Contains(buf.String(), "err=formatted") || !strings.Contains(buf.String(), "7=x") {
		t.Fatalf("error line: %q (%d calls)", buf.String(), calls)
	}
}

// go-ethereum's components log through its own process-wide logger; once
// routed, a real one (the Pebble database the store opens) writes into the
// node's log, marked module=geth.
func TestGethLogReachesTheNodeLog(t *testing.T) {
	prevGeth, prevSlog := gethlog.Root(), slog.Default()
	t.Cleanup(func() {
		gethlog.SetDefault(prevGeth)
		slog.SetDefault(prevSlog)
	})
	var buf bytes.Buffer
	RouteGethLog(NewLogger(&buf, "info", "text"))
	s, err := store.Open(t.TempDir(), store.Options{CacheMB: 16})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	line := func(msg string) string {
		for _, l := range strings.Split(buf.String(), "\n") {
			if strings.Contains(l, msg) {
				return l
			}
		}
		return ""
	}
	if l := line("Allocated cache and file handles"); !strings.Contains(l, "module=geth") || !strings.Contains(l, "level=INFO") {
		t.Fatalf("no geth line in the node log: %q", buf.String())
	}
	// Its warnings are of what the node repairs itself: info. Errors stay.
	gethlog.Warn("Failed to load snapshot", "err", "missing or corrupted snapshot")
	gethlog.Error("Database failure")
	gethlog.Debug("hidden at info")
	if l := line("Failed to load snapshot"); !strings.Contains(l, "level=INFO") {
		t.Fatalf("geth warning: %q", l)
	}
	if l := line("Database failure"); !strings.Contains(l, "level=ERROR") || !strings.Contains(l, "module=geth") {
		t.Fatalf("geth error: %q", l)
	}
	if l := line("hidden at info"); l != "" {
		t.Fatalf("geth debug line at info: %q", l)
	}
}

// CometBFT's errors of normal operation (peers leaving, a clean stop) are
// not ERROR lines; any other error is.
func TestCometLoggerLowersBenignErrors(t *testing.T) {
	var buf bytes.Buffer
	l := cometLogger{l: NewLogger(&buf, "debug", "text")}
	l.Error("Stopping peer for error", "peer", "Peer{x}", "err", errString("EOF"))
	l.Error("Error serving server", "err", errString("accept tcp 127.0.0.1:26657: use of closed network connection"))
	l.Error("Error stopping pool", "err", errString("already stopped"))
	l.Error("error stopping peer", "peer", "ab12", "err", errString("already stopped"))
	l.Error("Not stopping State service -- has not been started yet", "impl", "ConsensusState")
	l.Error("Error stopping consensus state", "err", errString("not started"))
	l.Error("Tx already received from peer", "tx", "AB")
	l.Error("Error dialing peer", "err", errString("duplicate ID<ab>"))
	l.Error("SendTimeout", "reason", errString("peer did not send us anything"), "timeout", "15s")
	l.Error("failed to add block", "peer", "Peer{x}", "err", errString("got an already committed block #12 (possibly from the slow peer ab12)"))
	l.Error("Failed signing vote", "height", 3, "err", errString("not signing until caught up: the network has committed height 9"))
	if strings.Contains(buf.String(), "level=ERROR") {
		t.Fatalf("benign CometBFT errors logged as errors:\n%s", buf.String())
	}
	buf.Reset()
	l.Error("Stopping peer for error", "err", errString("invalid block part"))
	l.Error("CONSENSUS FAILURE!!!", "err", errString("boom"))
	l.Error("failed to add block", "err", errString("peer sent us block #99 we didn't expect"))
	if n := strings.Count(buf.String(), "level=ERROR"); n != 3 {
		t.Fatalf("real errors lowered:\n%s", buf.String())
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestRepeatedClosesWarnOfAdmission(t *testing.T) {
	var buf bytes.Buffer
	w := newCloseWatch(NewLogger(&buf, "info", "text"), "abc123")
	l := cometLogger{l: NewLogger(&buf, "info", "text"), closes: w}
	l.Error("Stopping peer for error", "peer", "Peer{a}", "err", "EOF")
	l.Error("Stopping peer for error", "peer", "Peer{b}", "err", "EOF")
	l.Error("Stopping peer for error", "peer", "Peer{a}", "err", "some other error")
	l.Error("Stopping peer for error", "peer", "Peer{a}", "err", "EOF")
	if strings.Contains(buf.String(), "may not be admitted") {
		t.Fatalf("warned after two closes:\n%s", buf.String())
	}
	l.Error("Stopping peer for error", "peer", "Peer{a}", "err", "EOF")
	l.Error("Stopping peer for error", "peer", "Peer{a}", "err", "EOF")
	if n := strings.Count(buf.String(), "may not be admitted"); n != 1 || !strings.Contains(buf.String(), "node_id=abc123") {
		t.Fatalf("warnings after repeated closes: %d\n%s", n, buf.String())
	}
}
