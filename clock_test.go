package cdslb

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWithClockDrivesEveryWaitOfTheClient: the waiter's pauses and its
// not-found grace, and the retry backoff, all run on the clock given, so
// a test with a clock that moves when slept on takes no real time.
func TestWithClockDrivesEveryWaitOfTheClient(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	sleep := func(ctx context.Context, d time.Duration) error {
		clock.slept = append(clock.slept, d)
		clock.now = clock.now.Add(d)
		return ctx.Err()
	}
	c, stub := newStub(t, WithClock(func() time.Time { return clock.now }, sleep),
		WithRetry(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Hour, MaxDelay: time.Hour}))
	for range 20 {
		stub.answer("DescribeLoadBalancers", http.StatusOK, listedNone)
	}
	start := time.Now()
	_, err := c.WaitUntilRunning(context.Background(), waitUUID)
	require.ErrorIs(t, err, ErrResourceNotFound)
	assert.Equal(t, []time.Duration{30 * time.Second, 30 * time.Second}, clock.slept,
		"the default schedule's pauses, until the minute's grace has passed on the clock")

	clock.slept = nil
	stub.answer("DescribeZones", http.StatusServiceUnavailable, unavailable).answer("DescribeZones", http.StatusOK, `{"Code":"Success","Message":"","Data":[]}`)
	_, err = c.DescribeZones(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, clock.slept, 1, "one backoff, on the clock")
	assert.Less(t, time.Since(start), 5*time.Second, "no wait took real time")

	for _, bad := range []Option{WithClock(nil, sleep), WithClock(time.Now, nil)} {
		_, err := NewClient("id", "secret", bad)
		assert.Error(t, err)
	}
	_, err = NewClient("id", "secret", WithClock(time.Now, func(context.Context, time.Duration) error { return errors.New("x") }))
	assert.NoError(t, err)
}
