package cdslb

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	qs "github.com/google/go-querystring/query"
	"golang.org/x/time/rate"
)

// Version is the library's version, sent in the User-Agent header.
const Version = "0.4.0"

// The service's regional endpoints, for WithEndpoint.
const (
	EndpointChinaMainland = "https://cdsapi.capitalonline.net"      // the default
	EndpointAsiaPacific   = "https://cdsapi-asia.capitalonline.net" // Asia-Pacific
	EndpointEuropeAmerica = "https://cdsapi-us.capitalonline.net"   // Europe and America
)

// DefaultMaxResponseBytes is the largest answer a client reads unless
// WithMaxResponseBytes says otherwise.
const DefaultMaxResponseBytes = 32 << 20

// Client calls the CDS load-balancer API. Create one with NewClient or
// NewClientFromEnv and share it: a Client is safe for concurrent use by many
// goroutines, and sharing it shares its connections.
type Client struct {
	signer    *Signer
	base      url.URL
	transport *http.Transport // the default transport; nil with WithHTTPClient
	caller    *http.Client    // the caller's client, from WithHTTPClient
	userAgent string
	headers   [2]http.Header // the headers of a GET and of a POST; see requestHeader
	retry     RetryPolicy
	logger    *slog.Logger
	loc       *time.Location
	maxBody   int64
	sleep     func(context.Context, time.Duration) error // replaced in tests

	limiter     *rate.Limiter // WithRateLimit's bucket, shared by every call; nil: no limit
	listenersAt *atomic.Int32 // where DescribeLBInstanceListeners answered: listenersAtLB, listenersAtMonitor or unknown
}

// Option configures a Client, for NewClient and NewClientFromEnv: WithEndpoint,
// WithHTTPClient, WithUserAgent, WithRetry, WithRateLimit, WithLogger,
// WithLocation and WithMaxResponseBytes. Options are applied in order, so a
// later one wins; an invalid one makes NewClient return an error, and
// nothing else of the client changes after it is made.
type Option func(*Client) error

// RetryPolicy says how often and how patiently a call is repeated. Only
// requests that are safe to repeat are retried, each time signed afresh:
// read-only actions on transport errors, HTTP 429 and 5xx answers,
// InternalError or throttling codes, SignatureNonceUsed and malformed
// answers (ErrMalformedAnswer); actions that change state only when the
// connection was never made. With RetryConflicts, any action is also
// retried when the service answers 409 ResourceInUse, which refuses a
// request without running it; UpdateListener and RemoveListener then start
// their edit again from the read instead of resending their write.
type RetryPolicy struct {
	MaxAttempts    int           // attempts in all, the first included; 1 disables retries
	BaseDelay      time.Duration // the first backoff's upper bound; it doubles each attempt
	MaxDelay       time.Duration // the cap on one backoff, and on a Retry-After the service asks for
	RetryConflicts bool          // also retry 409 ResourceInUse, for every action
}

// DefaultRetryPolicy is the policy of a new Client: three attempts with
// capped exponential backoff and full jitter.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 3, BaseDelay: 100 * time.Millisecond, MaxDelay: 5 * time.Second}

// NoRetry sends every request once.
var NoRetry = RetryPolicy{MaxAttempts: 1}

// chinaStandardTime is UTC+8 as a fixed zone, so no tzdata is needed.
var chinaStandardTime = time.FixedZone("CST", 8*60*60)

// NewClient returns a client that signs with the given access key. It
// returns an error, never panics, when a key is empty or an option is invalid.
func NewClient(accessKeyID, accessKeySecret string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(accessKeyID) == "" || strings.TrimSpace(accessKeySecret) == "" {
		return nil, errors.New("cdslb: NewClient: the access key id and secret must not be empty")
	}
	c := &Client{
		signer:    &Signer{AccessKeyID: accessKeyID, AccessKeySecret: accessKeySecret},
		transport: defaultTransport(),
		retry:     DefaultRetryPolicy,
		loc:       chinaStandardTime,
		maxBody:   DefaultMaxResponseBytes,
		sleep:     sleepContext,

		listenersAt: new(atomic.Int32),
	}
	c.userAgent = "cdslb-go/" + Version + " (" + runtime.Version() + "; " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	opts = append([]Option{WithEndpoint(EndpointChinaMainland)}, opts...)
	for i, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("cdslb: NewClient: option %d is nil", i) // the first is the default endpoint
		}
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	ua, accept := []string{c.userAgent}, []string{"application/json"}
	c.headers[0] = http.Header{"User-Agent": ua}
	c.headers[1] = http.Header{"User-Agent": ua, "Content-Type": accept}
	return c, nil
}

