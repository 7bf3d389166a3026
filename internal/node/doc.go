// Package node wires one chuxin node together: configuration, the Pebble
// store, the ABCI application, CometBFT (consensus, p2p, mempool, block
// store) in the same process, and the Ethereum JSON-RPC server. It also
// writes the homes of new networks (genesis, keys, configuration).
//
// The application talks to CometBFT through in-process clients, one per ABCI
// connection, each serialized on its own. The mempool's is pipelined: a
// transaction gossiped by a peer is decoded and its sender recovered on
// worker goroutines, then checked in arrival order, so the peer's receive
// goroutine, which also carries its votes and block parts, never waits for
// ECDSA. Transactions from the JSON-RPC server arrive with their senders
// already recovered on the request's goroutine.
//
// CometBFT asks the application about every peer connection (filter_peers);
// the node refuses all of them once Stop has begun, so a peer that redials
// while this node stops is closed rather than left with a connection nobody
// serves, which it would keep for minutes and hold against the next start.
//
// A home directory holds:
//
//	config/chuxin.toml               node configuration (see package config)
//	config/genesis.json              CometBFT genesis; app_state is the EVM genesis
//	config/node_key.json             p2p identity
//	config/priv_validator_key.json   consensus signing key
//	data/                            CometBFT block store, state and WAL
//	data/chuxin.db/                  Ethereum state, blocks and receipts (Pebble)
package node
