package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// TestCapsuleOnDevnet: a capsule sealed through the CLI to open a few
// seconds later is sealed everywhere (no key in JSON-RPC, the drand API or
// the Capsules contract; opening says until when) until the validators
// release its round; then it opens, byte-identical, through the CLI and
// JSON-RPC, and the contract holds the key.
func TestCapsuleOnDevnet(t *testing.T) {
	dir := t.TempDir()
	base := testchain.PortBase(3)
	url := fmt.Sprintf("http://127.0.0.1:%d", base+2)
	p := startProc(t, dir, "devnet", "devnet", "--home", filepath.Join(dir, "devnet"), "--beacon-period", "2",
		"--p2p-port", fmt.Sprint(base), "--rpc-port", fmt.Sprint(base+2))
	dialWhenUp(t, url, p)
	message := "我加入那天的誓言: to serve the city, 2026"
	var sealed struct {
		ID      uint64    `json:"id"`
		Round   uint64    `json:"round"`
		OpensAt time.Time `json:"opensAt"`
	}
	out := cli(t, "capsule", "seal", "--rpc", url, "--dev-account", "1", "--in", "6s", "--label", "first pledge", "--text", message, "--json")
	if err := json.Unmarshal([]byte(out), &sealed); err != nil || sealed.ID != 1 {
		t.Fatalf("capsule seal: %v\n%s", err, out)
	}
	c, err := rpc.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	// Sealed: nowhere a key.
	if out := cli(t, "capsule", "show", "1", "--rpc", url); !strings.Contains(out, "sealed until") || !strings.Contains(out, `"first pledge"`) {
		t.Fatalf("capsule show while sealed:\n%s", out)
	}
	if out := cliFails(t, "capsule", "open", "1", "--rpc", url); !strings.Contains(out, "is sealed until") {
		t.Fatalf("capsule open while sealed:\n%s", out)
	}
	var key json.RawMessage
	if err := c.Call(&key, "chuxin_getEpochKey", hexutil.Uint64(sealed.Round)); err != nil || string(key) != "null" {
		t.Fatalf("chuxin_getEpochKey while sealed: %s, %v", key, err)
	}
	var opened struct {
		Text      string        `json:"text"`
		Plaintext hexutil.Bytes `json:"plaintext"`
	}
	if err := c.Call(&opened, "chuxin_openCapsule", hexutil.Uint64(1)); err == nil || !strings.Contains(err.Error(), "sealed until") {
		t.Fatalf("chuxin_openCapsule while sealed: %v", err)
	}
	if resp, err := http.Get(fmt.Sprintf("%s/drand/public/%d", url, sealed.Round)); err != nil || resp.StatusCode != http.StatusTooEarly {
		t.Fatalf("the drand API while sealed: %v %v", resp, err)
	}

	// Released: open everywhere, byte-identical.
	deadline := time.Now().Add(60 * time.Second)
	for {
		var info struct {
			Open bool          `json:"open"`
			Key  hexutil.Bytes `json:"key"`
		}
		if err := c.Call(&info, "chuxin_getCapsule", hexutil.Uint64(1)); err != nil {
			t.Fatal(err)
		}
		if info.Open && len(info.Key) == 48 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("capsule 1 (round %d, due %s) not open within 60s", sealed.Round, sealed.OpensAt)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if err := c.Call(&opened, "chuxin_openCapsule", hexutil.Uint64(1)); err != nil || opened.Text != message || string(opened.Plaintext) != message {
		t.Fatalf("chuxin_openCapsule: %+v, %v", opened, err)
	}
	if out := cli(t, "capsule", "open", "1", "--rpc", url); out != message+"\n" {
		t.Fatalf("capsule open: %q", out)
	}
	if out := cli(t, "capsule", "show", "1", "--rpc", url); !strings.Contains(out, "open since") {
		t.Fatalf("capsule show once open:\n%s", out)
	}
	// Sealing to a round that has come is refused with the reason.
	if out := cliFails(t, "capsule", "seal", "--rpc", url, "--dev-account", "1", "--round", fmt.Sprint(sealed.Round), "--text", "late"); !strings.Contains(out, "not after this block: seal to a later round") {
		t.Fatalf("sealing to a past round:\n%s", out)
	}
}

// TestPledgeBookOnDevnet: members write a public and a private pledge
// through the CLI; both are listed, sealed until the next anniversary of
// the day they joined at midnight in the network's time zone, and reading
// either says until when.
func TestPledgeBookOnDevnet(t *testing.T) {
	dir := t.TempDir()
	base := testchain.PortBase(3)
	url := fmt.Sprintf("http://127.0.0.1:%d", base+2)
	p := startProc(t, dir, "devnet", "devnet", "--home", filepath.Join(dir, "devnet"),
		"--p2p-port", fmt.Sprint(base), "--rpc-port", fmt.Sprint(base+2))
	dialWhenUp(t, url, p)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	joined := time.Now().In(shanghai).AddDate(-3, 0, 7) // the anniversary is a week away
	want := time.Date(joined.Year()+3, joined.Month(), joined.Day(), 0, 0, 0, 0, shanghai)
	out := cli(t, "pledge", "write", "--rpc", url, "--dev-account", "1", "--joined", joined.Format(time.DateOnly), "--text", "为人民服务")
	if !strings.Contains(out, "pledge 1 written (public): sealed until "+want.Format("2006-01-02 15:04 MST")) {
		t.Fatalf("pledge write:\n%s", out)
	}
	out = cli(t, "pledge", "write", "--rpc", url, "--dev-account", "2", "--joined", joined.Format(time.DateOnly), "--years", "2", "--private", "--text", "my own")
	if !strings.Contains(out, "pledge 2 written (private)") || !strings.Contains(out, want.AddDate(1, 0, 0).Format("2006-01-02")) {
		t.Fatalf("private pledge write:\n%s", out)
	}
	out = cli(t, "pledge", "list", "--rpc", url)
	// In the network's time zone, as pledge write says it.
	if strings.Count(out, "sealed until "+want.Format("2006-01-02 15:04 MST")) != 1 || !strings.Contains(out, "private: sealed until") {
		t.Fatalf("pledge list:\n%s", out)
	}
	if out := cliFails(t, "pledge", "read", "1", "--rpc", url); !strings.Contains(out, "pledge 1 is sealed until "+want.Format("2006-01-02 15:04 MST")) {
		t.Fatalf("pledge read while sealed:\n%s", out)
	}
	if out := cliFails(t, "pledge", "write", "--rpc", url, "--dev-account", "1", "--joined", "2999-01-01", "--text", "x"); !strings.Contains(out, "is after today") {
		t.Fatalf("a joining day in the future:\n%s", out)
	}

	// The pledge module's namespace, its old method name, and the field
	// chuxin_capsuleInfo kept.
	c, err := rpc.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	book := common.HexToAddress("0xC415000000000000000000000000000000000003")
	var info struct {
		Contract common.Address `json:"contract"`
		Pledges  hexutil.Uint64 `json:"pledges"`
		TimeZone string         `json:"timeZone"`
	}
	if err := c.Call(&info, "pledge_info"); err != nil || info.Contract != book || info.Pledges != 2 || info.TimeZone != "Asia/Shanghai" {
		t.Fatalf("pledge_info: %+v, %v", info, err)
	}
	type opening struct {
		OpensAt time.Time      `json:"opensAt"`
		Round   hexutil.Uint64 `json:"round"`
	}
	var now, old opening
	if err := c.Call(&now, "pledge_opensAt", joined.Format(time.DateOnly), 0); err != nil || !now.OpensAt.Equal(want) || now.Round == 0 {
		t.Fatalf("pledge_opensAt: %+v, %v; want %v", now, err, want)
	}
	if err := c.Call(&old, "chuxin_pledgeOpensAt", joined.Format(time.DateOnly), 0); err != nil || old != now {
		t.Fatalf("chuxin_pledgeOpensAt: %+v, %v; pledge_opensAt said %+v", old, err, now)
	}
	var sys struct {
		PledgeBook common.Address `json:"pledgeBook"`
	}
	if err := c.Call(&sys, "chuxin_capsuleInfo"); err != nil || sys.PledgeBook != book {
		t.Fatalf("chuxin_capsuleInfo's pledgeBook: %s, %v", sys.PledgeBook, err)
	}
}
