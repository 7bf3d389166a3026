package bench

import (
	"cmp"
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/chuxin-chain/chuxin/contracts"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// DevKey is the first development account of the test mnemonic, the funder
// by default (funded by `chuxin devnet`; import it into geth --dev).
const DevKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

// fundWei is what each sender is given: 1 ether.
var fundWei = big.NewInt(1e18)

// tokenGrant is what each sender is given of the benchmark's ERC-20.
var tokenGrant = new(big.Int).Exp(big.NewInt(10), big.NewInt(24), nil)

// ethTarget loads any Ethereum JSON-RPC node.
type ethTarget struct {
	rpc      *gethrpc.Client
	workload string
	chainID  *big.Int
	signer   types.Signer
	tip      *big.Int
	feeCap   *big.Int
	legacy   bool // the node has no base fee: send legacy transactions

	keys   []*ecdsa.PrivateKey
	addrs  []common.Address
	nonces []uint64

	presigned [][]built // presigned[a][i] is sender a's transaction of nonce base[a]+i
	base      []uint64

	token       *contracts.Artifact
	tokenAddr   common.Address
	erc20Gas    uint64
	deployData  []byte
	deployGas   uint64
	transferGas uint64
	grantRoles  bool // grant the senders roles on a permissioned chuxin network
}

func (t *ethTarget) Setup(ctx context.Context, o *Options, log io.Writer) (string, error) {
	switch o.Workload {
	case "", "transfer":
		o.Workload = "transfer"
	case "erc20", "deploy", "mixed":
	default:
		return "", fmt.Errorf("%w: workload %q (use transfer, erc20, deploy or mixed)", ErrOptions, o.Workload)
	}
	t.workload = o.Workload
	var err error
	if t.rpc, err = gethrpc.DialContext(ctx, o.URL); err != nil {
		return "", fmt.Errorf("connect to %s: %w", o.URL, err)
	}
	var client string
	if err := t.rpc.CallContext(ctx, &client, "web3_clientVersion"); err != nil {
		return "", fmt.Errorf("%s does not answer web3_clientVersion: %w", o.URL, err)
	}
	var id hexutil.Big
	if err := t.rpc.CallContext(ctx, &id, "eth_chainId"); err != nil {
		return "", fmt.Errorf("eth_chainId: %w", err)
	}
	t.chainID = id.ToInt()
	t.signer = types.LatestSignerForChainID(t.chainID)
	if err := t.fees(ctx); err != nil {
		return "", err
	}
	funder := o.Funder
	if funder == nil {
		k, err := crypto.HexToECDSA(trim0x(DevKey))
		if err != nil {
			return "", err
		}
		funder = k
	}
	for i := range o.Senders {
		seed := binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64([]byte("chuxin-bench"), o.Seed), uint64(i))
		k, err := crypto.ToECDSA(crypto.Keccak256(seed))
		if err != nil {
			return "", err
		}
		t.keys = append(t.keys, k)
		t.addrs = append(t.addrs, crypto.PubkeyToAddress(k.PublicKey))
	}
	t.transferGas = 21_000
	if t.workload != "transfer" {
		if t.token, err = contracts.Load("ChuxinToken"); err != nil {
			return "", err
		}
		if t.deployData, err = t.token.DeployData(new(big.Int).Exp(big.NewInt(10), big.NewInt(30), nil)); err != nil {
			return "", err
		}
	}
	fmt.Fprintf(log, "%s: preparing %d senders on %s (chain %v)\n", o.Label, o.Senders, client, t.chainID)
	t.grantRoles = o.GrantRoles
	if err := t.fund(ctx, funder, log); err != nil {
		return "", err
	}
	if err := t.loadNonces(ctx); err != nil {
		return "", err
	}
	if t.workload != "transfer" {
		if err := t.estimate(ctx); err != nil {
			return "", err
		}
	}
	return client, nil
}

// fees reads the base fee and tip the node asks for.
func (t *ethTarget) fees(ctx context.Context) error {
	var head struct {
		BaseFee *hexutil.Big `json:"baseFeePerGas"`
	}
	if err := t.rpc.CallContext(ctx, &head, "eth_getBlockByNumber", "latest", false); err != nil {
		return fmt.Errorf("read latest block: %w", err)
	}
	var tip hexutil.Big
	if err := t.rpc.CallContext(ctx, &tip, "eth_maxPriorityFeePerGas"); err != nil {
		tip = hexutil.Big(*big.NewInt(0))
	}
	t.tip = tip.ToInt()
	if head.BaseFee == nil {
		var price hexutil.Big
		if err := t.rpc.CallContext(ctx, &price, "eth_gasPrice"); err != nil {
			return fmt.Errorf("eth_gasPrice: %w", err)
		}
		t.legacy, t.feeCap = true, price.ToInt()
		return nil
	}
	t.feeCap = new(big.Int).Add(new(big.Int).Mul(head.BaseFee.ToInt(), big.NewInt(2)), t.tip)
	return nil
}

