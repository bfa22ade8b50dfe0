package main

import "testing"

// The example must run to the end against the built-in fake service.
func TestRunsOnTheFake(t *testing.T) {
	if err := run("CN_Hongkong_A", "demo-vdc", "demo-private-pipe"); err != nil {
		t.Fatal(err)
	}
}
