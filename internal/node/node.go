package node

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/mempool"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/app"
	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/keys"
	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/internal/rpc"
	"github.com/chuxin-chain/chuxin/internal/store"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// Sentinel errors of the node.
var (
	// ErrAlreadyKnown: the transaction is already in the mempool.
	ErrAlreadyKnown = errors.New("already known")
	// ErrMempoolFull: the mempool has no room; retry after the next block.
	ErrMempoolFull = errors.New("txpool is full: retry after the next block")
	// ErrStopping: the node is stopping and takes no new peers.
	ErrStopping = errors.New("node is stopping")
	// ErrGenesisChanged: config/genesis.json is not the genesis whose hash
	// the configuration records.
	ErrGenesisChanged = errors.New("genesis file changed")
)

// Node is one running chuxin node.
type Node struct {
	Home    string
	Config  *config.Config
	Genesis *genesis.Genesis

	log   *slog.Logger
	store *store.Store
	app   *app.App
	cmt   *cmtnode.Node
	rpc   *rpc.Server

	pprof     *http.Server
	quit      chan struct{}   // closed by Stop
	syncDone  chan struct{}   // closed when the sync reporter returns
	stopping  atomic.Bool     // set by Stop before the consensus engine stops
	admission *admission      // which peers the consortium admitted
	beacon    module.Beacon   // the time capsules' beacon; nil: the chain has none
	runners   []module.Runner // the modules' consensus tasks
	cometRPC  net.Listener    // CometBFT's RPC, served by the node (nil: none)
	sightings peerSightings   // when each peer was last seen connected

	signStateRebuilt bool              // the validator's signing state was missing and made anew
	names            map[string]string // the genesis validators' names, by consensus address (upper-case hex)
	rotator          *rotator          // the consensus key, which a rotation replaces
	rekey            func()            // makes consensus read the key again (nil: cannot)
	rekeyed          uint64            // the key moves consensus has been made to read
	// nextValidators returns the validator set CometBFT signs the height
	// after the last committed one with (nil until consensus exists).
	nextValidators func() (*cmttypes.ValidatorSet, error)
	metrics        *metrics // nil unless metrics_addr is set
	stall          *stallWatch
	stallDone      chan struct{} // closed when the stall watch returns
	runnersDone    chan struct{} // closed when the modules' consensus tasks stop
	rotateDone     chan struct{} // closed when the rotation check stops
	modules        *module.Set   // the chain's modules
}

