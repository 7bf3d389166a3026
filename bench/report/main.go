// Command report turns the results of bench/compare.sh (a stream of
// `chuxin bench --json` objects) into bench/RESULTS.md, with the machine,
// the versions, the figures and the budget lines, and a PNG plot of
// committed throughput and p95 latency against offered load.
//
//	go run ./bench/report -in bench/out/results.json -md bench/RESULTS.md -png bench/results.png \
//	    -exec-admitted 22000 -exec-recover 10000 -exec-erc20 7800
package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/chuxin-chain/chuxin/internal/bench"
)

func main() {
	in := flag.String("in", "bench/out/results.json", "results of chuxin bench --json, one after another")
	md := flag.String("md", "bench/RESULTS.md", "report to write")
	png := flag.String("png", "bench/results.png", "plot to write")
	execAdmitted := flag.Float64("exec-admitted", 0, "execution benchmark, senders from admission (tx/s, one core)")
	execRecover := flag.Float64("exec-recover", 0, "execution benchmark, senders recovered (tx/s, one core)")
	execERC20 := flag.Float64("exec-erc20", 0, "execution benchmark, ERC-20 transfers (tx/s, one core)")
	recoverNs := flag.Float64("recover-ns", 0, "one secp256k1 sender recovery (ns, one core)")
	flag.Parse()
	results, err := read(*in)
	if err != nil {
		fail(err)
	}
	if err := plotResults(results, *png); err != nil {
		fail(err)
	}
	f, err := os.Create(*md)
	if err != nil {
		fail(err)
	}
	defer f.Close()
	write(f, results, *png, exec{*execAdmitted, *execRecover, *execERC20, *recoverNs})
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "report:", err)
	os.Exit(1)
}

func read(path string) ([]bench.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []bench.Result
	dec := json.NewDecoder(bufio.NewReader(f))
	for {
		var r bench.Result
		if err := dec.Decode(&r); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no results", path)
	}
	return out, nil
}

// exec holds the one-core benchmarks: execution rates and the cost of one
// sender recovery.
type exec struct{ admitted, recover, erc20, recoverNs float64 }

// systems in report order.
var systems = []string{"chuxin-1", "chuxin-1p", "chuxin-4", "chuxin-4p", "chuxin-4e", "geth-dev", "kvstore-1", "kvstore-4"}

// sustained is the most a system committed of a workload in any run whose
// p95 latency was 2 s or less (0: no such run).
func sustained(rs []bench.Result, system, workload string) float64 {
	best := 0.0
	for _, r := range rs {
		if r.Label == system && r.Workload == workload && r.P95 <= 2 {
			best = max(best, r.TPS)
		}
	}
	return best
}

func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				model = strings.TrimSpace(l[strings.Index(l, ":")+1:])
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int
		fmt.Sscanf(strings.SplitN(string(b), "\n", 2)[0], "MemTotal: %d kB", &kb)
		mem = fmt.Sprintf(", %.0f GiB", float64(kb)/1024/1024)
	}
	return fmt.Sprintf("%d cores (%s)%s, %s/%s", runtime.NumCPU(), model, mem, runtime.GOOS, runtime.GOARCH)
}

