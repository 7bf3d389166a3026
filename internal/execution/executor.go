package execution

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/trie"

	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// BlockInput is what consensus decided for one height: everything the state
// transition may depend on, and nothing else.
type BlockInput struct {
	Parent     *types.Header  // the Ethereum header of the previous height
	Time       uint64         // block time in seconds, from the consensus header
	Coinbase   common.Address // the proposer's fee recipient, receiver of priority fees
	Random     common.Hash    // PREVRANDAO: the consensus block hash
	BeaconRoot common.Hash    // EIP-4788 root: the previous consensus block hash
	Extra      []byte         // header extra data (at most 32 bytes)
	Payloads   []Payload      // system payloads, applied before the transactions
	Txs        [][]byte       // raw Ethereum transactions, in block order
	// Misbehavior is the evidence consensus reports in this block, handed
	// to the Consortium contract before the transactions.
	Misbehavior []Misbehavior
}

// Misbehavior is evidence against a validator, as CometBFT reports it.
type Misbehavior struct {
	Address [20]byte // the validator's CometBFT address
	Height  uint64   // where it misbehaved
	Kind    uint8    // MisbehaviorDuplicateVote or MisbehaviorLightClientAttack
}

// The kinds of misbehaviour.
const (
	MisbehaviorDuplicateVote     = 1
	MisbehaviorLightClientAttack = 2
)

// TxOutcome says what became of one raw transaction of a block.
type TxOutcome struct {
	Hash  common.Hash
	Index int   // position in the Ethereum block, or -1 if not included
	Err   error // why it was not included
}

// Result is an executed block: the sealed Ethereum block, its receipts (with
// block hash filled in), the fate of every raw transaction and what the
// block asks of consensus.
type Result struct {
	Block    *types.Block
	Receipts types.Receipts
	Outcomes []TxOutcome
	Updates  Updates
	// Indexed are the block's entries in the node's index (System.Index).
	Indexed []Indexed
	// Failures are the block's system calls that failed (System.Fail), in
	// order: the block went on without what they would have done.
	Failures []error
	// SystemLogs are the logs the block's system calls emitted, in order.
	SystemLogs SystemLogs
	// SystemLogsRoot is their root (SystemLogsRoot), which the AppHash
	// covers from rule version genesis.VersionSystemLogs; nil before it.
	SystemLogsRoot *common.Hash
}

// AppHash returns what the validators sign for this block (see AppHash).
func (r *Result) AppHash() []byte { return AppHash(r.Block.Header(), r.SystemLogsRoot) }

// TxCache remembers transactions decoded and checked earlier (at mempool
// admission), with their senders, by their raw bytes. It must only hold
// transactions that DecodeTx accepted and whose sender was recovered.
type TxCache interface {
	Lookup(raw []byte) (*types.Transaction, common.Address, bool)
}

// Executor applies blocks. It is safe for concurrent use: it holds only the
// chain's rules and the hooks given to it before its first block.
type Executor struct {
	Rules       *genesis.Rules
	Config      *params.ChainConfig
	Signer      types.Signer
	Unprotected bool // admit legacy transactions without EIP-155
	// UnprotectedTxs are the pre-EIP-155 transactions admitted anyway, by
	// hash (the genesis's rules.unprotectedTxs).
	UnprotectedTxs map[common.Hash]bool
	Cache          TxCache // transactions decoded at admission (optional)

	Hooks    []Hook                         // system-call hooks, run in this order
	Payloads map[PayloadType]PayloadHandler // the payload types a block may carry
	// Precompiled are the modules' precompiled contracts, each from its
	// rule version on (BasePrecompiles).
	Precompiled []Precompile
	// Admission are the modules' parts of the admission rule, applied in
	// this order after the core's (Admit).
	Admission []AdmissionRule

	// SystemCode returns the system contracts' code under a rule version
	// (genesis.Genesis.SystemCode), installed where a version takes effect.
	SystemCode func(version uint64) (map[common.Address][]byte, error)
	// ModuleAccounts returns the accounts of the modules that a rule
	// version activates on a chain coming from an earlier one
	// (genesis.Genesis.ModuleAccounts), made where that version takes
	// effect.
	ModuleAccounts func(prev, version uint64) (types.GenesisAlloc, error)

	// GenesisCode are the addresses that hold code at genesis
	// (genesis.CodeAddresses): what they create on a permissioned network
	// needs a deployer's transaction (creationGuard).
	GenesisCode map[common.Address]bool

	frozen atomic.Pointer[frozenSnapshot] // the frozen set, between blocks
}

