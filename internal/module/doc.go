// Package module is the SDK of chuxin's modules: the optional interfaces
// through which an application plugs into the node, and the Set that
// checks a list of modules and serves their parts to the core.
//
// A module is one folder under x/ that owns what one application is: its
// contracts, its genesis accounts, its JSON-RPC namespace, its HTTP mounts
// (web pages) and its CLI commands. It implements Module and any of the
// optional interfaces below; the core asks the Set for each part and never
// names a module. internal/modules holds the one ordered list of the
// modules a binary carries; cmd/chuxin hands it to the node.
//
// What the core asks, and when:
//
//   - Genesis: at genesis (and whenever a node checks that its store holds
//     the chain its genesis file describes), each module's accounts are added
//     to the system contracts, in the order of the list. Two modules may not
//     place an account at one address, nor at a core contract's.
//   - Contracts: the system-contract addresses a module owns, by name, so
//     that the Set refuses two owners of one address and clients find them.
//   - APIs: at start, each module's services are registered on the JSON-RPC
//     server under the module's own namespace. Compat registrations keep an
//     old method name working in a namespace the module does not own; the
//     server refuses one whose method exists already.
//   - HTTP: at start, each module's mounts are served on the JSON-RPC port,
//     under their URL prefix, to GET requests from any origin (pages and
//     public data; a mount never changes state).
//   - Commands: the CLI adds each module's commands to its root.
//   - Code: where a rule version takes effect, a module's contracts get
//     that version's code, their storage kept.
//   - Precompiles: the executor has a module's precompiled contracts in
//     blocks from their rule version on.
//   - Admission: the executor applies a module's part of the admission
//     rule to every transaction, in the mempool and in blocks.
//   - Consensus: at start, each node makes its part from the genesis and its
//     own secrets (ConsensusParts); the executor is built with the parts'
//     payload handlers, proposals carry their payloads first and are
//     checked by them, the one VoteExtender extends this validator's
//     votes, MempoolEntries keep entries of their own in the mempool, and
//     Runners run beside the node until it stops.
//
// A module's APIs and mounts read the node through Chain, read-only: calls
// and state at the head, rule versions, committed headers, logs and system
// logs by block, senders, the beacon, and what this node alone has seen of
// the network (Node).
//
// NewSet refuses a list with two modules of one name, JSON-RPC namespace,
// system-contract address or URL prefix, or one that takes a name the core
// serves itself (go-ethereum's server would silently merge two services of
// one namespace). The Set never changes after NewSet: the executor, the
// store and the server are built once from it.
package module
