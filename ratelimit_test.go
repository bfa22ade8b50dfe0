package cdslb

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithRateLimitRefusesInvalidArguments(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		rate  float64
		burst int
	}{{0, 1}, {-1, 1}, {math.NaN(), 1}, {math.Inf(1), 1}, {1, 0}, {1, -1}} {
		_, err := NewClient("id", "secret", WithRateLimit(tc.rate, tc.burst))
		assert.ErrorContains(t, err, "WithRateLimit", "%v, %d", tc.rate, tc.burst)
	}
	_, err := NewClient("id", "secret", WithRateLimit(0.5, 1))
	assert.NoError(t, err)
}

// 64 goroutines sharing a client under WithRateLimit(20, 5) send no more
// than the bucket allows: 5 at once, then 20 a second. The bound is checked
// against the time the test measured, which can only be longer than the
// limiter's, so load cannot make it fail.
func TestWithRateLimitBoundsAllGoroutines(t *testing.T) {
	t.Parallel()
	const perSecond, burst, stopAfter = 20, 5, 30
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if served.Add(1) >= stopAfter {
			cancel()
		}
		_, _ = w.Write([]byte(`{"Code":"Success","Message":"Success.","Data":[]}`))
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient("id", "secret", WithEndpoint(srv.URL), WithRateLimit(perSecond, burst))
	require.NoError(t, err)

	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, 64)
	for i := range errs {
		wg.Go(func() {
			for {
				if _, err := c.DescribeZones(ctx, nil); err != nil {
					errs[i] = err
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	n := served.Load()
	assert.GreaterOrEqual(t, n, int64(stopAfter))
	assert.LessOrEqual(t, float64(n), burst+perSecond*elapsed.Seconds()+1, "%d requests in %v", n, elapsed)
	for _, err := range errs {
		assert.ErrorIs(t, err, context.Canceled)
	}
}

// Retries take tokens too, and a wait for a token ends with the context,
// with an error that wraps the context's and keeps the last attempt's.
func TestWithRateLimitCountsRetriesAndEndsWithTheContext(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	c, stub := newStub(t, WithRateLimit(0.001, 2), WithRetry(DefaultRetryPolicy),
		WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	stub.answer("DescribeZones", http.StatusInternalServerError, `{"Code":"InternalError","Message":"x"}`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var waits []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		if d > time.Minute { // the third token, 1000 s away: the caller gives up
			cancel()
		}
		return ctx.Err()
	}

	_, err := c.DescribeZones(ctx, nil)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, ErrInternalError, "the last attempt's error is kept")
	assert.ErrorContains(t, err, "rate limit")
	assert.Len(t, stub.requests("DescribeZones"), 2, "two tokens, two attempts")
	require.NotEmpty(t, waits)
	assert.Greater(t, waits[len(waits)-1], time.Minute)
	assert.Contains(t, logs.String(), "cdslb rate limit")
	assert.Contains(t, logs.String(), "waited=0s")

	// The first attempt's wait has no earlier error to keep.
	_, err = c.DescribeZones(ctx, nil)
	var te *TransportError
	require.ErrorAs(t, err, &te)
	assert.True(t, errors.Is(err, context.Canceled))
	assert.Zero(t, te.Attempts)
	assert.False(t, errors.Is(err, ErrOutcomeUnknown))
}
