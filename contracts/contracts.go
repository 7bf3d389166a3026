// Package contracts embeds the compiled artifacts of the Solidity sources in
// this directory (compiled by compile.mjs with solc-js), so Go code such as
// the load generator can deploy them.
package contracts

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
)

//go:embed artifacts/*.json artifacts/v1/*.json artifacts/v4/*.json artifacts/v5/*.json
var artifacts embed.FS

// Artifact is one compiled contract.
type Artifact struct {
	Name     string
	ABI      abi.ABI
	Bytecode []byte // creation code, without constructor arguments
	Runtime  []byte // the deployed code (for a contract without immutables)
	// Storage is where solc laid out the contract's state variables: what
	// the node reads of a contract's storage is checked against it.
	Storage []StorageSlot
}

// StorageSlot is one state variable in solc's storage layout.
type StorageSlot struct {
	Label  string `json:"label"`
	Slot   uint64 `json:"slot"`
	Offset int    `json:"offset"`
}

// Load returns the artifact of the named contract (e.g. "ChuxinToken"). A
// system contract's code as an earlier chuxin rule version deployed it is
// under that version's folder ("v1/Consortium"): chains made under that
// version start with it, so their genesis state is what it was.
func Load(name string) (*Artifact, error) {
	return LoadFS(artifacts, name)
}

// LoadFS returns the artifact of the named contract from a module's
// embedded artifacts/ folder, as Load does from this one's.
func LoadFS(fsys fs.FS, name string) (*Artifact, error) {
	b, err := fs.ReadFile(fsys, "artifacts/"+name+".json")
	if err != nil {
		return nil, fmt.Errorf("contract %s: no artifact (run npm run compile): %w", name, err)
	}
	var raw struct {
		ABI      json.RawMessage `json:"abi"`
		Bytecode string          `json:"bytecode"`
		Runtime  string          `json:"deployedBytecode"`
		Storage  []StorageSlot   `json:"storage"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("contract %s: %w", name, err)
	}
	a := &Artifact{Name: name, Storage: raw.Storage}
	if err := a.ABI.UnmarshalJSON(raw.ABI); err != nil {
		return nil, fmt.Errorf("contract %s abi: %w", name, err)
	}
	if a.Bytecode, err = hexutil.Decode(raw.Bytecode); err != nil {
		return nil, fmt.Errorf("contract %s bytecode: %w", name, err)
	}
	if a.Runtime, err = hexutil.Decode(raw.Runtime); err != nil {
		return nil, fmt.Errorf("contract %s deployed bytecode: %w", name, err)
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

// DecodeLog decodes a log of a contract of this artifact: its event's name
// and its fields by name, the indexed ones among them (bytes32 values as
// common.Hash). False for a log of no event of its ABI, or that does not
// decode.
func (a *Artifact) DecodeLog(l *types.Log) (string, map[string]any, bool) {
	if len(l.Topics) == 0 {
		return "", nil, false
	}
	ev, err := a.ABI.EventByID(l.Topics[0])
	if err != nil {
		return "", nil, false
	}
	fields := map[string]any{}
	if err := a.ABI.UnpackIntoMap(fields, ev.Name, l.Data); err != nil {
		return "", nil, false
	}
	var indexed abi.Arguments
	for _, in := range ev.Inputs {
		if in.Indexed {
			indexed = append(indexed, in)
		}
	}
	if err := abi.ParseTopicsIntoMap(fields, indexed, l.Topics[1:]); err != nil {
		return "", nil, false
	}
	for k, v := range fields {
		if b, ok := v.([32]byte); ok {
			fields[k] = common.Hash(b)
		}
	}
	return ev.Name, fields, true
}