// Extensions are what a chain's modules add to its executor: system-call
// hooks, run after the core's, in order (module.Set.Hooks); the payload
// handlers of this node's consensus parts (module.Set.ConsensusParts);
// precompiled contracts (module.Set.Precompiles); and parts of the
// admission rule (module.Set.Admission).
type Extensions struct {
	Hooks       []Hook
	Payloads    map[PayloadType]PayloadHandler
	Precompiles []Precompile
	Admission   []AdmissionRule
}

// NewExecutor returns the executor of the chain that g describes, with
// its modules' extensions.
func NewExecutor(g *genesis.Genesis, ext Extensions) *Executor {
	cfg := g.Rules.Ethereum
	return &Executor{
		Rules:       &g.Rules,
		Config:      cfg,
		Signer:      types.LatestSigner(cfg),
		Unprotected: g.Rules.AllowUnprotectedTxs,
		UnprotectedTxs: func() map[common.Hash]bool {
			m := map[common.Hash]bool{}
			for _, h := range g.Rules.UnprotectedTxs {
				m[h] = true
			}
			return m
		}(),
		Hooks:          append([]Hook{consortiumHook{}}, ext.Hooks...),
		Payloads:       ext.Payloads,
		Precompiled:    ext.Precompiles,
		Admission:      ext.Admission,
		GenesisCode:    g.CodeAddresses(),
		SystemCode:     g.SystemCode,
		ModuleAccounts: g.ModuleAccounts,
	}
}

