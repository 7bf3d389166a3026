package contracts_test

import (
	"bytes"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/chuxin-chain/chuxin/x/pledge/contracts"
)

// TestTheCodeOfRecordIsPinned: every chain with a beacon holds the pledge
// book's code of record from genesis, so a node that built it otherwise
// would not find its own genesis block. A change of PledgeBook.sol is a new
// contract at a new rule version, never this one.
func TestTheCodeOfRecordIsPinned(t *testing.T) {
	a, err := contracts.PledgeBookOfRecord()
	if err != nil {
		t.Fatal(err)
	}
	const want = "0x7146549fbb7ebf2b6c726fd702dca33b8d4058d4f2dbaccc3ceb5cbdcd15a377"
	if got := crypto.Keccak256Hash(a.Bytecode).Hex(); got != want {
		t.Fatalf("the pledge book's code of record changed (%s, pinned %s)", got, want)
	}
}

// TestTheSourceIsTheRecord: the current compile of PledgeBook.sol is the
// code of record but for the compiler's metadata (which names the source's
// path), so the ABI clients use is the deployed contract's.
func TestTheSourceIsTheRecord(t *testing.T) {
	record, err := contracts.PledgeBookOfRecord()
	if err != nil {
		t.Fatal(err)
	}
	current, err := contracts.PledgeBook()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		got, rec []byte
	}{{"creation code", current.Bytecode, record.Bytecode}, {"runtime code", current.Runtime, record.Runtime}} {
		if !bytes.Equal(withoutMetadata(t, c.got), withoutMetadata(t, c.rec)) {
			t.Errorf("PledgeBook.sol's %s differs from the code of record beyond its metadata: a changed contract is a new rule version", c.name)
		}
	}
	if len(current.ABI.Methods) != len(record.ABI.Methods) || len(current.ABI.Events) != len(record.ABI.Events) {
		t.Errorf("the ABI changed: %d methods and %d events, the record has %d and %d",
			len(current.ABI.Methods), len(current.ABI.Events), len(record.ABI.Methods), len(record.ABI.Events))
	}
}

// withoutMetadata cuts solc's CBOR metadata, whose length is code's last
// two bytes.
func withoutMetadata(t *testing.T, code []byte) []byte {
	t.Helper()
	if len(code) < 2 {
		t.Fatal("no code")
	}
	n := int(code[len(code)-2])<<8 | int(code[len(code)-1])
	if n+2 > len(code) {
		t.Fatalf("metadata of %d bytes in %d bytes of code", n, len(code))
	}
	return code[:len(code)-n-2]
}
