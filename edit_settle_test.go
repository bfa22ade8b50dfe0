package cdslb

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSettlingPollsAsAListenerChangeNeeds: after a listener write whose
// answer was lost, the edit waits for the instance on a schedule made for
// a change that takes seconds (from 1 s, as the README advises for
// listener edits), not the creation schedule's 30 s first pause: it holds
// the instance's lock meanwhile, so every other edit of the instance on
// the Client waits as long. The fake is busy for 2 s after the write.
func TestSettlingPollsAsAListenerChangeNeeds(t *testing.T) {
	t.Parallel()
	f := newFrontedFake(t, 2*time.Second)
	id := f.instanceWithListeners(t, 1)
	f.hook("ModifyLoadBalancerStrategys", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		next.ServeHTTP(httptest.NewRecorder(), r) // it runs; the answer is lost
		abort()
	})
	c := f.client(t)
	slept := f.countSleeps(c)
	_, err := c.UpdateListener(context.Background(), id, "l-0", func(_ *HTTPListener, tcp *TCPListener) error { tcp.MaxConn = 5; return nil })
	require.NoError(t, err)
	assert.Greater(t, slept(), 2*time.Second, "it waited for the instance")
	assert.Less(t, slept(), 6*time.Second, "and not much longer than the change took")
}

// heldFor counts the keys of c the editing lock holds or waits for.
func heldFor(c *Client) int {
	editing.mu.Lock()
	defer editing.mu.Unlock()
	n := 0
	for k := range editing.held {
		if k.c == c {
			n++
		}
	}
	return n
}

// panicsAtWrite is an observer that panics once in EndAttempt of the
// whole-set write, after it was sent, or blocks in its StartAttempt until
// released.
type panicsAtWrite struct {
	NopObserver
	panicked atomic.Bool
	block    chan struct{} // nil: panic instead
	blocked  chan struct{}
}

func (o *panicsAtWrite) StartAttempt(ctx context.Context, e AttemptStart) context.Context {
	if o.block != nil && e.Action == "ModifyLoadBalancerStrategys" && o.panicked.CompareAndSwap(false, true) {
		close(o.blocked)
		<-o.block
	}
	return ctx
}

func (o *panicsAtWrite) EndAttempt(_ context.Context, e AttemptEnd) {
	if o.block == nil && e.Action == "ModifyLoadBalancerStrategys" && o.panicked.CompareAndSwap(false, true) {
		panic("observer panics at the write's end")
	}
}

// TestObserverPanicOrBlockInAnEditKeepsNoLock: an observer's panic at the
// end of an edit's write goes on to the caller with the instance's lock
// released (the next edit runs, and the lock map keeps nothing); an
// observer that blocks inside an edit holds the lock only as long as it
// blocks, and another edit of the instance waits within its own context.
func TestObserverPanicOrBlockInAnEditKeepsNoLock(t *testing.T) {
	t.Parallel()
	f := newFrontedFake(t, 0)
	id := f.instanceWithListeners(t, 2)
	edit := func(c *Client, ctx context.Context, port int) error {
		_, err := c.UpdateListener(ctx, id, "l-0", func(_ *HTTPListener, tcp *TCPListener) error { tcp.ListenerPort = port; return nil })
		return err
	}

	o := &panicsAtWrite{}
	c := f.client(t, WithObserver(o))
	assert.PanicsWithValue(t, "observer panics at the write's end", func() { _ = edit(c, context.Background(), 2001) })
	assert.Zero(t, heldFor(c), "the panic released the lock")
	f.clock.advance(time.Hour)
	require.NoError(t, edit(c, context.Background(), 2002))

	b := &panicsAtWrite{block: make(chan struct{}), blocked: make(chan struct{})}
	cb := f.client(t, WithObserver(b))
	f.clock.advance(time.Hour)
	done := make(chan error)
	go func() { done <- edit(cb, context.Background(), 2003) }()
	<-b.blocked
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := edit(cb, ctx, 2004)
	require.ErrorIs(t, err, context.DeadlineExceeded, "the other edit waits within its context")
	assert.Contains(t, err.Error(), "waiting for another call on the listeners of load balancer "+id)
	close(b.block)
	require.NoError(t, <-done)
	assert.Zero(t, heldFor(cb))
}

