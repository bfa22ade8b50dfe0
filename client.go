package cdslb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/time/rate"
)

// Version is the library's version, sent in the User-Agent header.
const Version = "0.5.0"

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
	headers   [2]http.Header // the headers of a GET and of a POST; see newRequest
	retry     RetryPolicy
	logger    *slog.Logger
	observer  Observer // WithObserver's; nil: none
	loc       *time.Location
	maxBody   int64
	sleep     func(context.Context, time.Duration) error // replaced in tests and by WithClock
	now       func() time.Time                           // WithClock's; nil: time.Now

	limiter      *rate.Limiter // WithRateLimit's bucket, shared by every call; nil: no limit
	endpointNote string        // where the endpoint came from, for the scheme hint; see NewClientFromEnv

	// What the client remembers, on its clock (now).
	listenersAt *listenersPlace // where DescribeLBInstanceListeners answered (strategies.go)
	pending     *pendingCreates // creates of unknown outcome, by name (pending.go)
}

// Option configures a Client, for NewClient and NewClientFromEnv: WithEndpoint,
// WithHTTPClient, WithUserAgent, WithRetry, WithRateLimit, WithLogger,
// WithLocation, WithMaxResponseBytes and WithClock. Options are applied in order, so a
// later one wins; an invalid one makes NewClient return an error, and
// nothing else of the client changes after it is made.
type Option func(*Client) error

// RetryPolicy says how often and how patiently a call is repeated. Only
// requests that are safe to repeat are retried, each time signed afresh:
// read-only actions on transport errors, HTTP 429 and 5xx answers,
// InternalError or throttling codes, SignatureNonceUsed and malformed
// answers (ErrMalformedAnswer); actions that change state only when the
// connection was never made. With RetryConflicts, any action is also
// retried when the service refused it as busy, which runs nothing: HTTP
// 409, or ResourceInUse at another 4xx status. An answer to a write whose
// outcome is unknown (ErrOutcomeUnknown: any 5xx whatever its code,
// InternalError or CreateOrderExcept at any status) is never resent.
// UpdateListener, RemoveListener and ApplyListeners start again from their
// read instead of resending their write; see the README's "Retries".
type RetryPolicy struct {
	MaxAttempts    int           // attempts in all, the first included; 1 disables retries
	BaseDelay      time.Duration // the first backoff's upper bound; it doubles each attempt
	MaxDelay       time.Duration // the cap on one backoff, and on a Retry-After the service asks for
	RetryConflicts bool          // also retry a busy refusal (409, or ResourceInUse at a 4xx), for every action
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

		listenersAt: new(listenersPlace),
		pending:     new(pendingCreates),
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
// variable at fault. A call to a host given without a scheme that answers
// the TLS handshake in plain HTTP (a local fake) fails with an error that
// says so: "the endpoint speaks plain HTTP; use http://...". Options given here apply after the environment, so
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
	var fromEnv url.URL
	note := ""
	if host := strings.TrimSpace(os.Getenv("CDS_API_HOST")); host != "" {
		if !strings.Contains(host, "://") {
			host = "https://" + host
			note = " in CDS_API_HOST, where a host without a scheme means https://"
		}
		u, err := parseEndpoint(host)
		if err != nil {
			return nil, fmt.Errorf("cdslb: NewClientFromEnv: CDS_API_HOST: %w", err)
		}
		fromEnv = u
		opts = append([]Option{WithEndpoint(u.String())}, opts...)
	}
	c, err := NewClient(os.Getenv(pair[0]), os.Getenv(pair[1]), opts...)
	if err == nil && c.base == fromEnv {
		c.endpointNote = note
	}
	return c, err
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
//
// A limit of math.MaxInt64, or any above 2^62, means no limit but memory.
func WithMaxResponseBytes(n int64) Option {
	return func(c *Client) error {
		if n < 1 {
			return fmt.Errorf("cdslb: WithMaxResponseBytes: the limit must be positive, got %d", n)
		}
		c.maxBody = min(n, maxResponseBytes)
		return nil
	}
}

// maxResponseBytes is the largest limit WithMaxResponseBytes keeps: far
// beyond any memory, and far enough below math.MaxInt64 that what reading
// adds to the limit cannot overflow.
const maxResponseBytes = 1 << 62

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
