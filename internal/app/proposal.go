package app

import (
	"context"
	"slices"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"

	"github.com/chuxin-chain/chuxin/internal/execution"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// PrepareProposal builds the block this node proposes: its modules' system
// payloads first (module.ConsensusPart), then the mempool's transactions,
// taken round-robin by sender (one each per round, so that no sender takes
// more than a fair share while others wait), each sender's in nonce order,
// only those whose nonce follows on from the committed state without a
// gap, within the block's gas limit and byte budget. Transactions left out
// stay in the mempool.
func (a *App) PrepareProposal(_ context.Context, req *abci.PrepareProposalRequest) (*abci.PrepareProposalResponse, error) {
	head := a.store.Head()
	st, err := a.store.State(head.Root)
	if err != nil {
		return nil, err
	}
	at := execution.At{Number: uint64(req.Height), Time: uint64(req.Time.Unix()), Limits: system.LimitsOf(st)}
	// With proposer-based timestamps the block's time is taken again after
	// this, a little later: a transaction must pass under the forks of
	// both times, or a fork's activation between them gets the block
	// rejected.
	later := at
	later.Time += proposalTimeMargin
	gasLimit := at.Limits.GasLimit
	var out [][]byte
	var size int64
	var payloads []execution.Payload
	for _, part := range a.parts {
		p, err := part.Propose(req)
		if err != nil {
			a.log.Error("a module's payloads are left out of this proposal", "height", req.Height, "err", err)
			continue
		}
		payloads = append(payloads, p...)
	}
	for _, p := range payloads {
		raw := execution.EncodePayload(p)
		out, size = append(out, raw), size+int64(len(raw))
	}
	type cand struct {
		raw  []byte
		tx   *types.Transaction
		from common.Address
	}
	var (
		cands    []cand
		bySender = map[common.Address][]int{} // indexes into cands, sorted by nonce below
	)
	for _, raw := range req.Txs {
		tx, from, err := a.Recover(raw)
		if err != nil {
			continue // a module's mempool entry, or what CheckTx no longer takes
		}
		bySender[from] = append(bySender[from], len(cands))
		cands = append(cands, cand{raw, tx, from})
	}
	for _, idx := range bySender {
		slices.SortStableFunc(idx, func(i, j int) int {
			return cmpUint(cands[i].tx.Nonce(), cands[j].tx.Nonce())
		})
	}
	// Round-robin by sender, in the order each first appears in the
	// mempool: every round takes each sender's lowest-nonce transaction not
	// yet taken, so one sender with many transactions cannot fill a block
	// while others wait, and each sender's run in nonce order.
	var (
		gas    uint64
		active []common.Address // senders that may still add a transaction
		next   = map[common.Address]uint64{}
		cursor = map[common.Address]int{}
	)
	for _, c := range cands {
		if _, seen := next[c.from]; !seen {
			next[c.from] = st.GetNonce(c.from)
			active = append(active, c.from)
		}
	}
	// Each round keeps only the senders that took a transaction in it, so
	// the work is the candidates plus the picks, however many senders wait
	// behind a nonce gap; it ends when no transaction fits any more.
	for len(active) > 0 && gasLimit-gas >= params.TxGas {
		kept := active[:0]
		for _, from := range active {
			k := cursor[from]
			for k < len(bySender[from]) && cands[bySender[from][k]].tx.Nonce() < next[from] {
				k++ // committed already
			}
			if k == len(bySender[from]) {
				continue // none left
			}
			pick := cands[bySender[from][k]]
			if pick.tx.Nonce() > next[from] || gas+pick.tx.Gas() > gasLimit || size+int64(len(pick.raw)) > req.MaxTxBytes {
				continue // a gap, or it does not fit: the rest of this sender waits
			}
			// What ProcessProposal would refuse (a base fee raised since it
			// was pooled, say) holds the rest of its sender back too; only
			// the transactions the block takes are checked.
			if a.exec.AdmitStateless(pick.tx, from, at) != nil || a.exec.AdmitStateless(pick.tx, from, later) != nil {
				continue
			}
			gas += pick.tx.Gas()
			size += int64(len(pick.raw))
			next[from]++
			cursor[from] = k + 1
			out = append(out, pick.raw)
			kept = append(kept, from)
		}
		active = kept
	}
	return &abci.PrepareProposalResponse{Txs: out}, nil
}

// proposalTimeMargin is how many seconds after PrepareProposal's time the
// block's own may be (CometBFT takes the clock again for it).
const proposalTimeMargin = 60

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ProcessProposal rejects a proposal that an honest proposer could not have
// made: payloads out of place, of an unknown type or refused by their
// type's check; transactions that do not decode, are not signed, or fail
// the stateless part of the admission rule (type, chain, intrinsic gas,
// the block's gas limit and base fee: execution.CheckProposalTxs); more gas
// than a block holds. Nonce, balance and roles are left to execution,
// which skips what fails.
func (a *App) ProcessProposal(_ context.Context, req *abci.ProcessProposalRequest) (*abci.ProcessProposalResponse, error) {
	reject := &abci.ProcessProposalResponse{Status: abci.PROCESS_PROPOSAL_STATUS_REJECT}
	payloads, txs, err := execution.SplitBlock(req.Txs)
	if err == nil {
		err = a.exec.CheckPayloads(payloads)
	}
	if head := a.store.Head(); head != nil {
		for _, part := range a.parts {
			if err != nil {
				break
			}
			err = part.CheckProposal(time.Unix(int64(head.Time), 0), payloads)
		}
	}
	if err != nil {
		a.log.Warn("rejecting proposal", "height", req.Height, "reason", err)
		return reject, nil
	}
	head := a.store.Head()
	if head == nil {
		return nil, ErrNotReady
	}
	st, err := a.store.State(head.Root)
	if err != nil {
		return nil, err
	}
	at := execution.At{Number: uint64(req.Height), Time: uint64(req.Time.Unix()), Limits: system.LimitsOf(st)}
	if err := a.exec.CheckProposalTxs(txs, at); err != nil {
		a.log.Warn("rejecting proposal", "height", req.Height, "reason", err)
		return reject, nil
	}
	return &abci.ProcessProposalResponse{Status: abci.PROCESS_PROPOSAL_STATUS_ACCEPT}, nil
}
