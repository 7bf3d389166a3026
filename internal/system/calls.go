package system

import (
	"fmt"
	"math/big"
	"sync"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/contracts"
)

var (
	artOnce sync.Once
	art     *contracts.Artifact
	artErr  error
)

// consortium returns the artifact, loaded once.
func consortium() (*contracts.Artifact, error) {
	artOnce.Do(func() { art, artErr = Consortium() })
	return art, artErr
}

// SettleCall is the call data of settle(), which decides the proposals
// whose voting period is over.
func SettleCall() []byte { return selector("settle") }

// TakeValidatorUpdatesCall is the call data of takeValidatorUpdates().
func TakeValidatorUpdatesCall() []byte { return selector("takeValidatorUpdates") }

func selector(method string) []byte {
	a, err := consortium()
	if err != nil {
		panic(fmt.Sprintf("the Consortium artifact is embedded in the binary: %v", err))
	}
	return a.ABI.Methods[method].ID
}

// revertReason is ": " and the reason of a revert, if ret holds one.
func revertReason(ret []byte) string {
	if r, err := abi.UnpackRevert(ret); err == nil {
		return ": " + r
	}
	return ""
}

// Action is one change a proposal makes, as the contract's Action tuple.
type Action struct {
	Kind uint8
	Data []byte
}

// The kinds of action.
const (
	KindSetMember     = 1
	KindSetValidators = 2
	KindSetRoles      = 3
	KindSetParam      = 4
	KindSetNode       = 5
	KindUpgrade       = 6
	KindFeeRecipient  = 7
	KindSetFrozen     = 8
	// KindSetNodeValidators is KindSetValidators with each key's admitted
	// node, from rule version VersionValidatorNodes.
	KindSetNodeValidators = 9
	// KindSetGoverned lists a contract that proposals may call, and
	// KindCall calls one, from rule version VersionValidatorNodes.
	KindSetGoverned = 10
	KindCall        = 11
	// KindSetNodeMember names the member that runs a node, from rule
	// version VersionValidatorNodes.
	KindSetNodeMember = 12
)

// The parameters a SetParam action sets.
const (
	ParamQuorum       = 1
	ParamThreshold    = 2
	ParamVotingPeriod = 3
	ParamPermissioned = 4
	ParamGasLimit     = 5 // the block gas limit, from the block after the change
	ParamBaseFee      = 6 // the base fee per gas in wei, from the block after the change
)

func mustType(t string, components []abi.ArgumentMarshaling) abi.Type {
	ty, err := abi.NewType(t, "", components)
	if err != nil {
		panic(err)
	}
	return ty
}

func arguments(types []string) abi.Arguments {
	args := make(abi.Arguments, len(types))
	for i, t := range types {
		switch t {
		case "(bytes32,uint64)[]":
			args[i] = abi.Argument{Type: mustType("tuple[]", []abi.ArgumentMarshaling{{Name: "pubKey", Type: "bytes32"}, {Name: "power", Type: "uint64"}})}
			continue
		case "(bytes32,uint64,bytes20)[]":
			args[i] = abi.Argument{Type: mustType("tuple[]", []abi.ArgumentMarshaling{{Name: "pubKey", Type: "bytes32"}, {Name: "power", Type: "uint64"}, {Name: "node", Type: "bytes20"}})}
			continue
		}
		args[i] = abi.Argument{Type: mustType(t, nil)}
	}
	return args
}

// DecodeSetValidators decodes the data of a SetValidators action.
func DecodeSetValidators(data []byte) ([]ValidatorUpdate, error) {
	return decodeList[ValidatorUpdate]("(bytes32,uint64)[]", "set-validators", data)
}

// decodeList decodes data, one argument of list type typ, into Ts; what
// names the action in the error.
func decodeList[T any](typ, what string, data []byte) ([]T, error) {
	args := arguments([]string{typ})
	var list []T
	out, err := args.Unpack(data)
	if err == nil {
		err = args.Copy(&list, out)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s data: %v", ErrCall, what, err)
	}
	return list, nil
}

// NodeValidator is a validator change that names the admitted node that
// signs with the key (the node is not read when Power is 0).
type NodeValidator struct {
	PubKey [32]byte
	Power  uint64
	Node   NodeID
}

// DecodeSetNodeValidators decodes the data of a SetNodeValidators action.
func DecodeSetNodeValidators(data []byte) ([]NodeValidator, error) {
	return decodeList[NodeValidator]("(bytes32,uint64,bytes20)[]", "set-node-validators", data)
}

func pack(types []string, values ...any) []byte {
	b, err := arguments(types).Pack(values...)
	if err != nil {
		panic(fmt.Sprintf("encode %v: %v", types, err))
	}
	return b
}

// SetMember adds or changes a member (weight 0 removes it).
func SetMember(name string, weight uint64, governors []common.Address) Action {
	return Action{KindSetMember, pack([]string{"string", "uint64", "address[]"}, name, weight, governors)}
}

