package client

import (
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/chuxin-chain/chuxin/internal/module/client"
)

// errCallFormat is --call's format.
var errCallFormat = errors.New("want ADDRESS:FUNCTION(TYPES)[:ARG,ARG…] or ADDRESS:0xCALLDATA")

// callData reads a --call: the target and the calldata, given whole in hex
// or as a function's signature and its arguments, comma-separated, of the
// types address, bool, intN, uintN, bytesN, bytes and string, written as
// the signature's canonical form writes them (a string argument holds no
// comma; give such a call in hex).
func callData(spec string) (common.Address, []byte, error) {
	target, rest, ok := strings.Cut(spec, ":")
	if !ok {
		return common.Address{}, nil, errCallFormat
	}
	to, err := client.ParseAddress(target)
	if err != nil {
		return common.Address{}, nil, fmt.Errorf("%w: %w", errCallFormat, err)
	}
	if strings.HasPrefix(rest, "0x") {
		data, err := hexutil.Decode(rest)
		if err != nil || len(data) < 4 {
			return to, nil, fmt.Errorf("%w: the calldata is hex of at least 4 bytes", errCallFormat)
		}
		return to, data, nil
	}
	open, shut := strings.Index(rest, "("), strings.Index(rest, ")")
	if open <= 0 || shut < open || (shut+1 < len(rest) && rest[shut+1] != ':') {
		return to, nil, errCallFormat
	}
	name, typeList, argText := rest[:open], rest[open+1:shut], strings.TrimPrefix(rest[shut+1:], ":")
	var types, texts []string
	if typeList != "" {
		types = strings.Split(typeList, ",")
	}
	if argText != "" {
		texts = strings.Split(argText, ",")
	}
	if len(types) != len(texts) {
		return to, nil, fmt.Errorf("%s takes %d arguments, %d given", name, len(types), len(texts))
	}
	args := make(abi.Arguments, len(types))
	values := make([]any, len(types))
	for i, t := range types {
		typ, err := abi.NewType(t, "", nil)
		if err != nil || !canonical(t) {
			return to, nil, fmt.Errorf("type %q: write one of address, bool, string, bytes, bytes1 to bytes32, int8 to int256 or uint8 to uint256 (in steps of 8), with no name or space", t)
		}
		args[i] = abi.Argument{Type: typ}
		if values[i], err = argValue(typ, texts[i]); err != nil {
			return to, nil, fmt.Errorf("argument %d (%s): %w", i+1, t, err)
		}
	}
	packed, err := args.Pack(values...)
	if err != nil {
		return to, nil, err
	}
	sig := name + "(" + typeList + ")"
	return to, append(crypto.Keccak256([]byte(sig))[:4], packed...), nil
}

// canonical reports whether t is an elementary type as a function's
// canonical signature writes it (uint256, not uint or uint7).
func canonical(t string) bool {
	switch t {
	case "address", "bool", "string", "bytes":
		return true
	}
	for prefix, most := range map[string]int{"bytes": 32, "uint": 256, "int": 256} {
		digits, ok := strings.CutPrefix(t, prefix)
		n, err := strconv.Atoi(digits)
		if ok && err == nil && strconv.Itoa(n) == digits && n >= 1 && n <= most && (prefix == "bytes" || n%8 == 0) {
			return true
		}
	}
	return false
}

// argValue is text as a value of typ, in the Go type the ABI packer takes.
func argValue(typ abi.Type, text string) (any, error) {
	switch typ.T {
	case abi.AddressTy:
		return client.ParseAddress(text)
	case abi.BoolTy:
		return strconv.ParseBool(text)
	case abi.StringTy:
		return text, nil
	case abi.BytesTy:
		return hexutil.Decode(text)
	case abi.FixedBytesTy:
		b, err := hexutil.Decode(text)
		if err != nil || len(b) != typ.Size {
			return nil, fmt.Errorf("%q is not %d bytes in hex", text, typ.Size)
		}
		v := reflect.New(typ.GetType()).Elem()
		reflect.Copy(v, reflect.ValueOf(b))
		return v.Interface(), nil
	case abi.IntTy, abi.UintTy:
		// Decimal, or hex with 0x: a leading zero is not octal.
		n, ok := new(big.Int), false
		if hex, isHex := strings.CutPrefix(text, "0x"); isHex {
			n, ok = n.SetString(hex, 16)
		} else {
			n, ok = n.SetString(text, 10)
		}
		if !ok {
			return nil, fmt.Errorf("%q is not a number (decimal, or hex with 0x)", text)
		}
		lo, hi := new(big.Int), new(big.Int).Lsh(big.NewInt(1), uint(typ.Size)) // [0, 2^size)
		if typ.T == abi.IntTy {                                                 // [-2^(size-1), 2^(size-1))
			hi.Rsh(hi, 1)
			lo.Neg(hi)
		}
		if n.Cmp(lo) < 0 || n.Cmp(hi) >= 0 {
			return nil, fmt.Errorf("%s does not fit %s", text, typ.String())
		}
		goType := typ.GetType()
		if goType == reflect.TypeFor[*big.Int]() {
			return n, nil
		}
		if typ.T == abi.IntTy {
			return reflect.ValueOf(n.Int64()).Convert(goType).Interface(), nil
		}
		return reflect.ValueOf(n.Uint64()).Convert(goType).Interface(), nil
	}
	return nil, fmt.Errorf("type %s is not taken here: give the call in hex (ADDRESS:0xCALLDATA)", typ.String())
}
