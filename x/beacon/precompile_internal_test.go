package beacon

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/core/vm"
)

// tlockBinary is a binary tlock ciphertext of round 42 (drand's format).
const tlockHeaderText = "age-encryption.org/v1\n-> tlock 42 ea774ddac3e3ec779d33eb47ab395dda0431421c8a4cd3679a3848cb60cad6ba\nlIjBGs4rqY/1GURpPPYyyIwaFxTUqVPhEtwmUbuwkL0yYAFWOakX0yJ2yfabAeF6\nBdTvnovs/xoowRjKG7ZXo2VpnxTZTG7qLlWIIvWT5FxFoQNLoXa9zKBqJEwJL7mS\nhWPUVQn291RrxfBTri5n5vifKcor0pKwx0RSBbI9cbI\n--- lxeDe7+rZdAmSYoRunl+Vi87KVr95ExJlzdZt5hvgSA\n"

// TestTimelockHeaderAnswers pins what the precompile answers for a corpus
// of inputs: its results are consensus, so a change of the parser beneath
// it (filippo.io/age) that changes one of them must not pass unnoticed.
func TestTimelockHeaderAnswers(t *testing.T) {
	round42 := "000000000000000000000000000000000000000000000000000000000000002a" + "ea774ddac3e3ec779d33eb47ab395dda0431421c8a4cd3679a3848cb60cad6ba"
	for name, tc := range map[string]struct {
		in     string
		out    string // hex, or the revert reason
		revert bool
	}{
		"binary":         {tlockHeaderText + "body", round42, false},
		"two recipients": {strings.Replace(tlockHeaderText, "\n---", "\n-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc\nEmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U\n---", 1), "with one recipient", true},
		"no tlock":       {strings.Replace(tlockHeaderText, "tlock 42", "scrypt 42", 1), "with one recipient", true},
		"round 0":        {strings.Replace(tlockHeaderText, "tlock 42", "tlock 0", 1), "with one recipient", true},
		"short hash":     {strings.Replace(tlockHeaderText, "ea774ddac3e3", "", 1), "not 32 bytes", true},
		"not age":        {"hello", "with one recipient", true},
		"empty":          {"", "with one recipient", true},
		"oversized":      {tlockHeaderText + strings.Repeat("x", 16<<10), "at most 16384 bytes", true},
	} {
		out, err := timelockHeader{}.Run([]byte(tc.in))
		if tc.revert {
			if !errors.Is(err, vm.ErrExecutionReverted) || !bytes.Contains(out, []byte(tc.out)) {
				t.Errorf("%s: %q, %v; want a revert with %q", name, out, err, tc.out)
			}
			continue
		}
		if err != nil || hex.EncodeToString(out) != tc.out {
			t.Errorf("%s: %x, %v", name, out, err)
		}
	}
}

// BenchmarkTimelockHeaderWorst measures the costliest inputs the
// precompile parses, 16 KiB of stanzas, against the gas they pay: compare
// the ns/gas it reports with ecrecover's (3,000 gas for some 25 µs).
func BenchmarkTimelockHeaderWorst(b *testing.B) {
	for name, line := range map[string]string{
		"args":   "-> a b c d e f g h i j k l m n o p q r s t u v w x y z\n",
		"bodies": "-> x\n" + strings.Repeat(strings.Repeat("A", 64)+"\n", 8) + "AAAA\n",
	} {
		var in strings.Builder
		in.WriteString("age-encryption.org/v1\n")
		for in.Len()+len(line) < 16<<10 {
			in.WriteString(line)
		}
		input := []byte(in.String())
		gas := timelockHeader{}.RequiredGas(input)
		b.Run(name, func(b *testing.B) {
			start := time.Now()
			for b.Loop() {
				_, _ = timelockHeader{}.Run(input)
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N)/float64(gas), "ns/gas")
		})
	}
}
