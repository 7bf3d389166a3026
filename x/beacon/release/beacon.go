// Package release releases the time capsules' epoch keys on chain, making
// the network a drand-compatible beacon (scheme bls-unchained-g1-rfc9380;
// see package capsule).
//
// The validators hold Shamir shares of the beacon's master secret (dealt at
// genesis). Once the time of a block has reached a round's time, each
// validator that holds a share puts its partial key for that round into its
// vote extension for the block (ExtendVote); no partial key for a round is
// ever made before its time. The next proposer checks every partial key it
// received against its holder's public share, leaves out and logs wrong
// ones, combines the threshold of good ones into the round key and puts the
// keys into its block as a system payload (Propose). Every validator's
// ProcessProposal checks that the payload's rounds follow on from the last
// released one and have come by the previous block's time
// (CheckProposal), and every node checks each key against the master
// public key with a pairing when it executes the block (Check) and indexes
// it (Apply), beside the state: the keys neither grow the state nor change
// the AppHash, so an idle chain stays idle. Rounds missed while the chain
// was halted are released as soon as it runs again, MaxRoundsPerBlock at a
// time.
//
// VerifyExtension refuses only malformed bytes: it sees no time, and
// refusing an extension discards the whole precommit, which could halt a
// small network.
package release

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcrypto "github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// PayloadType is the type of the payload that carries epoch keys.
const PayloadType execution.PayloadType = 1

// MaxRoundsPerBlock bounds the rounds one extension or one block carries.
const MaxRoundsPerBlock = 32

// Errors of the package.
var (
	// ErrMalformed: bytes that are not a list of rounds and keys.
	ErrMalformed = errors.New("malformed beacon rounds")
	// ErrProposal: a proposal's epoch keys that an honest proposer would
	// not have made.
	ErrProposal = errors.New("invalid epoch keys in proposal")
	// ErrNudge: a nudge (see Nudge) the mempool does not keep.
	ErrNudge = errors.New("beacon nudge not taken")
)

// Round is an epoch key, or a partial key, of one round.
type Round struct {
	Number uint64
	Key    *capsule.Signature
}

const roundSize = 8 + capsule.SignatureSize

// Encode lays rounds out as they travel in extensions and payloads: each
// round number (8 bytes, big-endian) and key (48 bytes).
func Encode(rs []Round) []byte {
	out := make([]byte, 0, len(rs)*roundSize)
	for _, r := range rs {
		out = binary.BigEndian.AppendUint64(out, r.Number)
		out = append(out, r.Key.Bytes()...)
	}
	return out
}

// Decode reads what Encode wrote: at most MaxRoundsPerBlock rounds, each
// the one after the last, with keys that are points of G1.
func Decode(b []byte) ([]Round, error) {
	if len(b)%roundSize != 0 || len(b)/roundSize > MaxRoundsPerBlock {
		return nil, fmt.Errorf("%w: %d bytes: up to %d rounds of %d bytes", ErrMalformed, len(b), MaxRoundsPerBlock, roundSize)
	}
	out := make([]Round, 0, len(b)/roundSize)
	for i := 0; i < len(b); i += roundSize {
		n := binary.BigEndian.Uint64(b[i:])
		if n == 0 || (len(out) > 0 && n != out[len(out)-1].Number+1) {
			return nil, fmt.Errorf("%w: round %d does not follow on", ErrMalformed, n)
		}
		key, err := capsule.ParseSignature(b[i+8 : i+roundSize])
		if err != nil {
			return nil, fmt.Errorf("%w: round %d: %w", ErrMalformed, n, err)
		}
		out = append(out, Round{Number: n, Key: key})
	}
	return out, nil
}

// Index is where the released keys are kept: the node's index, which
// blocks write through execution.System.Index.
type Index interface {
	Indexed(key []byte) ([]byte, error)
}

var latestKey = []byte("beacon/latest")

func roundKey(n uint64) []byte { return binary.BigEndian.AppendUint64([]byte("beacon/round/"), n) }

// Beacon is a node's view of the network's beacon.
type Beacon struct {
	Info      *capsule.ChainInfo
	ChainHash string
	TimeZone  string // the network's, for the pledge book's anniversaries
	committee *capsule.Committee
	holders   map[string]uint32 // consensus address → holder index
	share     *capsule.Share    // nil unless this node holds one
	index     Index
	log       *slog.Logger
	warned    uint64 // the last round Propose warned was short of partial keys
	nudges    nudges
}