// NewClientFromEnv returns a client configured from the environment:
// CDS_SECRET_ID and CDS_SECRET_KEY hold the access key or, when both are
// unset, CDS_ACCESS_KEY_ID and CDS_ACCESS_KEY_SECRET (the names the vendor's
// own controller reads). A key is never made of one variable of each pair:
// when either CDS_SECRET_* variable is set, that pair is used, and an error
// names exactly the variable missing. The optional CDS_API_HOST holds an
// endpoint, as a URL ("http://127.0.0.1:8080") or a host with an optional
// port ("cdsapi-us.capitalonline.net"), which is reached over HTTPS.
// CDS_API_HOST follows WithEndpoint's rules, and an error names the
// variable at fault. Options given here apply after the environment, so
// WithEndpoint overrides CDS_API_HOST.
func NewClientFromEnv(opts ...Option) (*Client, error) {
	pair := [2]string{"CDS_SECRET_ID", "CDS_SECRET_KEY"}
	if envUnset(pair[0]) && envUnset(pair[1]) && !(envUnset("CDS_ACCESS_KEY_ID") && envUnset("CDS_ACCESS_KEY_SECRET")) {
		pair = [2]string{"CDS_ACCESS_KEY_ID", "CDS_ACCESS_KEY_SECRET"}
	}
	switch id, secret := envUnset(pair[0]), envUnset(pair[1]); {
	case id && secret:
		return nil, errors.New("cdslb: NewClientFromEnv: CDS_SECRET_ID and CDS_SECRET_KEY (or CDS_ACCESS_KEY_ID and CDS_ACCESS_KEY_SECRET) are not set")
	case id:
		return nil, fmt.Errorf("cdslb: NewClientFromEnv: %s is not set", pair[0])
	case secret:
		return nil, fmt.Errorf("cdslb: NewClientFromEnv: %s is not set", pair[1])
	}
	if host := strings.TrimSpace(os.Getenv("CDS_API_HOST")); host != "" {
		if !strings.Contains(host, "://") {
			host = "https://" + host
		}
		u, err := parseEndpoint(host)
		if err != nil {
			return nil, fmt.Errorf("cdslb: NewClientFromEnv: CDS_API_HOST: %w", err)
		}
		opts = append([]Option{WithEndpoint(u.String())}, opts...)
	}
	return NewClient(os.Getenv(pair[0]), os.Getenv(pair[1]), opts...)
}

// envUnset reports whether the environment variable is unset or blank.
func envUnset(name string) bool { return strings.TrimSpace(os.Getenv(name)) == "" }

// WithEndpoint sets the base URL of the API: one of the Endpoint constants,
// or any http or https URL, such as a local fake service. A path in the URL
// is kept as a prefix of the API's paths. The URL may not hold a query, a
// fragment or user info.
func WithEndpoint(baseURL string) Option {
	return func(c *Client) error {
		u, err := parseEndpoint(baseURL)
		if err != nil {
			return fmt.Errorf("cdslb: WithEndpoint: %w", err)
		}
		c.base = u
		return nil
	}
}

// parseEndpoint reads a base URL by WithEndpoint's rules. Its errors never
// repeat user info, which may hold a password.
func parseEndpoint(baseURL string) (url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	switch {
	case err == nil && u.User != nil:
		return url.URL{}, errors.New("the URL must not hold user info")
	case strings.Contains(baseURL, "@") && (err != nil || u.Opaque != "" || u.Host == ""):
		return url.URL{}, errors.New("the URL is not an http or https URL without user info") // not quoted: it may hold a password
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "":
		return url.URL{}, fmt.Errorf("%q is not an http or https URL", baseURL)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return url.URL{}, fmt.Errorf("%q has a query or a fragment", baseURL)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return *u, nil
}

// WithHTTPClient makes the client send its requests with hc, which is used
// as given: never replaced, copied or changed. Without it, a client uses its
// own transport with dial (10 s), TLS-handshake (10 s) and response-header
// (60 s) timeouts, and up to 64 connections to the API's host, kept open
// between calls: 64 calls can be in flight at once, and more wait for a
// free connection (or their context). Pass an http.Client to allow more.
// The default never follows redirects: the API does not send them, and
// following one would send the request, body included, where it points.
// With hc, a redirect never re-sends a request's body nor puts the signed
// URL in a Referer header, and an answer to any request but the one the
// library sent (one hc made to follow a redirect, to another URL or with
// another method) is refused with an error that says a redirect happened;
// for an action that changes state it matches ErrOutcomeUnknown. A redirect
// answer itself (HTTP 3xx) is refused too, never taken for success. The
// library cannot stop hc from following a 301, 302 or 303, since it leaves
// hc as it is, so such a client may send a signed request a second time,
// as a GET to where the redirect points. Give hc a CheckRedirect that
// returns http.ErrUseLastResponse to have every request sent exactly once.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("cdslb: WithHTTPClient: the HTTP client is nil")
		}
		c.caller, c.transport = hc, nil
		return nil
	}
}

