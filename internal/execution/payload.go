package execution

import (
	"bytes"
	"fmt"
)

// PayloadType names the kind of a system payload.
type PayloadType uint8

// Payload is data that a proposer puts into a block and that is not an
// Ethereum transaction (a time capsule's epoch key, say). It travels in the
// block's transaction list in an envelope (EncodePayload), ahead of every
// Ethereum transaction, is checked by ProcessProposal (PayloadHandler.Check)
// and is applied by a system call before the block's transactions
// (PayloadHandler.Apply). It is never an Ethereum transaction: it has no
// sender, no nonce, no receipt, and the mempool refuses it.
type Payload struct {
	Type PayloadType
	Data []byte
}

// payloadMagic opens every envelope. As RLP it would start a list whose
// length takes seven bytes (at least 2^48 bytes), and as EIP-2718 it is no
// transaction type (those are 0x00–0x7f), so no valid Ethereum transaction
// begins with it.
var payloadMagic = []byte{0xfe, 'c', 'x'}

// EncodePayload wraps p in its envelope.
func EncodePayload(p Payload) []byte {
	out := make([]byte, 0, len(payloadMagic)+1+len(p.Data))
	out = append(append(out, payloadMagic...), byte(p.Type))
	return append(out, p.Data...)
}

// IsPayload reports whether raw is in a payload envelope.
func IsPayload(raw []byte) bool { return bytes.HasPrefix(raw, payloadMagic) }

// DecodePayload unwraps an envelope.
func DecodePayload(raw []byte) (Payload, error) {
	if !IsPayload(raw) || len(raw) < len(payloadMagic)+1 {
		return Payload{}, fmt.Errorf("%w: not a payload envelope", ErrPayload)
	}
	return Payload{Type: PayloadType(raw[len(payloadMagic)]), Data: raw[len(payloadMagic)+1:]}, nil
}

// SplitBlock separates a decided block's list into its payloads and its raw
// Ethereum transactions. Payloads come first; one after a transaction is
// refused, so every node splits a block the same way.
func SplitBlock(raws [][]byte) ([]Payload, [][]byte, error) {
	var payloads []Payload
	for i, raw := range raws {
		if !IsPayload(raw) {
			for j := i + 1; j < len(raws); j++ {
				if IsPayload(raws[j]) {
					return nil, nil, fmt.Errorf("%w: entry %d is a payload after transaction %d; payloads come first", ErrPayload, j, i)
				}
			}
			return payloads, raws[i:], nil
		}
		p, err := DecodePayload(raw)
		if err != nil {
			return nil, nil, fmt.Errorf("entry %d: %w", i, err)
		}
		payloads = append(payloads, p)
	}
	return payloads, nil, nil
}
