// Package system holds chuxin's system contracts as the node sees them:
// their fixed addresses, the storage slots the node reads, the genesis
// account each starts as, and the system-call hook that carries their
// decisions to consensus.
//
// The Consortium contract (contracts/system/Consortium.sol) governs a
// network: members with voting weight decide by proposals its members,
// validators, account roles and parameters; admins grant roles; regulators
// freeze accounts. Everything reaches it as ordinary transactions, from any
// Ethereum tool. The node reads three things of it:
//
//   - each account's permissions (roles and the frozen bit) and the
//     network's permission mode, for the one admission rule (execution.Admit);
//   - the frozen accounts, which execution makes revert when called;
//   - after each block, whether a voting period ended (settle) and whether
//     passed proposals changed the validators (takeValidatorUpdates), which
//     become CometBFT validator updates.
//
// The reads are of storage slots, whose positions a test checks against the
// compiler's storage layout, so they cost no EVM call on the hot path.
package system