// Open loads a home, opens its database and performs the CometBFT handshake,
// which replays any blocks the application has not yet made durable. The
// chain runs the modules of mods (internal/modules.Set in the binary;
// every node of a chain runs the same). The node does not join the network
// until Start.
func Open(ctx context.Context, home string, log *slog.Logger, mods *module.Set) (*Node, error) {
	cfg, err := config.Load(home)
	if err != nil {
		return nil, err
	}
	genJSON, err := os.ReadFile(config.GenesisFile(home))
	if err != nil {
		return nil, fmt.Errorf("read genesis: %w", err)
	}
	genHash := sha256.Sum256(genJSON)
	if cfg.GenesisHash != "" && !strings.EqualFold(hex.EncodeToString(genHash[:]), cfg.GenesisHash) {
		return nil, fmt.Errorf("%w: %s has SHA-256 %x, but this node installed the genesis %s (genesis_hash in %s): restore the file the ceremony published",
			ErrGenesisChanged, config.GenesisFile(home), genHash, cfg.GenesisHash, config.File(home))
	}
	gen, err := cmttypes.GenesisDocFromJSON(genJSON)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", config.GenesisFile(home), err)
	}
	g, err := genesis.Parse(gen.AppState)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config.GenesisFile(home), err)
	}
	if err := g.UseModules(mods); err != nil {
		return nil, fmt.Errorf("%s: %w", config.GenesisFile(home), err)
	}
	log = log.With("node", cfg.Moniker)
	pv, rebuilt, err := loadSigner(home, log)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(filepath.Join(home, "data", "chuxin.db"), store.Options{CacheMB: cfg.DB.CacheMB, Archive: cfg.DB.Archive})
	if errors.Is(err, syscall.EAGAIN) || (err != nil && (strings.Contains(err.Error(), "resource temporarily unavailable") || strings.Contains(err.Error(), "lock held by current process"))) {
		return nil, fmt.Errorf("%w: another chuxin process is using the home %s; stop it first, or give this node its own home", err, home)
	}
	if err != nil {
		return nil, err
	}
	if from, to, ok := st.Rewound(); ok {
		log.Warn("the state of the last blocks was not written before the node stopped; consensus replays them", "head", from, "state_on_disk", to)
	}
	parts, err := mods.ConsensusParts(module.ConsensusContext{Genesis: g, Home: home, Index: st, Log: log})
	if err != nil {
		st.Close()
		return nil, err
	}
	n := &Node{Home: home, Config: cfg, Genesis: g, log: log, store: st, app: app.New(st, g, log, app.Modules{Hooks: mods.Hooks(), Precompiles: mods.Precompiles(), Admission: mods.Admission(), Parts: parts}), modules: mods, signStateRebuilt: rebuilt}
	for _, p := range parts {
		if b, ok := p.(module.Beacon); ok {
			n.beacon = b
		}
		if r, ok := p.(module.Runner); ok {
			n.runners = append(n.runners, r)
		}
	}
	n.admission = newAdmission(log, cfg.P2P.PersistentPeers, func() (system.State, error) {
		head := st.Head()
		if head == nil {
			return nil, app.ErrNotReady
		}
		return st.State(head.Root)
	}, func() bool { return n.cmt == nil || n.cmt.ConsensusReactor().WaitSync() })
	n.app.SetPeerFilter(n.admitPeer)
	n.app.SetMaxPerSender(cfg.Mempool.MaxPerSender)
	n.names = map[string]string{}
	for _, v := range gen.Validators {
		n.names[v.Address.String()] = v.Name
	}
	if cfg.MetricsAddr != "" {
		if n.metrics, err = claimMetrics(gen.ChainID, n.names); err != nil {
			st.Close()
			return nil, fmt.Errorf("%s: %w: set it on one node only", config.File(home), err)
		}
		n.app.SetObserver(n.metrics)
	}
	nk, err := p2p.LoadNodeKey(config.NodeKeyFile(home))
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("node key: %w", err)
	}
	cc := n.cometConfig()
	rot := &rotator{home: home, log: log, pv: pv}
	n.rotator = rot
	// A rotation that applied while the node was down moves the key before
	// the consensus engine is made: it decides from the key whether to
	// block-sync and which validator it is.
	if vs, err := savedNextValidators(cc); err == nil {
		if _, err := rot.maybeRotate(func(a []byte) (bool, error) { return vs.HasAddress(a), nil }); err != nil {
			log.Error("the next consensus key cannot take over; the current key keeps signing", "err", err)
		}
	}
	guard := &signGuard{PrivValidator: rot, network: n.networkHeight, alone: n.soleValidator(rot), log: log}
	n.cmt, err = cmtnode.NewNode(ctx, cc, guard, nk,
		clientCreator{app: n.app, warm: n.warm, workers: runtime.GOMAXPROCS(0)},
		func() (cmtnode.ChecksummedGenesisDoc, error) {
			return cmtnode.ChecksummedGenesisDoc{GenesisDoc: gen, Sha256Checksum: genHash[:]}, nil
		},
		cometDBProvider,
		cmtnode.DefaultMetricsProvider(cc.Instrumentation),
		cometLogger{log.With("module", "cometbft"), newCloseWatch(log, string(nk.ID()))},
	)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("start consensus engine: %w", err)
	}
	// The validator set CometBFT will use at the height after the last
	// committed one decides a rotation (the contract's set leads it by the
	// two blocks CometBFT takes to apply an update). A rotation that
	// passed while the node was down happens here, before consensus runs.
	env, err := n.cmt.ConfigureRPC()
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("consensus engine: %w", err)
	}
	states := env.StateStore
	n.nextValidators = func() (*cmttypes.ValidatorSet, error) { return states.LoadValidators(int64(n.Height()) + 1) }
	holds := func(address []byte) (bool, error) {
		vs, err := n.nextValidators()
		if err != nil {
			return false, err
		}
		return vs.HasAddress(address), nil
	}
	rot.holds.Store(&holds)
	// After a move outside consensus's own asking, consensus reads the key
	// again (it asks by itself after every block it commits).
	if s, ok := env.ConsensusState.(interface{ SetPrivValidator(cmttypes.PrivValidator) }); ok {
		n.rekey = func() { s.SetPrivValidator(n.cmt.PrivValidator()) }
	}
	n.checkRotation()
	return n, nil
}

