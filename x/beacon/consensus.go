package beacon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/x/beacon/release"
)

// nudgeTimeout bounds how long one nudge waits for the mempool.
const nudgeTimeout = 5 * time.Second

// ConsensusPart is this node's part of the beacon (see package release),
// with its share of the master secret if it holds one
// (config/beacon_share.json); none for a chain whose genesis has no beacon
// committee.
func (Module) ConsensusPart(ctx module.ConsensusContext) (module.ConsensusPart, error) {
	if ctx.Genesis.Beacon == nil {
		return nil, nil
	}
	var share *capsule.Share
	file := config.BeaconShareFile(ctx.Home)
	if ctx.Home != "" {
		switch s, err := capsule.LoadShare(file); {
		case err == nil:
			share = &s
		case !errors.Is(err, os.ErrNotExist):
			return nil, err
		}
	}
	b, err := release.New(ctx.Genesis, share, ctx.Index, ctx.Log)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &part{b}, nil
}

// part is the beacon's consensus part, and the beacon as the modules' APIs
// read it (module.Beacon).
type part struct{ b *release.Beacon }

var (
	_ module.VoteExtender   = (*part)(nil)
	_ module.MempoolEntries = (*part)(nil)
	_ module.Runner         = (*part)(nil)
	_ module.Beacon         = (*part)(nil)
)

// Payloads are the epoch keys' payloads.
func (p *part) Payloads() map[execution.PayloadType]execution.PayloadHandler {
	return map[execution.PayloadType]execution.PayloadHandler{release.PayloadType: p.b}
}

// Propose combines the last commit's partial keys into the payload of the
// rounds they release.
func (p *part) Propose(req *abci.PrepareProposalRequest) ([]execution.Payload, error) {
	pl, err := p.b.Propose(req.Height, req.LocalLastCommit.Votes)
	if err != nil || pl == nil {
		return nil, err
	}
	return []execution.Payload{*pl}, nil
}

// CheckProposal refuses epoch keys that do not follow on from the last
// released round, or whose rounds had not come by the parent's time.
func (p *part) CheckProposal(parentTime time.Time, payloads []execution.Payload) error {
	return p.b.CheckProposal(parentTime, payloads)
}

// Extend is this validator's partial keys for the rounds the block's time
// has reached.
func (p *part) Extend(blockTime time.Time, txs [][]byte) ([]byte, error) {
	return p.b.Extend(blockTime, txs)
}

// VerifyExtension refuses bytes that are not a list of rounds.
func (p *part) VerifyExtension(ext []byte) error { return p.b.VerifyExtension(ext) }

// Claims says whether raw is a nudge.
func (p *part) Claims(raw []byte) bool { return release.IsNudge(raw) }

// CheckEntry keeps the nudge of the round whose time has come, once.
func (p *part) CheckEntry(raw []byte, next int64, now time.Time) error {
	return p.b.CheckNudge(raw, next, now)
}

// Run puts each round's nudge into the mempool when its time comes.
func (p *part) Run(ctx context.Context, submit func(context.Context, []byte) error) {
	p.b.RunNudges(ctx, func(raw []byte) error {
		ctx, cancel := context.WithTimeout(ctx, nudgeTimeout)
		defer cancel()
		return submit(ctx, raw)
	})
}

// Info is the beacon's public description.
func (p *part) Info() *capsule.ChainInfo { return p.b.Info }

// ChainHash is its drand chain hash.
func (p *part) ChainHash() string { return p.b.ChainHash }

// TimeZone is the network's.
func (p *part) TimeZone() string { return p.b.TimeZone }

// Latest is the last released round.
func (p *part) Latest() (uint64, error) { return p.b.Latest() }

// Key is a released round's key.
func (p *part) Key(round uint64) (*capsule.Signature, error) { return p.b.Key(round) }

// Threshold is how many of its share holders release a round.
func (p *part) Threshold() (t, n int) { return p.b.Threshold() }