// SetValidators changes validators' power (0 removes one, a new key adds it).
func SetValidators(updates ...ValidatorUpdate) Action {
	return Action{KindSetValidators, pack([]string{"(bytes32,uint64)[]"}, updates)}
}

// SetNodeValidators changes validators' power as SetValidators does, and
// names the admitted node that signs with each key it adds or keeps: the
// action by which a proposal adds a validator from rule version
// VersionValidatorNodes.
func SetNodeValidators(changes ...NodeValidator) Action {
	return Action{KindSetNodeValidators, pack([]string{"(bytes32,uint64,bytes20)[]"}, changes)}
}

// SetRoles replaces an account's roles.
func SetRoles(account common.Address, roles Role) Action {
	return Action{KindSetRoles, pack([]string{"address", "uint256"}, account, new(big.Int).SetUint64(uint64(roles)))}
}

// SetNode admits a node (admitted true, with a name for people) or revokes
// its admission.
func SetNode(id NodeID, admitted bool, name string) Action {
	return Action{KindSetNode, pack([]string{"bytes20", "bool", "string"}, [20]byte(id), admitted, name)}
}

// SetGoverned puts a contract on the consortium's list of those a proposal
// may call (Call), under name, or takes it off (listed false).
func SetGoverned(target common.Address, listed bool, name string) Action {
	return Action{KindSetGoverned, pack([]string{"address", "bool", "string"}, target, listed, name)}
}

// Call calls a governed contract with data, as the Consortium: the way a
// proposal grants an application's own roles (an issuer, an operator
// bank, a court), which the application keeps in its contract.
func Call(target common.Address, data []byte) Action {
	return Action{KindCall, pack([]string{"address", "bytes"}, target, data)}
}

// SetNodeMember names the member that runs an admitted node ("" names
// none): who answers for the node and the validator that signs on it.
func SetNodeMember(id NodeID, member string) Action {
	return Action{KindSetNodeMember, pack([]string{"bytes20", "string"}, [20]byte(id), member)}
}

// DecodeSetGoverned decodes the data of a SetGoverned action.
func DecodeSetGoverned(data []byte) (target common.Address, listed bool, name string, err error) {
	out, err := arguments([]string{"address", "bool", "string"}).Unpack(data)
	if err != nil {
		return target, false, "", fmt.Errorf("%w: set-governed data: %v", ErrCall, err)
	}
	return out[0].(common.Address), out[1].(bool), out[2].(string), nil
}

// DecodeSetNode decodes the data of a SetNode action.
func DecodeSetNode(data []byte) (id NodeID, admitted bool, name string, err error) {
	out, err := arguments([]string{"bytes20", "bool", "string"}).Unpack(data)
	if err != nil {
		return id, false, "", fmt.Errorf("%w: set-node data: %v", ErrCall, err)
	}
	return NodeID(out[0].([20]byte)), out[1].(bool), out[2].(string), nil
}

// ScheduleUpgrade schedules rule version from height on: a node whose
// binary does not know it stops before that height.
func ScheduleUpgrade(version, height uint64) Action {
	return Action{KindUpgrade, pack([]string{"uint64", "uint64"}, version, height)}
}

// SetFeeRecipient sets the account that receives the fees of the blocks a
// validator proposes.
func SetFeeRecipient(pubKey [32]byte, recipient common.Address) Action {
	return Action{KindFeeRecipient, pack([]string{"bytes32", "address"}, pubKey, recipient)}
}

// SetFrozen freezes or unfreezes an account by the consortium's decision:
// the only way to freeze a governor, and a way to unfreeze any account that
// no regulator can block.
func SetFrozen(account common.Address, frozen bool) Action {
	return Action{KindSetFrozen, pack([]string{"address", "bool"}, account, frozen)}
}

// SetParam sets a parameter (ParamQuorum …).
func SetParam(param uint8, value uint64) Action {
	return Action{KindSetParam, pack([]string{"uint8", "uint256"}, param, new(big.Int).SetUint64(value))}
}

// Pack encodes a call of the Consortium contract's method.
func Pack(method string, args ...any) ([]byte, error) { return packWith(consortium, method, args...) }

// packWith encodes a call of the method of a contract's artifact.
func packWith(load func() (*contracts.Artifact, error), method string, args ...any) ([]byte, error) {
	a, err := load()
	if err != nil {
		return nil, err
	}
	data, err := a.ABI.Pack(method, args...)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCall, method, err)
	}
	return data, nil
}

// Unpack decodes what the Consortium contract's method returned.
func Unpack(method string, ret []byte) ([]any, error) { return unpackWith(consortium, method, ret) }

// unpackWith decodes what the method of a contract's artifact returned.
func unpackWith(load func() (*contracts.Artifact, error), method string, ret []byte) ([]any, error) {
	a, err := load()
	if err != nil {
		return nil, err
	}
	out, err := a.ABI.Unpack(method, ret)
	if err != nil {
		return nil, fmt.Errorf("%w: %s returned %x: %v", ErrCall, method, ret, err)
	}
	return out, nil
}
