package client

import (
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/common"
)

// ParseAddress reads an address given on a command line, refusing a
// mixed-case one whose EIP-55 checksum is wrong (a mistyped digit).
func ParseAddress(s string) (common.Address, error) {
	if !common.IsHexAddress(s) {
		return common.Address{}, fmt.Errorf("%q is not an address (0x and 40 hex digits)", s)
	}
	a := common.HexToAddress(s)
	digits := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if digits != strings.ToLower(digits) && digits != strings.ToUpper(digits) && a.Hex()[2:] != digits {
		return common.Address{}, fmt.Errorf("%q fails its checksum (EIP-55): a digit is mistyped", s)
	}
	return a, nil
}

// ParseAddresses reads a comma-separated list of addresses (ParseAddress).
func ParseAddresses(s string) ([]common.Address, error) {
	var out []common.Address
	for _, a := range strings.Split(s, ",") {
		addr, err := ParseAddress(a)
		if err != nil {
			return nil, err
		}
		out = append(out, addr)
	}
	return out, nil
}
