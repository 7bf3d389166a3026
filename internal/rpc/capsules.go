package rpc

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
	"github.com/chuxin-chain/chuxin/internal/system"
)

// ErrSealed: a capsule whose round has not been released yet.
var ErrSealed = errors.New("sealed")

// CapsuleSystem is chuxin_capsuleInfo's answer: where capsules live and
// the beacon they are sealed to.
type CapsuleSystem struct {
	Contract    common.Address `json:"contract"`
	Capsules    hexutil.Uint64 `json:"capsules"`
	ChainHash   string         `json:"chainHash"`
	PublicKey   hexutil.Bytes  `json:"publicKey"`
	Scheme      string         `json:"scheme"`
	Period      hexutil.Uint64 `json:"period"`
	GenesisTime hexutil.Uint64 `json:"genesisTime"`
	LatestRound hexutil.Uint64 `json:"latestRound"`
	TimeZone    string         `json:"timeZone"`
	// PledgeBook is the pledge module's contract, when the node carries
	// it: kept here for the clients that read it here (its own namespace,
	// pledge_info, tells it too).
	PledgeBook *common.Address `json:"pledgeBook,omitempty"`
	// Threshold of the Holders (the validators at genesis) release each
	// round's key together: fewer cannot open a capsule early.
	Threshold hexutil.Uint64 `json:"threshold"`
	Holders   hexutil.Uint64 `json:"holders"`
}

// CapsuleInfo is chuxin_getCapsule's answer.
type CapsuleInfo struct {
	ID         hexutil.Uint64 `json:"id"`
	Owner      common.Address `json:"owner"`
	Round      hexutil.Uint64 `json:"round"`
	SealedAt   hexutil.Uint64 `json:"sealedAt"` // block
	Label      string         `json:"label"`
	Ciphertext hexutil.Bytes  `json:"ciphertext"`
	OpensAt    time.Time      `json:"opensAt"`
	Open       bool           `json:"open"`
	Key        hexutil.Bytes  `json:"key,omitempty"`
}

// OpenedCapsule is chuxin_openCapsule's answer.
type OpenedCapsule struct {
	ID        hexutil.Uint64 `json:"id"`
	Round     hexutil.Uint64 `json:"round"`
	Plaintext hexutil.Bytes  `json:"plaintext"`
	Text      string         `json:"text,omitempty"` // the plaintext, if it is UTF-8
}

// capsuleTuple mirrors the contract's Capsule struct.
type capsuleTuple struct {
	Owner      common.Address
	Round      uint64
	SealedAt   uint64
	Label      string
	Ciphertext []byte
}

func (api *ChuxinAPI) capsuleView(ctx context.Context, method string, args ...any) ([]any, error) {
	if api.b.Beacon == nil {
		return nil, errNoBeacon
	}
	data, err := system.PackCapsules(method, args...)
	if err != nil {
		return nil, err
	}
	to := system.CapsulesAddress
	input := hexutil.Bytes(data)
	ret, err := (&EthAPI{b: api.b}).Call(ctx, CallArgs{To: &to, Data: &input}, nil, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("read the Capsules contract (%s): %w", method, err)
	}
	return system.UnpackCapsules(method, ret)
}

// CapsuleInfo tells where capsules live and which beacon opens them.
func (api *ChuxinAPI) CapsuleInfo(ctx context.Context) (*CapsuleSystem, error) {
	out, err := api.capsuleView(ctx, "count")
	if err != nil {
		return nil, err
	}
	b := api.b.Beacon
	latest, err := b.Latest()
	if err != nil {
		return nil, err
	}
	threshold, holders := b.Threshold()
	var book *common.Address
	if a, ok := api.b.Modules.Contract("pledgeBook"); ok {
		book = &a
	}
	return &CapsuleSystem{Contract: system.CapsulesAddress, Capsules: hexutil.Uint64(out[0].(*big.Int).Uint64()),
		ChainHash: b.ChainHash, PublicKey: b.Info.PublicKey.Bytes(), Scheme: capsule.Scheme, Period: hexutil.Uint64(b.Info.Period),
		GenesisTime: hexutil.Uint64(b.Info.GenesisTime), LatestRound: hexutil.Uint64(latest),
		TimeZone: b.TimeZone, PledgeBook: book,
		Threshold: hexutil.Uint64(threshold), Holders: hexutil.Uint64(holders)}, nil
}

// GetCapsule returns a capsule: its owner, round, label, ciphertext, when
// it opens and whether it is open.
func (api *ChuxinAPI) GetCapsule(ctx context.Context, id hexutil.Uint64) (*CapsuleInfo, error) {
	out, err := api.capsuleView(ctx, "capsule", new(big.Int).SetUint64(uint64(id)))
	if err != nil {
		return nil, err
	}
	c := *abi.ConvertType(out[0], new(capsuleTuple)).(*capsuleTuple)
	info := &CapsuleInfo{ID: id, Owner: c.Owner, Round: hexutil.Uint64(c.Round), SealedAt: hexutil.Uint64(c.SealedAt), Label: c.Label,
		Ciphertext: c.Ciphertext, OpensAt: time.Unix(api.b.Beacon.Info.RoundTime(c.Round), 0).UTC(), Open: out[1].(bool)}
	if info.Open {
		info.Key = out[2].([]byte)
	}
	return info, nil
}

// OpenCapsule returns a capsule's plaintext once the key of the round its
// ciphertext is sealed to has been released, checked against the beacon's
// master key; before, the error says until when it is sealed.
func (api *ChuxinAPI) OpenCapsule(ctx context.Context, id hexutil.Uint64) (*OpenedCapsule, error) {
	c, err := api.GetCapsule(ctx, id)
	if err != nil {
		return nil, err
	}
	b := api.b.Beacon
	plain, err := capsule.Decrypt(b.Info.PublicKey, b.ChainHash, c.Ciphertext, func(round uint64) (*capsule.Signature, error) {
		key, err := b.Key(round)
		if err != nil {
			return nil, err
		}
		if key == nil {
			at := time.Unix(b.Info.RoundTime(round), 0).UTC().Format(time.RFC3339)
			return nil, fmt.Errorf("%w: capsule %d is sealed until %s (round %d)", ErrSealed, id, at, round)
		}
		return key, nil
	})
	if err != nil {
		return nil, err
	}
	out := &OpenedCapsule{ID: id, Round: c.Round, Plaintext: plain}
	if utf8.Valid(plain) {
		out.Text = string(plain)
	}
	return out, nil
}
