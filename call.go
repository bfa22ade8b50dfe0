package cdslb

import (
	"context"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"time"

	qs "github.com/google/go-querystring/query"
)

// The API's base paths.
const (
	pathLB      = "/lb/"
	pathMonitor = "/paas/monitor/"
)

// effect says whether an action only reads. It is stated by every
// declaration, never derived from the action's name or method: it decides
// what is retried and when a failure may hide a change (ErrOutcomeUnknown).
type effect bool

const (
	reads   effect = true  // repeating it is harmless
	changes effect = false // it may change state: repeated only when it never left
)

// form is a request's wire form. Its kind decides the HTTP method, so the
// two cannot disagree: inQuery is a GET with the value's `url` tags encoded
// by go-querystring, inBody a POST with the value as its JSON body.
type form struct {
	method string
	value  any
}

func inQuery(v any) form { return form{http.MethodGet, v} }
func inBody(v any) form  { return form{http.MethodPost, v} }

// encode writes the request. A body is written by the standard
// encoding/json, as the vendor's own Go SDK writes it, which its captured
// requests and the signature vectors pin: HTML characters escaped, nil
// lists as null. Only answers need the strict reader.
func (f form) encode() (url.Values, []byte, error) {
	if f.method == http.MethodGet {
		params, err := qs.Values(f.value)
		return params, nil, err
	}
	body, err := stdjson.Marshal(f.value)
	return nil, body, err
}

// instanceWire is the wire form of a request that names one instance.
type instanceWire struct {
	InstanceUUID string `json:"InstanceUuid" url:"InstanceUuid"`
}

// none is the Data of an answer that holds nothing of use: it is not read.
type none struct{}

// spec is what a declaration says about an action besides its types.
type spec struct {
	name   string
	path   string // pathLB or pathMonitor
	effect effect
	data   any // a nil pointer to the answer's Data type, for tests
}

// declared holds every declaration by action name, for the tests that
// check each action method has one and sweep over them.
var declared = map[string]*spec{}

// action is one API action as the call path runs it: Req is its request,
// Data the wire form of its answer's Data, Resp its response. declare sets
// every part, so none can be forgotten.
type action[Req any, PReq interface {
	*Req
	validate() error
}, Data any, Resp any, PResp interface {
	*Resp
	meta() *ResponseMeta
}] struct {
	spec
	wire   func(req *Req, loc *time.Location) form
	answer func(req *Req, data *Data, loc *time.Location) (*Resp, error) // an error: the answer is malformed
}

// declare declares an action: its name, base path and effect, how a
// request becomes its wire form, and how the answer's Data becomes the
// response (or why it is malformed, ErrMalformedAnswer).
func declare[Req any, PReq interface {
	*Req
	validate() error
}, Data any, Resp any, PResp interface {
	*Resp
	meta() *ResponseMeta
}](name, path string, e effect, wire func(*Req, *time.Location) form, answer func(*Req, *Data, *time.Location) (*Resp, error)) *action[Req, PReq, Data, Resp, PResp] {
	a := &action[Req, PReq, Data, Resp, PResp]{spec: spec{name, path, e, (*Data)(nil)}, wire: wire, answer: answer}
	declared[name] = &a.spec
	return a
}

// at returns the action at another base path. It is not declared: it is
// the declared action, found at another address.
func (a *action[Req, PReq, Data, Resp, PResp]) at(path string) *action[Req, PReq, Data, Resp, PResp] {
	b := *a
	b.path = path
	return &b
}

// malformed is an answer function's reason why a Success is malformed
// (ErrMalformedAnswer). It names the answer's fields as the service spells
// them, such as "Data[0] has no InstanceUuid".
func malformed(format string, args ...any) error { return fmt.Errorf(format, args...) }

// acknowledged is the answer function of actions whose response is the
// envelope alone.
func acknowledged[Req, Resp any](*Req, *none, *time.Location) (*Resp, error) { return new(Resp), nil }

// call runs the action: validate, encode, then send and decode, retrying
// as the policy and the declared effect allow. A nil request is the zero
// request, which validation refuses when the action needs a parameter.
func (a *action[Req, PReq, Data, Resp, PResp]) call(ctx context.Context, c *Client, req *Req) (*Resp, error) {
	resp, _, err := a.run(ctx, c, req, 0)
	return resp, err
}

