// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/// The Consortium's storage, shared by the contract and its parts (its
/// views, permissions, validators and network, which it reaches by
/// DELEGATECALL), so that all read and write the same slots.
abstract contract ConsortiumState {
    using Strings for uint256;

    // ---- Read by the node: keep these first and in this order. ----

    /// Each account's roles (ADMIN … REGULATOR) and the FROZEN bit.
    mapping(address => uint256) public permissions; // slot 0
    /// When and by whom each frozen account was frozen.
    mapping(address => Freeze) public freezes; // slot 1
    /// Whether sending and deploying need the transactor and deployer roles.
    bool public permissioned; // slot 2
    /// Validator changes that consensus has not taken yet.
    ValidatorUpdate[] internal pending; // slot 3
    /// The first block at which an open proposal's voting period is over (0: none).
    uint64 public nextDeadline; // slot 4
    /// The frozen accounts, in no order.
    address[] public frozen; // slot 5
    /// The block from which each admitted node (by CometBFT node ID) is
    /// admitted, plus one (0: not admitted).
    mapping(bytes20 => uint256) public admittedSince; // slot 6
    /// Rule versions scheduled by governance, by rising height: a node
    /// whose binary does not know one stops before its height.
    Upgrade[] public upgrades; // slot 7
    /// Each validator's fee recipient, by CometBFT address: the coinbase of
    /// the blocks it proposes.
    mapping(bytes20 => address) public feeRecipientOf; // slot 8
    /// The gas limit of the next block.
    uint256 internal gasLimit; // slot 9
    /// The base fee per gas of the next block, in wei.
    uint256 internal baseFee; // slot 10

    // ---- The rest is this contract's own. ----

    uint256 public constant ADMIN = 1;
    uint256 public constant DEPLOYER = 2;
    uint256 public constant TRANSACTOR = 4;
    uint256 public constant REGULATOR = 8;
    uint256 internal constant ROLES = ADMIN | DEPLOYER | TRANSACTOR | REGULATOR;
    uint256 public constant FROZEN = 1 << 128;

    /// Parameters a proposal can set (SetParam).
    uint8 public constant PARAM_QUORUM = 1; // participation, basis points of all weight
    uint8 public constant PARAM_THRESHOLD = 2; // approval, basis points of the weight voting
    uint8 public constant PARAM_VOTING_PERIOD = 3; // blocks
    uint8 public constant PARAM_PERMISSIONED = 4; // 0 open, 1 permissioned
    uint8 public constant PARAM_GAS_LIMIT = 5; // the block gas limit
    uint8 public constant PARAM_BASE_FEE = 6; // wei per gas

    /// Kinds of a proposal's actions; data is the ABI encoding named.
    uint8 public constant SET_MEMBER = 1; // (string name, uint64 weight, address[] governors); weight 0 removes
    uint8 public constant SET_VALIDATORS = 2; // ((bytes32 pubKey, uint64 power)[]); power 0 removes
    uint8 public constant SET_ROLES = 3; // (address account, uint256 roles)
    uint8 public constant SET_PARAM = 4; // (uint8 param, uint256 value)
    uint8 public constant SET_NODE = 5; // (bytes20 nodeId, bool admitted, string name)
    uint8 public constant SCHEDULE_UPGRADE = 6; // (uint64 version, uint64 height)
    uint8 public constant SET_FEE_RECIPIENT = 7; // (bytes32 pubKey, address recipient)
    uint8 public constant SET_FROZEN = 8; // (address account, bool frozen)
    uint8 public constant SET_NODE_VALIDATORS = 9; // ((bytes32 pubKey, uint64 power, bytes20 node)[]); power 0 removes
    uint8 public constant SET_GOVERNED = 10; // (address target, bool listed, string name)
    uint8 public constant CALL = 11; // (address target, bytes data)
    uint8 public constant SET_NODE_MEMBER = 12; // (bytes20 node, string member); "" clears

    /// How many contracts governance may hold on its list (SET_GOVERNED).
    uint256 internal constant MAX_GOVERNED = 64;

    /// CometBFT's bound on the total voting power (MaxTotalVotingPower).
    uint256 internal constant MAX_TOTAL_POWER = uint256(uint64(type(int64).max)) / 8;
    /// The most open proposals at once, which bounds settle().
    uint256 internal constant MAX_OPEN = 64;
    /// The most actions in one proposal.
    uint256 internal constant MAX_ACTIONS = 32;
    /// The gas a proposal's actions may use when they apply (and when they
    /// are checked at propose), so that settle() can always apply some.
    uint256 internal constant APPLY_GAS = 5_000_000;
    /// What a call must have left to give applyProposal or dryRun all of
    /// APPLY_GAS (the EVM passes on at most 63/64 of what is left).
    uint256 internal constant APPLY_RESERVE = APPLY_GAS + APPLY_GAS / 63 + 50_000;
    /// The lowest block gas limit: a governance transaction must still fit.
    uint256 internal constant MIN_GAS_LIMIT = 10_000_000;
    /// The gas a governor's balance must pay for at a new base fee: a
    /// proposal (APPLY_RESERVE and the rest of propose) with room.
    uint256 internal constant GOVERNOR_GAS = 8_000_000;

    struct Freeze {
        uint64 since; // block
        address by;
    }

    struct Upgrade {
        uint64 version;
        uint64 height;
    }

    struct ValidatorUpdate {
        bytes32 pubKey; // ed25519
        uint64 power; // 0 removes
    }

    /// A validator change that names the admitted node that signs with the
    /// key (SET_NODE_VALIDATORS).
    struct NodeValidator {
        bytes32 pubKey; // ed25519
        uint64 power; // 0 removes
        bytes20 node; // CometBFT node ID; not read when power is 0
    }

    struct Member {
        string name;
        uint64 weight;
        address[] governors;
    }

    struct Action {
        uint8 kind;
        bytes data;
    }

    enum Status {
        None,
        Open,
        Passed,
        Rejected,
        Expired,
        Failed
    }

    struct Proposal {
        address proposer;
        bytes32 member;
        uint64 created;
        uint64 deadline; // the last block in which votes count
        uint64 decided; // the block that passed, rejected or expired it (0: open)
        Status status;
        uint256 yes;
        uint256 no;
        string description;
        string outcome; // why it was rejected, expired or failed
    }

    struct Node {
        bytes20 id;
        string name;
    }

    /// Evidence of a validator's misbehaviour, as consensus reported it.
    struct Evidence {
        bytes32 pubKey;
        uint64 height; // where it misbehaved
        uint64 block; // the block that reported it
        uint8 kind; // 1: signed twice (duplicate vote), 2: light client attack
        uint64 powerBefore; // its power when reported (0: not a validator any more)
        bool removed; // false: already out, or the last validator (CometBFT refuses an empty set)
    }

    struct Genesis {
        Member[] members;
        Node[] nodes;
        address[] feeRecipients; // of validators[i]
        ValidatorUpdate[] validators;
        address[] accounts; // granted roles[i]
        uint256[] roles;
        uint256 quorum;
        uint256 threshold;
        uint64 votingPeriod;
        bool permissioned;
        uint64 gasLimit;
        uint256 baseFee;
        bytes32[] beaconHolders; // consensus keys of the beacon's share holders
        uint256 beaconThreshold; // how many of them must stay validators
        bytes20[] validatorNodes; // the admitted node of validators[i] (0: not named)
        bytes32[] nodeMembers; // the member (id) that runs nodes[i] (0: not named)
    }

    uint256 public quorum;
    uint256 public threshold;
    uint64 public votingPeriod;

    bytes32[] internal memberIds;
    mapping(bytes32 => Member) internal members;
    mapping(address => bytes32) public governorOf;
    uint256 public totalWeight;

    bytes32[] internal validatorKeys;
    mapping(bytes32 => uint64) public powerOf;
    uint256 public totalPower;
    mapping(bytes32 => uint256) internal pendingIndex; // 1-based into pending

    mapping(address => uint256) internal frozenIndex; // 1-based into frozen

    /// Each validator's consensus key by its CometBFT address (the first 20
    /// bytes of the key's SHA-256), as evidence names it.
    mapping(bytes20 => bytes32) public keyOf;
    Evidence[] internal evidence;

    bytes20[] internal nodeIds;
    mapping(bytes20 => string) public nodeName;

    /// The time capsules' beacon committee: the validators (by consensus
    /// key) that hold shares of its master secret, and how many of them
    /// must stay validators for epoch keys to be released.
    bytes32[] public beaconHolders;
    uint256 public beaconThreshold;

    Proposal[] internal proposals; // id = index + 1
    mapping(uint256 => Action[]) internal actionsOf;
    mapping(uint256 => mapping(bytes32 => bool)) public hasVoted;
    uint256[] internal open;
    /// Raised by every freeze and unfreeze: the node rebuilds its view of
    /// the frozen accounts only when it changes.
    uint256 public frozenVersion;
    /// The admitted node each validator signs on (by consensus key), and
    /// the validator each such node signs for: a validator added by a
    /// proposal names its node (SET_NODE_VALIDATORS), which must be
    /// admitted, or its power would only cost the network liveness.
    mapping(bytes32 => bytes20) public nodeOfValidator;
    mapping(bytes20 => bytes32) public validatorOnNode;
    /// The contracts a proposal may call (CALL), in the order listed, and
    /// their names (empty: not listed): the applications that keep their
    /// own roles (an issuer, an operator bank, a court) and let a proposal
    /// grant them, checking that their caller is the Consortium.
    address[] internal governed;
    mapping(address => string) public governedName;
    /// The member (by id) that runs each admitted node, where named: who
    /// answers for a validator, through the node it signs on. A record
    /// holds while the member's era is the one it was made in: a member
    /// that leaves ends its era, so a later member of the same name (the
    /// same id) does not inherit its nodes.
    mapping(bytes20 => bytes32) internal memberOfNode;
    mapping(bytes20 => uint64) internal nodeMemberEra;
    mapping(bytes32 => uint64) internal memberEra;

    /// The node's address for system calls.
    address internal constant SYSTEM = 0xffffFFFfFFffffffffffffffFfFFFfffFFFfFFfE;
    /// Where the Consortium and its parts live; the Consortium serves the
    /// parts at its own address by DELEGATECALL, on its storage.
    address internal constant CONSORTIUM = 0xC415000000000000000000000000000000000001;
    address internal constant VIEWS = 0xc415000000000000000000000000000000000004;
    address internal constant PERMISSIONS = 0xC415000000000000000000000000000000000011;
    address internal constant VALIDATORS = 0xC415000000000000000000000000000000000012;
    address internal constant NETWORK = 0xC415000000000000000000000000000000000013;

    event MemberChanged(bytes32 indexed id, string name, uint64 weight, address[] governors);
    event ValidatorChanged(bytes32 indexed pubKey, uint64 power);
    event RolesChanged(address indexed account, uint256 roles, address indexed by);
    event Frozen(address indexed account, address indexed by, string reason);
    event Unfrozen(address indexed account, address indexed by);
    event ParamChanged(uint8 indexed param, uint256 value);
    event NodeAdmitted(bytes20 indexed id, string name);
    event NodeRevoked(bytes20 indexed id);
    event UpgradeScheduled(uint64 version, uint64 height);
    event FeeRecipientChanged(bytes32 indexed pubKey, address recipient);
    event ValidatorNodeChanged(bytes32 indexed pubKey, bytes20 indexed node);
    event GovernedChanged(address indexed target, bool listed, string name);
    event NodeMemberChanged(bytes20 indexed node, bytes32 indexed member, string name);
    event GovernedCalled(address indexed target, bytes4 indexed selector, string name);
    event Misbehaved(bytes32 indexed pubKey, uint64 height, uint8 kind, uint64 powerBefore);
    event Proposed(uint256 indexed id, address indexed proposer, bytes32 indexed member, uint64 deadline, string description);
    event Voted(uint256 indexed id, address indexed governor, bytes32 indexed member, bool support, uint64 weight);
    event Passed(uint256 indexed id);
    event Rejected(uint256 indexed id, string reason);
    event Expired(uint256 indexed id, string reason);
    event Failed(uint256 indexed id, string reason);

    function _proposal(uint256 id) internal view returns (Proposal storage) {
        require(id > 0 && id <= proposals.length, string.concat("no proposal ", id.toString()));
        return proposals[id - 1];
    }
}

