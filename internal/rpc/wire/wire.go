// Package wire is the wire types of the core's chuxin namespace that
// clients decode (chuxin_getSystemLogs, chuxin_getSystemLogProof): clients
// import it without the JSON-RPC server. A module's wire types are in its
// own types package (x/NAME/types).
package wire

import (
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// SystemLog is one log of chuxin_getSystemLogs: a log that a system call
// emitted, which no transaction's receipt holds (a proposal settled, a
// validator punished, an epoch key released, a scheduled call fired). It
// has eth_getLogs's fields where they apply; logIndex counts among the
// block's system logs, and systemCall names the call that emitted it.
type SystemLog struct {
	Address        common.Address `json:"address"`
	Topics         []common.Hash  `json:"topics"`
	Data           hexutil.Bytes  `json:"data"`
	BlockNumber    hexutil.Uint64 `json:"blockNumber"`
	BlockHash      common.Hash    `json:"blockHash"`
	BlockTimestamp hexutil.Uint64 `json:"blockTimestamp"`
	LogIndex       hexutil.Uint64 `json:"logIndex"`
	SystemCall     SystemCall     `json:"systemCall"`
	Removed        bool           `json:"removed"`
}

// SystemCall names a system call of a block.
type SystemCall struct {
	// Index is its place among the block's system calls, from 0.
	Index hexutil.Uint64 `json:"index"`
	// Phase is where in the block it ran: payload, preBlock (before the
	// transactions) or postBlock (after them).
	Phase  string         `json:"phase"`
	To     common.Address `json:"to"`     // the contract the node called
	Method hexutil.Bytes  `json:"method"` // the 4-byte selector it called
}

// SystemLogProof is chuxin_getSystemLogProof's answer: a system log in its
// RLP encoding ([address, topics, data, call, phase, to, method]), its
// Merkle proof against its block's system logs root, and what links that
// root to the validators' signatures.
//
// A light client checks it in three steps:
//  1. keccak256(stateRoot ‖ receiptsRoot ‖ systemLogsRoot) equals appHash;
//  2. the CometBFT header at consensusHeight (one above blockNumber) has
//     that AppHash, in a commit signed by more than two thirds of the
//     voting power of a validator set the client trusts;
//  3. the proof, walked from systemLogsRoot along the key rlp(logIndex),
//     ends in log.
type SystemLogProof struct {
	BlockNumber     hexutil.Uint64 `json:"blockNumber"`
	BlockHash       common.Hash    `json:"blockHash"`
	LogIndex        hexutil.Uint64 `json:"logIndex"`
	Log             hexutil.Bytes  `json:"log"`
	SystemLogsRoot  common.Hash    `json:"systemLogsRoot"`
	StateRoot       common.Hash    `json:"stateRoot"`
	ReceiptsRoot    common.Hash    `json:"receiptsRoot"`
	AppHash         hexutil.Bytes  `json:"appHash"`
	ConsensusHeight hexutil.Uint64 `json:"consensusHeight"`
	Proof           []string       `json:"proof"`
}
