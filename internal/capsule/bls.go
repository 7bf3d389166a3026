package capsule

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/big"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
)

// Scheme is the drand scheme ID of chuxin's beacon.
const Scheme = "bls-unchained-g1-rfc9380"

// DST is the domain separation tag of hashing to G1 (RFC 9380).
var DST = []byte("BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_")

// Sizes of the encodings.
const (
	PublicKeySize = bls.SizeOfG2AffineCompressed // 96
	SignatureSize = bls.SizeOfG1AffineCompressed // 48
	ScalarSize    = fr.Bytes                     // 32
)

// PublicKey is a point of G2: the master public key or a holder's public
// share.
type PublicKey struct{ p bls.G2Affine }

// Signature is a point of G1: an epoch key or a partial key.
type Signature struct{ p bls.G1Affine }

// Digest is the message an epoch key signs: sha256 of the round as 8
// big-endian bytes.
func Digest(round uint64) [32]byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], round)
	return sha256.Sum256(b[:])
}

// hashRound maps a round to G1.
func hashRound(round uint64) bls.G1Affine {
	d := Digest(round)
	p, err := bls.HashToG1(d[:], DST)
	if err != nil {
		panic(fmt.Sprintf("capsule: hash to G1: %v", err)) // only for an empty DST
	}
	return p
}

// Bytes is the compressed encoding.
func (k *PublicKey) Bytes() []byte { b := k.p.Bytes(); return b[:] }

// Bytes is the compressed encoding.
func (s *Signature) Bytes() []byte { b := s.p.Bytes(); return b[:] }

// Equal says whether two public keys are the same point.
func (k *PublicKey) Equal(o *PublicKey) bool { return k.p.Equal(&o.p) }

// Equal says whether two signatures are the same point.
func (s *Signature) Equal(o *Signature) bool { return s.p.Equal(&o.p) }

// Randomness is an epoch's randomness: sha256 of its key's encoding.
func (s *Signature) Randomness() [32]byte { return sha256.Sum256(s.Bytes()) }

// ParsePublicKey decodes a compressed G2 point, refusing any other length,
// a point off the curve or outside the subgroup, and the identity.
func ParsePublicKey(b []byte) (*PublicKey, error) {
	if len(b) != PublicKeySize || b[0]&0x80 == 0 {
		return nil, fmt.Errorf("%w: a public key is a compressed G2 point of %d bytes, got %d", ErrEncoding, PublicKeySize, len(b))
	}
	var k PublicKey
	if _, err := k.p.SetBytes(b); err != nil {
		return nil, fmt.Errorf("%w: public key: %v", ErrEncoding, err)
	}
	if k.p.IsInfinity() {
		return nil, fmt.Errorf("%w: the public key is the identity", ErrEncoding)
	}
	return &k, nil
}

// ParseSignature decodes a compressed G1 point, refusing any other length,
// a point off the curve or outside the subgroup, and the identity.
func ParseSignature(b []byte) (*Signature, error) {
	if len(b) != SignatureSize || b[0]&0x80 == 0 {
		return nil, fmt.Errorf("%w: a signature is a compressed G1 point of %d bytes, got %d", ErrEncoding, SignatureSize, len(b))
	}
	var s Signature
	if _, err := s.p.SetBytes(b); err != nil {
		return nil, fmt.Errorf("%w: signature: %v", ErrEncoding, err)
	}
	if s.p.IsInfinity() {
		return nil, fmt.Errorf("%w: the signature is the identity", ErrEncoding)
	}
	return &s, nil
}

// Verify checks that sig is the key of round under pk: e(sig, G2) =
// e(H(round), pk).
func Verify(pk *PublicKey, round uint64, sig *Signature) error {
	h := hashRound(round)
	_, _, _, g2 := bls.Generators()
	var neg bls.G1Affine
	neg.Neg(&sig.p)
	ok, err := bls.PairingCheck([]bls.G1Affine{neg, h}, []bls.G2Affine{g2, pk.p})
	if err != nil || !ok {
		return fmt.Errorf("%w: round %d", ErrVerify, round)
	}
	return nil
}

// SecretKey is a scalar: the master secret or a holder's share.
type SecretKey struct{ s fr.Element }

// PublicKey returns s·G2.
func (sk *SecretKey) PublicKey() *PublicKey {
	var k PublicKey
	k.p.ScalarMultiplicationBase(sk.s.BigInt(new(big.Int)))
	return &k
}

// Sign returns the signature of round: s·H(round).
func (sk *SecretKey) Sign(round uint64) *Signature {
	h := hashRound(round)
	var s Signature
	s.p.ScalarMultiplication(&h, sk.s.BigInt(new(big.Int)))
	return &s
}

// Bytes is the big-endian encoding of the scalar.
func (sk *SecretKey) Bytes() []byte { b := sk.s.Bytes(); return b[:] }

// ParseSecretKey decodes a big-endian scalar below the group order, not
// zero.
func ParseSecretKey(b []byte) (*SecretKey, error) {
	if len(b) != ScalarSize {
		return nil, fmt.Errorf("%w: a secret key is %d bytes, got %d", ErrEncoding, ScalarSize, len(b))
	}
	var sk SecretKey
	if err := sk.s.SetBytesCanonical(b); err != nil {
		return nil, fmt.Errorf("%w: secret key: %v", ErrEncoding, err)
	}
	if sk.s.IsZero() {
		return nil, fmt.Errorf("%w: the secret key is zero", ErrEncoding)
	}
	return &sk, nil
}