// rotationEvery is how often the node checks, besides consensus's asking
// after each block, whether a rotation of its consensus key is due.
const rotationEvery = 2 * time.Second

// checkRotation moves to the next consensus key if its time has come (see
// rotator), and makes consensus read the key again after any move it has
// not read yet: one made here, or by another caller of GetPubKey while
// consensus did not ask (block sync, an RPC). Only Open and the rotation
// goroutine call it, one after the other.
func (n *Node) checkRotation() {
	n.rotator.check()
	if moves := n.rotator.moves.Load(); moves != n.rekeyed && n.rekey != nil {
		n.rekey()
		n.rekeyed = moves
	}
}

// cometConfig translates the node configuration into CometBFT's.
func (n *Node) cometConfig() *cmtcfg.Config {
	c := cmtcfg.DefaultConfig()
	c.SetRoot(n.Home)
	c.Moniker = n.Config.Moniker
	c.DBBackend = "pebbledb"
	c.P2P.ListenAddress = "tcp://" + n.Config.P2P.Listen
	c.P2P.ExternalAddress = n.Config.P2P.ExternalAddress
	c.P2P.PersistentPeers = n.Config.P2P.PersistentPeers
	c.P2P.AddrBookStrict = false
	c.P2P.AllowDuplicateIP = true
	c.FilterPeers = true // every connection asks admitPeer (through the application's Query)
	// The node serves CometBFT's RPC itself (startCometRPC).
	c.RPC.ListenAddress = ""
	c.Consensus.TimeoutPropose = time.Duration(n.Config.Consensus.TimeoutPropose)
	c.Consensus.TimeoutCommit = time.Duration(n.Config.Consensus.TimeoutCommit)
	c.Consensus.CreateEmptyBlocks = true
	if n.signStateRebuilt {
		c.Consensus.DoubleSignCheckHeight = rebuildCheckBlocks
	}
	c.Consensus.CreateEmptyBlocksInterval = time.Duration(n.Config.Consensus.EmptyBlockInterval)
	c.Mempool.Size = n.Config.Mempool.Size
	c.Mempool.CacheSize = n.Config.Mempool.CacheSize
	c.Mempool.MaxTxBytes = app.MaxTxSize
	c.Mempool.MaxTxsBytes = 1 << 30
	c.TxIndex.Indexer = "null"
	c.Instrumentation.Prometheus = n.Config.MetricsAddr != ""
	c.Instrumentation.PrometheusListenAddr = n.Config.MetricsAddr
	return c
}

// rebuildCheckBlocks is how many recent blocks a validator whose signing
// state was made anew checks for its own signature before it votes.
const rebuildCheckBlocks = 10

