// Package testchain holds what chuxin's tests share: a tiny contract whose
// bytecode needs no compiler, signed transaction builders and free-port
// finding for networks of real nodes on 127.0.0.1.
package testchain

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// IncrementedTopic is the topic of the Counter's log: Incremented(uint256).
var IncrementedTopic = crypto.Keccak256Hash([]byte("Incremented(uint256)"))

// CounterRuntime is a contract that, on any call, adds one to storage slot 0,
// logs Incremented(newValue) and returns the new value.
func CounterRuntime() []byte {
	code := []byte{
		0x60, 0x00, 0x54, // SLOAD(0)
		0x60, 0x01, 0x01, // +1
		0x80, 0x60, 0x00, 0x55, // SSTORE(0, v)
		0x80, 0x60, 0x00, 0x52, // MSTORE(0, v)
		0x7f, // PUSH32 topic
	}
	code = append(code, IncrementedTopic.Bytes()...)
	code = append(code,
		0x60, 0x20, 0x60, 0x00, 0xa1, // LOG1(0, 32, topic)
		0x60, 0x20, 0x60, 0x00, 0xf3, // RETURN(0, 32)
	)
	return code
}

// CounterInit is the creation code that deploys CounterRuntime.
func CounterInit() []byte { return DeployCode(CounterRuntime()) }

// DeployCode is the creation code that deploys runtime (under 256 bytes):
// CODECOPY it to memory and RETURN it.
func DeployCode(runtime []byte) []byte {
	n := byte(len(runtime))
	return append([]byte{0x60, n, 0x60, 12, 0x60, 0x00, 0x39, 0x60, n, 0x60, 0x00, 0xf3}, runtime...)
}

// CallerRuntime is a contract that calls target with no input and returns
// target's 32-byte answer, or, with revert, reverts with it after the call
// succeeded.
func CallerRuntime(target common.Address, revert bool) []byte {
	code := []byte{0x60, 0x20, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x73}
	code = append(code, target.Bytes()...)
	code = append(code, 0x5a, 0xf1, 0x50, 0x60, 0x20, 0x60, 0x00) // GAS CALL POP PUSH 32 PUSH 0
	if revert {
		return append(code, 0xfd) // REVERT(0, 32)
	}
	return append(code, 0xf3) // RETURN(0, 32)
}

// Multicall3 is where every chuxin genesis (and every Ethereum chain) has
// Multicall3.
var Multicall3 = common.HexToAddress("0xcA11bde05977b3631167028862bE2a173976CA11")

// Multicall3ABI is the part of Multicall3's ABI the tests call: aggregate3.
var Multicall3ABI = func() abi.ABI {
	a, err := abi.JSON(strings.NewReader(`[{"name":"aggregate3","type":"function","stateMutability":"payable","inputs":[{"name":"calls","type":"tuple[]","components":[{"name":"target","type":"address"},{"name":"allowFailure","type":"bool"},{"name":"callData","type":"bytes"}]}],"outputs":[{"name":"returnData","type":"tuple[]","components":[{"name":"success","type":"bool"},{"name":"returnData","type":"bytes"}]}]}]`))
	if err != nil {
		panic(err)
	}
	return a
}()

// Call3 is one call of Multicall3's aggregate3.
type Call3 struct {
	Target       common.Address
	AllowFailure bool
	CallData     []byte
}

// Aggregate3 is the input of Multicall3.aggregate3(calls).
func Aggregate3(calls ...Call3) []byte {
	data, err := Multicall3ABI.Pack("aggregate3", calls)
	if err != nil {
		panic(err) // the ABI and Call3 agree
	}
	return data
}

// Transfer signs a value transfer (EIP-1559, zero fees).
func Transfer(key *ecdsa.PrivateKey, chainID *big.Int, nonce uint64, to common.Address, value *big.Int) *types.Transaction {
	return Sign(key, chainID, &types.DynamicFeeTx{
		ChainID: chainID, Nonce: nonce, To: &to, Value: value, Gas: 21_000,
		GasFeeCap: new(big.Int), GasTipCap: new(big.Int),
	})
}

// Call signs a contract call with the given data and gas.
func Call(key *ecdsa.PrivateKey, chainID *big.Int, nonce uint64, to common.Address, data []byte, gas uint64) *types.Transaction {
	return Sign(key, chainID, &types.DynamicFeeTx{
		ChainID: chainID, Nonce: nonce, To: &to, Data: data, Gas: gas,
		GasFeeCap: new(big.Int), GasTipCap: new(big.Int), Value: new(big.Int),
	})
}

// Deploy signs a contract creation.
func Deploy(key *ecdsa.PrivateKey, chainID *big.Int, nonce uint64, code []byte, gas uint64) *types.Transaction {
	return Sign(key, chainID, &types.DynamicFeeTx{
		ChainID: chainID, Nonce: nonce, Data: code, Gas: gas,
		GasFeeCap: new(big.Int), GasTipCap: new(big.Int), Value: new(big.Int),
	})
}

// Sign signs any transaction data with the latest signer for chainID.
func Sign(key *ecdsa.PrivateKey, chainID *big.Int, data types.TxData) *types.Transaction {
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(chainID), data)
	if err != nil {
		panic(fmt.Sprintf("testchain: sign: %v", err))
	}
	return tx
}

// PortBase returns a base port such that base..base+n-1 are free on
// 127.0.0.1 right now, below the ephemeral ports.
func PortBase(n int) int {
	for {
		// Below Linux's ephemeral range (32768 and up): an outbound
		// connection of another node would otherwise take one of these
		// ports as its local port, and a node restarted on it could not
		// listen.
		base := 20_000 + rand.IntN(12_000-n)
		ok := true
		for p := base; p < base+n && ok; p++ {
			ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				ok = false
				continue
			}
			ln.Close()
		}
		if ok {
			return base
		}
	}
}

// GovernorKey is the key of the test chains' governor: the one member of
// their consortium's governor, and an admin and regulator (Genesis).
var GovernorKey, _ = crypto.ToECDSA(crypto.Keccak256([]byte("chuxin test governor")))

// Governor is GovernorKey's address.
var Governor = crypto.PubkeyToAddress(GovernorKey.PublicKey)

// Genesis returns a chain's genesis with the default rules, the given block
// gas limit and initial state, governed by Governor in an open network.
func Genesis(chainID, gasLimit uint64, alloc types.GenesisAlloc) *genesis.Genesis {
	g := genesis.New(chainID)
	g.Consortium = system.NewGenesis("test", Governor, false)
	g.Rules.GasLimit = gasLimit
	if alloc != nil {
		g.Alloc = alloc
	}
	return g
}

// NodeScript runs a node script with req as JSON on its standard input and
// decodes the JSON it prints into res. The script imports npm packages
// from the repository root at root (relative to the test's directory);
// without node or the package pkg there, the test is skipped, or fails
// where CI is set (CI installs them).
func NodeScript(t testing.TB, root, pkg, script string, req, res any) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(root, "node_modules", pkg, "package.json"))
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("node and the npm packages are needed (npm ci at the repository root): %v", err)
		}
		t.Skipf("node or %s missing: %v", pkg, err)
	}
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	if err := json.Unmarshal(out, res); err != nil {
		t.Fatalf("node %s printed %q: %v", script, out, err)
	}
}
