package cdslb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fastRetry retries like the default policy, with delays too short to wait for.
var fastRetry = RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond}

const (
	unavailableHTML = "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
	internalJSON    = `{"Code":"InternalError","Message":"the service failed"}`
)

// TestRetryReadSucceedsAfter503sSignedAfresh: a read that meets two 503s
// succeeds on the third attempt, and every attempt carries its own nonce,
// timestamp and signature, all of which verify.
func TestRetryReadSucceedsAfter503sSignedAfresh(t *testing.T) {
	t.Parallel()
	c, srv := newHostile(t, WithRetry(fastRetry))
	var tick atomic.Int64
	base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	c.signer.Now = func() time.Time { return base.Add(time.Duration(tick.Add(1)) * time.Second) }
	srv.answer("DescribeLoadBalancers", http.StatusServiceUnavailable, unavailableHTML).
		answer("DescribeLoadBalancers", http.StatusServiceUnavailable, internalJSON).
		answerFixture("DescribeLoadBalancers")

	resp, err := c.DescribeLoadBalancers(context.Background(), nil)
	require.NoError(t, err)
	require.NotEmpty(t, resp.LoadBalancers)

	sent := srv.sentFor("DescribeLoadBalancers")
	require.Len(t, sent, 3)
	require.Len(t, srv.requests("DescribeLoadBalancers"), 3, "every attempt's signature verified")
	nonces, stamps, sigs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, s := range sent {
		nonces[s.Nonce], stamps[s.Timestamp], sigs[s.Signature] = true, true, true
	}
	assert.Len(t, nonces, 3, "a new SignatureNonce per attempt")
	assert.Len(t, stamps, 3, "a new Timestamp per attempt")
	assert.Len(t, sigs, 3, "a new signature per attempt")
}

// TestRetryFollowsIdempotency runs every action against a service that
// always answers 503: read-only actions (every Describe*, the POST ones
// included) are tried MaxAttempts times, every other action exactly once.
func TestRetryFollowsIdempotency(t *testing.T) {
	t.Parallel()
	for _, ac := range validCalls(t) {
		t.Run(ac.action, func(t *testing.T) {
			t.Parallel()
			c, srv := newHostile(t, WithRetry(fastRetry))
			srv.answer(ac.action, http.StatusServiceUnavailable, unavailableHTML)
			resp, err := ac.call(context.Background(), c)
			require.Error(t, err)
			assert.True(t, reflect.ValueOf(resp).IsNil(), "no response with an error")
			want := 1
			if ac.readOnly {
				want = 3
			}
			assert.Equal(t, ac.readOnly, strings.HasPrefix(ac.action, "Describe"))
			assert.Len(t, srv.sentFor(ac.action), want, "requests sent")
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, want, apiErr.Attempts)
			assert.Equal(t, http.StatusServiceUnavailable, apiErr.HTTPStatus)
			assert.Equal(t, ac.action, apiErr.Action)
		})
	}
}

