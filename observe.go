package cdslb

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"strconv"
	"sync/atomic"
	"time"
)

// This file holds the observer: what a Client tells a tracer or a meter
// about its helpers, calls and attempts, and how it keeps that free when
// no observer is installed.

// Observer sees what a Client does, as pairs of events: a helper operation
// (EnsureLoadBalancer, EnsureCertificate, UpdateListener, RemoveListener,
// PlanListeners, ApplyListeners and the waiters WaitUntil,
// WaitUntilRunning and WaitUntilDeleted) with the calls it makes beneath
// it, each API call, and each attempt of a call, retries included. Install
// one with WithObserver; the module github.com/cdsgo/cdslb/cdslbotel
// adapts OpenTelemetry to it.
//
// Each Start method gets the context of what encloses it (the caller's,
// the operation's or the call's) and returns the context in which that
// work goes on: an attempt's context is the one its HTTP request carries.
// It must return ctx or a context derived from it, since the work's
// deadline and cancellation come from it; a nil return keeps ctx. Each End
// method gets the context its Start returned, so that an observer keeps
// what it needs there, as tracers keep a span, and an End comes for every
// Start, also when the work ends in a panic.
//
// The methods are called synchronously, on the goroutine of the work, and
// concurrently from every goroutine that shares the Client. They must be
// safe for concurrent use, return quickly and never block: the call waits
// for them. They should not call the Client, and must not change an event's
// Err. A panic in a method is the observer's bug: it goes up to the caller
// of the Client's method, ending the call it interrupts. The library never
// stops it (the End events of the work it ends come first, with an error
// saying a panic ended it, and then the panic goes on), so it never sends a
// request again because of it; a change it interrupted may still have been
// carried out, as after any failure that ErrOutcomeUnknown describes.
//
// Events carry no secret: no access key secret, signature, signing
// parameter or request body, and errors are those the Client returns,
// whose messages are redacted. Embed NopObserver to implement only some
// methods and keep compiling when later versions add events.
type Observer interface {
	StartOperation(ctx context.Context, e OperationStart) context.Context
	EndOperation(ctx context.Context, e OperationEnd)
	StartCall(ctx context.Context, e CallStart) context.Context
	EndCall(ctx context.Context, e CallEnd)
	StartAttempt(ctx context.Context, e AttemptStart) context.Context
	EndAttempt(ctx context.Context, e AttemptEnd)
}

// OperationStart is the start of a helper that makes calls of its own.
type OperationStart struct {
	Operation    string // the helper's name, such as "EnsureLoadBalancer" or "WaitUntilRunning"
	InstanceUUID string // the instance it works on; empty when it is not known at the start, as for EnsureLoadBalancer
}

// OperationEnd is the end of a helper.
type OperationEnd struct {
	Operation    string
	InstanceUUID string
	Calls        int           // the API calls made beneath it, those of the helpers it called included
	Duration     time.Duration // from its start to its end
	Err          error         // what it returned; nil on success
}

// CallStart is the start of one API call, such as a DescribeLoadBalancers.
type CallStart struct {
	Action   string // the API action, such as "DescribeLoadBalancers"
	ReadOnly bool   // the action only reads; otherwise it may change state (see ErrOutcomeUnknown)
}

// CallEnd is the end of one API call, after its last attempt.
type CallEnd struct {
	Action         string
	ReadOnly       bool
	Attempts       int           // the attempts made, retries included; 0 when it was refused before sending
	HTTPStatus     int           // the HTTP status of the last answer; 0 when none came
	Code           string        // the API's code in the last answer: "Success", or one such as "ResourceNotFound"; empty when there was none
	TaskID         string        // the task id of the last answer, if it had one
	OutcomeUnknown bool          // Err matches ErrOutcomeUnknown: the change may have been carried out
	Duration       time.Duration // from the start of the call, validation, waits and backoffs included
	Err            error         // what the call returned; nil on success
}

// AttemptStart is the start of one attempt of a call: one request, signed
// afresh, about to be sent.
type AttemptStart struct {
	Action        string
	Attempt       int    // 1 for the first, 2 for the first retry, and so on
	Method        string // "GET" or "POST"
	ServerAddress string // the endpoint's host name or IP address
	ServerPort    int    // the endpoint's port, 443 or 80 when its URL names none
	// URL is the request's URL without its secrets: the endpoint, the
	// action's path, Action and the request's own query parameters; never
	// the signing parameters (AccessKeyId, Signature, SignatureNonce,
	// Timestamp and the rest), which identify the key or the request and
	// tell a reader nothing of the call.
	URL string
	// RateLimitWait is the time this attempt waited for WithRateLimit's
	// limit before it was signed, on the client's clock (WithClock). The
	// write of UpdateListener, RemoveListener and ApplyListeners takes its
	// token before its check read: its first attempt reports that wait.
	RateLimitWait time.Duration
}

