package capsule_test

import (
	"crypto/rand"
	"fmt"
	"testing"

	"github.com/chuxin-chain/chuxin/internal/capsule"
)

// The operations of a capsule's life: a validator's partial key for an
// epoch and its check by the proposer, their combination, the check of the
// epoch key, and sealing and opening a pledge-sized message.
func BenchmarkCapsule(b *testing.B) {
	const round = 99
	msg := make([]byte, 1024)
	for _, n := range []int{4, 100} {
		c, shares, err := capsule.Deal(capsule.DefaultThreshold(n), n, rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		partials := make([]capsule.Partial, len(shares))
		for i, s := range shares {
			partials[i] = s.PartialKey(round)
		}
		key, err := c.Combine(partials)
		if err != nil {
			b.Fatal(err)
		}
		ct, err := capsule.Encrypt(c.Master, "bench", round, msg, false)
		if err != nil {
			b.Fatal(err)
		}
		if n == 4 {
			b.Run("partial-key", func(b *testing.B) {
				for b.Loop() {
					shares[0].PartialKey(round)
				}
			})
			b.Run("verify-partial", func(b *testing.B) {
				for b.Loop() {
					if err := c.VerifyPartial(round, partials[0]); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("verify-key", func(b *testing.B) {
				for b.Loop() {
					if err := capsule.Verify(c.Master, round, key); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("seal-1KiB", func(b *testing.B) {
				for b.Loop() {
					if _, err := capsule.Encrypt(c.Master, "bench", round, msg, false); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("open-1KiB", func(b *testing.B) {
				for b.Loop() {
					if _, err := capsule.Decrypt(c.Master, "bench", ct, func(uint64) (*capsule.Signature, error) { return key, nil }); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run(fmt.Sprintf("combine-%d-of-%d", c.Threshold, n), func(b *testing.B) {
			for b.Loop() {
				if _, err := c.Combine(partials); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