// loadSigner loads the node's consensus key and its signing state, which
// lives beside it in config/, so a home whose data/ was deleted to rebuild
// the node keeps it. A home that lost it (config/ restored from an old
// backup without it) has it made anew. An observer never signs; a validator with a new state
// could sign again at a height it already signed, so CometBFT first syncs
// the chain and then refuses to vote (and the node stops) if this key
// signed any of the last rebuildCheckBlocks blocks: the old process must
// have stopped at least that many blocks before.
func loadSigner(home string, log *slog.Logger) (*privval.FilePV, bool, error) {
	if _, err := os.Stat(config.ConsensusKeyFile(home)); err != nil {
		return nil, false, fmt.Errorf("consensus key: %w (every node has one; restore config/ from a backup of this home: chuxin restore, see What to back up in the README)", err)
	}
	if err := moveSignState(home); err != nil {
		return nil, false, err
	}
	pv, fresh, err := keys.LoadSigner(config.ConsensusKeyFile(home), config.SignStateFile(home))
	if err != nil {
		return nil, false, fmt.Errorf("consensus key: %w", err)
	}
	if !fresh {
		return pv, false, nil
	}
	pv.Save()
	log.Warn("the signing state was missing and is made anew: the node syncs the chain first, and a validator refuses to vote if its key signed one of the last blocks (stop any other process with this key)",
		"file", config.SignStateFile(home), "checked_blocks", rebuildCheckBlocks)
	return pv, true, nil
}

// moveSignState moves the signing state of a home made before it lived in
// config/ there, where deleting data/ to rebuild the node keeps it.
func moveSignState(home string) error {
	if _, err := os.Stat(config.SignStateFile(home)); !errors.Is(err, os.ErrNotExist) {
		return nil // moved already, or unreadable: loading it says which
	}
	old := config.LegacySignStateFile(home)
	b, err := os.ReadFile(old)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("signing state %s: %w", old, err)
	}
	if err := os.WriteFile(config.SignStateFile(home), b, 0o600); err != nil {
		return fmt.Errorf("move the signing state to config/: %w", err)
	}
	return os.Remove(old)
}

// Start joins the network and opens the JSON-RPC server.
func (n *Node) Start() error {
	b := &rpc.Backend{
		Store:   n.store,
		App:     n.app,
		Beacon:  n.beacon,
		Modules: n.modules,
		PoolTxs: func() [][]byte {
			txs := n.cmt.Mempool().ReapMaxTxs(-1)
			out := make([][]byte, len(txs))
			for i, tx := range txs {
				out[i] = tx
			}
			return out
		},
		Limits:   n.Config.RPC,
		Submit:   n.submit,
		Peers:    func() int { return n.cmt.Switch().Peers().Size() },
		PoolSize: func() int { return n.cmt.Mempool().Size() },
		Syncing:  n.syncing,
		Ready:    n.ready,
		Log:      n.log.With("module", "rpc"),

		ConsensusBlock: n.consensusBlock,
		Node: module.Node{
			ID:                string(n.cmt.NodeInfo().ID()),
			ValidatorNames:    n.names,
			ValidatorActivity: n.validatorActivity,
			BlockTimes:        n.blockTimes,
			PeersSeen:         n.peersSeen,
		},
	}
	b.ConsensusAddress = func() []byte { return n.rotator.current().Key.PubKey.Address() }
	if n.metrics != nil {
		b.Observe = n.metrics.rpc
		n.app.OnCommit(func(b *types.Block, _ types.Receipts) { n.metrics.height.Set(float64(b.NumberU64())) })
	}
	srv, err := rpc.NewServer(b)
	if err != nil {
		return err
	}
	n.rpc = srv
	n.stall = &stallWatch{n: n, stallAfter: n.stallAfter()}
	n.stall.committed()
	n.app.OnCommit(srv.Publish)
	n.app.OnAdmit(srv.PublishPending)
	n.app.OnCommit(n.logBlock)
	n.app.OnCommit(n.dropRevoked)
	n.app.OnCommit(n.notePeers)
	n.app.OnCommit(func(*types.Block, types.Receipts) { n.stall.committed() })
	if n.metrics != nil {
		if err := n.metrics.watch(n); err != nil {
			return err
		}
	}
	if err := n.checkPorts(); err != nil {
		return err
	}
	if err := n.cmt.Start(); err != nil {
		return fmt.Errorf("start consensus engine: %w", err)
	}
	if err := n.startCometRPC(); err != nil {
		_ = n.cmt.Stop()
		return fmt.Errorf("rpc.comet_addr = %s: %w", n.Config.RPC.CometAddr, err)
	}
	if err := srv.Start(n.Config.RPC.Addr); err != nil {
		n.closeCometRPC()
		_ = n.cmt.Stop()
		return err
	}
	if n.Config.PprofAddr != "" {
		if err := n.startPprof(); err != nil {
			return err
		}
	}
	n.quit, n.syncDone, n.stallDone, n.runnersDone, n.rotateDone = make(chan struct{}), make(chan struct{}), make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(n.rotateDone)
		tick := time.NewTicker(rotationEvery)
		defer tick.Stop()
		for {
			select {
			case <-n.quit:
				return
			case <-tick.C:
				n.checkRotation()
			}
		}
	}()
	go n.reportSync(5 * time.Second)
	go func() {
		defer close(n.stallDone)
		n.stall.run(n.quit)
	}()
	go n.run()
	head := n.store.Head()
	n.warnUpgrade(head.Number.Uint64(), true)
	role := "observer"
	if n.isValidator() {
		role = "validator"
	}
	n.log.Info("node started", "chain_id", n.Genesis.ChainID, "network", n.cmt.GenesisDoc().ChainID,
		"role", role, "height", head.Number, "state_root", head.Root, "peers", n.cmt.Switch().Peers().Size(),
		"version", app.Version, "commit", app.Build().ShortCommit())
	n.log.Info("listening", n.listening(srv.Addr())...)
	return nil
}

