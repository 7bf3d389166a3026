// Package config is a node's configuration: one TOML file, config/chuxin.toml
// in the node's home, with defaults for everything and validation that names
// the field at fault. There are no globals: a Config is loaded, validated and
// passed down.
package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// ErrInvalid: a configuration field has a value no node can run with.
var ErrInvalid = errors.New("invalid configuration")

// Duration is a time.Duration written as "500ms", "2s" in TOML.
type Duration time.Duration

// MarshalText writes the duration as Go duration text.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText reads Go duration text such as "1s".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration %q: %w (write it like \"500ms\" or \"2s\")", b, err)
	}
	*d = Duration(v)
	return nil
}

// Config is the whole node configuration.
type Config struct {
	Moniker     string    `toml:"moniker" comment:"name of this node, shown to peers"`
	LogLevel    string    `toml:"log_level" comment:"debug, info, warn or error"`
	LogFormat   string    `toml:"log_format" comment:"text or json"`
	PprofAddr   string    `toml:"pprof_addr" comment:"host:port of the Go profiler (net/http/pprof); empty: off"`
	MetricsAddr string    `toml:"metrics_addr" comment:"host:port of the Prometheus metrics (CometBFT's and chuxin's) at /metrics; empty: off"`
	GenesisHash string    `toml:"genesis_hash" comment:"SHA-256 of config/genesis.json, in hex, as the genesis ceremony published it; the node refuses to start on any other genesis (empty: unchecked)"`
	P2P         P2P       `toml:"p2p"`
	Consensus   Consensus `toml:"consensus"`
	Mempool     Mempool   `toml:"mempool"`
	RPC         RPC       `toml:"rpc"`
	DB          DB        `toml:"db"`
}

// P2P is the peer-to-peer layer (CometBFT's).
type P2P struct {
	Listen          string `toml:"listen" comment:"address peers connect to"`
	ExternalAddress string `toml:"external_address" comment:"address advertised to peers (empty: the listen address)"`
	PersistentPeers string `toml:"persistent_peers" comment:"comma-separated id@host:port of peers to stay connected to"`
}

// Consensus is the block cadence.
type Consensus struct {
	TimeoutPropose     Duration `toml:"timeout_propose" comment:"how long to wait for a proposal before voting nil"`
	TimeoutCommit      Duration `toml:"timeout_commit" comment:"pause after a commit before the next height"`
	EmptyBlockInterval Duration `toml:"empty_block_interval" comment:"longest time between blocks when no transactions arrive (0s: never wait)"`
}

// Mempool bounds the pending transactions.
type Mempool struct {
	Size         int `toml:"size" comment:"maximum number of pending transactions"`
	CacheSize    int `toml:"cache_size" comment:"number of recently seen transaction hashes remembered"`
	MaxPerSender int `toml:"max_per_sender" comment:"most transactions one sender may have pending (consecutive nonces; at most 64 more wait behind a gap)"`
}

// RPC is the Ethereum JSON-RPC server.
type RPC struct {
	Addr             string   `toml:"addr" comment:"host:port of the Ethereum JSON-RPC server (HTTP and WebSocket)"`
	CometAddr        string   `toml:"comet_addr" comment:"CometBFT RPC listen address (empty: off)"`
	CORSOrigins      []string `toml:"cors_origins" comment:"origins of web pages allowed to call this node from a browser, over HTTP and WebSocket ('*' any; 'http://localhost:*' any port); none by default"`
	VHosts           []string `toml:"vhosts" comment:"host names this node answers to (the Host header; an IP address always passes; '*' any), as geth's --http.vhosts: a name not listed is refused, so a foreign page cannot reach the node by DNS rebinding"`
	BatchItemLimit   int      `toml:"batch_item_limit" comment:"most requests in one batch"`
	BatchResponseMax int      `toml:"batch_response_max_bytes" comment:"largest batch response"`
	MaxLogRange      uint64   `toml:"max_log_block_range" comment:"most blocks one eth_getLogs may scan"`
	MaxLogResults    int      `toml:"max_log_results" comment:"most logs one eth_getLogs may return"`
	GasCap           uint64   `toml:"gas_cap" comment:"most gas an eth_call or eth_estimateGas may use"`
	EVMTimeout       Duration `toml:"evm_timeout" comment:"longest an eth_call may run"`
	RequestTimeout   Duration `toml:"request_timeout" comment:"longest an HTTP request may run before it is answered 'request timed out'"`
	ReadTimeout      Duration `toml:"read_timeout" comment:"longest a client may take to send an HTTP request, body included"`
	MaxConns         int      `toml:"max_connections" comment:"most HTTP and WebSocket connections open at once"`
	MaxConnsPerIP    int      `toml:"max_connections_per_client" comment:"most connections open at once from one client address"`
	MaxFiltersPerIP  int      `toml:"max_filters_per_client" comment:"most polling filters one client address may have installed (10,000 in all)"`
	Debug            bool     `toml:"debug" comment:"offer the debug_* methods (debug_traceTransaction, debug_traceBlockByNumber, debug_traceCall, ...), which execute blocks again: on for a devnet, off for a node that anyone may call"`
}

