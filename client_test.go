package cdslb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewClientRefusesBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		id, secret string
		opts       []Option
	}{
		{"no id", "", testSecret, nil},
		{"blank secret", testKeyID, "  ", nil},
		{"nil HTTP client", testKeyID, testSecret, []Option{WithHTTPClient(nil)}},
		{"endpoint without scheme", testKeyID, testSecret, []Option{WithEndpoint("cdsapi.capitalonline.net")}},
		{"endpoint with user info", testKeyID, testSecret, []Option{WithEndpoint("https://u:p@example.com")}},
		{"endpoint with query", testKeyID, testSecret, []Option{WithEndpoint("https://example.com/?a=b")}},
		{"user agent on two lines", testKeyID, testSecret, []Option{WithUserAgent("a\r\nX-Evil: 1")}},
		{"nil location", testKeyID, testSecret, []Option{WithLocation(nil)}},
		{"zero response cap", testKeyID, testSecret, []Option{WithMaxResponseBytes(0)}},
		{"no attempts", testKeyID, testSecret, []Option{WithRetry(RetryPolicy{})}},
	}
	for _, tc := range cases {
		c, err := NewClient(tc.id, tc.secret, tc.opts...)
		assert.Error(t, err, tc.name)
		assert.Nil(t, c, tc.name)
		if err != nil {
			assert.NotContains(t, err.Error(), testSecret, tc.name)
		}
	}
}

// TestDefaultHTTPClient: without WithHTTPClient a client has its own
// transport, not the process-wide default, with timeouts on every phase that
// can hang before an answer starts, and room to keep a connection per
// concurrent caller.
func TestDefaultHTTPClient(t *testing.T) {
	t.Parallel()
	c, err := NewClient(testKeyID, testSecret)
	require.NoError(t, err)
	tr := c.transport
	require.NotNil(t, tr)
	assert.Nil(t, c.caller)
	assert.NotSame(t, http.DefaultTransport, tr)
	assert.NotNil(t, tr.DialContext, "a dial timeout")
	assert.Positive(t, tr.TLSHandshakeTimeout)
	assert.Positive(t, tr.ResponseHeaderTimeout)
	assert.GreaterOrEqual(t, tr.MaxIdleConnsPerHost, 64)
	assert.GreaterOrEqual(t, tr.MaxIdleConns, tr.MaxIdleConnsPerHost)
	assert.Equal(t, int64(DefaultMaxResponseBytes), c.maxBody)
	assert.Equal(t, int64(32<<20), c.maxBody)

	// Two clients share no transport, so one cannot exhaust the other's pool.
	c2, err := NewClient(testKeyID, testSecret)
	require.NoError(t, err)
	assert.NotSame(t, c.transport, c2.transport)
}

// TestConnectionsReused: 64 goroutines calling at once, with successes and
// error answers mixed, reuse their connections instead of opening one per
// call: error bodies are read to the end and closed too.
func TestConnectionsReused(t *testing.T) {
	t.Parallel()
	c, srv := newHostile(t)
	srv.answerFixture("DescribeZones")
	srv.answer("DeleteLoadBalancer", http.StatusConflict,
		`{"Code":"ResourceInUse","Message":"`+strings.Repeat("busy ", 4<<10)+`"}`)
	srv.answer("DescribeLoadBalancers", http.StatusBadGateway, "<html>"+strings.Repeat("bad gateway ", 2<<10)+"</html>")

	const goroutines, calls = 64, 8
	var wg sync.WaitGroup
	var failures atomic.Int64
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				var err error
				switch (g + i) % 3 {
				case 0:
					_, err = c.DescribeZones(context.Background(), nil)
				case 1:
					_, err = c.DeleteLoadBalancer(context.Background(), &DeleteLoadBalancerRequest{InstanceUUID: "i-1"})
					if errors.Is(err, ErrResourceInUse) {
						err = nil
					}
				default:
					_, err = c.DescribeLoadBalancers(context.Background(), nil)
					var apiErr *APIError
					if errors.As(err, &apiErr) && apiErr.HTTPStatus == http.StatusBadGateway {
						err = nil
					}
				}
				if err != nil {
					failures.Add(1)
					t.Errorf("call: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	assert.Zero(t, failures.Load())
	assert.Len(t, srv.sentFor(""), goroutines*calls)
	// Each goroutine needs one connection at a time; a few more are dialled
	// when a request waits for a connection that another frees first. Without
	// reuse (Go's default of 2 idle connections per host) this is over 200.
	assert.LessOrEqual(t, srv.conns.Load(), int64(96), "connections opened for %d calls", goroutines*calls)
}

// TestCallerHTTPClientUsedAsGiven: WithHTTPClient's client sends every
// request, and after use its Transport, Timeout, CheckRedirect and Jar are
// what the caller set.
func TestCallerHTTPClientUsedAsGiven(t *testing.T) {
	t.Parallel()
	var sent atomic.Int64
	base := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(base.CloseIdleConnections)
	transport := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent.Add(1)
		return base.RoundTrip(r)
	})
	redirect := func(*http.Request, []*http.Request) error { return errors.New("no") }
	hc := &http.Client{Transport: transport, Timeout: 7 * time.Second, CheckRedirect: redirect}
	before := *hc

	_, srv := newHostile(t)
	srv.answerFixture("DescribeZones").answer("CreateLoadBalancer", 503, unavailableHTML)
	c, err := NewClient(testKeyID, testSecret, WithEndpoint(srv.URL), WithHTTPClient(hc), WithRetry(DefaultRetryPolicy))
	require.NoError(t, err)
	assert.Same(t, hc, c.caller)
	_, err = c.DescribeZones(context.Background(), nil)
	require.NoError(t, err)
	_, err = c.CreateLoadBalancer(context.Background(), goodCreate())
	require.Error(t, err)

	assert.Equal(t, int64(2), sent.Load(), "every request went through the caller's transport")
	assert.Equal(t, reflect.ValueOf(before.Transport).Pointer(), reflect.ValueOf(hc.Transport).Pointer())
	assert.Equal(t, before.Timeout, hc.Timeout)
	assert.Equal(t, reflect.ValueOf(before.CheckRedirect).Pointer(), reflect.ValueOf(hc.CheckRedirect).Pointer())
	assert.Nil(t, hc.Jar)
}

