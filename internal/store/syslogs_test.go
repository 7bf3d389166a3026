package store

import (
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// TestSystemLogsByBlock: a store keeps the system logs of the blocks that
// have some, walks a range reading only those, never past the head, and
// knows from which height it kept them: 1 for a chain it began, the height
// after its head for a database that an older binary wrote.
func TestSystemLogsByBlock(t *testing.T) {
	g := testchain.Genesis(7, 30_000_000, nil)
	exec := execution.NewExecutor(g, execution.Extensions{})
	dir := t.TempDir()
	s, err := Open(dir, Options{CacheMB: 16, Archive: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.InitGenesis(g); err != nil {
		t.Fatal(err)
	}
	logOf := func(n uint64) execution.SystemLogs {
		return execution.SystemLogs{{Address: common.Address{byte(n)}, Topics: []common.Hash{{byte(n)}}, Data: []byte{1, 2}, Call: 1, Phase: execution.PhasePostBlock, To: common.Address{9}, Method: [4]byte{1, 2, 3, 4}}}
	}
	for n := uint64(1); n <= 6; n++ {
		head := s.Head()
		st, err := s.State(head.Root)
		if err != nil {
			t.Fatal(err)
		}
		res, err := exec.Execute(st, s.Chain(), &execution.BlockInput{Parent: head, Time: head.Time + 1})
		if err != nil {
			t.Fatal(err)
		}
		if n%2 == 0 { // blocks 2, 4 and 6 have one each
			res.SystemLogs = logOf(n)
		}
		if err := s.CommitBlock(res, nil); err != nil {
			t.Fatal(err)
		}
	}
	var seen []uint64
	var mayMatch func(types.Bloom) bool
	walk := func(from, to uint64) {
		seen = nil
		if err := s.EachSystemLogs(from, to, mayMatch, func(n uint64, logs execution.SystemLogs) error {
			if len(logs) != 1 || execution.SystemLogsRoot(logs) != execution.SystemLogsRoot(logOf(n)) {
				t.Fatalf("block %d: %+v", n, logs)
			}
			seen = append(seen, n)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if walk(1, 6); len(seen) != 3 || seen[0] != 2 || seen[2] != 6 {
		t.Fatalf("blocks 1-6: %v", seen)
	}
	if walk(3, 5); len(seen) != 1 || seen[0] != 4 {
		t.Fatalf("blocks 3-5: %v", seen)
	}
	if walk(5, 3); len(seen) != 0 {
		t.Fatalf("an empty range: %v", seen)
	}
	// The bloom: only block 4's logs come from address 4.
	mayMatch = func(b types.Bloom) bool { return b.Test(common.Address{4}.Bytes()) }
	if walk(1, 6); len(seen) != 1 || seen[0] != 4 {
		t.Fatalf("blocks whose bloom admits address 4: %v", seen)
	}
	mayMatch = nil
	if logs, err := s.SystemLogs(3); err != nil || logs != nil {
		t.Fatalf("block 3, without any: %v %v", logs, err)
	}
	if _, err := s.SystemLogs(7); err == nil {
		t.Fatal("the system logs of a block above the head")
	}
	if from, err := s.SystemLogsFrom(); err != nil || from != 1 {
		t.Fatalf("a chain begun here keeps them from %d (%v)", from, err)
	}

	// A database that an older binary wrote has no record: it keeps them
	// from the block after its head.
	if err := s.kv.Delete(systemLogsFromKey); err != nil {
		t.Fatal(err)
	}
	if walk(0, 100); len(seen) != 3 {
		t.Fatalf("the record is not a block's logs: %v", seen)
	}
	s.Close()
	if s, err = Open(dir, Options{CacheMB: 16, Archive: true}); err != nil {
		t.Fatal(err)
	}
	if from, err := s.SystemLogsFrom(); err != nil || from != 7 {
		t.Fatalf("an older database keeps them from %d (%v), want 7", from, err)
	}

	// A binary that kept none made blocks 4 to 6 after this one made 1 to
	// 3 (a downgrade, then this binary again): from the block after the
	// head.
	if err := s.kv.Put(systemLogsFromKey, heightKey(nil, 1)); err != nil {
		t.Fatal(err)
	}
	if err := s.kv.Put(systemLogsToKey, heightKey(nil, 3)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(dir, Options{CacheMB: 16, Archive: true}); err != nil {
		t.Fatal(err)
	}
	if from, err := s.SystemLogsFrom(); err != nil || from != 7 {
		t.Fatalf("after a downgrade they are kept from %d (%v), want 7", from, err)
	}
	// This binary stopped at its head: nothing changes.
	s.Close()
	if s, err = Open(dir, Options{CacheMB: 16, Archive: true}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if from, err := s.SystemLogsFrom(); err != nil || from != 7 {
		t.Fatalf("reopened, they are kept from %d (%v), want 7", from, err)
	}
}
