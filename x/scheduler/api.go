package scheduler

import (
	"context"

	"github.com/chuxin-chain/chuxin/internal/module"
	sched "github.com/chuxin-chain/chuxin/x/scheduler/types"
)

// API serves chuxin_scheduled.
type API struct{ chain module.Chain }

// Scheduled lists the scheduled calls that match q: by target, time range
// and status, reading at most types.ScanWindow ids from q.fromId; nextId
// says where to go on.
func (api *API) Scheduled(ctx context.Context, q sched.Query) (*sched.Page, error) {
	return sched.Read(ctx, func(ctx context.Context, data []byte) ([]byte, error) {
		return api.chain.Call(ctx, sched.Address, data)
	}, q)
}
