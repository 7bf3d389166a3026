// Package execution is chuxin's state transition: a decided block of raw
// Ethereum transactions in, receipts, a state root and an Ethereum block out.
//
// It uses go-ethereum's core, core/vm and core/state as a library and adds
// nothing of its own to the EVM. It does no I/O beyond the state database it
// is handed (whose dirty trie nodes stay in memory until the store commits
// them), reads no clock and iterates no map: two nodes that execute the same
// block over the same parent state reach the same root, bit for bit.
//
// A transaction that cannot be executed (bad encoding, bad signature, wrong
// nonce, too little balance for its gas, no room left in the block) is not
// part of the Ethereum block: it is reported with the reason and changes
// nothing. Proposers filter such transactions out before proposing, so in
// practice they only appear when a byzantine proposer includes them.
package execution
