package capsule

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
)

// shareFile is a holder's share on disk.
type shareFile struct {
	Index uint32 `json:"index"`
	Share string `json:"share"` // hex, big-endian scalar
}

// MarshalJSON encodes the share as {"index": i, "share": hex}.
func (s Share) MarshalJSON() ([]byte, error) {
	return json.Marshal(shareFile{Index: s.Index, Share: hex.EncodeToString(s.Key.Bytes())})
}

// UnmarshalJSON decodes what MarshalJSON encodes.
func (s *Share) UnmarshalJSON(b []byte) error {
	var f shareFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("%w: share: %v", ErrEncoding, err)
	}
	raw, err := hex.DecodeString(f.Share)
	if err != nil {
		return fmt.Errorf("%w: share is not hex", ErrEncoding)
	}
	key, err := ParseSecretKey(raw)
	if err != nil {
		return err
	}
	if f.Index == 0 {
		return fmt.Errorf("%w: share index 0 (holders count from 1)", ErrEncoding)
	}
	s.Index, s.Key = f.Index, key
	return nil
}

// SaveShare writes a share to file, readable by its owner only.
func SaveShare(file string, s Share) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if err := os.WriteFile(file, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write beacon share: %w", err)
	}
	return nil
}

// LoadShare reads a share that SaveShare wrote.
func LoadShare(file string) (Share, error) {
	var s Share
	b, err := os.ReadFile(file)
	if err != nil {
		return s, fmt.Errorf("read beacon share: %w", err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("%s: %w", file, err)
	}
	return s, nil
}
