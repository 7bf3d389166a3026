// Package rpc serves the Ethereum JSON-RPC API (eth_*, net_*, web3_*) of a
// chuxin node over HTTP and WebSocket on one port, on go-ethereum's rpc
// server, so batches, subscriptions and error shapes are exactly what
// Ethereum tools expect.
//
// Every read goes to committed state through the store, never through the
// ABCI application's consensus path. `latest`, `safe` and `finalized` all name
// the last committed block: BFT finality is immediate. `pending` names no
// block (chuxin builds none ahead of consensus): block queries for it return
// null, state queries answer from the last committed block, and
// eth_getTransactionCount(pending) counts the sender's transactions waiting
// in the mempool.
//
// Requests are bounded: batch size and response size, the block range and
// result count of eth_getLogs, and the gas and time of eth_call and
// eth_estimateGas. A request over a bound gets an error that names the bound.
package rpc
