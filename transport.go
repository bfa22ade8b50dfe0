package cdslb

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"time"
)

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

// newRequest is http.NewRequestWithContext for a URL the client has made,
// with the client's header map: it parses no URL and makes no header map
// only to replace them. A body is sent with its length.
//
// The request is sent at most once by net/http: its transports repeat a
// request on a reused or refused connection (HTTP/1.1) or a reset stream
// (HTTP/2) when they can rewind its body, which would send a signed
// request, nonce and all, a second time. A POST has its in-memory body and
// its length but no GetBody; a GET gets an empty body net/http cannot
// rewind, which HTTP/1.1 sends as no body at all. Every repeat is the
// retry policy's, signed afresh. The GET's body is declared identity
// encoded, of unknown length: without that, HTTP/1.1 would probe it for a
// first byte, with a goroutine and a timer per request.
//
// The default transport only reads the header map, as every RoundTripper
// must, so its requests share the client's map; a caller's client gets a
// copy of its own, since its RoundTripper may break that rule and
// roundTrip adds a Referer. The values are shared one-element slices,
// never written: a RoundTripper that adds a value appends to a full slice,
// which copies it.
func (c *Client) newRequest(ctx context.Context, method string, u *url.URL, body []byte) *http.Request {
	r := http.Request{Method: method, URL: u, Host: u.Host, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: c.headers[0], Body: emptyBody{}, TransferEncoding: identity}
	if body != nil {
		r.Header, r.Body, r.ContentLength, r.TransferEncoding = c.headers[1], io.NopCloser(bytes.NewReader(body)), int64(len(body)), nil
	}
	if c.caller != nil {
		r.Header = maps.Clone(r.Header)
	}
	return r.WithContext(ctx)
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
		return nil, fmt.Errorf("%w to %s, which is not the endpoint's host; the answer was refused", errRedirected, boundMessage(u.Scheme+"://"+u.Host, nil))
	}
	return nil, fmt.Errorf("%w to %s %s on the endpoint's host; the answer was refused", errRedirected, got.Method, boundMessage(got.URL.Path, nil))
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
	if hint := c.schemeHint(err); hint != "" {
		err = fmt.Errorf("%w; %s", err, hint)
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w: %w", ctxErr, err)
	}
	return &TransportError{Action: op.action, Method: op.method, URL: c.base.String() + op.path, Attempts: attempt, Err: err, unknown: unknown}
}

// schemeHint says what to do when an https endpoint answered the TLS
// handshake in plain HTTP, as a local fake does when its URL is given
// without http://.
func (c *Client) schemeHint(err error) string {
	var rhe tls.RecordHeaderError
	if c.base.Scheme != "https" || !errors.As(err, &rhe) || !bytes.HasPrefix(rhe.RecordHeader[:], []byte("HTTP/")) {
		return ""
	}
	plain := c.base
	plain.Scheme = "http"
	return "the endpoint speaks plain HTTP; use " + plain.String() + c.endpointNote
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
