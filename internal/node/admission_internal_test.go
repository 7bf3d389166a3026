package node

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/system"
)

// emptyState admits nobody.
type emptyState struct{}

func (emptyState) GetState(common.Address, common.Hash) common.Hash { return common.Hash{} }

// TestRefusalsWhileCatchingUpAreNotWarnings: a node catching up judges by
// an old state, so a peer admitted since is refused without a warning (it
// is judged again once the node has caught up); a caught-up node warns.
// Its own persistent peers pass while it catches up.
func TestRefusalsWhileCatchingUpAreNotWarnings(t *testing.T) {
	var buf bytes.Buffer
	catchingUp := true
	persistent := strings.Repeat("cd", 20)
	a := newAdmission(NewLogger(&buf, "info", "text"), persistent+"@127.0.0.1:1", func() (system.State, error) { return emptyState{}, nil },
		func() bool { return catchingUp })
	stranger := strings.Repeat("ab", 20)
	if err := a.check(stranger); !errors.Is(err, ErrNotAdmitted) {
		t.Fatalf("a stranger while catching up: %v", err)
	}
	if err := a.check(persistent); err != nil {
		t.Fatalf("a persistent peer while catching up: %v", err)
	}
	if strings.Contains(buf.String(), "level=WARN") || !strings.Contains(buf.String(), "judged again once this node has caught up") {
		t.Fatalf("a refusal while catching up:\n%s", buf.String())
	}
	catchingUp = false
	other := strings.Repeat("ef", 20)
	if err := a.check(other); !errors.Is(err, ErrNotAdmitted) || !strings.Contains(buf.String(), "level=WARN msg=\"refused a peer the consortium has not admitted\"") {
		t.Fatalf("a refusal once caught up: %v\n%s", err, buf.String())
	}
	if err := a.check(persistent); !errors.Is(err, ErrNotAdmitted) {
		t.Fatalf("a persistent peer the consortium has not admitted, once caught up: %v", err)
	}
}
