package node

import (
	"sync"

	dbm "github.com/cometbft/cometbft-db"
	cmtcfg "github.com/cometbft/cometbft/config"
)

// closableDB is a CometBFT database that reads as empty once closed,
// instead of panicking. CometBFT closes its block store while a peer's
// consensus routine (queryMaj23Routine) may still load a commit from it:
// the routine checks that the reactor runs, sleeps, and reads, and Pebble
// panics on a read of a closed database, taking the process down as it
// stops (tendermint/tendermint and CometBFT since; vegaprotocol/vega#6680
// shows the same trace). A read after Close has no one to answer: nil is
// what the routine already handles for a height it does not have.
type closableDB struct {
	dbm.DB
	mu     sync.RWMutex
	closed bool
}

// cometDBProvider opens CometBFT's databases as closableDBs.
func cometDBProvider(ctx *cmtcfg.DBContext) (dbm.DB, error) {
	db, err := cmtcfg.DefaultDBProvider(ctx)
	if err != nil {
		return nil, err
	}
	return &closableDB{DB: db}, nil
}

// Get reads key, or nothing once the database is closed.
func (d *closableDB) Get(key []byte) ([]byte, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return nil, nil
	}
	return d.DB.Get(key)
}

// Has says whether key is present; nothing is once the database is closed.
func (d *closableDB) Has(key []byte) (bool, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return false, nil
	}
	return d.DB.Has(key)
}

// Close closes the database once no read is under way.
func (d *closableDB) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	return d.DB.Close()
}