// listening lists every address the node listens on, as log attributes:
// p2p, JSON-RPC, and the CometBFT RPC, metrics and profiler when set.
func (n *Node) listening(rpcAddr string) []any {
	attrs := []any{"p2p", n.Config.P2P.Listen, "json_rpc", "http://" + rpcAddr}
	if n.Config.P2P.ExternalAddress != "" {
		attrs = append(attrs, "p2p_external", n.Config.P2P.ExternalAddress)
	}
	for _, a := range []struct{ name, addr, path string }{
		{"comet_rpc", n.Config.RPC.CometAddr, ""},
		{"metrics", n.Config.MetricsAddr, "/metrics"},
		{"pprof", n.Config.PprofAddr, "/debug/pprof/"},
	} {
		if a.addr != "" {
			attrs = append(attrs, a.name, "http://"+a.addr+a.path)
		}
	}
	return attrs
}

// consensusBlock returns the transactions and evidence of the consensus
// block at height, from CometBFT's block store.
func (n *Node) consensusBlock(height uint64) ([][]byte, []abci.Misbehavior, error) {
	b, _ := n.cmt.BlockStore().LoadBlock(int64(height))
	if b == nil {
		return nil, nil, fmt.Errorf("consensus block %d is not on this node (its block store starts at %d)", height, n.cmt.BlockStore().Base())
	}
	txs := make([][]byte, len(b.Txs))
	for i, tx := range b.Txs {
		txs[i] = tx
	}
	return txs, b.Evidence.Evidence.ToABCI(), nil
}

// checkPorts refuses to start when an address the node is to listen on is
// taken, naming the setting that chooses it.
func (n *Node) checkPorts() error {
	for _, a := range []struct{ setting, addr string }{
		{"p2p.listen", n.Config.P2P.Listen},
		{"rpc.comet_addr", n.Config.RPC.CometAddr},
		{"metrics_addr", n.Config.MetricsAddr},
		{"rpc.addr", n.Config.RPC.Addr},
	} {
		if a.addr == "" {
			continue
		}
		ln, err := net.Listen("tcp", a.addr)
		if err != nil {
			return fmt.Errorf("%s = %s: %w (is another node running? change %s in %s)", a.setting, a.addr, err, a.setting, config.File(n.Home))
		}
		ln.Close()
	}
	return nil
}

