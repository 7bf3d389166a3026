// Package genesis is what a chuxin chain starts from: its whole rule set, its
// first validators with their fee recipients, the initial state, and the
// system contracts every chain holds.
//
// The rules are data, not code. A chain's genesis names its Ethereum fork
// schedule (a go-ethereum ChainConfig: forks by block number before the
// Merge, by block time after it), chuxin's own rule versions and the height
// from which each applies, the height from which CometBFT's vote extensions
// are on, the block gas limit, the base fee and whether unprotected
// transactions are admitted. A node stores the rules with the genesis block
// and refuses to open a data directory whose stored rules differ from its
// genesis, naming the field (see Diff). So a go-ethereum upgrade that adds a
// fork never changes an existing chain: a fork the genesis does not schedule
// is not active, and a fork the genesis schedules but this binary's
// go-ethereum does not know is refused when the genesis is read.
//
// A rule version that this binary does not know (RuleVersion above
// KnownRuleVersion) may be scheduled: nodes run normally until the height it
// activates and refuse to execute that height (ErrUnknownRules), so an
// operator who did not upgrade stops there instead of forking off.
//
// The package reads no clock and holds no state: Parse and Validate turn the
// app_state of a CometBFT genesis document into a Genesis or a refusal that
// names the field.
package genesis
