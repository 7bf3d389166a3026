package node

import (
	"bytes"
	"strings"
	"testing"
)

type countingStringer struct{ n *int }

func (c countingStringer) String() string { *c.n++; return "formatted" }

// CometBFT logs every gossiped message at debug; at info level nothing of
// it may be formatted.
func TestCometLoggerFormatsNothingBelowItsLevel(t *testing.T) {
	var buf bytes.Buffer
	var calls int
	l := cometLogger{NewLogger(&buf, "info", "text")}
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
