package node

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	cmtproto "github.com/cometbft/cometbft/api/cometbft/types/v1"
	cmttypes "github.com/cometbft/cometbft/types"
)

// peerWait is how long a validator that has heard from no peer waits for
// one before it refuses a signature (consensus asks again next round).
const peerWait = 3 * time.Second

// ErrCatchingUp is a validator's refusal to sign before it has caught up
// with the network it started into.
var ErrCatchingUp = errors.New("not signing until caught up")

// signGuard holds a validator's signatures, from its start, until it works
// on a height past every height the network has committed: until then it
// may be replaying heights it signed in a life whose signing state it no
// longer has (data/ rebuilt by an older layout, config/ restored from a
// backup, the state file lost), and CometBFT's block sync may hand over to
// consensus early (it does whenever the genesis set says this validator
// alone could block the chain). Its own signing state (privval's height,
// round and step) still guards every signature after that.
//
// It learns the network's height from its peers' consensus heights (their
// median, so one peer's claim does not decide), and waits for at least one
// unless it alone holds more than two thirds of the power and its chain
// is where its signing state left it. A height that does not move while it
// refuses (maxRefusals) is signed anyway, so that no peer's claim can hold
// a network. Once it has signed, it never holds again.
type signGuard struct {
	cmttypes.PrivValidator
	network func() (committed int64, heard bool) // the peers' best committed height
	alone   func() bool                          // this validator is the only one
	log     *slog.Logger
	armed   atomic.Bool
	held    atomic.Bool // a refusal was logged

	mu       sync.Mutex
	at       int64 // the height of the last refusal
	refusals int   // refusals at that height
}

// maxRefusals is how many signatures a validator refuses at one height
// before it signs anyway: consensus asks at each step of each round, so a
// height that does not move for that long is one the network waits on it
// for, whatever a peer claims (a peer's announced height is not proof).
const maxRefusals = 30

// SignVote signs once caught up.
func (g *signGuard) SignVote(chainID string, vote *cmtproto.Vote, signExtension bool) error {
	if err := g.check(vote.Height); err != nil {
		return err
	}
	return g.PrivValidator.SignVote(chainID, vote, signExtension)
}

// SignProposal signs once caught up.
func (g *signGuard) SignProposal(chainID string, proposal *cmtproto.Proposal) error {
	if err := g.check(proposal.Height); err != nil {
		return err
	}
	return g.PrivValidator.SignProposal(chainID, proposal)
}

func (g *signGuard) check(height int64) error {
	if g.armed.Load() {
		return nil
	}
	committed, heard := g.network()
	// At a network's start peers tell their heights within a second or
	// so: wait for them here rather than lose the round.
	for wait := time.Now().Add(peerWait); !heard && time.Now().Before(wait) && !g.alone(); {
		time.Sleep(50 * time.Millisecond)
		committed, heard = g.network()
	}
	var err error
	switch {
	case !heard && !g.alone():
		err = fmt.Errorf("%w: no peer has told its height yet, so height %d may be one this validator signed before", ErrCatchingUp, height)
	case height <= committed:
		err = fmt.Errorf("%w: the network has committed height %d; this validator signs from the height after it, not at %d", ErrCatchingUp, committed, height)
	}
	if err != nil && g.stuck(height) {
		g.log.Warn("signing although the peers claim a higher height: this height has not moved for many rounds, so the network waits on this validator", "height", height, "network_committed", committed)
		err = nil
	}
	if err != nil {
		if g.held.CompareAndSwap(false, true) {
			g.log.Info("holding this validator's signatures until it has caught up with the network", "height", height, "reason", err)
		}
		return err
	}
	if g.armed.CompareAndSwap(false, true) {
		g.log.Info("caught up with the network: this validator signs from here on", "height", height, "network_committed", committed)
	}
	return nil
}

// stuck counts a refusal at height and reports whether the height has not
// moved for maxRefusals of them.
func (g *signGuard) stuck(height int64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if height != g.at {
		g.at, g.refusals = height, 0
	}
	g.refusals++
	return g.refusals > maxRefusals
}
