package client

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/govclient"
	"github.com/chuxin-chain/chuxin/internal/system"
	ctypes "github.com/chuxin-chain/chuxin/x/consortium/types"
)

// rotationActions are the actions that hand the old key's power and fee
// recipient to the new key, and a note on what it does to the beacon.
//
// info is the consortium as it stands. With binds (rule version 6 on),
// the new key is bound to the node that signed with the old one: the node
// the rotation names, or else the one the consortium has on record for the
// old key.
func rotationActions(ctx context.Context, c *govclient.Client, info *ctypes.ConsortiumInfo, r rotation, binds bool) ([]system.Action, string, error) {
	old, next := r.old, r.next
	var power uint64
	var onRecord string
	for _, v := range info.Validators {
		if v.PubKey == common.Hash(old.PubKey) {
			power, onRecord = v.Power, v.Node
		}
		if v.PubKey == common.Hash(next.PubKey) {
			return nil, "", fmt.Errorf("--rotate-validator: 0x%x is a validator already", next.PubKey)
		}
	}
	if power == 0 {
		return nil, "", fmt.Errorf("--rotate-validator: 0x%x is not a validator (chuxin gov members lists them)", old.PubKey)
	}
	out, err := c.View(ctx, "feeRecipientOf", [20]byte(system.ConsensusAddress(old.PubKey[:])))
	if err != nil {
		return nil, "", fmt.Errorf("the old key's fee recipient: %w", err)
	}
	recipient, _ := out[0].(common.Address)
	if recipient == (common.Address{}) {
		return nil, "", fmt.Errorf("--rotate-validator: 0x%x has no fee recipient to carry over; name one with --set-fee-recipient", old.PubKey)
	}
	set := system.SetValidators(system.ValidatorUpdate{PubKey: old.PubKey}, system.ValidatorUpdate{PubKey: next.PubKey, Power: power})
	note := fmt.Sprintf("rotation: 0x%x takes power %d and fee recipient %s from 0x%x", next.PubKey, power, recipient, old.PubKey)
	if binds {
		var node system.NodeID
		if r.node != nil {
			node = *r.node
		} else if onRecord != "" {
			if node, err = system.ParseNodeID(onRecord); err != nil {
				return nil, "", fmt.Errorf("the old key's node: %w", err)
			}
		}
		if node == (system.NodeID{}) {
			return nil, "", fmt.Errorf("--rotate-validator: the consortium has no node on record for 0x%x: name the node it signs on, OLD_KEY:NEW_KEY:NODE_ID (chuxin rotate-key prints it)", old.PubKey)
		}
		set = system.SetNodeValidators(system.NodeValidator{PubKey: old.PubKey}, system.NodeValidator{PubKey: next.PubKey, Power: power, Node: node})
		note += fmt.Sprintf(" on node %s", node)
	}
	actions := []system.Action{set, system.SetFeeRecipient(next.PubKey, recipient)}
	note += "\n"
	// The beacon's holders, by consensus key: the old key's share stops counting.
	var holders []common.Hash
	for i := int64(0); i < 1024; i++ {
		out, err := c.View(ctx, "beaconHolders", big.NewInt(i))
		if err != nil {
			break
		}
		if h, ok := out[0].([32]byte); ok {
			holders = append(holders, h)
		}
	}
	for _, h := range holders {
		if h == common.Hash(old.PubKey) {
			threshold := any("?")
			if t, err := c.View(ctx, "beaconThreshold"); err == nil && len(t) == 1 {
				threshold = t[0]
			}
			note += fmt.Sprintf("the old key holds a share of the beacon (threshold %v of %d holders): after the rotation the node's share no longer counts, until resharing exists\n", threshold, len(holders))
		}
	}
	return actions, note, nil
}

var errRotateFormat = errors.New("--rotate-validator: want OLD_KEY:NEW_KEY[:NODE_ID] (consensus public keys, hex or base64; the node ID, 40 hex digits)")
