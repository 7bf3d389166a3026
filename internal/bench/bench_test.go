package bench

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	v := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for p, want := range map[float64]float64{50: 5, 95: 10, 99: 10, 10: 1, 0: 1} {
		if got := percentile(v, p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if percentile(nil, 50) != 0 {
		t.Error("percentile of nothing")
	}
}

func TestReasonGroupsByCause(t *testing.T) {
	a := reason(errors.New("nonce too low: address 0xabc, tx nonce 1, next nonce 2"))
	b := reason(errors.New("nonce too low: address 0xdef, tx nonce 9, next nonce 12"))
	if a != b || a != "nonce too low" {
		t.Fatalf("%q vs %q", a, b)
	}
	// CometBFT's generic "Internal error" keeps the cause it gives after it.
	for in, want := range map[string]string{
		"Internal error: mempool is full: number of txs 50000 (max: 50000)": "Internal error: mempool is full",
		"Internal error: tx already exists in cache":                        "Internal error: tx already exists in cache",
		"Internal error": "Internal error",
	} {
		if got := reason(errors.New(in)); got != want {
			t.Errorf("reason(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	o := Options{URL: "http://x", Senders: 1, Batch: 1, Window: 1, Workers: 1}
	if err := o.validate(); !errors.Is(err, ErrOptions) {
		t.Fatalf("zero duration accepted: %v", err)
	}
}

// poolTarget is a target whose pool empties after a few polls (or never).
type poolTarget struct {
	target
	left []int // what successive polls answer; the last repeats
	ok   bool
}

func (p *poolTarget) Pending(context.Context) (int, bool, error) {
	n := p.left[0]
	if len(p.left) > 1 {
		p.left = p.left[1:]
	}
	return n, p.ok, nil
}

func TestWaitDrainedStartsOnAnEmptyPool(t *testing.T) {
	var log bytes.Buffer
	p := &poolTarget{left: []int{300, 120, 0}, ok: true}
	if err := waitDrained(context.Background(), p, &log, time.Minute); err != nil {
		t.Fatal(err)
	}
	if len(p.left) != 1 || !strings.Contains(log.String(), "120 transactions left") || !strings.Contains(log.String(), "pool is empty") {
		t.Fatalf("polls left %v, progress %q", p.left, log.String())
	}
	// A node without txpool_status is not waited for.
	if err := waitDrained(context.Background(), &poolTarget{left: []int{5}}, io.Discard, time.Minute); err != nil {
		t.Fatal(err)
	}
	// One that never drains is refused, with what is left.
	err := waitDrained(context.Background(), &poolTarget{left: []int{7}, ok: true}, io.Discard, 300*time.Millisecond)
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "holds 7 transactions") {
		t.Fatalf("never-draining pool: %v", err)
	}
}
