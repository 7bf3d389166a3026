package rpc

import (
	"context"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

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
	b := c.b.Beacon
	if b == nil {
		return module.Beacon{}, false
	}
	return module.Beacon{Info: *b.Info, TimeZone: b.TimeZone}, true
}