// New returns the beacon of genesis g, or nil if it has none. share is
// this node's share (nil if it holds none).
func New(g *genesis.Genesis, share *capsule.Share, index Index, log *slog.Logger) (*Beacon, error) {
	if g.Beacon == nil {
		return nil, nil
	}
	c, err := g.Beacon.Committee()
	if err != nil {
		return nil, err
	}
	info, err := g.Beacon.Info(g.ChainID)
	if err != nil {
		return nil, err
	}
	b := &Beacon{Info: info, ChainHash: info.Hash(), TimeZone: g.Beacon.TimeZone, committee: c, holders: map[string]uint32{}, index: index, log: log}
	for i, h := range g.Beacon.Holders {
		b.holders[string(cmtcrypto.PubKey(h.Validator).Address())] = uint32(i + 1)
	}
	if share != nil {
		if int(share.Index) > len(c.Shares) {
			return nil, fmt.Errorf("beacon: this node's share names holder %d; the genesis has %d", share.Index, len(c.Shares))
		}
		if !share.Key.PublicKey().Equal(c.Shares[share.Index-1]) {
			// Consensus does not need the share: the validator keeps voting,
			// and the proposers leave its partial keys out.
			log.Error("beacon: this node's share is not holder's of this genesis: the proposers will leave its partial keys out; restore the share the genesis ceremony gave this node", "holder", share.Index)
		}
		b.share = share
	}
	return b, nil
}

// Threshold returns how many share holders release a round's key
// together (t), and how many hold shares (n): fewer than t cannot open a
// capsule early.
func (b *Beacon) Threshold() (t, n int) { return b.committee.Threshold, len(b.committee.Shares) }

// Latest returns the last released round (0: none yet).
func (b *Beacon) Latest() (uint64, error) {
	v, err := b.index.Indexed(latestKey)
	if err != nil || len(v) != 8 {
		return 0, err
	}
	return binary.BigEndian.Uint64(v), nil
}

// Key returns the key of a released round, nil if it is not released.
func (b *Beacon) Key(round uint64) (*capsule.Signature, error) {
	v, err := b.index.Indexed(roundKey(round))
	if err != nil || v == nil {
		return nil, err
	}
	return capsule.ParseSignature(v)
}

// Check verifies a payload's epoch keys against the master public key: a
// stateless check, made by execution on every node for every block.
func (b *Beacon) Check(data []byte) error {
	rs, err := Decode(data)
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		return fmt.Errorf("%w: an epoch-key payload with no keys", ErrMalformed)
	}
	for _, r := range rs {
		if err := capsule.Verify(b.committee.Master, r.Number, r.Key); err != nil {
			return fmt.Errorf("%w: %w", ErrProposal, err)
		}
	}
	return nil
}

// Apply indexes a payload's keys, and the last of them as the latest, and
// stores the keys of rounds that have capsules in the Capsules contract.
func (b *Beacon) Apply(sys *execution.System, data []byte) error {
	rs, err := Decode(data)
	if err != nil {
		return err
	}
	for _, r := range rs {
		sys.Index(roundKey(r.Number), r.Key.Bytes())
		if system.CapsulesAt(sys.State(), r.Number) == 0 {
			continue
		}
		// The round has capsules: its key goes into the Capsules contract,
		// which marks them open. The call cannot revert (a round is
		// released once); were it to, the key stays in the index and the
		// block goes on, on every node alike.
		call, err := system.PackCapsules("release", r.Number, r.Key.Bytes())
		if err != nil {
			return err
		}
		if _, err := sys.Call(system.CapsulesAddress, call); err != nil {
			b.log.Error("beacon: the Capsules contract refused a released key", "round", r.Number, "err", err)
		}
	}
	sys.Index(latestKey, binary.BigEndian.AppendUint64(nil, rs[len(rs)-1].Number))
	return nil
}

// Extend returns this validator's vote extension for a block of the given
// time and transactions: its partial keys for the rounds after the last
// released (counting the block's own epoch keys) whose time has come by the
// block's time. Nothing if it holds no share.
func (b *Beacon) Extend(blockTime time.Time, txs [][]byte) ([]byte, error) {
	if b.share == nil {
		return nil, nil
	}
	last, err := b.Latest()
	if err != nil {
		return nil, err
	}
	if payloads, _, err := execution.SplitBlock(txs); err == nil {
		for _, p := range payloads {
			if rs, err := Decode(p.Data); p.Type == PayloadType && err == nil && len(rs) > 0 {
				last = max(last, rs[len(rs)-1].Number)
			}
		}
	}
	due := b.Info.RoundAt(blockTime.Unix())
	var out []Round
	for r := last + 1; r <= due && len(out) < MaxRoundsPerBlock; r++ {
		out = append(out, Round{Number: r, Key: b.share.PartialKey(r).Sig})
	}
	return Encode(out), nil
}

