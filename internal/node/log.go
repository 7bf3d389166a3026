package node

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	cmtlog "github.com/cometbft/cometbft/libs/log"
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

// cometLogger routes CometBFT's logs into slog. CometBFT reports every step
// of every height at info; those go to debug so that an operator's info log
// shows chuxin's own summary lines. Its errors stay errors.
type cometLogger struct{ l *slog.Logger }

func (c cometLogger) Debug(msg string, kv ...any) { c.l.Debug(msg, normalize(kv)...) }
func (c cometLogger) Info(msg string, kv ...any)  { c.l.Debug(msg, normalize(kv)...) }
func (c cometLogger) Error(msg string, kv ...any) { c.l.Error(msg, normalize(kv)...) }
func (c cometLogger) With(kv ...any) cmtlog.Logger {
	return cometLogger{c.l.With(normalize(kv)...)}
}

// normalize makes CometBFT's key-value lists safe for slog (keys as strings).
func normalize(kv []any) []any {
	out := make([]any, 0, len(kv))
	for i := 0; i < len(kv); i += 2 {
		key := fmt.Sprint(kv[i])
		if i+1 < len(kv) {
			out = append(out, key, fmt.Sprint(kv[i+1]))
		} else {
			out = append(out, "extra", key)
		}
	}
	return out
}