// Header returns the header of the block that in describes, with the gas
// limit and base fee the consortium set in the parent's state, before
// execution fills in the roots, bloom and gas used.
func (e *Executor) Header(parent system.State, in *BlockInput) *types.Header {
	limits := system.LimitsOf(parent)
	beaconRoot := in.BeaconRoot
	zero := uint64(0)
	return &types.Header{
		ParentHash:       in.Parent.Hash(),
		UncleHash:        types.EmptyUncleHash,
		Coinbase:         in.Coinbase,
		Difficulty:       new(big.Int),
		Number:           new(big.Int).Add(in.Parent.Number, common.Big1),
		GasLimit:         limits.GasLimit,
		Time:             in.Time,
		Extra:            in.Extra,
		MixDigest:        in.Random,
		BaseFee:          limits.BaseFee,
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
	if IsPayload(raw) {
		return nil, fmt.Errorf("%w: a system payload, which only a proposer puts into a block", ErrDecode)
	}
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecode, err)
	}
	if tx.Type() == types.BlobTxType {
		return nil, ErrBlobTx
	}
	if !tx.Protected() {
		if !e.Unprotected && !e.UnprotectedTxs[tx.Hash()] {
			return nil, fmt.Errorf("%w: transaction %s is not among the genesis's rules.unprotectedTxs", ErrUnprotected, tx.Hash())
		}
	} else if tx.ChainId().Cmp(e.Config.ChainID) != 0 {
		return nil, fmt.Errorf("%w: signed for chain %v, this chain is %v", ErrChainID, tx.ChainId(), e.Config.ChainID)
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

// CheckPayloads says whether a proposal may carry these payloads: each of a
// type this chain knows, and accepted by that type's check.
func (e *Executor) CheckPayloads(payloads []Payload) error {
	for i, p := range payloads {
		h, ok := e.Payloads[p.Type]
		if !ok {
			return fmt.Errorf("%w: payload %d has type %d, which this chain does not know", ErrPayload, i, p.Type)
		}
		if err := h.Check(p.Data); err != nil {
			return fmt.Errorf("%w: payload %d (type %d): %v", ErrPayload, i, p.Type, err)
		}
	}
	return nil
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
// and returns the sealed block. In order: the payloads, the pre-block
// hooks, the transactions, the post-block hooks.
//
// It refuses (ErrUnknownRules) a height whose rule version this binary does
// not know, and returns an error when a payload or hook fails: both halt
// the chain on every node alike rather than let nodes diverge.
func (e *Executor) Execute(statedb *state.StateDB, chain core.ChainContext, in *BlockInput) (*Result, error) {
	// Governance schedules rule versions too, in the parent's state.
	number := in.Parent.Number.Uint64() + 1
	for _, u := range system.Upgrades(statedb) {
		if u.Height <= number && u.Version > genesis.KnownRuleVersion {
			return nil, genesis.UnknownVersion(number, u.Version)
		}
	}
	header, sys, err := e.begin(statedb, chain, in)
	if err != nil {
		return nil, err
	}
	defer sys.evm.Release()
	txs, receipts, outcomes := e.applyTxs(sys, header, in.Txs, nil)
	res := &Result{Outcomes: outcomes}
	sys.phase = PhasePostBlock
	for i, h := range e.Hooks {
		if err := h.PostBlock(sys, in, &res.Updates); err != nil {
			return nil, fmt.Errorf("block %d: post-block hook %d: %w", header.Number, i, err)
		}
	}

	// CometBFT reaps the mempool for a proposal up to its block gas bound,
	// in arrival order, so transactions that declare much gas would keep
	// all others from the proposer. From rule version 2 that bound is
	// off (-1) and the proposer applies the gas limit itself, taking each
	// sender's transactions in turn; before, a changed gas limit reaches
	// CometBFT as its bound.
	switch next := system.LimitsOf(statedb); {
	case sys.entered && sys.version >= genesis.VersionGuards:
		res.Updates.Params = &ParamUpdates{Block: &BlockParams{MaxBytes: genesis.MaxBlockBytes, MaxGas: -1}}
	case sys.version < genesis.VersionGuards && next.GasLimit != header.GasLimit:
		res.Updates.Params = &ParamUpdates{Block: &BlockParams{MaxBytes: genesis.MaxBlockBytes, MaxGas: int64(next.GasLimit)}}
	}

	res.Indexed, res.Failures, res.SystemLogs = sys.indexed, sys.failed, sys.logs
	if sys.version >= genesis.VersionSystemLogs {
		root := SystemLogsRoot(res.SystemLogs)
		res.SystemLogsRoot = &root
	}

	root, err := statedb.Commit(sys.rules, header.Number.Uint64())
	if err != nil {
		return nil, fmt.Errorf("commit state of block %d: %w", header.Number, err)
	}
	header.Root = root
	res.Block = types.NewBlock(header, &types.Body{Transactions: txs, Withdrawals: types.Withdrawals{}}, receipts, trie.NewStackTrie(nil))
	hash := res.Block.Hash()
	// A log's index counts the block's transaction logs from 0, as a
	// stored receipt's derived fields do; the state's count of logs also
	// took the system calls' before the transactions.
	index := uint(0)
	for _, r := range receipts {
		r.BlockHash = hash
		for _, l := range r.Logs {
			l.BlockHash, l.Index = hash, index
			index++
		}
	}
	res.Receipts = receipts
	return res, nil
}

// VersionAt returns the chuxin rule version in force at block number, on
// the state st before that block: the genesis's schedule, or a newer
// version that governance scheduled at or below number. Block 0, the
// genesis, is under the version of block 1, whose code it holds.
func (e *Executor) VersionAt(st system.State, number uint64) uint64 {
	number = max(number, 1)
	v := e.Rules.VersionAt(number)
	for _, u := range system.Upgrades(st) {
		if u.Height <= number && u.Version > v {
			v = u.Version
		}
	}
	return v
}

// installSystemCode gives the system contracts the code of rule version
// (Executor.SystemCode) on the block where it takes effect: their storage
// stays (each version's layout extends the one before's), and a contract
// new in that version (ConsortiumViews in version 2) is created. Where the
// code is that version's already it changes nothing. The modules that the
// version activates, coming from prev, get their contracts made, with the
// storage their constructors wrote (installModules).
func (e *Executor) installSystemCode(statedb *state.StateDB, prev, version uint64) error {
	if err := e.installModules(statedb, prev, version); err != nil {
		return err
	}
	if e.SystemCode == nil {
		return nil
	}
	code, err := e.SystemCode(version)
	if err != nil {
		return fmt.Errorf("%w: the system contracts' code of rule version %d: %v", ErrSystemCall, version, err)
	}
	addrs := slices.SortedFunc(maps.Keys(code), common.Address.Cmp)
	// Version 1 let a regulator freeze any address but the Consortium's,
	// an empty one where a later version installs a part of the Consortium
	// among them: from the split on, the freeze of an address that gets
	// system code is lifted as the code is installed, or governance would
	// call a stand-in that reverts (later versions freeze no system
	// contract).
	if prev < genesis.VersionSplit && version >= genesis.VersionSplit {
		for _, a := range addrs {
			if a != system.ConsortiumAddress {
				system.LiftFreeze(statedb, a)
			}
		}
	}
	for _, a := range addrs {
		if statedb.GetCodeHash(a) == crypto.Keccak256Hash(code[a]) {
			continue
		}
		statedb.SetCode(a, code[a], tracing.CodeChangeUnspecified)
		if statedb.GetNonce(a) == 0 {
			statedb.SetNonce(a, 1, tracing.NonceChangeNewContract)
		}
	}
	// Version 2's proposals need room to dry-run their actions: a chain
	// whose gas limit is below the floor (version 1 allowed 21,000) gets
	// the floor from the next block, or no proposal could raise it.
	if version >= genesis.VersionGuards && system.LimitsOf(statedb).GasLimit < genesis.MinGasLimit {
		statedb.SetState(system.ConsortiumAddress, system.GasLimitSlot(), common.BigToHash(new(big.Int).SetUint64(genesis.MinGasLimit)))
	}
	return nil
}

// installModules makes the contracts of the modules that rule version
// activates on a chain coming from prev, as their genesis accounts would
// have been: code, nonce and the storage their constructors wrote.
func (e *Executor) installModules(statedb *state.StateDB, prev, version uint64) error {
	if e.ModuleAccounts == nil {
		return nil
	}
	accounts, err := e.ModuleAccounts(prev, version)
	if err != nil {
		return fmt.Errorf("%w: the modules of rule version %d: %v", ErrSystemCall, version, err)
	}
	for _, a := range slices.SortedFunc(maps.Keys(accounts), common.Address.Cmp) {
		acc := accounts[a]
		statedb.SetCode(a, acc.Code, tracing.CodeChangeUnspecified)
		statedb.SetNonce(a, max(acc.Nonce, 1), tracing.NonceChangeNewContract)
		for _, slot := range slices.SortedFunc(maps.Keys(acc.Storage), common.Hash.Cmp) {
			statedb.SetState(a, slot, acc.Storage[slot])
		}
	}
	return nil
}

// begin makes the header of the block that in describes and the System
// (with the block's EVM) over statedb, and applies the block's payloads and
// pre-block hooks. The caller releases the EVM.
func (e *Executor) begin(statedb *state.StateDB, chain core.ChainContext, in *BlockInput) (*types.Header, *System, error) {
	header := e.Header(statedb, in)
	number := header.Number.Uint64()
	if err := e.Rules.Check(number); err != nil {
		return nil, nil, err
	}
	version := e.VersionAt(statedb, number)
	prev := e.VersionAt(statedb, number-1)
	entered := number > 1 && prev != version
	if entered {
		if err := e.installSystemCode(statedb, prev, version); err != nil {
			return nil, nil, err
		}
	}
	coinbase := header.Coinbase
	blockCtx := core.NewEVMBlockContext(header, chain, &coinbase)
	var evm *vm.EVM
	if version >= genesis.VersionGuards {
		guard := newCreationGuard(statedb, statedb, e.GenesisCode)
		evm = vm.NewEVM(blockCtx, guard, e.Config, vm.Config{})
		guard.evm = evm
	} else {
		evm = vm.NewEVM(blockCtx, statedb, e.Config, vm.Config{})
	}
	base := e.BasePrecompiles(evm.GetRules(), version)
	evm.SetPrecompiles(base)
	sys := &System{evm: evm, statedb: statedb, rules: evm.GetRules(), version: version, entered: entered, base: base}
	if err := e.applyPayloads(sys, in.Payloads); err != nil {
		evm.Release()
		return nil, nil, fmt.Errorf("block %d: %w", header.Number, err)
	}
	sys.phase = PhasePreBlock
	for i, h := range e.Hooks {
		if err := h.PreBlock(sys, in); err != nil {
			evm.Release()
			return nil, nil, fmt.Errorf("block %d: pre-block hook %d: %w", header.Number, i, err)
		}
	}
	return header, sys, nil
}

func (e *Executor) applyPayloads(sys *System, payloads []Payload) error {
	if err := e.CheckPayloads(payloads); err != nil {
		return err // ProcessProposal refuses these: a broken invariant
	}
	sys.phase = PhasePayload
	for i, p := range payloads {
		if err := e.Payloads[p.Type].Apply(sys, p.Data); err != nil {
			return fmt.Errorf("payload %d (type %d): %w", i, p.Type, err)
		}
	}
	return nil
}

// applyTxs runs the block's transactions in order, skipping each that the
// admission rule or the EVM refuses.
//
// A replay (nil when executing a block) stops before the transaction of
// the Ethereum block at its stop index and runs the transactions it traces
// in EVMs of their own, under their tracers' hooks.
func (e *Executor) applyTxs(sys *System, header *types.Header, raws [][]byte, rp *replay) (types.Transactions, types.Receipts, []TxOutcome) {
	var (
		evm, statedb, version = sys.evm, sys.statedb, sys.version
		gp                    = core.NewGasPool(header.GasLimit)
		txs                   = make(types.Transactions, 0, len(raws))
		receipts              = make(types.Receipts, 0, len(raws))
		outcomes              = make([]TxOutcome, len(raws))
		at                    = At{Number: header.Number.Uint64(), Time: header.Time, Limits: system.Limits{GasLimit: header.GasLimit, BaseFee: header.BaseFee}}
		guard                 = newFrozenGuard(sys.base, &e.frozen)
		prevLogs              []*types.Log
	)
	if rp != nil {
		guard.shared = nil // a replay of an old block: its own
		rp.version = version
	}
	for i, d := range e.decodeAll(raws) {
		if rp != nil && rp.stop >= 0 && len(txs) == rp.stop {
			break
		}
		outcomes[i].Index = -1
		if d.tx == nil {
			outcomes[i].Hash = crypto.Keccak256Hash(raws[i])
			outcomes[i].Err = d.err
			continue
		}
		outcomes[i].Hash = d.tx.Hash()
		if d.err != nil {
			outcomes[i].Err = d.err
			continue
		}
		guard.refresh(evm, statedb, prevLogs)
		prevLogs = nil
		if err := e.admit(statedb, d.tx, d.from, at, 0, version, guard.isFrozen()); err != nil {
			outcomes[i].Err = err
			continue
		}
		txEVM := evm
		if rp != nil {
			txEVM = rp.evm(evm, statedb, len(txs), d.tx)
		}
		receipt, err := e.applyTx(txEVM, statedb, gp, header, d.tx, d.from, len(txs))
		if txEVM != evm {
			txEVM.Release()
		}
		if err != nil {
			outcomes[i].Err = err
			continue
		}
		outcomes[i].Index = len(txs)
		txs = append(txs, d.tx)
		receipts = append(receipts, receipt)
		prevLogs = receipt.Logs
	}
	guard.refresh(evm, statedb, prevLogs) // for the post-block hooks, and the next block
	guard.keep()
	header.GasUsed = gp.Used()
	return txs, receipts, outcomes
}

// applyTx runs one transaction. On a consensus error (nonce, balance, gas)
// the state and the gas pool are left exactly as they were.
func (e *Executor) applyTx(evm *vm.EVM, statedb *state.StateDB, gp *core.GasPool, header *types.Header, tx *types.Transaction, from common.Address, index int) (*types.Receipt, error) {
	if left := gp.Available(false); tx.Gas() > left {
		return nil, fmt.Errorf("%w: %d gas wanted, %d left", ErrBlockFull, tx.Gas(), left)
	}
	msg, err := e.message(tx, from, header.BaseFee)
	if err != nil {
		return nil, err
	}
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
// DecodeTx refuses every field known to fail here; should a go-ethereum
// change add another, the transaction is skipped, never the node halted.
func (e *Executor) message(tx *types.Transaction, from common.Address, baseFee *big.Int) (*core.Message, error) {
	msg, err := core.TransactionToMessage(tx, knownSender{from}, baseFee)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMessage, err)
	}
	return msg, nil
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
