package release_test

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"log/slog"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/testchain"
	beacon "github.com/chuxin-chain/chuxin/x/beacon/release"
)

// index is an in-memory node index.
type index map[string][]byte

func (ix index) Indexed(k []byte) ([]byte, error) { return ix[string(k)], nil }

// release records rounds as released, as a block's Apply would.
func (ix index) release(rs []beacon.Round) {
	for _, r := range rs {
		ix[string(binary.BigEndian.AppendUint64([]byte("beacon/round/"), r.Number))] = r.Key.Bytes()
	}
	ix["beacon/latest"] = binary.BigEndian.AppendUint64(nil, rs[len(rs)-1].Number)
}

const genesisTime = 1_800_000_000

// committee is four validators holding shares (threshold 3), each with its
// node's view of the beacon.
type committee struct {
	nodes []*beacon.Beacon
	addrs [][]byte
	index index
	log   *bytes.Buffer
}

func newCommittee(t *testing.T) *committee {
	t.Helper()
	c, shares, err := capsule.Deal(3, 4, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	g := testchain.Genesis(1337, 30_000_000, nil)
	g.Rules.VoteExtensionsHeight = 1
	g.Beacon = &capsule.Beacon{Threshold: 3, PublicKey: c.Master.Bytes(), Period: 3, GenesisTime: genesisTime, TimeZone: "Asia/Shanghai"}
	out := &committee{index: index{}, log: &bytes.Buffer{}}
	for i := range shares {
		pub := ed25519.GenPrivKey().PubKey()
		g.Validators = append(g.Validators, genesis.Validator{PubKey: pub.Bytes(), Power: 10})
		g.Beacon.Holders = append(g.Beacon.Holders, capsule.Holder{Validator: pub.Bytes(), PublicShare: c.Shares[i].Bytes()})
		out.addrs = append(out.addrs, pub.Address())
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(out.log, nil))
	for i := range shares {
		b, err := beacon.New(g, &shares[i], out.index, log)
		if err != nil {
			t.Fatal(err)
		}
		out.nodes = append(out.nodes, b)
	}
	return out
}

// votes are the extended votes of a commit of the block at blockTime,
// each validator's extension made by its node (or by bad, for those it
// names).
func (c *committee) votes(t *testing.T, blockTime time.Time, bad map[int]func() []byte) []abci.ExtendedVoteInfo {
	t.Helper()
	var out []abci.ExtendedVoteInfo
	for i, b := range c.nodes {
		ext, err := b.Extend(blockTime, nil)
		if err != nil {
			t.Fatal(err)
		}
		if f := bad[i]; f != nil {
			ext = f()
		}
		if err := b.VerifyExtension(ext); err != nil {
			t.Fatalf("validator %d's extension refused: %v", i, err)
		}
		out = append(out, abci.ExtendedVoteInfo{Validator: abci.Validator{Address: c.addrs[i], Power: 10}, VoteExtension: ext})
	}
	return out
}

func roundTime(n uint64) time.Time { return time.Unix(genesisTime+int64(n-1)*3, 0) }

// TestReleaseFromExtensions: the extensions of a commit carry each holder's
// partial keys for the rounds that have come, the proposer combines them,
// and every node's checks accept the keys, which the master key verifies.
func TestReleaseFromExtensions(t *testing.T) {
	c := newCommittee(t)
	at := roundTime(5).Add(time.Second)
	p, err := c.nodes[0].Propose(7, c.votes(t, at, nil))
	if err != nil || p == nil {
		t.Fatalf("propose: %v, %v", p, err)
	}
	rs, err := beacon.Decode(p.Data)
	if err != nil || len(rs) != 5 || rs[0].Number != 1 || rs[4].Number != 5 {
		t.Fatalf("released %v, %v", rs, err)
	}
	for _, b := range c.nodes {
		if err := b.Check(p.Data); err != nil {
			t.Fatal(err)
		}
		if err := b.CheckProposal(at, []execution.Payload{*p}); err != nil {
			t.Fatal(err)
		}
	}
	// Before the block's time reached round 6, nobody released it;
	// once released, the next extensions start after it.
	if err := c.nodes[1].CheckProposal(roundTime(5), []execution.Payload{*p}); err != nil {
		t.Fatal(err)
	}
	if err := c.nodes[1].CheckProposal(roundTime(5).Add(-time.Second), []execution.Payload{*p}); !errors.Is(err, beacon.ErrProposal) {
		t.Fatalf("keys of a round after the parent's time: %v", err)
	}
	c.index.release(rs)
	ext, _ := c.nodes[2].Extend(roundTime(6), nil)
	if got, _ := beacon.Decode(ext); len(got) != 1 || got[0].Number != 6 {
		t.Fatalf("the extension after release carries %v", got)
	}
	if err := c.nodes[1].CheckProposal(roundTime(9), []execution.Payload{*p}); !errors.Is(err, beacon.ErrProposal) || !strings.Contains(err.Error(), "last released is 5") {
		t.Fatalf("keys released twice: %v", err)
	}
}

// TestWrongPartialKeysAreLeftOut: a validator sending wrong partial keys
// is named in the log and left out; the other three make the keys.
func TestWrongPartialKeysAreLeftOut(t *testing.T) {
	c := newCommittee(t)
	at := roundTime(2)
	_, wrongShares, _ := capsule.Deal(1, 1, rand.Reader)
	// The wrong one comes first: once three are good, no more are checked.
	bad := map[int]func() []byte{0: func() []byte {
		return beacon.Encode([]beacon.Round{{Number: 1, Key: wrongShares[0].Key.Sign(1)}, {Number: 2, Key: wrongShares[0].Key.Sign(2)}})
	}}
	p, err := c.nodes[0].Propose(3, c.votes(t, at, bad))
	if err != nil || p == nil {
		t.Fatalf("propose: %v, %v", p, err)
	}
	if err := c.nodes[0].Check(p.Data); err != nil {
		t.Fatalf("the keys made without the wrong partials: %v", err)
	}
	if !strings.Contains(c.log.String(), "sent a wrong partial key") || !strings.Contains(c.log.String(), "holder=1") {
		t.Fatalf("log:\n%s", c.log)
	}
	// With two wrong, three are not there: nothing is released.
	bad[1] = bad[0]
	if p, err := c.nodes[0].Propose(3, c.votes(t, at, bad)); err != nil || p != nil {
		t.Fatalf("two wrong of four: %v, %v", p, err)
	}
}

// TestNoPartialKeyBeforeItsTime: over many blocks at random times and
// released rounds, no extension carries a partial key for a round whose
// time the block has not reached, and each carries at most
// MaxRoundsPerBlock rounds after the last released.
func TestNoPartialKeyBeforeItsTime(t *testing.T) {
	c := newCommittee(t)
	rng := mrand.New(mrand.NewPCG(1, 2))
	b := c.nodes[0]
	var released uint64
	for range 300 {
		at := time.Unix(genesisTime-10+rng.Int64N(400), rng.Int64N(1e9))
		ext, err := b.Extend(at, nil)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := beacon.Decode(ext)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if roundTime(r.Number).After(at) {
				t.Fatalf("a partial key for round %d (at %v) in a block of %v", r.Number, roundTime(r.Number), at)
			}
			if r.Number <= released {
				t.Fatalf("a partial key for round %d, released already", r.Number)
			}
		}
		if len(rs) > beacon.MaxRoundsPerBlock {
			t.Fatalf("%d rounds in one extension", len(rs))
		}
		if len(rs) > 0 && rng.IntN(2) == 0 {
			c.index.release(rs)
			released = rs[len(rs)-1].Number
		}
	}
}

