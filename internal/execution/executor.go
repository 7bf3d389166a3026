package execution

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"runtime"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/trie"
)

// BlockInput is what consensus decided for one height: everything the state
// transition may depend on, and nothing else.
type BlockInput struct {
	Parent     *types.Header  // the Ethereum header of the previous height
	Time       uint64         // block time in seconds, from the consensus header
	Coinbase   common.Address // the proposer, receiver of priority fees
	Random     common.Hash    // PREVRANDAO: the consensus block hash
	BeaconRoot common.Hash    // EIP-4788 root: the previous consensus block hash
	Extra      []byte         // header extra data (at most 32 bytes)
	Txs        [][]byte       // raw transactions, in block order
}

// TxOutcome says what became of one raw transaction of a block.
type TxOutcome struct {
	Hash  common.Hash
	Index int   // position in the Ethereum block, or -1 if not included
	Err   error // why it was not included
}

// Result is an executed block: the sealed Ethereum block, its receipts (with
// block hash filled in) and the fate of every raw transaction.
type Result struct {
	Block    *types.Block
	Receipts types.Receipts
	Outcomes []TxOutcome
}

// TxCache remembers transactions decoded and checked earlier (at mempool
// admission), with their senders, by their raw bytes. It must only hold
// transactions that DecodeTx accepted and whose sender was recovered.
type TxCache interface {
	Lookup(raw []byte) (*types.Transaction, common.Address, bool)
}

// Executor applies blocks. It is safe for concurrent use: it holds only the
// chain's rules.
type Executor struct {
	Config      *params.ChainConfig
	Signer      types.Signer
	GasLimit    uint64
	BaseFee     *big.Int
	Unprotected bool    // admit legacy transactions without EIP-155
	Cache       TxCache // transactions decoded at admission (optional)
}

// NewExecutor returns the executor of the chain that g describes.
func NewExecutor(g *Genesis) *Executor {
	cfg := ChainConfig(g.ChainID)
	return &Executor{
		Config:      cfg,
		Signer:      types.LatestSigner(cfg),
		GasLimit:    g.GasLimit,
		BaseFee:     g.BaseFeeInt(),
		Unprotected: g.AllowUnprotectedTxs,
	}
}

// Header returns the header of the block that in describes, before execution
// fills in the roots, bloom and gas used.
func (e *Executor) Header(in *BlockInput) *types.Header {
	beaconRoot := in.BeaconRoot
	zero := uint64(0)
	return &types.Header{
		ParentHash:       in.Parent.Hash(),
		UncleHash:        types.EmptyUncleHash,
		Coinbase:         in.Coinbase,
		Difficulty:       new(big.Int),
		Number:           new(big.Int).Add(in.Parent.Number, common.Big1),
		GasLimit:         e.GasLimit,
		Time:             in.Time,
		Extra:            in.Extra,
		MixDigest:        in.Random,
		BaseFee:          new(big.Int).Set(e.BaseFee),
		WithdrawalsHash:  &types.EmptyWithdrawalsHash,
		BlobGasUsed:      &zero,
		ExcessBlobGas:    &zero,
		ParentBeaconRoot: &beaconRoot,
		RequestsHash:     &types.EmptyRequestsHash,
	}
}

// DecodeTx decodes one raw transaction and checks what can be checked
// without state: the encoding, the type, replay protection and chain id.
func (e *Executor) DecodeTx(raw []byte) (*types.Transaction, error) {
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecode, err)
	}
	if tx.Type() == types.BlobTxType {
		return nil, ErrBlobTx
	}
	if !tx.Protected() {
		if !e.Unprotected {
			return nil, ErrUnprotected
		}
	} else if tx.ChainId().Cmp(e.Config.ChainID) != 0 {
		return nil, fmt.Errorf("%w: signed for chain %v, this chain is %v", ErrChainID, tx.ChainId(), e.Config.ChainID)
	}
	if tx.Gas() > e.GasLimit {
		return nil, fmt.Errorf("%w: gas %d, block gas limit %d", ErrGasLimit, tx.Gas(), e.GasLimit)
	}
	// RLP admits integers of any size; the EVM does not. Refused here, no
	// later stage (CheckTx, proposals, execution) ever sees such a field.
	// A fixed order, so the error names the same field on every node.
	for _, f := range []struct {
		name string
		v    *big.Int
	}{{"maxFeePerGas", tx.GasFeeCap()}, {"maxPriorityFeePerGas", tx.GasTipCap()}, {"value", tx.Value()}} {
		if f.v.BitLen() > 256 {
			return nil, fmt.Errorf("%w: %s has %d bits", ErrTooLarge, f.name, f.v.BitLen())
		}
	}
	return tx, nil
}

// Sender recovers the sender of tx.
func (e *Executor) Sender(tx *types.Transaction) (common.Address, error) {
	signer := e.Signer
	if !tx.Protected() {
		signer = types.HomesteadSigner{}
	}
	from, err := types.Sender(signer, tx)
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: %v", ErrSignature, err)
	}
	return from, nil
}

// decoded is one raw transaction after decoding and sender recovery.
type decoded struct {
	tx   *types.Transaction
	from common.Address
	err  error
}

