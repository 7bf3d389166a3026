package modules_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/internal/modules"
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
