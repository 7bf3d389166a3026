package capsule

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
)

// ChainInfo is a beacon's public description, as drand's /info serves it:
// with the master public key, it is all a client needs to verify rounds and
// to seal to them. Round 1 is at GenesisTime, then one every Period seconds.
type ChainInfo struct {
	PublicKey   *PublicKey
	Period      uint32 // seconds
	GenesisTime int64  // seconds since the epoch
	GenesisSeed []byte
	BeaconID    string
}

// Hash is the chain hash, computed as drand computes it: sha256 of the
// period (4 bytes) and genesis time (8 bytes), big-endian, the public key,
// the genesis seed and, unless it is "default" or empty, the beacon ID.
func (c *ChainInfo) Hash() string {
	h := sha256.New()
	_ = binary.Write(h, binary.BigEndian, c.Period)
	_ = binary.Write(h, binary.BigEndian, c.GenesisTime)
	h.Write(c.PublicKey.Bytes())
	h.Write(c.GenesisSeed)
	if c.BeaconID != "" && c.BeaconID != "default" {
		h.Write([]byte(c.BeaconID))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// RoundAt is the latest round whose time has come at t (seconds): 0 before
// the genesis time.
func (c *ChainInfo) RoundAt(t int64) uint64 {
	if t < c.GenesisTime || c.Period == 0 {
		return 0
	}
	return uint64((t-c.GenesisTime)/int64(c.Period)) + 1
}

// RoundFrom is the first round that comes at or after t (seconds): the one
// to seal to for a message that opens at t.
func (c *ChainInfo) RoundFrom(t int64) uint64 {
	round := c.RoundAt(t)
	if c.RoundTime(round) < t {
		round++
	}
	return round
}

// RoundTime is when round comes (seconds); round 0 and 1 at genesis.
func (c *ChainInfo) RoundTime(round uint64) int64 {
	if round == 0 {
		return c.GenesisTime
	}
	if c.Period > 0 && round-1 > uint64((math.MaxInt64-c.GenesisTime)/int64(c.Period)) {
		return math.MaxInt64 // never
	}
	return c.GenesisTime + int64(round-1)*int64(c.Period)
}
