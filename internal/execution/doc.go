// Package execution is chuxin's state transition: a decided block in,
// receipts, a state root, an Ethereum block and what the block asks of
// consensus out.
//
// A block (BlockInput) is applied in a fixed order: its system payloads
// (data the proposer put in the block that is not an Ethereum transaction,
// each applied by its type's PayloadHandler through system calls), the
// pre-block hooks, the raw Ethereum transactions in block order, the
// post-block hooks. Hooks and payload handlers make system calls (System):
// calls from go-ethereum's system address that pay no gas and leave no
// receipt, as go-ethereum's own for EIP-4788 and EIP-7685. A hook writes
// state only when it has work, so an idle chain stays idle. Post-block hooks
// may return validator and consensus-parameter updates (Updates), which the
// Result carries out to consensus.
//
// Whether a transaction may run is decided by one rule, Admit, which both
// block execution (on the block's state) and mempool admission (on its view
// of the next state) call: the transaction type the forks in force allow,
// gas caps, intrinsic gas, fees, nonce and balance. The rules in force at a
// block are the chain's genesis rules at its number and time; a height
// whose chuxin rule version this binary does not know is refused.
//
// It uses go-ethereum's core, core/vm and core/state as a library and adds
// nothing of its own to the EVM. It does no I/O beyond the state database it
// is handed (whose dirty trie nodes stay in memory until the store commits
// them), reads no clock and iterates no map: two nodes that execute the same
// block over the same parent state reach the same root, bit for bit.
//
// The logs that system calls emit are in no receipt; a block keeps them as
// its system logs (SystemLog), each naming the system call that emitted
// it. The AppHash of a block is keccak256(stateRoot ‖ receiptsRoot ‖
// systemLogsRoot) from rule version 4 (genesis.VersionSystemLogs), so the
// validators certify those logs too, and keccak256(stateRoot ‖
// receiptsRoot) before it (AppHash).
//
// A transaction that cannot be executed (bad encoding, bad signature, wrong
// nonce, too little balance for its gas, no room left in the block) is not
// part of the Ethereum block: it is reported with the reason and changes
// nothing. Proposers filter such transactions out before proposing, so in
// practice they only appear when a byzantine proposer includes them. A
// payload or hook that fails returns an error, which halts the chain on
// every node alike rather than let nodes diverge.
package execution
