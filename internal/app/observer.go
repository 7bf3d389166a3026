package app

import (
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
)

// Observer is told what the application does, for the node's metrics. It
// is called on the ABCI connections' goroutines and must not block.
type Observer interface {
	// Refused: CheckTx refused a transaction for reason (the refusal's
	// leading words, as "nonce too low").
	Refused(reason string)
	// Executed: FinalizeBlock executed a block of txs transactions and gas
	// gas in d.
	Executed(txs int, gas uint64, d time.Duration)
	// Committed: Commit made a block durable in d.
	Committed(d time.Duration)
	// Signed: the block being finalized carries commit, the signatures
	// of the block before it (which validators signed, which did not).
	Signed(commit abci.CommitInfo)
}

// SetObserver installs o (none by default). Call it before the node starts.
func (a *App) SetObserver(o Observer) { a.observer = o }

// refusalReason returns the leading words of a refusal, which name its
// kind ("nonce too low: address …" gives "nonce too low").
func refusalReason(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, ':'); i >= 0 {
		msg = msg[:i]
	}
	if len(msg) > 48 {
		return "other"
	}
	return msg
}
