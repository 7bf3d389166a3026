package client_test

import (
	"strings"
	"testing"

	"github.com/chuxin-chain/chuxin/internal/module/client"
)

// TestParseAddress: lower, upper and checksummed addresses are taken; a
// mixed-case one with a wrong checksum, or no address at all, is refused.
func TestParseAddress(t *testing.T) {
	for _, ok := range []string{"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", "0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"} {
		if _, err := client.ParseAddress(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for bad, want := range map[string]string{"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92267": "checksum", "0xf39f": "not an address"} {
		if _, err := client.ParseAddress(bad); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if as, err := client.ParseAddresses("0x0000000000000000000000000000000000000001,0x0000000000000000000000000000000000000002"); err != nil || len(as) != 2 {
		t.Fatalf("a list: %v %v", as, err)
	}
}
