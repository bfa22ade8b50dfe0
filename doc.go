// Package cdslb is a client for the CDS (CapitalOnline) load-balancer API:
// managed HAProxy instances, their listeners ("strategies"), TLS
// certificates and metrics.
//
// Create one Client and share it; it is safe for concurrent use:
//
//	client, err := cdslb.NewClientFromEnv() // CDS_SECRET_ID, CDS_SECRET_KEY, optional CDS_API_HOST
//	if err != nil { ... }
//	resp, err := client.DescribeLoadBalancers(ctx, &cdslb.DescribeLoadBalancersRequest{InstanceName: "web"})
//
// Every action of the API is a method named after it, of one shape:
// (ctx, *XRequest) (*XResponse, error). A nil request is allowed where the
// action needs no parameter, and on error the response is nil. Go types say
// what values are (ports and weights are ints, timeouts time.Durations,
// switches bools, times time.Times); the wire's strings, units and
// spellings are the library's business.
//
// # Errors
//
// A request that breaks a documented rule is refused before anything is
// sent, with a *ValidationError that names the field (errors.Is(err,
// ErrInvalidRequest)). An answer that is not a success is an *APIError,
// matched by the sentinel of its code (errors.Is(err, ErrResourceInUse)). A
// call that got no answer is a *TransportError wrapping its cause, so
// errors.Is(err, context.DeadlineExceeded) works.
//
// # Retries and idempotency
//
// The API has no idempotency token, so the client repeats only what cannot
// take effect twice: read-only actions (each action declares whether it only reads) on transport
// errors, 429 and 5xx answers; actions that change state only when the
// connection was never made, or, with RetryPolicy.RetryConflicts, when the
// service refused them as busy (409, or ResourceInUse at another 4xx). A
// write answered with a 5xx, InternalError or CreateOrderExcept may have
// run (ErrOutcomeUnknown) and is never resent. See RetryPolicy.
//
// # Concurrency
//
// One Client serializes the whole-set listener writes of each instance
// (UpdateListener, RemoveListener, ApplyListeners, and the listener
// actions wait for them) and the find-or-create helpers of each name, and
// remembers creates of unknown outcome. Across Clients and processes
// nothing is serialized: the API has no version or ETag. Give each
// instance and each name one owner.
//
// # Asynchronous changes
//
// Creating, resizing, changing listeners and deleting return at once with a
// TaskID while the instance is busy. WaitUntilRunning and WaitUntilDeleted
// poll until the change is done or the context ends: at once, at 30 s and
// 60 s, then every 12 s, or as WithPollInterval says. ModifyLoadBalancerStrategys replaces an instance's whole
// listener set; AddLoadBalancerStrategys, UpdateListener and RemoveListener
// change one listener and keep the others.
//
// # Secrets
//
// The access key secret, request signatures and certificate private keys
// never appear in errors, log records (WithLogger) or fmt, slog and
// encoding/json renderings of a Client, Signer, request or response, also
// when a service, proxy or transport echoes them in any common escaping.
package cdslb