/// @title ConsortiumViews
/// @notice The Consortium contract's list views, at 0xC415…0004 in every
/// genesis. The Consortium contract serves them by DELEGATECALL from its
/// fallback, so a caller calls them at the Consortium's address, as if
/// they were its own (the Consortium artifact's ABI holds both); called at
/// their own address they read empty storage. They keep EIP-170's code
/// size limit, which applies at genesis too, away from governance.
contract ConsortiumViews is ConsortiumState {

    /// The contracts a proposal may call, with their names.
    function governedContracts() external view returns (address[] memory targets, string[] memory names) {
        targets = governed;
        names = new string[](targets.length);
        for (uint256 i = 0; i < targets.length; i++) {
            names[i] = governedName[targets[i]];
        }
    }

    function evidenceCount() external view returns (uint256) {
        return evidence.length;
    }

    function evidenceAt(uint256 i) external view returns (Evidence memory) {
        return evidence[i];
    }

    function memberCount() external view returns (uint256) {
        return memberIds.length;
    }

    function memberAt(uint256 i) external view returns (bytes32 id, string memory name, uint64 weight, address[] memory governors) {
        id = memberIds[i];
        Member storage m = members[id];
        return (id, m.name, m.weight, m.governors);
    }

    function validators() external view returns (bytes32[] memory keys, uint64[] memory powers) {
        keys = validatorKeys;
        powers = new uint64[](keys.length);
        for (uint256 i = 0; i < keys.length; i++) {
            powers[i] = powerOf[keys[i]];
        }
    }

    function proposalCount() external view returns (uint256) {
        return proposals.length;
    }

    function proposal(uint256 id) external view returns (Proposal memory p, Action[] memory actions) {
        return (_proposal(id), actionsOf[id]);
    }

    function admittedNodes() external view returns (bytes20[] memory ids, string[] memory names) {
        ids = nodeIds;
        names = new string[](ids.length);
        for (uint256 i = 0; i < ids.length; i++) {
            names[i] = nodeName[ids[i]];
        }
    }

    /// The admitted nodes and the name of the member that runs each ("":
    /// none named, or the member named has left).
    function admittedNodeMembers() external view returns (bytes20[] memory ids, string[] memory names) {
        ids = nodeIds;
        names = new string[](ids.length);
        for (uint256 i = 0; i < ids.length; i++) {
            bytes32 id = memberOfNode[ids[i]];
            if (nodeMemberEra[ids[i]] == memberEra[id]) names[i] = members[id].name;
        }
    }

    function frozenCount() external view returns (uint256) {
        return frozen.length;
    }

    function upgradeCount() external view returns (uint256) {
        return upgrades.length;
    }
}

