package keys

import (
	"bytes"
	stded25519 "crypto/ed25519"
	"errors"
	"fmt"
	"os"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/privval"
)

// ErrConsensusKey: a consensus key file (priv_validator_key.json and its
// kin) is not a whole ed25519 key.
var ErrConsensusKey = errors.New("not a consensus key file: want CometBFT's priv_validator_key.json with an ed25519 key whose pub_key and address are its own")

// LoadConsensusKey reads and checks a CometBFT consensus key file. Unlike
// privval's loaders, which end the process on a bad file, it returns an
// error, and it checks what they do not: the private key is 64 bytes, its
// second half is the public key its seed makes, and the pub_key and
// address written beside it are that key's.
func LoadConsensusKey(path string) (*privval.FilePVKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var k privval.FilePVKey
	if err := cmtjson.Unmarshal(raw, &k); err != nil {
		return nil, fmt.Errorf("%s: %w", path, ErrConsensusKey)
	}
	priv, ok := k.PrivKey.(ed25519.PrivKey)
	if !ok || len(priv) != ed25519.PrivateKeySize || k.PubKey == nil {
		return nil, fmt.Errorf("%s: %w", path, ErrConsensusKey)
	}
	made := stded25519.NewKeyFromSeed(priv[:32])
	if !bytes.Equal(made, priv) || !bytes.Equal(made[32:], k.PubKey.Bytes()) || !bytes.Equal(k.Address, k.PubKey.Address()) {
		return nil, fmt.Errorf("%s: %w", path, ErrConsensusKey)
	}
	return &k, nil
}

// LoadSigner reads a consensus key file and its signing state file (a
// missing state file is an empty state) into a FilePV, returning errors
// where privval's loaders end the process.
func LoadSigner(keyPath, statePath string) (pv *privval.FilePV, fresh bool, err error) {
	k, err := LoadConsensusKey(keyPath)
	if err != nil {
		return nil, false, err
	}
	pv = privval.NewFilePV(k.PrivKey, keyPath, statePath)
	raw, err := os.ReadFile(statePath)
	if errors.Is(err, os.ErrNotExist) {
		return pv, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	if err := cmtjson.Unmarshal(raw, &pv.LastSignState); err != nil {
		return nil, false, fmt.Errorf("%s: not a signing state (CometBFT's priv_validator_state.json): %v", statePath, err)
	}
	return pv, false, nil
}
