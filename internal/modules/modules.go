// Package modules is the one ordered list of the modules this binary
// carries. Adding a module is a folder under x/ and one line in All; its
// order is the order in which the core asks the modules for their parts.
package modules

import (
	"github.com/chuxin-chain/chuxin/internal/module"
	"github.com/chuxin-chain/chuxin/x/beacon"
	"github.com/chuxin-chain/chuxin/x/consortium"
	"github.com/chuxin-chain/chuxin/x/pledge"
	"github.com/chuxin-chain/chuxin/x/scheduler"
)

// All returns the modules, in order.
func All() []module.Module {
	return []module.Module{
		consortium.Module{},
		beacon.Module{},
		pledge.Module{},
		scheduler.Module{},
	}
}

// Set returns All, checked (module.NewSet). It fails only for a broken
// list, which a test catches.
func Set() *module.Set {
	s, err := module.NewSet(All()...)
	if err != nil {
		panic(err) // the list is fixed at build time; TestTheListIsValid checks it
	}
	return s
}
