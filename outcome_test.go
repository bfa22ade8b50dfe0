package cdslb

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptrace"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOutcomeUnknownSweep: for every action and every way a call can fail,
// errors.Is(err, ErrOutcomeUnknown) holds exactly when the action changes
// state and the service may have carried the change out. Reads never
// match it, nor do requests refused before sending or answers that say
// the request was not run.
func TestOutcomeUnknownSweep(t *testing.T) {
	t.Parallel()
	type failure struct {
		name    string
		unknown bool // for an action that changes state
		taskID  bool // the error keeps the answer's TaskId
		arrange func(t *testing.T, c *Client, srv *hostileServer, action string) context.Context
	}
	answer := func(status int, body string) func(*testing.T, *Client, *hostileServer, string) context.Context {
		return func(_ *testing.T, _ *Client, srv *hostileServer, action string) context.Context {
			srv.answer(action, status, body)
			return context.Background()
		}
	}
	failures := []failure{
		{"dropped after the request", true, false, func(_ *testing.T, _ *Client, srv *hostileServer, action string) context.Context {
			srv.misbehave(action, reset)
			return context.Background()
		}},
		{"gateway page", true, false, answer(http.StatusBadGateway, "<html>Bad Gateway</html>")},
		{"not JSON with 200", true, false, answer(http.StatusOK, "OK")},
		{"5xx", true, true, answer(http.StatusInternalServerError, `{"Code":"InternalError","Message":"boom","TaskId":"task-9"}`)},
		{"503 throttling", true, true, answer(http.StatusServiceUnavailable, `{"Code":"Throttling","TaskId":"task-9"}`)},
		{"spent nonce", true, true, answer(http.StatusForbidden, `{"Code":"SignatureNonceUsed","Message":"nonce used","TaskId":"task-9"}`)},
		{"too large", true, false, func(_ *testing.T, c *Client, srv *hostileServer, action string) context.Context {
			c.maxBody = 64
			srv.answer(action, http.StatusOK, `{"Code":"Success","Message":"`+strings.Repeat("x", 100)+`"}`)
			return context.Background()
		}},
		{"invalid parameter", false, true, answer(http.StatusBadRequest, `{"Code":"InvalidParameter","TaskId":"task-9"}`)},
		{"busy", false, true, answer(http.StatusConflict, `{"Code":"ResourceInUse","TaskId":"task-9"}`)},
		{"429", false, false, answer(http.StatusTooManyRequests, `{"Code":"RequestLimitExceeded"}`)},
		{"auth failure", false, false, answer(http.StatusForbidden, `{"Code":"SignatureDoesNotMatch"}`)},
		{"connection refused", false, false, func(t *testing.T, c *Client, _ *hostileServer, _ string) context.Context {
			require.NoError(t, WithEndpoint("http://"+closedAddr(t))(c))
			return context.Background()
		}},
		{"TLS handshake failed", false, false, func(t *testing.T, c *Client, srv *hostileServer, _ string) context.Context {
			require.NoError(t, WithEndpoint("https://"+strings.TrimPrefix(srv.URL, "http://"))(c)) // the server speaks plain HTTP
			return context.Background()
		}},
		{"caller's transport fails, no trace", true, false, func(t *testing.T, c *Client, _ *hostileServer, _ string) context.Context {
			require.NoError(t, WithHTTPClient(&http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
				return nil, errors.New("no responder") // it may have sent the request: nothing says otherwise
			})})(c))
			return context.Background()
		}},
		{"context ended before sending", false, false, func(*testing.T, *Client, *hostileServer, string) context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}},
	}
	for _, f := range failures {
		for _, ac := range validCalls(t) {
			t.Run(f.name+"/"+ac.action, func(t *testing.T) {
				t.Parallel()
				c, srv := newHostile(t)
				ctx := f.arrange(t, c, srv, ac.action)
				_, err := ac.call(ctx, c)
				require.Error(t, err)
				want := f.unknown && !ac.readOnly
				assert.Equal(t, want, errors.Is(err, ErrOutcomeUnknown), "ErrOutcomeUnknown: %v", err)
				assert.Equal(t, want, strings.Contains(err.Error(), "outcome is unknown"), "the message says so: %v", err)
				assert.NotContains(t, err.Error(), "cdslb: cdslb:")
				if f.taskID {
					var apiErr *APIError
					require.ErrorAs(t, err, &apiErr)
					assert.Equal(t, "task-9", apiErr.TaskID)
				}
			})
		}
	}
}

