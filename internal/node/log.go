package node

import (
	"context"
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
//
// CometBFT logs every gossiped message at debug: nothing is formatted unless
// the level is enabled, or the formatting alone costs more CPU than the
// transactions it describes.
type cometLogger struct{ l *slog.Logger }

func (c cometLogger) Debug(msg string, kv ...any) { c.log(slog.LevelDebug, msg, kv) }
func (c cometLogger) Info(msg string, kv ...any)  { c.log(slog.LevelDebug, msg, kv) }
func (c cometLogger) Error(msg string, kv ...any) { c.log(slog.LevelError, msg, kv) }
func (c cometLogger) With(kv ...any) cmtlog.Logger {
	return cometLogger{c.l.With(normalize(kv)...)}
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