// ready says why the node should not take traffic yet: it is catching up,
// or no block has committed for longer than a stall takes.
func (n *Node) ready() error {
	if syncing, target := n.syncing(); syncing {
		return fmt.Errorf("catching up: height %d of %d", n.Height(), target)
	}
	if n.stall != nil {
		if since := n.stall.sinceCommit(); since > n.stall.stallAfter {
			return fmt.Errorf("no block committed for %v: the chain is stalled", since.Round(time.Second))
		}
	}
	return nil
}

// isValidator reports whether this node's key is in the validator set the
// consensus engine holds now (governance may have added it after genesis).
func (n *Node) isValidator() bool {
	pub, err := n.cmt.PrivValidator().GetPubKey()
	if err != nil {
		return false
	}
	if env, err := n.cmt.ConfigureRPC(); err == nil {
		_, vals := env.ConsensusState.GetValidators()
		for _, v := range vals {
			if bytes.Equal(v.Address, pub.Address()) {
				return true
			}
		}
		return false
	}
	for _, v := range n.cmt.GenesisDoc().Validators {
		if bytes.Equal(v.Address, pub.Address()) {
			return true
		}
	}
	return false
}

// logBlock prints a line per block with transactions, and one every 100
// heights otherwise, so a running node shows it is alive.
func (n *Node) logBlock(b *types.Block, _ types.Receipts) {
	if len(b.Transactions()) > 0 || b.NumberU64()%100 == 0 {
		n.log.Info("block committed", "height", b.NumberU64(), "txs", len(b.Transactions()), "gas", b.GasUsed(), "hash", b.Hash())
	}
	n.warnUpgrade(b.NumberU64(), false)
}

// warnUpgrade warns of a scheduled rule version this binary does not know:
// at start, every 100 blocks, and on each of the last 100 blocks before it.
func (n *Node) warnUpgrade(height uint64, always bool) {
	next, ok := n.nextUnknown(height)
	if !ok || !(always || height%100 == 0 || next.Height-height <= 100) {
		return
	}
	n.log.Warn("upgrade chuxin: a rule version this binary does not know is scheduled; the node stops before executing its first height",
		"rule_version", next.Version, "from_height", next.Height, "blocks_left", next.Height-height, "known_up_to", genesis.KnownRuleVersion)
}

// nextUnknown returns the first rule version above height that this binary
// does not know, scheduled in the genesis or by governance (in the
// committed state).
func (n *Node) nextUnknown(height uint64) (genesis.RuleVersion, bool) {
	next, ok := n.Genesis.Rules.NextUnknown(height)
	if n.admission == nil {
		return next, ok
	}
	st, err := n.admission.state()
	if err != nil {
		return next, ok
	}
	for _, u := range system.Upgrades(st) {
		if u.Height > height && u.Version > genesis.KnownRuleVersion {
			if !ok || u.Height < next.Height {
				next, ok = genesis.RuleVersion{Version: u.Version, Height: u.Height}, true
			}
			break
		}
	}
	return next, ok
}

// syncing reports whether block sync is still catching up, and the highest
// height a peer has reported.
func (n *Node) syncing() (bool, uint64) {
	return n.cmt.ConsensusReactor().WaitSync(), n.peerMaxHeight()
}

// peerHeights are the committed heights connected peers have told, in
// rising order.
func (n *Node) peerHeights() []int64 {
	var hs []int64
	for _, p := range n.cmt.Switch().Peers().Copy() {
		if ps, ok := p.Get(cmttypes.PeerStateKey).(interface{ GetHeight() int64 }); ok && ps.GetHeight() > 0 {
			hs = append(hs, ps.GetHeight()-1) // a peer's consensus height is the one it works on
		}
	}
	slices.Sort(hs)
	return hs
}