func (t *ethTarget) sign(key *ecdsa.PrivateKey, nonce uint64, to *common.Address, value *big.Int, data []byte, gas uint64) (*types.Transaction, error) {
	var txdata types.TxData
	if t.legacy {
		txdata = &types.LegacyTx{Nonce: nonce, To: to, Value: value, Data: data, Gas: gas, GasPrice: t.feeCap}
	} else {
		txdata = &types.DynamicFeeTx{ChainID: t.chainID, Nonce: nonce, To: to, Value: value, Data: data, Gas: gas, GasFeeCap: t.feeCap, GasTipCap: t.tip}
	}
	return types.SignNewTx(key, t.signer, txdata)
}

// fund gives each sender ether (and tokens) from the funder, skipping
// senders funded by an earlier run.
func (t *ethTarget) fund(ctx context.Context, funder *ecdsa.PrivateKey, log io.Writer) error {
	from := crypto.PubkeyToAddress(funder.PublicKey)
	var nonce hexutil.Uint64
	if err := t.rpc.CallContext(ctx, &nonce, "eth_getTransactionCount", from, "pending"); err != nil {
		return fmt.Errorf("funder nonce: %w", err)
	}
	n := uint64(nonce)
	var txs []*types.Transaction
	if t.token != nil {
		gas, err := t.estimateGas(ctx, map[string]any{"from": from, "data": hexutil.Bytes(t.deployData)}, 4, 3)
		if err != nil {
			return fmt.Errorf("estimate the benchmark token's deployment: %w", err)
		}
		tx, err := t.sign(funder, n, nil, new(big.Int), t.deployData, gas)
		if err != nil {
			return err
		}
		t.tokenAddr = crypto.CreateAddress(from, n)
		n++
		if err := t.submitAndWait(ctx, from, []*types.Transaction{tx}); err != nil {
			return fmt.Errorf("deploy the benchmark token: %w", err)
		}
	}
	if t.grantRoles {
		// The funder, an admin, lets the senders send and deploy.
		roles := new(big.Int).SetUint64(uint64(system.RoleTransactor | system.RoleDeployer))
		var grants []*types.Transaction
		for _, a := range t.addrs {
			data, err := system.Pack("grantRoles", a, roles)
			if err != nil {
				return err
			}
			tx, err := t.sign(funder, n, &system.ConsortiumAddress, new(big.Int), data, 100_000)
			if err != nil {
				return err
			}
			grants, n = append(grants, tx), n+1
		}
		fmt.Fprintf(log, "%s: granting %d senders the transactor and deployer roles\n", "bench", len(grants))
		if err := t.submitAndWait(ctx, from, grants); err != nil {
			return fmt.Errorf("grant the senders roles: %w", err)
		}
		call, _ := system.Pack("permissions", t.addrs[len(t.addrs)-1])
		var ret hexutil.Bytes
		if err := t.rpc.CallContext(ctx, &ret, "eth_call", map[string]any{"to": system.ConsortiumAddress, "data": hexutil.Bytes(call)}, "latest"); err != nil {
			return fmt.Errorf("read a sender's roles: %w", err)
		}
		if new(big.Int).SetBytes(ret).Uint64()&uint64(system.RoleTransactor) == 0 {
			return fmt.Errorf("the senders were not granted roles: is the funder %s an admin?", from)
		}
	}
	balances, err := perSender[hexutil.Big](ctx, t, "eth_getBalance", "latest")
	if err != nil {
		return fmt.Errorf("read sender balances: %w", err)
	}
	half := new(big.Int).Div(fundWei, big.NewInt(2))
	for i, a := range t.addrs {
		if balances[i].ToInt().Cmp(half) >= 0 {
			continue
		}
		tx, err := t.sign(funder, n, &a, fundWei, nil, 21_000)
		if err != nil {
			return err
		}
		txs, n = append(txs, tx), n+1
	}
	if t.token != nil {
		probe, err := t.token.ABI.Pack("transfer", t.addrs[0], tokenGrant)
		if err != nil {
			return err
		}
		gas, err := t.estimateGas(ctx, map[string]any{"from": from, "to": t.tokenAddr, "data": hexutil.Bytes(probe)}, 4, 3)
		if err != nil {
			return fmt.Errorf("estimate a token grant: %w", err)
		}
		for _, a := range t.addrs {
			data, err := t.token.ABI.Pack("transfer", a, tokenGrant)
			if err != nil {
				return err
			}
			tx, err := t.sign(funder, n, &t.tokenAddr, new(big.Int), data, gas)
			if err != nil {
				return err
			}
			txs, n = append(txs, tx), n+1
		}
	}
	if len(txs) > 0 {
		fmt.Fprintf(log, "%s: funding senders with %d transactions\n", "bench", len(txs))
	}
	return t.submitAndWait(ctx, from, txs)
}

