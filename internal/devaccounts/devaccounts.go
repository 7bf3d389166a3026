// Package devaccounts derives the well-known development accounts of the test
// mnemonic "test test … junk" along m/44'/60'/0'/0/i (BIP-39 seed, BIP-32
// derivation), the accounts that Hardhat, Anvil and Foundry fund, so the keys
// every Ethereum developer already has work against `chuxin devnet`.
//
// These keys are public knowledge: never fund them on a real network.
package devaccounts

import (
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// Mnemonic is the standard development mnemonic.
const Mnemonic = "test test test test test test test test test test test junk"

// Account is one development account.
type Account struct {
	Address common.Address
	Key     *ecdsa.PrivateKey
}

// KeyHex returns the private key as 0x-prefixed hex.
func (a Account) KeyHex() string { return fmt.Sprintf("%#x", crypto.FromECDSA(a.Key)) }

// Derive returns the first n accounts of mnemonic along m/44'/60'/0'/0/i.
func Derive(mnemonic string, n int) ([]Account, error) {
	seed, err := pbkdf2.Key(sha512.New, mnemonic, []byte("mnemonic"), 2048, 64)
	if err != nil {
		return nil, fmt.Errorf("derive seed: %w", err)
	}
	mac := hmac.New(sha512.New, []byte("Bitcoin seed"))
	mac.Write(seed)
	master := mac.Sum(nil)
	key, chain := master[:32], master[32:]
	const hard = 1 << 31
	for _, idx := range []uint32{44 + hard, 60 + hard, 0 + hard, 0} {
		if key, chain, err = child(key, chain, idx); err != nil {
			return nil, err
		}
	}
	out := make([]Account, n)
	for i := range n {
		k, _, err := child(key, chain, uint32(i))
		if err != nil {
			return nil, err
		}
		priv, err := crypto.ToECDSA(k)
		if err != nil {
			return nil, fmt.Errorf("account %d: %w", i, err)
		}
		out[i] = Account{Address: crypto.PubkeyToAddress(priv.PublicKey), Key: priv}
	}
	return out, nil
}

// child is BIP-32 private child key derivation.
func child(key, chain []byte, index uint32) ([]byte, []byte, error) {
	var data []byte
	if index >= 1<<31 {
		data = append([]byte{0}, key...)
	} else {
		priv, err := crypto.ToECDSA(key)
		if err != nil {
			return nil, nil, fmt.Errorf("bip32: %w", err)
		}
		data = crypto.CompressPubkey(&priv.PublicKey)
	}
	data = binary.BigEndian.AppendUint32(data, index)
	mac := hmac.New(sha512.New, chain)
	mac.Write(data)
	sum := mac.Sum(nil)
	n := crypto.S256().Params().N
	k := new(big.Int).SetBytes(sum[:32])
	if k.Cmp(n) >= 0 {
		return nil, nil, fmt.Errorf("bip32: derived key out of range at index %d", index)
	}
	k.Add(k, new(big.Int).SetBytes(key)).Mod(k, n)
	if k.Sign() == 0 {
		return nil, nil, fmt.Errorf("bip32: derived zero key at index %d", index)
	}
	return common.LeftPadBytes(k.Bytes(), 32), sum[32:], nil
}
