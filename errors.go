package cdslb

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sentinel errors for the API's documented failure codes. An *APIError
// matches the sentinel of its Code, so callers write
//
//	if errors.Is(err, cdslb.ErrResourceNotFound) { ... }
var (
	ErrArgMissing           = errors.New("cdslb: ArgMissing: a required parameter is missing")
	ErrInvalidParameter     = errors.New("cdslb: InvalidParameter: a parameter is invalid")
	ErrBadArgs              = errors.New("cdslb: BadArgs: the arguments are invalid")
	ErrUnsupportedOperation = errors.New("cdslb: UnsupportedOperation: the operation is not supported")
	ErrResourceNotFound     = errors.New("cdslb: ResourceNotFound: the resource does not exist")
	ErrResourceInUse        = errors.New("cdslb: ResourceInUse: the resource is busy with another task")
	ErrInternalError        = errors.New("cdslb: InternalError: the service failed")
	ErrCreateOrderExcept    = errors.New("cdslb: CreateOrderExcept: the order could not be created")
)

// ErrAuthFailure is matched by an *APIError whose code says the service
// did not accept the request's signature: InvalidAccessKeyId,
// SignatureDoesNotMatch or RequestExpired. Retrying does not help: check the
// access key pair (the CDS_SECRET_* or CDS_ACCESS_KEY_* variables, for
// NewClientFromEnv) and the clock, as every request is signed with the time.
var ErrAuthFailure = errors.New("cdslb: authentication failed: check the access key pair, the CDS_SECRET_* variables, or the clock")

// authHint ends the message of an error that matches ErrAuthFailure.
const authHint = "; check the access key pair, the CDS_SECRET_* variables, or the clock"

// ErrInvalidRequest is matched by every *ValidationError: the request was
// refused by the library before anything was sent.
var ErrInvalidRequest = errors.New("cdslb: invalid request")

// ErrOutcomeUnknown is matched by the error of an action that changes state
// when the service may have carried the change out: no answer came after
// the request may have been written, the answer was not the API's JSON, an
// HTTP 5xx whatever its code, InternalError or CreateOrderExcept at any
// HTTP status, SignatureNonceUsed (the service had already received this
// exact request), or a Success the library could not read (ErrMalformedAnswer).
// Such a request is never sent again by the library. Find out what happened
// before sending it again: list the instances, listeners or certificates
// (by name, for a CreateLoadBalancer), or wait on the TaskID the error
// keeps when the answer had one. It never matches the error of a read-only
// action, nor of a request refused before sending or that provably never
// left (a failed dial or TLS handshake, a context that ended while the
// request waited for a free connection).
var ErrOutcomeUnknown = errors.New("cdslb: the outcome is unknown: the service may have carried out the change")

// ErrMalformedAnswer is matched by the error of an answer whose Code is
// "Success" but whose Data cannot be read as the action documents: a string
// or an object where a list is due, an entry of a list of objects that is
// not an object (null included), or a value the library must act on
// missing (CreateLoadBalancer's ids, a listed load balancer's InstanceUuid
// or Status, a zone's RegionId, a certificate's CertificateId, a listener
// summary's ListenerName). Read-only actions are retried on it like on a 5xx; for an
// action that changes state it also matches ErrOutcomeUnknown.
var ErrMalformedAnswer = errors.New("cdslb: malformed answer: Success, but its Data cannot be read as documented")

// outcomeUnknownNote ends the message of an error that matches ErrOutcomeUnknown.
const outcomeUnknownNote = "; the outcome is unknown: the service may have carried out the change"

var codeSentinels = map[string]error{
	"ArgMissing":            ErrArgMissing,
	"InvalidParameter":      ErrInvalidParameter,
	"BadArgs":               ErrBadArgs,
	"UnsupportedOperation":  ErrUnsupportedOperation,
	"ResourceNotFound":      ErrResourceNotFound,
	codeResourceInUse:       ErrResourceInUse,
	"InternalError":         ErrInternalError,
	"CreateOrderExcept":     ErrCreateOrderExcept,
	"InvalidAccessKeyId":    ErrAuthFailure,
	"SignatureDoesNotMatch": ErrAuthFailure,
	"RequestExpired":        ErrAuthFailure,
}

