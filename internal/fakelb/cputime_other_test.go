//go:build !linux

package fakelb

import "time"

// threadCPU cannot tell a thread's CPU time here.
func threadCPU() (time.Duration, bool) { return 0, false }
