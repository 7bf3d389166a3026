// Package types is the beacon module's wire types: what its JSON-RPC
// methods answer, as its CLI and other clients decode them.
package types

import (
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// CapsuleSystem is chuxin_capsuleInfo's answer: where capsules live and
// the beacon they are sealed to.
type CapsuleSystem struct {
	Contract    common.Address `json:"contract"`
	Capsules    hexutil.Uint64 `json:"capsules"`
	ChainHash   string         `json:"chainHash"`
	PublicKey   hexutil.Bytes  `json:"publicKey"`
	Scheme      string         `json:"scheme"`
	Period      hexutil.Uint64 `json:"period"`
	GenesisTime hexutil.Uint64 `json:"genesisTime"`
	LatestRound hexutil.Uint64 `json:"latestRound"`
	TimeZone    string         `json:"timeZone"`
	// PledgeBook is the pledge module's contract, when the node carries
	// it: kept here for the clients that read it here (pledge_info tells
	// it too).
	PledgeBook *common.Address `json:"pledgeBook,omitempty"`
	// Threshold of the Holders (the validators at genesis) release each
	// round's key together: fewer cannot open a capsule early.
	Threshold hexutil.Uint64 `json:"threshold"`
	Holders   hexutil.Uint64 `json:"holders"`
}

// CapsuleInfo is chuxin_getCapsule's answer.
type CapsuleInfo struct {
	ID         hexutil.Uint64 `json:"id"`
	Owner      common.Address `json:"owner"`
	Round      hexutil.Uint64 `json:"round"`
	SealedAt   hexutil.Uint64 `json:"sealedAt"` // block
	Label      string         `json:"label"`
	Ciphertext hexutil.Bytes  `json:"ciphertext"`
	OpensAt    time.Time      `json:"opensAt"`
	Open       bool           `json:"open"`
	Key        hexutil.Bytes  `json:"key,omitempty"`
}

// OpenedCapsule is chuxin_openCapsule's answer.
type OpenedCapsule struct {
	ID        hexutil.Uint64 `json:"id"`
	Round     hexutil.Uint64 `json:"round"`
	Plaintext hexutil.Bytes  `json:"plaintext"`
	Text      string         `json:"text,omitempty"` // the plaintext, if it is UTF-8
}

// EpochKey is chuxin_getEpochKey's answer: a released round's key (the
// beacon's BLS signature of the round) and its randomness.
type EpochKey struct {
	Round      hexutil.Uint64 `json:"round"`
	Key        hexutil.Bytes  `json:"key"`
	Randomness hexutil.Bytes  `json:"randomness"`
	Time       hexutil.Uint64 `json:"time"` // when the round came, seconds
}
