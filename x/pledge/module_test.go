package pledge_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"

	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/x/pledge"
	"github.com/chuxin-chain/chuxin/x/pledge/types"
)

func TestGenesisPlacesTheCodeOfRecordWhenTheChainHasABeacon(t *testing.T) {
	m := pledge.Module{}
	ctx := module.GenesisContext{Config: params.AllDevChainProtocolChanges, Time: 1, Version: 2}
	if alloc, err := m.GenesisAccounts(ctx); err != nil || len(alloc) != 0 {
		t.Fatalf("without a beacon: %v, %v", alloc, err)
	}
	ctx.Beacon = &capsule.Beacon{}
	alloc, err := m.GenesisAccounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The code every chain with a beacon has held since its genesis: the
	// code of record, with the Capsules contract's address immutable.
	const want = "0x7e35c07dca366a36fcdb8942c540781e23524a7b0ba534980538c53e46e01084"
	if got := crypto.Keccak256Hash(alloc[types.Address].Code).Hex(); got != want {
		t.Fatalf("the pledge book's genesis code changed (%s, pinned %s): chains made before would not find their genesis block", got, want)
	}
	ctx.Section = json.RawMessage(`{"timeZone":"UTC"}`)
	if _, err := m.GenesisAccounts(ctx); !errors.Is(err, pledge.ErrGenesis) || !strings.Contains(err.Error(), "timeZone") {
		t.Fatalf("an unknown field of app_state.modules.pledge: %v", err)
	}
	ctx.Section, ctx.Beacon = json.RawMessage(`{}`), nil
	if _, err := m.GenesisAccounts(ctx); !errors.Is(err, pledge.ErrNoBeacon) {
		t.Fatalf("a pledge section without a beacon: %v", err)
	}
}

// chain is a module.Chain with a beacon, or none.
type chain struct {
	beacon module.Beacon
	// The rest of the chain is not read here (nil: reading it panics).
	module.Chain
}

func (chain) Call(context.Context, common.Address, []byte) ([]byte, error) {
	return nil, errors.New("no state here")
}

func (c chain) Beacon() (module.Beacon, bool) { return c.beacon, c.beacon != nil }

func (chain) Contract(string) (common.Address, bool) { return common.Address{}, false }

// beacon is a beacon with rounds and a time zone, and no key released.
type beacon struct {
	info *capsule.ChainInfo
	zone string
}

func (b beacon) Info() *capsule.ChainInfo             { return b.info }
func (beacon) ChainHash() string                      { return "" }
func (b beacon) TimeZone() string                     { return b.zone }
func (beacon) Latest() (uint64, error)                { return 0, nil }
func (beacon) Key(uint64) (*capsule.Signature, error) { return nil, nil }
func (beacon) Threshold() (int, int)                  { return 1, 1 }

func TestOpensAt(t *testing.T) {
	genesis := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	b := beacon{info: &capsule.ChainInfo{Period: 3, GenesisTime: genesis}, zone: "Asia/Shanghai"}
	apis := pledge.Module{}.APIs(chain{beacon: b})
	if len(apis) != 2 || apis[0].Namespace != "pledge" || apis[1].Namespace != "chuxin" || !apis[1].Compat {
		t.Fatalf("the pledge module's APIs: %+v", apis)
	}
	api := apis[0].Service.(*pledge.API)
	joined := time.Now().AddDate(-1, 0, 10)
	got, err := api.OpensAt(joined.Format(time.DateOnly), 0)
	if err != nil {
		t.Fatal(err)
	}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	want := time.Date(joined.Year()+1, joined.Month(), joined.Day(), 0, 0, 0, 0, shanghai)
	if !got.OpensAt.Equal(want) || got.TimeZone != "Asia/Shanghai" || uint64(got.Round) != b.info.RoundFrom(want.Unix()) {
		t.Fatalf("opens %v round %d, want %v round %d", got.OpensAt, got.Round, want, b.info.RoundFrom(want.Unix()))
	}
	none := pledge.Module{}.APIs(chain{})[0].Service.(*pledge.API)
	if _, err := none.OpensAt(joined.Format(time.DateOnly), 0); !errors.Is(err, pledge.ErrNoBeacon) {
		t.Fatalf("without a beacon: %v", err)
	}
}

func TestThePageIsServed(t *testing.T) {
	mounts := pledge.Module{}.Mounts(chain{})
	if len(mounts) != 1 || mounts[0].Prefix != "/pledge" {
		t.Fatalf("mounts %+v", mounts)
	}
	for path, want := range map[string]int{"/pledge": http.StatusMovedPermanently, "/pledge/": http.StatusOK, "/pledge/pledge.js": http.StatusOK, "/pledge/nothing": http.StatusNotFound} {
		w := httptest.NewRecorder()
		mounts[0].Handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		if w.Code != want {
			t.Errorf("GET %s: %d, want %d", path, w.Code, want)
		}
		if path == "/pledge/" && !strings.Contains(w.Body.String(), "pledge.js") {
			t.Errorf("GET /pledge/ is not the page:\n%.200s", w.Body.String())
		}
	}
}