// A caller's transport that writes into a request's header changes that
// request only: the client's own headers, shared by the default
// transport's requests, stay as they were for every later call.
func TestCallerTransportWritingHeadersChangesOneRequest(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	base := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(base.CloseIdleConnections)
	var calls atomic.Int64
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		calls.Add(1)
		r.Header.Set("User-Agent", "rewritten")
		r.Header.Add("X-Added", "1")
		return base.RoundTrip(r)
	})}
	writer, err := NewClient(testKeyID, testSecret, WithEndpoint(c.base.String()), WithHTTPClient(hc), WithRetry(NoRetry))
	require.NoError(t, err)
	stub.answerFixture("DescribeZones")
	for range 2 {
		_, err := writer.DescribeZones(context.Background(), nil)
		require.NoError(t, err)
		_, err = c.DescribeZones(context.Background(), nil)
		require.NoError(t, err)
	}
	require.Equal(t, int64(2), calls.Load())
	for i, got := range stub.requests("DescribeZones") {
		if i%2 == 0 {
			assert.Equal(t, []string{"rewritten"}, got.Header.Values("User-Agent"), "request %d", i)
			assert.Equal(t, []string{"1"}, got.Header.Values("X-Added"), "request %d: added once, to its own request", i)
			continue
		}
		assert.Equal(t, []string{c.userAgent}, got.Header.Values("User-Agent"), "request %d", i)
		assert.Empty(t, got.Header.Values("X-Added"), "request %d", i)
	}
	assert.Equal(t, http.Header{"User-Agent": {c.userAgent}}, writer.headers[0], "the client's own map is unchanged")
	assert.Equal(t, http.Header{"User-Agent": {c.userAgent}}, c.headers[0])
}

// TestRedirectsNotFollowed: the API never redirects, so the default client
// treats a redirect as an unexpected answer instead of re-sending the
// request elsewhere with its signed URL in the Referer header.
func TestRedirectsNotFollowed(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int64
	var referer atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		referer.Store(r.Header.Get("Referer"))
		_, _ = io.WriteString(w, `{"Code":"Success","Data":{"InstancesUuid":["x"]}}`)
	}))
	t.Cleanup(other.Close)
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		c, srv := newHostile(t, WithRetry(DefaultRetryPolicy))
		srv.answerWith("CreateLoadBalancer", status, http.Header{"Location": {other.URL + "/lb/"}}, "")
		_, err := c.CreateLoadBalancer(context.Background(), goodCreate())
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr, "HTTP %d", status)
		assert.Equal(t, status, apiErr.HTTPStatus)
		assert.Len(t, srv.sentFor("CreateLoadBalancer"), 1)
	}
	assert.Zero(t, elsewhere.Load(), "a redirect was followed; Referer %v", referer.Load())
}

