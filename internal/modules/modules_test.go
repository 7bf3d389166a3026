package modules_test

import (
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/chuxin-chain/chuxin/internal/genesis"
	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/internal/modules"
	"github.com/chuxin-chain/chuxin/internal/testchain"
	sched "github.com/chuxin-chain/chuxin/x/scheduler/types"
)

// TestTheListIsValid: the binary's modules pass the registry's checks,
// their namespaces and mounts among them.
func TestTheListIsValid(t *testing.T) {
	s, err := module.NewSet(modules.All()...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.APIs(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Mounts(nil); err != nil {
		t.Fatal(err)
	}
	if len(s.Commands()) == 0 {
		t.Fatal("no module has a command")
	}
}

// TestTheGenericLayersImportNoModule: rpc, app, node, execution and store
// learn of modules only through the SDK (internal/module), so adding a
// module edits none of them.
func TestTheGenericLayersImportNoModule(t *testing.T) {
	const root = "github.com/chuxin-chain/chuxin/"
	for _, pkg := range []string{"internal/rpc", "internal/app", "internal/node", "internal/execution", "internal/store"} {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", root+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, root+"x/") || dep == root+"internal/modules" {
				t.Errorf("%s depends on %s: a generic layer imports no module; give the module an interface of internal/module instead", pkg, dep)
			}
		}
	}
}

// TestGenesisChecksEveryModule: a section of a module that a later rule
// version activates is checked at genesis (at that version's first block
// its refusal would stop every node), and no allocation takes a module's
// address, whenever the module arrives.
func TestGenesisChecksEveryModule(t *testing.T) {
	g := testchain.Genesis(1337, 30_000_000, nil)
	g.Rules.Versions = []genesis.RuleVersion{{Version: 2, Height: 1}}
	g.Modules = map[string]json.RawMessage{"scheduler": json.RawMessage(`{"allowed":5}`)}
	if err := g.UseModules(modules.Set()); !errors.Is(err, genesis.ErrInvalid) || !strings.Contains(err.Error(), "app_state.modules.scheduler") {
		t.Fatalf("a bad section of a version 3 module on a version 2 chain: %v", err)
	}
	g.Modules = nil
	g.Alloc[sched.Address] = types.Account{Code: []byte{0x00}, Balance: common.Big0}
	if err := g.UseModules(modules.Set()); !errors.Is(err, genesis.ErrInvalid) || !strings.Contains(err.Error(), "a module a later rule version activates is made there") {
		t.Fatalf("code at the scheduler's address on a version 2 chain: %v", err)
	}
}

// TestClientsImportNoServer: the CLI's clients (the shared client, the
// governance client, every module's client) reach the node only over
// JSON-RPC: none depends on the server or the node.
func TestClientsImportNoServer(t *testing.T) {
	const root = "github.com/chuxin-chain/chuxin/"
	for _, pkg := range []string{"internal/module/client", "internal/govclient", "x/consortium/client", "x/beacon/client", "x/pledge/client", "x/scheduler/client"} {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", root+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			switch dep {
			case root + "internal/rpc", root + "internal/node", root + "internal/app":
				t.Errorf("%s depends on %s: a client decodes wire types (internal/rpc/wire, x/NAME/types), never the server's", pkg, dep)
			}
		}
	}
}
