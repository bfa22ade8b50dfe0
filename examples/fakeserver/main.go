// Command fakeserver runs the in-memory fake of the CDS load-balancer API
// on loopback until interrupted, for demos and manual tests of a client.
//
// It prints one line to paste into a shell, with the address it listens on
// and the credentials it accepts:
//
//	CDS_API_HOST=http://127.0.0.1:8080 CDS_SECRET_ID=... CDS_SECRET_KEY=...
//
// Flags:
//
//	-addr               listen address (default 127.0.0.1:8080; port 0 picks one)
//	-access-key-id      accepted access key id (default: random)
//	-access-key-secret  accepted access key secret (default: random)
//	-delay              how long creates, changes and deletes keep an instance busy (default 2s)
//	-seed               seed of fault injection and generated ids (default 1)
//	-fault              ACTION=KIND[:ARG][,...], repeatable, e.g. -fault 'DescribeZones=503:0.2'
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cdsgo/cdslb/internal/fakelb"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fakeserver:", err)
		os.Exit(1)
	}
}

// faultFlags collects repeated -fault flags.
type faultFlags []string

// String lists the collected specifications.
func (f *faultFlags) String() string { return fmt.Sprint(*f) }

// Set adds one specification; ParseFault checks it later.
func (f *faultFlags) Set(v string) error { *f = append(*f, v); return nil }

// run serves the fake until ctx ends, then shuts down gracefully.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("fakeserver", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	keyID := fs.String("access-key-id", "", "accepted access key id (default: random)")
	secret := fs.String("access-key-secret", "", "accepted access key secret (default: random)")
	delay := fs.Duration("delay", 2*time.Second, "how long asynchronous changes keep an instance busy")
	seed := fs.Int64("seed", 1, "seed of fault injection and generated ids")
	var faults faultFlags
	fs.Var(&faults, "fault", "fault to inject, ACTION=KIND[:ARG][,...] (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *keyID == "" {
		*keyID = "AKID" + rand.Text()[:16]
	}
	if *secret == "" {
		*secret = rand.Text()
	}

	srv := fakelb.New(fakelb.Config{AccessKeyID: *keyID, AccessKeySecret: *secret, Delay: *delay, Seed: *seed})
	for _, spec := range faults {
		action, f, err := fakelb.ParseFault(spec)
		if err != nil {
			return err
		}
		srv.SetFault(action, f)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "CDS_API_HOST=http://%s CDS_SECRET_ID=%s CDS_SECRET_KEY=%s\n", ln.Addr(), *keyID, *secret)

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
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
