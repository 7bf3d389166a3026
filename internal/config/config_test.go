package config

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	home := t.TempDir()
	c := Default()
	c.Moniker = "city-node-7"
	c.Consensus.TimeoutCommit = Duration(750 * time.Millisecond)
	if err := c.Save(home); err != nil {
		t.Fatal(err)
	}
	got, err := Load(home)
	if err != nil {
		t.Fatal(err)
	}
	if got.Moniker != "city-node-7" || got.Consensus.TimeoutCommit != Duration(750*time.Millisecond) || got.RPC.Addr != "127.0.0.1:8545" {
		t.Fatalf("round trip: %+v", got)
	}
	b, _ := os.ReadFile(File(home))
	if !strings.Contains(string(b), `timeout_commit = '750ms'`) || !strings.Contains(string(b), "# ") {
		t.Fatalf("file is not readable TOML with comments:\n%s", b)
	}
}

func TestLoadNamesTheBadField(t *testing.T) {
	cases := map[string]string{
		"log_level = 'loud'\n":                       "log_level",
		"[rpc]\naddr = 'no-port'\n":                  "rpc.addr",
		"[consensus]\ntimeout_commit = 'soon'\n":     "duration",
		"[rpc]\nbatch_item_limit = 0\n":              "batch",
		"[p2p]\nlisten = '127.0.0.1:1'\nextra = 1\n": "extra",
		"":                                "sets nothing",
		"# only a comment\n\n":            "sets nothing",
		"[mempool]\nmax_per_sender = 0\n": "max_per_sender",
	}
	for body, want := range cases {
		home := t.TempDir()
		os.MkdirAll(home+"/config", 0o755)
		os.WriteFile(File(home), []byte(body), 0o644)
		_, err := Load(home)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error naming %q", body, err, want)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: error is not ErrInvalid: %v", body, err)
		}
	}
	if _, err := Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "chuxin testnet") || strings.Contains(err.Error(), "chuxin init") {
		t.Fatalf("missing file: %v", err)
	}
}
