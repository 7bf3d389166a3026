package node

import (
	"testing"

	cmtcfg "github.com/cometbft/cometbft/config"
)

// TestClosedCometDBReadsEmpty: a read of CometBFT's database after Close
// answers nothing instead of panicking (the shutdown race of CometBFT's
// queryMaj23Routine).
func TestClosedCometDBReadsEmpty(t *testing.T) {
	cfg := cmtcfg.DefaultConfig()
	cfg.SetRoot(t.TempDir())
	cfg.DBBackend = "pebbledb"
	db, err := cometDBProvider(&cmtcfg.DBContext{ID: "blockstore", Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Set([]byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Get([]byte("k")); err != nil || string(v) != "v" {
		t.Fatalf("get before close: %q, %v", v, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Get([]byte("k")); err != nil || v != nil {
		t.Fatalf("get after close: %q, %v", v, err)
	}
	if ok, err := db.Has([]byte("k")); err != nil || ok {
		t.Fatalf("has after close: %v, %v", ok, err)
	}
}
