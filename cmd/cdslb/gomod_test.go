package main

import (
	"os"
	"runtime/debug"
	"strings"
	"testing"
)

// go install github.com/cdsgo/cdslb/cmd/cdslb@version builds from this
// module's go.mod alone, without the go.work that points local builds at
// the working tree: so go.mod must require every module the command links,
// at the version it is built with, and hold no replace. A dependency
// added to the library's go.mod fails this test until it is added here as
// an indirect requirement (the build writes its sums to go.work.sum: move
// them to go.sum).
func TestGoModRequiresEveryLinkedModule(t *testing.T) {
	data, err := os.ReadFile("go.mod")
	check(t, err)
	mod := string(data)
	if strings.Contains(mod, "replace") {
		t.Error("go.mod has a replace directive, which go install pkg@version refuses; go.work replaces the library for local builds")
	}
	required := map[string]string{}
	for line := range strings.SplitSeq(mod, "\n") {
		if f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require ")); len(f) >= 2 && strings.HasPrefix(f[1], "v") {
			required[f[0]] = f[1]
		}
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		t.Skip("no build information")
	}
	if _, ok := required["github.com/cdsgo/cdslb"]; !ok {
		t.Error("go.mod does not require github.com/cdsgo/cdslb")
	}
	for _, dep := range info.Deps {
		if dep.Path == "github.com/cdsgo/cdslb" {
			continue // the working tree, through go.work
		}
		if v := required[dep.Path]; v != dep.Version {
			t.Errorf("go.mod requires %s %q, the command links %s: add \"%s %s // indirect\" to go.mod", dep.Path, v, dep.Version, dep.Path, dep.Version)
		}
	}
}
