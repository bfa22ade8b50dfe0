package cdslb

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	listedNone   = `{"Code":"Success","Message":"Success.","Data":[]}`
	notFound     = `{"Code":"ResourceNotFound","Message":"instance not found"}`
	internalErr  = `{"Code":"InternalError","Message":"try later"}`
	unavailable  = `<html><body>503 Service Temporarily Unavailable</body></html>`
	invalidParam = `{"Code":"InvalidParameter","Message":"InstanceUuid is malformed"}`
	forbidden    = `{"Code":"AuthFailure","Message":"signature mismatch"}`
)

// fakeClock stands in for the waiter's clock: sleeping records the delay
// and moves the time on at once, so no test waits for real.
type fakeClock struct {
	now   time.Time
	slept []time.Duration
}

func (f *fakeClock) option() WaitOption {
	return func(c *waitConfig) {
		c.now = func() time.Time { return f.now }
		c.sleep = func(ctx context.Context, d time.Duration) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			f.slept = append(f.slept, d)
			f.now = f.now.Add(d)
			return nil
		}
	}
}

// elapsed is the fake time spent sleeping.
func (f *fakeClock) elapsed() time.Duration {
	var sum time.Duration
	for _, d := range f.slept {
		sum += d
	}
	return sum
}

func newWaitStub(t *testing.T) (*Client, *apiStub, *fakeClock) {
	c, stub := newStub(t)
	return c, stub, &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func TestWaitUntilRunningReturnsTheRunningInstance(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "CREATING")).
		answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "CREATING")).
		answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, StatusRunning))

	lb, err := c.WaitUntilRunning(context.Background(), waitUUID, clock.option())
	require.NoError(t, err)
	assert.Equal(t, waitUUID, lb.InstanceUUID)
	assert.Equal(t, StatusRunning, lb.Status)

	polls := stub.requests("DescribeLoadBalancers")
	require.Len(t, polls, 3)
	for _, p := range polls {
		assert.Equal(t, waitUUID, p.Query.Get("InstanceUuid"), "each poll asks for the one instance")
	}
	assert.Len(t, clock.slept, 2, "one sleep between polls, none after the last")
}

func TestWaitUntilRunningStopsAtTheContextDeadline(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t) // the real sleep: it must end when the context does
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "CREATING"))
	ctx := newExpiringContext()
	c.sleep = func(sctx context.Context, d time.Duration) error {
		ctx.expire() // the deadline passes during the first wait
		return sleepContext(sctx, d)
	}

	_, err := c.WaitUntilRunning(ctx, waitUUID, WithPollInterval(time.Hour, time.Hour))

	require.ErrorIs(t, err, context.DeadlineExceeded)
	var we *WaitError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, waitUUID, we.InstanceUUID)
	assert.Equal(t, "CREATING", we.Status)
	assert.Contains(t, err.Error(), "CREATING", "the error says where the instance was stuck")
}

func TestWaitUntilRunningStopsWhenCanceled(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "CREATING"))
	ctx, cancel := context.WithCancel(context.Background())
	polls := 0
	_, err := c.WaitUntil(ctx, waitUUID, func(lb *LoadBalancer) (bool, error) {
		if polls++; polls == 3 {
			cancel()
		}
		return false, nil
	}, clock.option())
	require.ErrorIs(t, err, context.Canceled)
	assert.Len(t, stub.requests("DescribeLoadBalancers"), 3, "no poll after the context ended")
}

func TestWaitUntilRunningFailsFastOnAFailedStatus(t *testing.T) {
	t.Parallel()
	for _, status := range []string{"CREATE_FAILED", "error", "Change_Error"} {
		t.Run(status, func(t *testing.T) {
			t.Parallel()
			c, stub, clock := newWaitStub(t)
			stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "CREATING")).
				answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, status))

			_, err := c.WaitUntilRunning(context.Background(), waitUUID, clock.option())
			require.ErrorIs(t, err, ErrWaitFailed)
			var we *WaitError
			require.ErrorAs(t, err, &we)
			assert.Equal(t, WaitError{InstanceUUID: waitUUID, Status: status, Err: ErrWaitFailed}, *we)
			assert.Contains(t, err.Error(), waitUUID)
			assert.Contains(t, err.Error(), status)
			assert.Equal(t, 1, strings.Count(err.Error(), "cdslb:"), "said once: %s", err)
			assert.Len(t, stub.requests("DescribeLoadBalancers"), 2)
		})
	}
}

