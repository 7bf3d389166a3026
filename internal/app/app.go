// Package app is chuxin's ABCI 2.0 application: the adapter between CometBFT
// and the execution package. CometBFT decides the order of raw Ethereum
// transactions; this package admits them to the mempool (CheckTx), builds and
// checks proposals, executes decided blocks (FinalizeBlock) and makes them
// durable (Commit). The AppHash it returns is keccak256(stateRoot ‖
// receiptsRoot ‖ systemLogsRoot) of the executed Ethereum block, without
// the last before rule version 4 (execution.AppHash).
//
// Calls arrive on separate connections (consensus, mempool, query) that may
// run concurrently; each piece of mutable state says which connection owns
// it or which lock guards it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/internal/store"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// Version is the application version reported to CometBFT and in
// web3_clientVersion.
const Version = "0.1.0"

// Sentinel errors of the application.
var (
	// ErrHeight: consensus asked for a height that does not follow the store's head.
	ErrHeight = errors.New("block height does not follow the committed head")
	// ErrNoBlock: Commit was called without a finalized block.
	ErrNoBlock = errors.New("commit without a finalized block")
)

// CommitFunc is told of every block once it is durable.
type CommitFunc func(block *types.Block, receipts types.Receipts)

// App is the ABCI application of one node.
type App struct {
	abci.BaseApplication

	store   *store.Store
	genesis *genesis.Genesis
	exec    *execution.Executor
	pool    *TxPool
	txs     *TxCache
	log     *slog.Logger

	// owned by the consensus connection
	finalized     *execution.Result
	finalizedHash []byte

	// checkMu guards checkState, the committed state that CheckTx reads.
	checkMu    sync.Mutex
	checkState *state.StateDB
	checkHead  *types.Header
	// checkLimits are the next block's gas limit and base fee, read from
	// checkState once.
	checkLimits system.Limits

	onCommit []CommitFunc
	onAdmit  []AdmitFunc
	// parts are this node's modules' consensus parts; extender the one
	// that extends votes, if any; entries those with mempool entries.
	parts    []module.ConsensusPart
	extender module.VoteExtender
	entries  []module.MempoolEntries

	maxPerSender int      // set before the node starts
	observer     Observer // set before the node starts; nil: none

	peerFilter atomic.Pointer[PeerFilter] // read by the query connection
}

// Modules are what the application runs of the chain's modules: their
// system-call hooks (module.Set.Hooks), precompiled contracts
// (module.Set.Precompiles), parts of the admission rule
// (module.Set.Admission) and this node's consensus parts
// (module.Set.ConsensusParts), whose payload handlers the executor has
// from its construction.
type Modules struct {
	Hooks       []execution.Hook
	Precompiles []execution.Precompile
	Admission   []execution.AdmissionRule
	Parts       []module.ConsensusPart
}

// New returns the application over st for the chain that g describes,
// with its modules.
func New(st *store.Store, g *genesis.Genesis, log *slog.Logger, mods Modules) *App {
	ext := execution.Extensions{Hooks: mods.Hooks, Precompiles: mods.Precompiles, Admission: mods.Admission, Payloads: map[execution.PayloadType]execution.PayloadHandler{}}
	a := &App{store: st, genesis: g, pool: NewTxPool(), log: log, maxPerSender: DefaultMaxPerSender, parts: mods.Parts}
	for _, p := range mods.Parts {
		for t, h := range p.Payloads() {
			if _, taken := ext.Payloads[t]; taken {
				panic(fmt.Sprintf("app: two consensus parts handle payloads of type %d (module.Set.ConsensusParts refuses that)", t))
			}
			ext.Payloads[t] = h
		}
		if e, ok := p.(module.VoteExtender); ok {
			if a.extender != nil {
				panic("app: two consensus parts extend votes (module.Set.ConsensusParts refuses that)")
			}
			a.extender = e
		}
		if e, ok := p.(module.MempoolEntries); ok {
			a.entries = append(a.entries, e)
		}
	}
	a.exec = execution.NewExecutor(g, ext)
	a.txs = NewTxCache()
	a.exec.Cache = a.txs
	return a
}

// SetMaxPerSender bounds how many transactions one sender may have in the
// mempool (DefaultMaxPerSender unless set). Call it before the node starts.
func (a *App) SetMaxPerSender(n int) { a.maxPerSender = n }

// Executor returns the chain's executor (its rules and signer).
func (a *App) Executor() *execution.Executor { return a.exec }

// TxCache returns the cache of decoded transactions.
func (a *App) TxCache() *TxCache { return a.txs }

// Pool returns the mempool's view of pending transactions.
func (a *App) Pool() *TxPool { return a.pool }

// OnCommit registers f to be called after every durable block, on the
// consensus goroutine: f must not block.
func (a *App) OnCommit(f CommitFunc) { a.onCommit = append(a.onCommit, f) }

// AdmitFunc is told of each transaction the mempool admits (not of the
// rechecks after a block). It must not block.
type AdmitFunc func(tx *types.Transaction, from common.Address)

// OnAdmit registers f for every admission. Call it before the node starts.
func (a *App) OnAdmit(f AdmitFunc) { a.onAdmit = append(a.onAdmit, f) }

