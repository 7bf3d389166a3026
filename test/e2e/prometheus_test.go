package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/chuxin-chain/chuxin/internal/testchain"
)

// promQuery runs an instant PromQL query on a Prometheus server and returns
// its result vector.
func promQuery(t *testing.T, server, query string) ([]promSample, error) {
	t.Helper()
	res, err := http.Get(server + "/api/v1/query?query=" + url.QueryEscape(query))
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []promSample `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return nil, err
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("%s: %s", query, body.Error)
	}
	return body.Data.Result, nil
}

type promSample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

func (s promSample) value() string { v, _ := s.Value[1].(string); return v }

// TestPrometheusWatchesTheNetwork loads the repository's alerting rules
// (ops/prometheus) in Debian's Prometheus, which scrapes a running 4-node
// network: every rule evaluates without error, a stopped validator shows
// in the missed-blocks metric and makes ChuxinNodeDown pending, and every
// query of the Grafana dashboard (ops/grafana) runs and finds data.
func TestPrometheusWatchesTheNetwork(t *testing.T) {
	missing := t.Skip
	if os.Getenv("CI") != "" {
		missing = t.Fatal // CI installs it
	}
	promtool, err1 := exec.LookPath("promtool")
	prometheus, err2 := exec.LookPath("prometheus")
	if err1 != nil || err2 != nil {
		missing("Prometheus is not installed: apt-get install prometheus (.ci/run does)")
	}
	root, _ := filepath.Abs("../..")
	rules := filepath.Join(root, "ops", "prometheus", "chuxin.rules.yml")
	if out, err := exec.Command(promtool, "check", "rules", rules).CombinedOutput(); err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
	if out, err := exec.Command(promtool, "check", "config", filepath.Join(root, "ops", "prometheus", "prometheus.yml")).CombinedOutput(); err != nil {
		t.Fatalf("promtool check config of the example: %v\n%s", err, out)
	}

	dir, urls := testnet(t, 4, 0)
	ports := testchain.PortBase(5)
	var targets []string
	procs := make([]*proc, 4)
	for i := range 4 {
		cfg := filepath.Join(home(dir, i), "config", "chuxin.toml")
		raw, err := os.ReadFile(cfg)
		if err != nil {
			t.Fatal(err)
		}
		addr := fmt.Sprintf("127.0.0.1:%d", ports+i)
		raw = regexp.MustCompile(`(?m)^metrics_addr = .*$`).ReplaceAll(raw, []byte(fmt.Sprintf("metrics_addr = '%s'", addr)))
		if err := os.WriteFile(cfg, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		targets = append(targets, fmt.Sprintf("%q", addr))
		procs[i] = startProc(t, dir, fmt.Sprintf("node%d", i), "start", "--home", home(dir, i))
	}
	for i := range 4 {
		dialWhenUp(t, urls[i], procs[i])
	}
	promCfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(promCfg, []byte(fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [%q]
scrape_configs:
  - job_name: chuxin
    static_configs:
      - targets: [%s]
`, rules, strings.Join(targets, ", "))), 0o644); err != nil {
		t.Fatal(err)
	}
	server := fmt.Sprintf("http://127.0.0.1:%d", ports+4)
	startCmd(t, dir, "prometheus", prometheus, "--config.file", promCfg, "--storage.tsdb.path", filepath.Join(dir, "tsdb"),
		"--web.listen-address", strings.TrimPrefix(server, "http://"))

	// count returns how many series a query returns, -1 on an error.
	count := func(q string) int {
		s, err := promQuery(t, server, q)
		if err != nil {
			return -1
		}
		return len(s)
	}
	waitFor(t, "Prometheus scraping the four nodes, blocks committing", func() bool {
		return count(`up{job="chuxin"} == 1`) == 4 && count(`chuxin_height > 2`) == 4
	})
	chainID := ""
	if s, err := promQuery(t, server, `chuxin_height`); err == nil && len(s) > 0 {
		chainID = s[0].Metric["chain_id"]
	}
	if chainID == "" {
		t.Fatal("chuxin_height has no chain_id label")
	}

	// node3 stops: its signatures go missing, and its scrape fails.
	procs[3].stop(syscall.SIGTERM)
	waitFor(t, "node3's missed blocks counted", func() bool {
		return count(`max by (name) (increase(chuxin_validator_missed_blocks_total{name="node3"}[1m])) > 0`) == 1
	})
	waitFor(t, "ChuxinNodeDown pending for node3", func() bool {
		res, err := http.Get(server + "/api/v1/alerts")
		if err != nil {
			return false
		}
		defer res.Body.Close()
		var body struct {
			Data struct {
				Alerts []struct {
					Labels map[string]string `json:"labels"`
					State  string            `json:"state"`
				} `json:"alerts"`
			} `json:"data"`
		}
		if json.NewDecoder(res.Body).Decode(&body) != nil {
			return false
		}
		for _, a := range body.Data.Alerts {
			if a.Labels["alertname"] == "ChuxinNodeDown" && a.Labels["instance"] == strings.Trim(targets[3], `"`) {
				return true
			}
		}
		return false
	})

	// Every rule evaluated, without an error.
	res, err := http.Get(server + "/api/v1/rules")
	if err != nil {
		t.Fatal(err)
	}
	var rulesBody struct {
		Data struct {
			Groups []struct {
				Rules []struct {
					Name, Health, LastError string
				} `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	err = json.NewDecoder(res.Body).Decode(&rulesBody)
	res.Body.Close()
	if err != nil || len(rulesBody.Data.Groups) != 1 || len(rulesBody.Data.Groups[0].Rules) < 10 {
		t.Fatalf("the rules Prometheus loaded: %v, %+v", err, rulesBody)
	}
	for _, r := range rulesBody.Data.Groups[0].Rules {
		if r.Health != "ok" {
			t.Errorf("rule %s: health %q: %s", r.Name, r.Health, r.LastError)
		}
	}

	// Every query of the dashboard runs and finds data.
	raw, err := os.ReadFile(filepath.Join(root, "ops", "grafana", "chuxin.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(raw, &dash); err != nil || len(dash.Panels) == 0 {
		t.Fatalf("the dashboard: %v", err)
	}
	grafana := strings.NewReplacer("$chain_id", chainID, "$__rate_interval", "1m")
	for _, p := range dash.Panels {
		for _, target := range p.Targets {
			q := grafana.Replace(target.Expr)
			if n := count(q); n <= 0 {
				s, err := promQuery(t, server, q)
				t.Errorf("panel %q: %s: %d series, %v %v", p.Title, q, n, s, err)
			}
		}
	}

	for i := range 3 {
		out, _ := os.ReadFile(procs[i].log)
		noErrorLines(t, out)
	}
}
