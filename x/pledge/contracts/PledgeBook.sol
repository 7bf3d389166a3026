// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/// The part of the Capsules system contract the pledge book uses.
interface ICapsules {
    function seal(uint64 round, bytes calldata ciphertext, string calldata label) external returns (uint256 id);
    function capsule(uint256 id) external view returns (CapsuleView memory c, bool open, bytes memory key);
}

struct CapsuleView {
    address owner;
    uint64 round;
    uint64 sealedAt;
    string label;
    bytes ciphertext;
}

/// @title PledgeBook
/// @notice The Chain of Aspirations: members write why they joined and what
/// it means to them, sealed as time capsules until an anniversary of the
/// day they joined. The client seals each pledge with drand's timelock
/// encryption to the beacon round of that anniversary (midnight in the
/// network's time zone) before it reaches the chain, so nobody can read it
/// early; a private pledge is also encrypted to its member's key. Pledges
/// can be neither changed nor deleted; a member can add new ones.
contract PledgeBook {
    using Strings for uint256;
    using Strings for address;

    struct Pledge {
        address member;
        uint256 capsule; // its id in the Capsules contract
        uint32 joinedOn; // YYYYMMDD
        uint64 opensAt; // seconds since the epoch: the anniversary's midnight
        uint64 writtenAt; // block
        bool isPrivate;
    }

    ICapsules public immutable capsules;
    Pledge[] internal pledges; // id = index + 1
    mapping(address => uint256[]) internal byMember;

    event Written(uint256 indexed id, address indexed member, uint256 capsule, uint32 joinedOn, uint64 opensAt, bool isPrivate);

    constructor(ICapsules capsules_) {
        capsules = capsules_;
    }

    /// Writes a pledge: ciphertext is sealed to round, which comes at
    /// opensAt (the Capsules contract refuses a round that has come).
    function write(uint32 joinedOn, uint64 round, uint64 opensAt, bool isPrivate, bytes calldata ciphertext) external returns (uint256 id) {
        uint32 m = (joinedOn / 100) % 100;
        uint32 d = joinedOn % 100;
        require(joinedOn / 10000 >= 1900 && m >= 1 && m <= 12 && d >= 1 && d <= 31, "the joining day is YYYYMMDD");
        require(opensAt > block.timestamp, "a pledge opens after it is written");
        uint256 c = capsules.seal(round, ciphertext, string.concat("pledge of ", msg.sender.toHexString()));
        pledges.push(Pledge(msg.sender, c, joinedOn, opensAt, uint64(block.number), isPrivate));
        id = pledges.length;
        byMember[msg.sender].push(id);
        emit Written(id, msg.sender, c, joinedOn, opensAt, isPrivate);
    }

    /// A pledge, and whether its capsule is open.
    function pledge(uint256 id) external view returns (Pledge memory p, bool open) {
        require(id > 0 && id <= pledges.length, string.concat("no pledge ", id.toString()));
        p = pledges[id - 1];
        (, open,) = capsules.capsule(p.capsule);
    }

    /// The ids of a member's pledges, oldest first.
    function pledgesOf(address member) external view returns (uint256[] memory) {
        return byMember[member];
    }

    /// How many pledges there are.
    function count() external view returns (uint256) {
        return pledges.length;
    }
}
