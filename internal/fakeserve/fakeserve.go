// Package fakeserve is the command line of the fake CDS load-balancer
// service: the flags, the export line and the serving loop shared by
// examples/fakeserver and the cdslb command's "fake" subcommand. It runs
// the in-memory fake (the one behind package cdslbtest) on loopback until
// interrupted, for demos, manual tests and programs not written in Go.
//
// It prints one line to paste into a shell, which exports the address it
// listens on and the credentials it accepts:
//
//	export CDS_API_HOST=http://127.0.0.1:8080 CDS_SECRET_ID=... CDS_SECRET_KEY=...
//
// With -print-env it prints that line for the given -addr and key pair and
// exits, so that a script can set the variables for a server it starts
// with the same flags:
//
//	flags='-addr 127.0.0.1:18080 -access-key-id AKIDDEMO -access-key-secret demo-secret'
//	go run ./examples/fakeserver $flags &
//	eval "$(go run ./examples/fakeserver -print-env $flags)"
//
// Flags:
//
//	-addr               listen address (default 127.0.0.1:8080; port 0 picks one)
//	-access-key-id      accepted access key id (default: random)
//	-access-key-secret  accepted access key secret (default: random)
//	-delay              how long creates, changes and deletes keep an instance busy (default 2s)
//	-seed               seed of fault injection and generated ids (default 1)
//	-fault              ACTION=KIND[:ARG][,...], repeatable, e.g. -fault 'DescribeZones=503:0.2'
//	-listeners-path     the base path that serves DescribeLBInstanceListeners: /lb (default) or /paas/monitor
//	-print-env          print the export line and exit
//	-demo               start with a certificate and three running load balancers:
//	                    web (HTTP 80, HTTPS 443), db (TCP 5432) and spare
//
// A -fault with the kind next:N strikes only the next N requests of the
// action, each for certain, then stops, such as
// -fault 'CreateLoadBalancer=malformed:missing-ids,next:1'.
// -help lists the fault kinds. A bad command line prints one line, the
// error, and exits with status 2, as the flag package does; a server that
// cannot start or serve exits with status 1.
package fakeserve

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/cdsgo/cdslb/internal/fakelb"
)

// usageError is a bad command line, which run has reported already.
type usageError struct{ error }

// ExitStatus reports err on stderr, prefixed by the program's name,
// unless Run has, and returns the exit status: 0 without an error, 2 for a bad command line, else 1.
func ExitStatus(name string, err error, stderr io.Writer) int {
	var usage usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &usage):
		return 2
	}
	fmt.Fprintln(stderr, name+":", err)
	return 1
}

// faultFlags collects repeated -fault flags, parsed as they come, in order.
type faultFlags []faultFlag

// faultFlag is one -fault: SetFault's when n is 0, else FailNext's.
type faultFlag struct {
	action string
	n      int
	fault  fakelb.Fault
}

// String lists the collected faults.
func (f *faultFlags) String() string { return fmt.Sprint(*f) }

// Set parses one specification; an invalid one fails the flag.
func (f *faultFlags) Set(spec string) error {
	action, n, fault, err := fakelb.ParseFaultN(spec)
	if err != nil {
		return err
	}
	*f = append(*f, faultFlag{action, n, fault})
	return nil
}

// Run serves the fake until ctx ends, then shuts down gracefully. -help
// writes the usage to stdout and returns nil. A bad command line is
// written to stderr, once, and returned as a usageError.
func Run(ctx context.Context, name string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported below, once
	badUsage := func(format string, a ...any) error {
		err := fmt.Errorf(format, a...)
		fmt.Fprintf(stderr, "%s: %v\nRun %s -help for the flags and the fault kinds.\n", name, err, name)
		return usageError{err}
	}
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (port 0 picks one)")
	keyID := fs.String("access-key-id", "", "accepted access key id (default: random)")
	secret := fs.String("access-key-secret", "", "accepted access key secret (default: random)")
	delay := fs.Duration("delay", 2*time.Second, "how long creates, changes and deletes keep an instance busy")
	seed := fs.Int64("seed", 1, "seed of fault injection and generated ids")
	listenersPath := fs.String("listeners-path", "/lb", "the base path that serves DescribeLBInstanceListeners, /lb or /paas/monitor; the other answers 404")
	printEnv := fs.Bool("print-env", false, "print the export line for -addr and the key pair, and exit")
	demo := fs.Bool("demo", false, "start with a certificate and three running load balancers (web, db, spare)")
	var faults faultFlags
	fs.Var(&faults, "fault", "fault to inject, ACTION=KIND[:ARG][,...] (repeatable); ACTION may be *")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s [flags]\n\nServes the fake CDS load-balancer API on loopback.\n\nFlags:\n", name)
		fs.PrintDefaults()
		fmt.Fprintf(fs.Output(), "\nFault kinds, for -fault ACTION=KIND[:ARG][,KIND[:ARG]...]:\n%s", fakelb.FaultKinds)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return nil
		}
		return badUsage("%w", err)
	}
	if fs.NArg() > 0 {
		return badUsage("unexpected argument %q; flags start with -", fs.Arg(0))
	}
	if *delay < 0 {
		return badUsage("-delay %v: must not be negative", *delay)
	}
	if *listenersPath != "/lb" && *listenersPath != "/paas/monitor" {
		return badUsage("-listeners-path %q: want /lb or /paas/monitor", *listenersPath)
	}
	if *printEnv {
		if *keyID == "" || *secret == "" {
			return badUsage("-print-env needs -access-key-id and -access-key-secret, so that the server started with the same flags accepts them")
		}
		if _, port, err := net.SplitHostPort(*addr); err != nil || port == "0" {
			return badUsage("-print-env needs -addr with a fixed port, not %q", *addr)
		}
		fmt.Fprintln(stdout, exportLine(*addr, *keyID, *secret))
		return nil
	}
	if *keyID == "" || *secret == "" {
		id, key := fakelb.NewKeyPair()
		*keyID, *secret = cmp.Or(*keyID, id), cmp.Or(*secret, key)
	}

	var err error
	srv := fakelb.New(fakelb.Config{AccessKeyID: *keyID, AccessKeySecret: *secret, Delay: *delay, Seed: *seed, ListenersPath: *listenersPath})
	if *demo {
		if err := seedDemo(srv); err != nil {
			return fmt.Errorf("-demo: %w", err)
		}
	}
	var latency time.Duration
	for _, f := range faults {
		if f.n == 0 {
			err = srv.SetFault(f.action, f.fault)
		} else {
			err = srv.FailNext(f.action, f.n, f.fault)
		}
		if err != nil {
			return err
		}
		latency = max(latency, f.fault.Latency)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := fakelb.HTTPServer(srv)
	hs.WriteTimeout = time.Minute + latency // an answer may wait for its injected latency
	fmt.Fprintln(stdout, exportLine(ln.Addr().String(), *keyID, *secret))

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	srv.Close() // requests waiting in an injected latency end at once
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// exportLine is the shell line that exports the variables
// cdslb.NewClientFromEnv reads.
func exportLine(addr, keyID, secret string) string {
	return "export CDS_API_HOST=" + shellQuote("http://"+addr) + " CDS_SECRET_ID=" + shellQuote(keyID) + " CDS_SECRET_KEY=" + shellQuote(secret)
}

// shellQuote quotes s for a POSIX shell unless it needs no quoting.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/@%+=,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
