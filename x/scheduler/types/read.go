package types

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/x/scheduler/contracts"
)

// ErrQuery: a query chuxin_scheduled cannot answer.
var ErrQuery = errors.New("invalid scheduler query")

// ScanWindow is how many ids one query reads at most.
const ScanWindow = 4096

// Caller runs a read-only call of the Scheduler contract at the head and
// returns what it returned: eth_call for a client, module.Chain.Call on the
// node.
type Caller func(ctx context.Context, data []byte) ([]byte, error)

// tuple mirrors the contract's Call struct.
type tuple struct {
	Owner    common.Address
	Time     uint64
	GasLimit uint64
	Status   uint8
	Target   common.Address
	FiredAt  uint64
	Data     []byte
	Reason   []byte
}

func (t *tuple) call(id uint64) Call {
	status := "unknown"
	if int(t.Status) < len(Statuses) {
		status = Statuses[t.Status]
	}
	return Call{ID: id, Owner: t.Owner, Target: t.Target, Time: t.Time, GasLimit: t.GasLimit, Status: status,
		FiredAt: t.FiredAt, Data: t.Data, Reason: string(t.Reason)}
}

// view calls a view of the contract and decodes its results.
func view(ctx context.Context, call Caller, method string, args ...any) ([]any, error) {
	art, err := contracts.Scheduler()
	if err != nil {
		return nil, err
	}
	data, err := art.ABI.Pack(method, args...)
	if err != nil {
		return nil, err
	}
	ret, err := call(ctx, data)
	if err != nil {
		return nil, fmt.Errorf("read the Scheduler contract (%s): %w", method, err)
	}
	if len(ret) == 0 {
		return nil, fmt.Errorf("%w: the Scheduler contract is not on this chain: it comes with rule version %d", ErrQuery, ActiveFrom)
	}
	return art.ABI.Unpack(method, ret)
}

// Get reads one call.
func Get(ctx context.Context, call Caller, id uint64) (*Call, error) {
	out, err := view(ctx, call, "get", new(big.Int).SetUint64(id))
	if err != nil {
		return nil, err
	}
	c := abi.ConvertType(out[0], new(tuple)).(*tuple).call(id)
	return &c, nil
}

// Read answers q: it reads at most ScanWindow ids from q.FromID and
// returns the calls among them that match, at most q.Limit.
func Read(ctx context.Context, call Caller, q Query) (*Page, error) {
	limit := q.Limit
	switch {
	case limit == 0:
		limit = 100
	case limit < 0 || limit > 1000:
		return nil, fmt.Errorf("%w: limit %d: 1 to 1000", ErrQuery, limit)
	}
	if q.Status != "" && !contains(Statuses[1:], q.Status) {
		return nil, fmt.Errorf("%w: status %q: one of pending, done, failed, cancelled", ErrQuery, q.Status)
	}
	page := &Page{Calls: []Call{}}
	for _, v := range []struct {
		method string
		dst    *uint64
	}{{"count", &page.Count}, {"pending", &page.Pending}, {"nextDue", &page.NextDue}} {
		out, err := view(ctx, call, v.method)
		if err != nil {
			return nil, err
		}
		*v.dst = out[0].(*big.Int).Uint64()
	}
	from := max(q.FromID, 1)
	end := min(page.Count, from+ScanWindow-1)
	for from <= end {
		n := min(end-from+1, 32)
		out, err := view(ctx, call, "list", new(big.Int).SetUint64(from), new(big.Int).SetUint64(n))
		if err != nil {
			return nil, err
		}
		list := *abi.ConvertType(out[0], new([]tuple)).(*[]tuple)
		if len(list) == 0 {
			break
		}
		for i := range list {
			c := list[i].call(from + uint64(i))
			if !q.matches(&c) {
				continue
			}
			page.Calls = append(page.Calls, c)
			if len(page.Calls) == limit {
				if c.ID < page.Count {
					page.NextID = c.ID + 1
				}
				return page, nil
			}
		}
		from += uint64(len(list))
	}
	if from <= page.Count {
		page.NextID = from
	}
	return page, nil
}

func (q *Query) matches(c *Call) bool {
	return (q.Target == nil || *q.Target == c.Target) && c.Time >= q.FromTime && (q.ToTime == 0 || c.Time <= q.ToTime) &&
		(q.Status == "" || q.Status == c.Status)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
