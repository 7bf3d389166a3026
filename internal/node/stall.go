package node

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// stallWatch notices a chain that stopped committing: it remembers when the
// last block committed and, once no block has for stallAfter, warns with the
// consensus height and round and which validators' votes are missing, and
// warns again each stallAfter while the stall lasts. A node still catching
// up is not stalled.
type stallWatch struct {
	n          *Node
	stallAfter time.Duration
	last       atomic.Int64 // unix nanoseconds of the last commit
}

// stallAfter is how long a node waits for a block before it warns: three
// of the longest intervals blocks normally take, and at least 3 s.
func (n *Node) stallAfter() time.Duration {
	c := n.Config.Consensus
	expected := max(time.Duration(c.EmptyBlockInterval), time.Duration(c.TimeoutPropose+c.TimeoutCommit))
	return max(3*expected, 3*time.Second)
}

func (w *stallWatch) committed() { w.last.Store(time.Now().UnixNano()) }

// sinceCommit is how long ago the last block committed.
func (w *stallWatch) sinceCommit() time.Duration { return time.Since(time.Unix(0, w.last.Load())) }

// run watches until quit closes; committed must have been called once.
func (w *stallWatch) run(quit <-chan struct{}) {
	tick := time.NewTicker(w.stallAfter / 3)
	defer tick.Stop()
	var warned time.Time
	for {
		select {
		case <-quit:
			return
		case <-tick.C:
		}
		since := w.sinceCommit()
		switch {
		case since < w.stallAfter:
			if !warned.IsZero() {
				w.n.log.Info("committing again after a stall", "height", w.n.Height())
				warned = time.Time{}
			}
		case w.n.cmt.ConsensusReactor().WaitSync():
			w.committed() // catching up is not a stall
		case time.Since(warned) >= w.stallAfter:
			w.warn(since)
			warned = time.Now()
		}
	}
}

func (w *stallWatch) warn(since time.Duration) {
	attrs := []any{"since_last_block", since.Round(time.Second), "height", w.n.Height(), "peers", w.n.cmt.Switch().Peers().Size()}
	if v, err := w.n.missingVotes(); err == nil {
		attrs = append(attrs, "consensus", v.round, "votes_missing", fmt.Sprintf("%d of %d", len(v.missing), v.validators),
			"missing", strings.Join(v.missing, ","), "power_missing", fmt.Sprintf("%d of %d", v.missingPower, v.totalPower))
	}
	w.n.log.Warn("no block committed: the chain is stalled; more than a third of the voting power is not voting (stopped, unreachable or not admitted)", attrs...)
}

// voteState is who has not voted in the current consensus round.
type voteState struct {
	round                    string // height/round/step
	validators               int
	missing                  []string // monikers (genesis names) or addresses
	missingPower, totalPower int64
}

// missingVotes reads CometBFT's consensus state: the validators whose
// prevote for the current round has not arrived.
func (n *Node) missingVotes() (*voteState, error) {
	env, err := n.cmt.ConfigureRPC()
	if err != nil {
		return nil, err
	}
	raw, err := env.ConsensusState.GetRoundStateSimpleJSON()
	if err != nil {
		return nil, err
	}
	var rs struct {
		HRS   string `json:"height/round/step"`
		Votes []struct {
			Round    int32    `json:"round"`
			Prevotes []string `json:"prevotes"`
		} `json:"height_vote_set"`
	}
	if err := json.Unmarshal(raw, &rs); err != nil {
		return nil, fmt.Errorf("consensus state: %w", err)
	}
	_, vals := env.ConsensusState.GetValidators()
	names := n.names
	st := &voteState{round: rs.HRS, validators: len(vals)}
	// The current round's prevotes, by validator index; later rounds that
	// peers have reached may already be listed, and empty.
	var height int64
	var round int32
	fmt.Sscanf(rs.HRS, "%d/%d/", &height, &round)
	var prevotes []string
	for _, r := range rs.Votes {
		if r.Round == round {
			prevotes = r.Prevotes
		}
	}
	for i, v := range vals {
		st.totalPower += v.VotingPower
		if i < len(prevotes) && prevotes[i] != "nil-Vote" {
			continue
		}
		name := names[v.Address.String()]
		if name == "" {
			name = v.Address.String()
		}
		st.missing = append(st.missing, name)
		st.missingPower += v.VotingPower
	}
	slices.Sort(st.missing)
	return st, nil
}
