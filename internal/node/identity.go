package node

import (
	"fmt"
	"os"

	"github.com/cometbft/cometbft/p2p"

	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/keys"
)

// Identity is what a node's home tells others about it: its p2p node ID
// and its consensus (validator) public key.
type Identity struct {
	NodeID      string `json:"nodeId"`
	ConsensusPK []byte `json:"consensusPubKey"` // ed25519, 32 bytes
	Address     string `json:"consensusAddress"`
}

// ReadIdentity reads the public identity of the node at home.
func ReadIdentity(home string) (*Identity, error) {
	nk, err := p2p.LoadNodeKey(config.NodeKeyFile(home))
	if err != nil {
		return nil, fmt.Errorf("node key of %s: %w (is it a node's home?)", home, err)
	}
	if _, err := os.Stat(config.ConsensusKeyFile(home)); err != nil {
		return nil, fmt.Errorf("consensus key of %s: %w", home, err) // CometBFT's loader would exit
	}
	k, err := keys.LoadConsensusKey(config.ConsensusKeyFile(home))
	if err != nil {
		return nil, fmt.Errorf("consensus key of %s: %w", home, err)
	}
	pub := k.PubKey
	return &Identity{NodeID: string(nk.ID()), ConsensusPK: pub.Bytes(), Address: pub.Address().String()}, nil
}