func TestWaitUntilRunningToleratesAMissingInstanceWithinTheGrace(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listedNone).
		answer("DescribeLoadBalancers", http.StatusNotFound, notFound).
		answer("DescribeLoadBalancers", http.StatusOK, listed("another-instance", StatusRunning)).
		answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, StatusRunning))

	lb, err := c.WaitUntilRunning(context.Background(), waitUUID, clock.option(),
		WithPollInterval(10*time.Second, 10*time.Second), WithNotFoundGrace(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, waitUUID, lb.InstanceUUID)
	assert.Len(t, stub.requests("DescribeLoadBalancers"), 4)
}

func TestWaitUntilRunningFailsWhenTheInstanceStaysMissing(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listedNone)

	_, err := c.WaitUntilRunning(context.Background(), waitUUID, clock.option(),
		WithPollInterval(10*time.Second, 10*time.Second), WithNotFoundGrace(30*time.Second))
	require.ErrorIs(t, err, ErrResourceNotFound)
	var we *WaitError
	require.ErrorAs(t, err, &we)
	assert.Empty(t, we.Status, "never seen")
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr), "the service said nothing of the kind: no APIError is made up")
	assert.GreaterOrEqual(t, clock.elapsed(), 30*time.Second, "not before the grace is over")
	assert.Less(t, clock.elapsed(), 45*time.Second, "nor long after")
}

func TestWaitUntilRunningWithoutGraceFailsAtTheFirstMiss(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listedNone)

	_, err := c.WaitUntilRunning(context.Background(), waitUUID, clock.option(), WithNotFoundGrace(0))
	require.ErrorIs(t, err, ErrResourceNotFound)
	assert.Len(t, stub.requests("DescribeLoadBalancers"), 1)
	assert.Empty(t, clock.slept)
}

func TestWaitUntilRunningPollsThroughTransientErrors(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t) // the stub's client does not retry: the waiter must
	stub.answer("DescribeLoadBalancers", http.StatusServiceUnavailable, unavailable).
		answer("DescribeLoadBalancers", http.StatusTooManyRequests, `{"Code":"Throttling","Message":"slow down"}`).
		answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, StatusRunning))

	lb, err := c.WaitUntilRunning(context.Background(), waitUUID, clock.option())
	require.NoError(t, err)
	assert.Equal(t, StatusRunning, lb.Status)
	assert.Len(t, stub.requests("DescribeLoadBalancers"), 3)
}

func TestWaitUntilRunningReturnsAPermanentErrorAtOnce(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "CREATING")).
		answer("DescribeLoadBalancers", http.StatusBadRequest, invalidParam)

	_, err := c.WaitUntilRunning(context.Background(), waitUUID, clock.option())
	require.ErrorIs(t, err, ErrInvalidParameter)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.HTTPStatus)
	var we *WaitError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, "CREATING", we.Status)
	assert.Len(t, stub.requests("DescribeLoadBalancers"), 2)
}

func TestWaitUntilRefusesAnEmptyInstanceUUID(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	err := c.WaitUntilDeleted(context.Background(), " ", clock.option())
	require.ErrorIs(t, err, ErrInvalidRequest, "an empty id would list every instance")
	_, err = c.WaitUntilRunning(context.Background(), "i-\xff", clock.option())
	var ve *ValidationError
	require.ErrorAs(t, err, &ve, "an id that is not valid UTF-8")
	assert.Equal(t, "WaitUntil", ve.Action)
	assert.Empty(t, stub.requests(""))
}

func TestWaitUntilReturnsTheDoneFunctionsError(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "CHANGING"))
	boom := errors.New("boom")
	_, err := c.WaitUntil(context.Background(), waitUUID, func(*LoadBalancer) (bool, error) { return false, boom }, clock.option())
	require.ErrorIs(t, err, boom)
	var we *WaitError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, "CHANGING", we.Status)
}

