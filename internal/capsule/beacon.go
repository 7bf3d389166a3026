package capsule

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"math/big"
	"time"
	_ "time/tzdata" // the time zones, whatever the machine has

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// Beacon is a network's beacon as its genesis describes it: the committee
// that releases epoch keys (the master public key, the threshold and each
// holder's public share, holder i+1 being the validator Holders[i] names),
// and the epochs (round 1 at GenesisTime, one every Period seconds).
type Beacon struct {
	Threshold   int           `json:"threshold"`
	PublicKey   hexutil.Bytes `json:"publicKey"`
	Period      uint32        `json:"period"`
	GenesisTime int64         `json:"genesisTime"`
	// TimeZone is the network's time zone (IANA), in which the pledge
	// book's anniversaries fall at midnight.
	TimeZone string   `json:"timeZone"`
	Holders  []Holder `json:"holders"`
}

// DefaultTimeZone is a new beacon's time zone.
const DefaultTimeZone = "Asia/Shanghai"

// Location is the beacon's time zone.
func (b *Beacon) Location() (*time.Location, error) {
	loc, err := time.LoadLocation(b.TimeZone)
	if err != nil || b.TimeZone == "" {
		return nil, fmt.Errorf("%w: beacon.timeZone %q is not an IANA time zone (such as Asia/Shanghai)", ErrEncoding, b.TimeZone)
	}
	return loc, nil
}

// Holder is one share holder: a validator, by its consensus key, with its
// public share and, from a genesis ceremony, its share sealed to the
// holder's node (age, X25519), which only that node can open.
type Holder struct {
	Validator   []byte        `json:"validator"` // ed25519 consensus public key (base64)
	PublicShare hexutil.Bytes `json:"publicShare"`
	SealedShare string        `json:"sealedShare,omitempty"`
}

// Validate reports the first field no beacon could run with. It parses the
// keys; CheckShares checks that they belong together.
func (b *Beacon) Validate() error {
	if _, err := b.committee(); err != nil {
		return err
	}
	switch {
	case b.Period == 0 || b.Period > 366*24*3600:
		return fmt.Errorf("%w: beacon.period is %d: 1 second to a year", ErrThreshold, b.Period)
	case b.GenesisTime <= 0:
		return fmt.Errorf("%w: beacon.genesisTime must be set (seconds since the epoch)", ErrThreshold)
	}
	if _, err := b.Location(); err != nil {
		return err
	}
	for i, h := range b.Holders {
		if len(h.Validator) != ed25519.PublicKeySize {
			return fmt.Errorf("%w: beacon.holders[%d].validator is not an ed25519 consensus key", ErrEncoding, i)
		}
		for j := range i {
			if string(b.Holders[j].Validator) == string(h.Validator) {
				return fmt.Errorf("%w: beacon.holders[%d] and [%d] are the same validator", ErrThreshold, j, i)
			}
		}
	}
	return nil
}

// Committee returns the committee the beacon describes.
func (b *Beacon) Committee() (*Committee, error) { return b.committee() }

func (b *Beacon) committee() (*Committee, error) {
	n := len(b.Holders)
	if n == 0 || b.Threshold < 1 || b.Threshold > n {
		return nil, fmt.Errorf("%w: beacon.threshold %d among %d holders", ErrThreshold, b.Threshold, n)
	}
	master, err := ParsePublicKey(b.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("beacon.publicKey: %w", err)
	}
	c := &Committee{Threshold: b.Threshold, Master: master}
	for i, h := range b.Holders {
		s, err := ParsePublicKey(h.PublicShare)
		if err != nil {
			return nil, fmt.Errorf("beacon.holders[%d].publicShare: %w", i, err)
		}
		c.Shares = append(c.Shares, s)
	}
	return c, nil
}

// Info is the beacon's drand chain info, for a chain of the given EIP-155
// id: its beacon ID is "chuxin-<id>" and its genesis seed the sha256 of the
// master public key.
func (b *Beacon) Info(chainID uint64) (*ChainInfo, error) {
	master, err := ParsePublicKey(b.PublicKey)
	if err != nil {
		return nil, err
	}
	seed := sha256.Sum256(b.PublicKey)
	return &ChainInfo{PublicKey: master, Period: b.Period, GenesisTime: b.GenesisTime, GenesisSeed: seed[:], BeaconID: fmt.Sprintf("chuxin-%d", chainID)}, nil
}

// CheckShares checks that the public shares lie on one polynomial of
// degree Threshold-1 whose value at zero is the master key: that any
// Threshold holders' partial keys combine into keys the master key
// verifies. It costs about n·t scalar multiplications on G2: a genesis
// check, not a per-block one.
func (c *Committee) CheckShares() error {
	t := c.Threshold
	xs := make([]fr.Element, t)
	for i := range xs {
		xs[i].SetUint64(uint64(i + 1))
	}
	at := func(x uint64) bls.G2Affine { // Σ λ_i(x)·share_i over the first t holders
		var X fr.Element
		X.SetUint64(x)
		var acc bls.G2Jac
		for i := range t {
			num, den := fr.One(), fr.One()
			for j := range t {
				if j == i {
					continue
				}
				var a, d fr.Element
				a.Sub(&X, &xs[j])
				num.Mul(&num, &a)
				d.Sub(&xs[i], &xs[j])
				den.Mul(&den, &d)
			}
			var l fr.Element
			l.Div(&num, &den)
			var term bls.G2Jac
			term.FromAffine(&c.Shares[i].p)
			term.ScalarMultiplication(&term, l.BigInt(new(big.Int)))
			acc.AddAssign(&term)
		}
		var p bls.G2Affine
		p.FromJacobian(&acc)
		return p
	}
	if p := at(0); !p.Equal(&c.Master.p) {
		return fmt.Errorf("%w: the first %d public shares do not interpolate to the master public key", ErrThreshold, t)
	}
	for j := t; j < len(c.Shares); j++ {
		if p := at(uint64(j + 1)); !p.Equal(&c.Shares[j].p) {
			return fmt.Errorf("%w: public share %d is not on the committee's polynomial", ErrThreshold, j+1)
		}
	}
	return nil
}