// TestRefusedBeforeSendingIsNeverOutcomeUnknown: validation refusals (here
// a nil context, which every action refuses) send nothing and never match
// ErrOutcomeUnknown or ErrMalformedAnswer.
func TestRefusedBeforeSendingIsNeverOutcomeUnknown(t *testing.T) {
	t.Parallel()
	var noCtx context.Context
	for _, ac := range validCalls(t) {
		c, srv := newHostile(t)
		_, err := ac.call(noCtx, c)
		require.ErrorIs(t, err, ErrInvalidRequest, ac.action)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown, ac.action)
		assert.NotErrorIs(t, err, ErrMalformedAnswer, ac.action)
		assert.Empty(t, srv.sentFor(""), ac.action)
	}
}

// TestSpentNonce: a read answered SignatureNonceUsed is retried, signed
// afresh, and succeeds; a write so answered is sent once, and its error
// says the service had already received this exact request.
func TestSpentNonce(t *testing.T) {
	t.Parallel()
	const spent = `{"Code":"SignatureNonceUsed","Message":"the nonce was used"}`
	for _, ac := range validCalls(t) {
		t.Run(ac.action, func(t *testing.T) {
			t.Parallel()
			c, srv := newHostile(t, WithRetry(DefaultRetryPolicy))
			srv.answer(ac.action, http.StatusForbidden, spent)
			srv.answer(ac.action, http.StatusOK, `{"Code":"Success","Data":null}`)
			_, err := ac.call(context.Background(), c)
			sent := srv.sentFor(ac.action)
			if ac.readOnly {
				require.NoError(t, err)
				require.Len(t, sent, 2)
				assert.NotEqual(t, sent[0].Nonce, sent[1].Nonce, "the retry is signed afresh")
				return
			}
			require.Error(t, err)
			assert.Len(t, sent, 1)
			assert.ErrorIs(t, err, ErrOutcomeUnknown)
			assert.Contains(t, err.Error(), "the service had already received this exact request")
		})
	}
}

// TestWriteWaitingForConnection: a write whose context ends while it waits
// for a free connection never left, so its outcome is known, and nothing
// reached the service. A write that never left is retried by the policy.
func TestWriteWaitingForConnection(t *testing.T) {
	t.Parallel()
	c, srv := newHostile(t)
	c.transport.MaxConnsPerHost = 1
	srv.misbehave("DescribeZones", hang)
	busy, stop := context.WithCancel(context.Background())
	held := make(chan error, 1)
	go func() { _, err := c.DescribeZones(busy, nil); held <- err }()
	for len(srv.sentFor("DescribeZones")) == 0 { // the only connection is taken
		runtime.Gosched()
	}

	ctx, cancel := context.WithCancel(context.Background())
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GetConn: func(string) { cancel() }})
	_, err := c.CreateLoadBalancer(ctx, goodCreate())
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	assert.Empty(t, srv.sentFor("CreateLoadBalancer"))
	stop()
	require.Error(t, <-held)

	t.Run("retried", func(t *testing.T) {
		c, srv := newHostile(t, WithRetry(RetryPolicy{MaxAttempts: 3}))
		require.NoError(t, WithEndpoint("https://"+strings.TrimPrefix(srv.URL, "http://"))(c))
		_, err := c.CreateLoadBalancer(context.Background(), goodCreate())
		var te *TransportError
		require.ErrorAs(t, err, &te)
		assert.Equal(t, 3, te.Attempts, "a write that never left is retried: %v", err)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	})
}
