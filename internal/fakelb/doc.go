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
//
// # What the vendor's own clients send
//
// Where the vendor's own clients send otherwise than the document's
// letter, and the service evidently takes it, the fake takes it too; the
// module interop drives the vendor's Go SDK against it for every action
// the SDK offers. Each leniency, and its evidence:
//
//   - A POST without Content-Type is read as JSON (request.go, readBody).
//     The Go SDK (cds-gic-sdk-go v0.3.16, the version the vendor's
//     Terraform provider pins) builds a header map and never applies it, so
//     every Terraform create, delete, listener and certificate call goes
//     out this way. A Content-Type that names another type is refused.
//   - A list given as an absent key or as null is an empty list: HttpListeners
//     and TcpListeners of ModifyLoadBalancerStrategys and
//     AddLoadBalancerStrategys, and a listener's AclWhiteList,
//     BackendServer and CertificateIds (listeners.go). The SDK's list
//     fields are omitempty, Terraform's own example sends HTTP listeners
//     only with certificate_ids = [], and an unset ACL goes out as
//     "AclWhiteList": null. They read back as [] (BackendServer as null,
//     as the document's answers show it).
//   - A query pair repeated with the identical name and value counts once,
//     for the action and for the signature (query.go, parseQuery). The
//     document's Python helper invoke_cdsapi sends each GET parameter
//     twice, in the signed URL and again as params=. A name repeated with
//     a different value is two parameters: signed with its values sorted by
//     their encoded form (auth.go), and read by its first value.
//
// Where the document and the vendor's clients agree, the fake is strict:
// PaasGoodsId, Amount and SubjectId of CreateLoadBalancer, PaasGoodsId of
// ModifyLoadBalancerInstanceSpec, and ListenerPort and MaxConn of a
// listener and MaxConn of a backend are int in the table and in the SDK,
// so a string such as "PaasGoodsId":"5078" is 400 InvalidParameter (the
// number type, request.go). A backend's Port (string in the table, number
// in the examples), its Weight, and the timeouts (int in the table,
// strings in the examples) take both spellings.
//
// Where the vendor's example and clients agree against the table, the fake
// follows the example: DescribeLoadBalancersSpec answers DiskMin,
// DiskMaxExpand and DiskStep as numbers (the SDK models them as int;
// Terraform's create path reads them), and IsVip sits in the private entry
// of CreateLoadBalancer's Ips, not at the top level (checkIsVip).
package fakelb
