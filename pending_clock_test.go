package cdslb_test

import (
	"context"
	"testing"
	"time"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/cdslbtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPendingCreateOnAnAutoAdvancingClock: with cdslbtest.WithAutoAdvance,
// a create whose answer is lost before it ran is pending for
// PendingCreatePeriod of the clock's time: Ensure calls made meanwhile list
// and never create (each moving the clock by its re-list, in milliseconds
// of real time), and once the period has passed one creates.
func TestPendingCreateOnAnAutoAdvancingClock(t *testing.T) {
	t.Parallel()
	clock := cdslbtest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	srv := cdslbtest.NewServer(t, cdslbtest.WithAutoAdvance(clock))
	c := srv.Client()
	req := createRequest("web")
	require.NoError(t, srv.SetFault("CreateLoadBalancer", cdslbtest.Fault{DropRate: 1}))
	start := clock.Now()
	real := time.Now()
	_, _, err := c.EnsureLoadBalancer(context.Background(), req)
	require.ErrorIs(t, err, cdslb.ErrOutcomeUnknown)
	require.NoError(t, srv.SetFault("CreateLoadBalancer", cdslbtest.Fault{}))
	var lb *cdslb.LoadBalancer
	created := false
	for calls := 1; ; calls++ {
		lb, created, err = c.EnsureLoadBalancer(context.Background(), req)
		if err == nil {
			break
		}
		require.ErrorIs(t, err, cdslb.ErrOutcomeUnknown, "pending at %v", clock.Now().Sub(start))
		require.Equal(t, 1, srv.Requests("CreateLoadBalancer"), "not created while pending")
		require.Less(t, calls, 20)
	}
	assert.GreaterOrEqual(t, clock.Now().Sub(start), cdslb.PendingCreatePeriod, "created again only once the period passed")
	assert.True(t, created)
	assert.Equal(t, cdslb.StatusRunning, lb.Status)
	assert.Equal(t, 2, srv.Requests("CreateLoadBalancer"))
	assert.Less(t, time.Since(real), 10*time.Second, "in milliseconds of real time, under load")
}
