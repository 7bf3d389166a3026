// Package capsule is the cryptography of chuxin's time capsules: threshold
// BLS signatures on BLS12-381 that make a chain a drand-compatible beacon,
// and drand's timelock encryption (tlock) to its epochs.
//
// # The beacon
//
// The scheme is drand's "bls-unchained-g1-rfc9380" (that of drand's
// quicknet): the network's master public key is on G2 (96 bytes
// compressed), and the key of epoch (round) r is the BLS signature on G1
// (48 bytes compressed) over sha256(r as 8 big-endian bytes), hashed to G1
// per RFC 9380 with the DST "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_".
// An epoch's randomness is sha256 of its key. The signed message names only
// the round, so two networks are told apart by their master keys alone: a
// master key must never serve two networks.
//
// The master secret is shared among the validators by Shamir's scheme
// (Deal): holder i has the share f(i) of a polynomial f of degree t-1 with
// f(0) the master secret, and its public share f(i)·G2. A holder's partial
// key for an epoch is its share's signature (PartialKey); it is checked
// against the holder's public share (VerifyPartial), and any t partial keys
// combine into the epoch key by Lagrange interpolation at zero in the
// exponent (Combine), which the master public key verifies (Verify).
//
// # Timelock encryption
//
// Encrypt seals a message to an epoch as tlock does, in age's format: an
// age file whose only recipient stanza is "-> tlock ROUND CHAINHASH", its
// body the identity-based encryption of age's file key to the epoch (the
// Boneh-Franklin CCA construction of drand's kyber, ibe.EncryptCCAonG2:
// U = r·G2, V = σ ⊕ H2(e(H(ID), P)^r), W = key ⊕ H4(σ), r = H3(σ, key)).
// Decrypt opens it with the epoch key, armored or binary. Ciphertexts made
// by tlock and tlock-js open here, and these open there.
package capsule

import "errors"

// Errors of the package.
var (
	// ErrEncoding: bytes that are not a point, a key or a ciphertext of the
	// scheme.
	ErrEncoding = errors.New("malformed encoding")
	// ErrVerify: a signature or partial key that its public key refuses.
	ErrVerify = errors.New("signature does not verify")
	// ErrThreshold: too few, or duplicate, partial keys, or a threshold no
	// committee can have.
	ErrThreshold = errors.New("threshold not met")
	// ErrCiphertext: a ciphertext that is not a timelock to this network, or
	// that fails its integrity check.
	ErrCiphertext = errors.New("not a timelock ciphertext this key opens")
)
