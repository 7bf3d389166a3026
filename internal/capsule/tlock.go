package capsule

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"filippo.io/age"
	"filippo.io/age/armor"
)

// MaxPlaintext bounds what Decrypt returns: capsules are short texts.
const MaxPlaintext = 1 << 20

// Encrypt seals plaintext to round of the network whose master public key
// is master and whose drand chain hash (hex) is chainHash, in tlock's age
// format, armored if asked.
func Encrypt(master *PublicKey, chainHash string, round uint64, plaintext []byte, armored bool) ([]byte, error) {
	var out bytes.Buffer
	var dst io.Writer = &out
	var arm io.WriteCloser
	if armored {
		arm = armor.NewWriter(&out)
		dst = arm
	}
	w, err := age.Encrypt(dst, &recipient{master: master, chainHash: chainHash, round: round})
	if err != nil {
		return nil, fmt.Errorf("capsule: seal: %w", err)
	}
	if _, err := w.Write(plaintext); err != nil {
		return nil, fmt.Errorf("capsule: seal: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("capsule: seal: %w", err)
	}
	if arm != nil {
		if err := arm.Close(); err != nil {
			return nil, fmt.Errorf("capsule: seal: %w", err)
		}
	}
	return out.Bytes(), nil
}

// recipient wraps age's file key as a tlock stanza.
type recipient struct {
	master    *PublicKey
	chainHash string
	round     uint64
}

func (r *recipient) Wrap(fileKey []byte) ([]*age.Stanza, error) {
	c, err := ibeEncrypt(r.master, r.round, fileKey)
	if err != nil {
		return nil, err
	}
	return []*age.Stanza{{Type: "tlock", Args: []string{strconv.FormatUint(r.round, 10), r.chainHash}, Body: c.bytes()}}, nil
}

// Header is what a timelock ciphertext says of itself, readable without
// its key.
type Header struct {
	Round     uint64
	ChainHash string
	// Recipients is how many recipient stanzas the ciphertext has: a
	// capsule has one, the tlock stanza, or another key opens it too.
	Recipients int
}

// KeySource returns the verified key of a round, or an error if it has not
// been released (which Decrypt passes on).
type KeySource func(round uint64) (*Signature, error)

// Decrypt opens a timelock ciphertext, armored or binary, sealed to the
// network of master and chainHash: it takes the key of the ciphertext's
// round from keys, checks it against master, and returns the plaintext.
func Decrypt(master *PublicKey, chainHash string, ciphertext []byte, keys KeySource) ([]byte, error) {
	id := &identity{master: master, chainHash: chainHash, keys: keys}
	r, err := age.Decrypt(dearmor(ciphertext), id)
	if err != nil {
		if id.err != nil {
			return nil, id.err
		}
		return nil, fmt.Errorf("%w: %v", ErrCiphertext, err)
	}
	plain, err := io.ReadAll(io.LimitReader(r, MaxPlaintext+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCiphertext, err)
	}
	if len(plain) > MaxPlaintext {
		return nil, fmt.Errorf("%w: the plaintext is over %d bytes", ErrCiphertext, MaxPlaintext)
	}
	return plain, nil
}

// Inspect reads the round and chain hash a timelock ciphertext is sealed
// to.
func Inspect(ciphertext []byte) (*Header, error) {
	id := &identity{}
	_, err := age.Decrypt(dearmor(ciphertext), id)
	if id.header != nil {
		return id.header, nil
	}
	if id.err != nil {
		return nil, id.err
	}
	return nil, fmt.Errorf("%w: %v", ErrCiphertext, err)
}

func dearmor(b []byte) io.Reader {
	trimmed := bytes.TrimLeft(b, " \t\r\n")
	if bytes.HasPrefix(trimmed, []byte(armor.Header)) {
		return armor.NewReader(bytes.NewReader(trimmed))
	}
	return bufio.NewReader(bytes.NewReader(b))
}

// identity unwraps a tlock stanza; without keys it only reads the header.
type identity struct {
	master    *PublicKey
	chainHash string
	keys      KeySource
	header    *Header
	err       error // why unwrapping failed, for Decrypt's caller
}

var errInspected = errors.New("capsule: header read")

func (id *identity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	for _, s := range stanzas {
		if s.Type != "tlock" {
			continue
		}
		if len(s.Args) != 2 {
			id.err = fmt.Errorf("%w: a tlock stanza has a round and a chain hash, this one %d arguments", ErrCiphertext, len(s.Args))
			return nil, id.err
		}
		round, err := strconv.ParseUint(s.Args[0], 10, 64)
		if err != nil || strconv.FormatUint(round, 10) != s.Args[0] || round == 0 {
			id.err = fmt.Errorf("%w: round %q is not a round number", ErrCiphertext, s.Args[0])
			return nil, id.err
		}
		id.header = &Header{Round: round, ChainHash: s.Args[1], Recipients: len(stanzas)}
		if id.keys == nil {
			return nil, errInspected
		}
		if s.Args[1] != id.chainHash {
			id.err = fmt.Errorf("%w: sealed to the beacon of chain hash %s, this network's is %s", ErrCiphertext, s.Args[1], id.chainHash)
			return nil, id.err
		}
		c, err := parseIBE(s.Body)
		if err != nil {
			id.err = err
			return nil, err
		}
		key, err := id.keys(round)
		if err != nil {
			id.err = err
			return nil, err
		}
		if err := Verify(id.master, round, key); err != nil {
			id.err = fmt.Errorf("the key given for round %d: %w", round, err)
			return nil, id.err
		}
		fileKey, err := ibeDecrypt(key, c)
		if err != nil {
			id.err = err
			return nil, err
		}
		return fileKey, nil
	}
	id.err = fmt.Errorf("%w: no tlock stanza", ErrCiphertext)
	return nil, age.ErrIncorrectIdentity
}
