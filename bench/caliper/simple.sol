// SPDX-License-Identifier: Apache-2.0
// The "simple" contract of Hyperledger Caliper's Ethereum benchmarks
// (caliper-benchmarks/src/ethereum/simple), for solc 0.8: accounts by name,
// opened with an amount, read, and transferred between.
pragma solidity ^0.8.0;

contract simple {
    mapping(string => int256) private accounts;

    function open(string memory acc_id, int256 amount) public {
        accounts[acc_id] = amount;
    }

    function query(string memory acc_id) public view returns (int256 amount) {
        amount = accounts[acc_id];
    }

    function transfer(string memory acc_from, string memory acc_to, int256 amount) public {
        accounts[acc_from] -= amount;
        accounts[acc_to] += amount;
    }
}