// TestRetryDecision is the policy as a table: which failures a read (GET
// and POST) and a state-changing action repeat.
func TestRetryDecision(t *testing.T) {
	t.Parallel()
	type outcome struct {
		status int
		header http.Header
		body   string
		m      misbehaviour
	}
	cases := []struct {
		name        string
		fail        outcome
		conflicts   bool
		read, write int // requests sent when every attempt fails so
		sentinel    error
	}{
		{"503 gateway page", outcome{status: 503, body: unavailableHTML}, false, 3, 1, nil},
		{"502 empty", outcome{status: 502}, false, 3, 1, nil},
		{"500 InternalError", outcome{status: 500, body: internalJSON}, false, 3, 1, ErrInternalError},
		{"200 InternalError", outcome{status: 200, body: internalJSON}, false, 3, 1, ErrInternalError},
		{"500 CreateOrderExcept", outcome{status: 500, body: `{"Code":"CreateOrderExcept","Message":"x"}`}, false, 3, 1, ErrCreateOrderExcept},
		{"429 no body", outcome{status: 429}, false, 3, 1, nil},
		{"400 Throttling", outcome{status: 400, body: `{"Code":"Throttling","Message":"slow down"}`}, false, 3, 1, nil},
		{"400 RequestLimitExceeded", outcome{status: 400, body: `{"Code":"RequestLimitExceeded","Message":"x"}`}, false, 3, 1, nil},
		{"200 Throttling.User", outcome{status: 200, body: `{"Code":"Throttling.User","Message":"x"}`}, false, 3, 1, nil},
		{"400 InvalidParameter", outcome{status: 400, body: `{"Code":"InvalidParameter","Message":"x"}`}, false, 1, 1, ErrInvalidParameter},
		{"400 ArgMissing", outcome{status: 400, body: `{"Code":"ArgMissing","Message":"x"}`}, false, 1, 1, ErrArgMissing},
		{"404 ResourceNotFound", outcome{status: 404, body: `{"Code":"ResourceNotFound","Message":"x"}`}, false, 1, 1, ErrResourceNotFound},
		{"409 ResourceInUse", outcome{status: 409, body: `{"Code":"ResourceInUse","Message":"busy"}`}, false, 1, 1, ErrResourceInUse},
		{"409 ResourceInUse, RetryConflicts", outcome{status: 409, body: `{"Code":"ResourceInUse","Message":"busy"}`}, true, 3, 3, ErrResourceInUse},
		{"503, RetryConflicts", outcome{status: 503, body: unavailableHTML}, true, 3, 1, nil},
		{"connection reset", outcome{m: reset}, false, 3, 1, nil},
	}
	calls := map[string]actionCall{}
	for _, ac := range validCalls(t) {
		calls[ac.action] = ac
	}
	for _, tc := range cases {
		for _, action := range []string{"DescribeLoadBalancers", "DescribeLBInstancePerformance", "CreateLoadBalancer", "DeleteLoadBalancer"} {
			t.Run(tc.name+"/"+action, func(t *testing.T) {
				t.Parallel()
				p := fastRetry
				p.RetryConflicts = tc.conflicts
				c, srv := newHostile(t, WithRetry(p))
				if tc.fail.m == answer {
					srv.answerWith(action, tc.fail.status, tc.fail.header, tc.fail.body)
				} else {
					srv.misbehave(action, tc.fail.m, tc.fail.m, tc.fail.m, tc.fail.m)
				}
				_, err := calls[action].call(context.Background(), c)
				require.Error(t, err)
				want := tc.write
				if calls[action].readOnly {
					want = tc.read
				}
				assert.Len(t, srv.sentFor(action), want, "requests sent")
				if tc.sentinel != nil {
					assert.ErrorIs(t, err, tc.sentinel)
				}
				var apiErr *APIError
				var trErr *TransportError
				switch {
				case errors.As(err, &apiErr):
					assert.Equal(t, want, apiErr.Attempts)
					assert.Equal(t, tc.fail.status, apiErr.HTTPStatus)
				case errors.As(err, &trErr):
					assert.Equal(t, want, trErr.Attempts)
					assert.Contains(t, err.Error(), fmt.Sprintf("(attempts: %d)", want))
				default:
					t.Fatalf("error %T is neither *APIError nor *TransportError: %v", err, err)
				}
				if want > 1 {
					assert.Contains(t, err.Error(), fmt.Sprint(want))
				}
			})
		}
	}
}