/// @title ConsortiumRules
/// @notice The rules every part of the Consortium applies to its storage:
/// members, validators, nodes, upgrades, roles, freezes and parameters.
/// The Consortium's constructor applies them to the genesis, and each part
/// (ConsortiumPermissions, ConsortiumValidators, ConsortiumNetwork) to what
/// it is asked; what a part does not run is not in its code.
abstract contract ConsortiumRules is ConsortiumState {
    using Strings for uint256;
    using Strings for address;

    function _setMember(string memory name, uint64 weight, address[] memory governors) internal {
        require(bytes(name).length > 0 && bytes(name).length <= 64, "a member's name has 1 to 64 bytes");
        bytes32 id = keccak256(bytes(name));
        Member storage m = members[id];
        bool exists = bytes(m.name).length > 0;
        for (uint256 i = 0; i < m.governors.length; i++) {
            delete governorOf[m.governors[i]];
        }
        totalWeight = totalWeight - m.weight + weight;
        if (weight == 0) {
            require(exists, string.concat("member ", name, " does not exist"));
            delete members[id];
            for (uint256 i = 0; i < memberIds.length; i++) {
                if (memberIds[i] == id) {
                    memberIds[i] = memberIds[memberIds.length - 1];
                    memberIds.pop();
                    break;
                }
            }
            memberEra[id]++;
            emit MemberChanged(id, name, 0, new address[](0));
            return;
        }
        require(governors.length > 0 && governors.length <= 16, string.concat("member ", name, " needs 1 to 16 governors"));
        if (!exists) {
            memberIds.push(id);
        }
        m.name = name;
        m.weight = weight;
        delete m.governors;
        for (uint256 i = 0; i < governors.length; i++) {
            address g = governors[i];
            require(g != address(0) && governorOf[g] == 0, string.concat("account ", g.toHexString(), " governs another member already"));
            require(permissions[g] & FROZEN == 0, string.concat("account ", g.toHexString(), " is frozen: unfreeze it before it governs"));
            governorOf[g] = id;
            m.governors.push(g);
        }
        emit MemberChanged(id, name, weight, governors);
    }

    /// Applies validator changes as CometBFT will, refusing any it would
    /// reject (it panics on every node at once on an invalid update). A
    /// proposal's changes (guard) must keep the beacon's threshold of share
    /// holders among the validators; evidence's need not: below it, epoch
    /// keys wait while blocks go on.
    function _setValidators(ValidatorUpdate[] memory updates, bool guard) internal {
        require(updates.length > 0, "no validator changes");
        uint256 before = _holdersStaying();
        for (uint256 i = 0; i < updates.length; i++) {
            ValidatorUpdate memory u = updates[i];
            for (uint256 j = 0; j < i; j++) {
                require(updates[j].pubKey != u.pubKey, string.concat("validator ", uint256(u.pubKey).toHexString(32), " is changed twice"));
            }
            uint64 old = powerOf[u.pubKey];
            if (u.power == 0) {
                require(old > 0, string.concat("validator ", uint256(u.pubKey).toHexString(32), " is not in the set"));
                for (uint256 k = 0; k < validatorKeys.length; k++) {
                    if (validatorKeys[k] == u.pubKey) {
                        validatorKeys[k] = validatorKeys[validatorKeys.length - 1];
                        validatorKeys.pop();
                        break;
                    }
                }
            } else if (old == 0) {
                require(u.pubKey != bytes32(0), "a validator needs its consensus public key");
                require(!guard || nodeOfValidator[u.pubKey] != 0, string.concat("validator ", uint256(u.pubKey).toHexString(32),
                    " is new: name the admitted node that signs with it (SET_NODE_VALIDATORS; chuxin gov propose --set-validator KEY:POWER:NODE_ID or --join PART.json)"));
                validatorKeys.push(u.pubKey);
                keyOf[_address(u.pubKey)] = u.pubKey;
            }
            require(u.power <= MAX_TOTAL_POWER, "a validator's power is over CometBFT's limit");
            powerOf[u.pubKey] = u.power;
            totalPower = totalPower - old + u.power;
            uint256 idx = pendingIndex[u.pubKey];
            if (idx == 0) {
                pending.push(u);
                pendingIndex[u.pubKey] = pending.length;
            } else {
                pending[idx - 1].power = u.power;
            }
            emit ValidatorChanged(u.pubKey, u.power);
            // After its removal is told: the audit tells evidence's removal
            // with the evidence, by the event that follows it.
            if (u.power == 0) _bindNode(u.pubKey, 0);
        }
        require(validatorKeys.length > 0, "the validator set would be empty");
        require(totalPower <= MAX_TOTAL_POWER, "the total voting power would be over CometBFT's limit");
        // Only validators precommit, so only they release epoch keys: at
        // least the threshold of the beacon's share holders must stay.
        // Below it (evidence removed some), a proposal may change what
        // keeps the holders as they are, or brings some back.
        if (!guard) return;
        uint256 staying = _holdersStaying();
        require(staying >= beaconThreshold || staying >= before, string.concat("only ", staying.toString(), " of the beacon's ",
            beaconHolders.length.toString(), " share holders would stay validators; ", beaconThreshold.toString(),
            " must, or no epoch key is released and no capsule opens"));
    }

    /// Records that validator key signs on node (0: on none), refusing a
    /// node that is not admitted or signs for another validator already.
    function _bindNode(bytes32 key, bytes20 node) internal {
        bytes20 was = nodeOfValidator[key];
        if (was == node) return;
        if (was != 0) delete validatorOnNode[was];
        if (node != 0) {
            require(key != 0, "a validator needs its consensus public key");
            _mustBeAdmitted(node);
            bytes32 other = validatorOnNode[node];
            require(other == 0, string.concat("node ", _hex20(node), " signs for validator ", uint256(other).toHexString(32),
                " already: a node signs with one key (to rotate, remove that key in the same proposal)"));
            validatorOnNode[node] = key;
        }
        nodeOfValidator[key] = node;
        emit ValidatorNodeChanged(key, node);
    }

    /// Refuses a node the consortium has not admitted, saying how to.
    function _mustBeAdmitted(bytes20 node) internal view {
        require(admittedSince[node] != 0, string.concat("node ", _hex20(node), " is not admitted: admit it (SET_NODE, --admit-node) before, or in, this proposal"));
    }

    /// Records that member (by name; "" for none) runs admitted node.
    function _setNodeMember(bytes20 node, string memory member) internal {
        _mustBeAdmitted(node);
        bytes32 id = 0;
        if (bytes(member).length > 0) {
            id = keccak256(bytes(member));
            require(bytes(members[id].name).length > 0, string.concat("member ", member, " does not exist: make it a member (SET_MEMBER, --set-member) before, or in, this proposal"));
        }
        memberOfNode[node] = id;
        nodeMemberEra[node] = memberEra[id];
        emit NodeMemberChanged(node, id, member);
    }

    function _holdersStaying() internal view returns (uint256 n) {
        for (uint256 i = 0; i < beaconHolders.length; i++) {
            if (powerOf[beaconHolders[i]] > 0) n++;
        }
    }

    function _scheduleUpgrade(uint64 version, uint64 height) internal {
        require(height > block.number, string.concat("an upgrade is scheduled for a height after this block (", uint256(block.number).toString(), ")"));
        uint64 lastVersion = 1;
        uint64 lastHeight = 0;
        if (upgrades.length > 0) {
            lastVersion = upgrades[upgrades.length - 1].version;
            lastHeight = upgrades[upgrades.length - 1].height;
        }
        require(version > lastVersion, string.concat("rule version ", uint256(version).toString(), " is not above the last scheduled, ", uint256(lastVersion).toString()));
        require(height > lastHeight, "upgrades must rise in height");
        upgrades.push(Upgrade(version, height));
        emit UpgradeScheduled(version, height);
    }

    function _setNode(bytes20 id, bool admitted, string memory name) internal {
        require(id != bytes20(0), "a node is named by its CometBFT node ID");
        if (admitted) {
            require(bytes(name).length <= 64, "a node's name has at most 64 bytes");
            require(admittedSince[id] == 0, string.concat("node ", _hex20(id), " is admitted already"));
            admittedSince[id] = block.number + 1;
            nodeName[id] = name;
            nodeIds.push(id);
            emit NodeAdmitted(id, name);
            return;
        }
        require(admittedSince[id] != 0, string.concat("node ", _hex20(id), " is not admitted"));
        bytes32 key = validatorOnNode[id];
        require(key == 0, string.concat("node ", _hex20(id), " signs for validator ", uint256(key).toHexString(32),
            ": remove the validator first, in this proposal or an earlier one"));
        delete admittedSince[id];
        delete nodeName[id];
        delete memberOfNode[id];
        delete nodeMemberEra[id];
        for (uint256 i = 0; i < nodeIds.length; i++) {
            if (nodeIds[i] == id) {
                nodeIds[i] = nodeIds[nodeIds.length - 1];
                nodeIds.pop();
                break;
            }
        }
        emit NodeRevoked(id);
    }

    /// A consensus key's CometBFT address.
    function _address(bytes32 pubKey) internal pure returns (bytes20) {
        return bytes20(sha256(abi.encodePacked(pubKey)));
    }

    /// The words of a revert reason (Error(string)), at most 512 bytes of
    /// them: a governed contract's reason is stored as a proposal's outcome,
    /// and neither a malformed nor a huge one may make that revert or run
    /// out of gas.
    function _reason(bytes memory reason) internal pure returns (string memory) {
        if (reason.length >= 68 && bytes4(reason) == 0x08c379a0) {
            uint256 offset;
            uint256 n;
            assembly {
                offset := mload(add(reason, 36))
                n := mload(add(reason, 68))
            }
            if (offset == 32) {
                // A reason cut short (byProposalCall keeps 512 bytes of it)
                // is told as far as it goes.
                if (n > reason.length - 68) n = reason.length - 68;
                if (n > 512) n = 512;
                bytes memory words = new bytes(n);
                for (uint256 i = 0; i < n; i++) words[i] = reason[68 + i];
                return string(words);
            }
        }
        return "reverted without a reason, or ran out of gas";
    }

    function _hex20(bytes20 id) internal pure returns (string memory) {
        return uint256(uint160(id)).toHexString(20);
    }

    function _setRoles(address account, uint256 roles, address by) internal {
        require(roles & ~ROLES == 0, "unknown role bits");
        permissions[account] = (permissions[account] & FROZEN) | roles;
        emit RolesChanged(account, roles, by);
    }

    function _setParam(uint8 param, uint256 value) internal {
        if (param == PARAM_QUORUM || param == PARAM_THRESHOLD) {
            require(value > 0 && value <= 10000, "quorum and threshold are 1 to 10000 basis points");
            if (param == PARAM_QUORUM) quorum = value;
            else threshold = value;
        } else if (param == PARAM_VOTING_PERIOD) {
            require(value > 0 && value <= 1_000_000, "the voting period is 1 to 1000000 blocks");
            votingPeriod = uint64(value);
        } else if (param == PARAM_PERMISSIONED) {
            require(value <= 1, "permissioned is 0 or 1");
            permissioned = value == 1;
        } else if (param == PARAM_GAS_LIMIT) {
            require(value >= MIN_GAS_LIMIT && value <= 1 << 40, "the block gas limit is 10000000 to 2**40: governance must fit in a block");
            gasLimit = value;
        } else if (param == PARAM_BASE_FEE) {
            require(value < 1 << 128, "the base fee is below 2**128 wei");
            _governorsCanPay(value);
            baseFee = value;
        } else {
            revert(string.concat("unknown parameter ", uint256(param).toString()));
        }
        emit ParamChanged(param, value);
    }

    /// Refuses a base fee at which some member has no governor able to pay
    /// GOVERNOR_GAS: governance must stay able to act (and to lower it).
    function _governorsCanPay(uint256 fee) internal view {
        for (uint256 i = 0; i < memberIds.length; i++) {
            Member storage m = members[memberIds[i]];
            bool can = false;
            for (uint256 j = 0; j < m.governors.length && !can; j++) {
                address g = m.governors[j];
                can = permissions[g] & FROZEN == 0 && g.balance >= fee * GOVERNOR_GAS;
            }
            require(can, string.concat("no unfrozen governor of member ", m.name, " could pay 8000000 gas (a proposal) at that base fee: fund one first"));
        }
    }

    function _setFrozen(address account, bool on, string memory reason) internal {
        frozenVersion++;
        if (on) {
            require(uint160(account) >> 16 != uint160(address(this)) >> 16, "a system contract cannot be frozen");
            require(permissions[account] & FROZEN == 0, string.concat("account ", account.toHexString(), " is frozen already"));
            permissions[account] |= FROZEN;
            freezes[account] = Freeze(uint64(block.number), msg.sender);
            frozen.push(account);
            frozenIndex[account] = frozen.length;
            emit Frozen(account, msg.sender, reason);
            return;
        }
        require(permissions[account] & FROZEN != 0, string.concat("account ", account.toHexString(), " is not frozen"));
        require(freezes[account].by != address(this) || msg.sender == address(this), "the consortium froze it: only a proposal unfreezes it");
        permissions[account] &= ~FROZEN;
        delete freezes[account];
        uint256 i = frozenIndex[account] - 1;
        address last = frozen[frozen.length - 1];
        frozen[i] = last;
        frozenIndex[last] = i + 1;
        frozen.pop();
        delete frozenIndex[account];
        emit Unfrozen(account, msg.sender);
    }

    function _require(uint256 role) internal view {
        if (permissions[msg.sender] & role == 0) {
            revert(string.concat("account ", msg.sender.toHexString(), " lacks role ", _roleName(role)));
        }
    }

    function _roleName(uint256 role) internal pure returns (string memory) {
        if (role == ADMIN) return "admin";
        if (role == DEPLOYER) return "deployer";
        if (role == TRANSACTOR) return "transactor";
        return "regulator";
    }

    function _memberOf(address account) internal view returns (bytes32 member) {
        member = governorOf[account];
        require(member != 0, string.concat("account ", account.toHexString(), " is no member's governor"));
    }

    /// Guards a part's function that only a passed proposal reaches: by
    /// DELEGATECALL from the Consortium, from its applyProposal or dryRun.
    function _onlyProposal() internal view {
        require(address(this) == CONSORTIUM && msg.sender == CONSORTIUM, "applied by a passed proposal only");
    }
}

