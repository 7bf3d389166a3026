package node

import (
	"errors"
	"io"
	"log/slog"
	"testing"

	cmtproto "github.com/cometbft/cometbft/api/cometbft/types/v1"
	cmttypes "github.com/cometbft/cometbft/types"
)

// TestSignGuardWaitsUntilCaughtUp: a validator signs nothing until a peer
// has told its height (unless it is the only validator), nothing at or
// below the height the network has committed, and from then on all that
// its signing state allows.
func TestSignGuardWaitsUntilCaughtUp(t *testing.T) {
	var committed int64
	heard, alone := false, false
	g := &signGuard{PrivValidator: cmttypes.NewMockPV(), log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		network: func() (int64, bool) { return committed, heard }, alone: func() bool { return alone }}
	vote := func(h int64) error {
		return g.SignVote("c", &cmtproto.Vote{Type: cmtproto.PrecommitType, Height: h}, false)
	}
	if err := vote(1); !errors.Is(err, ErrCatchingUp) {
		t.Fatalf("before any peer: %v", err)
	}
	heard, committed = true, 86
	for _, h := range []int64{1, 50, 86} {
		if err := vote(h); !errors.Is(err, ErrCatchingUp) {
			t.Fatalf("at committed height %d: %v", h, err)
		}
	}
	if err := g.SignProposal("c", &cmtproto.Proposal{Type: cmtproto.ProposalType, Height: 86}); !errors.Is(err, ErrCatchingUp) {
		t.Fatalf("a proposal at a committed height: %v", err)
	}
	if err := vote(87); err != nil {
		t.Fatalf("past the network's height: %v", err)
	}
	committed = 1000 // once caught up, it holds no more
	if err := vote(88); err != nil {
		t.Fatalf("after catching up: %v", err)
	}

	alone = true // the only validator waits for no peer
	g2 := &signGuard{PrivValidator: cmttypes.NewMockPV(), log: g.log, network: func() (int64, bool) { return 0, false }, alone: func() bool { return alone }}
	if err := g2.SignVote("c", &cmtproto.Vote{Type: cmtproto.PrecommitType, Height: 1}, false); err != nil {
		t.Fatalf("a lone validator: %v", err)
	}
}

// TestSignGuardOutlastsAFalseHeight: a peer that claims a height far ahead
// cannot hold a validator for good: a height that does not move for
// maxRefusals refusals is signed.
func TestSignGuardOutlastsAFalseHeight(t *testing.T) {
	g := &signGuard{PrivValidator: cmttypes.NewMockPV(), log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		network: func() (int64, bool) { return 1 << 60, true }, alone: func() bool { return false }}
	vote := func(h int64, round int32) error {
		return g.SignVote("c", &cmtproto.Vote{Type: cmtproto.PrevoteType, Height: h, Round: round}, false)
	}
	for i := range maxRefusals {
		if err := vote(5, int32(i)); !errors.Is(err, ErrCatchingUp) {
			t.Fatalf("refusal %d: %v", i, err)
		}
	}
	if err := vote(5, maxRefusals); err != nil {
		t.Fatalf("after %d refusals at one height: %v", maxRefusals, err)
	}
}