// TestMalformedExtensionsAndPayloads: what is not a list of following
// rounds with G1 keys is refused.
func TestMalformedExtensionsAndPayloads(t *testing.T) {
	c := newCommittee(t)
	ext, _ := c.nodes[0].Extend(roundTime(3), nil)
	for name, b := range map[string][]byte{
		"truncated":     ext[:len(ext)-1],
		"gap":           append(append([]byte{}, ext[:56]...), ext[112:]...),
		"round zero":    append(make([]byte, 8), ext[8:56]...),
		"not a point":   append(ext[:8:8], bytes.Repeat([]byte{0xff}, 48)...),
		"too many":      bytes.Repeat(ext[:56], beacon.MaxRoundsPerBlock+1),
		"one key twice": append(append([]byte{}, ext[:56]...), ext[:56]...),
	} {
		if err := c.nodes[1].VerifyExtension(b); !errors.Is(err, beacon.ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A payload whose keys are partial keys, not round keys, fails the
	// pairing check every node makes.
	if err := c.nodes[1].Check(ext); !errors.Is(err, beacon.ErrProposal) {
		t.Fatalf("partial keys as round keys: %v", err)
	}
}

// TestBelowThresholdTheBeaconWaitsAndWarns: with fewer than the threshold
// of share holders voting (evidence removed two of four, say), no key is
// released, nothing fails, and the node warns once per round.
func TestBelowThresholdTheBeaconWaitsAndWarns(t *testing.T) {
	c := newCommittee(t)
	votes := c.votes(t, roundTime(1), nil)[:2] // two of the three needed
	for range 2 {
		if p, err := c.nodes[0].Propose(3, votes); err != nil || p != nil {
			t.Fatalf("two holders of three needed: %v, %v", p, err)
		}
	}
	if n := strings.Count(c.log.String(), "too few partial keys"); n != 1 || !strings.Contains(c.log.String(), "threshold=3") {
		t.Fatalf("warned %d times, want once:\n%s", n, c.log)
	}
}

// TestProposeStopsCheckingAtTheThreshold: once a round has the threshold
// of good partial keys, the rest are not checked (each check is a
// pairing), so a wrong one after them costs nothing and changes nothing.
// The first vote checked moves with the height, so at another height the
// wrong key is checked, left out and logged.
func TestProposeStopsCheckingAtTheThreshold(t *testing.T) {
	c := newCommittee(t)
	_, wrong, _ := capsule.Deal(1, 1, rand.Reader)
	bad := map[int]func() []byte{3: func() []byte { return beacon.Encode([]beacon.Round{{Number: 1, Key: wrong[0].Key.Sign(1)}}) }}
	votes := c.votes(t, roundTime(1), bad)
	p, err := c.nodes[0].Propose(4, votes) // checks votes 0, 1, 2 and stops
	if err != nil || p == nil || c.nodes[0].Check(p.Data) != nil {
		t.Fatalf("propose: %v, %v", p, err)
	}
	if strings.Contains(c.log.String(), "wrong partial key") {
		t.Fatalf("a partial key past the threshold was checked:\n%s", c.log)
	}
	p, err = c.nodes[0].Propose(3, votes) // starts at vote 3
	if err != nil || p == nil || c.nodes[0].Check(p.Data) != nil {
		t.Fatalf("propose at height 3: %v, %v", p, err)
	}
	if !strings.Contains(c.log.String(), "wrong partial key") || !strings.Contains(c.log.String(), "holder=4") {
		t.Fatalf("the wrong partial key, checked first at height 3, was not logged:\n%s", c.log)
	}
}

// TestNudgesAreTakenOnlyWhileTheyHelp: the mempool keeps a round's nudge
// only while its round is due (or the one before), its key is not out and
// for at most four blocks; bytes that only look like a nudge are refused.
func TestNudgesAreTakenOnlyWhileTheyHelp(t *testing.T) {
	c := newCommittee(t)
	b := c.nodes[0]
	now := roundTime(5).Add(500 * time.Millisecond) // round 5 is due
	c.index["beacon/latest"] = binary.BigEndian.AppendUint64(nil, 3)
	for _, tc := range []struct {
		raw  []byte
		want string // "" taken
	}{
		{beacon.Nudge(5), ""},
		{beacon.Nudge(4), ""},
		{beacon.Nudge(3), "is released"},
		{beacon.Nudge(6), "has not come"},
		{append(beacon.Nudge(5), 0), "a nudge has"},
	} {
		err := b.CheckNudge(tc.raw, 10, now)
		if tc.want == "" && err != nil || tc.want != "" && (!errors.Is(err, beacon.ErrNudge) || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%x: %v, want %q", tc.raw, err, tc.want)
		}
	}
	if !beacon.IsNudge(beacon.Nudge(1)) || beacon.IsNudge([]byte{0x02, 0xf8}) {
		t.Error("IsNudge")
	}
	// Kept for the blocks that release it, then dropped.
	for next := int64(11); next < 14; next++ {
		if err := b.CheckNudge(beacon.Nudge(5), next, now); err != nil {
			t.Fatalf("recheck at height %d: %v", next, err)
		}
	}
	if err := b.CheckNudge(beacon.Nudge(5), 14, now); !errors.Is(err, beacon.ErrNudge) {
		t.Fatalf("a nudge kept past four blocks: %v", err)
	}
	// A beacon that fell behind (round 2 released, 5 due) is not woken.
	c.index["beacon/latest"] = binary.BigEndian.AppendUint64(nil, 2)
	if err := b.CheckNudge(beacon.Nudge(5), 20, now); err == nil || !strings.Contains(err.Error(), "is behind") {
		t.Fatalf("a nudge for a beacon behind: %v", err)
	}
	if err := b.CheckNudge(beacon.Nudge(3), 20, now); err == nil || !strings.Contains(err.Error(), "is past") {
		t.Fatalf("a nudge of a past round: %v", err)
	}
	// Once the key is out, the nudge goes.
	c.index["beacon/latest"] = binary.BigEndian.AppendUint64(nil, 4)
	if err := b.CheckNudge(beacon.Nudge(4), 15, now); err == nil || !strings.Contains(err.Error(), "released") {
		t.Fatalf("the nudge of a released round: %v", err)
	}
}