/// @title ConsortiumPermissions
/// @notice Roles and freezes, at 0xC415…0011: admins grant and revoke
/// roles, regulators freeze and unfreeze, and proposals do both. The
/// Consortium serves these at its own address by DELEGATECALL.
contract ConsortiumPermissions is ConsortiumRules {
    using Strings for address;

    /// Grants roles to an account; an admin only.
    function grantRoles(address account, uint256 roles) external {
        _require(ADMIN);
        _setRoles(account, (permissions[account] & ROLES) | roles, msg.sender);
    }

    /// Revokes roles from an account; an admin only.
    function revokeRoles(address account, uint256 roles) external {
        _require(ADMIN);
        _setRoles(account, (permissions[account] & ROLES) & ~roles, msg.sender);
    }

    /// Freezes an account or contract: it can send nothing and receive no
    /// value, and calls into it revert. A regulator only.
    /// A governor is frozen only by a proposal (SET_FROZEN), so that no
    /// regulator alone can stop governance.
    function freeze(address account, string calldata reason) external {
        _require(REGULATOR);
        require(governorOf[account] == 0, string.concat("account ", account.toHexString(), " is a governor: only a proposal freezes it"));
        _setFrozen(account, true, reason);
    }

    /// Unfreezes an account or contract; a regulator only.
    function unfreeze(address account) external {
        _require(REGULATOR);
        _setFrozen(account, false, "");
    }

    /// SET_ROLES.
    function byProposalSetRoles(address account, uint256 roles) external {
        _onlyProposal();
        _setRoles(account, roles, address(this));
    }

    /// SET_FROZEN.
    function byProposalSetFrozen(address account, bool frozen_) external {
        _onlyProposal();
        _setFrozen(account, frozen_, "by proposal");
    }
}

