package beacon_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/chuxin-chain/chuxin/internal/capsule"
	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/x/beacon"
)

// chain is a module.Chain with a beacon, or none.
type chain struct {
	beacon module.Beacon
	// The rest of the chain is not read here (nil: reading it panics).
	module.Chain
}

func (chain) Call(context.Context, common.Address, []byte) ([]byte, error) {
	return nil, errors.New("no state here")
}
func (c chain) Beacon() (module.Beacon, bool)        { return c.beacon, c.beacon != nil }
func (chain) Contract(string) (common.Address, bool) { return common.Address{}, false }

// sealed is a beacon whose rounds are all still sealed.
type sealed struct{ info *capsule.ChainInfo }

const hash = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"

func (s sealed) Info() *capsule.ChainInfo             { return s.info }
func (sealed) ChainHash() string                      { return hash }
func (sealed) TimeZone() string                       { return "UTC" }
func (sealed) Latest() (uint64, error)                { return 0, nil }
func (sealed) Key(uint64) (*capsule.Signature, error) { return nil, nil }
func (sealed) Threshold() (int, int)                  { return 3, 4 }

func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	return w
}

func TestDrandAnswersAsDrand(t *testing.T) {
	mounts := beacon.Module{}.Mounts(chain{})
	if len(mounts) != 1 || mounts[0].Prefix != "/drand" {
		t.Fatalf("mounts %+v", mounts)
	}
	if w := get(t, mounts[0].Handler, "/drand/info"); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "no beacon") {
		t.Fatalf("without a beacon: %d %s", w.Code, w.Body)
	}
	h := beacon.Module{}.Mounts(chain{beacon: sealed{&capsule.ChainInfo{Period: 3, GenesisTime: 1}}})[0].Handler
	for path, want := range map[string]int{
		"/drand/public/latest":                        http.StatusNotFound, // nothing released yet
		"/drand/public/5":                             http.StatusTooEarly,
		"/drand/public/x":                             http.StatusBadRequest,
		"/drand/" + hash + "/public/5":                http.StatusTooEarly,
		"/drand/" + strings.Repeat("0", 64) + "/info": http.StatusNotFound,
		"/drand/chains":                               http.StatusOK,
		"/drand/nothing":                              http.StatusNotFound,
	} {
		w := get(t, h, path)
		if w.Code != want {
			t.Errorf("GET %s: %d %q, want %d", path, w.Code, w.Body, want)
		}
		if w.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("GET %s: not open to every origin, as drand's API is", path)
		}
	}
}

func TestCapsuleMethodsKeepTheirNames(t *testing.T) {
	apis := beacon.Module{}.APIs(chain{})
	if len(apis) != 1 || apis[0].Namespace != "chuxin" || !apis[0].Compat {
		t.Fatalf("apis %+v", apis)
	}
	api := apis[0].Service.(*beacon.API)
	if _, err := api.GetEpochKey(1); !errors.Is(err, beacon.ErrNoBeacon) {
		t.Fatalf("chuxin_getEpochKey without a beacon: %v", err)
	}
	if _, err := api.CapsuleInfo(context.Background()); !errors.Is(err, beacon.ErrNoBeacon) {
		t.Fatalf("chuxin_capsuleInfo without a beacon: %v", err)
	}
}
