// Package cdslbtest is the test kit of cdslb: a stateful fake of the CDS
// load-balancer API that a test starts in one line, as net/http/httptest is
// for net/http.
//
//	srv := cdslbtest.NewServer(t)          // closed by t.Cleanup
//	client := srv.Client()                 // a *cdslb.Client signed with srv's key
//	err := codeUnderTest(ctx, client)
//	lbs := srv.LoadBalancers()             // what the code left behind
//
// Every Server has its own loopback listener, key pair, state, clock,
// faults and request counts, so tests can run in parallel. It speaks the
// wire protocol of the vendor document: the signed query, the /lb and
// /paas/monitor base paths, the {Code, Message, Data, TaskId} envelope and
// the document's own spellings (numbers as strings, "PirvateKey", null
// lists), so the client's decoding is exercised for real.
//
// # Time
//
// By default every change finishes at once: a waiter such as
// WaitUntilRunning returns at its first poll, and code under test that
// creates and waits runs without sleeping.
//
// To see the busy states (CREATING, CHANGING, DELETING, and 409
// ResourceInUse for a change meanwhile), give WithBusyFor a duration and a
// Clock. With WithAutoAdvance(clock), the clock advances itself whenever a
// client of the server waits: every pause between a waiter's polls, every
// retry backoff, moves the clock by its length at once instead of
// sleeping. Code that creates a load balancer and waits for it in one
// call, with the library's default polling, then sees it CREATING at its
// first poll and RUNNING once its pauses have passed the busy period: a
// 90 s creation takes six polls and a few milliseconds of real time, with
// no goroutine of the test's own to advance the clock. The waiters' grace
// periods and a context's deadline count in the clock's time too, so give
// the context the deadline the code would have in production, or none.
//
// The kit makes the clock advance rather than making its Client poll every
// millisecond because the test then runs the code's own schedule (the
// number of polls it would make in production, the grace periods, the
// backoffs) and stays deterministic under load: no busy period measured in
// real milliseconds that a slow machine could skip over. The hook is
// cdslb.WithClock, which a client made outside the kit may be given too.
//
// With WithClock(clock.Now) instead, the clock is manual: a change keeps
// the load balancer busy until the test calls Advance. Advance before
// waiting, and the waiter finds the load balancer running at its first
// poll.
//
// The server's clock (WithClock) drives exactly these: when a busy state
// ends, and so when a change meanwhile stops being 409 ResourceInUse; the
// CreatedTime of a load balancer, which DescribeLoadBalancers' StartTime
// and EndTime filter by; the Validity of a certificate (valid, expiring
// within 30 days, expired); and the year of validity of NewCertificate and
// AddCertificate.
//
// It does not drive the signature's Timestamp check (RequestExpired, more
// than 15 minutes away) or the memory of used nonces (SignatureNonceUsed):
// both follow the real time, because a Client signs with the real time and
// has no clock to inject; the nonce memory must share the Timestamp
// check's clock, since a nonce may be forgotten only once a request with
// its Timestamp would be refused anyway. So a manual clock may read any
// date, and advancing it neither expires a request nor lets a replay
// through. Nor does it drive metrics, whose points depend only on the
// instance, the metric and the StartTime and EndTime asked for; injected
// Latency, which is a real wait; or the Client's waits between polls and
// retries.
//
// # Starting points
//
// Every Server offers the document's 18 zones (such as CN_Hongkong_A and
// CN_Beijing_A) and, in every zone, four sizes: 1C2G (PaasGoodsID 5072),
// 2C4G (5075), 4C8G (5078) and 8C16G (5081). AddLoadBalancer adds a running
// load balancer with listeners and AddCertificate a certificate, each in
// one call; LoadBalancers, Listeners and Certificates read the state in
// cdslb's types. None of these goes through the signed API, so they neither
// count as requests nor meet faults.
//
// # Decisions
//
// Where the document is silent or contradicts itself, the fake chooses:
//
//   - All API dates ("2006-01-02 15:04:05") are China Standard Time (UTC+8).
//   - Authentication refusals are HTTP 403 with Code InvalidAccessKeyId
//     (unknown key), SignatureDoesNotMatch, RequestExpired (the Timestamp is
//     more than 15 minutes away from the server's time) or
//     SignatureNonceUsed (the nonce was used by a request whose Timestamp is
//     still accepted: a nonce is remembered until its Timestamp is 15
//     minutes old, whichever way the signer's clock was off). A missing
//     common parameter is 400 ArgMissing; a wrong SignatureMethod,
//     SignatureVersion, Version or Timestamp format, or a SignatureNonce
//     longer than 64 bytes (the vendor's are 36-byte UUIDs), is 400
//     InvalidParameter. A request that fails authentication is refused
//     before its action is looked up and before its body is read; if it
//     has a body, the connection is closed after the answer.
//   - A parameter given more than once is signed with its values sorted by
//     their encoded form, as cdslb.Signer signs it, and read by its first
//     value; a pair repeated with the identical value counts once (see
//     below).
//   - An unknown action, an action on the wrong base path, or the wrong
//     HTTP method is 400 UnsupportedOperation.
//   - POST bodies must be JSON (Content-Type application/json, or none),
//     at most 1 MiB; an empty body counts as {}. An int of the document's
//     table must be a JSON number; a field the document spells both ways
//     (a backend's Port and Weight, the timeouts) may also be a numeric
//     string.
//   - CreateLoadBalancer takes IsVip (0 or 1) in the private entry of Ips,
//     as the document's example has it; omitted, a load balancer that also
//     joins a public network gets a private VIP (the table's default, 1).
//     IsVip at the top level (where the table lists it), on the public
//     entry, or 0 without a public network is 400 InvalidParameter.
//   - Changes keep a load balancer busy for WithBusyFor: status CREATING
//     after CreateLoadBalancer, CHANGING after a spec, listener or haproxy
//     config change, DELETING after DeleteLoadBalancer (then it is gone). A
//     delete or any change of a busy load balancer is 409 ResourceInUse.
//     ModifyLoadBalancerName is immediate. Busy states end lazily, computed
//     from the clock, so tests with a manual clock need no sleeps.
//   - DescribeLoadBalancers with a filter that matches nothing answers
//     Success with an empty list. IP and InstanceName filters match
//     substrings (the document's example filters by "66.66"); InstanceUuid
//     and TagName are exact; StartTime and EndTime bound CreatedTime
//     inclusively.
//   - Each load balancer lists its Tags ({"TagID": int, "TagName":
//     string}; an empty list when it has none) and IsCustomConf: 1 from a
//     ModifyHaproxyCustomConfig until a listener change regenerates the
//     config, else 0. The API cannot set tags: seed them with
//     LoadBalancer.Tags. A tag name has one TagID on every load balancer,
//     numbered from 1 in the order names are first used.
//   - CreateLoadBalancer accepts an optional SubjectId: an integer (or a
//     numeric string) that is not negative, else 400 InvalidParameter. The
//     fake shows it nowhere.
//   - DescribeLoadBalancersSpec with an unknown RegionId is 404
//     ResourceNotFound; CreateLoadBalancer with one is 400
//     InvalidParameter. Private addresses come from 66.66.0.0/16, public
//     ones from 164.52.0.0/16.
//   - UploadCACertificate answers no id (Data {}); callers find the
//     certificate by name, so a name already in use is 400
//     InvalidParameter. DeleteCACertificate of a certificate bound to a
//     listener is 409 ResourceInUse.
//   - Listener names follow the newer edition's rule but also accept '-',
//     which the document's own examples use. A listener change discards any
//     custom haproxy.cfg set by ModifyHaproxyCustomConfig; without one,
//     DescribeHaproxyCustomConfig answers a config generated from the
//     listeners. Empty BackendServer lists are answered as null.
//   - DescribeLBInstanceListeners is served at /lb, the address the
//     document gives, though its own example posts to /paas/monitor;
//     WithListenersPath moves it there. The path that does not serve it
//     answers 404 UnsupportedOperation.
//   - DescribeLBInstancePerformance: the period for spans up to 4 h is 30 s
//     (the document's text says 5 s, its table and example say 30); then
//     60 s up to 2 days, 300 s up to 10 days, 3600 s up to 30 days. A
//     longer span, or an EndTime not after StartTime, is 400
//     InvalidParameter. Points sit on multiples of the period from
//     StartTime (inclusive) to EndTime (exclusive); values are
//     deterministic in the instance, metric and time. An unknown
//     ListenerName for a listener metric is 404.
//
// # What the vendor's own clients send
//
// Where the vendor's own clients send otherwise than the document's letter
// and the service evidently takes it, the fake takes it too. Each leniency,
// with its evidence:
//
//   - A JSON POST without Content-Type: the vendor's Go SDK (v0.3.16, as
//     its Terraform provider pins it) builds a header map and never
//     applies it.
//   - A list given as an absent key or as null is an empty list
//     (HttpListeners, TcpListeners, AclWhiteList, BackendServer,
//     CertificateIds): the SDK's lists are omitempty, Terraform's example
//     sends HTTP listeners only with certificate_ids = [], and an unset
//     ACL goes out as null. Such a change reads back as sent.
//   - A GET parameter repeated with the identical value counts once, for
//     the action and for the signature: the document's Python helper
//     invoke_cdsapi sends each twice, in the signed URL and again as
//     params=.
//
// Where the document and those clients agree, the fake stays strict: a
// string where both say int, such as "PaasGoodsId":"5078", is 400
// InvalidParameter. Where the document's example and the clients agree
// against its table, the fake follows the example: the disk sizes of
// DescribeLoadBalancersSpec are numbers, and IsVip sits in the private
// entry of Ips. The module interop drives the vendor's SDK against the
// fake for every action it offers.
//
// # Faults
//
// SetFault injects latency, error answers (4xx such as 429 Too Many
// Requests, or 5xx, optionally with Retry-After), HTML gateway pages,
// dropped or truncated answers, 409 conflicts, "ran but the answer was
// lost", and malformed answers (Fault.Malformed: Data or Code given twice,
// or Data without the ids the library needs), per action, at random rates
// from the seeded source. FailNext is the deterministic form: it strikes
// exactly the next n requests of an action, for certain, then stops, so a
// test of a retry path or of ErrMalformedAnswer handling needs no rate.
// Faults strike after authentication and after the body is read, so a
// faulted request has used its SignatureNonce: a retry must be signed
// afresh, as a real gateway requires. A dropped connection is made by
// panicking with http.ErrAbortHandler, so do not wrap Handler in
// middleware that recovers that panic. Go's http.Transport may itself
// replay a GET (or any request without a body) on a dropped keep-alive
// connection; Requests counts what reached the server.
//
// Close, which t.Cleanup calls, ends every injected latency at once, and
// any request still arriving: the calls in flight fail with an error, and
// a test that abandons a call inside a Latency of an hour still ends at
// once.
//
// # Journal
//
// Calls(action) returns the requests of an action that passed
// authentication, in order, with their parameters (Call.Params), their
// JSON body (Call.Body, Call.Decode) and their answer (Call.Status,
// Call.Code, Call.Dropped); Writes returns those of the nine actions that
// change state. A request refused before authentication is never kept, nor
// are the reads and seeds of the Server's own methods. The journal keeps
// the last 10,000 calls, and fewer when their parameters and bodies pass
// 32 MiB; ClearJournal empties it.
//
// # Drift
//
// SetStatus, RemoveLoadBalancer and SetListeners change a load balancer
// behind the code's back, as the vendor's console or another program
// would: an ERROR status (which a waiter reports as ErrWaitFailed) or a
// status that never ends, a load balancer gone, listeners edited. None of
// them is a request: none counts, meets a fault or enters the journal.
//
// # Certificates
//
// SelfSigned makes a self-signed certificate and key, PEM, for a domain,
// without a Server (for a command-line program as well as a test);
// NewCertificate makes one valid from the server's clock, and
// AddCertificate uploads one in a call.
//
// # Printing
//
// A Server prints like a cdslb.Client: its URL and access key id, with the
// secret shown as REDACTED, under every fmt verb, nested in structs (its
// state sits behind one pointer, so even fmt's raw printing of an
// unexported field does not reach the secret), in slog's text and JSON
// handlers (LogValue), and in encoding/json.
package cdslbtest
