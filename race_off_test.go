//go:build !race

package cdslb

// raceEnabled says the tests run with the race detector, whose runtime
// makes allocation counts vary from run to run.
const raceEnabled = false