// WithUserAgent appends product to the library's User-Agent header
// ("cdslb-go/<version> (<go version>; <os>/<arch>)"), to tell the service
// which program is calling.
func WithUserAgent(product string) Option {
	return func(c *Client) error {
		if !utf8.ValidString(product) || strings.ContainsFunc(product, unicode.IsControl) {
			return errors.New("cdslb: WithUserAgent: the user agent must be valid UTF-8 without control characters")
		}
		if product = strings.TrimSpace(product); product != "" {
			c.userAgent += " " + product
		}
		return nil
	}
}

// WithRetry sets the retry policy; NoRetry disables retries. MaxAttempts
// must be at least 1, the delays not negative, and MaxDelay not less than
// BaseDelay (a MaxDelay left at zero would make every wait zero).
func WithRetry(p RetryPolicy) Option {
	return func(c *Client) error {
		if p.MaxAttempts < 1 || p.BaseDelay < 0 || p.MaxDelay < p.BaseDelay {
			return fmt.Errorf("cdslb: WithRetry: MaxAttempts must be at least 1, delays not negative and MaxDelay at least BaseDelay, got %+v", p)
		}
		c.retry = p
		return nil
	}
}

// WithLogger makes the client write a debug record for each attempt:
// action, method, attempt, HTTP status, duration, task id and error. Records
// never hold the signed query, credentials or request bodies. Without a
// logger the client writes nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		c.logger = l
		return nil
	}
}

// WithLocation sets the time zone in which the API's "yyyy-MM-dd HH:mm:ss"
// times are written and read. The default is China Standard Time (UTC+8).
func WithLocation(loc *time.Location) Option {
	return func(c *Client) error {
		if loc == nil {
			return errors.New("cdslb: WithLocation: the location is nil")
		}
		c.loc = loc
		return nil
	}
}

// WithMaxResponseBytes sets the largest answer the client reads; a larger
// one fails the call without being read into memory. The default is
// DefaultMaxResponseBytes (32 MiB). Room for an answer grows with the bytes
// that arrive: an answer that declares its length is given room for all of
// it once an eighth has arrived, so a slow or stalled answer makes the
// client allocate at most eight times what it sent (64 KiB at first), never
// more than this limit; it may also reuse a buffer of up to 1 MiB that an
// earlier answer left.
func WithMaxResponseBytes(n int64) Option {
	return func(c *Client) error {
		if n < 1 {
			return fmt.Errorf("cdslb: WithMaxResponseBytes: the limit must be positive, got %d", n)
		}
		c.maxBody = n
		return nil
	}
}

// maxConnsPerHost bounds the default client's connections to the API host:
// 64 calls can be in flight at once, and more wait for a free connection.
const maxConnsPerHost = 64

// defaultTransport is what a client sends with unless WithHTTPClient says
// otherwise. The client calls its RoundTrip directly: an http.Client would
// add only cookies, an overall timeout the caller's context covers, and
// redirects, which must not be followed (a redirect would carry the body,
// private keys included, and the signed URL elsewhere) and so come back as
// unexpected answers; all at the cost of a copy of every request's headers.
func defaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = 60 * time.Second
	// Go's default keeps 2 idle connections per host, so concurrent callers
	// would open and close a connection for nearly every call. Keeping as
	// many idle as may be open means none is ever closed for want of room;
	// the cap stops bursts from dialling spares while answered connections
	// are on their way back to the pool.
	t.MaxConnsPerHost = maxConnsPerHost
	t.MaxIdleConnsPerHost = maxConnsPerHost
	t.MaxIdleConns = maxConnsPerHost
	return t
}

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
// by go-querystring, inBody a POST with the value as its JSON body, which a
// jsonWriter writes itself.
type form struct {
	method string
	value  any
}

func inQuery(v any) form { return form{http.MethodGet, v} }
func inBody(v any) form  { return form{http.MethodPost, v} }

// jsonWriter is a body that appends its own JSON, with about size bytes.
type jsonWriter interface {
	appendJSON(b []byte) []byte
	size() int
}

