// Package fakelb is an in-memory, stateful fake of the CDS (CapitalOnline)
// load-balancer API, for tests and demos. A Server is an http.Handler that
// speaks the wire protocol of lb-api-v1.2.md and extended-actions.md: the
// signed query, the /lb and /paas/monitor base paths, the
// {Code, Message, Data, TaskId} envelope, and the document's own spellings
// (numbers as strings where its examples use strings, "PirvateKey",
// "MasterInfo": "", null lists, the "N" key of the first size in
// DescribeLoadBalancersModifySpec), so that a client's tolerant decoding is
// exercised for real.
//
// Where the document is silent or contradicts itself, the fake chooses:
//
//   - All API dates ("2006-01-02 15:04:05") are China Standard Time (UTC+8).
//   - Authentication refusals are HTTP 403 with Code InvalidAccessKeyId
//     (unknown key), SignatureDoesNotMatch, RequestExpired (the Timestamp is
//     more than 15 minutes away from the fake's clock) or SignatureNonceUsed
//     (the nonce was seen within the last 15 minutes). A missing common
//     parameter is 400 ArgMissing; a wrong SignatureMethod, SignatureVersion,
//     Version or Timestamp format is 400 InvalidParameter. A request that
//     fails authentication is refused before its action is looked up.
//   - An unknown action, an action on the wrong base path, or the wrong
//     HTTP method is 400 UnsupportedOperation.
//   - POST bodies must be JSON (Content-Type application/json); an empty
//     body counts as {}. Integers may be JSON numbers or numeric strings.
//   - Asynchronous changes keep an instance busy for Config.Delay: status
//     CREATING after CreateLoadBalancer, CHANGING after a spec, listener or
//     haproxy config change, DELETING after DeleteLoadBalancer (then it is
//     gone). A delete or any change of a busy instance is 409 ResourceInUse.
//     ModifyLoadBalancerName is immediate. Busy states end lazily, computed
//     from Config.Now, so tests with a fake clock need no sleeps.
//   - DescribeLoadBalancers with a filter that matches nothing answers
//     Success with an empty list. IP and InstanceName filters match
//     substrings (the document's example filters by "66.66"); InstanceUuid
//     is exact; StartTime and EndTime bound CreatedTime inclusively.
//   - Every zone offers the four sizes 1C2G (5072), 2C4G (5075), 4C8G (5078)
//     and 8C16G (5081). DescribeLoadBalancersSpec with an unknown RegionId is
//     404 ResourceNotFound; CreateLoadBalancer with one is 400
//     InvalidParameter.
//   - UploadCACertificate answers no id (Data {}); callers find the
//     certificate by name, so a name already in use is 400 InvalidParameter.
//     DeleteCACertificate of a certificate bound to a listener is 409
//     ResourceInUse.
//   - Listener names follow the newer edition's rule but also accept '-',
//     which the document's own examples use. A listener change discards any
//     custom haproxy.cfg set by ModifyHaproxyCustomConfig; without one,
//     DescribeHaproxyCustomConfig answers a config generated from the
//     listeners. Empty BackendServer lists are answered as null.
//   - DescribeLBInstancePerformance: the period for spans up to 4 h is 30 s
//     (the document's text says 5 s, its table and example say 30); then
//     60 s up to 2 days, 300 s up to 10 days, 3600 s up to 30 days. A longer
//     span, or an EndTime not after StartTime, is 400 InvalidParameter.
//     Points sit on multiples of the period from StartTime (inclusive) to
//     EndTime (exclusive); values are deterministic in the instance, metric
//     and time. An unknown ListenerName for a listener metric is 404.
//
// Faults (latency, 5xx answers, HTML gateway pages, dropped or truncated
// answers, 409 conflicts, and "ran but the answer was lost") are injected
// per action with SetFault, drawn from a source seeded by Config.Seed. They
// strike after authentication and after the body is read, so a faulted
// request has used its SignatureNonce: a retry must be signed afresh, as a
// real gateway would require. A dropped connection is made by panicking
// with http.ErrAbortHandler, so a Server must not be wrapped in middleware
// that recovers that panic. Go's http.Transport may itself replay a GET (or
// any request without a body) on a dropped keep-alive connection; count
// requests with Server.Requests to see what reached the fake.
package fakelb
