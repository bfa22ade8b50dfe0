package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Once a wait has ended, its terminal line is ended and stays so: a
// redraw of the ticker that fired as the wait ended (the ticker's goroutine
// is not joined) must not draw the line again after the line break, over
// the error or the shell's prompt.
func TestProgressDrawsNothingOnceStopped(t *testing.T) {
	var stderr strings.Builder
	a := newApp(context.Background(), nil, nil, &stderr, nil)
	a.now = func() time.Time { return testNow }
	a.isTerminal = func(any) bool { return true }
	p := a.newProgress("lb-1", goalRunning)
	p.saw("CREATING")
	p.stop()
	ended := stderr.String()
	p.redraw()
	if got := stderr.String(); got != ended || !strings.HasSuffix(got, "\n") {
		t.Errorf("after stop, stderr went from %q to %q", ended, got)
	}
}