// DB is the state database.
type DB struct {
	CacheMB int  `toml:"cache_mb" comment:"Pebble cache in MiB"`
	Archive bool `toml:"archive" comment:"keep the state of every block on disk (false: the last 128 blocks' states and one in 128 older ones, as a geth full node)"`
}

// Default returns the configuration of a single node on this machine.
func Default() *Config {
	return &Config{
		Moniker:   "chuxin",
		LogLevel:  "info",
		LogFormat: "text",
		P2P:       P2P{Listen: "127.0.0.1:26656"},
		Consensus: Consensus{
			TimeoutPropose:     Duration(2 * time.Second),
			TimeoutCommit:      Duration(300 * time.Millisecond),
			EmptyBlockInterval: Duration(5 * time.Second),
		},
		Mempool: Mempool{Size: 50_000, CacheSize: 100_000, MaxPerSender: 1024},
		RPC: RPC{
			Addr:             "127.0.0.1:8545",
			CometAddr:        "127.0.0.1:26657",
			VHosts:           []string{"localhost"},
			BatchItemLimit:   1000,
			BatchResponseMax: 25 * 1000 * 1000,
			MaxLogRange:      10_000,
			MaxLogResults:    10_000,
			GasCap:           50_000_000,
			EVMTimeout:       Duration(5 * time.Second),
			RequestTimeout:   Duration(30 * time.Second),
			ReadTimeout:      Duration(10 * time.Second),
			MaxConns:         1024,
			MaxConnsPerIP:    256,
			MaxFiltersPerIP:  1000,
		},
		DB: DB{CacheMB: 256},
	}
}

