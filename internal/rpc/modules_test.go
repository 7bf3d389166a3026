package rpc

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/chuxin-chain/chuxin/internal/config"
	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/internal/system"
)

// bankModule is a module with a namespace, a compat method and a page.
type bankModule struct{ compat any }

func (bankModule) Name() string { return "bank" }
func (m bankModule) APIs(chain module.Chain) []module.API {
	apis := []module.API{{Namespace: "bank", Service: &bankAPI{chain}}}
	if m.compat != nil {
		apis = append(apis, module.API{Namespace: "chuxin", Service: m.compat, Compat: true})
	}
	return apis
}
func (bankModule) Mounts(module.Chain) []module.Mount {
	return []module.Mount{{Prefix: "/bank", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "the bank's page at "+r.URL.Path)
	})}}
}

type bankAPI struct{ chain module.Chain }

// Admin reads the Consortium's ADMIN role through the module's Chain.
func (a *bankAPI) Admin(ctx context.Context) (common.Hash, error) {
	data, err := system.Pack("ADMIN")
	if err != nil {
		return common.Hash{}, err
	}
	ret, err := a.chain.Call(ctx, system.ConsortiumAddress, data)
	return common.BytesToHash(ret), err
}

type bankCompat struct{}

func (bankCompat) BankHello() string { return "hello" }

// clash has a method the core's chuxin namespace serves.
type clash struct{}

func (clash) GetSystemLogs() string { return "not the system logs" }

func TestModulesAreServed(t *testing.T) {
	h := newHarness(t)
	set, err := module.NewSet(bankModule{compat: bankCompat{}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(&Backend{Store: h.srv.filters.api.b.Store, App: h.app, Limits: config.Default().RPC, Modules: set})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	url := "http://" + srv.ln.Addr().String()
	c, err := gethrpc.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var admin common.Hash
	if err := c.Call(&admin, "bank_admin"); err != nil || admin == (common.Hash{}) {
		t.Fatalf("bank_admin: %s, %v", admin, err)
	}
	var hello string
	if err := c.Call(&hello, "chuxin_bankHello"); err != nil || hello != "hello" {
		t.Fatalf("chuxin_bankHello: %q, %v", hello, err)
	}
	var logs []any
	if err := c.Call(&logs, "chuxin_getSystemLogs", map[string]any{}); err != nil {
		t.Fatalf("the core's chuxin namespace after a compat registration: %v", err)
	}
	resp, err := http.Get(url + "/bank/index.html")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "the bank's page at /bank/index.html" {
		t.Fatalf("the mount answered %q", body)
	}
}

func TestACompatMethodTheCoreServesIsRefused(t *testing.T) {
	h := newHarness(t)
	set, err := module.NewSet(bankModule{compat: clash{}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewServer(&Backend{Store: h.srv.filters.api.b.Store, App: h.app, Limits: config.Default().RPC, Modules: set})
	if !errors.Is(err, module.ErrDuplicate) || !strings.Contains(err.Error(), "chuxin_getSystemLogs is served twice") {
		t.Fatalf("got %v", err)
	}
}