// TestRetryRecovers: each retryable failure is followed by a success that
// the caller gets, with the response decoded from the last answer only.
func TestRetryRecovers(t *testing.T) {
	t.Parallel()
	t.Run("read after a reset", func(t *testing.T) {
		t.Parallel()
		c, srv := newHostile(t, WithRetry(fastRetry))
		srv.misbehave("DescribeZones", reset).answerFixture("DescribeZones")
		resp, err := c.DescribeZones(context.Background(), nil)
		require.NoError(t, err)
		assert.NotEmpty(t, resp.Zones)
		assert.Len(t, srv.sentFor("DescribeZones"), 2)
	})
	t.Run("POST read after throttling", func(t *testing.T) {
		t.Parallel()
		c, srv := newHostile(t, WithRetry(fastRetry))
		srv.answer("DescribeLBInstanceListeners", 400, `{"Code":"Throttling","Message":"x"}`).
			answerFixture("DescribeLBInstanceListeners")
		_, err := calls(t, "DescribeLBInstanceListeners").call(context.Background(), c)
		require.NoError(t, err)
		assert.Len(t, srv.sentFor("DescribeLBInstanceListeners"), 2)
	})
	t.Run("create after conflicts, when asked", func(t *testing.T) {
		t.Parallel()
		p := fastRetry
		p.RetryConflicts = true
		c, srv := newHostile(t, WithRetry(p))
		sleeps := recordSleeps(c)
		srv.answer("CreateLoadBalancer", 409, `{"Code":"ResourceInUse","Message":"busy"}`).
			answer("CreateLoadBalancer", 409, `{"Code":"ResourceInUse","Message":"busy"}`).
			answerFixture("CreateLoadBalancer")
		resp, err := c.CreateLoadBalancer(context.Background(), goodCreate())
		require.NoError(t, err)
		assert.Equal(t, []string{"5d74bb81-0473-464d-b15b-0ae418619248"}, resp.InstanceUUIDs)
		assert.Len(t, srv.sentFor("CreateLoadBalancer"), 3)
		got := sleeps()
		require.Len(t, got, 2, "the same backoff as other retries")
		assert.LessOrEqual(t, got[0], p.BaseDelay)
		assert.LessOrEqual(t, got[1], 2*p.BaseDelay)
	})
}

// TestRetryStateChangeNotAfterUnknownOutcome: a create whose outcome is
// unknown (a 5xx, a reset after the request was written, a timeout) is
// returned to the caller after one request, whatever the policy.
func TestRetryStateChangeNotAfterUnknownOutcome(t *testing.T) {
	t.Parallel()
	t.Run("503", func(t *testing.T) {
		t.Parallel()
		c, srv := newHostile(t, WithRetry(RetryPolicy{MaxAttempts: 10, RetryConflicts: true}))
		srv.answer("CreateLoadBalancer", 503, unavailableHTML).answerFixture("CreateLoadBalancer")
		_, err := c.CreateLoadBalancer(context.Background(), goodCreate())
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 503, apiErr.HTTPStatus)
		assert.Equal(t, 1, apiErr.Attempts)
		assert.Len(t, srv.sentFor("CreateLoadBalancer"), 1)
	})
	t.Run("reset", func(t *testing.T) {
		t.Parallel()
		c, srv := newHostile(t, WithRetry(RetryPolicy{MaxAttempts: 10, RetryConflicts: true}))
		srv.misbehave("CreateLoadBalancer", reset).answerFixture("CreateLoadBalancer")
		_, err := c.CreateLoadBalancer(context.Background(), goodCreate())
		var trErr *TransportError
		require.ErrorAs(t, err, &trErr)
		assert.Equal(t, 1, trErr.Attempts)
		assert.Contains(t, err.Error(), "(attempts: 1)")
		assert.Len(t, srv.sentFor("CreateLoadBalancer"), 1)
	})
	t.Run("client timeout", func(t *testing.T) {
		t.Parallel()
		hc := &http.Client{Timeout: 100 * time.Millisecond}
		c, srv := newHostile(t, WithRetry(RetryPolicy{MaxAttempts: 10}), WithHTTPClient(hc))
		srv.misbehave("CreateLoadBalancer", hang).answerFixture("CreateLoadBalancer")
		srv.misbehave("DescribeZones", hang).answerFixture("DescribeZones")
		_, err := c.CreateLoadBalancer(context.Background(), goodCreate())
		var netErr net.Error
		require.ErrorAs(t, err, &netErr)
		assert.True(t, netErr.Timeout())
		assert.Len(t, srv.sentFor("CreateLoadBalancer"), 1, "a create that timed out is not repeated")

		_, err = c.DescribeZones(context.Background(), nil)
		require.NoError(t, err, "a read that timed out is repeated")
		assert.Len(t, srv.sentFor("DescribeZones"), 2)
	})
}