// APIError is an answer from the service that is not a success: a JSON
// envelope whose Code is not "Success", or an answer that is not the API's
// JSON at all (such as a gateway's HTML error page), in which case Code is
// empty and Message is a short excerpt of the body. Code, Message and
// TaskID hold what the service sent, bounded as every string it chooses
// is before an error shows it: the request's secrets cut out, control
// characters escaped, at most 300 bytes. A well-formed code or task id is
// unchanged.
type APIError struct {
	Action     string // the action called, such as "CreateLoadBalancer"
	HTTPStatus int    // the HTTP status of the answer
	Code       string // the API's code, such as "ResourceNotFound"; empty for a non-JSON answer
	Message    string // the API's message, or an excerpt of a non-JSON body
	TaskID     string // the task id, when the service gave one
	Attempts   int    // how many times the request was sent, retries included

	retryAfter time.Duration // the answer's Retry-After, if any
	malformed  bool          // a Success whose Data cannot be read: matches ErrMalformedAnswer
	unknown    bool          // a write the service may have carried out: matches ErrOutcomeUnknown
}

// Error describes the failure; it never contains credentials or signatures.
// The service's text is bounded again here, for an APIError made elsewhere.
func (e *APIError) Error() string {
	if e == nil {
		return "cdslb: <nil APIError>"
	}
	var b strings.Builder
	b.WriteString("cdslb: ")
	b.WriteString(e.Action)
	b.WriteString(": ")
	switch {
	case e.malformed:
		b.WriteString("malformed answer (HTTP ")
		b.WriteString(strconv.Itoa(e.HTTPStatus))
		b.WriteString(")")
	case e.Code != "":
		b.WriteString(boundMessage(e.Code, nil))
		b.WriteString(" (HTTP ")
		b.WriteString(strconv.Itoa(e.HTTPStatus))
		b.WriteString(")")
	case e.Message != "": // an excerpt, which says itself what kind of answer it was
		b.WriteString("HTTP ")
		b.WriteString(strconv.Itoa(e.HTTPStatus))
	default:
		b.WriteString("unexpected answer (HTTP ")
		b.WriteString(strconv.Itoa(e.HTTPStatus))
		b.WriteString(")")
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(boundMessage(e.Message, nil))
	}
	if e.TaskID != "" {
		b.WriteString(" [task ")
		b.WriteString(boundMessage(e.TaskID, nil))
		b.WriteString("]")
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if codeSentinels[e.Code] == ErrAuthFailure {
		b.WriteString(authHint)
	}
	if e.unknown {
		if e.Code == codeNonceUsed {
			b.WriteString("; the service had already received this exact request")
		}
		b.WriteString(outcomeUnknownNote)
	}
	return b.String()
}

// Is reports whether target is the sentinel error of e's Code, or
// ErrMalformedAnswer or ErrOutcomeUnknown when they apply.
func (e *APIError) Is(target error) bool {
	if e == nil {
		return false
	}
	switch target {
	case ErrMalformedAnswer:
		return e.malformed
	case ErrOutcomeUnknown:
		return e.unknown
	}
	s, ok := codeSentinels[e.Code]
	return ok && s == target
}

// ValidationError is a request the library refused before sending it. It
// matches ErrInvalidRequest. A request that breaks several rules gets one
// ValidationError: Field and Reason are the first problem, More holds the
// others in order, and the message lists them all.
type ValidationError struct {
	Action string // the action, such as "CreateLoadBalancer"
	Field  string // the field's path in the request, such as "HTTPListeners[1].BackendServers[0].Weight"
	Reason string // the rule it breaks, such as "must be between 1 and 256"
	// More are the request's further problems, each with its own Field and
	// Reason (and no More of its own); nil when there is one problem.
	More []*ValidationError
}

// Error names the action, then each field with the rule it breaks.
func (e *ValidationError) Error() string {
	if e == nil {
		return "cdslb: <nil ValidationError>"
	}
	var b strings.Builder
	b.WriteString("cdslb: " + e.Action + ": invalid request: ")
	e.writeProblem(&b)
	for _, p := range e.More {
		if p != nil {
			b.WriteString("; ")
			p.writeProblem(&b)
		}
	}
	return b.String()
}

func (e *ValidationError) writeProblem(b *strings.Builder) {
	if e.Field != "" {
		b.WriteString(e.Field + " ")
	}
	b.WriteString(e.Reason)
}

// Is reports whether target is ErrInvalidRequest.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidRequest }

// invalid returns a *ValidationError for field; the action is filled in by the caller's path.
// A text argument is bounded as what a service chooses is: a set read from
// the service is checked before it is written back.
func invalid(field, format string, args ...any) *ValidationError {
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = boundUnquoted(s, nil)
		}
	}
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// excerptLen caps how much of an unexpected body an error repeats.
const excerptLen = 200

