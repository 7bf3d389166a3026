package release

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"time"
)

// A nudge wakes an idle chain when a round's time comes. A chain without
// transactions makes a block only every empty_block_interval, and a round's
// key needs two blocks after its time: one whose votes carry the partial
// keys, one that combines them. So at each round's time every node puts a
// nudge, a few bytes naming the round, into its mempool: CometBFT then sees
// something to propose and makes those two blocks at once. No block ever
// holds a nudge (PrepareProposal leaves out what is not a transaction), and
// CheckTx's recheck drops it once its round's key is released, so a chain
// that has nothing due goes back to waiting.
//
// A nudge is accepted (ErrNudge otherwise) only for the round whose time
// has come last or the one before it, while its key is not released yet
// and the beacon keeps up (the round before it is released, or the one
// before that), and only for a few blocks: a round the validators cannot
// release (too few share holders) wakes the chain for nudgeBlocks blocks,
// and then no round wakes it until the beacon catches up.

var nudgePrefix = []byte("chuxin/beacon-nudge/v1:")

// nudgeBlocks is how many blocks a nudge keeps the chain making: the block
// whose votes carry the partial keys, the one with the key, and two spare
// for a proposer whose clock is a little behind.
const nudgeBlocks = 4

// nudgeSkew is how far ahead of this node's clock a peer's nudge may be.
const nudgeSkew = time.Second

// Nudge returns the nudge of round.
func Nudge(round uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte{}, nudgePrefix...), round)
}

// IsNudge reports whether raw is a nudge (valid or not).
func IsNudge(raw []byte) bool { return bytes.HasPrefix(raw, nudgePrefix) }

// nudges remembers the height at which this node first took each round's
// nudge into its mempool.
type nudges struct {
	mu    sync.Mutex
	first map[uint64]int64
}

// CheckNudge decides whether the mempool keeps raw, a nudge (IsNudge), when
// the next block is at height next and the time is now.
func (b *Beacon) CheckNudge(raw []byte, next int64, now time.Time) error {
	if len(raw) != len(nudgePrefix)+8 {
		return fmt.Errorf("%w: %d bytes, a nudge has %d", ErrNudge, len(raw), len(nudgePrefix)+8)
	}
	round := binary.BigEndian.Uint64(raw[len(nudgePrefix):])
	last, err := b.Latest()
	if err != nil {
		return err
	}
	due := b.Info.RoundAt(now.Add(nudgeSkew).Unix())
	switch {
	case round <= last:
		return fmt.Errorf("%w: round %d is released", ErrNudge, round)
	case round > due:
		return fmt.Errorf("%w: round %d has not come (round %d is due)", ErrNudge, round, due)
	case round+1 < due:
		return fmt.Errorf("%w: round %d is past; round %d is due", ErrNudge, round, due)
	case last+2 < round:
		// The validators could not release the rounds before (too few
		// share holders): the chain keeps its own pace, which catches up.
		return fmt.Errorf("%w: the beacon is behind (round %d released, %d due)", ErrNudge, last, round)
	}
	b.nudges.mu.Lock()
	defer b.nudges.mu.Unlock()
	if b.nudges.first == nil {
		b.nudges.first = map[uint64]int64{}
	}
	for r := range b.nudges.first {
		if r+1 < due || r <= last {
			delete(b.nudges.first, r) // at most three rounds are ever kept
		}
	}
	first, ok := b.nudges.first[round]
	if !ok {
		b.nudges.first[round] = next
		return nil
	}
	if next >= first+nudgeBlocks {
		return fmt.Errorf("%w: round %d is not released after %d blocks", ErrNudge, round, nudgeBlocks)
	}
	return nil
}

// RunNudges puts each round's nudge into the mempool by submit when the
// round's time comes, unless its key is released already, until ctx ends.
func (b *Beacon) RunNudges(ctx context.Context, submit func([]byte) error) {
	for {
		now := time.Now()
		round := b.Info.RoundAt(now.Unix()) + 1
		wait := time.Until(time.Unix(b.Info.RoundTime(round), 0))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		// Nothing to wake for if the key is out; and a beacon already a
		// round behind (the validators could not release the last one:
		// too few share holders) leaves the chain to its own pace, which
		// catches it up, rather than keep it busy.
		if last, err := b.Latest(); err != nil || last >= round || last+2 < round {
			continue
		}
		if err := submit(Nudge(round)); err != nil {
			b.log.Debug("beacon: the round's nudge was not taken", "round", round, "err", err)
		}
	}
}