// TestRetryStateChangeWhenNeverConnected: a create is repeated when the
// connection was refused, since nothing reached the service, and the error
// says how many attempts were made.
func TestRetryStateChangeWhenNeverConnected(t *testing.T) {
	t.Parallel()
	c, err := NewClient(testKeyID, testSecret, WithEndpoint("http://"+closedAddr(t)+testPrefix), WithRetry(fastRetry))
	require.NoError(t, err)
	sleeps := recordSleeps(c)
	_, err = c.CreateLoadBalancer(context.Background(), goodCreate())
	var trErr *TransportError
	require.ErrorAs(t, err, &trErr)
	assert.Equal(t, 3, trErr.Attempts)
	assert.Contains(t, err.Error(), "(attempts: 3)")
	assert.Contains(t, err.Error(), "CreateLoadBalancer")
	var opErr *net.OpError
	require.ErrorAs(t, err, &opErr)
	assert.Equal(t, "dial", opErr.Op)
	assert.Len(t, sleeps(), 2, "a backoff before each repeat")
}

func TestNeverConnected(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	cases := []struct {
		err  error
		want bool
	}{
		{refused, true},
		{&url.Error{Op: "Post", URL: "http://x", Err: refused}, true},
		{fmt.Errorf("wrapped: %w", &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}), true},
		{&net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}, false},
		{&net.OpError{Op: "write", Net: "tcp", Err: errors.New("broken pipe")}, false},
		{io.EOF, false},
		{io.ErrUnexpectedEOF, false},
		{context.DeadlineExceeded, false},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, neverConnected(tc.err), "%v", tc.err)
	}
}

// TestRetryAfter: a Retry-After the service sends is waited for, capped at
// MaxDelay; without one the backoff applies.
func TestRetryAfter(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Second, RetryConflicts: true}
	cases := []struct {
		name     string
		action   string
		status   int
		value    string
		min, max time.Duration
	}{
		{"seconds", "DescribeZones", 503, "2", 2 * time.Second, 2 * time.Second},
		{"capped", "DescribeZones", 429, "3600", 5 * time.Second, 5 * time.Second},
		{"huge", "DescribeZones", 429, "99999999999", 5 * time.Second, 5 * time.Second},
		{"date", "DescribeZones", 503, "", 20 * time.Second, 30 * time.Second}, // the value is set when the subtest starts
		{"past date", "DescribeZones", 503, "Mon, 02 Jan 2006 15:04:05 GMT", 0, time.Millisecond},
		{"garbage", "DescribeZones", 503, "soon", 0, time.Millisecond},
		{"none", "DescribeZones", 503, "", 0, time.Millisecond},
		{"conflict", "DeleteLoadBalancer", 409, "1", time.Second, time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := p
			if tc.name == "date" {
				// Made here, not before the parallel subtests wait for
				// their turn, and far enough ahead that a loaded machine
				// still reads it as 20 s or more.
				tc.value = time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)
				p.MaxDelay = time.Minute
			}
			c, srv := newHostile(t, WithRetry(p))
			sleeps := recordSleeps(c)
			body := `{"Code":"Throttling","Message":"x"}`
			if tc.status == 409 {
				body = `{"Code":"ResourceInUse","Message":"x"}`
			}
			h := http.Header{}
			if tc.value != "" {
				h.Set("Retry-After", tc.value)
			}
			srv.answerWith(tc.action, tc.status, h, body).answerFixture(tc.action)
			_, err := calls(t, tc.action).call(context.Background(), c)
			require.NoError(t, err)
			got := sleeps()
			require.Len(t, got, 1)
			assert.GreaterOrEqual(t, got[0], tc.min)
			assert.LessOrEqual(t, got[0], tc.max)
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	assert.Equal(t, time.Duration(0), retryAfter(""))
	assert.Equal(t, time.Duration(0), retryAfter("0"))
	assert.Equal(t, time.Duration(0), retryAfter("-5"))
	assert.Equal(t, 7*time.Second, retryAfter(" 7 "))
	for _, s := range []string{"9223372036", "9223372037", "99999999999", "18446744073709551615"} {
		assert.GreaterOrEqual(t, retryAfter(s), 5*time.Second, "Retry-After: %s is a long wait, not a short or negative one", s)
	}
}