// VerifyExtension refuses only an extension that is not a list of rounds
// and keys.
func (b *Beacon) VerifyExtension(ext []byte) error {
	_, err := Decode(ext)
	return err
}

// Propose makes the epoch-key payload of the next block from the vote
// extensions of the last commit, or nil if no round has the threshold of
// good partial keys. Wrong partial keys are left out and logged with the
// validator that sent them (those checked: checking a round stops at the
// threshold, starting at a vote that moves with the height).
func (b *Beacon) Propose(height int64, votes []abci.ExtendedVoteInfo) (*execution.Payload, error) {
	last, err := b.Latest()
	if err != nil {
		return nil, err
	}
	partials := map[uint64][]capsule.Partial{}
	// Checking stops at the threshold, so the first votes checked decide
	// which holders a wrong key is caught from: the start moves with the
	// height, so each holder's keys are checked, and a wrong one logged,
	// every few blocks wherever it sits in the commit.
	start := 0
	if len(votes) > 0 && height > 0 {
		start = int(height % int64(len(votes)))
	}
	for i := range votes {
		v := votes[(start+i)%len(votes)]
		holder, ok := b.holders[string(v.Validator.Address)]
		if !ok || len(v.VoteExtension) == 0 {
			continue
		}
		rs, err := Decode(v.VoteExtension)
		if err != nil {
			continue // CometBFT keeps only extensions VerifyExtension accepted
		}
		for _, r := range rs {
			if r.Number <= last || r.Number > last+MaxRoundsPerBlock || len(partials[r.Number]) >= b.committee.Threshold {
				continue // out of the window, or enough to combine already: no pairing spent on it
			}
			p := capsule.Partial{Index: holder, Sig: r.Key}
			if err := b.committee.VerifyPartial(r.Number, p); err != nil {
				b.log.Warn("beacon: a validator sent a wrong partial key; left out", "validator", fmt.Sprintf("%X", v.Validator.Address), "holder", holder, "round", r.Number, "height", height)
				continue
			}
			partials[r.Number] = append(partials[r.Number], p)
		}
	}
	var keys []Round
	for r := last + 1; len(partials[r]) >= b.committee.Threshold; r++ {
		key, err := b.committee.Combine(partials[r])
		if err != nil {
			return nil, err
		}
		keys = append(keys, Round{Number: r, Key: key})
	}
	if n := len(partials[last+1]); len(keys) == 0 && n > 0 && last+1 > b.warned {
		// Some holders released the round, too few to combine: fewer than
		// the threshold of share holders are voting validators (evidence
		// removed some, or they are down). Blocks go on; capsules wait.
		b.warned = last + 1
		b.log.Warn("beacon: too few partial keys to release the round's key; capsules of it wait until enough share holders vote",
			"round", last+1, "partial_keys", n, "threshold", b.committee.Threshold, "height", height)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	return &execution.Payload{Type: PayloadType, Data: Encode(keys)}, nil
}

// CheckProposal refuses a proposal's epoch keys unless they follow on from
// the last released round and their rounds had come by the parent block's
// time: what an honest proposer makes from the last commit's extensions.
// The keys' own check is Check's, in execution.
func (b *Beacon) CheckProposal(parentTime time.Time, payloads []execution.Payload) error {
	seen := false
	for _, p := range payloads {
		if p.Type != PayloadType {
			continue
		}
		if seen {
			return fmt.Errorf("%w: two epoch-key payloads", ErrProposal)
		}
		seen = true
		rs, err := Decode(p.Data)
		if err != nil {
			return err
		}
		last, err := b.Latest()
		if err != nil {
			return err
		}
		if len(rs) == 0 || rs[0].Number != last+1 {
			return fmt.Errorf("%w: the keys start at round %d, the last released is %d", ErrProposal, firstRound(rs), last)
		}
		if due := b.Info.RoundAt(parentTime.Unix()); rs[len(rs)-1].Number > due {
			return fmt.Errorf("%w: round %d comes at %d, after the previous block's time %d", ErrProposal, rs[len(rs)-1].Number, b.Info.RoundTime(rs[len(rs)-1].Number), parentTime.Unix())
		}
	}
	return nil
}

func firstRound(rs []Round) uint64 {
	if len(rs) == 0 {
		return 0
	}
	return rs[0].Number
}
