package system

import (
	"fmt"
	"math/big"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/triedb"
	"github.com/holiman/uint256"
)

// Genesis is the consortium a chain starts with, in its genesis app_state.
type Genesis struct {
	// Members are the organisations that govern the network.
	Members []Member `json:"members"`
	// Quorum is the participation a proposal needs, in basis points of all
	// members' weight (5000: half).
	Quorum uint64 `json:"quorum"`
	// Threshold is the approval a proposal needs, in basis points of the
	// weight that voted (6667: two thirds).
	Threshold uint64 `json:"threshold"`
	// VotingPeriod is how many blocks a proposal takes votes for.
	VotingPeriod uint64 `json:"votingPeriod"`
	// Permissioned requires the transactor role to send and the deployer
	// role to create contracts; an open network requires neither.
	Permissioned bool `json:"permissioned"`
	// Roles are the accounts with roles at genesis.
	Roles []RoleGrant `json:"roles,omitempty"`
	// Nodes are the admitted nodes: only they may connect to the network's
	// nodes. Validators and observers are admitted nodes.
	Nodes []Node `json:"nodes"`
}

// Node is an admitted node.
type Node struct {
	ID   string `json:"id"` // CometBFT node ID, 40 hex digits
	Name string `json:"name,omitempty"`
	// Address is the host:port other nodes dial it at, as its operator
	// gave it to the genesis ceremony: nodes take their first peers from
	// it. It is not in the contract, and a node may move.
	Address string `json:"address,omitempty"`
	// Member is the name of the member that runs the node, one of
	// consortium.members (the ceremony fills it from the node's part). The
	// Consortium keeps it from rule version 6: who answers for the node
	// and the validator that signs on it.
	Member string `json:"member,omitempty"`
}

// Member is an organisation of the consortium.
type Member struct {
	Name      string           `json:"name"`
	Weight    uint64           `json:"weight"`
	Governors []common.Address `json:"governors"`
}

// RoleGrant gives an account roles.
type RoleGrant struct {
	Account common.Address `json:"account"`
	Roles   []string       `json:"roles"`
}

// The defaults of a new consortium's parameters.
const (
	DefaultQuorum       = 5000
	DefaultThreshold    = 6667
	DefaultVotingPeriod = 1000
)

// NewGenesis returns a consortium of one member with the default
// parameters, its governor also an admin and a regulator.
func NewGenesis(member string, governor common.Address, permissioned bool) Genesis {
	return Genesis{
		Members: []Member{{Name: member, Weight: 1, Governors: []common.Address{governor}}},
		Quorum:  DefaultQuorum, Threshold: DefaultThreshold, VotingPeriod: DefaultVotingPeriod,
		Permissioned: permissioned,
		Roles:        []RoleGrant{{Account: governor, Roles: []string{"admin", "regulator", "deployer", "transactor"}}},
	}
}

// ValidatorUpdate is a validator's consensus key and voting power, in
// CometBFT's terms (power 0 removes it).
type ValidatorUpdate struct {
	PubKey [32]byte
	Power  uint64
}

// GenesisValidator is a validator of the genesis with its fee recipient
// and the admitted node that signs with it (zero: not named; bound from
// rule version VersionValidatorNodes).
type GenesisValidator struct {
	ValidatorUpdate
	FeeRecipient common.Address
	Node         NodeID
}

