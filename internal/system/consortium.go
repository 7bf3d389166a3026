package system

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"

	"github.com/chuxin-chain/chuxin/contracts"
)

// ConsortiumAddress is where every chain's Consortium contract lives.
var ConsortiumAddress = common.HexToAddress("0xC415000000000000000000000000000000000001")

// ConsortiumViewsAddress is where the Consortium contract's list views live
// (ConsortiumViews), which it serves at its own address by DELEGATECALL.
var ConsortiumViewsAddress = common.HexToAddress("0xC415000000000000000000000000000000000004")

// Role is a set of account roles, as the Consortium contract's bits.
type Role uint64

// The roles.
const (
	// RoleAdmin grants and revokes roles.
	RoleAdmin Role = 1
	// RoleDeployer may create contracts in a permissioned network.
	RoleDeployer Role = 2
	// RoleTransactor may send transactions in a permissioned network.
	RoleTransactor Role = 4
	// RoleRegulator freezes and unfreezes accounts and contracts.
	RoleRegulator Role = 8
)

var roleNames = []struct {
	role Role
	name string
}{{RoleAdmin, "admin"}, {RoleDeployer, "deployer"}, {RoleTransactor, "transactor"}, {RoleRegulator, "regulator"}}

// String names the roles of r, comma-separated.
func (r Role) String() string {
	var names []string
	for _, n := range roleNames {
		if r&n.role != 0 {
			names = append(names, n.name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ",")
}

// ParseRoles reads a comma-separated list of role names.
func ParseRoles(s string) (Role, error) { return roleOf(strings.Split(s, ",")) }

// roleOf reads a list of role names.
func roleOf(names []string) (Role, error) {
	var r Role
	for _, name := range names {
		name = strings.TrimSpace(strings.ToLower(name))
		found := false
		for _, n := range roleNames {
			if n.name == name {
				r |= n.role
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("%w: %q (the roles are admin, deployer, transactor, regulator)", ErrUnknownRole, name)
		}
	}
	return r, nil
}

// Storage slots of the Consortium contract's first state variables.
const (
	slotPermissions  = 0  // mapping(address => uint256)
	slotFreezes      = 1  // mapping(address => Freeze{uint64 since; address by})
	slotPermissioned = 2  // bool
	slotPending      = 3  // ValidatorUpdate[]
	slotDeadline     = 4  // uint64
	slotFrozen       = 5  // address[]
	slotAdmitted     = 6  // mapping(bytes20 => uint256)
	slotUpgrades     = 7  // Upgrade{uint64 version; uint64 height}[]
	slotFeeRecipient = 8  // mapping(bytes20 => address)
	slotGasLimit     = 9  // uint256
	slotBaseFee      = 10 // uint256

	// Read only where governance or consensus needs them, not per
	// transaction; appended variables keep these slots.
	slotGovernorOf    = 16 // mapping(address => bytes32)
	slotValidatorKeys = 18 // bytes32[]
	slotPowerOf       = 19 // mapping(bytes32 => uint64)
	slotFrozenIndex   = 22 // mapping(address => uint256), 1-based into frozen
	slotFrozenVersion = 33 // uint256
)

// frozenBit marks a frozen account in its permissions word.
var frozenBit = new(uint256.Int).Lsh(uint256.NewInt(1), 128)

// State is what the node reads of contract storage.
type State interface {
	GetState(addr common.Address, key common.Hash) common.Hash
}

func mappingSlot(key common.Address, slot uint64) common.Hash {
	var buf [64]byte
	copy(buf[12:32], key[:])
	binary.BigEndian.PutUint64(buf[56:], slot)
	return crypto.Keccak256Hash(buf[:])
}

func word(slot uint64) common.Hash {
	var h common.Hash
	binary.BigEndian.PutUint64(h[24:], slot)
	return h
}

// NodeID is a CometBFT node ID: 20 bytes, 40 hex digits in text.
type NodeID [20]byte

// ParseNodeID reads a node ID in hex (as CometBFT prints it).
func ParseNodeID(s string) (NodeID, error) {
	var id NodeID
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("%w: %q is not a node ID (40 hex digits; chuxin identity --home shows a node's)", ErrNodeID, s)
	}
	copy(id[:], b)
	return id, nil
}

// String is the ID as CometBFT prints it.
func (id NodeID) String() string { return hex.EncodeToString(id[:]) }

// ConsensusAddress is a consensus key's CometBFT address: the first 20
// bytes of its SHA-256, as evidence and commits name validators.
func ConsensusAddress(pubKey []byte) []byte {
	sum := sha256.Sum256(pubKey)
	return sum[:20]
}

// Admitted reports whether the consortium admitted the node.
func Admitted(st State, id NodeID) bool {
	var buf [64]byte
	copy(buf[:20], id[:]) // a bytes20 key is left-aligned
	binary.BigEndian.PutUint64(buf[56:], slotAdmitted)
	return st.GetState(ConsortiumAddress, crypto.Keccak256Hash(buf[:])) != (common.Hash{})
}

// FeeRecipientOf returns the fee recipient of the validator with the given
// CometBFT address, if the consortium set one.
func FeeRecipientOf(st State, validator []byte) (common.Address, bool) {
	var buf [64]byte
	copy(buf[:20], validator) // a bytes20 key is left-aligned
	binary.BigEndian.PutUint64(buf[56:], slotFeeRecipient)
	w := st.GetState(ConsortiumAddress, crypto.Keccak256Hash(buf[:]))
	return common.BytesToAddress(w[12:]), w != (common.Hash{})
}

// Limits are a block's gas limit and base fee, which the consortium sets
// (ParamGasLimit, ParamBaseFee; the genesis rules' at first).
type Limits struct {
	GasLimit uint64
	BaseFee  *big.Int
}

// LimitsOf reads the limits of the block after the state st: those in the
// Consortium contract.
func LimitsOf(st State) Limits {
	gas := st.GetState(ConsortiumAddress, common.BigToHash(new(big.Int).SetUint64(slotGasLimit)))
	fee := st.GetState(ConsortiumAddress, common.BigToHash(new(big.Int).SetUint64(slotBaseFee)))
	return Limits{GasLimit: new(big.Int).SetBytes(gas[:]).Uint64(), BaseFee: new(big.Int).SetBytes(fee[:])}
}

// GasLimitSlot is the Consortium contract's storage slot of the block gas
// limit, which the node raises to the floor where a rule version that
// needs it takes effect.
func GasLimitSlot() common.Hash { return common.BigToHash(new(big.Int).SetUint64(slotGasLimit)) }

// NodeRevokedTopic is the topic of the contract's NodeRevoked event.
var NodeRevokedTopic = crypto.Keccak256Hash([]byte("NodeRevoked(bytes20)"))

// Permissions are an account's roles and whether it is frozen.
type Permissions struct {
	Roles  Role
	Frozen bool
}

// PermissionsOf reads the permissions of account.
func PermissionsOf(st State, account common.Address) Permissions {
	w := st.GetState(ConsortiumAddress, mappingSlot(account, slotPermissions))
	v := new(uint256.Int).SetBytes32(w[:])
	return Permissions{
		Roles:  Role(v.Uint64() & 0xf),
		Frozen: new(uint256.Int).And(v, frozenBit).Sign() != 0,
	}
}

// Freeze is when and by whom an account was frozen.
type Freeze struct {
	Since uint64
	By    common.Address
}

// FreezeOf reads the freeze of account (zero if it is not frozen).
func FreezeOf(st State, account common.Address) Freeze {
	w := st.GetState(ConsortiumAddress, mappingSlot(account, slotFreezes))
	// Solidity packs since in the low 8 bytes, by in the next 20.
	return Freeze{Since: binary.BigEndian.Uint64(w[24:]), By: common.BytesToAddress(w[4:24])}
}

// Permissioned reports whether the network requires the transactor and
// deployer roles.
func Permissioned(st State) bool {
	return st.GetState(ConsortiumAddress, word(slotPermissioned)) != (common.Hash{})
}

// Frozen returns the frozen accounts, in the contract's order.
func Frozen(st State) []common.Address {
	n := new(big.Int).SetBytes(st.GetState(ConsortiumAddress, word(slotFrozen)).Bytes()).Uint64()
	if n == 0 {
		return nil
	}
	base := new(big.Int).SetBytes(crypto.Keccak256(word(slotFrozen).Bytes()))
	out := make([]common.Address, n)
	for i := range n {
		slot := common.BigToHash(new(big.Int).Add(base, new(big.Int).SetUint64(i)))
		out[i] = common.BytesToAddress(st.GetState(ConsortiumAddress, slot).Bytes())
	}
	return out
}

// Writer is what the node writes of contract storage.
type Writer interface {
	State
	SetState(addr common.Address, key, value common.Hash) common.Hash
}

// LiftFreeze lifts a freeze of account in the Consortium's storage, as the
// contract's unfreeze does (the account leaves the frozen list, by swapping
// the last into its place, and frozenVersion moves), without the
// contract's checks, and reports whether account was frozen. The node
// lifts so the freezes of the addresses where a rule version installs
// the Consortium's parts: version 1 let a regulator freeze any address but
// the Consortium's own, and a frozen part could never run again.
func LiftFreeze(st Writer, account common.Address) bool {
	if !PermissionsOf(st, account).Frozen {
		return false
	}
	set := func(slot common.Hash, v *big.Int) { st.SetState(ConsortiumAddress, slot, common.BigToHash(v)) }
	get := func(slot common.Hash) *big.Int { return st.GetState(ConsortiumAddress, slot).Big() }
	perm := mappingSlot(account, slotPermissions)
	set(perm, new(big.Int).AndNot(get(perm), frozenBit.ToBig()))
	set(mappingSlot(account, slotFreezes), new(big.Int))
	base := new(big.Int).SetBytes(crypto.Keccak256(word(slotFrozen).Bytes()))
	at := func(i uint64) common.Hash { return common.BigToHash(new(big.Int).Add(base, new(big.Int).SetUint64(i))) }
	index := mappingSlot(account, slotFrozenIndex)
	i, n := get(index).Uint64()-1, FrozenCount(st)
	last := common.BytesToAddress(st.GetState(ConsortiumAddress, at(n-1)).Bytes())
	set(at(i), new(big.Int).SetBytes(last.Bytes()))
	set(mappingSlot(last, slotFrozenIndex), new(big.Int).SetUint64(i+1))
	set(at(n-1), new(big.Int))
	set(word(slotFrozen), new(big.Int).SetUint64(n-1))
	set(index, new(big.Int))
	set(word(slotFrozenVersion), new(big.Int).Add(get(word(slotFrozenVersion)), common.Big1))
	return true
}

// Upgrade is a rule version scheduled by governance from a height on.
type Upgrade struct {
	Version uint64
	Height  uint64
}

// Upgrades returns the rule versions governance scheduled, by rising
// height; none is one read.
func Upgrades(st State) []Upgrade {
	n := new(big.Int).SetBytes(st.GetState(ConsortiumAddress, word(slotUpgrades)).Bytes()).Uint64()
	if n == 0 {
		return nil
	}
	base := new(big.Int).SetBytes(crypto.Keccak256(word(slotUpgrades).Bytes()))
	out := make([]Upgrade, n)
	for i := range n {
		w := st.GetState(ConsortiumAddress, common.BigToHash(new(big.Int).Add(base, new(big.Int).SetUint64(i))))
		// Packed: version in the low 8 bytes, height in the next 8.
		out[i] = Upgrade{Version: binary.BigEndian.Uint64(w[24:]), Height: binary.BigEndian.Uint64(w[16:24])}
	}
	return out
}

// IsGovernor reports whether account governs a member of the consortium.
func IsGovernor(st State, account common.Address) bool {
	return st.GetState(ConsortiumAddress, mappingSlot(account, slotGovernorOf)) != (common.Hash{})
}

// Validators returns the validator set the contract holds in st, in the
// contract's order: what consensus has, once the changes it has not taken
// yet (UpdatesPending) are taken.
func Validators(st State) []ValidatorUpdate {
	n := new(big.Int).SetBytes(st.GetState(ConsortiumAddress, word(slotValidatorKeys)).Bytes()).Uint64()
	base := new(big.Int).SetBytes(crypto.Keccak256(word(slotValidatorKeys).Bytes()))
	out := make([]ValidatorUpdate, n)
	for i := range n {
		key := st.GetState(ConsortiumAddress, common.BigToHash(new(big.Int).Add(base, new(big.Int).SetUint64(i))))
		var buf [64]byte
		copy(buf[:32], key[:])
		binary.BigEndian.PutUint64(buf[56:], slotPowerOf)
		w := st.GetState(ConsortiumAddress, crypto.Keccak256Hash(buf[:]))
		out[i] = ValidatorUpdate{PubKey: key, Power: binary.BigEndian.Uint64(w[24:])}
	}
	return out
}

// FrozenVersion returns the count of freezes and unfreezes so far, which
// changes whenever the frozen accounts do: a single read. It is 0 in
// chains whose contract predates it (and in those none has frozen).
func FrozenVersion(st State) uint64 {
	return new(big.Int).SetBytes(st.GetState(ConsortiumAddress, word(slotFrozenVersion)).Bytes()).Uint64()
}

// FrozenTopic and UnfrozenTopic are the topics of the contract's Frozen and
// Unfrozen events, whose first indexed argument is the account.
var (
	FrozenTopic   = crypto.Keccak256Hash([]byte("Frozen(address,address,string)"))
	UnfrozenTopic = crypto.Keccak256Hash([]byte("Unfrozen(address,address)"))
)

// FrozenCount returns how many accounts are frozen: a single read.
func FrozenCount(st State) uint64 {
	return new(big.Int).SetBytes(st.GetState(ConsortiumAddress, word(slotFrozen)).Bytes()).Uint64()
}

// UpdatesPending reports whether validator changes wait to be taken
// (TakeValidatorUpdates).
func UpdatesPending(st State) bool {
	return st.GetState(ConsortiumAddress, word(slotPending)) != (common.Hash{})
}

// SettleDue reports whether a proposal's voting period is over at block
// number (Settle).
func SettleDue(st State, number uint64) bool {
	w := st.GetState(ConsortiumAddress, word(slotDeadline))
	d := binary.BigEndian.Uint64(w[24:])
	return d != 0 && d <= number
}

// Consortium returns the contract's compiled artifact: its code under the
// newest chuxin rule version. Its ABI serves every version (each version's
// functions are the one before's and more).
func Consortium() (*contracts.Artifact, error) { return contracts.Load("Consortium") }

// ConsortiumAt returns the Consortium contract's artifact under chuxin rule
// version: the code a chain made under that version starts with, and the
// code the node installs on the block where that version takes effect.
// Each version keeps the code it was made with, so that a chain's blocks
// replay the same on this binary:
//   - version 1 (contracts/artifacts/v1): one contract;
//   - versions 2 to 4 (contracts/artifacts/v4): it serves its list views
//     from ConsortiumViews and keeps frozenVersion;
//   - version 5 (VersionSplit, contracts/artifacts/v5): split by concern
//     into parts under 20,000 bytes each (ConsortiumParts), for room to
//     grow;
//   - version 6 on (VersionValidatorNodes): a validator a proposal adds
//     names the admitted node that signs with it.
func ConsortiumAt(version uint64) (*contracts.Artifact, error) {
	return contracts.Load(consortiumFolder(version) + "Consortium")
}

// consortiumFolder is where the code of rule version's Consortium and its
// parts is kept: a folder per version whose code changed, the newest at
// the top.
func consortiumFolder(version uint64) string {
	switch {
	case version < 2:
		return "v1/"
	case version < VersionSplit:
		return "v4/"
	case version < VersionValidatorNodes:
		return "v5/"
	}
	return ""
}

// VersionSplit is the chuxin rule version from which the Consortium is
// split by concern (ConsortiumParts). It equals genesis.VersionSplit.
const VersionSplit = 5

// VersionValidatorNodes is the chuxin rule version from which a validator
// that a proposal adds names the admitted node that signs with it
// (SetNodeValidators), and a node that signs for a validator is not
// revoked. It equals genesis.VersionValidatorNodes.
const VersionValidatorNodes = 6

// The addresses of the Consortium's parts from rule version 5, which it
// serves at its own address by DELEGATECALL, on its storage.
var (
	ConsortiumPermissionsAddress = common.HexToAddress("0xC415000000000000000000000000000000000011")
	ConsortiumValidatorsAddress  = common.HexToAddress("0xC415000000000000000000000000000000000012")
	ConsortiumNetworkAddress     = common.HexToAddress("0xC415000000000000000000000000000000000013")
)

// ConsortiumPart is a contract the Consortium serves by DELEGATECALL: its
// list views, and from rule version 5 its parts by concern.
type ConsortiumPart struct {
	Name    string // the artifact's
	Address common.Address
}

// ConsortiumParts returns the parts of the Consortium of rule version, by
// address: none before version 2, the views (of version 2's code) to
// version 4, the views, permissions, validators and network from version
// 5, with their artifacts.
func ConsortiumParts(version uint64) ([]ConsortiumPart, []*contracts.Artifact, error) {
	var parts []ConsortiumPart
	switch {
	case version < 2:
		return nil, nil, nil
	case version < VersionSplit:
		parts = []ConsortiumPart{{"v4/ConsortiumViews", ConsortiumViewsAddress}}
	default:
		dir := consortiumFolder(version)
		parts = []ConsortiumPart{{dir + "ConsortiumViews", ConsortiumViewsAddress}, {dir + "ConsortiumPermissions", ConsortiumPermissionsAddress},
			{dir + "ConsortiumValidators", ConsortiumValidatorsAddress}, {dir + "ConsortiumNetwork", ConsortiumNetworkAddress}}
	}
	arts := make([]*contracts.Artifact, len(parts))
	for i, p := range parts {
		a, err := contracts.Load(p.Name)
		if err != nil {
			return nil, nil, err
		}
		arts[i] = a
	}
	return parts, arts, nil
}

// ConsortiumPartAddresses are the addresses of every rule version's parts.
var ConsortiumPartAddresses = []common.Address{ConsortiumViewsAddress, ConsortiumPermissionsAddress, ConsortiumValidatorsAddress, ConsortiumNetworkAddress}