// Info tells CometBFT the last height this application has made durable, so
// the handshake replays exactly the blocks it is missing.
func (a *App) Info(context.Context, *abci.InfoRequest) (*abci.InfoResponse, error) {
	resp := &abci.InfoResponse{Data: "chuxin", Version: Version, AppVersion: 1}
	if head := a.store.Head(); head != nil && head.Number.Sign() > 0 {
		hash, err := a.appHash(head)
		if err != nil {
			return nil, err
		}
		resp.LastBlockHeight, resp.LastBlockAppHash = head.Number.Int64(), hash
	}
	return resp, nil
}

// InitChain checks that CometBFT's genesis agrees with the application's
// (the same validators, the same vote-extension height), writes the genesis
// state (idempotently: a crash before block 1 brings it here again) and
// returns the genesis AppHash.
func (a *App) InitChain(_ context.Context, req *abci.InitChainRequest) (*abci.InitChainResponse, error) {
	if req.InitialHeight > 1 {
		return nil, fmt.Errorf("initial_height %d: chuxin chains start at height 1", req.InitialHeight)
	}
	if err := a.checkConsensusGenesis(req); err != nil {
		return nil, err
	}
	block, err := a.store.InitGenesis(a.genesis)
	if err != nil {
		return nil, err
	}
	a.log.Info("genesis committed", "chain_id", a.genesis.ChainID, "state_root", block.Root(), "hash", block.Hash())
	// CometBFT hands proposers transactions up to its block gas bound,
	// whatever the consensus genesis says: none from rule version 2 (the
	// proposer applies the gas limit, each sender in turn; see
	// execution.Executor.Execute), the genesis gas limit before, following
	// the consortium's changes (FinalizeBlock's parameter updates).
	maxGas := int64(-1)
	if a.genesis.Rules.VersionAt(1) < genesis.VersionGuards {
		maxGas = int64(a.genesis.Rules.GasLimit)
	}
	params := paramUpdates(&execution.ParamUpdates{Block: &execution.BlockParams{MaxBytes: genesis.MaxBlockBytes, MaxGas: maxGas}})
	hash, err := a.appHash(block.Header())
	if err != nil {
		return nil, err
	}
	return &abci.InitChainResponse{AppHash: hash, ConsensusParams: params}, nil
}

// appHash returns the AppHash of the committed block h
// (execution.Executor.CommittedAppHash).
func (a *App) appHash(h *types.Header) ([]byte, error) {
	st, err := a.store.State(h.Root)
	if err != nil {
		return nil, fmt.Errorf("the AppHash of block %d: %w", h.Number, err)
	}
	hash, _, err := a.exec.CommittedAppHash(st, h, func() error { return a.store.ReadErr(st, h.Root) }, a.store.SystemLogs)
	if err != nil {
		return nil, fmt.Errorf("the AppHash of block %d: %w", h.Number, err)
	}
	return hash, nil
}

// checkConsensusGenesis refuses a CometBFT genesis whose validators or
// vote-extension height are not the ones the app_state names.
func (a *App) checkConsensusGenesis(req *abci.InitChainRequest) error {
	vals := make([]genesis.ConsensusValidator, len(req.Validators))
	for i, v := range req.Validators {
		vals[i] = genesis.ConsensusValidator{PubKey: v.PubKeyBytes, Power: v.Power}
	}
	if err := a.genesis.CheckValidators(vals); err != nil {
		return err
	}
	height := req.ConsensusParams.GetFeature().GetVoteExtensionsEnableHeight().GetValue()
	if height != a.genesis.Rules.VoteExtensionsHeight {
		return fmt.Errorf("%w: consensus_params.feature.vote_extensions_enable_height is %d, app_state rules.voteExtensionsHeight is %d; the two must agree", genesis.ErrInvalid, height, a.genesis.Rules.VoteExtensionsHeight)
	}
	return nil
}

// ExtendVote extends this validator's precommit by the part that extends
// votes, if the chain has one (the beacon: its partial epoch keys for the
// rounds whose time the block has reached).
func (a *App) ExtendVote(_ context.Context, req *abci.ExtendVoteRequest) (*abci.ExtendVoteResponse, error) {
	if a.extender == nil {
		return &abci.ExtendVoteResponse{}, nil
	}
	ext, err := a.extender.Extend(req.Time, req.Txs)
	if err != nil {
		// CometBFT halts on an ExtendVote error: vote without the
		// extension, which the next blocks' extensions make up for.
		a.log.Error("no vote extension in this vote", "height", req.Height, "err", err)
		return &abci.ExtendVoteResponse{}, nil
	}
	return &abci.ExtendVoteResponse{VoteExtension: ext}, nil
}

// VerifyVoteExtension refuses only malformed extensions (see
// module.VoteExtender): it sees no time, and a refusal discards the whole
// precommit. Without a part that extends votes, only an empty one is
// well formed.
func (a *App) VerifyVoteExtension(_ context.Context, req *abci.VerifyVoteExtensionRequest) (*abci.VerifyVoteExtensionResponse, error) {
	ok := len(req.VoteExtension) == 0
	if !ok && a.extender != nil {
		ok = a.extender.VerifyExtension(req.VoteExtension) == nil
	}
	if !ok {
		a.log.Warn("refusing a malformed vote extension", "height", req.Height, "validator", fmt.Sprintf("%X", req.ValidatorAddress))
		return &abci.VerifyVoteExtensionResponse{Status: abci.VERIFY_VOTE_EXTENSION_STATUS_REJECT}, nil
	}
	return &abci.VerifyVoteExtensionResponse{Status: abci.VERIFY_VOTE_EXTENSION_STATUS_ACCEPT}, nil
}