// AttemptEnd is the end of one attempt.
type AttemptEnd struct {
	Action     string
	Attempt    int
	HTTPStatus int           // the HTTP status of the answer; 0 when none came
	Code       string        // the API's code in the answer; empty when the answer had none or none came
	TaskID     string        // the answer's task id, if it had one
	Duration   time.Duration // from AttemptStart to the answer read, or the failure
	// Retry says the retry policy repeats the call after RetryDelay; the
	// retry does not come when the context ends during that delay.
	Retry      bool
	RetryDelay time.Duration
	Err        error // why the attempt failed; nil when it succeeded
}

// NopObserver is an Observer whose methods do nothing. Embed it in an
// observer that needs only some events.
type NopObserver struct{}

// StartOperation returns ctx.
func (NopObserver) StartOperation(ctx context.Context, _ OperationStart) context.Context { return ctx }

// EndOperation does nothing.
func (NopObserver) EndOperation(context.Context, OperationEnd) {}

// StartCall returns ctx.
func (NopObserver) StartCall(ctx context.Context, _ CallStart) context.Context { return ctx }

// EndCall does nothing.
func (NopObserver) EndCall(context.Context, CallEnd) {}

// StartAttempt returns ctx.
func (NopObserver) StartAttempt(ctx context.Context, _ AttemptStart) context.Context { return ctx }

// EndAttempt does nothing.
func (NopObserver) EndAttempt(context.Context, AttemptEnd) {}

// WithObserver makes the client report its helper operations, calls and
// attempts to o (see Observer). A later WithObserver replaces an earlier
// one; a nil o, or a nil pointer that implements Observer, installs none.
// Without an observer, reporting costs a call no allocation.
func WithObserver(o Observer) Option {
	return func(c *Client) error {
		if v := reflect.ValueOf(o); o != nil && v.Kind() == reflect.Pointer && v.IsNil() {
			o = nil
		}
		c.observer = o
		return nil
	}
}

// errPanicked is the Err of the End events of work that a panic ended.
var errPanicked = errors.New("cdslb: a panic ended the work")

// orContext returns the context an observer returned, or ctx when it returned nil.
func orContext(got, ctx context.Context) context.Context {
	if got == nil {
		return ctx
	}
	return got
}

// answerOf returns what an error says of the answer that caused it.
func answerOf(err error) (status int, code, taskID string) {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.HTTPStatus, ae.Code, ae.TaskID
	}
	return 0, "", ""
}

// operationKey is the context key of the innermost helper operation.
type operationKey struct{}

// operationState is an observed helper operation, kept in its context so
// that the calls beneath it are counted, and a helper that only hands over
// to another (WaitUntilRunning to WaitUntil) is reported once.
type operationState struct {
	c      *Client
	name   string
	parent *operationState
	calls  atomic.Int64
}

// observedOperation is a helper operation as its End event needs it; the
// zero value reports nothing.
type observedOperation struct {
	obs      Observer
	ctx      context.Context
	state    *operationState
	instance string
	start    time.Time
}

// startOperation reports the start of a helper and returns its context.
// Without an observer it returns ctx and a zero observedOperation, at no
// cost. Use it at the top of a helper whose error result is named err:
//
//	ctx, obs := c.startOperation(ctx, "UpdateListener", instanceUUID)
//	defer obs.end(&err)
func (c *Client) startOperation(ctx context.Context, name, instanceUUID string) (context.Context, observedOperation) {
	if c == nil || c.observer == nil || ctx == nil {
		return ctx, observedOperation{}
	}
	parent, _ := ctx.Value(operationKey{}).(*operationState)
	if name == "WaitUntil" && parent != nil && parent.c == c && (parent.name == "WaitUntilRunning" || parent.name == "WaitUntilDeleted") {
		return ctx, observedOperation{}
	}
	s := &operationState{c: c, name: name, parent: parent}
	start := time.Now()
	octx := orContext(c.observer.StartOperation(ctx, OperationStart{Operation: name, InstanceUUID: instanceUUID}), ctx)
	octx = context.WithValue(octx, operationKey{}, s)
	return octx, observedOperation{obs: c.observer, ctx: octx, state: s, instance: instanceUUID, start: start}
}

// end reports the end of the helper with the error *errp, or, when a panic
// ends it, with errPanicked before the panic goes on. It must be deferred
// directly.
func (o observedOperation) end(errp *error) {
	if o.obs == nil {
		return
	}
	err := *errp
	r := recover()
	if r != nil {
		err = errPanicked
	}
	o.obs.EndOperation(o.ctx, OperationEnd{Operation: o.state.name, InstanceUUID: o.instance, Calls: int(o.state.calls.Load()),
		Duration: time.Since(o.start), Err: err})
	if r != nil {
		panic(r)
	}
}

