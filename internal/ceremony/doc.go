// Package ceremony makes the genesis of a chuxin network whose members run
// their nodes on machines of their own, and writes the homes of a local
// network by the same steps.
//
// The ceremony has three steps, in the manner of Cosmos's gentx:
//
//  1. Init: each operator creates a node's home on its own machine. The
//     secret keys (the p2p node key and the consensus key) never leave it;
//     the home's config/part.json is the node's public part: its node ID,
//     consensus public key, the address peers dial, its voting power (0 for
//     an observer), the account that receives its blocks' fees, and the
//     consortium member (organisation) that runs it, with that member's
//     weight and governor accounts.
//
//  2. Assemble: one coordinator collects the parts and writes the genesis:
//     the CometBFT genesis document whose app_state is chuxin's genesis
//     (rules, validators, consortium, initial balances). Assemble checks
//     each part and the whole (unique node IDs and keys, one description
//     per member, at least one validator, a consortium the Consortium
//     contract's constructor accepts) and returns the file's bytes; its
//     SHA-256 (Hash) is the genesis hash the coordinator publishes.
//
//  3. Install: each operator checks the file it received against the
//     published hash and against its own part (its node admitted, its
//     validator key and power, its member's weight and governors, as it gave
//     them), then installs it in its home, records the hash in the
//     configuration (genesis_hash, checked at every start) and takes the
//     other nodes' addresses as its first peers.
//
// WriteNetwork runs the three steps for every node of a network on one
// machine (`chuxin testnet`, `chuxin devnet`), so local networks start from
// genesis files made the way real ones are.
package ceremony

import (
	"errors"

	"github.com/chuxin-chain/chuxin/internal/nodepart"
)

// Errors of the ceremony.
var (
	// ErrPart: a node's part is incomplete or malformed (nodepart.ErrPart).
	ErrPart = nodepart.ErrPart
	// ErrParts: the parts do not make one network together.
	ErrParts = errors.New("the parts do not fit together")
	// ErrHashMismatch: a genesis file is not the one whose hash was published.
	ErrHashMismatch = errors.New("genesis hash mismatch")
	// ErrNotInGenesis: a genesis leaves out or changes this node's part.
	ErrNotInGenesis = errors.New("the genesis does not hold this node's part as given")
	// ErrHomeExists: a home would be written over an existing one.
	ErrHomeExists = errors.New("home directory already exists")
	// ErrGrants: the genesis hands power to someone in a way no member
	// should accept (code at a governor, decision rules under the floors).
	ErrGrants = errors.New("the genesis grants power it must not")
	// ErrPolicy: the genesis breaks what the operator's policy expects.
	ErrPolicy = errors.New("the genesis breaks the policy")
)