/// @title ConsortiumValidators
/// @notice The validator set, at 0xC415…0012: the validators and their
/// power, the changes consensus has not taken, fee recipients, evidence of
/// misbehaviour, and the guards a change must pass (the beacon's threshold
/// of share holders). The Consortium serves these at its own address by
/// DELEGATECALL; the node calls takeValidatorUpdates and punish there.
contract ConsortiumValidators is ConsortiumRules {
    using Strings for uint256;

    /// Returns and clears the validator changes consensus has not taken;
    /// the node calls it after a block whose transactions made some.
    function takeValidatorUpdates() external returns (ValidatorUpdate[] memory updates) {
        require(msg.sender == SYSTEM, "takeValidatorUpdates is called by the node");
        updates = pending;
        for (uint256 i = 0; i < updates.length; i++) {
            delete pendingIndex[updates[i].pubKey];
        }
        delete pending;
    }

    /// Records evidence that consensus reported in a block and sets each
    /// misbehaving validator's power to zero; the node calls it before the
    /// block's transactions. Evidence against a validator no longer in the
    /// set is recorded and changes nothing, as does evidence that would
    /// leave the set empty (CometBFT refuses an empty set).
    function punish(bytes20[] calldata addrs, uint64[] calldata heights, uint8[] calldata kinds) external {
        require(msg.sender == SYSTEM, "punish is called by the node");
        for (uint256 i = 0; i < addrs.length; i++) {
            bytes32 key = keyOf[addrs[i]];
            uint64 power = key == 0 ? 0 : powerOf[key];
            bool remove = power > 0 && validatorKeys.length > 1;
            evidence.push(Evidence(key, heights[i], uint64(block.number), kinds[i], power, remove));
            emit Misbehaved(key, heights[i], kinds[i], power);
            if (remove) {
                ValidatorUpdate[] memory u = new ValidatorUpdate[](1);
                u[0] = ValidatorUpdate(key, 0);
                _setValidators(u, false);
            }
        }
    }

    /// SET_VALIDATORS.
    function byProposalSetValidators(ValidatorUpdate[] calldata updates) external {
        _onlyProposal();
        _setValidators(updates, true);
    }

    /// SET_NODE_VALIDATORS: SET_VALIDATORS, each key bound to the admitted
    /// node that signs with it.
    function byProposalSetNodeValidators(NodeValidator[] calldata changes) external {
        _onlyProposal();
        ValidatorUpdate[] memory updates = new ValidatorUpdate[](changes.length);
        // Removals first free their nodes, so that a key can take over its
        // node from the key it replaces in one action (a rotation).
        for (uint256 i = 0; i < changes.length; i++) {
            updates[i] = ValidatorUpdate(changes[i].pubKey, changes[i].power);
            if (changes[i].power == 0) _bindNode(changes[i].pubKey, 0);
        }
        for (uint256 i = 0; i < changes.length; i++) {
            if (changes[i].power > 0) {
                require(changes[i].node != 0, string.concat("validator ", uint256(changes[i].pubKey).toHexString(32), " names no node"));
                _bindNode(changes[i].pubKey, changes[i].node);
            }
        }
        _setValidators(updates, true);
    }

    /// SET_FEE_RECIPIENT.
    function byProposalSetFeeRecipient(bytes32 pubKey, address recipient) external {
        _onlyProposal();
        require(powerOf[pubKey] > 0, string.concat("validator ", uint256(pubKey).toHexString(32), " is not in the set"));
        feeRecipientOf[_address(pubKey)] = recipient;
        emit FeeRecipientChanged(pubKey, recipient);
    }
}