func write(w io.Writer, rs []bench.Result, png string, ex exec) {
	fmt.Fprintf(w, "# Performance: chuxin beside its peers\n\n")
	fmt.Fprintf(w, "Measured by `bench/compare.sh` on %s, one machine, one run, %s.\n", machine(), time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(w, "Every system ran on this machine alone, loaded by `chuxin bench` on the same machine (it shares the cores),\n")
	fmt.Fprintf(w, "with transactions signed before the load window (`--presign`), sent in JSON-RPC batches to one node,\n")
	fmt.Fprintf(w, "and counted as committed when they appear in a block. Each run starts once the node's pool holds no runnable\n")
	fmt.Fprintf(w, "transaction (`txpool_status`, or CometBFT's `num_unconfirmed_txs`), so no run inherits an earlier run's backlog.\n\n")
	fmt.Fprintf(w, "| system | what | client |\n|---|---|---|\n")
	what := map[string]string{
		"chuxin-1":  "`chuxin devnet`: one validator, 100 ms commit pause",
		"chuxin-1p": "chuxin-1 permissioned (`chuxin devnet --permissioned`): the senders hold the transactor role",
		"chuxin-4":  "`chuxin testnet --open --validators 4 --beacon-period 0`: four validator processes, default configuration, no beacon",
		"chuxin-4p": "chuxin-4 permissioned (`chuxin testnet`'s default): the senders hold the transactor role",
		"chuxin-4e": "chuxin-4 with a beacon releasing an epoch key every second (`--beacon-period 1`): partial keys in the vote extensions",
		"geth-dev":  "`geth --dev`: blocks on demand, 100 M gas limit, larger pool",
		"kvstore-1": "CometBFT `persistent_kvstore`, one validator, chuxin-1's consensus settings",
		"kvstore-4": "CometBFT `persistent_kvstore`, four validator processes, chuxin-4's consensus settings",
	}
	for _, s := range systems {
		client := ""
		for _, r := range rs {
			if r.Label == s {
				client = r.Client
				break
			}
		}
		if client != "" {
			fmt.Fprintf(w, "| %s | %s | %s |\n", s, what[s], client)
		}
	}
	fmt.Fprintf(w, "\n## Sustained throughput (closed loop: every sender keeps its window of transactions in flight)\n\n")
	fmt.Fprintf(w, "A deep window (48) finds the most a system commits; a shallow one (4) queues fewer transactions, so it shows what the system commits at a lower latency.\n\n")
	fmt.Fprintf(w, "| system | workload | senders × window | committed tx/s | p50 s | p95 s | p99 s | blocks | refused |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range systems {
		for _, r := range closedRuns(rs, s) {
			fmt.Fprintf(w, "| %s | %s | %d × %d | **%.0f** | %.3f | %.3f | %.3f | %d | %s |\n", s, r.Workload, r.Senders, r.Window, r.TPS, r.P50, r.P95, r.P99, r.Blocks, refusals(r))
		}
	}
	fmt.Fprintf(w, "\n## Offered load (open loop, native transfers or kv writes)\n\n![committed throughput and p95 latency against offered load](%s)\n\n", baseName(png))
	openTable(w, rs, false)
	if hasERC20Open(rs) {
		fmt.Fprintf(w, "\n## ERC-20 transfers, open loop (offered at 0.5, 0.75, 0.9 and 1 times the system's sustained native-transfer rate)\n\n")
		openTable(w, rs, true)
	}
	fmt.Fprintf(w, "\n## Execution alone (`go test ./internal/execution -bench . -cpu 1`)\n\n")
	fmt.Fprintf(w, "Blocks of 1,000 transactions applied and committed to Pebble on one core, no consensus:\n\n")
	fmt.Fprintf(w, "| benchmark | tx/s |\n|---|---|\n| native transfers, senders from mempool admission | %.0f |\n| native transfers, every sender recovered | %.0f |\n| ERC-20 transfers, every sender recovered | %.0f |\n", ex.admitted, ex.recover, ex.erc20)
	budget(w, rs, ex)
}

// openTable lists every system's open-loop runs of ERC-20 transfers, or of
// the other workloads (native transfers, kv writes), by offered load.
func openTable(w io.Writer, rs []bench.Result, erc20 bool) {
	fmt.Fprintf(w, "| system | offered tx/s | committed tx/s | p50 s | p95 s | p99 s |\n|---|---|---|---|---|---|\n")
	for _, s := range systems {
		for _, r := range openRuns(rs, s, erc20) {
			fmt.Fprintf(w, "| %s | %.0f | %.0f | %.3f | %.3f | %.3f |\n", s, r.OfferedTPS, r.TPS, r.P50, r.P95, r.P99)
		}
	}
}

func hasERC20Open(rs []bench.Result) bool {
	return slices.ContainsFunc(rs, func(r bench.Result) bool { return r.Mode == "open" && r.Workload == "erc20" })
}

func baseName(p string) string { return p[strings.LastIndex(p, "/")+1:] }

func refusals(r bench.Result) string {
	if len(r.Refusals) == 0 {
		return "0"
	}
	var parts []string
	for k, v := range r.Refusals {
		parts = append(parts, fmt.Sprintf("%d %s", v, k))
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

// closedRuns returns a system's closed-loop runs, native transfers (or kv
// writes) before ERC-20 transfers, deepest window first.
func closedRuns(rs []bench.Result, system string) []bench.Result {
	var out []bench.Result
	for _, r := range rs {
		if r.Label == system && r.Mode == "closed" {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b bench.Result) int {
		erc20 := func(r bench.Result) bool { return r.Workload == "erc20" }
		return cmp.Or(compareBool(erc20(a), erc20(b)), cmp.Compare(b.Window, a.Window))
	})
	return out
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// openRuns returns a system's open-loop runs of ERC-20 transfers, or of the
// other workloads, by offered load.
func openRuns(rs []bench.Result, system string, erc20 bool) []bench.Result {
	var out []bench.Result
	for _, r := range rs {
		if r.Label == system && r.Mode == "open" && (r.Workload == "erc20") == erc20 {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b bench.Result) int { return cmp.Compare(a.OfferedTPS, b.OfferedTPS) })
	return out
}

// budget writes each line of the performance budget with its measured
// figures and whether it is met.
func budget(w io.Writer, rs []bench.Result, ex exec) {
	fmt.Fprintf(w, "\n## Budget\n\nA system's rate is the most it committed in any run, closed or open loop, whose p95 send-to-commit latency was 2 s or less.\n\n| line | measured | met |\n|---|---|---|\n")
	tps := func(system, workload string) float64 { return sustained(rs, system, workload) }
	ratio := func(name string, a, b, want float64, an, bn string) {
		if a == 0 || b == 0 {
			fmt.Fprintf(w, "| %s | not measured (or p95 above 2 s) | — |\n", name)
			return
		}
		fmt.Fprintf(w, "| %s | %s %.0f / %s %.0f = %.2f (want ≥ %.2f) | %s |\n", name, an, a, bn, b, a/b, want, yes(a/b >= want))
	}
	ratio("devnet transfers ≥ 3× geth --dev", tps("chuxin-1", "transfer"), tps("geth-dev", "transfer"), 3, "chuxin-1", "geth-dev")
	ratio("devnet transfers ≥ 75% of kvstore, 1 validator", tps("chuxin-1", "transfer"), tps("kvstore-1", "kv"), 0.75, "chuxin-1", "kvstore-1")
	ratio("4 validators ≥ 85% of kvstore, 4 validators", tps("chuxin-4", "transfer"), tps("kvstore-4", "kv"), 0.85, "chuxin-4", "kvstore-4")
	ratio("ERC-20 ≥ 70% of native, devnet", tps("chuxin-1", "erc20"), tps("chuxin-1", "transfer"), 0.70, "erc20", "transfer")
	ratio("ERC-20 ≥ 70% of native, 4 validators", tps("chuxin-4", "erc20"), tps("chuxin-4", "transfer"), 0.70, "erc20", "transfer")
	for _, s := range []string{"chuxin-1", "chuxin-4"} {
		for _, wl := range []string{"transfer", "erc20"} {
			ratio(fmt.Sprintf("%s permissioned ≥ 95%% of open, %s", s, wl), tps(s+"p", wl), tps(s, wl), 0.95, s+"p", s)
		}
	}
	for _, wl := range []string{"transfer", "erc20"} {
		ratio(fmt.Sprintf("chuxin-4 releasing epoch keys ≥ 95%% of without, %s", wl), tps("chuxin-4e", wl), tps("chuxin-4", wl), 0.95, "chuxin-4e", "chuxin-4")
	}
	if ex.admitted > 0 {
		fmt.Fprintf(w, "| execution ≥ 15,000 transfers/s on one core | %.0f (senders from admission); %.0f recovering every sender | %s |\n", ex.admitted, ex.recover, yes(ex.admitted >= 15000))
	}
	for _, s := range []string{"chuxin-1", "chuxin-4"} {
		var half *bench.Result // compare.sh labels this run SYSTEM/half
		for i := range rs {
			if rs[i].Label == s+"/half" {
				half = &rs[i]
			}
		}
		if half == nil {
			fmt.Fprintf(w, "| %s: p50 < 1 s at half the sustained rate | not measured | — |\n", s)
			continue
		}
		fmt.Fprintf(w, "| %s: p50 < 1 s at half the sustained rate | p50 %.3f s at %.0f tx/s offered | %s |\n", s, half.P50, half.OfferedTPS, yes(half.P50 < 1))
	}
	ceilings(w, rs, ex)
}

// ceilings estimates the most a chuxin network could commit on this
// machine if everything but sender recovery cost it what it costs kvstore:
// the CPU kvstore spends per transaction (all cores over its rate), plus one
// secp256k1 recovery per transaction on every validator. Execution, the
// state commit, JSON-RPC and the larger transactions come on top, so the
// true ceiling is lower still. The inputs are this run's measurements, taken
// minutes apart on a machine whose speed drifts.
func ceilings(w io.Writer, rs []bench.Result, ex exec) {
	if ex.recoverNs == 0 || ex.admitted == 0 {
		return
	}
	cores := float64(runtime.NumCPU())
	recovery := ex.recoverNs / 1e9 // seconds of CPU per transaction per validator
	fmt.Fprintf(w, "\n## Ceiling on this machine\n\n")
	fmt.Fprintf(w, "Every validator recovers each transaction's sender from its signature (%.0f µs of secp256k1 here, geth's `BenchmarkRecover` on one core in this run); kvstore does not. ", ex.recoverNs/1e3)
	fmt.Fprintf(w, "If all else cost chuxin what it costs kvstore (its %d cores over its rate), n validators sharing this machine could commit at most cores / (cores / kvstore rate + n × recovery). ", runtime.NumCPU())
	fmt.Fprintf(w, "Execution (%.0f µs a transfer in the execution benchmark) comes on top, so this is an upper bound, not a target; it moves with the machine's drift between the runs it is computed from.\n\n", 1e6/ex.admitted)
	fmt.Fprintf(w, "| network | kvstore tx/s | ceiling tx/s | ceiling / kvstore | chuxin measured | measured / ceiling |\n|---|---|---|---|---|---|\n")
	for _, c := range []struct {
		chuxin, kv string
		n          float64
	}{{"chuxin-1", "kvstore-1", 1}, {"chuxin-4", "kvstore-4", 4}} {
		kv, mine := sustained(rs, c.kv, "kv"), sustained(rs, c.chuxin, "transfer")
		if kv == 0 {
			continue
		}
		ceiling := cores / (cores/kv + c.n*recovery)
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %.2f | %.0f | %.2f |\n", c.chuxin, kv, ceiling, ceiling/kv, mine, mine/ceiling)
	}
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**not yet**"
}

// plotResults draws committed throughput and p95 latency against offered
// load for every system's open-loop runs.
func plotResults(rs []bench.Result, path string) error {
	tp, lat := plot.New(), plot.New()
	tp.Title.Text, lat.Title.Text = "Committed throughput", "p95 send-to-commit latency"
	tp.X.Label.Text, lat.X.Label.Text = "offered load (tx/s)", "offered load (tx/s)"
	tp.Y.Label.Text, lat.Y.Label.Text = "committed (tx/s)", "seconds"
	tp.Add(plotter.NewGrid())
	lat.Add(plotter.NewGrid())
	palette := []color.RGBA{{0xc0, 0x39, 0x2b, 255}, {0xe6, 0x7e, 0x22, 255}, {0x27, 0x60, 0xae, 255}, {0x27, 0xae, 0x60, 255}, {0x8e, 0x44, 0xad, 255}}
	for i, s := range systems {
		runs := openRuns(rs, s, false)
		if len(runs) == 0 {
			continue
		}
		tpts, lpts := make(plotter.XYs, len(runs)), make(plotter.XYs, len(runs))
		for j, r := range runs {
			tpts[j] = plotter.XY{X: r.OfferedTPS, Y: r.TPS}
			lpts[j] = plotter.XY{X: r.OfferedTPS, Y: r.P95}
		}
		for _, pair := range []struct {
			p   *plot.Plot
			pts plotter.XYs
		}{{tp, tpts}, {lat, lpts}} {
			l, pts, err := plotter.NewLinePoints(pair.pts)
			if err != nil {
				return err
			}
			l.Color, pts.Color = palette[i], palette[i]
			l.Width = vg.Points(2)
			pair.p.Add(l, pts)
			pair.p.Legend.Add(s, l, pts)
		}
	}
	tp.Legend.Top, lat.Legend.Top = true, true
	tp.Legend.Left, lat.Legend.Left = true, true
	const w, h = 14 * vg.Inch, 5.5 * vg.Inch
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Inch / 4, PadTop: vg.Inch / 8, PadBottom: vg.Inch / 8, PadLeft: vg.Inch / 8, PadRight: vg.Inch / 8}
	canvases := plot.Align([][]*plot.Plot{{tp, lat}}, tiles, dc)
	tp.Draw(canvases[0][0])
	lat.Draw(canvases[0][1])
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = vgimg.PngCanvas{Canvas: img}.WriteTo(f)
	return err
}