// networkHeight is the median committed height the peers have told, and
// whether any has.
func (n *Node) networkHeight() (int64, bool) {
	hs := n.peerHeights()
	if len(hs) == 0 {
		return 0, false
	}
	return hs[(len(hs)-1)/2], true
}

// soleValidator returns whether the current key holds more than two thirds
// of the power of the next height's validator set, and the node's chain is
// where pv's signing state left it (not a home rebuilt behind it): then it
// commits alone and needs no peer to tell it the network's height.
func (n *Node) soleValidator(rot *rotator) func() bool {
	return func() bool {
		pv := rot.current()
		head := n.store.Head()
		if head == nil || int64(head.Number.Uint64())+1 < pv.LastSignState.Height {
			return false
		}
		if n.nextValidators != nil {
			// The set consensus signs the next height with (the
			// contract's set leads it by two blocks).
			vs, err := n.nextValidators()
			if err != nil {
				return false
			}
			_, v := vs.GetByAddress(pv.Key.PubKey.Address())
			return v != nil && v.VotingPower*3 > vs.TotalVotingPower()*2
		}
		st, err := n.store.State(head.Root)
		if err != nil {
			return false
		}
		var mine, total uint64
		for _, v := range system.Validators(st) {
			total += v.Power
			if bytes.Equal(v.PubKey[:], pv.Key.PubKey.Bytes()) {
				mine += v.Power
			}
		}
		return mine*3 > total*2
	}
}

// peerMaxHeight is the highest committed height among connected peers.
func (n *Node) peerMaxHeight() uint64 {
	hs := n.peerHeights()
	if len(hs) == 0 {
		return 0
	}
	return uint64(hs[len(hs)-1])
}

// reportSync logs catch-up progress every interval while block sync runs:
// height, the best peer height, blocks per second and the time left.
func (n *Node) reportSync(interval time.Duration) {
	defer close(n.syncDone)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	last, behind := n.Height(), false
	for {
		select {
		case <-n.quit:
			return
		case <-tick.C:
		}
		if !n.cmt.ConsensusReactor().WaitSync() {
			if behind {
				n.log.Info("caught up", "height", n.Height(), "peers", n.cmt.Switch().Peers().Size())
			}
			return
		}
		behind = true
		h, target := n.Height(), n.peerMaxHeight()
		rate := float64(h-last) / interval.Seconds()
		eta := "unknown"
		if rate > 0 && target > h {
			eta = (time.Duration(float64(target-h)/rate) * time.Second).Round(time.Second).String()
		}
		n.log.Info("catching up", "height", h, "target", target, "blocks_per_sec", int(rate), "eta", eta)
		last = h
	}
}

// admitPeer refuses every connection once Stop has begun. CometBFT stops
// its switch before it closes its listener, and a connection that arrives
// between the two (a peer redialling as soon as it saw this node go) is
// neither started nor closed unless a filter refuses it: the peer would keep
// a dead connection for minutes and refuse this node's next start as a
// duplicate. A refusal makes CometBFT close it.
//
// Past that, it takes only the peers the consortium admitted (admission).
func (n *Node) admitPeer(kind, value string) error {
	if n.stopping.Load() {
		return ErrStopping
	}
	if kind != "id" || n.admission == nil {
		return nil
	}
	return n.admission.check(value)
}

// dropRevoked disconnects the peers whose admission a committed block
// revoked, naming the reason in the log.
func (n *Node) dropRevoked(b *types.Block, receipts types.Receipts) {
	if !revoked(receipts) || n.cmt == nil {
		return
	}
	sw := n.cmt.Switch()
	for _, p := range sw.Peers().Copy() {
		if err := n.admission.admitted(string(p.ID())); err != nil {
			n.log.Warn("disconnected a peer whose admission the consortium revoked", "node_id", p.ID(), "block", b.NumberU64())
			sw.StopPeerForError(p, err)
		}
	}
}

// warm decodes a transaction and recovers its sender into the
// application's cache, so that CheckTx finds them there.
func (n *Node) warm(raw []byte) {
	_, _, _ = n.app.Recover(raw) // a bad or oversized transaction is refused by CheckTx itself
}