func (f form) encode() (url.Values, []byte, error) {
	if f.method == http.MethodGet {
		params, err := qs.Values(f.value)
		return params, nil, err
	}
	if w, ok := f.value.(jsonWriter); ok {
		return nil, w.appendJSON(make([]byte, 0, w.size())), nil
	}
	body, err := json.Marshal(f.value)
	return nil, body, err
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

// blankAt returns the index of the first entry whose id is blank, or -1.
func blankAt[W any](entries []W, id func(*W) string) int {
	for i := range entries {
		if strings.TrimSpace(id(&entries[i])) == "" {
			return i
		}
	}
	return -1
}

// acknowledged is the answer function of actions whose response is the
// envelope alone.
func acknowledged[Req, Resp any](*Req, *none, *time.Location) (*Resp, error) { return new(Resp), nil }

// call runs the action: validate, encode, then send and decode, retrying
// as the policy and the declared effect allow. A nil request is the zero
// request, which validation refuses when the action needs a parameter.
func (a *action[Req, PReq, Data, Resp, PResp]) call(ctx context.Context, c *Client, req *Req) (*Resp, error) {
	resp, _, err := a.run(ctx, c, req, false)
	return resp, err
}

// run is call that also returns the answer's wire form. rereadOnConflict
// marks a write of state read before it: on a 409 it is never resent, even
// with RetryConflicts; its caller reads again.
func (a *action[Req, PReq, Data, Resp, PResp]) run(ctx context.Context, c *Client, req *Req, rereadOnConflict bool) (*Resp, *Data, error) {
	if c == nil || c.signer == nil {
		return nil, nil, fmt.Errorf("cdslb: %s: the Client was not made by NewClient or NewClientFromEnv", a.name)
	}
	if ctx == nil {
		return nil, nil, &ValidationError{Action: a.name, Field: "ctx", Reason: "must not be nil; use context.Background()"}
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
	op := operation{action: a.name, method: f.method, path: a.path, readOnly: a.effect == reads, rereadOnConflict: rereadOnConflict}
	var last error // the previous attempt's
	for attempt := 1; ; attempt++ {
		if err := c.takeToken(ctx, op, attempt); err != nil {
			if last != nil {
				err = fmt.Errorf("%w (stopped waiting to retry: %w)", last, err)
			}
			return nil, nil, err
		}
		data := new(Data)
		var into any = data
		if _, skip := into.(*none); skip {
			into = nil
		}
		var resp *Resp
		err := c.send(ctx, op, params, body, into, func(env envelope) (err error) {
			if resp, err = a.answer(req, data, c.loc); err == nil {
				*PResp(resp).meta() = ResponseMeta{Code: env.Code, Message: env.Message, TaskID: env.TaskID}
			}
			return err
		}, attempt)
		if err == nil {
			return resp, data, nil
		}
		last = err
		delay, again := c.retryDelay(ctx, op, err, attempt)
		if !again {
			return nil, nil, err
		}
		if serr := c.sleep(ctx, delay); serr != nil {
			return nil, nil, fmt.Errorf("%w (stopped waiting to retry: %w)", err, serr)
		}
	}
}

// operation is one attempt's action on the wire.
type operation struct {
	action           string
	method           string // http.MethodGet or http.MethodPost
	path             string // pathLB or pathMonitor
	readOnly         bool   // the declared effect is reads
	rereadOnConflict bool   // see run
}

// send makes one attempt: sign afresh, send, read the answer, decode its
// Data into into (nil: not read) and hand it to finish, whose error says
// why the answer is malformed. An error of an action that changes state matches
// ErrOutcomeUnknown when the service may have carried the change out.
func (c *Client) send(ctx context.Context, op operation, params url.Values, body []byte, into any, finish func(envelope) error, attempt int) (err error) {
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
	unreplayable(req)

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

	buf := answerPool.Get().(*answerBuffer)
	defer func() {
		if buf != nil {
			buf.free()
		}
	}()
	if err := buf.read(resp, c.maxBody); err != nil {
		if errors.Is(err, errTooLarge) { // closed without draining: the rest may be huge, or never come
			return &APIError{Action: op.action, HTTPStatus: status, Message: err.Error(), Attempts: attempt, unknown: write}
		}
		return c.transportError(ctx, op, attempt, err, c.redactor(u.RawQuery, body), write)
	}

	env, ok := decodeEnvelope(buf.Bytes(), into, c.loc)
	if !ok {
		// Not the API's JSON (a gateway's page, a truncated body): say what came.
		return &APIError{Action: op.action, HTTPStatus: status, Message: excerpt(buf.Bytes(), c.redactor(u.RawQuery, body)), Attempts: attempt,
			retryAfter: retryAfter(resp.Header.Get("Retry-After")), unknown: write}
	}
	// Decoding copied out what it keeps: a large answer's bytes can go
	// before its conversion, so that the two are not held at once.
	buf.free()
	buf = nil
	taskID = env.TaskID
	if env.Code != "Success" {
		// A service that echoes the request in its message must not put its
		// secrets into error strings and logs, nor a message without bounds.
		// A spent nonce means the service already had this very request: a
		// write may have run.
		return &APIError{Action: op.action, HTTPStatus: status, Code: env.Code, Message: boundMessage(env.Message, c.redactor(u.RawQuery, body)),
			TaskID: env.TaskID, Attempts: attempt, retryAfter: retryAfter(resp.Header.Get("Retry-After")),
			unknown: write && (status >= 500 || env.Code == codeNonceUsed)}
	}
	why := env.malformed
	if why == "" {
		if err := finish(env); err != nil {
			why = err.Error()
		}
	}
	if why != "" {
		return &APIError{Action: op.action, HTTPStatus: status, Message: why, TaskID: env.TaskID, Attempts: attempt, malformed: true, unknown: write}
	}
	return nil
}

// newRequest is http.NewRequestWithContext for a URL the client has made,
// with the client's header map: it parses no URL and makes no header map
// only to replace them. A body is sent with its length.
func (c *Client) newRequest(ctx context.Context, method string, u *url.URL, body []byte) *http.Request {
	r := http.Request{Method: method, URL: u, Host: u.Host, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: c.requestHeader(body != nil)}
	if body != nil {
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	}
	return r.WithContext(ctx)
}

// unreplayable makes sure net/http sends req at most once: its transports
// repeat a request on a reused or refused connection (HTTP/1.1) or a reset
// stream (HTTP/2) when they can rewind its body, which would send a signed
// request, nonce and all, a second time. A POST keeps its in-memory body
// and its length but loses GetBody; a GET gets an empty body net/http
// cannot rewind, which HTTP/1.1 sends as no body at all. Every repeat is
// the retry policy's, signed afresh. The GET's body is declared identity
// encoded, of unknown length: without that, HTTP/1.1 would probe it for a
// first byte, with a goroutine and a timer per request.
func unreplayable(req *http.Request) {
	if req.Body == nil {
		req.Body = emptyBody{}
		req.TransferEncoding = identity
	}
	req.GetBody = nil
}

// identity is a request's TransferEncoding that asks for none; net/http
// only reads it.
var identity = []string{"identity"}

// emptyBody is an empty request body that cannot be rewound.
type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error) { return 0, io.EOF }
func (emptyBody) Close() error             { return nil }

// WriteTo writes nothing. net/http copies a body of unknown length with
// io.Copy, which without it would allocate a 32 KB buffer per request.
func (emptyBody) WriteTo(io.Writer) (int64, error) { return 0, nil }

// decodeEnvelope decodes an answer: the envelope, and its Data straight into
// out in the same pass. ok is false when the body is not the API's JSON. A
// field of the wrong type is left empty instead of failing; a Data of the
// wrong shape, which shows as such a field, or a null where an object is
// due, which decodes without an error, is recorded in env.malformed by a
// second pass, taken only when the body has a type error or may have a
// null entry.
func decodeEnvelope(body []byte, into any, loc *time.Location) (env envelope, ok bool) {
	if l, streams := into.(entryStream); streams {
		if len(body) > streamFrom {
			if env, ok := decodeEntries(body, l, loc); ok {
				return env, true
			}
		}
		into = l.exact()
	}
	env.Data = into
	if into == nil {
		env.Data = &skip{}
	}
	err := json.Unmarshal(body, &env)
	var typeErr *json.UnmarshalTypeError
	if into != nil && (errors.As(err, &typeErr) || err == nil && nullEntry(body)) {
		shaped := struct{ Data dataField }{dataField{into: into}}
		reflect.ValueOf(into).Elem().SetZero() // decoded afresh, as if for the first time
		_ = json.Unmarshal(body, &shaped)
		env.malformed = shaped.Data.malformed
	}
	// Data given twice, a null and another either way round: which one is
	// meant is unknown. A null last leaves env.Data nil and into as the
	// other left it.
	if into != nil && (env.Data != nil && env.Data != into || env.Data == nil && !reflect.ValueOf(into).Elem().IsZero()) {
		env.malformed = cmp.Or(env.malformed, "Data is given twice")
	}
	return env, (err == nil || errors.As(err, &typeErr)) && env.Code != ""
}

// entryStream is a list Data that can be read an entry at a time, each
// entry converted as soon as it is read, so that a large answer's wire
// structs are never all held at once beside its body and its result. It is
// the fast path for well-formed answers only: it gives up on anything else,
// and the answer is then decoded whole into exact(), as any other Data.
type entryStream interface {
	// decodeList reads the list, or a null, from dec and says whether every
	// entry was well formed; body is the whole answer, for sizing.
	decodeList(dec *json.Decoder, body []byte, loc *time.Location) bool
	// exact forgets what decodeList read and returns where the answer's
	// Data is decoded whole.
	exact() any
}

// streamFrom is the size past which an entryStream answer is read an entry
// at a time: a smaller one costs little held whole, and less time so.
const streamFrom = 64 << 10

// decodeEntries decodes an answer whose Data is an entryStream, in one pass
// over the body. ok is false, and the answer must be decoded whole, unless
// the body is one object holding at most once each of Code, Message and
// TaskId (strings) and Data (read by l), and no other member.
func decodeEntries(body []byte, l entryStream, loc *time.Location) (env envelope, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return env, false
	}
	var seen [4]bool
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return env, false
		}
		key, _ := t.(string)
		i := slices.IndexFunc(envelopeKeys[:], func(k string) bool { return strings.EqualFold(k, key) })
		if i < 0 || seen[i] {
			return env, false
		}
		seen[i] = true
		switch i {
		case 0:
			err = dec.Decode(&env.Code)
		case 1:
			err = dec.Decode(&env.Message)
		case 2:
			err = dec.Decode(&env.TaskID)
		case 3:
			if !l.decodeList(dec, body, loc) {
				return env, false
			}
		}
		if err != nil {
			return env, false
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return env, false
	}
	if _, err := dec.Token(); err != io.EOF { // nothing may follow
		return env, false
	}
	return env, env.Code != ""
}

