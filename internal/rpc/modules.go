package rpc

import (
	"context"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/chuxin-chain/chuxin/internal/beacon"
	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/module"
)

// moduleChain is the node as the modules' APIs and mounts read it.
type moduleChain struct{ b *Backend }

// Call runs a read-only call at the head, as eth_call does.
func (c moduleChain) Call(ctx context.Context, to common.Address, data []byte) ([]byte, error) {
	input := hexutil.Bytes(data)
	return (&EthAPI{b: c.b}).Call(ctx, CallArgs{To: &to, Data: &input}, nil, nil, nil)
}

// Beacon is the chain's beacon, if it has one.
func (c moduleChain) Beacon() (module.Beacon, bool) {
	if c.b.Beacon == nil {
		return nil, false
	}
	return beaconView{c.b.Beacon}, true
}

// Contract is a module contract's address, by name.
func (c moduleChain) Contract(name string) (common.Address, bool) { return c.b.Modules.Contract(name) }

// beaconView is the node's beacon as module.Beacon.
type beaconView struct{ b *beacon.Beacon }

func (v beaconView) Info() *capsule.ChainInfo { return v.b.Info }
func (v beaconView) ChainHash() string        { return v.b.ChainHash }
func (v beaconView) TimeZone() string         { return v.b.TimeZone }
func (v beaconView) Latest() (uint64, error)  { return v.b.Latest() }
func (v beaconView) Threshold() (t, n int)    { return v.b.Threshold() }

func (v beaconView) Key(round uint64) (*capsule.Signature, error) { return v.b.Key(round) }
