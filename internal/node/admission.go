package node

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/system"
)

// ErrNotAdmitted: a peer whose node ID the consortium has not admitted.
var ErrNotAdmitted = errors.New("node not admitted")

// admission decides which peers this node takes: those whose node IDs the
// consortium admitted, in the committed state. A node catching up judges by
// an old state, so while it catches up it also takes the peers named in its
// own configuration (persistent_peers).
type admission struct {
	log        *slog.Logger
	state      func() (system.State, error) // the committed state
	catchingUp func() bool
	configured map[string]bool

	mu      sync.Mutex
	refused map[string]time.Time // when each refused ID was last logged
}

func newAdmission(log *slog.Logger, persistentPeers string, state func() (system.State, error), catchingUp func() bool) *admission {
	a := &admission{log: log, state: state, catchingUp: catchingUp, configured: map[string]bool{}, refused: map[string]time.Time{}}
	for _, p := range strings.Split(persistentPeers, ",") {
		if id, _, ok := strings.Cut(strings.TrimSpace(p), "@"); ok {
			a.configured[strings.ToLower(id)] = true
		}
	}
	return a
}

// check says whether the peer with node ID id may connect.
func (a *admission) check(id string) error {
	err := a.admitted(id)
	if err == nil {
		return nil
	}
	catchingUp := a.catchingUp()
	if a.configured[strings.ToLower(id)] && catchingUp {
		return nil // judged by the consortium once this node has caught up
	}
	a.logRefusal(id, err, catchingUp)
	return err
}

func (a *admission) admitted(id string) error {
	nid, err := system.ParseNodeID(id)
	if err != nil {
		return err
	}
	st, err := a.state()
	if err != nil {
		return fmt.Errorf("%w: no committed state to judge node %s by: %v", ErrNotAdmitted, id, err)
	}
	if !system.Admitted(st, nid) {
		return fmt.Errorf("%w: the consortium has not admitted node %s (a proposal with --admit-node admits it)", ErrNotAdmitted, id)
	}
	return nil
}

// logRefusal logs a refusal, once a minute per node: a refused peer
// redials every few seconds. While this node catches up its state is old:
// a node the consortium admitted since is refused until it has caught up
// and the peer redials, which is no cause for a warning.
func (a *admission) logRefusal(id string, err error, catchingUp bool) {
	a.mu.Lock()
	last, seen := a.refused[id]
	now := time.Now()
	if seen && now.Sub(last) < time.Minute {
		a.mu.Unlock()
		return
	}
	if len(a.refused) > 10_000 {
		clear(a.refused)
	}
	a.refused[id] = now
	a.mu.Unlock()
	if catchingUp {
		a.log.Info("refused a peer this node's state does not admit yet; it is judged again once this node has caught up", "node_id", id, "reason", err)
		return
	}
	a.log.Warn("refused a peer the consortium has not admitted", "node_id", id, "reason", err)
}

// revoked reports whether a block revoked a node's admission.
func revoked(receipts types.Receipts) bool {
	for _, r := range receipts {
		for _, l := range r.Logs {
			if l.Address == system.ConsortiumAddress && len(l.Topics) > 0 && l.Topics[0] == system.NodeRevokedTopic {
				return true
			}
		}
	}
	return false
}
