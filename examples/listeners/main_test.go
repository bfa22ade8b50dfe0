package main

import (
	"testing"

	"github.com/cdsgo/cdslb/examples/internal/demo"
)

// The example must run to the end against the built-in fake service.
func TestRunsOnTheFake(t *testing.T) {
	if err := demo.Run("listeners", run); err != nil {
		t.Fatal(err)
	}
}

// With -plan it plans, prints and applies a desired set on the fake.
func TestRunsWithPlanOnTheFake(t *testing.T) {
	*plan = true
	defer func() { *plan = false }()
	if err := demo.Run("listeners", run); err != nil {
		t.Fatal(err)
	}
}