// envelopeKeys are the members of an envelope, as decodeEntries numbers them.
var envelopeKeys = [4]string{"Code", "Message", "TaskId", "Data"}

// envelope is the JSON every answer is wrapped in. Data is decoded straight
// into the response, in the same pass as the envelope.
type envelope struct {
	Code    string
	Message string
	TaskID  string `json:"TaskId"`
	Data    any

	malformed string // why Data cannot be read as documented; empty when it can
}

// skip receives a Data that holds nothing of use.
type skip struct{}

// dataField decodes an answer's Data into a response and records whether
// it has the shape the action documents: a list where a list is due (null
// and absent mean an empty one), an object where an object is due, in an
// object, lists where lists are due, and in a list of objects, at any
// depth, objects alone. A wrong field deeper down is left empty, as
// elsewhere.
type dataField struct {
	into      any    // where Data is decoded; nil to skip it
	malformed string // why Data cannot be read as documented; empty when it can
}

// UnmarshalJSON decodes Data into d.into. It never fails the envelope.
func (d *dataField) UnmarshalJSON(b []byte) error {
	if d.into == nil || string(b) == "null" {
		return nil
	}
	list := reflect.TypeOf(d.into).Elem().Kind() == reflect.Slice
	want, due := byte('{'), "an object"
	if list {
		want, due = '[', "a list"
	}
	if b[0] != want {
		d.malformed = "Data is " + jsonKind(b[0]) + " where " + due + " is due"
		return nil
	}
	err := json.Unmarshal(b, d.into)
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		if !list && typeErr.Type.Kind() == reflect.Slice && typeErr.Field != "" && !strings.Contains(typeErr.Field, ".") {
			d.malformed = "Data." + typeErr.Field + " is " + typeErr.Value + " where a list is due"
		}
	case err != nil:
		d.malformed = "Data cannot be read: " + err.Error()
	}
	// An entry that is not an object decodes as an empty one: without an
	// error when it is null, with a type error otherwise.
	if d.malformed == "" && (err != nil || nullEntry(b)) {
		d.malformed = notObject(b, reflect.TypeOf(d.into).Elem(), "Data")
	}
	return nil
}

