package capsule

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"math/big"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
)

// keyLen is the length of what the identity-based encryption carries:
// age's file key.
const keyLen = 16

// ciphertextSize is a tlock stanza body: U, V and W.
const ciphertextSize = PublicKeySize + 2*keyLen

// ibeCiphertext is the Boneh-Franklin CCA ciphertext of kyber's
// ibe.EncryptCCAonG2: U on G2, V and W as long as the message.
type ibeCiphertext struct {
	U    bls.G2Affine
	V, W []byte
}

func (c *ibeCiphertext) bytes() []byte {
	u := c.U.Bytes()
	out := make([]byte, 0, ciphertextSize)
	return append(append(append(out, u[:]...), c.V...), c.W...)
}

func parseIBE(b []byte) (*ibeCiphertext, error) {
	if len(b) != ciphertextSize {
		return nil, fmt.Errorf("%w: a tlock stanza body is %d bytes, got %d", ErrCiphertext, ciphertextSize, len(b))
	}
	u, err := ParsePublicKey(b[:PublicKeySize])
	if err != nil {
		return nil, fmt.Errorf("%w: U: %w", ErrCiphertext, err)
	}
	return &ibeCiphertext{U: u.p, V: b[PublicKeySize : PublicKeySize+keyLen], W: b[PublicKeySize+keyLen:]}, nil
}

// ibeEncrypt encrypts msg (at most 32 bytes) to the identity round under
// the master public key.
func ibeEncrypt(master *PublicKey, round uint64, msg []byte) (*ibeCiphertext, error) {
	qid := hashRound(round)
	gid, err := bls.Pair([]bls.G1Affine{qid}, []bls.G2Affine{master.p})
	if err != nil {
		return nil, fmt.Errorf("capsule: pairing: %w", err)
	}
	sigma := make([]byte, len(msg))
	if _, err := rand.Read(sigma); err != nil {
		return nil, fmt.Errorf("capsule: random sigma: %w", err)
	}
	r, err := h3(sigma, msg)
	if err != nil {
		return nil, err
	}
	rb := r.BigInt(new(big.Int))
	var c ibeCiphertext
	c.U.ScalarMultiplicationBase(rb)
	var rGid bls.GT
	rGid.Exp(gid, rb)
	c.V = xor(sigma, h2(&rGid, len(msg)))
	c.W = xor(msg, h4(sigma, len(msg)))
	return &c, nil
}

// ibeDecrypt opens c with the identity's private key (the epoch key),
// checking U against the recovered randomness.
func ibeDecrypt(key *Signature, c *ibeCiphertext) ([]byte, error) {
	rGid, err := bls.Pair([]bls.G1Affine{key.p}, []bls.G2Affine{c.U})
	if err != nil {
		return nil, fmt.Errorf("%w: pairing: %v", ErrCiphertext, err)
	}
	sigma := xor(h2(&rGid, len(c.V)), c.V)
	msg := xor(h4(sigma, len(c.W)), c.W)
	r, err := h3(sigma, msg)
	if err != nil {
		return nil, err
	}
	var rP bls.G2Affine
	rP.ScalarMultiplicationBase(r.BigInt(new(big.Int)))
	if !rP.Equal(&c.U) {
		return nil, fmt.Errorf("%w: the integrity check failed (another round's key, or a changed ciphertext)", ErrCiphertext)
	}
	return msg, nil
}

// h2 is kyber's gtToHash: sha256("IBE-H2" ‖ GT element), truncated.
func h2(gt *bls.GT, n int) []byte {
	h := sha256.New()
	h.Write([]byte("IBE-H2"))
	b := gt.Bytes()
	h.Write(b[:])
	return h.Sum(nil)[:n]
}

// h3 derives the scalar r from sigma and the message as kyber does:
// buffer = sha256("IBE-H3" ‖ σ ‖ msg), then for i = 1, 2, … the first
// sha256(i as 2 little-endian bytes ‖ buffer), its top bit cleared, that is
// below the group order (big-endian).
func h3(sigma, msg []byte) (fr.Element, error) {
	h := sha256.New()
	h.Write([]byte("IBE-H3"))
	h.Write(sigma)
	h.Write(msg)
	buffer := h.Sum(nil)
	var e fr.Element
	var iter [2]byte
	for i := uint16(1); i < 65535; i++ {
		h.Reset()
		binary.LittleEndian.PutUint16(iter[:], i)
		h.Write(iter[:])
		h.Write(buffer)
		hashed := h.Sum(nil)
		hashed[0] >>= 1 // 256 - 255 bits of the order
		if err := e.SetBytesCanonical(hashed); err == nil {
			return e, nil
		}
	}
	return e, fmt.Errorf("%w: rejection sampling failed", ErrCiphertext)
}

// h4 is sha256("IBE-H4" ‖ σ), truncated.
func h4(sigma []byte, n int) []byte {
	h := sha256.New()
	h.Write([]byte("IBE-H4"))
	h.Write(sigma)
	return h.Sum(nil)[:n]
}

func xor(a, b []byte) []byte {
	out := make([]byte, len(a))
	subtle.XORBytes(out, a, b)
	return out
}
