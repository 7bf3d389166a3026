package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chuxin-chain/chuxin/internal/app"
)

func TestQueryAnswersPeerFilter(t *testing.T) {
	a, _ := newApp(t)
	query := func(path string) *abci.QueryResponse {
		t.Helper()
		res, err := a.Query(context.Background(), &abci.QueryRequest{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	// No filter: every peer is taken.
	for _, p := range []string{"/p2p/filter/addr/127.0.0.1:26656", "/p2p/filter/id/26a491ea16768082470972671b66509425bd6e84"} {
		if res := query(p); res.Code != abci.CodeTypeOK {
			t.Fatalf("%s without a filter: code %d (%s)", p, res.Code, res.Log)
		}
	}

	// A filter sees the kind and the value, and its error refuses the peer.
	var seen []string
	banned := errors.New("not a member")
	a.SetPeerFilter(func(kind, value string) error {
		seen = append(seen, kind+" "+value)
		if value == "bad" {
			return banned
		}
		return nil
	})
	if res := query("/p2p/filter/id/good"); res.Code != abci.CodeTypeOK {
		t.Fatalf("good peer refused: %s", res.Log)
	}
	res := query("/p2p/filter/id/bad")
	if res.Code != app.CodeRefused || !strings.Contains(res.Log, "peer id bad refused: not a member") {
		t.Fatalf("bad peer: code %d, log %q", res.Code, res.Log)
	}
	if res := query("/p2p/filter/addr/10.0.0.1:26656"); res.Code != abci.CodeTypeOK {
		t.Fatalf("addr refused: %s", res.Log)
	}
	if got := strings.Join(seen, ","); got != "id good,id bad,addr 10.0.0.1:26656" {
		t.Fatalf("filter saw %q", got)
	}

	// Malformed and unknown paths are refused by name.
	for _, p := range []string{"/p2p/filter/port/1", "/p2p/filter/id/", "/store/balance", ""} {
		res := query(p)
		if res.Code != app.CodeRefused || !strings.Contains(res.Log, app.ErrQueryPath.Error()) {
			t.Fatalf("%q: code %d, log %q", p, res.Code, res.Log)
		}
	}

	// Removing the filter takes every peer again.
	a.SetPeerFilter(nil)
	if res := query("/p2p/filter/id/bad"); res.Code != abci.CodeTypeOK {
		t.Fatalf("after removing the filter: %s", res.Log)
	}
}