// observedCall is an observed API call and its current attempt. run makes
// one, and calls its methods, only when the client has an observer.
type observedCall struct {
	obs      Observer
	c        *Client
	ctx      context.Context
	action   string
	readOnly bool
	start    time.Time
	attempts int

	attempt      context.Context // the current attempt's; nil when none is open
	attemptStart time.Time
	status       int // the last answer's
	code, taskID string
}

// startCall reports the start of a call and returns its context; the
// Client has an observer.
func (c *Client) startCall(ctx context.Context, action string, readOnly bool) (context.Context, *observedCall) {
	for s, _ := ctx.Value(operationKey{}).(*operationState); s != nil; s = s.parent {
		if s.c == c {
			s.calls.Add(1)
		}
	}
	o := &observedCall{obs: c.observer, c: c, action: action, readOnly: readOnly, start: time.Now()}
	o.ctx = orContext(c.observer.StartCall(ctx, CallStart{Action: action, ReadOnly: readOnly}), ctx)
	return o.ctx, o
}

// startAttempt reports the start of an attempt and returns its context.
func (o *observedCall) startAttempt(ctx context.Context, op operation, params url.Values, attempt int, waited time.Duration) context.Context {
	host, port := o.c.base.Hostname(), o.c.base.Port()
	n := 443
	if port != "" {
		n, _ = strconv.Atoi(port) // the endpoint's URL was parsed: its port is digits
	} else if o.c.base.Scheme == "http" {
		n = 80
	}
	e := AttemptStart{Action: op.action, Attempt: attempt, Method: op.method, ServerAddress: host, ServerPort: n,
		URL: o.c.observedURL(op, params), RateLimitWait: waited}
	o.attemptStart = time.Now()
	o.attempt = orContext(o.obs.StartAttempt(ctx, e), ctx)
	o.attempts = attempt
	return o.attempt
}

// observedURL is the URL of an attempt without its secrets: the endpoint,
// the path, Action and the request's own parameters, sorted and encoded as
// the signed query has them, without the signing parameters.
func (c *Client) observedURL(op operation, params url.Values) string {
	var stack [16]param
	ps := stack[:0]
	for name, values := range params {
		if !isReservedParam(name) {
			ps = append(ps, param{name, values})
		}
	}
	sortParams(ps)
	size := len(c.base.Scheme) + len(c.base.Host) + 3*len(c.base.Path) + len(op.path) + len("://?Action=") + 3*len(op.action)
	for _, p := range ps {
		for _, v := range p.values {
			size += 2 + 3*len(p.name) + 3*len(v)
		}
	}
	u := c.base
	u.Path += op.path
	b, _ := u.AppendBinary(make([]byte, 0, size)) // the base has no query, user info or fragment
	b = appendEscaped(append(b, "?Action="...), op.action)
	for _, p := range ps {
		for _, v := range p.values {
			b = appendEscaped(append(appendEscaped(append(b, '&'), p.name), '='), v)
		}
	}
	return string(b)
}

// endAttempt reports the end of the current attempt: its answer's meta when
// it succeeded, or its error and the retry policy's decision.
func (o *observedCall) endAttempt(meta *ResponseMeta, err error, delay time.Duration, retry bool) {
	if o.attempt == nil {
		return
	}
	actx := o.attempt
	o.attempt = nil
	if meta != nil {
		o.status, o.code, o.taskID = meta.HTTPStatus, meta.Code, meta.TaskID
	} else {
		o.status, o.code, o.taskID = answerOf(err)
	}
	e := AttemptEnd{Action: o.action, Attempt: o.attempts, HTTPStatus: o.status, Code: o.code, TaskID: o.taskID,
		Duration: time.Since(o.attemptStart), Err: err}
	if retry {
		e.Retry, e.RetryDelay = true, delay
	}
	o.obs.EndAttempt(actx, e)
}

// end reports the end of the call with the error *errp, or, when a panic
// ends it, with errPanicked (after the open attempt's end) before the
// panic goes on. It must be deferred directly.
func (o *observedCall) end(errp *error) {
	err := *errp
	r := recover()
	if r != nil {
		err = errPanicked
		o.endAttempt(nil, err, 0, false)
	}
	e := CallEnd{Action: o.action, ReadOnly: o.readOnly, Attempts: o.attempts, HTTPStatus: o.status, Code: o.code, TaskID: o.taskID,
		Duration: time.Since(o.start), Err: err}
	if err != nil {
		e.OutcomeUnknown = errors.Is(err, ErrOutcomeUnknown)
		if status, code, taskID := answerOf(err); status != 0 || code != "" {
			e.HTTPStatus, e.Code, e.TaskID = status, code, taskID
		}
	}
	o.obs.EndCall(o.ctx, e)
	if r != nil {
		panic(r)
	}
}

// instance is the plan's instance, for ApplyListeners' OperationStart; a
// nil plan has none.
func (p *ListenerPlan) instance() string {
	if p == nil {
		return ""
	}
	return p.InstanceUUID
}