func TestWaitUntilDeletedReturnsOnceTheListIsEmpty(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, StatusRunning)).
		answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "DELETING")).
		answer("DescribeLoadBalancers", http.StatusOK, listedNone)

	require.NoError(t, c.WaitUntilDeleted(context.Background(), waitUUID, clock.option()))
	assert.Len(t, stub.requests("DescribeLoadBalancers"), 3)
}

func TestWaitUntilDeletedReturnsOnResourceNotFound(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "DELETING")).
		answer("DescribeLoadBalancers", http.StatusNotFound, notFound)

	require.NoError(t, c.WaitUntilDeleted(context.Background(), waitUUID, clock.option()))
	assert.Len(t, stub.requests("DescribeLoadBalancers"), 2)
}

func TestWaitUntilDeletedFailsOnAFailedDeletion(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "DELETE_FAILED"))
	err := c.WaitUntilDeleted(context.Background(), waitUUID, clock.option())
	require.ErrorIs(t, err, ErrWaitFailed)
}

func TestWaitUntilDeletedReturnsAPersistentInternalError(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "DELETING")).
		answer("DescribeLoadBalancers", http.StatusInternalServerError, internalErr)

	err := c.WaitUntilDeleted(context.Background(), waitUUID, clock.option(), WithPollInterval(5*time.Second, 5*time.Second))
	require.Error(t, err, "an error is never taken to mean deleted")
	require.ErrorIs(t, err, ErrInternalError)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusInternalServerError, apiErr.HTTPStatus)
	assert.Greater(t, len(stub.requests("DescribeLoadBalancers")), 3, "polled through it for a while")
	assert.GreaterOrEqual(t, clock.elapsed(), time.Minute-6*time.Second, "for about a minute")
	assert.Less(t, clock.elapsed(), 2*time.Minute)
}

func TestWaitUntilDeletedReturnsAnAuthErrorAtOnce(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusForbidden, forbidden)

	err := c.WaitUntilDeleted(context.Background(), waitUUID, clock.option())
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "AuthFailure", apiErr.Code)
	assert.Len(t, stub.requests("DescribeLoadBalancers"), 1)
	assert.Empty(t, clock.slept)
}

// TestWaitPauses: the pauses between polls, exact for the default schedule,
// each plus up to a twentieth of jitter for WithPollInterval.
func TestWaitPauses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		opts   []WaitOption
		base   []time.Duration
		jitter bool
	}{
		// The first poll at once, then at 30 s and 60 s, when it could
		// rarely say running, then every 12 s.
		{"default", nil, append([]time.Duration{30 * time.Second, 30 * time.Second}, repeat(12*time.Second, 10)...), false},
		// From min, growing by half up to max. Jitter applies to the capped
		// delays too, so that waiters started together do not poll together.
		{"min to max", []WaitOption{WithPollInterval(time.Second, 5*time.Second)},
			append([]time.Duration{time.Second, 1500 * time.Millisecond, 2250 * time.Millisecond, 3375 * time.Millisecond}, repeat(5*time.Second, 4)...), true},
		{"no min starts at 30 s", []WaitOption{WithPollInterval(0, time.Minute)},
			[]time.Duration{30 * time.Second, 45 * time.Second, time.Minute, time.Minute}, true},
		// A max below min, or none, is min: never a pause shorter than min.
		{"max below min", []WaitOption{WithPollInterval(10*time.Second, time.Second)}, repeat(10*time.Second, 4), true},
		{"no max", []WaitOption{WithPollInterval(10*time.Second, 0)}, repeat(10*time.Second, 4), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, stub, clock := newWaitStub(t)
			for range tc.base {
				stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "CREATING"))
			}
			stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, StatusRunning))

			_, err := c.WaitUntilRunning(context.Background(), waitUUID, append(tc.opts, clock.option())...)
			require.NoError(t, err)
			require.Len(t, clock.slept, len(tc.base), "the first poll at once, then one after each sleep")
			if !tc.jitter {
				assert.Equal(t, tc.base, clock.slept)
				return
			}
			for i, d := range clock.slept {
				assert.GreaterOrEqual(t, d, tc.base[i], "sleep %d", i)
				assert.LessOrEqual(t, d, tc.base[i]+tc.base[i]/20, "sleep %d", i)
			}
			assert.NotEqual(t, tc.base[len(tc.base)-2:], clock.slept[len(tc.base)-2:], "the last delays have jitter")
		})
	}
}
