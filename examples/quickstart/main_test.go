package main

import (
	"testing"

	"github.com/cdsgo/cdslb/examples/internal/demo"
)

// The example must run to the end against the built-in fake service.
func TestRunsOnTheFake(t *testing.T) {
	if err := demo.Run("quickstart", run); err != nil {
		t.Fatal(err)
	}
}
