// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// The Consortium contract's permissions: role bits and the frozen bit.
interface IConsortiumPermissions {
    function permissions(address account) external view returns (uint256);
}

/// The chain's clock: contracts that the consortium allows schedule calls at
/// a block time, and the node runs each in the first block whose time is at
/// or after it, from a system call after the block's transactions, in
/// (time, sequence) order, at most MAX_FIRES calls and MAX_BLOCK_GAS gas a
/// block; what is left runs in the next blocks. A call that reverts or runs
/// out of gas is recorded as failed, with its reason, and the others go on.
///
/// fire never runs out of its gas: before it takes a call from the queue it
/// makes sure that the call's gas and the most the bookkeeping around it
/// can cost (taking it from the queue, loading its data, recording a
/// failure) are left; when they are not, the rest waits for the next block.
///
/// The node reads one slot a block (nextDue, slot 0): an idle chain with
/// nothing due stays idle.
contract Scheduler {
    /// The time of the earliest pending call (0: none). Slot 0: the node
    /// reads it every block.
    uint256 public nextDue;

    uint8 public constant PENDING = 1;
    uint8 public constant DONE = 2;
    uint8 public constant FAILED = 3;
    uint8 public constant CANCELLED = 4;

    /// The most gas one call may have.
    uint64 public constant MAX_CALL_GAS = 2_000_000;
    /// The most bytes of one call's data.
    uint256 public constant MAX_DATA = 1024;
    /// The most calls pending at once, and the most calls and gas of one
    /// scheduler's: one scheduler can delay the others' calls by at most
    /// 64 blocks (4,096 calls at 64 a block, or 640,000,000 gas at
    /// 10,000,000 a block).
    uint256 public constant MAX_QUEUE = 65536;
    uint256 public constant MAX_QUEUED_BY = 4096;
    uint256 public constant MAX_QUEUED_GAS_BY = 640_000_000;
    /// What a failed call's reason keeps.
    uint256 internal constant MAX_REASON = 128;
    /// The gas fire keeps, besides a call's own, for taking it from the
    /// queue (a heap of 65,536: 16 levels, each moving a key and its
    /// position), loading its data (MAX_DATA),
    /// the two freeze checks, and recording its outcome and event (a
    /// MAX_REASON reason).
    uint256 internal constant CALL_RESERVE = 700_000;

    address internal constant SYSTEM = 0xffffFFFfFFffffffffffffffFfFFFfffFFFfFFfE;
    IConsortiumPermissions internal constant CONSORTIUM = IConsortiumPermissions(0xC415000000000000000000000000000000000001);
    uint256 internal constant ADMIN = 1;
    uint256 internal constant FROZEN = 1 << 128;

    struct Call {
        address owner; // the contract that scheduled it
        uint64 time; // block time at or after which it runs
        uint64 gasLimit;
        uint8 status;
        address target;
        uint64 firedAt; // the block that ran it (or 0)
        bytes data;
        bytes reason; // why it failed
    }

    /// The calls, by id from 1.
    mapping(uint256 => Call) internal calls;
    uint256 public count;
    uint256 public pending;
    /// A binary min-heap of the pending calls' keys: time << 128 | id.
    uint256[] internal heap;
    /// Each pending call's place in the heap, plus one.
    mapping(uint256 => uint256) internal placeOf;
    /// The contracts that may schedule.
    mapping(address => bool) public allowed;
    /// Each scheduler's pending calls, and their gas.
    mapping(address => uint256) public queuedBy;
    mapping(address => uint256) public queuedGasBy;

    event Allowed(address indexed account, bool allowed, address indexed by);
    event Scheduled(uint256 indexed id, address indexed owner, address indexed target, uint64 time, uint64 gasLimit);
    event Cancelled(uint256 indexed id);
    event Fired(uint256 indexed id, address indexed target, bool success, bytes reason);

    constructor(address[] memory allowList) {
        for (uint256 i = 0; i < allowList.length; i++) {
            allowed[allowList[i]] = true;
            emit Allowed(allowList[i], true, address(0));
        }
    }

    /// Whether account holds the consortium's admin role, unfrozen.
    function _admin(address account) internal view returns (bool) {
        uint256 p = CONSORTIUM.permissions(account);
        return p & ADMIN != 0 && p & FROZEN == 0;
    }

    /// Allows an account to schedule calls, or no longer (its pending calls
    /// then fail when due); by an account with the consortium's admin role
    /// (which only governance grants).
    function allow(address account, bool yes) external {
        require(_admin(msg.sender), "allowing a scheduler takes the consortium's admin role");
        allowed[account] = yes;
        emit Allowed(account, yes, msg.sender);
    }

    /// Schedules a call of target with data at block time `time` (seconds),
    /// with gasLimit gas; returns its id.
    function schedule(address target, bytes calldata data, uint64 time, uint64 gasLimit) external returns (uint256 id) {
        require(allowed[msg.sender], "this account may not schedule calls: the consortium's admins allow schedulers");
        require(time > block.timestamp, "the time is not in the future");
        require(gasLimit > 0 && gasLimit <= MAX_CALL_GAS, "the gas limit is 1 to 2000000");
        require(data.length <= MAX_DATA, "the call's data is at most 1024 bytes");
        require(heap.length < MAX_QUEUE, "65536 calls are pending: let some run first");
        require(queuedBy[msg.sender] < MAX_QUEUED_BY, "this scheduler has 4096 calls pending: let some run first");
        require(queuedGasBy[msg.sender] + gasLimit <= MAX_QUEUED_GAS_BY, "this scheduler's pending calls would have over 640000000 gas: let some run first");
        queuedBy[msg.sender]++;
        queuedGasBy[msg.sender] += gasLimit;
        id = ++count;
        Call storage c = calls[id];
        c.owner = msg.sender;
        c.time = time;
        c.gasLimit = gasLimit;
        c.status = PENDING;
        c.target = target;
        c.data = data;
        pending++;
        _push(uint256(time) << 128 | id);
        nextDue = heap[0] >> 128;
        emit Scheduled(id, msg.sender, target, time, gasLimit);
    }

    /// Cancels a pending call, taking it out of the queue; by the contract
    /// that scheduled it, or an account with the consortium's admin role.
    function cancel(uint256 id) external {
        Call storage c = calls[id];
        require(c.owner == msg.sender || _admin(msg.sender), "only the contract that scheduled a call, or a consortium admin, cancels it");
        require(c.status == PENDING, "the call is not pending");
        c.status = CANCELLED;
        _dequeue(c);
        _removeAt(placeOf[id] - 1);
        nextDue = heap.length == 0 ? 0 : heap[0] >> 128;
        emit Cancelled(id);
    }

    /// Takes a call off the counts of pending calls.
    function _dequeue(Call storage c) internal {
        pending--;
        queuedBy[c.owner]--;
        queuedGasBy[c.owner] -= c.gasLimit;
    }

    /// Runs the calls due, in (time, id) order: at most maxCalls calls and
    /// maxGas of their gas limits, while gas for them is left. Called by
    /// the node after a block's transactions.
    function fire(uint256 maxCalls, uint256 maxGas) external {
        require(msg.sender == SYSTEM, "fire is called by the node");
        uint256 ran;
        while (heap.length > 0 && ran < maxCalls) {
            uint256 top = heap[0];
            if (top >> 128 > block.timestamp) break;
            Call storage c = calls[uint128(top)];
            if (c.gasLimit > maxGas || gasleft() < uint256(c.gasLimit) * 64 / 63 + CALL_RESERVE) break;
            _removeAt(0);
            ran++;
            maxGas -= c.gasLimit;
            // Out of the queue before it runs: a call cannot cancel itself.
            c.status = DONE;
            _dequeue(c);
            c.firedAt = uint64(block.number);
            (bool ok, bytes memory reason) = _run(c);
            if (!ok) {
                c.status = FAILED;
                c.reason = reason;
            }
            emit Fired(uint128(top), c.target, ok, reason);
        }
        nextDue = heap.length == 0 ? 0 : heap[0] >> 128;
    }

    /// Calls c's target with its gas, keeping at most MAX_REASON bytes of
    /// what a failed call returned; a call whose scheduler is no longer
    /// allowed, or whose scheduler or target is frozen, fails.
    function _run(Call storage c) internal returns (bool ok, bytes memory reason) {
        if (!allowed[c.owner]) return (false, bytes("the scheduler is no longer allowed"));
        if (CONSORTIUM.permissions(c.owner) & FROZEN != 0) return (false, bytes("the scheduling contract is frozen"));
        if (CONSORTIUM.permissions(c.target) & FROZEN != 0) return (false, bytes("the target is frozen"));
        bytes memory data = c.data;
        address target = c.target;
        uint256 gasLimit = c.gasLimit;
        uint256 n;
        assembly {
            ok := call(gasLimit, target, 0, add(data, 32), mload(data), 0, 0)
            n := returndatasize()
        }
        if (ok) return (true, "");
        if (n > MAX_REASON) n = MAX_REASON;
        reason = new bytes(n);
        assembly {
            returndatacopy(add(reason, 32), 0, n)
        }
        if (n == 0) reason = bytes("reverted without a reason, or ran out of gas");
    }

    /// A call: who scheduled it, its target, time, gas, status, the block
    /// that ran it, its data and why it failed.
    function get(uint256 id) external view returns (Call memory) {
        require(id > 0 && id <= count, "no such call");
        return calls[id];
    }

    /// The calls from id `from`, at most n of them.
    function list(uint256 from, uint256 n) external view returns (Call[] memory out) {
        if (from == 0) from = 1;
        if (from > count) return out;
        uint256 last = count - from + 1 < n ? count : from + n - 1;
        out = new Call[](last - from + 1);
        for (uint256 i = from; i <= last; i++) out[i - from] = calls[i];
    }

    function _push(uint256 key) internal {
        heap.push(key);
        _up(heap.length - 1, key);
    }

    /// Takes the key at i out of the heap.
    function _removeAt(uint256 i) internal {
        uint256 removed = heap[i];
        uint256 last = heap[heap.length - 1];
        heap.pop();
        delete placeOf[uint128(removed)];
        if (i == heap.length) return;
        if (i > 0 && heap[(i - 1) / 2] > last) _up(i, last);
        else _down(i, last);
    }

    /// Places key at i, or above it while its parent is greater.
    function _up(uint256 i, uint256 key) internal {
        while (i > 0) {
            uint256 parent = (i - 1) / 2;
            uint256 p = heap[parent];
            if (p <= key) break;
            _place(i, p);
            i = parent;
        }
        _place(i, key);
    }

    /// Places key at i, or below it while a child is smaller.
    function _down(uint256 i, uint256 key) internal {
        uint256 size = heap.length;
        while (true) {
            uint256 l = 2 * i + 1;
            if (l >= size) break;
            uint256 child = l;
            uint256 ck = heap[l];
            if (l + 1 < size) {
                uint256 rk = heap[l + 1];
                if (rk < ck) {
                    child = l + 1;
                    ck = rk;
                }
            }
            if (key <= ck) break;
            _place(i, ck);
            i = child;
        }
        _place(i, key);
    }

    function _place(uint256 i, uint256 key) internal {
        heap[i] = key;
        placeOf[uint128(key)] = i + 1;
    }
}