// usage is what a helper's call of an action needs beyond a plain call.
type usage uint8

const (
	// rereadOnConflict marks a write of state read before it: on a 409 it
	// is never resent, even with RetryConflicts; its caller reads again.
	rereadOnConflict usage = 1 << iota
	// exactOnly marks a read whose Data is of use only if read exactly (an
	// edit's listener set): see readAnswer.
	exactOnly
)

// run is call that also returns the answer's wire form, for a helper's
// usage.
func (a *action[Req, PReq, Data, Resp, PResp]) run(ctx context.Context, c *Client, req *Req, use usage) (_ *Resp, _ *Data, err error) {
	if c == nil || c.signer == nil {
		return nil, nil, fmt.Errorf("cdslb: %s: the Client was not made by NewClient or NewClientFromEnv", a.name)
	}
	if ctx == nil {
		return nil, nil, &ValidationError{Action: a.name, Field: "ctx", Reason: "must not be nil; use context.Background()"}
	}
	caller := ctx         // a create's flag (creating) is looked up here: an observer's context may not hold it
	var obs *observedCall // nil without an observer: nothing is reported
	if c.observer != nil {
		ctx, obs = c.startCall(ctx, a.name, a.effect == reads)
		defer obs.end(&err)
	}
	if req == nil {
		req = new(Req)
	}
	if err := validateRequest(a.name, PReq(req)); err != nil {
		return nil, nil, err
	}
	f := a.wire(req, c.loc)
	params, body, err := f.encode()
	if err != nil {
		return nil, nil, fmt.Errorf("cdslb: %s: encoding the request: %w", a.name, err)
	}
	op := operation{action: a.name, method: f.method, path: a.path, readOnly: a.effect == reads, usage: use}
	var last error // the previous attempt's
	for attempt := 1; ; attempt++ {
		var waited time.Duration
		if c.limiter != nil {
			if waited, err = c.takeToken(ctx, op, attempt); err != nil {
				if last != nil {
					err = fmt.Errorf("%w (stopped waiting to retry: %w)", last, err)
				}
				return nil, nil, err
			}
		}
		data := new(Data)
		var into any = data
		if _, skip := into.(*none); skip {
			into = nil
		}
		var resp *Resp
		actx := ctx
		if obs != nil {
			actx = obs.startAttempt(ctx, op, params, attempt, waited)
		}
		if !op.readOnly {
			markMayLeave(caller) // past the last observer method before the request leaves
		}
		err = c.send(actx, op, params, body, into, func(env envelope, status int) (err error) {
			if resp, err = a.answer(req, data, c.loc); err == nil {
				*PResp(resp).meta() = ResponseMeta{Code: env.Code, Message: env.Message, TaskID: env.TaskID, HTTPStatus: status, Attempts: attempt}
			}
			return err
		}, attempt)
		if err == nil {
			if obs != nil {
				obs.endAttempt(PResp(resp).meta(), nil, 0, false)
			}
			return resp, data, nil
		}
		last = err
		delay, again := c.retryDelay(ctx, op, err, attempt)
		if obs != nil {
			obs.endAttempt(nil, err, delay, again)
		}
		if !again {
			return nil, nil, err
		}
		if serr := c.sleep(ctx, delay); serr != nil {
			return nil, nil, fmt.Errorf("%w (stopped waiting to retry: %w)", err, serr)
		}
	}
}

// ResponseMeta is embedded in every response: the envelope the service wraps
// each answer in.
type ResponseMeta struct {
	Code    string // "Success" for every response a method returns without error
	Message string // the service's message, such as "Success."
	TaskID  string // the id of the asynchronous task an action started, if any

	HTTPStatus int // the HTTP status of the answer, such as 200
	Attempts   int // how many times the request was sent, retries included: 1 when the first attempt succeeded
}

func (m *ResponseMeta) meta() *ResponseMeta { return m }

// operation is one attempt's action on the wire.
type operation struct {
	action   string
	method   string // http.MethodGet or http.MethodPost
	path     string // pathLB or pathMonitor
	readOnly bool   // the declared effect is reads
	usage    usage  // see run
}