/// @title ConsortiumNetwork
/// @notice The network, at 0xC415…0013: admitted nodes, rule upgrades and
/// parameters (the quorum, threshold and voting period of proposals,
/// permissioned, the block gas limit and base fee). Only proposals change
/// them, through the Consortium, by DELEGATECALL.
contract ConsortiumNetwork is ConsortiumRules {
    using Strings for address;

    /// SET_NODE.
    function byProposalSetNode(bytes20 id, bool admitted, string calldata name) external {
        _onlyProposal();
        _setNode(id, admitted, name);
    }

    /// SET_NODE_MEMBER.
    function byProposalSetNodeMember(bytes20 node, string calldata member) external {
        _onlyProposal();
        _setNodeMember(node, member);
    }

    /// SCHEDULE_UPGRADE.
    function byProposalScheduleUpgrade(uint64 version, uint64 height) external {
        _onlyProposal();
        _scheduleUpgrade(version, height);
    }

    /// SET_PARAM.
    function byProposalSetParam(uint8 param, uint256 value) external {
        _onlyProposal();
        _setParam(param, value);
    }

    /// SET_GOVERNED: puts a contract on the list of those a proposal may
    /// call, under a name, or takes it off.
    function byProposalSetGoverned(address target, bool listed, string calldata name) external {
        _onlyProposal();
        bool was = bytes(governedName[target]).length != 0;
        if (!listed) {
            require(was, string.concat("contract ", target.toHexString(), " is not on the list of governed contracts"));
            delete governedName[target];
            for (uint256 i = 0; i < governed.length; i++) {
                if (governed[i] == target) {
                    governed[i] = governed[governed.length - 1];
                    governed.pop();
                    break;
                }
            }
            emit GovernedChanged(target, false, "");
            return;
        }
        require(bytes(name).length > 0 && bytes(name).length <= 64, "a governed contract's name has 1 to 64 bytes");
        require(target != CONSORTIUM && target != VIEWS && target != PERMISSIONS && target != VALIDATORS && target != NETWORK,
            "the Consortium and its parts are governed by the other actions");
        bytes memory code = target.code;
        require(code.length > 0, string.concat(target.toHexString(), " has no code: deploy the contract first"));
        // An account delegated by EIP-7702 runs whatever code its key points
        // it at: not a contract governance can know.
        require(code.length != 23 || bytes3(code) != 0xef0100, string.concat(target.toHexString(), " is an account delegated by EIP-7702, not a contract"));
        if (!was) {
            require(governed.length < MAX_GOVERNED, "64 contracts are governed: take one off the list first");
            governed.push(target);
        }
        governedName[target] = name;
        emit GovernedChanged(target, true, name);
    }

    /// CALL: calls a governed contract as the Consortium (its caller is
    /// 0xC415…0001); a revert fails the proposal with the contract's reason.
    function byProposalCall(address target, bytes calldata data) external {
        _onlyProposal();
        string memory name = governedName[target];
        require(bytes(name).length != 0, string.concat("contract ", target.toHexString(),
            " is not governed: list it (SET_GOVERNED; chuxin gov propose --govern ADDRESS:NAME) before, or in, this proposal"));
        require(target.code.length > 0, string.concat("contract ", name, " has no code any more"));
        bytes memory input = data;
        bool ok;
        bytes memory ret;
        // What the call returns is not kept, and of a revert only as much as
        // a reason may be (_reason): a large answer costs no gas here.
        assembly ("memory-safe") {
            ok := call(gas(), target, 0, add(input, 32), mload(input), 0, 0)
            if iszero(ok) {
                let n := returndatasize()
                if gt(n, 580) { n := 580 }
                ret := mload(0x40)
                mstore(ret, n)
                returndatacopy(add(ret, 32), 0, n)
                mstore(0x40, add(add(ret, 32), and(add(n, 31), not(31))))
            }
        }
        if (!ok) revert(string.concat("the call of ", name, " failed: ", _reason(ret)));
        emit GovernedCalled(target, bytes4(data), name);
    }
}

