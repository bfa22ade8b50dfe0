package cdslb

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pathStub answers DescribeLBInstanceListeners by path: what the test
// sets for /lb/ and for /paas/monitor/, and records the paths asked.
type pathStub struct {
	mu          sync.Mutex
	lb, monitor stubAnswer
	asked       []string
}

func (s *pathStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.ReadAll(r.Body)
	s.mu.Lock()
	s.asked = append(s.asked, r.URL.Path)
	a := s.lb
	if strings.HasPrefix(r.URL.Path, "/paas/monitor/") {
		a = s.monitor
	}
	s.mu.Unlock()
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

func (s *pathStub) set(lb, monitor stubAnswer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lb, s.monitor, s.asked = lb, monitor, nil
}

func (s *pathStub) paths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asked
}

// TestListenersPathFallsBackOnlyOnTheAPIsAnswer: DescribeLBInstanceListeners
// asks at /paas/monitor only when /lb answers, as the API, that it does
// not serve the action there; a page that is not the API's (a proxy's
// HTML 404) is returned and never makes the client leave /lb. Once at
// /paas/monitor, it asks at /lb again after ListenersPathRecheck.
func TestListenersPathFallsBackOnlyOnTheAPIsAnswer(t *testing.T) {
	t.Parallel()
	stub := &pathStub{}
	srv := httptest.NewServer(stub)
	t.Cleanup(srv.Close)
	c, err := NewClient(testKeyID, testSecret, WithEndpoint(srv.URL), WithRetry(NoRetry))
	require.NoError(t, err)
	clock := &busyClock{now: time.Now()}
	c.now = clock.Now
	ok := stubAnswer{status: http.StatusOK, body: fixture(t, "DescribeLBInstanceListeners")}
	htmlNotFound := stubAnswer{status: http.StatusNotFound, body: "<html><body><h1>404 Not Found</h1></body></html>"}
	unsupported := stubAnswer{status: http.StatusNotFound, body: `{"Code":"UnsupportedOperation","Message":"not here"}`}
	noInstance := stubAnswer{status: http.StatusNotFound, body: `{"Code":"ResourceNotFound","Message":"no such instance"}`}
	ctx := context.Background()
	call := func() error {
		_, err := c.DescribeLBInstanceListeners(ctx, &DescribeLBInstanceListenersRequest{InstanceUUID: fixtureInstanceUUID})
		return err
	}

	for _, notTheAPIs := range []stubAnswer{htmlNotFound, noInstance, {status: http.StatusBadGateway, body: "bad gateway"}} {
		stub.set(notTheAPIs, ok)
		require.Error(t, call(), notTheAPIs.body)
		assert.Equal(t, []string{"/lb/"}, stub.paths(), "%s: not a reason to leave /lb", notTheAPIs.body)
	}

	stub.set(unsupported, ok)
	require.NoError(t, call())
	require.NoError(t, call())
	assert.Equal(t, []string{"/lb/", "/paas/monitor/", "/paas/monitor/"}, stub.paths(), "found at /paas/monitor, and asked there")

	clock.advance(ListenersPathRecheck - time.Second)
	stub.set(ok, ok)
	require.NoError(t, call())
	assert.Equal(t, []string{"/paas/monitor/"}, stub.paths(), "within the period")
	clock.advance(time.Second)
	stub.set(ok, ok)
	require.NoError(t, call())
	require.NoError(t, call())
	assert.Equal(t, []string{"/lb/", "/lb/"}, stub.paths(), "checked again at /lb, which answers now")
}