// nullEntry reports whether b may hold a null entry of a list: a null
// after a '[' or a ','. A null field value follows a ':'.
func nullEntry(b []byte) bool {
	for i := bytes.Index(b, []byte("null")); i >= 0; {
		if before := bytes.TrimRight(b[:i], " \t\r\n"); len(before) > 0 && (before[len(before)-1] == '[' || before[len(before)-1] == ',') {
			return true
		}
		j := bytes.Index(b[i+4:], []byte("null"))
		if j < 0 {
			return false
		}
		i += 4 + j
	}
	return false
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// notObject walks b, read as a value of type t, and says where a list of
// objects holds something else, such as null; it is empty when none does.
// Values of types that read themselves (json.Unmarshaler) are theirs to judge.
func notObject(b []byte, t reflect.Type, path string) string {
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return ""
	}
	switch t.Kind() {
	case reflect.Slice:
		var entries []json.RawMessage
		if t.Elem().Kind() != reflect.Struct || json.Unmarshal(b, &entries) != nil {
			return ""
		}
		for i, e := range entries {
			at := fmt.Sprintf("%s[%d]", path, i)
			if e[0] != '{' {
				return at + " is " + jsonKind(e[0]) + " where an object is due"
			}
			if why := notObject(e, t.Elem(), at); why != "" {
				return why
			}
		}
	case reflect.Struct:
		var fields map[string]json.RawMessage
		if json.Unmarshal(b, &fields) != nil {
			return ""
		}
		for _, f := range reflect.VisibleFields(t) {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" {
				name = f.Name
			}
			if !f.IsExported() || f.Anonymous || name == "-" {
				continue
			}
			for key, v := range fields { // matched as encoding/json does, whatever the case
				if strings.EqualFold(key, name) {
					if why := notObject(v, f.Type, path+"."+key); why != "" {
						return why
					}
				}
			}
		}
	}
	return ""
}

