package beacon

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/internal/system"
	"github.com/chuxin-chain/chuxin/x/beacon/types"
)

// Sentinel errors.
var (
	// ErrSealed: a capsule whose round has not been released yet.
	ErrSealed = errors.New("sealed")
	// ErrNoBeacon: the chain has no beacon.
	ErrNoBeacon = errors.New("this chain has no beacon: its genesis has no beacon committee")
)

// API serves the capsule and epoch-key methods under their names in the
// chuxin namespace (chuxin_capsuleInfo, chuxin_getCapsule,
// chuxin_openCapsule, chuxin_getEpochKey).
type API struct{ chain module.Chain }

// capsuleTuple mirrors the contract's Capsule struct.
type capsuleTuple struct {
	Owner      common.Address
	Round      uint64
	SealedAt   uint64
	Label      string
	Ciphertext []byte
}

// beacon is the chain's beacon, or ErrNoBeacon.
func (api *API) beacon() (module.Beacon, error) {
	b, ok := api.chain.Beacon()
	if !ok {
		return nil, ErrNoBeacon
	}
	return b, nil
}

func (api *API) capsuleView(ctx context.Context, method string, args ...any) ([]any, error) {
	if _, err := api.beacon(); err != nil {
		return nil, err
	}
	data, err := system.PackCapsules(method, args...)
	if err != nil {
		return nil, err
	}
	ret, err := api.chain.Call(ctx, system.CapsulesAddress, data)
	if err != nil {
		return nil, fmt.Errorf("read the Capsules contract (%s): %w", method, err)
	}
	return system.UnpackCapsules(method, ret)
}

// CapsuleInfo tells where capsules live and which beacon opens them.
func (api *API) CapsuleInfo(ctx context.Context) (*types.CapsuleSystem, error) {
	out, err := api.capsuleView(ctx, "count")
	if err != nil {
		return nil, err
	}
	b, err := api.beacon()
	if err != nil {
		return nil, err
	}
	latest, err := b.Latest()
	if err != nil {
		return nil, err
	}
	threshold, holders := b.Threshold()
	var book *common.Address
	if a, ok := api.chain.Contract("pledgeBook"); ok {
		book = &a
	}
	info := b.Info()
	return &types.CapsuleSystem{Contract: system.CapsulesAddress, Capsules: hexutil.Uint64(out[0].(*big.Int).Uint64()),
		ChainHash: b.ChainHash(), PublicKey: info.PublicKey.Bytes(), Scheme: capsule.Scheme, Period: hexutil.Uint64(info.Period),
		GenesisTime: hexutil.Uint64(info.GenesisTime), LatestRound: hexutil.Uint64(latest),
		TimeZone: b.TimeZone(), PledgeBook: book,
		Threshold: hexutil.Uint64(threshold), Holders: hexutil.Uint64(holders)}, nil
}

// GetCapsule returns a capsule: its owner, round, label, ciphertext, when
// it opens and whether it is open.
func (api *API) GetCapsule(ctx context.Context, id hexutil.Uint64) (*types.CapsuleInfo, error) {
	out, err := api.capsuleView(ctx, "capsule", new(big.Int).SetUint64(uint64(id)))
	if err != nil {
		return nil, err
	}
	b, err := api.beacon()
	if err != nil {
		return nil, err
	}
	c := *abi.ConvertType(out[0], new(capsuleTuple)).(*capsuleTuple)
	info := &types.CapsuleInfo{ID: id, Owner: c.Owner, Round: hexutil.Uint64(c.Round), SealedAt: hexutil.Uint64(c.SealedAt), Label: c.Label,
		Ciphertext: c.Ciphertext, OpensAt: time.Unix(b.Info().RoundTime(c.Round), 0).UTC(), Open: out[1].(bool)}
	if info.Open {
		info.Key = out[2].([]byte)
	}
	return info, nil
}

// OpenCapsule returns a capsule's plaintext once the key of the round its
// ciphertext is sealed to has been released, checked against the beacon's
// master key; before, the error says until when it is sealed.
func (api *API) OpenCapsule(ctx context.Context, id hexutil.Uint64) (*types.OpenedCapsule, error) {
	c, err := api.GetCapsule(ctx, id)
	if err != nil {
		return nil, err
	}
	b, err := api.beacon()
	if err != nil {
		return nil, err
	}
	info := b.Info()
	plain, err := capsule.Decrypt(info.PublicKey, b.ChainHash(), c.Ciphertext, func(round uint64) (*capsule.Signature, error) {
		key, err := b.Key(round)
		if err != nil {
			return nil, err
		}
		if key == nil {
			at := time.Unix(info.RoundTime(round), 0).UTC().Format(time.RFC3339)
			return nil, fmt.Errorf("%w: capsule %d is sealed until %s (round %d)", ErrSealed, id, at, round)
		}
		return key, nil
	})
	if err != nil {
		return nil, err
	}
	out := &types.OpenedCapsule{ID: id, Round: c.Round, Plaintext: plain}
	if utf8.Valid(plain) {
		out.Text = string(plain)
	}
	return out, nil
}

// GetEpochKey returns the key of a released epoch, or null while it is
// sealed (or on a chain without a beacon, an error saying so).
func (api *API) GetEpochKey(round hexutil.Uint64) (*types.EpochKey, error) {
	b, err := api.beacon()
	if err != nil {
		return nil, err
	}
	key, err := b.Key(uint64(round))
	if err != nil || key == nil {
		return nil, err
	}
	r := key.Randomness()
	return &types.EpochKey{Round: round, Key: key.Bytes(), Randomness: r[:], Time: hexutil.Uint64(b.Info().RoundTime(uint64(round)))}, nil
}