// TestBackoffBounds: each backoff is a random delay from 0 to
// min(MaxDelay, BaseDelay·2^(attempt-1)), for any policy and attempt.
func TestBackoffBounds(t *testing.T) {
	t.Parallel()
	policies := []RetryPolicy{
		DefaultRetryPolicy,
		{MaxAttempts: 100, BaseDelay: time.Millisecond, MaxDelay: time.Hour},
		{MaxAttempts: 100, BaseDelay: 10 * time.Second, MaxDelay: math.MaxInt64},
		{MaxAttempts: 100, BaseDelay: math.MaxInt64 / 3, MaxDelay: math.MaxInt64},
		{MaxAttempts: 100, BaseDelay: 0, MaxDelay: 5 * time.Second},
		{MaxAttempts: 100, BaseDelay: 0, MaxDelay: math.MaxInt64},
		{MaxAttempts: 100, BaseDelay: time.Second, MaxDelay: time.Second},
	}
	for _, p := range policies {
		c := &Client{retry: p}
		for attempt := 1; attempt <= 100; attempt++ {
			ceiling := p.MaxDelay
			if attempt <= 63 && p.BaseDelay <= p.MaxDelay>>(attempt-1) {
				ceiling = p.BaseDelay << (attempt - 1)
			}
			for range 20 {
				d := c.backoff(attempt)
				require.GreaterOrEqual(t, d, time.Duration(0), "%+v attempt %d", p, attempt)
				require.LessOrEqual(t, d, ceiling, "%+v attempt %d", p, attempt)
			}
		}
	}
	// Full jitter: the delays spread over the range rather than sit at its top.
	c := &Client{retry: DefaultRetryPolicy}
	seen := map[time.Duration]bool{}
	for range 50 {
		seen[c.backoff(3)] = true
	}
	assert.Greater(t, len(seen), 10)
}

func TestWithRetryRejectsBadPolicies(t *testing.T) {
	t.Parallel()
	for _, p := range []RetryPolicy{
		{MaxAttempts: 0},
		{MaxAttempts: 3, BaseDelay: -1},
		{MaxAttempts: 3, MaxDelay: -1},
		{MaxAttempts: 3, BaseDelay: time.Second}, // no MaxDelay: every wait would be 0
		{MaxAttempts: 3, BaseDelay: time.Second, MaxDelay: time.Millisecond},
	} {
		_, err := NewClient(testKeyID, testSecret, WithRetry(p))
		assert.Error(t, err, "%+v", p)
	}
	for _, p := range []RetryPolicy{NoRetry, DefaultRetryPolicy, {MaxAttempts: 3}, {MaxAttempts: 2, BaseDelay: time.Second, MaxDelay: time.Second}} {
		_, err := NewClient(testKeyID, testSecret, WithRetry(p))
		assert.NoError(t, err, "%+v", p)
	}
}

// TestRetryMaxAttempts: the policy's count is honoured exactly, and the
// final error still matches its sentinel and says how many attempts.
func TestRetryMaxAttempts(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 5} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			c, srv := newHostile(t, WithRetry(RetryPolicy{MaxAttempts: n, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
			sleeps := recordSleeps(c)
			srv.answer("DescribeZones", 500, internalJSON)
			_, err := c.DescribeZones(context.Background(), nil)
			require.ErrorIs(t, err, ErrInternalError)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, n, apiErr.Attempts)
			assert.Len(t, srv.sentFor("DescribeZones"), n)
			assert.Len(t, sleeps(), n-1)
			if n > 1 {
				assert.Contains(t, err.Error(), fmt.Sprintf("after %d attempts", n))
			}
		})
	}
}