// jsonKind names the kind of JSON value that starts with c.
func jsonKind(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// requestHeader returns the header map for one request. The default
// transport only reads it, as every RoundTripper must, so its requests
// share the client's map; a caller's client gets a copy of its own, since
// its RoundTripper may break that rule and roundTrip adds a Referer. The
// values are shared one-element slices, never written: a RoundTripper that
// adds a value appends to a full slice, which copies it.
func (c *Client) requestHeader(post bool) http.Header {
	h := c.headers[0]
	if post {
		h = c.headers[1]
	}
	if c.caller != nil {
		return maps.Clone(h)
	}
	return h
}

var errTooLarge = errors.New("the answer is larger than the client's limit (WithMaxResponseBytes)")

// initialAnswerBytes caps what an answer's Content-Length makes the client
// allocate before the bytes arrive, so that stalled answers that declare
// much cost little memory.
const initialAnswerBytes = 64 << 10

// answerBuffer is a reusable buffer an answer is read into. Decoding copies
// out everything it keeps, so it is free again once decoded.
type answerBuffer struct {
	b []byte
}

var answerPool = sync.Pool{New: func() any { return new(answerBuffer) }}

// Bytes returns the answer read.
func (a *answerBuffer) Bytes() []byte { return a.b }

// read reads the whole answer, which is what lets the connection be reused,
// into a buffer that grows with the bytes received, refusing one over max
// bytes before reading it when its length is declared, and at max bytes
// otherwise; an oversized answer is not drained, and its connection is
// closed. A declared length is a promise, not bytes: the buffer doubles as
// they arrive, but never past the declared length (plus one byte to see the
// end), so that a large answer is held once, not in a buffer up to twice
// its size; once an eighth of the promise has arrived, the buffer takes the
// declared length at once, so that the copy that fills it is small.
func (a *answerBuffer) read(resp *http.Response, max int64) error {
	if resp.ContentLength > max {
		return errTooLarge
	}
	b := a.b[:0]
	for {
		if len(b) == cap(b) {
			b = grow(b, resp.ContentLength, max)
		}
		n, err := resp.Body.Read(b[len(b):min(int64(cap(b)), max+1)]) // a pooled buffer may be larger than max
		b = b[:len(b)+n]
		if int64(len(b)) > max {
			a.b = b
			return errTooLarge
		}
		if err != nil {
			a.b = b
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// grow returns b with room for more of an answer of declared length n (-1
// when unknown) and limit max; see read.
func grow(b []byte, n, max int64) []byte {
	c := int64(2 * cap(b))
	switch {
	case cap(b) == 0:
		c = initialAnswerBytes
		if n >= 0 {
			c = min(n+1, initialAnswerBytes) // the first bytes must arrive before a declared length is trusted
		}
	case n >= 0 && int64(len(b)) <= n:
		if 8*int64(len(b)) >= n {
			c = n + 1
		}
		c = min(c, n+1)
	}
	return append(make([]byte, 0, min(c, max+1)), b...)
}

func (a *answerBuffer) free() {
	if cap(a.b) > 1<<20 { // keep the pool from pinning huge answers
		a.b = nil
		return
	}
	a.b = a.b[:0]
	answerPool.Put(a)
}

// roundTrip sends one request on the caller's client, or on the default
// transport directly.
func (c *Client) roundTrip(req *http.Request) (*http.Response, error) {
	if c.caller == nil {
		return c.transport.RoundTrip(req)
	}
	// The caller's client may follow redirects. Without GetBody it cannot
	// re-send a body (a 307 or 308 comes back as the answer), and with an
	// explicit Referer it does not send the signed URL to the target.
	req.GetBody = nil
	req.Header["Referer"] = []string{c.base.String()}
	resp, err := c.caller.Do(req)
	if err != nil || resp.Request == nil {
		return resp, err
	}
	// An answer to any request but the one sent (one the client made to
	// follow a redirect, to another URL or with another method) is not
	// the service's answer to this call.
	got := resp.Request
	if got.Response == nil && got.Method == req.Method && *got.URL == *req.URL {
		return resp, nil
	}
	resp.Body.Close()
	if u := got.URL; u.Host != c.base.Host || u.Scheme != c.base.Scheme {
		return nil, fmt.Errorf("%w to %s://%s, which is not the endpoint's host; the answer was refused", errRedirected, u.Scheme, u.Host)
	}
	return nil, fmt.Errorf("%w to %s %s on the endpoint's host; the answer was refused", errRedirected, got.Method, got.URL.Path)
}

var errRedirected = errors.New("the request was redirected")

// CloseIdleConnections closes the client's connections that are idle now,
// which otherwise stay open, with a goroutine each, for up to 90 seconds
// after their last call: call it when done with a client made for one job.
// A client made WithHTTPClient closes that client's idle connections, when
// its transport supports that. Later calls open new connections. A nil or
// zero Client does nothing.
func (c *Client) CloseIdleConnections() {
	switch {
	case c == nil:
	case c.transport != nil:
		c.transport.CloseIdleConnections()
	case c.caller != nil:
		c.caller.CloseIdleConnections()
	}
}

// transportError wraps a failure to get an answer, without the signed URL
// that net/http puts in its errors. A caller's transport may put the URL
// in an error of its own type: that text is redacted, with the cause still
// reachable by errors.Is and As. unknown says the request may have reached
// the service and changed something.
func (c *Client) transportError(ctx context.Context, op operation, attempt int, err error, red *redactor, unknown bool) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	err = red.redactError(err)
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w: %w", ctxErr, err)
	}
	return &TransportError{Action: op.action, Method: op.method, URL: c.base.String() + op.path, Attempts: attempt, Err: err, unknown: unknown}
}

// writeTrace records, through httptrace, how far one attempt of an action
// that changes state got. Reads go without it.
type writeTrace struct {
	getConn, gotConn atomic.Bool
}

func (t *writeTrace) hooks() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GetConn: func(string) { t.getConn.Store(true) },
		GotConn: func(httptrace.GotConnInfo) { t.gotConn.Store(true) },
	}
}