// submitAndWait sends one account's transactions in windows of 32 and waits
// for each window to commit.
func (t *ethTarget) submitAndWait(ctx context.Context, from common.Address, txs []*types.Transaction) error {
	for len(txs) > 0 {
		chunk := txs[:min(32, len(txs))]
		txs = txs[len(chunk):]
		raws := make([][]byte, len(chunk))
		for i, tx := range chunk {
			raws[i], _ = tx.MarshalBinary()
		}
		errs, err := t.Send(ctx, raws)
		if err != nil {
			return err
		}
		if err := cmp.Or(errs...); err != nil {
			return err
		}
		want := chunk[len(chunk)-1].Nonce() + 1
		deadline := time.Now().Add(2 * time.Minute)
		for {
			var got hexutil.Uint64
			if err := t.rpc.CallContext(ctx, &got, "eth_getTransactionCount", from, "latest"); err != nil {
				return err
			}
			if uint64(got) >= want {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("setup transactions of %s not committed within 2 minutes (nonce %d of %d)", from, got, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nil
}

// batch runs a JSON-RPC batch and returns the first item error.
func (t *ethTarget) batch(ctx context.Context, elems []gethrpc.BatchElem) error {
	if err := t.rpc.BatchCallContext(ctx, elems); err != nil {
		return err
	}
	for _, e := range elems {
		if e.Error != nil {
			return e.Error
		}
	}
	return nil
}

// perSender asks one method of every sender's address, at a block tag, in
// one batch.
func perSender[T any](ctx context.Context, t *ethTarget, method, tag string) ([]T, error) {
	out := make([]T, len(t.addrs))
	elems := make([]gethrpc.BatchElem, len(t.addrs))
	for i, a := range t.addrs {
		elems[i] = gethrpc.BatchElem{Method: method, Args: []any{a, tag}, Result: &out[i]}
	}
	return out, t.batch(ctx, elems)
}

func (t *ethTarget) loadNonces(ctx context.Context) error {
	nonces, err := perSender[hexutil.Uint64](ctx, t, "eth_getTransactionCount", "pending")
	if err != nil {
		return fmt.Errorf("read sender nonces: %w", err)
	}
	t.nonces = make([]uint64, len(nonces))
	for i, n := range nonces {
		t.nonces[i] = uint64(n)
	}
	return nil
}

// estimateGas asks the node for the gas of a call and adds a margin of
// num/den (the gas of the same call varies with the state it finds).
func (t *ethTarget) estimateGas(ctx context.Context, call map[string]any, num, den uint64) (uint64, error) {
	var gas hexutil.Uint64
	if err := t.rpc.CallContext(ctx, &gas, "eth_estimateGas", call); err != nil {
		return 0, err
	}
	return uint64(gas) * num / den, nil
}

// estimate asks the node for the gas of an ERC-20 transfer and a deployment,
// with a margin.
func (t *ethTarget) estimate(ctx context.Context) error {
	data, err := t.token.ABI.Pack("transfer", t.addrs[len(t.addrs)-1], big.NewInt(1))
	if err != nil {
		return err
	}
	call := map[string]any{"from": t.addrs[0], "to": t.tokenAddr, "data": hexutil.Bytes(data)}
	if t.erc20Gas, err = t.estimateGas(ctx, call, 5, 4); err != nil {
		return fmt.Errorf("estimate an ERC-20 transfer: %w", err)
	}
	call = map[string]any{"from": t.addrs[0], "data": hexutil.Bytes(t.deployData)}
	if t.deployGas, err = t.estimateGas(ctx, call, 6, 5); err != nil {
		return fmt.Errorf("estimate a deployment: %w", err)
	}
	return nil
}

// kind picks the transaction kind of a sender's nonce for the workload.
func (t *ethTarget) kind(nonce uint64) string {
	if t.workload != "mixed" {
		return t.workload
	}
	switch nonce % 10 {
	case 0:
		return "deploy"
	case 1, 2, 3:
		return "erc20"
	}
	return "transfer"
}

// Presign signs perSender transactions of every sender, on all cores.
func (t *ethTarget) Presign(ctx context.Context, perSender int, log io.Writer) error {
	start := time.Now()
	t.presigned, t.base = make([][]built, len(t.keys)), slices.Clone(t.nonces)
	var (
		wg    sync.WaitGroup
		next  atomic.Int64
		errMu sync.Mutex
		first error
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := int(next.Add(1) - 1); a < len(t.keys) && ctx.Err() == nil; a = int(next.Add(1) - 1) {
				txs := make([]built, perSender)
				for i := range txs {
					b, err := t.sign1(a, t.base[a]+uint64(i))
					if err != nil {
						errMu.Lock()
						first = cmp.Or(first, err)
						errMu.Unlock()
						return
					}
					txs[i] = b
				}
				t.presigned[a] = txs
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	fmt.Fprintf(log, "bench: presigned %d transactions in %v\n", perSender*len(t.keys), time.Since(start).Round(time.Millisecond))
	return ctx.Err()
}

// Build returns the next transaction of sender a, presigned or signed now.
// Its content depends only on (a, nonce), so a resend after a rewind is the
// same transaction.
func (t *ethTarget) Build(a int) (built, error) {
	nonce := t.nonces[a]
	if t.presigned != nil && nonce >= t.base[a] && nonce-t.base[a] < uint64(len(t.presigned[a])) {
		t.nonces[a]++
		return t.presigned[a][nonce-t.base[a]], nil
	}
	b, err := t.sign1(a, nonce)
	if err == nil {
		t.nonces[a]++
	}
	return b, err
}

// sign1 signs sender a's transaction of the given nonce.
func (t *ethTarget) sign1(a int, nonce uint64) (built, error) {
	to := t.addrs[(a+1)%len(t.addrs)]
	var (
		tx  *types.Transaction
		err error
	)
	switch t.kind(nonce) {
	case "transfer":
		tx, err = t.sign(t.keys[a], nonce, &to, big.NewInt(1), nil, t.transferGas)
	case "erc20":
		data, perr := t.token.ABI.Pack("transfer", to, big.NewInt(1))
		if perr != nil {
			return built{}, perr
		}
		tx, err = t.sign(t.keys[a], nonce, &t.tokenAddr, new(big.Int), data, t.erc20Gas)
	case "deploy":
		tx, err = t.sign(t.keys[a], nonce, nil, new(big.Int), t.deployData, t.deployGas)
	}
	if err != nil {
		return built{}, err
	}
	raw, err := tx.MarshalBinary()
	if err != nil {
		return built{}, err
	}
	return built{id: txID(tx.Hash()), raw: raw, nonce: nonce}, nil
}

func (t *ethTarget) Rewind(a int, nonce uint64) {
	if nonce < t.nonces[a] {
		t.nonces[a] = nonce
	}
}

func (t *ethTarget) Send(ctx context.Context, raws [][]byte) ([]error, error) {
	elems := make([]gethrpc.BatchElem, len(raws))
	for i, raw := range raws {
		elems[i] = gethrpc.BatchElem{Method: "eth_sendRawTransaction", Args: []any{hexutil.Bytes(raw)}, Result: new(common.Hash)}
	}
	if err := t.rpc.BatchCallContext(ctx, elems); err != nil {
		return nil, err
	}
	errs := make([]error, len(raws))
	for i, e := range elems {
		errs[i] = e.Error
	}
	return errs, nil
}

func (t *ethTarget) Head(ctx context.Context) (uint64, error) {
	var n hexutil.Uint64
	err := t.rpc.CallContext(ctx, &n, "eth_blockNumber")
	return uint64(n), err
}

func (t *ethTarget) BlockTxs(ctx context.Context, height uint64) ([]txID, error) {
	var block *struct {
		Transactions []common.Hash `json:"transactions"`
	}
	if err := t.rpc.CallContext(ctx, &block, "eth_getBlockByNumber", hexutil.Uint64(height), false); err != nil {
		return nil, err
	}
	if block == nil {
		return nil, errors.New("block not found")
	}
	ids := make([]txID, len(block.Transactions))
	for i, h := range block.Transactions {
		ids[i] = txID(h)
	}
	return ids, nil
}

func trim0x(s string) string {
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		return s[2:]
	}
	return s
}

// Pending returns how many transactions wait in the node's pool that can run
// next (txpool_status, as geth and chuxin answer it); ok is false where the
// node does not offer that method. Queued transactions, behind a nonce gap,
// are left out: they cannot run, so they do not delay a run's own.
func (t *ethTarget) Pending(ctx context.Context) (n int, ok bool, err error) {
	var st struct {
		Pending hexutil.Uint `json:"pending"`
	}
	if err := t.rpc.CallContext(ctx, &st, "txpool_status"); err != nil {
		var rpcErr gethrpc.Error
		if errors.As(err, &rpcErr) && rpcErr.ErrorCode() == -32601 { // method not found
			return 0, false, nil
		}
		return 0, false, fmt.Errorf("txpool_status: %w", err)
	}
	return int(st.Pending), true, nil
}