// TestOversizedAnswers: an answer over the cap fails the call with a clear
// error, without the client reading the rest of it.
func TestOversizedAnswers(t *testing.T) {
	t.Parallel()
	const limit = 1 << 10
	t.Run("streamed", func(t *testing.T) {
		t.Parallel()
		const total = 64 << 20
		written := make(chan int64, 1)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			chunk := bytes.Repeat([]byte(" "), 32<<10)
			var n int64
			_, _ = io.WriteString(w, `{"Code":"Success","Data":[`)
			for n < total {
				m, err := w.Write(chunk)
				n += int64(m)
				if err != nil {
					break
				}
			}
			written <- n
		}))
		t.Cleanup(srv.Close)
		c, err := NewClient(testKeyID, testSecret, WithEndpoint(srv.URL), WithMaxResponseBytes(limit))
		require.NoError(t, err)
		_, err = c.DescribeZones(context.Background(), nil)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Contains(t, err.Error(), "WithMaxResponseBytes")
		assert.Equal(t, 1, apiErr.Attempts, "an oversized success is not retried")
		assert.Less(t, <-written, int64(total), "the client stopped reading")
	})
	t.Run("declared", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(1<<30))
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, `{"Code":"Success"`)
			w.(http.Flusher).Flush()
			<-r.Context().Done() // the rest never comes: reading it would hang
		}))
		t.Cleanup(srv.Close)
		c, err := NewClient(testKeyID, testSecret, WithEndpoint(srv.URL), WithMaxResponseBytes(limit))
		require.NoError(t, err)
		// No deadline: reading the body would never end, so the call
		// returns only if it refuses on the declared length, without reading.
		_, err = c.CreateLoadBalancer(context.Background(), goodCreate())
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Contains(t, err.Error(), "WithMaxResponseBytes")
	})
	t.Run("at the cap", func(t *testing.T) {
		t.Parallel()
		body := `{"Code":"Success","Message":"`
		body += strings.Repeat("x", limit-len(body)-2) + `"}`
		require.Len(t, body, limit)
		for _, extra := range []string{"", " "} {
			c, srv := newHostile(t, WithMaxResponseBytes(limit))
			srv.answer("DeleteLoadBalancer", 200, body+extra)
			_, err := c.DeleteLoadBalancer(context.Background(), &DeleteLoadBalancerRequest{InstanceUUID: "i-1"})
			if extra == "" {
				assert.NoError(t, err, "exactly the cap is allowed")
			} else {
				assert.ErrorContains(t, err, "WithMaxResponseBytes", "one byte over the cap is refused")
			}
		}
	})
}

// trackedBody records whether and how far a response body was read and
// whether it was closed.
type trackedBody struct {
	r      io.Reader
	read   atomic.Int64
	closed atomic.Bool
}

func (b *trackedBody) Read(p []byte) (int, error) {
	if b.closed.Load() {
		return 0, errors.New("read on closed body") // as net/http's bodies do
	}
	n, err := b.r.Read(p)
	b.read.Add(int64(n))
	return n, err
}

func (b *trackedBody) Close() error { b.closed.Store(true); return nil }

// endless is a body that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// TestBodiesClosed: every answer's body is closed, whatever the outcome,
// and one over the cap is read only a bounded amount past it.
func TestBodiesClosed(t *testing.T) {
	t.Parallel()
	const limit = 4 << 10
	cases := []struct {
		name     string
		status   int
		body     func() io.Reader
		length   int64
		maxRead  int64
		wantFail bool
	}{
		{"success", 200, func() io.Reader { return strings.NewReader(`{"Code":"Success","Data":[]}`) }, -1, limit, false},
		{"API error", 404, func() io.Reader { return strings.NewReader(`{"Code":"ResourceNotFound"}`) }, -1, limit, true},
		{"gateway page", 502, func() io.Reader { return strings.NewReader("<html>bad gateway</html>") }, -1, limit, true},
		{"endless", 200, func() io.Reader { return endless{} }, -1, limit + 1, true},
		{"declared too long", 200, func() io.Reader { return endless{} }, 1 << 40, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var bodies []*trackedBody
			var mu sync.Mutex
			hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				b := &trackedBody{r: tc.body()}
				mu.Lock()
				bodies = append(bodies, b)
				mu.Unlock()
				return &http.Response{StatusCode: tc.status, Header: http.Header{}, Body: b, ContentLength: tc.length, Request: r}, nil
			})}
			c, err := NewClient(testKeyID, testSecret, WithHTTPClient(hc), WithMaxResponseBytes(limit), WithRetry(fastRetry))
			require.NoError(t, err)
			c.sleep = func(context.Context, time.Duration) error { return nil }
			_, err = c.DescribeZones(context.Background(), nil)
			assert.Equal(t, tc.wantFail, err != nil, "error: %v", err)
			mu.Lock()
			defer mu.Unlock()
			require.NotEmpty(t, bodies)
			for i, b := range bodies {
				assert.True(t, b.closed.Load(), "body %d closed", i)
				assert.LessOrEqual(t, b.read.Load(), tc.maxRead, "body %d read", i)
			}
		})
	}
}