// neverWritten reports whether the trace proves that no byte of the
// request reached a connection: the transport began to get one (GetConn)
// and had none for this request (no GotConn) when RoundTrip returned, as
// after a failed dial or TLS handshake, or a context that ended while the
// request waited for a free connection. net/http fires both hooks on the
// goroutine that returns from RoundTrip (HTTP/1.1 and HTTP/2 alike), and
// writes nothing before GotConn. WroteHeaders is no such proof: HTTP/1.1
// fires it on the connection's writing goroutine, which may still be
// writing when RoundTrip returns, and HTTP/2 fires it even when the write
// failed. A transport that fires no hooks (a caller's RoundTripper, such
// as httpmock's) proves nothing, so the outcome stays unknown.
func (t *writeTrace) neverWritten() bool {
	return t != nil && t.getConn.Load() && !t.gotConn.Load()
}

// neverConnected reports whether err proves the request never left: the
// connection could not be made, so nothing reached the service.
func neverConnected(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

func (c *Client) logAttempt(ctx context.Context, op operation, attempt, status int, d time.Duration, taskID string, err error) {
	attrs := []slog.Attr{
		slog.String("action", op.action), slog.String("method", op.method),
		slog.Int("attempt", attempt), slog.Int("status", status), slog.Duration("duration", d),
	}
	if taskID != "" {
		attrs = append(attrs, slog.String("task_id", taskID))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "cdslb call", attrs...)
}

// String describes the client by endpoint and access key id, never the secret.
// It and the other printing methods have value receivers, so that a copy of
// a Client prints the same way.
func (c Client) String() string {
	return "cdslb.Client{Endpoint: " + c.base.String() + ", AccessKeyID: " + c.accessKeyID() + ", AccessKeySecret: " + redacted + "}"
}

func (c Client) accessKeyID() string {
	if c.signer == nil { // a zero Client
		return ""
	}
	return c.signer.AccessKeyID
}

// GoString is String, so that %#v does not reveal the secret either.
func (c Client) GoString() string { return c.String() }

// Format prints String for every verb.
func (c Client) Format(f fmt.State, _ rune) {
	if f != nil {
		_, _ = io.WriteString(f, c.String())
	}
}

// LogValue records the endpoint and access key id only.
func (c Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("endpoint", c.base.String()), slog.String("access_key_id", c.accessKeyID()))
}
