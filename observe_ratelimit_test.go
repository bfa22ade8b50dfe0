package cdslb

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestObservedRateLimitWaitIsTheClientsWait: AttemptStart.RateLimitWait
// is the wait the rate limit imposed, on the Client's clock (WithClock),
// and a whole-set write's token, taken ahead of its check read, is
// reported on the write's attempt: the waits the observer sees add up to
// the waits the Client slept for the limit. Before, it was the real time
// spent (none under a clock that advances at once), and the prepaid
// token's wait was reported nowhere.
func TestObservedRateLimitWaitIsTheClientsWait(t *testing.T) {
	t.Parallel()
	f := newFrontedFake(t, 0)
	id := f.instanceWithListeners(t, 2)
	rec := &recorder{}
	c := f.client(t, WithRateLimit(1, 1), WithObserver(rec))
	slept := f.countSleeps(c)
	ctx := context.Background()
	_, err := c.DescribeLoadBalancers(ctx, nil)
	require.NoError(t, err)
	_, err = c.DescribeLoadBalancers(ctx, nil)
	require.NoError(t, err)
	_, err = c.UpdateListener(ctx, id, "l-0", func(_ *HTTPListener, tcp *TCPListener) error { tcp.ListenerPort = 2000; return nil })
	require.NoError(t, err)

	var reported time.Duration
	var writeWait time.Duration
	for _, e := range rec.all() {
		if a, ok := e.Event.(AttemptStart); ok {
			reported += a.RateLimitWait
			if a.Action == "ModifyLoadBalancerStrategys" {
				writeWait = a.RateLimitWait
			}
		}
	}
	require.Greater(t, slept(), 3*time.Second, "the limit made the client wait")
	assert.InDelta(t, slept().Seconds(), reported.Seconds(), 0.05, "the observer sees every wait")
	assert.Greater(t, writeWait, 500*time.Millisecond, "the prepaid token's wait is the write's")
}