// Validate reports the first thing the contract's constructor would refuse,
// in words.
func (g *Genesis) Validate() error {
	if len(g.Members) == 0 {
		return fmt.Errorf("%w: consortium.members: a network needs at least one member", ErrGenesis)
	}
	var weight uint64
	for _, m := range g.Members {
		if m.Name == "" || len(m.Name) > 64 || m.Weight == 0 || len(m.Governors) == 0 || len(m.Governors) > 16 {
			return fmt.Errorf("%w: consortium member %q: a name of 1 to 64 bytes, a weight and 1 to 16 governors", ErrGenesis, m.Name)
		}
		weight += m.Weight
	}
	for name, v := range map[string]uint64{"quorum": g.Quorum, "threshold": g.Threshold} {
		if v == 0 || v > 10000 {
			return fmt.Errorf("%w: consortium.%s is %d: 1 to 10000 basis points", ErrGenesis, name, v)
		}
	}
	if g.VotingPeriod == 0 || g.VotingPeriod > 1_000_000 {
		return fmt.Errorf("%w: consortium.votingPeriod is %d: 1 to 1000000 blocks", ErrGenesis, g.VotingPeriod)
	}
	for _, n := range g.Nodes {
		if _, err := ParseNodeID(n.ID); err != nil {
			return fmt.Errorf("%w: consortium.nodes: %w", ErrGenesis, err)
		}
		if n.Member != "" && !slices.ContainsFunc(g.Members, func(m Member) bool { return m.Name == n.Member }) {
			return fmt.Errorf("%w: consortium.nodes: node %s names member %q, which is not among consortium.members", ErrGenesis, n.ID, n.Member)
		}
	}
	for _, r := range g.Roles {
		if _, err := roleOf(r.Roles); err != nil {
			return fmt.Errorf("%w: consortium.roles of %s: %w", ErrGenesis, r.Account, err)
		}
	}
	return nil
}

// constructorArgs mirrors the constructor's Genesis tuple for the ABI.
type constructorArgs struct {
	Members       []constructorMember
	Nodes         []constructorNode
	FeeRecipients []common.Address
	Validators    []ValidatorUpdate
	Accounts      []common.Address
	Roles         []*big.Int
	Quorum        *big.Int
	Threshold     *big.Int
	VotingPeriod  uint64
	Permissioned  bool
	GasLimit      uint64
	BaseFee       *big.Int
	// The time capsules' beacon committee, which proposals must leave at
	// least Threshold holders among the validators.
	BeaconHolders   [][32]byte
	BeaconThreshold *big.Int
	// The admitted node of each validator, from rule version 6 (the ABI
	// of earlier versions has no such field, and packing leaves it out).
	ValidatorNodes [][20]byte
	// The member that runs each node (by id), from rule version 6.
	NodeMembers [][32]byte
}

// BeaconCommittee is the beacon's share holders (by consensus key) and
// threshold, as the Consortium contract guards them.
type BeaconCommittee struct {
	Holders   [][32]byte
	Threshold uint64
}

type constructorNode struct {
	Id   [20]byte // the ABI names it id
	Name string
}

type constructorMember struct {
	Name      string
	Weight    uint64
	Governors []common.Address
}

// Account returns the Consortium contract's genesis account: its runtime
// code and the storage its constructor writes for g, the validators, the
// first blocks' limits and the beacon committee (none: zero holders), made by running the constructor on an empty state
// with the chain's rules, as a deployment would. The code is the one of
// chuxin rule version, the version the chain starts at (ConsortiumAt).
func (g *Genesis) Account(validators []GenesisValidator, limits Limits, committee BeaconCommittee, config *params.ChainConfig, time, version uint64) (types.Account, error) {
	if err := g.Validate(); err != nil {
		return types.Account{}, err
	}
	art, err := ConsortiumAt(version)
	if err != nil {
		return types.Account{}, err
	}
	args := constructorArgs{Validators: []ValidatorUpdate{}, FeeRecipients: []common.Address{}, ValidatorNodes: [][20]byte{}, Quorum: new(big.Int).SetUint64(g.Quorum),
		Threshold: new(big.Int).SetUint64(g.Threshold), VotingPeriod: g.VotingPeriod, Permissioned: g.Permissioned,
		GasLimit: limits.GasLimit, BaseFee: limits.BaseFee,
		BeaconHolders: committee.Holders, BeaconThreshold: new(big.Int).SetUint64(committee.Threshold)}
	if args.BeaconHolders == nil {
		args.BeaconHolders = [][32]byte{}
	}
	if args.BaseFee == nil {
		args.BaseFee = new(big.Int)
	}
	for _, v := range validators {
		args.Validators = append(args.Validators, v.ValidatorUpdate)
		args.FeeRecipients = append(args.FeeRecipients, v.FeeRecipient)
		args.ValidatorNodes = append(args.ValidatorNodes, v.Node)
	}
	for _, m := range g.Members {
		args.Members = append(args.Members, constructorMember(m))
	}
	args.Nodes, args.NodeMembers = []constructorNode{}, [][32]byte{}
	for _, n := range g.Nodes {
		id, _ := ParseNodeID(n.ID)
		args.Nodes = append(args.Nodes, constructorNode{Id: id, Name: n.Name})
		var member [32]byte
		if n.Member != "" {
			member = crypto.Keccak256Hash([]byte(n.Member))
		}
		args.NodeMembers = append(args.NodeMembers, member)
	}
	args.Accounts, args.Roles = []common.Address{}, []*big.Int{}
	for _, r := range g.Roles {
		roles, _ := roleOf(r.Roles) // Validate parsed them
		args.Accounts = append(args.Accounts, r.Account)
		args.Roles = append(args.Roles, new(big.Int).SetUint64(uint64(roles)))
	}
	code, err := art.DeployData(args)
	if err != nil {
		return types.Account{}, fmt.Errorf("%w: %v", ErrGenesis, err)
	}
	return Deploy("Consortium", code, config, time)
}

