// Package contracts embeds the compiled artifacts of the Solidity sources in
// this directory (compiled by compile.mjs with solc-js), so Go code such as
// the load generator can deploy them.
package contracts

import (
	"embed"
	"encoding/json"
	"fmt"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

//go:embed artifacts/*.json
var artifacts embed.FS

// Artifact is one compiled contract.
type Artifact struct {
	Name     string
	ABI      abi.ABI
	Bytecode []byte // creation code, without constructor arguments
}

// Load returns the artifact of the named contract (e.g. "ChuxinToken").
func Load(name string) (*Artifact, error) {
	b, err := artifacts.ReadFile("artifacts/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("contract %s: no artifact (run npm run compile): %w", name, err)
	}
	var raw struct {
		ABI      json.RawMessage `json:"abi"`
		Bytecode string          `json:"bytecode"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("contract %s: %w", name, err)
	}
	a := &Artifact{Name: name}
	if err := a.ABI.UnmarshalJSON(raw.ABI); err != nil {
		return nil, fmt.Errorf("contract %s abi: %w", name, err)
	}
	if a.Bytecode, err = hexutil.Decode(raw.Bytecode); err != nil {
		return nil, fmt.Errorf("contract %s bytecode: %w", name, err)
	}
	return a, nil
}

// DeployData returns creation code with ABI-encoded constructor arguments.
func (a *Artifact) DeployData(args ...any) ([]byte, error) {
	enc, err := a.ABI.Pack("", args...)
	if err != nil {
		return nil, fmt.Errorf("contract %s constructor: %w", a.Name, err)
	}
	return append(append([]byte{}, a.Bytecode...), enc...), nil
}
