package rpc

import (
	"fmt"
	"runtime"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/chuxin-chain/chuxin/internal/app"
)

// NetAPI is the net_ namespace.
type NetAPI struct{ b *Backend }

// Version returns the network id: the chain id in decimal, as Ethereum
// clients expect.
func (api *NetAPI) Version() string { return api.b.chainID().String() }

// Listening reports that the node accepts peers.
func (api *NetAPI) Listening() bool { return true }

// PeerCount returns the number of connected peers.
func (api *NetAPI) PeerCount() hexutil.Uint { return hexutil.Uint(api.b.Peers()) }

// Web3API is the web3_ namespace.
type Web3API struct{}

// ClientVersion names the node software.
func (Web3API) ClientVersion() string {
	b := app.Build()
	return fmt.Sprintf("chuxin/v%s-%s/%s-%s/%s", b.Version, b.ShortCommit(), runtime.GOOS, runtime.GOARCH, b.Go)
}

// Sha3 returns the Keccak-256 of the input.
func (Web3API) Sha3(input hexutil.Bytes) hexutil.Bytes { return crypto.Keccak256(input) }