// decodeAll decodes the raw transactions and recovers their senders on all
// cores. Each slot is written by exactly one worker, so the result does not
// depend on goroutine order.
func (e *Executor) decodeAll(raws [][]byte) []decoded {
	out := make([]decoded, len(raws))
	workers := min(runtime.GOMAXPROCS(0), len(raws))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(raws); i += workers {
				d := &out[i]
				if e.Cache != nil {
					var ok bool
					if d.tx, d.from, ok = e.Cache.Lookup(raws[i]); ok {
						continue
					}
				}
				if d.tx, d.err = e.DecodeTx(raws[i]); d.err == nil {
					d.from, d.err = e.Sender(d.tx)
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// Execute applies in on top of statedb (the state of in.Parent), commits the
// resulting state into statedb's database (in memory; the store flushes it)
// and returns the sealed block.
func (e *Executor) Execute(statedb *state.StateDB, chain core.ChainContext, in *BlockInput) (*Result, error) {
	header := e.Header(in)
	coinbase := header.Coinbase
	blockCtx := core.NewEVMBlockContext(header, chain, &coinbase)
	evm := vm.NewEVM(blockCtx, statedb, e.Config, vm.Config{})
	defer evm.Release()

	var (
		gp       = core.NewGasPool(header.GasLimit)
		txs      = make(types.Transactions, 0, len(in.Txs))
		receipts = make(types.Receipts, 0, len(in.Txs))
		outcomes = make([]TxOutcome, len(in.Txs))
	)
	for i, d := range e.decodeAll(in.Txs) {
		outcomes[i].Index = -1
		if d.tx == nil {
			outcomes[i].Hash = crypto.Keccak256Hash(in.Txs[i])
			outcomes[i].Err = d.err
			continue
		}
		outcomes[i].Hash = d.tx.Hash()
		if d.err != nil {
			outcomes[i].Err = d.err
			continue
		}
		receipt, err := e.applyTx(evm, statedb, gp, header, d.tx, d.from, len(txs))
		if err != nil {
			outcomes[i].Err = err
			continue
		}
		outcomes[i].Index = len(txs)
		txs = append(txs, d.tx)
		receipts = append(receipts, receipt)
	}
	header.GasUsed = gp.Used()

	rules := e.Config.Rules(header.Number, true, header.Time)
	root, err := statedb.Commit(rules, header.Number.Uint64())
	if err != nil {
		return nil, fmt.Errorf("commit state of block %d: %w", header.Number, err)
	}
	header.Root = root
	block := types.NewBlock(header, &types.Body{Transactions: txs, Withdrawals: types.Withdrawals{}}, receipts, trie.NewStackTrie(nil))
	hash := block.Hash()
	for _, r := range receipts {
		r.BlockHash = hash
		for _, l := range r.Logs {
			l.BlockHash = hash
		}
	}
	return &Result{Block: block, Receipts: receipts, Outcomes: outcomes}, nil
}

// applyTx runs one transaction. On a consensus error (nonce, balance, gas)
// the state and the gas pool are left exactly as they were.
func (e *Executor) applyTx(evm *vm.EVM, statedb *state.StateDB, gp *core.GasPool, header *types.Header, tx *types.Transaction, from common.Address, index int) (*types.Receipt, error) {
	if left := gp.Available(false); tx.Gas() > left {
		return nil, fmt.Errorf("%w: %d gas wanted, %d left", ErrBlockFull, tx.Gas(), left)
	}
	msg := e.message(tx, from)
	statedb.SetTxContext(tx.Hash(), index, uint32(index+1))
	snap, gpBefore := statedb.Snapshot(), gp.Snapshot()
	receipt, _, err := core.ApplyTransactionWithEVM(context.Background(), msg, gp, statedb, header.Number, common.Hash{}, header.Time, tx, evm)
	if err != nil {
		statedb.RevertToSnapshot(snap)
		gp.Set(gpBefore)
		return nil, err
	}
	return receipt, nil
}

// message converts a transaction whose sender is known into an EVM message,
// as core.TransactionToMessage does but without recovering the sender again.
func (e *Executor) message(tx *types.Transaction, from common.Address) *core.Message {
	msg, err := core.TransactionToMessage(tx, knownSender{from}, e.BaseFee)
	if err != nil {
		// Only fields beyond 256 bits fail here, and DecodeTx refuses them.
		panic(fmt.Sprintf("execution: message of decoded transaction %s: %v", tx.Hash(), err))
	}
	return msg
}

// knownSender is a types.Signer that returns a sender recovered earlier.
type knownSender struct{ from common.Address }

func (k knownSender) Sender(*types.Transaction) (common.Address, error) { return k.from, nil }
func (k knownSender) SignatureValues(*types.Transaction, []byte) (r, s, v *big.Int, err error) {
	return nil, nil, nil, errors.New("execution: knownSender cannot sign")
}
func (k knownSender) ChainID() *big.Int                      { return nil }
func (k knownSender) Hash(tx *types.Transaction) common.Hash { return common.Hash{} }
func (k knownSender) Equal(types.Signer) bool                { return false }