// Validate reports the first field that no node could run with.
func (c *Config) Validate() error {
	if c.PprofAddr != "" {
		if _, _, err := net.SplitHostPort(c.PprofAddr); err != nil {
			return fmt.Errorf("%w: pprof_addr = %q is not host:port", ErrInvalid, c.PprofAddr)
		}
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("%w: metrics_addr = %q is not host:port", ErrInvalid, c.MetricsAddr)
		}
	}
	if c.GenesisHash != "" {
		if b, err := hex.DecodeString(c.GenesisHash); err != nil || len(b) != sha256.Size {
			return fmt.Errorf("%w: genesis_hash = %q is not a SHA-256 in hex (64 digits; `chuxin genesis hash FILE` prints it)", ErrInvalid, c.GenesisHash)
		}
	}
	for name, addr := range map[string]string{"p2p.listen": c.P2P.Listen, "rpc.addr": c.RPC.Addr} {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return fmt.Errorf("%w: %s = %q is not host:port", ErrInvalid, name, addr)
		}
	}
	switch {
	case !oneOf(c.LogLevel, "debug", "info", "warn", "error"):
		return fmt.Errorf("%w: log_level = %q, use debug, info, warn or error", ErrInvalid, c.LogLevel)
	case !oneOf(c.LogFormat, "text", "json"):
		return fmt.Errorf("%w: log_format = %q, use text or json", ErrInvalid, c.LogFormat)
	case c.Consensus.TimeoutPropose <= 0:
		return fmt.Errorf("%w: consensus.timeout_propose must be positive", ErrInvalid)
	case c.Consensus.TimeoutCommit < 0 || c.Consensus.EmptyBlockInterval < 0:
		return fmt.Errorf("%w: consensus timeouts must not be negative", ErrInvalid)
	case c.Mempool.Size <= 0 || c.Mempool.CacheSize < 0:
		return fmt.Errorf("%w: mempool.size must be positive", ErrInvalid)
	case c.Mempool.MaxPerSender <= 0:
		return fmt.Errorf("%w: mempool.max_per_sender must be positive", ErrInvalid)
	case c.RPC.BatchItemLimit <= 0 || c.RPC.BatchResponseMax <= 0:
		return fmt.Errorf("%w: rpc batch limits must be positive", ErrInvalid)
	case c.RPC.MaxLogRange == 0 || c.RPC.MaxLogResults <= 0:
		return fmt.Errorf("%w: rpc log limits must be positive", ErrInvalid)
	case c.RPC.GasCap == 0 || c.RPC.EVMTimeout <= 0:
		return fmt.Errorf("%w: rpc.gas_cap and rpc.evm_timeout must be positive", ErrInvalid)
	case c.RPC.RequestTimeout < Duration(time.Second) || c.RPC.ReadTimeout < Duration(time.Second):
		return fmt.Errorf("%w: rpc.request_timeout and rpc.read_timeout must be at least 1s", ErrInvalid)
	case c.RPC.MaxConns <= 0 || c.RPC.MaxConnsPerIP <= 0 || c.RPC.MaxFiltersPerIP <= 0:
		return fmt.Errorf("%w: rpc.max_connections, rpc.max_connections_per_client and rpc.max_filters_per_client must be positive", ErrInvalid)
	case c.DB.CacheMB < 8:
		return fmt.Errorf("%w: db.cache_mb must be at least 8", ErrInvalid)
	}
	return nil
}

func oneOf(v string, options ...string) bool {
	for _, o := range options {
		if strings.EqualFold(v, o) {
			return true
		}
	}
	return false
}

// File is where a home keeps its configuration.
func File(home string) string { return filepath.Join(home, "config", "chuxin.toml") }

// Load reads and validates the configuration of a home. Fields the file
// leaves out keep their defaults.
func Load(home string) (*Config, error) {
	c := Default()
	b, err := os.ReadFile(File(home))
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w (is %s a chuxin home? `chuxin testnet --out DIR` writes the homes of a network, `chuxin devnet` runs a local chain in ~/.chuxin/devnet)", err, home)
	}
	var fields map[string]any
	if err := toml.Unmarshal(b, &fields); err == nil && len(fields) == 0 {
		return nil, fmt.Errorf("%w: %s sets nothing: a node's configuration names at least its moniker, addresses and peers; restore it from the one `chuxin testnet` wrote, or write those fields", ErrInvalid, File(home))
	}
	dec := toml.NewDecoder(strings.NewReader(string(b))).DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		var strict *toml.StrictMissingError
		if errors.As(err, &strict) {
			return nil, fmt.Errorf("%w: %s: unknown fields (misspelt, or from another version):\n%s", ErrInvalid, File(home), strict.String())
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, File(home), err)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", File(home), err)
	}
	return c, nil
}

// Save writes c as the configuration of a home.
func (c *Config) Save(home string) error {
	b, err := toml.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode configuration: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(File(home)), 0o755); err != nil {
		return fmt.Errorf("write configuration: %w", err)
	}
	header := "# chuxin node configuration. Every field has a default; see `chuxin start --help`,\n" +
		"# and the README's \"Operating a node\" (metrics_addr, ports, backups, key rotation) and\n" +
		"# \"Joining a running network\" (p2p.persistent_peers) sections.\n\n"
	return os.WriteFile(File(home), append([]byte(header), b...), 0o644)
}
