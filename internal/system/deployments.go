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
}, {
	Name: "ERC-1820 registry", File: "deployments/erc1820.hex",
	Signer:  common.HexToAddress("0xa990077c3205cbDf861e17Fa532eeB069cE9fF96"),
	Address: common.HexToAddress("0x1820a4B7618BdE71Dce8cdc73aAB6C95905faD24"),
	TxHash:  common.HexToHash("0xfefb2da535e927b85fe68eb81cb2e4a5827c905f78381a01ef2322aa9b0aee8e"),
	UsedBy:  "ERC-777 tokens (OpenZeppelin's ERC777 registers with it in its constructor) and every contract that declares an interface implementer through ERC-1820",
}, {
	Name: "CreateX", File: "deployments/createx.hex",
	Signer:  common.HexToAddress("0xeD456e05CaAb11d66C4c797dD6c1D6f9A7F352b5"),
	Address: common.HexToAddress("0xba5Ed099633D3B313e4D5F7bdc1305d3c28ba5Ed"),
	TxHash:  common.HexToHash("0xb6274b80bc7cda162df89894c7748a5cb7ba2eaa6004183c41a1837c3b072f1e"),
	UsedBy:  "deterministic CREATE, CREATE2 and CREATE3 deployments from Foundry scripts and deployment tools (its presigned transaction with a 3,000,000 gas limit)",
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
		// Run from the signer at the transaction's nonce, so the code is
		// created at its address (a constructor may keep address(this)).
		acc, err := deployFrom(from, tx.Nonce(), d.Name, tx.Data(), config, time)
		if err != nil {
			return nil, err
		}
		if len(acc.Storage) == 0 {
			acc.Storage = nil
		}
		alloc[d.Address] = acc
		alloc[d.Signer] = types.Account{Nonce: tx.Nonce() + 1, Balance: new(big.Int)}
	}
	return alloc, nil
}