// TestDefaultRetryPolicy: a new client retries reads three times with the
// documented delays.
func TestDefaultRetryPolicy(t *testing.T) {
	t.Parallel()
	assert.Equal(t, RetryPolicy{MaxAttempts: 3, BaseDelay: 100 * time.Millisecond, MaxDelay: 5 * time.Second}, DefaultRetryPolicy)
	c, err := NewClient(testKeyID, testSecret)
	require.NoError(t, err)
	assert.Equal(t, DefaultRetryPolicy, c.retry)
	assert.Equal(t, RetryPolicy{MaxAttempts: 1}, NoRetry)
}

// TestContextStopsCallAndBackoff: a deadline ends a hanging request and a
// long backoff promptly, and the error matches the context's.
func TestContextStopsCallAndBackoff(t *testing.T) {
	t.Parallel()
	t.Run("hanging server", func(t *testing.T) {
		t.Parallel()
		arrived := make(chan struct{}, 3)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			arrived <- struct{}{}
			<-r.Context().Done()
		}))
		t.Cleanup(srv.Close)
		c, err := NewClient(testKeyID, testSecret, WithEndpoint(srv.URL), WithRetry(DefaultRetryPolicy))
		require.NoError(t, err)
		ctx := newExpiringContext()
		go func() { <-arrived; ctx.expire() }() // the deadline passes while the server holds the request
		_, err = c.DescribeZones(ctx, nil)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		var trErr *TransportError
		require.ErrorAs(t, err, &trErr)
		assert.Empty(t, arrived, "no retry once the deadline passed")
	})
	t.Run("long backoff", func(t *testing.T) {
		t.Parallel()
		c, srv := newHostile(t, WithRetry(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Minute}))
		ctx := newExpiringContext()
		var asked time.Duration
		c.sleep = func(sctx context.Context, d time.Duration) error {
			asked = d
			ctx.expire() // the deadline passes during the minute's wait
			return sleepContext(sctx, d)
		}
		srv.answerWith("DescribeZones", 503, http.Header{"Retry-After": {"60"}}, unavailableHTML)
		_, err := c.DescribeZones(ctx, nil)
		assert.Equal(t, time.Minute, asked, "the wait that was cut short")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr, "the failure that led to the wait is kept")
		assert.Equal(t, 503, apiErr.HTTPStatus)
		assert.Len(t, srv.sentFor("DescribeZones"), 1)
	})
	t.Run("cancel", func(t *testing.T) {
		t.Parallel()
		c, srv := newHostile(t, WithRetry(DefaultRetryPolicy))
		srv.misbehave("DescribeZones", hang)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel)
		_, err := c.DescribeZones(ctx, nil)
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("already done", func(t *testing.T) {
		t.Parallel()
		c, srv := newHostile(t, WithRetry(DefaultRetryPolicy))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.CreateLoadBalancer(ctx, goodCreate())
		require.ErrorIs(t, err, context.Canceled)
		assert.Empty(t, srv.sentFor(""), "nothing is sent with a dead context")
	})
}

func TestSleepContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(10*time.Millisecond, cancel)
	assert.ErrorIs(t, sleepContext(ctx, time.Hour), context.Canceled, "an hour's wait ends when the context does")

	assert.NoError(t, sleepContext(context.Background(), time.Millisecond))
	assert.NoError(t, sleepContext(context.Background(), 0))
	assert.ErrorIs(t, sleepContext(ctx, 0), context.Canceled, "a done context ends even a zero wait")
}

// calls returns the valid call of one action.
func calls(t testing.TB, action string) actionCall {
	for _, ac := range validCalls(t) {
		if ac.action == action {
			return ac
		}
	}
	t.Fatalf("no call for %s", action)
	return actionCall{}
}
