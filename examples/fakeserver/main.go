// Command fakeserver runs the in-memory fake of the CDS load-balancer API
// (the fake behind package cdslbtest) on loopback until interrupted, for
// demos, manual tests and programs not written in Go.
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
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/cdsgo/cdslb/internal/fakeserve"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := fakeserve.Run(ctx, "fakeserver", os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(fakeserve.ExitStatus("fakeserver", err, os.Stderr))
}
