package node

import (
	"sync"
	"time"

	"github.com/chuxin-chain/chuxin/internal/module"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/ethereum/go-ethereum/core/types"
)

// peerSightings remembers when each peer was last seen connected: the
// audit's "last seen" of the admitted nodes. It is this node's view, kept
// in memory and updated with every committed block.
type peerSightings struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

func (n *Node) notePeers(*types.Block, types.Receipts) {
	if n.cmt == nil {
		return
	}
	now := time.Now().UTC()
	n.sightings.mu.Lock()
	defer n.sightings.mu.Unlock()
	if n.sightings.seen == nil {
		n.sightings.seen = map[string]time.Time{}
	}
	for _, p := range n.cmt.Switch().Peers().Copy() {
		n.sightings.seen[string(p.ID())] = now
	}
}

// peersSeen returns the sightings and the peers connected now.
func (n *Node) peersSeen() (map[string]time.Time, map[string]bool) {
	connected := map[string]bool{}
	for _, p := range n.cmt.Switch().Peers().Copy() {
		connected[string(p.ID())] = true
	}
	n.sightings.mu.Lock()
	defer n.sightings.mu.Unlock()
	seen := make(map[string]time.Time, len(n.sightings.seen))
	for id, t := range n.sightings.seen {
		seen[id] = t
	}
	return seen, connected
}

// validatorActivity counts, over the last window blocks of CometBFT's block
// store, the blocks each validator proposed and the commits it signed or
// missed (absent, or a vote for nil).
func (n *Node) validatorActivity(window int) map[string]module.ValidatorActivity {
	out := map[string]module.ValidatorActivity{}
	env, err := n.cmt.ConfigureRPC()
	if err != nil {
		return out
	}
	bs := n.cmt.BlockStore()
	top := bs.Height()
	for h := max(bs.Base(), top-int64(window)+1); h <= top && h > 0; h++ {
		if meta := bs.LoadBlockMeta(h); meta != nil {
			a := out[meta.Header.ProposerAddress.String()]
			a.Proposed++
			out[meta.Header.ProposerAddress.String()] = a
		}
		commit := bs.LoadBlockCommit(h)
		if commit == nil {
			commit = bs.LoadSeenCommit(h)
		}
		if commit == nil {
			continue
		}
		// A commit has a signature per validator of the set at h, in its
		// order; an absent one names no address.
		vals, err := env.StateStore.LoadValidators(h)
		if err != nil || len(vals.Validators) != len(commit.Signatures) {
			continue
		}
		for i, sig := range commit.Signatures {
			addr := vals.Validators[i].Address.String()
			a := out[addr]
			if sig.BlockIDFlag == cmttypes.BlockIDFlagCommit {
				a.Signed++
			} else {
				a.Missed++
			}
			out[addr] = a
		}
	}
	return out
}

// blockTimes returns the times of the first and the last of the last window
// blocks of CometBFT's block store, and how many there are.
func (n *Node) blockTimes(window int) (first, last time.Time, blocks int) {
	bs := n.cmt.BlockStore()
	top := bs.Height()
	from := max(bs.Base(), top-int64(window)+1, 1)
	if top < from {
		return first, last, 0
	}
	a, b := bs.LoadBlockMeta(from), bs.LoadBlockMeta(top)
	if a == nil || b == nil {
		return first, last, 0
	}
	return a.Header.Time, b.Header.Time, int(top - from + 1)
}