// TestSharedClientWithLostAnswersAndAnObserver: 16 goroutines share one
// Client with an observer and a rate limit, each editing its own listener
// of one busy instance, while every other whole-set write runs and loses
// its answer. Every call that returns nil has its change in place, the
// failures are only the busy refusal or an unknown outcome, every Start
// event has its End, and no lock is left.
func TestSharedClientWithLostAnswersAndAnObserver(t *testing.T) {
	t.Parallel()
	const goroutines = 16
	f := newFrontedFake(t, 20*time.Millisecond)
	id := f.instanceWithListeners(t, goroutines)
	var writes atomic.Int32
	f.hook("ModifyLoadBalancerStrategys", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if writes.Add(1)%2 == 0 {
			next.ServeHTTP(httptest.NewRecorder(), r) // it runs; the answer is lost
			abort()
		}
		next.ServeHTTP(w, r)
	})
	rec := &recorder{}
	c := f.client(t, WithObserver(rec), WithRateLimit(100, 2), WithRetry(RetryPolicy{MaxAttempts: 3, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, RetryConflicts: true}))
	errs := make([]error, goroutines)
	var wg sync.WaitGroup
	for i := range goroutines {
		wg.Go(func() {
			_, errs[i] = c.UpdateListener(context.Background(), id, "l-"+strconv.Itoa(i), func(_ *HTTPListener, tcp *TCPListener) error {
				tcp.MaxConn = 7000 + i
				return nil
			})
		})
	}
	wg.Wait()
	f.clock.advance(time.Hour)
	_, tcp := f.set(t, id)
	acknowledged := 0
	for i, err := range errs {
		if err != nil {
			if !errors.Is(err, ErrOutcomeUnknown) {
				assert.ErrorIs(t, err, ErrResourceInUse)
			}
			continue
		}
		acknowledged++
		assert.Equal(t, 7000+i, tcp["l-"+strconv.Itoa(i)], "the acknowledged change of l-%d is in place", i)
	}
	t.Logf("%d of %d calls returned nil", acknowledged, goroutines)
	assert.Positive(t, acknowledged)
	assert.Zero(t, heldFor(c))
	starts, ends := map[string]int{}, map[string]int{}
	updates := 0
	for _, e := range rec.all() {
		if op, ok := e.Event.(OperationStart); ok && op.Operation == "UpdateListener" {
			updates++
		}
		if strings.HasPrefix(e.Method, "Start") {
			starts[strings.TrimPrefix(e.Method, "Start")]++
		} else {
			ends[strings.TrimPrefix(e.Method, "End")]++
		}
	}
	assert.Equal(t, starts, ends, "every Start has its End")
	assert.Equal(t, goroutines, updates, "one UpdateListener operation per call")
}

// TestSettledWriteSaysHowItWasSent: the response of a write whose lost
// answer was settled by reading the set says it was sent once (Attempts),
// as every response does, with no HTTP status, since no answer came.
func TestSettledWriteSaysHowItWasSent(t *testing.T) {
	t.Parallel()
	f := newFrontedFake(t, 0)
	id := f.instanceWithListeners(t, 1)
	f.hook("ModifyLoadBalancerStrategys", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		next.ServeHTTP(httptest.NewRecorder(), r) // it runs; the answer is lost
		abort()
	})
	c := f.client(t)
	resp, err := c.UpdateListener(context.Background(), id, "l-0", func(_ *HTTPListener, tcp *TCPListener) error { tcp.MaxConn = 9; return nil })
	require.NoError(t, err)
	assert.Equal(t, "Success", resp.Code)
	assert.Equal(t, 1, resp.Attempts, "sent once")
	assert.Zero(t, resp.HTTPStatus, "no answer came")
	assert.Empty(t, resp.TaskID)
}

// countSleeps makes c's waits move the fake's clock on, as f.client does,
// and returns the total of the waits so far.
func (f *frontedFake) countSleeps(c *Client) func() time.Duration {
	var mu sync.Mutex
	var slept time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		slept += d
		mu.Unlock()
		f.clock.advance(d)
		return ctx.Err()
	}
	return func() time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return slept
	}
}