// The patterns of excerpt and redact are compiled on first use, so that
// loading the package costs nothing.
var (
	htmlTag    = lazyRegexp(`<[^>]*>`)
	htmlHidden = lazyRegexp(`(?is)<(head|script|style)\b.*?</(?:head|script|style)\s*>`)
	htmlTitle  = lazyRegexp(`(?is)<title[^>]*>(.*?)</title\s*>`)
	space      = lazyRegexp(`\s+`)
	// a secret named in a query, its = raw, percent-encoded, JSON- or HTML-escaped
	signedPart = lazyRegexp(`(?i)(Signature|AccessKeySecret|SecretKey)(=|%(?:25){0,2}3D|\\u003D|&#0*61;|&#x0*3D;|&equals;)[^&\s"'<>\\]*`)
)

// lazyRegexp returns a function that compiles pattern on its first call.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}

// excerpt makes a short, one-line, printable summary of a body that is not
// the API's JSON, such as a gateway's HTML page: its text without tags, the
// page's title only when the text does not repeat it, and none of the
// request's secrets (see redactor).
func excerpt(body []byte, r *redactor) string {
	body = body[:min(len(body), maxRedactInput)]
	s := r.redactPrefix(strings.ToValidUTF8(string(body), ""), 4*excerptLen) // valid first: a dropped byte must not join a secret
	s = strings.ToValidUTF8(s, "")                                           // a secret that was not whole characters leaves parts of one
	if len(s) > 4*excerptLen {
		s = strings.ToValidUTF8(s[:4*excerptLen], "") // the cut may split a character
	}
	title := ""
	if m := htmlTitle().FindStringSubmatch(s); m != nil {
		title = oneLine(m[1])
	}
	s = oneLine(htmlHidden().ReplaceAllString(s, " "))
	if title != "" && !strings.Contains(s, title) {
		s = strings.TrimSpace(title + " " + s)
	}
	s = truncate(escapeUnprintable(s), excerptLen+len("..."))
	if s == "" {
		return "empty answer"
	}
	return "unexpected answer: " + s
}

// oneLine is the text of an HTML fragment: tags out, each run of space one space.
func oneLine(s string) string {
	return strings.TrimSpace(space().ReplaceAllString(htmlTag().ReplaceAllString(s, " "), " "))
}

// ErrWaitFailed is matched by the error of a waiter that saw the instance
// in a state from which it cannot reach the goal: a status containing
// "ERROR" or "FAIL", such as "CREATE_FAILED".
var ErrWaitFailed = errors.New("cdslb: the load balancer is in a failed state")

// WaitError is every error a waiter returns. Err is the cause, so errors.Is
// sees through it:
//   - ErrWaitFailed: the instance reached a failed status (Status says which);
//   - ErrResourceNotFound: the instance stayed missing from the list for
//     longer than the not-found grace (WithNotFoundGrace);
//   - context.DeadlineExceeded or context.Canceled: the context ended first;
//   - an *APIError or *ValidationError: a poll failed in a way that polling
//     again cannot fix (such as InvalidParameter or an authentication
//     error), or a transient failure (5xx, 429, transport, a malformed
//     answer) lasted over a minute;
//   - the error the caller's done function returned.
type WaitError struct {
	InstanceUUID string // the instance waited for
	Status       string // the last status seen, bounded as APIError's Code is; empty if it was never listed
	Err          error  // the cause
}

// Error names the instance, the last status seen and the cause.
func (e *WaitError) Error() string {
	if e == nil {
		return "cdslb: <nil WaitError>"
	}
	s := "cdslb: waiting for load balancer " + e.InstanceUUID
	if e.Status != "" {
		s += " (last status " + boundMessage(e.Status, nil) + ")"
	}
	if e.Err == nil {
		return s
	}
	return s + ": " + strings.TrimPrefix(e.Err.Error(), "cdslb: ") // said once, at the start
}

// GoString is what %#v prints: the fields, with the cause as its text.
func (e WaitError) GoString() string {
	return fmt.Sprintf("&cdslb.WaitError{InstanceUUID:%q, Status:%q, Err:%s}", e.InstanceUUID, boundMessage(e.Status, nil), goStringOf(e.Err))
}