// PartAccounts returns the genesis accounts of the Consortium's parts
// under rule version (ConsortiumParts), which it serves by DELEGATECALL.
func PartAccounts(config *params.ChainConfig, time, version uint64) (types.GenesisAlloc, error) {
	parts, arts, err := ConsortiumParts(version)
	if err != nil {
		return nil, err
	}
	out := types.GenesisAlloc{}
	for i, p := range parts {
		acc, err := Deploy(p.Name, arts[i].Bytecode, config, time)
		if err != nil {
			return nil, err
		}
		out[p.Address] = acc
	}
	return out, nil
}

// Deploy runs a contract's creation code (with its constructor's
// arguments) on an empty state with the chain's rules, as a deployment
// would, and returns the account it makes: its runtime code and the
// storage its constructor wrote. A module's genesis contracts are made so.
func Deploy(name string, code []byte, config *params.ChainConfig, time uint64) (types.Account, error) {
	return deployFrom(params.SystemAddress, 0, name, code, config, time)
}

// deployFrom runs creation code as deploy does, from deployer at nonce.
func deployFrom(deployer common.Address, nonce uint64, name string, code []byte, config *params.ChainConfig, time uint64) (types.Account, error) {
	statedb, err := state.New(types.EmptyRootHash, state.NewDatabase(triedb.NewDatabase(rawdb.NewMemoryDatabase(), nil), nil))
	if err != nil {
		return types.Account{}, fmt.Errorf("%w: %v", ErrGenesis, err)
	}
	storage := map[common.Hash]common.Hash{}
	hooks := &tracing.Hooks{OnStorageChange: func(_ common.Address, slot, _, value common.Hash) { storage[slot] = value }}
	blockCtx := vm.BlockContext{
		CanTransfer: core.CanTransfer, Transfer: core.Transfer, GetHash: func(uint64) common.Hash { return common.Hash{} },
		BlockNumber: new(big.Int), Time: time, Difficulty: new(big.Int), BaseFee: new(big.Int), GasLimit: 1 << 40,
		Random: &common.Hash{},
	}
	evm := vm.NewEVM(blockCtx, state.NewHookedState(statedb, hooks), config, vm.Config{Tracer: hooks})
	statedb.CreateAccount(deployer)
	statedb.SetNonce(deployer, nonce, tracing.NonceChangeUnspecified)
	ret, addr, _, err := evm.Create(deployer, code, vm.NewGasBudget(1<<32, 0), new(uint256.Int))
	if err != nil {
		return types.Account{}, fmt.Errorf("%w: the %s constructor refused it: %v%s", ErrGenesis, name, err, revertReason(ret))
	}
	for slot, v := range storage {
		if v == (common.Hash{}) || statedb.GetState(addr, slot) != v {
			delete(storage, slot)
		}
	}
	return types.Account{Code: ret, Storage: storage, Nonce: 1, Balance: new(big.Int)}, nil
}