// send makes one attempt: sign afresh, send, read the answer, decode its
// Data into into (nil: not read) and hand it to finish, whose error says
// why the answer is malformed. An error of an action that changes state matches
// ErrOutcomeUnknown when the service may have carried the change out.
func (c *Client) send(ctx context.Context, op operation, params url.Values, body []byte, into any, finish func(envelope, int) error, attempt int) (err error) {
	start := time.Now()
	status, taskID := 0, ""
	if c.logger != nil {
		defer func() { c.logAttempt(ctx, op, attempt, status, time.Since(start), taskID, err) }()
	}
	if err := ctx.Err(); err != nil { // nothing was sent
		return &TransportError{Action: op.action, Method: op.method, URL: c.base.String() + op.path, Attempts: attempt, Err: err}
	}

	u := c.base
	u.Path += op.path
	u.RawQuery = c.signer.Sign(op.method, op.action, params)
	// A write is traced, so that a failure that proves it never left is
	// neither reported as ErrOutcomeUnknown nor kept from a retry.
	write, rctx := !op.readOnly, ctx
	var wt *writeTrace
	if write {
		wt = new(writeTrace)
		rctx = httptrace.WithClientTrace(ctx, wt.hooks())
	}
	req := c.newRequest(rctx, op.method, &u, body)

	resp, err := c.roundTrip(req)
	if err != nil {
		return c.transportError(ctx, op, attempt, err, c.redactor(u.RawQuery, body), write && !neverConnected(err) && !wt.neverWritten())
	}
	defer resp.Body.Close()
	status = resp.StatusCode
	if status >= 300 && status < 400 {
		// The API never redirects; whatever such an answer holds, it is not the change's result.
		return &APIError{Action: op.action, HTTPStatus: status, Message: "a redirect, which the API never sends; the answer was refused", Attempts: attempt, unknown: write}
	}

	env, ok, head, err := readAnswer(resp, c.maxBody, into, op.usage&exactOnly != 0)
	if err != nil {
		if errors.Is(err, errTooLarge) { // closed without draining: the rest may be huge, or never come
			return &APIError{Action: op.action, HTTPStatus: status, Message: err.Error(), Attempts: attempt, unknown: write}
		}
		return c.transportError(ctx, op, attempt, err, c.redactor(u.RawQuery, body), write)
	}
	if !ok {
		// Not the API's JSON (a gateway's page, a truncated body): say what came.
		return &APIError{Action: op.action, HTTPStatus: status, Message: excerpt(head, c.redactor(u.RawQuery, body)), Attempts: attempt,
			retryAfter: retryAfter(resp.Header.Get("Retry-After")), unknown: write}
	}
	if env.ambiguous != "" { // it says two things: neither is its outcome
		return &APIError{Action: op.action, HTTPStatus: status, Message: "the answer is ambiguous: " + boundMessage(env.ambiguous, nil), Attempts: attempt, malformed: true, unknown: write}
	}
	// What the service chose reaches errors and logs bounded: a service
	// that echoes the request must not put its secrets there, nor text
	// without bounds. See boundMessage.
	// The redactor is made only for what needs it: most answers quote
	// nothing. A helper's call fills its slot (withRedactorSlot).
	var red *redactor
	slot, _ := ctx.Value(redactorSlotKey{}).(*redactorSlot)
	if env.TaskID != "" || env.Code != "Success" || env.malformed != "" || slot != nil {
		red = c.redactor(u.RawQuery, body)
	}
	if env.TaskID != "" {
		taskID = boundMessage(env.TaskID, red)
	}
	if env.Code != "Success" {
		// A spent nonce means the service already had this very request: a
		// write may have run.
		return &APIError{Action: op.action, HTTPStatus: status, Code: boundMessage(env.Code, red), Message: boundMessage(env.Message, red),
			TaskID: taskID, Attempts: attempt, retryAfter: retryAfter(resp.Header.Get("Retry-After")),
			unknown: write && outcomeUnknown(status, env.Code)}
	}
	why := env.malformed
	if why == "" {
		if err := finish(env, status); err != nil {
			why = err.Error()
		}
	}
	if why != "" {
		if red == nil {
			red = c.redactor(u.RawQuery, body)
		}
		return &APIError{Action: op.action, HTTPStatus: status, Message: boundMessage(why, red), TaskID: taskID, Attempts: attempt, malformed: true, unknown: write}
	}
	if slot != nil {
		slot.r = red
	}
	return nil
}
