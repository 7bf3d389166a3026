package beacon

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/module"
)

// drand's HTTP API, served under /drand on the JSON-RPC port when the chain
// has a beacon: /info, /public/latest, /public/{round}, /chains and
// /health, also under /{chainhash}/, in drand's JSON shapes, rounds being
// the beacon's epochs. drand-client and tlock-js take
// http://HOST:PORT/drand as a drand network.

// drandInfo is drand's /info.
type drandInfo struct {
	PublicKey   string            `json:"public_key"`
	Period      uint32            `json:"period"`
	GenesisTime int64             `json:"genesis_time"`
	Hash        string            `json:"hash"`
	GroupHash   string            `json:"groupHash"`
	SchemeID    string            `json:"schemeID"`
	Metadata    map[string]string `json:"metadata"`
}

// drandBeacon is drand's /public/{round}.
type drandBeacon struct {
	Round      uint64 `json:"round"`
	Randomness string `json:"randomness"`
	Signature  string `json:"signature"`
}

func newDrandInfo(b module.Beacon) drandInfo {
	info := b.Info()
	return drandInfo{
		PublicKey: hex.EncodeToString(info.PublicKey.Bytes()), Period: info.Period, GenesisTime: info.GenesisTime,
		Hash: b.ChainHash(), GroupHash: hex.EncodeToString(info.GenesisSeed), SchemeID: capsule.Scheme,
		Metadata: map[string]string{"beaconID": info.BeaconID},
	}
}

func roundJSON(round uint64, key *capsule.Signature) drandBeacon {
	r := key.Randomness()
	return drandBeacon{Round: round, Randomness: hex.EncodeToString(r[:]), Signature: hex.EncodeToString(key.Bytes())}
}

// drand serves drand's HTTP API under /drand.
type drand struct{ chain module.Chain }

// ServeHTTP answers a GET under /drand.
func (d drand) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, ok := d.chain.Beacon()
	w.Header().Set("Access-Control-Allow-Origin", "*") // a public beacon, as drand's
	if !ok {
		http.Error(w, "this chain has no beacon (its genesis has no beacon committee)", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "the drand API answers GET", http.StatusMethodNotAllowed)
		return
	}
	path := strings.Trim(strings.TrimPrefix(r.URL.Path, "/drand"), "/")
	parts := strings.Split(path, "/")
	if len(parts[0]) == 64 { // /{chainhash}/…
		if parts[0] != b.ChainHash() {
			http.Error(w, fmt.Sprintf("unknown chain hash %s: this beacon's is %s", parts[0], b.ChainHash()), http.StatusNotFound)
			return
		}
		parts = parts[1:]
	}
	switch {
	case len(parts) == 1 && parts[0] == "info":
		writeDrand(w, newDrandInfo(b), true)
	case len(parts) == 1 && parts[0] == "chains":
		writeDrand(w, []string{b.ChainHash()}, false)
	case len(parts) == 1 && parts[0] == "health":
		latest, err := b.Latest()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		expected := b.Info().RoundAt(time.Now().Unix())
		if latest+1 < expected {
			w.WriteHeader(http.StatusServiceUnavailable) // behind, as drand answers
		}
		writeDrand(w, map[string]uint64{"current": latest, "expected": expected}, false)
	case len(parts) == 2 && parts[0] == "public":
		serveRound(w, b, parts[1])
	default:
		http.Error(w, "the drand API: /info, /chains, /health, /public/latest, /public/{round}", http.StatusNotFound)
	}
}

func serveRound(w http.ResponseWriter, b module.Beacon, which string) {
	var round uint64
	if which == "latest" {
		latest, err := b.Latest()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if latest == 0 {
			http.Error(w, "no round released yet", http.StatusNotFound)
			return
		}
		round = latest
	} else {
		n, err := strconv.ParseUint(which, 10, 64)
		if err != nil || n == 0 {
			http.Error(w, fmt.Sprintf("round %q is not a round number (1, 2, …)", which), http.StatusBadRequest)
			return
		}
		round = n
	}
	key, err := b.Key(round)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if key == nil {
		at := time.Unix(b.Info().RoundTime(round), 0).UTC().Format(time.RFC3339)
		http.Error(w, fmt.Sprintf("round %d is not released yet: it comes at %s", round, at), http.StatusTooEarly)
		return
	}
	writeDrand(w, roundJSON(round, key), which != "latest")
}

func writeDrand(w http.ResponseWriter, v any, immutable bool) {
	w.Header().Set("Content-Type", "application/json")
	if immutable {
		w.Header().Set("Cache-Control", "public, max-age=604800, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	_ = json.NewEncoder(w).Encode(v)
}
