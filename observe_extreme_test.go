package cdslb

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExtremeOptionsTogetherWithAnObserver: the largest values of every
// Option at once, with an observer, on the helpers that combine the rate
// limit's prepaid token, the instance lock, the settle and the pending
// map: nothing panics, every wait ends with its context, no lock is left,
// and every event reports a wait that is not negative.
func TestExtremeOptionsTogetherWithAnObserver(t *testing.T) {
	t.Parallel()
	f := newFrontedFake(t, 0)
	id := f.instanceWithListeners(t, 1)
	huge := RetryPolicy{MaxAttempts: math.MaxInt, BaseDelay: math.MaxInt64, MaxDelay: math.MaxInt64, RetryConflicts: true}
	for _, opts := range [][]Option{
		{WithRateLimit(math.MaxFloat64, math.MaxInt), WithRetry(huge), WithMaxResponseBytes(math.MaxInt64)},
		{WithRateLimit(math.SmallestNonzeroFloat64, 1), WithRetry(huge), WithMaxResponseBytes(math.MaxInt64)},
	} {
		rec := &recorder{}
		c, err := NewClient(testKeyID, testSecret, append([]Option{WithEndpoint(f.url), WithObserver(rec)}, opts...)...)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		_, _ = c.UpdateListener(ctx, id, "l-0", func(_ *HTTPListener, tcp *TCPListener) error { tcp.MaxConn++; return nil })
		_, _, _ = c.EnsureLoadBalancer(ctx, goodCreate(), WithPollInterval(math.MaxInt64, math.MaxInt64), WithNotFoundGrace(math.MaxInt64))
		_, _ = c.WaitUntilRunning(ctx, id, WithPollInterval(math.MaxInt64, math.MinInt64))
		<-ctx.Done()
		cancel()
		assert.Zero(t, heldFor(c))
		for _, e := range rec.all() {
			if a, ok := e.Event.(AttemptStart); ok {
				assert.GreaterOrEqual(t, a.RateLimitWait, time.Duration(0))
			}
			if a, ok := e.Event.(AttemptEnd); ok {
				assert.GreaterOrEqual(t, a.RetryDelay, time.Duration(0))
			}
		}
	}
}
