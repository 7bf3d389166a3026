package capsule

import (
	"fmt"
	"io"
	"math/big"
	"slices"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
)

// Share is a holder's share of the master secret: f(Index) for the dealt
// polynomial f. Indexes start at 1.
type Share struct {
	Index uint32
	Key   *SecretKey
}

// Committee is the public side of a dealt key: the threshold, the master
// public key and each holder's public share (Shares[i] is holder i+1's).
type Committee struct {
	Threshold int
	Master    *PublicKey
	Shares    []*PublicKey
}

// Partial is a holder's partial key for a round: its share's signature.
type Partial struct {
	Index uint32
	Sig   *Signature
}

// DefaultThreshold is the threshold of n holders: ⌊2n/3⌋+1, the quorum
// that commits a block among n validators of equal power (3 of 3, 3 of 4,
// 5 of 6, 67 of 100), so whoever could open a capsule early could also
// commit blocks on their own. (2f+1 with f = ⌊(n−1)/3⌋ falls below it for
// n not of the form 3f+1: 1 of 2 or 3, 3 of 6.)
func DefaultThreshold(n int) int { return 2*n/3 + 1 }

// Deal makes a new master secret, shares it among n holders so that any t
// of them can sign and fewer learn nothing, and returns the committee and
// the shares. The master secret exists only inside Deal: the dealer keeps
// nothing but what it returns. Randomness comes from random (crypto/rand's
// Reader in use; a fixed stream only in tests).
func Deal(t, n int, random io.Reader) (*Committee, []Share, error) {
	if n < 1 || n > 1<<16 || t < 1 || t > n {
		return nil, nil, fmt.Errorf("%w: a threshold of %d among %d holders", ErrThreshold, t, n)
	}
	coeffs := make([]fr.Element, t) // f(x) = Σ coeffs[k] x^k; coeffs[0] the master secret
	for k := range coeffs {
		for coeffs[k].IsZero() {
			var b [48]byte
			if _, err := io.ReadFull(random, b[:]); err != nil {
				return nil, nil, fmt.Errorf("capsule: deal: %w", err)
			}
			coeffs[k].SetBytes(b[:]) // 384 bits reduced: uniform enough
		}
	}
	master := SecretKey{s: coeffs[0]}
	c := &Committee{Threshold: t, Master: master.PublicKey()}
	shares := make([]Share, n)
	for i := range shares {
		var x, y fr.Element
		x.SetUint64(uint64(i + 1))
		for k := t - 1; k >= 0; k-- { // Horner
			y.Mul(&y, &x).Add(&y, &coeffs[k])
		}
		shares[i] = Share{Index: uint32(i + 1), Key: &SecretKey{s: y}}
		c.Shares = append(c.Shares, shares[i].Key.PublicKey())
	}
	for k := range coeffs {
		coeffs[k].SetZero()
	}
	master.s.SetZero()
	return c, shares, nil
}

// PartialKey is the holder's partial key for round.
func (s Share) PartialKey(round uint64) Partial {
	return Partial{Index: s.Index, Sig: s.Key.Sign(round)}
}

// VerifyPartial checks a partial key against its holder's public share.
func (c *Committee) VerifyPartial(round uint64, p Partial) error {
	if p.Index < 1 || int(p.Index) > len(c.Shares) {
		return fmt.Errorf("%w: holder %d of %d", ErrThreshold, p.Index, len(c.Shares))
	}
	if err := Verify(c.Shares[p.Index-1], round, p.Sig); err != nil {
		return fmt.Errorf("holder %d: %w", p.Index, err)
	}
	return nil
}

// Combine interpolates the round key from the first Threshold partial keys
// of distinct holders (Lagrange at zero, in the exponent). It does not
// verify them: check each with VerifyPartial first, or the result with
// Verify.
func (c *Committee) Combine(partials []Partial) (*Signature, error) {
	var use []Partial
	for _, p := range partials {
		if p.Index < 1 || int(p.Index) > len(c.Shares) {
			return nil, fmt.Errorf("%w: holder %d of %d", ErrThreshold, p.Index, len(c.Shares))
		}
		if !slices.ContainsFunc(use, func(q Partial) bool { return q.Index == p.Index }) {
			use = append(use, p)
		}
		if len(use) == c.Threshold {
			break
		}
	}
	if len(use) < c.Threshold {
		return nil, fmt.Errorf("%w: %d distinct partial keys, %d needed", ErrThreshold, len(use), c.Threshold)
	}
	var acc bls.G1Jac
	for i, p := range use {
		// λ_i = Π_{j≠i} x_j / (x_j − x_i)
		var num, den, xi fr.Element
		num.SetOne()
		den.SetOne()
		xi.SetUint64(uint64(p.Index))
		for j, q := range use {
			if j == i {
				continue
			}
			var xj, d fr.Element
			xj.SetUint64(uint64(q.Index))
			num.Mul(&num, &xj)
			d.Sub(&xj, &xi)
			den.Mul(&den, &d)
		}
		var lambda fr.Element
		lambda.Div(&num, &den)
		var term bls.G1Jac
		term.FromAffine(&p.Sig.p)
		term.ScalarMultiplication(&term, lambda.BigInt(new(big.Int)))
		acc.AddAssign(&term)
	}
	var s Signature
	s.p.FromJacobian(&acc)
	return &s, nil
}
