// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ChuxinToken
/// @notice A plain OpenZeppelin ERC-20 whose whole supply goes to the deployer:
/// the token that the end-to-end tests and the load generator deploy.
contract ChuxinToken is ERC20 {
    constructor(uint256 supply) ERC20("Chuxin Token", "CXT") {
        _mint(msg.sender, supply);
    }
}
