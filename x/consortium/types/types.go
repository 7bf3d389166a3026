// Package types is the consortium module's wire types: the answers of
// chuxin_audit and chuxin_consortium, which the governance CLI and other
// clients decode without importing the server.
package types

import (
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// AuditQuery filters chuxin_audit. Every field is optional.
type AuditQuery struct {
	// FromBlock and ToBlock bound the blocks read, at most
	// rpc.max_log_block_range of them: by default the last that many up
	// to the head.
	FromBlock *hexutil.Uint64 `json:"fromBlock"`
	ToBlock   *hexutil.Uint64 `json:"toBlock"`
	// Account keeps the entries that an account made or that concern it.
	Account *common.Address `json:"account"`
	// Kind keeps one kind: proposal, vote, member, validator, role, freeze,
	// node, param, contract.
	Kind     string `json:"kind"`
	Page     int    `json:"page"`     // from 0
	PageSize int    `json:"pageSize"` // default 100, at most 1000
}

// AuditEntry is one governance action, role change, admission, freeze or
// evidence: who did what, in which block and transaction.
type AuditEntry struct {
	Block hexutil.Uint64 `json:"block"`
	Time  hexutil.Uint64 `json:"time"`
	Tx    *common.Hash   `json:"tx,omitempty"`
	// Actor is the transaction's sender, or "consensus" for what the node
	// did by a system call (a proposal decided when its voting period
	// ended, evidence of misbehaviour).
	Actor  string         `json:"actor"`
	Kind   string         `json:"kind"`
	Event  string         `json:"event"`
	Text   string         `json:"text"`
	Fields map[string]any `json:"fields"`
}

// AuditPage is one page of chuxin_audit's answer, oldest first.
type AuditPage struct {
	FromBlock hexutil.Uint64 `json:"fromBlock"`
	ToBlock   hexutil.Uint64 `json:"toBlock"`
	Total     int            `json:"total"`
	Page      int            `json:"page"`
	PageSize  int            `json:"pageSize"`
	Entries   []AuditEntry   `json:"entries"`
}

// ValidatorActivity is what a validator did over recent blocks.
type ValidatorActivity struct {
	Proposed uint64 `json:"proposed"`
	Signed   uint64 `json:"signed"`
	Missed   uint64 `json:"missed"`
}

// ConsortiumInfo is chuxin_consortium's answer.
type ConsortiumInfo struct {
	Permissioned bool   `json:"permissioned"`
	Quorum       uint64 `json:"quorum"`
	Threshold    uint64 `json:"threshold"`
	VotingPeriod uint64 `json:"votingPeriod"`
	// GasLimit and BaseFee are the next block's, as the consortium set them.
	GasLimit   uint64          `json:"gasLimit"`
	BaseFee    *hexutil.Big    `json:"baseFee"`
	Members    []MemberInfo    `json:"members"`
	Validators []ValidatorInfo `json:"validators"`
	Nodes      []NodeInfo      `json:"nodes"`
	// Governed are the contracts a proposal may call (rule version 6 on).
	Governed []GovernedContract `json:"governed,omitempty"`
	Window   uint64             `json:"activityBlocks"` // the blocks the validators' activity counts
	// RuleVersion is the chuxin rule version of the next block; Upgrades
	// the versions scheduled after it (by the genesis or by governance),
	// by height.
	RuleVersion uint64        `json:"ruleVersion"`
	Upgrades    []RuleUpgrade `json:"upgrades,omitempty"`
	// LastBlockTime is the time of the last block; BlockInterval the mean
	// seconds between the last activityBlocks blocks (0: fewer than two).
	LastBlockTime *time.Time `json:"lastBlockTime,omitempty"`
	BlockInterval float64    `json:"blockIntervalSeconds,omitempty"`
}

// GovernedContract is a contract on the consortium's list of those a
// proposal may call.
type GovernedContract struct {
	Address common.Address `json:"address"`
	Name    string         `json:"name"`
}

// RuleUpgrade is a rule version and the height it applies from.
type RuleUpgrade struct {
	Version uint64 `json:"version"`
	Height  uint64 `json:"height"`
}

// MemberInfo is a member of the consortium.
type MemberInfo struct {
	Name      string           `json:"name"`
	Weight    uint64           `json:"weight"`
	Governors []common.Address `json:"governors"`
}

// ValidatorInfo is a validator of the next set with its recent activity.
type ValidatorInfo struct {
	PubKey  common.Hash `json:"pubKey"`
	Address string      `json:"address"`        // CometBFT's
	Name    string      `json:"name,omitempty"` // the genesis's name for it, if it has one
	Power   uint64      `json:"power"`
	// Node is the admitted node that signs with the key, as the consortium
	// keeps it (rule version 6 on); empty where none is on record.
	Node string `json:"node,omitempty"`
	// Member is the member that runs that node, where the consortium
	// names one.
	Member string `json:"member,omitempty"`
	ValidatorActivity
}

// NodeInfo is an admitted node, and when this node last saw it connected.
type NodeInfo struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Member    string     `json:"member,omitempty"` // the member that runs it, where named
	Self      bool       `json:"self,omitempty"`   // the node that answers
	Connected bool       `json:"connected"`
	LastSeen  *time.Time `json:"lastSeen,omitempty"`
}
