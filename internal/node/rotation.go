package node

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"

	cmtproto "github.com/cometbft/cometbft/api/cometbft/types/v1"
	"github.com/cometbft/cometbft/crypto"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/privval"

	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/keys"
)

// rotator is a validator's signer that moves to the home's next consensus
// key (config/priv_validator_key.next.json, made by chuxin rotate-key) from
// the first height whose validator set holds the next key and not the
// current one: a rotation that governance passes takes effect without a
// restart and without a missed block. CometBFT asks for the public key
// again after every block it commits, which is when the move happens.
//
// The move keeps the signing state (the new key signs only heights after
// the old one's last), keeps the old key as
// config/priv_validator_key.retired-ADDRESS.json, and puts the new one in
// config/priv_validator_key.json, so that a restart signs with it.
type rotator struct {
	home string
	log  *slog.Logger
	// holds says whether the validator set of the height after the last
	// committed one holds an address (nil until consensus runs).
	holds atomic.Pointer[func(address []byte) (bool, error)]

	mu sync.RWMutex
	pv *privval.FilePV
}

func (r *rotator) current() *privval.FilePV {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.pv
}

// GetPubKey returns the key to sign with now, after moving to the next key
// if its time has come.
func (r *rotator) GetPubKey() (crypto.PubKey, error) {
	var holds func([]byte) (bool, error)
	if h := r.holds.Load(); h != nil {
		holds = *h
	}
	if err := r.maybeRotate(holds); err != nil {
		r.log.Error("rotating the consensus key failed; signing with the current key", "err", err)
	}
	return r.current().GetPubKey()
}

// SignVote signs with the current key.
func (r *rotator) SignVote(chainID string, vote *cmtproto.Vote, signExtension bool) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.pv.SignVote(chainID, vote, signExtension)
}

// SignProposal signs with the current key.
func (r *rotator) SignProposal(chainID string, proposal *cmtproto.Proposal) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.pv.SignProposal(chainID, proposal)
}

// SignBytes signs with the current key.
func (r *rotator) SignBytes(b []byte) ([]byte, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.pv.SignBytes(b)
}

// loadNextKey reads the home's next consensus key, nil if it has none.
func loadNextKey(home string) (*privval.FilePVKey, error) {
	raw, err := os.ReadFile(config.NextConsensusKeyFile(home))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var k privval.FilePVKey
	if err := cmtjson.Unmarshal(raw, &k); err != nil || k.PubKey == nil || k.PrivKey == nil {
		return nil, fmt.Errorf("%s is not a consensus key file: %v", config.NextConsensusKeyFile(home), err)
	}
	return &k, nil
}

// maybeRotate moves to the next key when holds says the validator set
// holds it and not the current key.
func (r *rotator) maybeRotate(holds func(address []byte) (bool, error)) error {
	if holds == nil {
		return nil
	}
	next, err := loadNextKey(r.home)
	if next == nil || err != nil {
		return err
	}
	cur := r.current()
	nextIn, err := holds(next.PubKey.Address())
	if err != nil || !nextIn {
		return err
	}
	curIn, err := holds(cur.Key.PubKey.Address())
	if err != nil || curIn {
		return err
	}
	return r.rotate(cur)
}

// rotate puts the next key in the current key's place.
func (r *rotator) rotate(cur *privval.FilePV) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pv != cur {
		return nil // rotated meanwhile
	}
	old := cur.Key.PubKey.Address().String()
	raw, err := os.ReadFile(config.ConsensusKeyFile(r.home))
	if err != nil {
		return err
	}
	if err := keys.WriteNew(config.RetiredConsensusKeyFile(r.home, old), raw); err != nil && !errors.Is(err, keys.ErrExists) {
		return fmt.Errorf("keep the old key: %w", err)
	}
	if err := os.Rename(config.NextConsensusKeyFile(r.home), config.ConsensusKeyFile(r.home)); err != nil {
		return err
	}
	r.pv = privval.LoadFilePV(config.ConsensusKeyFile(r.home), config.SignStateFile(r.home))
	r.log.Info("rotated the consensus key: the validator set now holds the new key", "old", old,
		"new", r.pv.Key.PubKey.Address().String(), "retired_key", config.RetiredConsensusKeyFile(r.home, old),
		"signing_state_height", r.pv.LastSignState.Height)
	return nil
}
