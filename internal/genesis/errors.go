package genesis

import "errors"

// Sentinel errors of the genesis. Callers match them with errors.Is; the
// wrapped message names the field and what to do.
var (
	// ErrInvalid: the genesis document is not usable.
	ErrInvalid = errors.New("invalid genesis")
	// ErrRulesDiffer: a data directory's stored rules are not this genesis's.
	ErrRulesDiffer = errors.New("stored rules differ from the genesis")
	// ErrUnknownRules: a height's rule version is newer than this binary knows.
	ErrUnknownRules = errors.New("rule version unknown to this binary")
	// ErrValidators: consensus's validators are not the ones this genesis names.
	ErrValidators = errors.New("validators differ from the genesis")
)
