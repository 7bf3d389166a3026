// Package rpc serves the Ethereum JSON-RPC API (eth_*, net_*, web3_*,
// txpool_*, chuxin_*, and debug_* when the configuration enables it) of a
// chuxin node over HTTP and WebSocket on one port, on go-ethereum's rpc
// server, so batches, subscriptions and error shapes are exactly what
// Ethereum tools expect.
//
// Every read goes to committed state through the store, never through the
// ABCI application's consensus path. `latest`, `safe`, `finalized` and
// `pending` all name the last committed block: BFT finality is immediate,
// and chuxin builds no pending block ahead of consensus (the next proposer
// makes it from its mempool). eth_getTransactionCount(pending) counts the
// sender's transactions waiting in the mempool too.
//
// Where go-ethereum's own code answers a question, it answers here:
// eth_call, eth_estimateGas and debug_traceCall take go-ethereum's state and
// block overrides (its internal types, reached through
// tracers.TraceCallConfig); eth_createAccessList runs its AccessListTracer;
// the debug_trace* methods run its tracers. What they run on is chuxin's:
// a traced block is executed again by chuxin's executor (execution.Replay),
// with the block's system payloads, hooks and admission rule, from its
// parent's state; eth_simulateV1 builds chuxin blocks.
//
// Requests are bounded: batch size and response size, the block range and
// result count of eth_getLogs, the gas and time of eth_call,
// eth_estimateGas and eth_simulateV1 (and its block and call counts), and
// the time of each traced transaction. A request over a bound gets an error
// that names the bound.
package rpc
