package pledge

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/x/pledge/contracts"
	pledge "github.com/chuxin-chain/chuxin/x/pledge/types"
)

// API is the pledge namespace.
type API struct{ chain module.Chain }

// zone is the chain's beacon and its time zone.
func (api *API) zone() (module.Beacon, *time.Location, error) {
	b, ok := api.chain.Beacon()
	if !ok {
		return b, nil, ErrNoBeacon
	}
	loc, err := time.LoadLocation(b.TimeZone())
	if err != nil {
		return b, nil, fmt.Errorf("the network's time zone %q: %w", b.TimeZone(), err)
	}
	return b, loc, nil
}

// Info tells where the pledge book is, how many pledges it holds, and the
// time zone its anniversaries are in.
func (api *API) Info(ctx context.Context) (*pledge.Info, error) {
	b, _, err := api.zone()
	if err != nil {
		return nil, err
	}
	art, err := contracts.PledgeBook()
	if err != nil {
		return nil, err
	}
	data, err := art.ABI.Pack("count")
	if err != nil {
		return nil, err
	}
	ret, err := api.chain.Call(ctx, pledge.Address, data)
	if err != nil {
		return nil, fmt.Errorf("read the pledge book: %w", err)
	}
	out, err := art.ABI.Unpack("count", ret)
	if err != nil {
		return nil, fmt.Errorf("read the pledge book's count: %w", err)
	}
	return &pledge.Info{Contract: pledge.Address, Pledges: hexutil.Uint64(out[0].(*big.Int).Uint64()), TimeZone: b.TimeZone()}, nil
}

// OpensAt tells when a pledge written now by a member who joined on the
// given day (YYYY-MM-DD) opens: the next anniversary at midnight in the
// network's time zone (years 0 or 1), or the one years-1 years after it,
// and the first beacon round at or after it, to seal to.
func (api *API) OpensAt(joined string, years int) (*pledge.Opening, error) {
	b, loc, err := api.zone()
	if err != nil {
		return nil, err
	}
	day, err := pledge.ParseDay(joined)
	if err != nil {
		return nil, err
	}
	at, err := pledge.OpensAt(day, years, time.Now(), loc)
	if err != nil {
		return nil, err
	}
	round := b.Info().RoundFrom(at.Unix())
	return &pledge.Opening{OpensAt: at, Unix: hexutil.Uint64(at.Unix()), Round: hexutil.Uint64(round), TimeZone: b.TimeZone()}, nil
}

// compatAPI keeps chuxin_pledgeOpensAt, pledge_opensAt's old name.
type compatAPI struct{ api *API }

// PledgeOpensAt is pledge_opensAt.
func (c *compatAPI) PledgeOpensAt(joined string, years int) (*pledge.Opening, error) {
	return c.api.OpensAt(joined, years)
}
