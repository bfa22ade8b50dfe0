package cdslb

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
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
	var mu sync.Mutex
	var slept time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		slept += d
		mu.Unlock()
		f.clock.advance(d)
		return ctx.Err()
	}
	_, err := c.UpdateListener(context.Background(), id, "l-0", func(_ *HTTPListener, tcp *TCPListener) error { tcp.MaxConn = 5; return nil })
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	assert.Greater(t, slept, 2*time.Second, "it waited for the instance")
	assert.Less(t, slept, 6*time.Second, "and not much longer than the change took")
}
