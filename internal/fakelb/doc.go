// Package fakelb is an in-memory, stateful fake of the CDS (CapitalOnline)
// load-balancer API, for tests and demos. A Server is an http.Handler that
// speaks the wire protocol of lb-api-v1.2.md and extended-actions.md.
//
// Its public face is package cdslbtest, which documents the choices the
// fake makes where the document is silent or contradicts itself; the
// command examples/fakeserver serves it on a port. Config.Delay is
// cdslbtest.WithBusyFor, Config.Now is cdslbtest.WithClock,
// Config.ListenersPath is cdslbtest.WithListenersPath, Server.TagLoadBalancer
// is cdslbtest.LoadBalancer.Tags, and Fault is cdslbtest.Fault, field for
// field.
package fakelb
