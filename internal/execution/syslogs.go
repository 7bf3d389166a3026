package execution

import (
	"bytes"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/ethereum/go-ethereum/trie"

	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// Phase says where in a block a system call ran.
type Phase uint8

// The phases of a block, in the order they run.
const (
	PhasePayload   Phase = 1 // a payload's handler, before the transactions
	PhasePreBlock  Phase = 2 // a pre-block hook
	PhasePostBlock Phase = 3 // a post-block hook, after the transactions
)

// String names the phase as the JSON-RPC shows it.
func (p Phase) String() string {
	switch p {
	case PhasePayload:
		return "payload"
	case PhasePreBlock:
		return "preBlock"
	case PhasePostBlock:
		return "postBlock"
	}
	return fmt.Sprintf("phase(%d)", uint8(p))
}

// SystemLog is a log that a system call emitted: what the node did on its
// own in a block (a proposal settled, a validator punished, an epoch key
// released, a scheduled call fired), which no transaction's receipt holds.
// A block keeps its system logs in the order they were emitted; from rule
// version genesis.VersionSystemLogs its AppHash covers them
// (SystemLogsRoot).
//
// Its RLP encoding, the value under key rlp(index) in the block's system
// logs trie, is [address, topics, data, call, phase, to, method].
type SystemLog struct {
	Address common.Address // the contract that emitted it
	Topics  []common.Hash
	Data    []byte
	// Call is the system call's place among the block's system calls
	// (counting those that failed), from 0.
	Call   uint64
	Phase  Phase
	To     common.Address // the contract the node called
	Method [4]byte        // the selector it called
}

// SystemLogs are a block's system logs; as a types.DerivableList they
// hash into the block's system logs root.
type SystemLogs []SystemLog

// Len is the number of logs.
func (l SystemLogs) Len() int { return len(l) }

// EncodeIndex writes the RLP encoding of log i.
func (l SystemLogs) EncodeIndex(i int, w *bytes.Buffer) {
	if err := rlp.Encode(w, &l[i]); err != nil {
		panic(fmt.Sprintf("execution: encode system log %d: %v", i, err)) // fixed-shape fields encode always
	}
}

// SystemLogsRoot is the root of the Merkle Patricia trie that maps
// rlp(index) to each log's encoding, as an Ethereum block's receipts root
// maps its receipts: types.EmptyRootHash for a block without system logs,
// so that an idle chain keeps one AppHash.
func SystemLogsRoot(logs SystemLogs) common.Hash {
	return types.DeriveSha(logs, trie.NewStackTrie(nil))
}

// AppHash is what the validators sign for an executed block, the value a
// chuxin block reports to consensus, so that their commit signatures
// certify its accounts, storage, receipts and logs (CometBFT's data hash
// already certifies the transactions):
//   - keccak256(stateRoot ‖ receiptsRoot ‖ systemLogsRoot) from rule
//     version genesis.VersionSystemLogs, which certifies the system logs
//     too;
//   - keccak256(stateRoot ‖ receiptsRoot) before it (systemLogsRoot nil).
//
// An empty block after an empty block leaves it unchanged, so an idle
// chain stays idle.
func AppHash(h *types.Header, systemLogsRoot *common.Hash) []byte {
	if systemLogsRoot == nil {
		return crypto.Keccak256(h.Root.Bytes(), h.ReceiptHash.Bytes())
	}
	return crypto.Keccak256(h.Root.Bytes(), h.ReceiptHash.Bytes(), systemLogsRoot.Bytes())
}

// CommittedAppHash returns the AppHash of the committed block h and, from
// rule version genesis.VersionSystemLogs, the system logs root it covers.
// It reads the block's rule version in st, the state of h or of a block
// after it (a rule upgrade is scheduled only for a later height, so a later
// state knows every one in force at h; the genesis block is under the
// version of block 1), then stateErr says whether those reads failed; it
// reads the block's system logs (logs) only where its version covers them.
func (e *Executor) CommittedAppHash(st system.State, h *types.Header, stateErr func() error, logs func(number uint64) (SystemLogs, error)) ([]byte, *common.Hash, error) {
	number := h.Number.Uint64()
	version := e.VersionAt(st, number)
	if err := stateErr(); err != nil {
		return nil, nil, fmt.Errorf("the rule version of block %d: %w", number, err)
	}
	if version < genesis.VersionSystemLogs {
		return AppHash(h, nil), nil, nil
	}
	l, err := logs(number)
	if err != nil {
		return nil, nil, err
	}
	root := SystemLogsRoot(l)
	return AppHash(h, &root), &root, nil
}