// Unwrap returns the cause.
func (e *WaitError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// TransportError is a call that got no answer from the service: the
// connection failed, the context ended or the answer could not be read. It
// wraps the cause, so errors.Is(err, context.DeadlineExceeded) and
// errors.As(err, new(*net.OpError)) work. For an action that changes state
// it also matches ErrOutcomeUnknown unless the request never left.
type TransportError struct {
	Action   string // the action called
	Method   string // the HTTP method
	URL      string // the URL without its signed query
	Attempts int    // how many times the request was sent
	Err      error  // the cause

	unknown bool // the request may have reached the service and changed something
}

// Error names the action, the URL without its query, the cause and the
// attempts, and says when the outcome is unknown.
func (e *TransportError) Error() string {
	if e == nil {
		return "cdslb: <nil TransportError>"
	}
	cause := "<nil>"
	if e.Err != nil {
		cause = boundText(e.Err.Error(), nil, maxErrorLen) // a transport's text may quote an answer
	}
	s := fmt.Sprintf("cdslb: %s: %s %s: %s (attempts: %d)", e.Action, e.Method, e.URL, cause, e.Attempts)
	if e.unknown {
		s += outcomeUnknownNote
	}
	return s
}

// GoString is what %#v prints: the fields, with the cause as its text.
// The cause's own fields are not shown, since a caller's transport may
// keep the signed URL in them; its text is redacted (see Unwrap).
func (e TransportError) GoString() string {
	return fmt.Sprintf("&cdslb.TransportError{Action:%q, Method:%q, URL:%q, Attempts:%d, Err:%s}", e.Action, e.Method, e.URL, e.Attempts, goStringOf(e.Err))
}

// goStringOf shows an error in Go syntax by its text alone.
func goStringOf(err error) string {
	if err == nil {
		return "error(nil)"
	}
	return "errors.New(" + strconv.Quote(err.Error()) + ")"
}

// Unwrap returns the cause. When the cause is a caller's transport error
// whose text or fields hold a secret (the signed URL), the cause returned
// is a redacting stand-in: it prints redacted under every verb and has no
// Unwrap of its own, so no chain of Unwrap calls reaches the unredacted
// error, while its Is and As look into it, so that errors.Is and
// errors.As match the transport's error and what it wraps. errors.As into
// that error's own type gives it as the transport made it.
func (e *TransportError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// Is reports whether target is ErrOutcomeUnknown and the request may have
// changed something.
func (e *TransportError) Is(target error) bool {
	return e != nil && e.unknown && target == ErrOutcomeUnknown
}

// ErrListenerNotFound is matched by the error of UpdateListener and
// RemoveListener when the instance has no listener of the name given.
// Nothing was changed.
var ErrListenerNotFound = errors.New("cdslb: no listener of that name")

// ErrListenersChanged is matched by the error of UpdateListener and
// RemoveListener when the instance's listeners changed while the edit was
// being made, and of ApplyListeners when they changed since the plan was
// made: someone else changed them, and writing would have undone their
// change. Nothing was changed; read the listeners (or plan) again and retry.
var ErrListenersChanged = errors.New("cdslb: the listeners changed during the edit")

// ErrListenersUnreadable is matched by the error of UpdateListener,
// RemoveListener, PlanListeners and ApplyListeners when the service listed a listener this library cannot
// read exactly: a value it could not read or read only approximately (a
// timeout in an unknown unit, a list that came as something else, a null
// listener), a field it does not model, or a list of listeners it does not
// know. Writing the set back would change or delete them, so nothing was
// sent; the error names the listener and field.
// Change such a set with ModifyLoadBalancerStrategys, knowing what it sends.
var ErrListenersUnreadable = errors.New("cdslb: a listener cannot be read exactly, so the set cannot be written back")

// ErrAmbiguousName is matched by the error of EnsureLoadBalancer and
// EnsureCertificate when the name does not point at one resource they can
// use: more than one resource has it, or the one that has it differs from
// the request (a certificate other than the one given). Nothing was
// created; rename or delete the extra resources, or choose another name.
var ErrAmbiguousName = errors.New("cdslb: the name does not identify one resource matching the request")

// codeNonceUsed is the service's answer to a signature nonce it has seen:
// it received this exact request before.
const codeNonceUsed = "SignatureNonceUsed"

// codeResourceInUse is the service's refusal of a change to a busy
// instance: nothing was run.
const codeResourceInUse = "ResourceInUse"
