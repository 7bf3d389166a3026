// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ConsortiumRoles
/// @notice An application's own roles (an identity issuer, an operator bank,
/// a court), granted and revoked only by the consortium's proposals. From
/// rule version 6 a proposal calls a contract that governance lists, as the
/// Consortium (0xC415…0001):
///
///   chuxin gov propose --govern ADDRESS:NAME \
///     --call 'ADDRESS:grantRole(bytes32,address):ROLE,ACCOUNT'
///
/// An application inherits it and guards its functions with onlyRole. The
/// proposal's vote is the authority: the contract checks its caller and
/// nothing else. Refusals are Error(string), so that a proposal that fails
/// says why.
abstract contract ConsortiumRoles {
    /// The Consortium system contract: the only caller that grants.
    address public constant CONSORTIUM = 0xC415000000000000000000000000000000000001;

    /// Whether account holds role.
    mapping(bytes32 role => mapping(address account => bool)) public hasRole;

    event RoleGranted(bytes32 indexed role, address indexed account);
    event RoleRevoked(bytes32 indexed role, address indexed account);

    modifier onlyConsortium() {
        require(msg.sender == CONSORTIUM, "only the consortium's proposals grant and revoke this application's roles");
        _;
    }

    modifier onlyRole(bytes32 role) {
        require(hasRole[role][msg.sender], "the caller lacks the role this takes: the consortium grants it by proposal");
        _;
    }

    /// Grants role to account; by a passed proposal only. Granting a role
    /// held already changes nothing, so that two proposals that grant it
    /// both pass.
    function grantRole(bytes32 role, address account) external onlyConsortium {
        require(account != address(0), "no role for the zero address");
        if (hasRole[role][account]) return;
        hasRole[role][account] = true;
        emit RoleGranted(role, account);
    }

    /// Revokes role from account; by a passed proposal only. Revoking a
    /// role not held changes nothing.
    function revokeRole(bytes32 role, address account) external onlyConsortium {
        if (!hasRole[role][account]) return;
        hasRole[role][account] = false;
        emit RoleRevoked(role, account);
    }

    /// Gives up the caller's role: a holder whose key is at risk need not
    /// wait for a proposal.
    function renounceRole(bytes32 role) external {
        require(hasRole[role][msg.sender], "the caller does not hold the role");
        hasRole[role][msg.sender] = false;
        emit RoleRevoked(role, msg.sender);
    }
}

/// @title RoleRegistry
/// @notice ConsortiumRoles on its own: a registry of roles the consortium
/// grants, for applications that keep none themselves and read
/// hasRole(role, account) from it.
contract RoleRegistry is ConsortiumRoles {}
