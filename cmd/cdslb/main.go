// Command cdslb is the command-line tool of the CDS (CapitalOnline) load
// balancer: every action and helper of the cdslb library, for shell
// scripts, CI jobs and tools written in other languages.
//
// Install it with
//
//	go install github.com/cdsgo/cdslb/cmd/cdslb@latest
//
// and run "cdslb --help" for the commands. The exit status says what
// happened: 0 success; 1 an error from the service or the network; 2 a
// plan with changes (listeners plan --detailed-exitcode); 3 the outcome of
// a change is unknown (look before retrying); 4 the request was refused
// before sending, or the command line is wrong; 5 a wait ended without the
// state it waited for.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first Ctrl-C ends the run's context; the second is the system's
	// again and ends the process, should a step ignore the context (a
	// write to a full pipe, a config file on a named pipe).
	go func() { <-ctx.Done(); stop() }()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ())
	stop()
	os.Exit(code)
}