// submit hands a raw transaction to the mempool (which gossips it to peers)
// and waits for CheckTx's answer.
func (n *Node) submit(ctx context.Context, raw []byte) error {
	reqRes, err := n.cmt.Mempool().CheckTx(raw, "")
	if err != nil {
		switch {
		case errors.Is(err, mempool.ErrTxInCache):
			// The cache also remembers committed transactions: say why
			// this one cannot go in again, as geth would (nonce too low).
			if verr := n.app.Validate(raw); verr != nil {
				return verr
			}
			return ErrAlreadyKnown
		case errors.As(err, &mempool.ErrMempoolIsFull{}):
			return ErrMempoolFull
		}
		return err
	}
	done := make(chan struct{})
	go func() {
		reqRes.Wait()
		close(done)
	}()
	select {
	case <-ctx.Done():
		return fmt.Errorf("no answer from the mempool: %w", ctx.Err())
	case <-done:
	}
	if err := reqRes.Error(); err != nil {
		var invalid mempool.ErrInvalidTx
		if errors.As(err, &invalid) {
			return errors.New(invalid.Log) // the application's reason, as it wrote it
		}
		return err
	}
	if res := reqRes.Response.GetCheckTx(); res.Code != abci.CodeTypeOK {
		return errors.New(res.Log)
	}
	return nil
}

// startPprof serves Go's profiler on the configured address.
func (n *Node) startPprof() error {
	ln, err := net.Listen("tcp", n.Config.PprofAddr)
	if err != nil {
		return fmt.Errorf("pprof listen on %s: %w", n.Config.PprofAddr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	n.pprof = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go n.pprof.Serve(ln)
	n.log.Info("profiler listening", "addr", "http://"+ln.Addr().String()+"/debug/pprof/")
	return nil
}

// RPCAddr returns the JSON-RPC address (host:port).
func (n *Node) RPCAddr() string { return n.rpc.Addr() }

// Height returns the last committed height.
func (n *Node) Height() uint64 { return n.store.Head().Number.Uint64() }

// Stop leaves the network, stops serving and closes the database.
// Stopping a stopped node does nothing.
func (n *Node) Stop() error {
	if n.stopping.Swap(true) {
		return nil
	}
	if n.quit != nil {
		close(n.quit)
		<-n.syncDone
		<-n.stallDone
		select {
		case <-n.runnersDone:
		case <-time.After(runnerStopWait):
			n.log.Error("a module's consensus task did not stop when asked; stopping without it", "waited", runnerStopWait)
		}
		<-n.rotateDone
	}
	if n.rpc != nil {
		n.rpc.Stop()
	}
	n.closeCometRPC()
	if n.pprof != nil {
		n.pprof.Close()
	}
	if n.cmt.IsRunning() {
		if err := n.cmt.Stop(); err != nil {
			n.log.Error("stop consensus engine", "err", err)
		}
		n.cmt.Wait()
	}
	// CometBFT leaves its application connections running. Once consensus
	// and the mempool have stopped nothing calls them any more (a recheck
	// that failed would panic CometBFT), so their goroutines end here.
	if err := n.cmt.ProxyApp().Stop(); err != nil {
		n.log.Warn("stop application connections", "err", err)
	}
	return n.store.Close()
}

// runnerStopWait is how long Stop waits for the modules' consensus tasks,
// which must return soon after they are asked (module.Runner).
const runnerStopWait = 10 * time.Second

// run runs the modules' consensus tasks (module.Runner: the beacon's
// nudges, which wake an idle chain when a round comes) until Stop.
func (n *Node) run() {
	defer close(n.runnersDone)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-n.quit
		cancel()
	}()
	var wg sync.WaitGroup
	for _, r := range n.runners {
		wg.Go(func() { r.Run(ctx, n.submit) })
	}
	wg.Wait()
}
