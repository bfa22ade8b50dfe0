package main

import (
	"context"
	"io"
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

// Ctrl-C while a command waits for its file (standard input at a terminal,
// a named pipe) ends the command, sending nothing: the interrupt is taken
// by the command, so it must not be lost on a read that ignores it.
func TestInterruptEndsAWaitForStandardInput(t *testing.T) {
	for _, args := range [][]string{{"lb", "create", "-f", "-"}, {"config", "set-profile", "--access-key-id", "AK"}, {"lb", "delete", "lb-1"}} {
		for _, term := range []bool{false, true} {
			e := newEnv(t)
			stdin, w := io.Pipe() // never written: a terminal where nobody types
			ctx, cancel := context.WithCancel(context.Background())
			var stdout, stderr strings.Builder
			a := newApp(ctx, stdin, &stdout, &stderr, e.vars)
			a.isTerminal = func(any) bool { return term }
			code := make(chan int, 1)
			go func() { code <- a.run(args) }()
			cancel()
			select {
			case c := <-code:
				if args[1] == "delete" && !term {
					break // refused at once: no terminal to ask on
				}
				if c == 0 || !strings.Contains(stderr.String(), "interrupted") {
					t.Errorf("%v, terminal %v: exit %d, stderr %q; want an interrupted error", args, term, c, stderr.String())
				}
			case <-time.After(time.Minute): // a backstop: the run should end at once
				t.Fatalf("%v, terminal %v: the command still waits for standard input after Ctrl-C", args, term)
			}
			w.Close()
			if n := len(e.srv.Writes()); n != 0 {
				t.Errorf("%d writes sent", n)
			}
		}
	}
}
