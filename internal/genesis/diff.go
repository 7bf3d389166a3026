package genesis

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// EncodeRules returns the canonical encoding of r that a node stores with
// its genesis block.
func EncodeRules(r *Rules) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode rules: %w", err)
	}
	return b, nil
}

// CheckStored compares the rules a data directory stored with r and names
// the first field that differs (ErrRulesDiffer), in a fixed order.
func CheckStored(stored []byte, r *Rules) error {
	want, err := EncodeRules(r)
	if err != nil {
		return err
	}
	var a, b any
	if err := json.Unmarshal(stored, &a); err != nil {
		return fmt.Errorf("%w: the stored rules are unreadable (%v): the database is damaged", ErrRulesDiffer, err)
	}
	if err := json.Unmarshal(want, &b); err != nil {
		return fmt.Errorf("encode rules: %w", err)
	}
	if path, sv, gv, ok := firstDiff("rules", a, b); ok {
		return fmt.Errorf("%w: %s is %s in the data directory and %s in genesis.json; use the genesis this data directory was made with, or a new home", ErrRulesDiffer, path, show(sv), show(gv))
	}
	return nil
}

// firstDiff walks two decoded JSON values in key order and returns the path
// of the first place they differ, with the two values there.
func firstDiff(path string, a, b any) (string, any, any, bool) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := make([]string, 0, len(am)+len(bm))
		for k := range am {
			keys = append(keys, k)
		}
		for k := range bm {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range slices.Compact(keys) {
			if p, x, y, ok := firstDiff(path+"."+k, am[k], bm[k]); ok {
				return p, x, y, true
			}
		}
		return "", nil, nil, false
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok && len(al) == len(bl) {
		for i := range al {
			if p, x, y, ok := firstDiff(fmt.Sprintf("%s[%d]", path, i), al[i], bl[i]); ok {
				return p, x, y, true
			}
		}
		return "", nil, nil, false
	}
	if show(a) != show(b) {
		return path, a, b, true
	}
	return "", nil, nil, false
}

func show(v any) string {
	if v == nil {
		return "unset"
	}
	b, _ := json.Marshal(v)
	return strings.TrimSpace(string(b))
}
