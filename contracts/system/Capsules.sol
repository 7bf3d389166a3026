// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/// @title Capsules
/// @notice chuxin's time capsules, a system contract at a fixed address in
/// every chain whose genesis has a beacon. A capsule is a ciphertext sealed
/// on the client with drand's timelock encryption (tlock) to one of the
/// beacon's rounds; nobody can read it before the validators release that
/// round's key, and nobody can change or delete it. When a block releases
/// the key of a round that has capsules, the node stores the key here by a
/// system call (release), so a capsule's status and key are chain state;
/// rounds without capsules leave the state alone.
///
/// The node reads the first state variable: keep it first.
contract Capsules {
    using Strings for uint256;

    /// How many capsules are sealed to each round.
    mapping(uint64 => uint256) public countAt; // slot 0

    struct Capsule {
        address owner;
        uint64 round; // the beacon round it opens at
        uint64 sealedAt; // block
        string label;
        bytes ciphertext; // tlock's age format, armored or binary
    }

    /// The most bytes of one ciphertext and of one label.
    uint256 public constant MAX_CIPHERTEXT = 16384;
    uint256 public constant MAX_LABEL = 128;

    /// Round 1 of the beacon, and the seconds between rounds.
    uint64 public immutable beaconGenesis;
    uint64 public immutable beaconPeriod;
    /// The beacon's drand chain hash, which a ciphertext sealed here names.
    bytes32 public immutable chainHash;

    Capsule[] internal capsules; // id = index + 1
    mapping(address => uint256[]) internal owned;
    mapping(uint64 => bytes) internal keys;

    event Sealed(uint256 indexed id, address indexed owner, uint64 indexed round, string label);
    event Released(uint64 indexed round, bytes key);

    address internal constant SYSTEM = 0xffffFFFfFFffffffffffffffFfFFFfffFFFfFFfE;
    /// The node's precompile that reads a timelock ciphertext's header:
    /// abi.encode(uint256 round, bytes32 chainHash) of its one recipient.
    address internal constant TIMELOCK_HEADER = 0xC415000000000000000000000000000000000100;

    constructor(uint64 genesisTime, uint64 period, bytes32 chainHash_) {
        require(period > 0, "the beacon period is at least a second");
        beaconGenesis = genesisTime;
        beaconPeriod = period;
        chainHash = chainHash_;
    }

    /// When a round comes, in seconds since the epoch.
    function roundTime(uint64 round) public view returns (uint256) {
        return uint256(beaconGenesis) + (uint256(round) - 1) * beaconPeriod;
    }

    /// Seals a ciphertext to a round that has not come yet. It can be
    /// neither changed nor deleted.
    function seal(uint64 round, bytes calldata ciphertext, string calldata label) external returns (uint256 id) {
        require(ciphertext.length > 0 && ciphertext.length <= MAX_CIPHERTEXT, string.concat(
            "a capsule's ciphertext is 1 to ", MAX_CIPHERTEXT.toString(), " bytes, this one ", ciphertext.length.toString()));
        require(bytes(label).length <= MAX_LABEL, string.concat("a capsule's label is at most ", MAX_LABEL.toString(), " bytes"));
        require(round > 0 && block.timestamp < roundTime(round), string.concat("round ", uint256(round).toString(),
            " comes at ", roundTime(round > 0 ? round : 1).toString(), ", not after this block: seal to a later round"));
        // What a capsule says is what its ciphertext's header says: this
        // beacon, the round it is sealed to, and no other recipient.
        (bool ok, bytes memory header) = TIMELOCK_HEADER.staticcall(ciphertext);
        require(ok && header.length == 64, "the ciphertext is not a timelock (tlock) ciphertext with one recipient");
        (uint256 opens, bytes32 chain) = abi.decode(header, (uint256, bytes32));
        require(chain == chainHash, "the ciphertext is sealed to another beacon's chain hash: seal it to this network's");
        require(opens == round, string.concat("the ciphertext opens at round ", opens.toString(), ", not at round ",
            uint256(round).toString(), ": seal it to the round the capsule names"));
        capsules.push(Capsule(msg.sender, round, uint64(block.number), label, ciphertext));
        id = capsules.length;
        owned[msg.sender].push(id);
        countAt[round]++;
        emit Sealed(id, msg.sender, round, label);
    }

    /// Stores a released round's key; the node calls it for rounds with
    /// capsules, in the block that releases the key.
    function release(uint64 round, bytes calldata key) external {
        require(msg.sender == SYSTEM, "release is called by the node");
        require(keys[round].length == 0, "released already");
        keys[round] = key;
        emit Released(round, key);
    }

    /// A capsule, whether it is open, and its round's key once it is.
    function capsule(uint256 id) external view returns (Capsule memory c, bool open, bytes memory key) {
        require(id > 0 && id <= capsules.length, string.concat("no capsule ", id.toString()));
        c = capsules[id - 1];
        key = keys[c.round];
        open = key.length > 0;
    }

    /// The ids of an owner's capsules, oldest first.
    function capsulesOf(address owner) external view returns (uint256[] memory) {
        return owned[owner];
    }

    /// How many capsules there are.
    function count() external view returns (uint256) {
        return capsules.length;
    }

    /// A round's key, if the chain stored it (empty otherwise).
    function keyAt(uint64 round) external view returns (bytes memory) {
        return keys[round];
    }
}
