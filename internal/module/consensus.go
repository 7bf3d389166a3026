package module

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/genesis"
)

// Index is the node's index: what system calls kept beside the state
// (execution.System's index writes), by key.
type Index interface {
	Indexed(key []byte) ([]byte, error)
}

// ConsensusContext is what a module's consensus part is made from on one
// node.
type ConsensusContext struct {
	// Genesis is the chain's.
	Genesis *genesis.Genesis
	// Home is the node's home directory: a part's per-node secrets are in
	// its config/ (such as the beacon's config/beacon_share.json).
	Home string
	// Index is the node's index, which the part's payloads write through
	// execution.System.
	Index Index
	// Log is the part's logger.
	Log *slog.Logger
}

// Consensus is a module with a part in consensus: system payloads that its
// validators propose and every node checks and applies, and optionally a
// vote extension, transactions of its own that the mempool keeps, and a
// task that runs beside the node. Each node makes its own part from its
// genesis and its own secrets.
type Consensus interface {
	Module
	// ConsensusPart is this node's part; nil (and no error) when the chain
	// has none (its genesis does not have the module's consensus role).
	ConsensusPart(ConsensusContext) (ConsensusPart, error)
}

// ConsensusPart is a module's part in one node's consensus.
//
// Payloads' handlers must be deterministic, as execution.PayloadHandler
// says. Propose need not be (it is what this node offers); CheckProposal
// must be, in what it accepts: every validator runs it on every proposal.
type ConsensusPart interface {
	// Payloads are the system payload types it handles, and their
	// handlers: every node checks and applies them where blocks carry
	// them. Two parts may not handle one type.
	Payloads() map[execution.PayloadType]execution.PayloadHandler
	// Propose gives the payloads this validator puts at the front of the
	// block it proposes (from req.LocalLastCommit's vote extensions, for
	// one). An error is logged, and the block is proposed without them.
	Propose(req *abci.PrepareProposalRequest) ([]execution.Payload, error)
	// CheckProposal refuses a proposal whose payloads an honest proposer
	// of this part would not have made, given the time of the block
	// before it (beyond each payload's own check, which is Payloads').
	CheckProposal(parentTime time.Time, payloads []execution.Payload) error
}

// VoteExtender is a consensus part that extends this validator's
// precommits. One part of a chain at most extends votes: its bytes are the
// vote extension as they are.
type VoteExtender interface {
	ConsensusPart
	// Extend is this validator's extension of its precommit for a block of
	// the given time and transactions. An error is logged, and the vote
	// goes without (CometBFT halts on an ExtendVote error).
	Extend(blockTime time.Time, txs [][]byte) ([]byte, error)
	// VerifyExtension refuses only malformed bytes: it sees no time, and a
	// refusal discards the whole precommit, which could halt a small
	// network. An empty extension is never refused, nor shown to it.
	VerifyExtension(ext []byte) error
}

// MempoolEntries is a consensus part with entries of its own in the
// mempool: raw bytes it claims, which are no Ethereum transaction and no
// block holds (the beacon's nudges, which wake an idle chain).
type MempoolEntries interface {
	ConsensusPart
	// Claims says whether raw is one of the part's entries, valid or not.
	Claims(raw []byte) bool
	// CheckEntry decides whether the mempool keeps raw (one it claims)
	// while the next block is number next, at the wall-clock time now.
	CheckEntry(raw []byte, next int64, now time.Time) error
}

// Runner is a consensus part with a task that runs while the node does
// (until ctx ends): it may put its entries into the mempool by submit.
// Run must return soon after ctx ends: the node waits for it to stop.
type Runner interface {
	ConsensusPart
	Run(ctx context.Context, submit func(ctx context.Context, raw []byte) error)
}

// ConsensusParts makes this node's parts of the modules that have one, in
// the list's order, and refuses two parts that handle one payload type or
// that both extend votes.
func (s *Set) ConsensusParts(ctx ConsensusContext) ([]ConsensusPart, error) {
	var parts []ConsensusPart
	payloadOwner := map[execution.PayloadType]string{}
	extender := ""
	log := ctx.Log
	for _, m := range s.Modules() {
		c, ok := m.(Consensus)
		if !ok {
			continue
		}
		if log != nil {
			ctx.Log = log.With("module", m.Name())
		}
		p, err := c.ConsensusPart(ctx)
		if err != nil {
			return nil, fmt.Errorf("module %s: %w", m.Name(), err)
		}
		if p == nil {
			continue
		}
		for t := range p.Payloads() {
			if other, taken := payloadOwner[t]; taken {
				return nil, fmt.Errorf("%w: modules %s and %s both handle system payloads of type %d", ErrDuplicate, other, m.Name(), t)
			}
			payloadOwner[t] = m.Name()
		}
		if _, ok := p.(VoteExtender); ok {
			if extender != "" {
				return nil, fmt.Errorf("%w: modules %s and %s both extend votes; a chain's vote extension is one module's", ErrDuplicate, extender, m.Name())
			}
			extender = m.Name()
		}
		parts = append(parts, p)
	}
	return parts, nil
}
