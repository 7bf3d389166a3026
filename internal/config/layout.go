package config

import "path/filepath"

// A node's home holds, besides its configuration:
//
//	config/genesis.json             the network's genesis (public, shared)
//	config/node_key.json            the p2p key; its address is the node ID
//	config/priv_validator_key.json  the consensus key (secret)
//	config/priv_validator_key.next.json  a key waiting to replace it (chuxin rotate-key)
//	config/part.json                the public part this node gave the genesis ceremony
//	config/share_key.txt            the age key the ceremony seals its beacon share to (secret)
//	config/beacon_share.json        a validator's share of the beacon's master secret (secret)
//	config/priv_validator_state.json  the last height, round and step signed (with the keys,
//	                                 so that rebuilding data/ keeps the validator's memory)
//	data/chuxin.db                  the state database

// GenesisFile is where a home keeps the network's genesis.
func GenesisFile(home string) string { return filepath.Join(home, "config", "genesis.json") }

// NodeKeyFile is where a home keeps its p2p key.
func NodeKeyFile(home string) string { return filepath.Join(home, "config", "node_key.json") }

// ConsensusKeyFile is where a home keeps its consensus (validator) key.
func ConsensusKeyFile(home string) string {
	return filepath.Join(home, "config", "priv_validator_key.json")
}

// SignStateFile is where a home records what its consensus key last signed:
// beside the key, outside the data/ that a rebuild deletes, so that a
// rebuilt validator never signs again where it signed before.
func SignStateFile(home string) string {
	return filepath.Join(home, "config", "priv_validator_state.json")
}

// LegacySignStateFile is where homes made before the signing state moved
// to config/ kept it; a node moves it on start.
func LegacySignStateFile(home string) string {
	return filepath.Join(home, "data", "priv_validator_state.json")
}

// PartFile is where a home keeps the public part it gave the genesis
// ceremony.
func PartFile(home string) string { return filepath.Join(home, "config", "part.json") }

// ShareKeyFile is where a home keeps the secret half of the age key its
// beacon share is sealed to in a genesis ceremony.
func ShareKeyFile(home string) string { return filepath.Join(home, "config", "share_key.txt") }

// BeaconShareFile is where a validator's home keeps its share of the
// beacon's master secret (secret, as the consensus key).
func BeaconShareFile(home string) string {
	return filepath.Join(home, "config", "beacon_share.json")
}

// NextConsensusKeyFile is where a home keeps the consensus key that is to
// replace its key once governance has made it a validator in the key's
// stead (chuxin rotate-key).
func NextConsensusKeyFile(home string) string {
	return filepath.Join(home, "config", "priv_validator_key.next.json")
}

// RetiredConsensusKeyFile is where a home keeps a consensus key it has
// rotated away from, by its address.
func RetiredConsensusKeyFile(home, address string) string {
	return filepath.Join(home, "config", "priv_validator_key.retired-"+address+".json")
}