/// @title Consortium
/// @notice chuxin's governance system contract, at a fixed address in every
/// chain's genesis. The consortium's members (organisations, each with a
/// voting weight and governor accounts) decide by proposals what the network
/// is: its members, its validators and their voting power, account roles and
/// its parameters. Admins grant roles; regulators freeze accounts.
///
/// It is split by concern, each part under EIP-170's code size limit (which
/// applies at genesis too): this contract is governance proper (members,
/// proposals, votes, settlement); ConsortiumPermissions keeps roles and
/// freezes, ConsortiumValidators the validator set, ConsortiumNetwork nodes,
/// upgrades and parameters, and ConsortiumViews the list views. The parts
/// share this contract's storage: it serves their functions at its own
/// address by DELEGATECALL (callers see one contract, with one ABI), and
/// applies a proposal's actions through them.
///
/// The node reads this contract's storage for what consensus and admission
/// need (the first state variables below; their slots are fixed, and a Go
/// test checks them against the compiler's storage layout) and makes two
/// system calls after a block's transactions, only when they have work:
/// settle() when a voting period ended, takeValidatorUpdates() when a passed
/// proposal changed the validators.
contract Consortium is ConsortiumRules {
    using Strings for uint256;
    using Strings for address;

    /// Thrown by dryRun when the actions apply: a proposal is checked by
    /// applying its actions and rolling them back.
    error DryRunApplied();

    constructor(Genesis memory g) {
        for (uint256 i = 0; i < g.members.length; i++) {
            _setMember(g.members[i].name, g.members[i].weight, g.members[i].governors);
        }
        require(totalWeight > 0, "genesis: the consortium needs a member with weight");
        for (uint256 i = 0; i < g.nodes.length; i++) {
            _setNode(g.nodes[i].id, true, g.nodes[i].name);
            if (i < g.nodeMembers.length && g.nodeMembers[i] != 0) {
                string memory member = members[g.nodeMembers[i]].name;
                require(bytes(member).length > 0, "genesis: a node's member is not a member");
                _setNodeMember(g.nodes[i].id, member);
            }
        }
        for (uint256 i = 0; i < g.validators.length; i++) {
            ValidatorUpdate memory v = g.validators[i];
            require(v.power > 0 && powerOf[v.pubKey] == 0, "genesis: validators must be distinct, with power");
            validatorKeys.push(v.pubKey);
            powerOf[v.pubKey] = v.power;
            keyOf[_address(v.pubKey)] = v.pubKey;
            totalPower += v.power;
            if (i < g.feeRecipients.length) {
                feeRecipientOf[_address(v.pubKey)] = g.feeRecipients[i];
            }
            if (i < g.validatorNodes.length && g.validatorNodes[i] != 0) {
                _bindNode(v.pubKey, g.validatorNodes[i]);
            }
        }
        require(g.accounts.length == g.roles.length, "genesis: one role set per account");
        for (uint256 i = 0; i < g.accounts.length; i++) {
            // An account named twice has the roles of both grants.
            _setRoles(g.accounts[i], (permissions[g.accounts[i]] & ROLES) | g.roles[i], address(0));
        }
        _setParam(PARAM_QUORUM, g.quorum);
        _setParam(PARAM_THRESHOLD, g.threshold);
        _setParam(PARAM_VOTING_PERIOD, g.votingPeriod);
        _setParam(PARAM_PERMISSIONED, g.permissioned ? 1 : 0);
        // The genesis's own limits; the floors of _setParam bind proposals.
        gasLimit = g.gasLimit;
        baseFee = g.baseFee;
        beaconHolders = g.beaconHolders;
        beaconThreshold = g.beaconThreshold;
    }

    // ---- Proposals and votes ----

    /// Proposes actions; a governor of a member only. The actions are checked
    /// now, against the current state, exactly as they would be applied.
    function propose(Action[] calldata actions, string calldata description) external returns (uint256 id) {
        bytes32 member = _memberOf(msg.sender);
        require(actions.length > 0 && actions.length <= MAX_ACTIONS, "a proposal has 1 to 32 actions");
        require(open.length < MAX_OPEN, "64 proposals are open: let some end first");
        require(bytes(description).length <= 1024, "a description has at most 1024 bytes");
        require(gasleft() > APPLY_RESERVE + 1_000_000, "propose with more gas: the check of the actions may use 5000000");
        // Applied, the actions are read from storage, which the check,
        // reading them from calldata, does not pay: it keeps that back.
        uint256 reads = 0;
        for (uint256 i = 0; i < actions.length; i++) {
            reads += (actions[i].data.length + 31) / 32 + 3;
        }
        try this.dryRun{gas: APPLY_GAS - reads * 2100}(actions) {
            revert("unreachable");
        } catch (bytes memory reason) {
            if (bytes4(reason) != DryRunApplied.selector) {
                require(reason.length > 0, "the actions need more than 5000000 gas to apply: split them into proposals");
                _bubble(reason);
            }
        }
        id = proposals.length + 1;
        uint64 deadline = uint64(block.number) + votingPeriod;
        proposals.push(Proposal(msg.sender, member, uint64(block.number), deadline, 0, Status.Open, 0, 0, description, ""));
        for (uint256 i = 0; i < actions.length; i++) {
            actionsOf[id].push(actions[i]);
        }
        open.push(id);
        if (nextDeadline == 0 || deadline + 1 < nextDeadline) {
            nextDeadline = deadline + 1;
        }
        emit Proposed(id, msg.sender, member, deadline, description);
    }

    /// Votes for (support) or against a proposal, for the caller's member.
    /// A proposal passes, and its actions apply, in the block of the vote
    /// that makes it certain: approvals of at least the threshold of all
    /// weight, with the quorum taking part. It is rejected once approval can
    /// no longer reach the threshold; otherwise it is decided when its
    /// voting period ends (settle).
    function vote(uint256 id, bool support) external {
        bytes32 member = _memberOf(msg.sender);
        Proposal storage p = _proposal(id);
        require(p.status == Status.Open, string.concat("proposal ", id.toString(), " is ", _statusName(p.status), ": it takes no votes"));
        require(
            block.number <= p.deadline,
            string.concat("voting on proposal ", id.toString(), " ended at block ", uint256(p.deadline).toString())
        );
        require(
            !hasVoted[id][member],
            string.concat("member ", members[member].name, " has voted on proposal ", id.toString(), " already")
        );
        hasVoted[id][member] = true;
        uint64 w = members[member].weight;
        if (support) p.yes += w;
        else p.no += w;
        emit Voted(id, msg.sender, member, support, w);
        if (p.yes * 10000 >= threshold * totalWeight && (p.yes + p.no) * 10000 >= quorum * totalWeight) {
            _execute(id);
        } else if (p.no * 10000 > (10000 - threshold) * totalWeight) {
            _close(id, Status.Rejected);
            emit Rejected(id, "the votes against leave the threshold out of reach");
        }
    }

    /// Decides the open proposals whose voting period is over; the node calls
    /// it after the transactions of the block at nextDeadline.
    function settle() external {
        require(msg.sender == SYSTEM, "settle is called by the node");
        uint256 i = 0;
        // Each decision may apply a proposal under APPLY_GAS; what does not
        // fit in this call is left for the next block's.
        while (i < open.length && gasleft() > APPLY_RESERVE + 600_000) {
            uint256 id = open[i];
            Proposal storage p = proposals[id - 1];
            if (block.number <= p.deadline) {
                i++;
                continue;
            }
            uint256 cast = p.yes + p.no;
            if (cast * 10000 < quorum * totalWeight) {
                _close(id, Status.Expired);
                p.outcome = string.concat("participation ", _bps(cast), " of the weight, below the quorum");
                emit Expired(id, p.outcome);
            } else if (p.yes * 10000 < threshold * cast) {
                _close(id, Status.Rejected);
                p.outcome = "approval below the threshold";
                emit Rejected(id, p.outcome);
            } else {
                _execute(id); // removes open[i]
            }
        }
        _resetDeadline();
    }

    /// Applies actions and reverts with DryRunApplied: propose's check.
    function dryRun(Action[] calldata actions) external {
        require(msg.sender == address(this), "dryRun is internal");
        for (uint256 i = 0; i < actions.length; i++) {
            _apply(actions[i]);
        }
        revert DryRunApplied();
    }

    /// Applies a passed proposal's actions, all or none.
    function applyProposal(uint256 id) external {
        require(msg.sender == address(this), "applyProposal is internal");
        Action[] storage acts = actionsOf[id];
        for (uint256 i = 0; i < acts.length; i++) {
            _apply(acts[i]);
        }
    }

    /// Serves the parts' functions (ConsortiumPermissions',
    /// ConsortiumValidators') and the list views (ConsortiumViews'), on
    /// this storage.
    fallback() external {
        bytes4 s = msg.sig;
        address part = VIEWS;
        if (s == ConsortiumPermissions.grantRoles.selector || s == ConsortiumPermissions.revokeRoles.selector ||
            s == ConsortiumPermissions.freeze.selector || s == ConsortiumPermissions.unfreeze.selector) {
            part = PERMISSIONS;
        } else if (s == ConsortiumValidators.punish.selector || s == ConsortiumValidators.takeValidatorUpdates.selector) {
            part = VALIDATORS;
        }
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), part, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    // ---- Internal ----

    /// Applies one action: members here, the rest in the part that keeps
    /// them (by DELEGATECALL, so on this storage).
    function _apply(Action memory a) internal {
        if (a.kind == SET_MEMBER) {
            (string memory name, uint64 weight, address[] memory governors) = abi.decode(a.data, (string, uint64, address[]));
            _setMember(name, weight, governors);
            require(totalWeight > 0, "the consortium would have no member with weight");
        } else if (a.kind == SET_VALIDATORS) {
            _part(VALIDATORS, abi.encodeCall(ConsortiumValidators.byProposalSetValidators, (abi.decode(a.data, (ValidatorUpdate[])))));
        } else if (a.kind == SET_NODE_VALIDATORS) {
            _part(VALIDATORS, abi.encodeCall(ConsortiumValidators.byProposalSetNodeValidators, (abi.decode(a.data, (NodeValidator[])))));
        } else if (a.kind == SET_ROLES) {
            (address account, uint256 roles) = abi.decode(a.data, (address, uint256));
            _part(PERMISSIONS, abi.encodeCall(ConsortiumPermissions.byProposalSetRoles, (account, roles)));
        } else if (a.kind == SET_PARAM) {
            (uint8 param, uint256 value) = abi.decode(a.data, (uint8, uint256));
            _part(NETWORK, abi.encodeCall(ConsortiumNetwork.byProposalSetParam, (param, value)));
        } else if (a.kind == SET_FEE_RECIPIENT) {
            (bytes32 pubKey, address recipient) = abi.decode(a.data, (bytes32, address));
            _part(VALIDATORS, abi.encodeCall(ConsortiumValidators.byProposalSetFeeRecipient, (pubKey, recipient)));
        } else if (a.kind == SCHEDULE_UPGRADE) {
            (uint64 version, uint64 height) = abi.decode(a.data, (uint64, uint64));
            _part(NETWORK, abi.encodeCall(ConsortiumNetwork.byProposalScheduleUpgrade, (version, height)));
        } else if (a.kind == SET_FROZEN) {
            (address account, bool frozen_) = abi.decode(a.data, (address, bool));
            _part(PERMISSIONS, abi.encodeCall(ConsortiumPermissions.byProposalSetFrozen, (account, frozen_)));
        } else if (a.kind == SET_NODE) {
            (bytes20 id, bool admitted, string memory name) = abi.decode(a.data, (bytes20, bool, string));
            _part(NETWORK, abi.encodeCall(ConsortiumNetwork.byProposalSetNode, (id, admitted, name)));
        } else if (a.kind == SET_NODE_MEMBER) {
            (bytes20 node, string memory member) = abi.decode(a.data, (bytes20, string));
            _part(NETWORK, abi.encodeCall(ConsortiumNetwork.byProposalSetNodeMember, (node, member)));
        } else if (a.kind == SET_GOVERNED) {
            (address target, bool listed, string memory name) = abi.decode(a.data, (address, bool, string));
            _part(NETWORK, abi.encodeCall(ConsortiumNetwork.byProposalSetGoverned, (target, listed, name)));
        } else if (a.kind == CALL) {
            (address target, bytes memory data) = abi.decode(a.data, (address, bytes));
            _part(NETWORK, abi.encodeCall(ConsortiumNetwork.byProposalCall, (target, data)));
        } else {
            revert(string.concat("unknown action kind ", uint256(a.kind).toString()));
        }
    }

    /// Runs a part's function on this storage, passing its revert on.
    function _part(address part, bytes memory call) internal {
        (bool ok, bytes memory ret) = part.delegatecall(call);
        if (!ok) _bubble(ret);
    }

    function _execute(uint256 id) internal {
        Proposal storage p = proposals[id - 1];
        _close(id, Status.Passed);
        require(gasleft() > APPLY_RESERVE, "vote with more gas: passing this proposal applies it with up to 5000000");
        try this.applyProposal{gas: APPLY_GAS}(id) {
            emit Passed(id);
        } catch (bytes memory reason) {
            p.status = Status.Failed;
            p.outcome = _reason(reason);
            emit Failed(id, p.outcome);
        }
    }

    function _close(uint256 id, Status status) internal {
        proposals[id - 1].status = status;
        proposals[id - 1].decided = uint64(block.number);
        for (uint256 i = 0; i < open.length; i++) {
            if (open[i] == id) {
                open[i] = open[open.length - 1];
                open.pop();
                break;
            }
        }
        _resetDeadline();
    }

    function _resetDeadline() internal {
        uint64 next = 0;
        for (uint256 i = 0; i < open.length; i++) {
            uint64 d = proposals[open[i] - 1].deadline + 1;
            if (next == 0 || d < next) next = d;
        }
        nextDeadline = next;
    }

    function _statusName(Status s) internal pure returns (string memory) {
        if (s == Status.Passed) return "passed";
        if (s == Status.Rejected) return "rejected";
        if (s == Status.Expired) return "expired";
        if (s == Status.Failed) return "failed";
        return "open";
    }

    function _bps(uint256 cast) internal view returns (string memory) {
        return string.concat(cast.toString(), "/", totalWeight.toString());
    }

    function _bubble(bytes memory reason) internal pure {
        assembly {
            revert(add(reason, 32), mload(reason))
        }
    }
}
