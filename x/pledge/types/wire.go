package types

import (
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// Address is the pledge book's, deployed at genesis beside the Capsules
// contract in every chain with a beacon.
var Address = common.HexToAddress("0xC415000000000000000000000000000000000003")

// Opening is pledge_opensAt's answer: when a pledge written now opens, and
// the beacon round to seal it to.
type Opening struct {
	OpensAt  time.Time      `json:"opensAt"`
	Unix     hexutil.Uint64 `json:"unix"`
	Round    hexutil.Uint64 `json:"round"`
	TimeZone string         `json:"timeZone"`
}

// Info is pledge_info's answer: where the pledge book is, how many pledges
// it holds, and the time zone its anniversaries are in.
type Info struct {
	Contract common.Address `json:"contract"`
	Pledges  hexutil.Uint64 `json:"pledges"`
	TimeZone string         `json:"timeZone"`
}
