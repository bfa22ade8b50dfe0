package cdslb

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cdsgo/cdslb/internal/fakelb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// busyClock is the fake service's clock, moved on by the clients' retry
// sleeps: a client that waits out a 409 lets the instance's change finish.
type busyClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *busyClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *busyClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestConcurrentEditsKeepEveryAcknowledgedChange: UpdateListener with
// RetryConflicts and AddLoadBalancerStrategys race on one instance of the
// fake, which stays busy for a while after each change. Over many rounds,
// every change either call acknowledged (returned nil for) is present at
// the end: the update never resends a set read before a 409.
func TestConcurrentEditsKeepEveryAcknowledgedChange(t *testing.T) {
	t.Parallel()
	const busy = time.Second
	clock := &busyClock{now: time.Now()} // the fake checks request timestamps against it
	fake := fakelb.New(fakelb.Config{AccessKeyID: testKeyID, AccessKeySecret: testSecret, Delay: busy, Now: clock.Now, Seed: 9})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	newClient := func() *Client {
		c, err := NewClient(testKeyID, testSecret, WithEndpoint(srv.URL),
			WithRetry(RetryPolicy{MaxAttempts: 20, RetryConflicts: true}))
		require.NoError(t, err)
		c.sleep = func(ctx context.Context, _ time.Duration) error {
			clock.advance(busy / 4)
			return ctx.Err()
		}
		return c
	}
	ctx := context.Background()
	setup := newClient()
	created, err := setup.CreateLoadBalancer(ctx, goodCreate())
	require.NoError(t, err)
	id := created.InstanceUUIDs[0]
	clock.advance(busy)
	base := goodTCPListener()
	base.ListenerName, base.ListenerPort = "base", 1000
	_, err = setup.AddLoadBalancerStrategys(ctx, &AddLoadBalancerStrategysRequest{InstanceUUID: id, TCPListeners: []TCPListener{base}})
	require.NoError(t, err)
	clock.advance(busy)

	editor, adder := newClient(), newClient()
	var wantMaxConn int
	var wantAdded []string
	for round := 1; round <= 40; round++ {
		var updErr, addErr error
		added := goodTCPListener()
		added.ListenerName, added.ListenerPort = fmt.Sprintf("added-%d", round), 2000+round
		var wg sync.WaitGroup
		wg.Go(func() {
			_, updErr = editor.UpdateListener(ctx, id, "base", func(_ *HTTPListener, tcp *TCPListener) error {
				tcp.MaxConn = round
				return nil
			})
		})
		wg.Go(func() {
			_, addErr = adder.AddLoadBalancerStrategys(ctx, &AddLoadBalancerStrategysRequest{InstanceUUID: id, TCPListeners: []TCPListener{added}})
		})
		wg.Wait()
		if updErr == nil {
			wantMaxConn = round
		} else {
			assert.ErrorIs(t, updErr, ErrListenersChanged, "round %d", round)
		}
		if addErr == nil {
			wantAdded = append(wantAdded, added.ListenerName)
		}
		clock.advance(busy)

		set, err := setup.DescribeLoadBalancerStrategys(ctx, &DescribeLoadBalancerStrategysRequest{InstanceUUID: id})
		require.NoError(t, err)
		var names []string
		for _, l := range set.TCPListeners {
			names = append(names, l.ListenerName)
			if l.ListenerName == "base" && wantMaxConn > 0 {
				assert.Equal(t, wantMaxConn, l.MaxConn, "round %d: the last acknowledged update", round)
			}
		}
		for _, name := range wantAdded {
			require.True(t, slices.Contains(names, name), "round %d: acknowledged listener %s was lost; have %v", round, name, names)
		}
	}
	assert.NotZero(t, wantMaxConn, "some updates went through")
}