// TestHostileAnswers: bodies that are not what the document promises never
// panic; each gives either a typed response or an *APIError that says
// what came. A Success whose Data has the wrong shape for the action (a
// string or number for a list or an object, an object for a list), or
// lacks what the library acts on, is ErrMalformedAnswer, never a success.
func TestHostileAnswers(t *testing.T) {
	t.Parallel()
	wrongShape := func(shape string, _ string) bool { return shape != "" }
	noIDs := func(_ string, action string) bool { return action == "CreateLoadBalancer" }
	cases := []struct {
		name      string
		status    int
		body      string
		ok        bool                            // a typed response or a malformed answer is expected
		malformed func(shape, action string) bool // for ok cases: which actions answer ErrMalformedAnswer
		inErr     string                          // a part of the error, if one is expected
	}{
		{"empty", 200, "", false, nil, "empty answer"},
		{"null", 200, "null", false, nil, "unexpected answer: null"},
		{"truncated", 200, `{"Code":"Success","Data":{"Zon`, false, nil, "unexpected answer"},
		{"html", 502, "<html><head><title>502</title></head><body><h1>Bad Gateway</h1></body></html>", false, nil, "Bad Gateway"},
		{"text", 200, "upstream connect error or disconnect/reset before headers", false, nil, "upstream connect error"},
		{"json array", 200, `[1,2,3]`, false, nil, "unexpected answer"},
		{"no code", 200, `{"Message":"ok","Data":{}}`, false, nil, "unexpected answer"},
		{"code not a string", 200, `{"Code":404,"Message":"x"}`, false, nil, "unexpected answer"},
		{"binary", 200, "\x00\x01\xff\xfe{", false, nil, "unexpected answer"},
		{"huge html", 500, "<html>" + strings.Repeat("<p>error</p>\n", 50000) + "</html>", false, nil, "error"},
		{"Data null", 200, `{"Code":"Success","Message":"ok","Data":null}`, true, noIDs, ""},
		{"no Data", 200, `{"Code":"Success"}`, true, noIDs, ""},
		{"Data a string", 200, `{"Code":"Success","Data":"surprise"}`, true, wrongShape, ""},
		{"Data a number", 200, `{"Code":"Success","Data":42}`, true, wrongShape, ""},
		{"unknown fields", 200, `{"Code":"Success","New":{"a":[1]},"Data":{"Extra":true,"HttpListeners":[],"InstancesUuid":[],"Configs":""}}`, true,
			func(shape, action string) bool { return shape == "list" || action == "CreateLoadBalancer" }, ""},
		{"TaskId a number", 200, `{"Code":"Success","TaskId":123}`, true, noIDs, ""},
		{"deep nesting", 200, `{"Code":"Success","Data":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, false, nil, "unexpected answer"},
	}
	for _, tc := range cases {
		for _, ac := range validCalls(t) {
			t.Run(tc.name+"/"+ac.action, func(t *testing.T) {
				t.Parallel()
				c, srv := newHostile(t)
				srv.answer(ac.action, tc.status, tc.body)
				resp, err := ac.call(context.Background(), c)
				if tc.ok && !tc.malformed(dataShape(ac.action), ac.action) {
					require.NoError(t, err)
					require.False(t, reflect.ValueOf(resp).IsNil())
					return
				}
				require.Error(t, err)
				assert.True(t, reflect.ValueOf(resp).IsNil())
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tc.status, apiErr.HTTPStatus)
				assert.Empty(t, apiErr.Code)
				assert.Equal(t, tc.ok, errors.Is(err, ErrMalformedAnswer), "malformed")
				assert.Equal(t, !ac.readOnly, errors.Is(err, ErrOutcomeUnknown), "outcome unknown")
				assert.Contains(t, err.Error(), tc.inErr)
				assert.LessOrEqual(t, len(err.Error()), 400, "the excerpt is short")
			})
		}
	}
}

// dataShape says what an action's response decodes Data into: "list",
// "object", or "" when it skips Data. It reads the response type of the
// Client method of that name, so it covers every action.
func dataShape(action string) string {
	d, ok := declared[action]
	if !ok {
		panic("no declaration " + action)
	}
	data := reflect.TypeOf(d.data).Elem()
	switch {
	case data == reflect.TypeFor[none]():
		return ""
	case data.Kind() == reflect.Slice || data == reflect.TypeFor[loadBalancerList]():
		return "list"
	}
	return "object"
}

// TestWrongButConvertibleTypes: numbers as strings and strings as numbers,
// as the document's own tables and examples disagree, decode to the values
// they spell.
func TestWrongButConvertibleTypes(t *testing.T) {
	t.Parallel()
	c, srv := newHostile(t)
	srv.answer("DescribeLoadBalancerStrategys", 200, `{"Code":"Success","Data":{
		"HttpListeners":[{"ListenerName":"h","ListenerPort":"8080","MaxConn":"100","Scheduler":"roundrobin",
			"ClientTimeout":222,"ClientTimeoutUnit":"ms","StickySession":"on","AclWhiteList":"10.0.0.1",
			"BackendServer":[{"IP":"10.0.0.1","Port":"80","Weight":5,"MaxConn":"7"}],"CertificateIds":null}],
		"TcpListeners":[{"ListenerName":"t","ListenerPort":3306.0,"BackendServer":null,"ServerTimeout":"2","ServerTimeoutUnit":"s"}]}}`)
	resp, err := c.DescribeLoadBalancerStrategys(context.Background(), &DescribeLoadBalancerStrategysRequest{InstanceUUID: "i-1"})
	require.NoError(t, err)
	require.Len(t, resp.HTTPListeners, 1)
	h := resp.HTTPListeners[0]
	assert.Equal(t, 8080, h.ListenerPort)
	assert.Equal(t, 100, h.MaxConn)
	assert.Equal(t, 222*time.Millisecond, h.ClientTimeout)
	assert.True(t, h.StickySession)
	assert.Equal(t, []string{"10.0.0.1"}, h.ACLWhiteList)
	assert.Equal(t, []BackendServer{{IP: "10.0.0.1", Port: 80, Weight: 5, MaxConn: 7}}, h.BackendServers)
	require.Len(t, resp.TCPListeners, 1)
	assert.Equal(t, 3306, resp.TCPListeners[0].ListenerPort)
	assert.Equal(t, 2*time.Second, resp.TCPListeners[0].ServerTimeout)
}

// TestTransportErrorsDescribeTheCall: an error from a call that got no
// answer names the action, the method and the endpoint without its signed
// query, counts the attempts, and unwraps to the cause.
func TestTransportErrorsDescribeTheCall(t *testing.T) {
	t.Parallel()
	c, srv := newHostile(t)
	srv.misbehave("DeleteLoadBalancer", reset)
	_, err := c.DeleteLoadBalancer(context.Background(), &DeleteLoadBalancerRequest{InstanceUUID: "i-1"})
	var trErr *TransportError
	require.ErrorAs(t, err, &trErr)
	assert.Equal(t, "DeleteLoadBalancer", trErr.Action)
	assert.Equal(t, http.MethodPost, trErr.Method)
	assert.Equal(t, srv.URL+"/lb/", trErr.URL)
	assert.Equal(t, 1, trErr.Attempts)
	assert.NotNil(t, errors.Unwrap(trErr))
	assert.NotContains(t, err.Error(), "?")
	assert.NotContains(t, err.Error(), "Signature")
	assert.Equal(t, fmt.Sprintf("cdslb: DeleteLoadBalancer: POST %s/lb/: %v (attempts: 1)%s", srv.URL, trErr.Err, outcomeUnknownNote), err.Error())
	assert.ErrorIs(t, err, ErrOutcomeUnknown, "the delete may have reached the service")
}

func TestUserAgent(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t, WithUserAgent(" my-controller/1.4 "))
	stub.answerFixture("DescribeZones")
	_, err := c.DescribeZones(context.Background(), nil)
	require.NoError(t, err)
	ua := stub.only("DescribeZones").Header.Get("User-Agent")
	assert.Regexp(t, `^cdslb-go/`+regexp.QuoteMeta(Version)+` \(go[0-9.]+[^;]*; [a-z0-9]+/[a-z0-9]+\) my-controller/1\.4$`, ua)
}

// TestNewClientFromEnv reads the key and endpoint from the environment (no
// t.Parallel: it sets variables for the whole process).
func TestNewClientFromEnv(t *testing.T) {
	t.Setenv("CDS_ACCESS_KEY_ID", "")
	t.Setenv("CDS_ACCESS_KEY_SECRET", "")
	t.Setenv("CDS_SECRET_ID", "")
	t.Setenv("CDS_SECRET_KEY", "")
	t.Setenv("CDS_API_HOST", "")
	_, err := NewClientFromEnv()
	require.Error(t, err, "no key in the environment")
	assert.Contains(t, err.Error(), "CDS_SECRET_ID")

	t.Setenv("CDS_SECRET_ID", testKeyID)
	t.Setenv("CDS_SECRET_KEY", testSecret)
	c, err := NewClientFromEnv()
	require.NoError(t, err)
	assert.Equal(t, EndpointChinaMainland, c.base.String(), "the default endpoint")

	t.Setenv("CDS_API_HOST", "cdsapi-us.capitalonline.net")
	c, err = NewClientFromEnv()
	require.NoError(t, err)
	assert.Equal(t, "https://cdsapi-us.capitalonline.net", c.base.String(), "a bare host is reached over HTTPS")

	stubClient, stub := newStub(t)
	stub.answerFixture("DescribeZones")
	t.Setenv("CDS_API_HOST", stubClient.base.String()) // a URL, as the fake server prints it
	c, err = NewClientFromEnv(WithRetry(NoRetry))
	require.NoError(t, err)
	_, err = c.DescribeZones(context.Background(), nil)
	require.NoError(t, err, "a URL is used as given")

	c, err = NewClientFromEnv(WithEndpoint(EndpointAsiaPacific))
	require.NoError(t, err)
	assert.Equal(t, EndpointAsiaPacific, c.base.String(), "options apply after the environment")
	assert.NotContains(t, fmt.Sprint(c), testSecret)
}

// TestNewClientFromEnvAccessKeyNames: CDS_ACCESS_KEY_ID and
// CDS_ACCESS_KEY_SECRET serve when both CDS_SECRET_* are unset, a key is
// never made of one variable of each pair, and an error names exactly the
// variable missing (no t.Parallel: it sets variables for the whole process).
func TestNewClientFromEnvAccessKeyNames(t *testing.T) {
	t.Setenv("CDS_API_HOST", "")
	for _, tc := range []struct {
		secretID, secretKey, accessID, accessSecret string
		wantID, wantErr                             string // the key id used, or the error's text
	}{
		{"", "", "a-id", "a-secret", "a-id", ""},
		{"s-id", "s-secret", "a-id", "a-secret", "s-id", ""},
		{"s-id", "", "a-id", "a-secret", "", "CDS_SECRET_KEY is not set"},
		{"", "s-secret", "a-id", "a-secret", "", "CDS_SECRET_ID is not set"},
		{"", "", "a-id", "", "", "CDS_ACCESS_KEY_SECRET is not set"},
		{"", "", "", "a-secret", "", "CDS_ACCESS_KEY_ID is not set"},
		{"", "", "", "", "", "CDS_SECRET_ID and CDS_SECRET_KEY (or CDS_ACCESS_KEY_ID and CDS_ACCESS_KEY_SECRET) are not set"},
	} {
		t.Setenv("CDS_SECRET_ID", tc.secretID)
		t.Setenv("CDS_SECRET_KEY", tc.secretKey)
		t.Setenv("CDS_ACCESS_KEY_ID", tc.accessID)
		t.Setenv("CDS_ACCESS_KEY_SECRET", tc.accessSecret)
		c, err := NewClientFromEnv()
		if tc.wantErr != "" {
			assert.EqualError(t, err, "cdslb: NewClientFromEnv: "+tc.wantErr, "%+v", tc)
			continue
		}
		require.NoError(t, err, "%+v", tc)
		assert.Equal(t, tc.wantID, c.signer.AccessKeyID, "%+v", tc)
		assert.Equal(t, strings.Replace(tc.wantID, "id", "secret", 1), c.signer.AccessKeySecret, "%+v", tc)
	}
}

// TestCallersClientRedirects: a caller's client that follows redirects
// sends neither the body (an upload's private key) nor the signed URL to
// the target, and an answer from another host is refused as a redirect,
// never taken for the service's success.
func TestCallersClientRedirects(t *testing.T) {
	t.Parallel()
	certPEM, keyPEM := testCertificate(t, "ec")
	var mu sync.Mutex
	var seen []string // everything the target received
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, r.URL.String()+" "+fmt.Sprint(r.Header)+" "+string(body))
		mu.Unlock()
		_, _ = io.WriteString(w, `{"Code":"Success","Data":{}}`)
	}))
	t.Cleanup(target.Close)
	var sigs []string
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		c, srv := newHostile(t, WithHTTPClient(&http.Client{}))
		srv.answerWith("UploadCACertificate", status, http.Header{"Location": {target.URL + "/lb/"}}, "")
		srv.answerWith("DescribeZones", status, http.Header{"Location": {target.URL + "/lb/"}}, "")
		_, err := c.UploadCACertificate(context.Background(), &UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM, CertificateName: "www"})
		require.Error(t, err, "HTTP %d", status)
		if status < http.StatusTemporaryRedirect { // followed as a GET, which reached the target
			assert.ErrorIs(t, err, errRedirected, "HTTP %d", status)
			assert.Contains(t, err.Error(), "redirected")
		}
		_, err = c.DescribeZones(context.Background(), nil)
		if status < http.StatusTemporaryRedirect {
			require.ErrorIs(t, err, errRedirected, "HTTP %d", status)
			assert.Contains(t, err.Error(), "redirected to http://"+strings.TrimPrefix(target.URL, "http://"))
		} else { // every body is one net/http cannot rewind, so a 307 or 308 is not followed
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr, "HTTP %d", status)
			assert.Equal(t, status, apiErr.HTTPStatus)
		}
		for _, r := range srv.sentFor("") {
			sigs = append(sigs, r.Signature, url.QueryEscape(r.Signature))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, seen, "the client did follow redirects")
	for _, got := range seen {
		assert.NotContains(t, got, "PRIVATE KEY")
		assert.NotContains(t, got, "Signature")
		for _, sig := range sigs {
			assert.NotContains(t, got, sig)
		}
	}
}

func TestCloseIdleConnections(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string][]Option{"default": nil, "caller's client": {WithHTTPClient(&http.Client{Transport: &http.Transport{}})}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, srv := newHostile(t, opts...)
			srv.answerFixture("DescribeZones").answerFixture("DescribeZones").answerFixture("DescribeZones")
			call := func() {
				_, err := c.DescribeZones(context.Background(), nil)
				require.NoError(t, err)
			}
			call()
			call()
			require.Equal(t, int64(1), srv.conns.Load(), "the connection is kept between calls")
			c.CloseIdleConnections()
			call()
			assert.Equal(t, int64(2), srv.conns.Load(), "the idle connection was closed")
		})
	}
	var nilClient *Client
	nilClient.CloseIdleConnections()
	new(Client).CloseIdleConnections()
}

func TestConfigurationErrors(t *testing.T) {
	t.Run("user info is never repeated", func(t *testing.T) {
		t.Parallel()
		for _, u := range []string{"https://user:hunter22@example.com", "https://user:hunter22@example.com/?q=1", "http://user:hunter22@[::1", "user:hunter22@example.com"} {
			_, err := NewClient(testKeyID, testSecret, WithEndpoint(u))
			require.Error(t, err, u)
			assert.NotContains(t, err.Error(), "hunter22", u)
		}
	})
	t.Run("user agent", func(t *testing.T) {
		t.Parallel()
		for _, ua := range []string{"a\x00b", "a\x7fb", "a\nb", "a\rb", "a\x1b[31mb", "a\tb", "a\u0085b", "a\xffb"} {
			_, err := NewClient(testKeyID, testSecret, WithUserAgent(ua))
			assert.ErrorContains(t, err, "WithUserAgent", "%q", ua)
		}
		_, err := NewClient(testKeyID, testSecret, WithUserAgent("my-tool/1.0 (éà)"))
		assert.NoError(t, err)
	})
}

// TestNewClientFromEnvErrors: each missing variable is named, and
// CDS_API_HOST follows WithEndpoint's rules, named in its errors (no
// t.Parallel: it sets variables for the whole process).
func TestNewClientFromEnvErrors(t *testing.T) {
	t.Setenv("CDS_ACCESS_KEY_ID", "")
	t.Setenv("CDS_ACCESS_KEY_SECRET", "")
	for _, tc := range []struct{ id, key, want string }{
		{"", "", "CDS_SECRET_ID and CDS_SECRET_KEY (or CDS_ACCESS_KEY_ID and CDS_ACCESS_KEY_SECRET) are not set"},
		{"id", "", "CDS_SECRET_KEY is not set"},
		{"", "key", "CDS_SECRET_ID is not set"},
	} {
		t.Setenv("CDS_SECRET_ID", tc.id)
		t.Setenv("CDS_SECRET_KEY", tc.key)
		_, err := NewClientFromEnv()
		assert.EqualError(t, err, "cdslb: NewClientFromEnv: "+tc.want)
	}
	t.Setenv("CDS_SECRET_ID", testKeyID)
	t.Setenv("CDS_SECRET_KEY", testSecret)
	for host, want := range map[string]string{
		"127.0.0.1:18080":             "https://127.0.0.1:18080",
		"cdsapi-us.capitalonline.net": "https://cdsapi-us.capitalonline.net",
		"http://127.0.0.1:18080/":     "http://127.0.0.1:18080",
		" [::1]:8443 ":                "https://[::1]:8443",
	} {
		t.Setenv("CDS_API_HOST", host)
		c, err := NewClientFromEnv()
		require.NoError(t, err, host)
		assert.Equal(t, want, c.base.String(), host)
	}
	for _, host := range []string{"ftp://example.com", "example.com/?a=b", "u:hunter22@example.com", "http://", "exa mple.com"} {
		t.Setenv("CDS_API_HOST", host)
		_, err := NewClientFromEnv()
		require.Error(t, err, host)
		assert.Contains(t, err.Error(), "CDS_API_HOST", host)
		assert.NotContains(t, err.Error(), "hunter22")
	}
}

// TestEveryActionIsDeclared: every action method of *Client, of the shape
// (ctx, *XRequest) (*XResponse, error), has a declaration of the name X,
// and every declaration has such a method, so the sweeps over the
// declarations (validCalls) reach every action.
func TestEveryActionIsDeclared(t *testing.T) {
	t.Parallel()
	ctxType, errType := reflect.TypeFor[context.Context](), reflect.TypeFor[error]()
	methods := map[string]bool{}
	for m := range reflect.TypeFor[*Client]().Methods() {
		ft := m.Type // with the receiver
		if ft.NumIn() != 3 || ft.NumOut() != 2 || ft.In(1) != ctxType || ft.Out(1) != errType ||
			ft.In(2).Kind() != reflect.Pointer || ft.Out(0).Kind() != reflect.Pointer {
			continue
		}
		if ft.In(2).Elem().Name() == m.Name+"Request" && ft.Out(0).Elem().Name() == m.Name+"Response" {
			methods[m.Name] = true
			assert.Contains(t, declared, m.Name, "the action method %s has no declaration", m.Name)
		}
	}
	for name := range declared {
		assert.True(t, methods[name], "the declaration %s has no action method", name)
		assert.Contains(t, examples, name, "the declaration %s has no example request", name)
	}
	assert.Len(t, methods, len(declared), "the shape above finds the action methods")
}

// TestVersionIsTheChangelogs: the Version constant is the newest release
// in CHANGELOG.md; a heading marked "(unreleased)" is not one yet.
func TestVersionIsTheChangelogs(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("CHANGELOG.md")
	require.NoError(t, err)
	top := regexp.MustCompile(`(?m)^## (\S+)$`).FindSubmatch(b)
	require.NotNil(t, top, "CHANGELOG.md has no release heading")
	assert.Equal(t, Version, string(top[1]))
}

// TestSameHostRedirects: whatever a caller's client does with a redirect
// from the API's own host, the call fails and is never taken for success:
// an answer to a request the library did not send (another URL, or a
// POST turned into a GET) is refused as a redirect, and a write's error
// matches ErrOutcomeUnknown. A client that does not follow redirects, as
// WithHTTPClient recommends, sends each signed request exactly once.
func TestSameHostRedirects(t *testing.T) {
	t.Parallel()
	noFollow := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for _, where := range []string{"same URL", "other path"} {
			for _, follow := range []bool{true, false} {
				name := fmt.Sprint(status, " ", where, " follow=", follow)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					var mu sync.Mutex
					nonces := map[string]int{}
					srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						_, _ = io.Copy(io.Discard, r.Body)
						mu.Lock()
						nonces[r.URL.Query().Get("SignatureNonce")]++
						first := len(nonces) == 1 && nonces[r.URL.Query().Get("SignatureNonce")] == 1
						mu.Unlock()
						if first {
							to := "/elsewhere"
							if where == "same URL" {
								to = r.URL.RequestURI()
							}
							http.Redirect(w, r, to, status)
							return
						}
						if r.Method == http.MethodGet && r.URL.Query().Get("Action") == "DescribeZones" {
							_, _ = io.WriteString(w, `{"Code":"Success","Data":[]}`)
							return
						}
						_, _ = io.WriteString(w, `{"Code":"Success","TaskId":"t1","Data":{"InstancesUuid":["u1"]}}`)
					}))
					t.Cleanup(srv.Close)
					// Its own transport: servers of other tests close http.DefaultTransport's connections.
					transport := http.DefaultTransport.(*http.Transport).Clone()
					t.Cleanup(transport.CloseIdleConnections)
					hc := &http.Client{Transport: transport}
					if !follow {
						hc.CheckRedirect = noFollow
					}
					for _, write := range []bool{true, false} {
						mu.Lock()
						clear(nonces)
						mu.Unlock()
						c, err := NewClient(testKeyID, testSecret, WithEndpoint(srv.URL), WithHTTPClient(hc), WithRetry(NoRetry))
						require.NoError(t, err)
						if write {
							_, err = c.CreateLoadBalancer(context.Background(), goodCreate())
						} else {
							_, err = c.DescribeZones(context.Background(), nil)
						}
						require.Error(t, err, "a redirect taken for success (write=%v)", write)
						assert.Equal(t, write, errors.Is(err, ErrOutcomeUnknown), "write=%v: %v", write, err)
						var apiErr *APIError
						if errors.As(err, &apiErr) {
							assert.Equal(t, status, apiErr.HTTPStatus)
							assert.Contains(t, err.Error(), "redirect")
						} else {
							assert.ErrorIs(t, err, errRedirected)
						}
						mu.Lock()
						if !follow {
							assert.Len(t, nonces, 1, "write=%v", write)
						}
						for nonce, n := range nonces {
							assert.LessOrEqual(t, n, map[bool]int{true: 2, false: 1}[follow], "nonce %s sent %d times (write=%v)", nonce, n, write)
						}
						mu.Unlock()
					}
				})
			}
		}
	}
}
