package ceremony

import (
	"fmt"
	"os"
	"path/filepath"

	"filippo.io/age"
	cmtcrypto "github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/nodepart"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// Part is what one node's operator hands to the ceremony (nodepart.Part).
type Part = nodepart.Part

// InitSpec describes one node's new home.
type InitSpec struct {
	Home    string
	Moniker string
	// Listen is the host:port the node listens for peers on; Address, if
	// set, is the one others dial (a public address in front of Listen).
	Listen, Address string
	// RPCAddr and CometAddr are the JSON-RPC and CometBFT RPC addresses
	// (empty: the defaults); MetricsAddr, if set, serves Prometheus
	// metrics.
	RPCAddr, CometAddr, MetricsAddr string
	// Power, FeeRecipient, Member and Roles go into the part as given.
	Power        int64
	FeeRecipient common.Address
	Member       *system.Member
	Roles        []system.RoleGrant
}

// Init creates a node's home: its p2p and consensus keys, its
// configuration, and its public part, which it returns and writes to
// config/part.json. An observer (power 0) is made an archive node, as
// audits read the state at any past height.
func Init(spec InitSpec) (*Part, error) {
	if spec.Moniker == "" {
		return nil, fmt.Errorf("%w: a node needs a moniker (a name for people)", ErrPart)
	}
	if _, err := os.Stat(spec.Home); err == nil {
		return nil, fmt.Errorf("%w: %s (remove it or choose another directory)", ErrHomeExists, spec.Home)
	}
	if spec.Address == "" {
		spec.Address = spec.Listen
	}
	c := config.Default()
	c.Moniker = spec.Moniker
	c.P2P.Listen = spec.Listen
	if spec.Address != spec.Listen {
		c.P2P.ExternalAddress = spec.Address
	}
	if spec.RPCAddr != "" {
		c.RPC.Addr = spec.RPCAddr
	}
	if spec.CometAddr != "" {
		c.RPC.CometAddr = spec.CometAddr
	}
	c.MetricsAddr = spec.MetricsAddr
	c.DB.Archive = spec.Power == 0
	if err := c.Validate(); err != nil {
		return nil, err
	}
	part := &Part{Moniker: spec.Moniker, Address: spec.Address, Power: spec.Power,
		FeeRecipient: spec.FeeRecipient, Member: spec.Member, Roles: spec.Roles}
	if err := part.CheckGiven(); err != nil {
		return nil, err
	}
	for _, d := range []string{"config", "data"} {
		if err := os.MkdirAll(filepath.Join(spec.Home, d), 0o700); err != nil {
			return nil, fmt.Errorf("create home: %w", err)
		}
	}
	nk, err := p2p.LoadOrGenNodeKey(config.NodeKeyFile(spec.Home))
	if err != nil {
		return nil, fmt.Errorf("node key: %w", err)
	}
	pv, err := privval.GenFilePV(config.ConsensusKeyFile(spec.Home), config.SignStateFile(spec.Home),
		func() (cmtcrypto.PrivKey, error) { return ed25519.GenPrivKey(), nil })
	if err != nil {
		return nil, fmt.Errorf("consensus key: %w", err)
	}
	pv.Save()
	pub, err := pv.GetPubKey()
	if err != nil {
		return nil, fmt.Errorf("consensus key: %w", err)
	}
	part.NodeID, part.ConsensusPubKey = string(nk.ID()), pub.Bytes()
	shareKey, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("share key: %w", err)
	}
	if err := os.WriteFile(config.ShareKeyFile(spec.Home), []byte(shareKey.String()+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("share key: %w", err)
	}
	part.ShareRecipient = shareKey.Recipient().String()
	if err := c.Save(spec.Home); err != nil {
		return nil, err
	}
	if err := part.Save(config.PartFile(spec.Home)); err != nil {
		return nil, err
	}
	return part, nil
}

// ReadPart reads and checks a part file (nodepart.Read).
func ReadPart(file string) (*Part, error) { return nodepart.Read(file) }
