package node

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	cmtproto "github.com/cometbft/cometbft/api/cometbft/types/v1"
	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/privval"
	sm "github.com/cometbft/cometbft/state"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/keys"
)

// ErrNextKey: the home's next consensus key file is not a key, or its
// public key is not its private key's.
var ErrNextKey = errors.New("config/priv_validator_key.next.json is not a usable consensus key")

// rotator is a validator's signer that moves to the home's next consensus
// key (config/priv_validator_key.next.json, made by chuxin rotate-key) from
// the first height whose validator set, as CometBFT holds it, has the next
// key and not the current one: a rotation that governance passes takes
// effect without a restart and without a missed block. CometBFT asks for
// the public key again after every block it commits, which is when the
// move happens; the node also checks every few seconds (a node that
// starts, or that block sync brought past the rotation) and then makes
// consensus read the key again.
//
// The move keeps the signing state (the new key signs only heights after
// the old one's last), keeps the old key as
// config/priv_validator_key.retired-ADDRESS.json, and puts the new one in
// config/priv_validator_key.json, so that a restart signs with it.
type rotator struct {
	home string
	log  *slog.Logger
	// holds says whether the validator set of the height after the last
	// committed one holds an address (nil until consensus exists).
	holds atomic.Pointer[func(address []byte) (bool, error)]

	moves atomic.Uint64 // how many times the key moved

	mu     sync.Mutex // held while signing: privval updates its signing state
	pv     *privval.FilePV
	failed string // the last rotation error logged, so it is logged once
}

func (r *rotator) current() *privval.FilePV {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pv
}

// GetPubKey returns the key to sign with now, after moving to the next key
// if its time has come.
func (r *rotator) GetPubKey() (crypto.PubKey, error) {
	r.check()
	return r.current().GetPubKey()
}

// SignVote signs with the current key.
func (r *rotator) SignVote(chainID string, vote *cmtproto.Vote, signExtension bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pv.SignVote(chainID, vote, signExtension)
}

// SignProposal signs with the current key.
func (r *rotator) SignProposal(chainID string, proposal *cmtproto.Proposal) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pv.SignProposal(chainID, proposal)
}

// SignBytes signs with the current key.
func (r *rotator) SignBytes(b []byte) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pv.SignBytes(b)
}

// savedNextValidators reads, from CometBFT's state database, the validator
// set of the height after the last one CometBFT saved: the set the node
// signs with next. The database is closed again for the engine to open.
func savedNextValidators(cc *cmtcfg.Config) (*cmttypes.ValidatorSet, error) {
	db, err := cmtcfg.DefaultDBProvider(&cmtcfg.DBContext{ID: "state", Config: cc})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	store := sm.NewStore(db, sm.StoreOptions{})
	state, err := store.Load()
	if err != nil || state.IsEmpty() {
		return nil, fmt.Errorf("no saved consensus state: %v", err)
	}
	return store.LoadValidators(state.LastBlockHeight + 1)
}

// check rotates if it is time, and reports whether it did. A failure is
// logged once (the current key keeps signing).
func (r *rotator) check() bool {
	h := r.holds.Load()
	if h == nil {
		return false
	}
	rotated, err := r.maybeRotate(*h)
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err != nil && err.Error() != r.failed:
		r.failed = err.Error()
		r.log.Error("the next consensus key cannot take over; the current key keeps signing", "err", err)
	case err == nil:
		r.failed = ""
	}
	return rotated
}

// loadNextKey reads the home's next consensus key, nil if it has none. Its
// public key must be its private key's.
func loadNextKey(home string) (*privval.FilePVKey, error) {
	k, err := keys.LoadConsensusKey(config.NextConsensusKeyFile(home))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNextKey, err)
	}
	return k, nil
}

// maybeRotate moves to the next key when holds says the validator set
// holds it and not the current key.
func (r *rotator) maybeRotate(holds func(address []byte) (bool, error)) (bool, error) {
	next, err := loadNextKey(r.home)
	if next == nil || err != nil {
		return false, err
	}
	cur := r.current()
	nextIn, err := holds(next.PubKey.Address())
	if err != nil || !nextIn {
		return false, err
	}
	curIn, err := holds(cur.Key.PubKey.Address())
	if err != nil || curIn {
		return false, err
	}
	return r.rotate(cur, next)
}

// rotate puts the next key in the current key's place.
func (r *rotator) rotate(cur *privval.FilePV, next *privval.FilePVKey) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pv != cur {
		return false, nil // rotated meanwhile
	}
	old := cur.Key.PubKey.Address().String()
	raw, err := os.ReadFile(config.ConsensusKeyFile(r.home))
	if err != nil {
		return false, err
	}
	retired := config.RetiredConsensusKeyFile(r.home, old)
	if err := keys.WriteNew(retired, raw); errors.Is(err, keys.ErrExists) {
		// A move that stopped after keeping the old key: the copy must
		// be that key.
		kept, rerr := os.ReadFile(retired)
		if rerr != nil || !bytes.Equal(kept, raw) {
			return false, fmt.Errorf("%s exists and is not the current key: move it away", retired)
		}
	} else if err != nil {
		return false, fmt.Errorf("keep the old key: %w", err)
	}
	if err := os.Rename(config.NextConsensusKeyFile(r.home), config.ConsensusKeyFile(r.home)); err != nil {
		return false, err
	}
	keys.SyncDir(filepath.Dir(config.ConsensusKeyFile(r.home))) // the rename survives a crash
	r.pv = privval.NewFilePV(next.PrivKey, config.ConsensusKeyFile(r.home), config.SignStateFile(r.home))
	r.pv.LastSignState = cur.LastSignState
	r.moves.Add(1)
	r.log.Info("rotated the consensus key: the validator set now holds the new key", "old", old,
		"new", r.pv.Key.PubKey.Address().String(), "retired_key", retired,
		"signing_state_height", r.pv.LastSignState.Height)
	return true, nil
}
