package system

import (
	"embed"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
)

// The standard deployments every new chain starts with, made from the
// presigned (keyless, pre-EIP-155) transactions that put them at the same
// address on every Ethereum chain: each is decoded, its signer recovered and
// checked, and its creation code run as a deployment would, so the genesis
// holds exactly the runtime code those addresses hold elsewhere, and the
// signer's nonce is 1, as after the deployment.
//
//go:embed deployments/*.hex
var deploymentFiles embed.FS

// StandardDeployment is one presigned deployment.
type StandardDeployment struct {
	Name    string
	File    string
	Signer  common.Address // who signed it (a key nobody holds)
	Address common.Address // where it deploys
	TxHash  common.Hash    // its hash on every chain
	UsedBy  string
}

// StandardDeployments are the presigned deployments in every new genesis.
// (The deterministic CREATE2 deployer, EIP-7997's, is placed by
// go-ethereum's params.DeterministicFactoryCode.)
var StandardDeployments = []StandardDeployment{{
	Name: "Multicall3", File: "deployments/multicall3.hex",
	Signer:  common.HexToAddress("0x05f32B3cC3888453ff71B01135B34FF8e41263F2"),
	Address: common.HexToAddress("0xcA11bde05977b3631167028862bE2a173976CA11"),
	TxHash:  common.HexToHash("0x07471adfe8f4ec553c1199f495be97fc8be8e0626ae307281c22534460184ed1"),
	UsedBy:  "viem's and ethers' multicall, wagmi, most dapp front ends that batch reads",
}}

// StandardAllocs returns the accounts of the standard deployments: each
// contract, and its signer with nonce 1.
func StandardAllocs(config *params.ChainConfig, time uint64) (types.GenesisAlloc, error) {
	alloc := types.GenesisAlloc{}
	for _, d := range StandardDeployments {
		b, err := deploymentFiles.ReadFile(d.File)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrGenesis, d.Name, err)
		}
		raw, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrGenesis, d.Name, err)
		}
		var tx types.Transaction
		if err := tx.UnmarshalBinary(raw); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrGenesis, d.Name, err)
		}
		from, err := types.Sender(types.HomesteadSigner{}, &tx)
		if err != nil || from != d.Signer || tx.Hash() != d.TxHash || crypto.CreateAddress(from, tx.Nonce()) != d.Address {
			panic(fmt.Sprintf("system: the presigned %s deployment is not the published one", d.Name)) // an embedded file changed
		}
		acc, err := deploy(d.Name, tx.Data(), config, time)
		if err != nil {
			return nil, err
		}
		acc.Storage = nil
		alloc[d.Address] = acc
		alloc[d.Signer] = types.Account{Nonce: tx.Nonce() + 1, Balance: new(big.Int)}
	}
	return alloc, nil
}
