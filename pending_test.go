package cdslb

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUploadedButNotListedCertificateIsPending: an upload the service
// acknowledged whose certificate is not yet listed (the listing lags)
// leaves the name pending on the Client, as a lost answer does: the next
// EnsureCertificate for the name lists, and never uploads a second
// certificate of the name. Before, it uploaded again.
func TestUploadedButNotListedCertificateIsPending(t *testing.T) {
	t.Parallel()
	certPEM, keyPEM := testCertificate(t, "ec")
	f := newFrontedFake(t, 0)
	c := f.client(t)
	var lag atomic.Bool // the listing lags behind the upload
	lag.Store(true)
	f.hook("DescribeCACertificates", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if lag.Load() {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"Code":"Success","Message":"","Data":[]}`))
			return
		}
		next.ServeHTTP(w, r)
	})
	req := &UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM, CertificateName: "www"}
	_, created, err := c.EnsureCertificate(context.Background(), req)
	require.Error(t, err)
	assert.True(t, created)
	require.Equal(t, 1, f.requests("UploadCACertificate"))

	_, _, err = c.EnsureCertificate(context.Background(), req)
	require.ErrorIs(t, err, ErrOutcomeUnknown, "still not listed: pending, not uploaded again")
	assert.Equal(t, 1, f.requests("UploadCACertificate"), "one upload of the name on one Client")

	lag.Store(false)
	cert, created, err := c.EnsureCertificate(context.Background(), req)
	require.NoError(t, err)
	assert.False(t, created)
	assert.NotEmpty(t, cert.CertificateID)
	assert.Equal(t, 1, f.requests("UploadCACertificate"))
}

// TestCreateInterruptedByAPanickingObserverIsPending: an observer that
// panics at the end of a create's attempt (its bug) interrupts
// EnsureLoadBalancer after the create was sent: the panic goes on to the
// caller, but the name stays pending, so that the next Ensure on the
// Client never creates a second instance while the first may appear.
func TestCreateInterruptedByAPanickingObserverIsPending(t *testing.T) {
	t.Parallel()
	for _, method := range []string{"EndAttempt", "EndCall"} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			f := newFrontedFake(t, 0)
			c := f.client(t, WithObserver(&panicsAtCreate{method: method}))
			c.now = (&busyClock{now: time.Now()}).Now
			f.hook("CreateLoadBalancer", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				next.ServeHTTP(httptest.NewRecorder(), r) // placed, but listed only later
				abort()
			})
			hidden := hideListing(f)
			grace := []WaitOption{WithPollInterval(time.Millisecond, time.Millisecond), WithNotFoundGrace(10 * time.Millisecond)}
			func() {
				defer func() { assert.NotNil(t, recover(), "the observer's panic goes on") }()
				_, _, _ = c.EnsureLoadBalancer(context.Background(), goodCreate(), grace...)
			}()
			require.Equal(t, 1, f.requests("CreateLoadBalancer"))

			_, _, err := c.EnsureLoadBalancer(context.Background(), goodCreate(), grace...)
			require.ErrorIs(t, err, ErrOutcomeUnknown, "pending: listed, not created")
			assert.Equal(t, 1, f.requests("CreateLoadBalancer"), "one create of the name on one Client")

			hidden.Store(false)
			_, created, err := c.EnsureLoadBalancer(context.Background(), goodCreate(), grace...)
			require.NoError(t, err)
			assert.False(t, created)
			assert.Equal(t, 1, f.requests("CreateLoadBalancer"))
		})
	}
}

// panicsAtCreate is an observer that panics in its method of that name
// for CreateLoadBalancer, once.
type panicsAtCreate struct {
	NopObserver
	method string
	done   atomic.Bool
}

func (o *panicsAtCreate) maybe(method, action string) {
	if o.method == method && action == "CreateLoadBalancer" && o.done.CompareAndSwap(false, true) {
		panic("observer panics in " + method)
	}
}

func (o *panicsAtCreate) EndCall(_ context.Context, e CallEnd)       { o.maybe("EndCall", e.Action) }
func (o *panicsAtCreate) EndAttempt(_ context.Context, e AttemptEnd) { o.maybe("EndAttempt", e.Action) }

// TestEnsureAfterASeenCreateWhoseWaitEndedCreatesAgainOnceItIsGone: a
// create whose instance the wait saw listed (CREATING) before its context
// ended is no longer pending: once that instance is deleted, the next
// EnsureLoadBalancer on the Client creates the name again, instead of
// waiting for a create that has long shown up.
func TestEnsureAfterASeenCreateWhoseWaitEndedCreatesAgainOnceItIsGone(t *testing.T) {
	t.Parallel()
	f := newFrontedFake(t, time.Minute)
	c := f.client(t)
	c.now = f.clock.Now
	sleep := c.sleep
	c.sleep = func(ctx context.Context, d time.Duration) error { return context.DeadlineExceeded } // the wait's context ends at its first pause
	_, created, err := c.EnsureLoadBalancer(context.Background(), goodCreate())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.True(t, created)
	assert.Contains(t, err.Error(), "CREATING", "the wait saw it listed")
	c.sleep = sleep

	f.clock.advance(2 * time.Minute) // well within PendingCreatePeriod
	lbs := c.mustList(t)
	require.Len(t, lbs, 1)
	_, err = c.DeleteLoadBalancer(context.Background(), &DeleteLoadBalancerRequest{InstanceUUID: lbs[0].InstanceUUID})
	require.NoError(t, err)
	f.clock.advance(2 * time.Minute) // well within PendingCreatePeriod
	require.Empty(t, c.mustList(t))

	_, created, err = c.EnsureLoadBalancer(context.Background(), goodCreate(), WithPollInterval(time.Second, time.Second))
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, 2, f.requests("CreateLoadBalancer"))
}

// TestCreateInterruptedByAPanickingTransportIsPending: a caller's
// RoundTripper that panics after sending the create leaves the name pending
// all the same: the next Ensure never creates a second instance while the
// first may appear. Also with an observer whose contexts do not derive from
// the caller's, which hold none of the library's values.
func TestCreateInterruptedByAPanickingTransportIsPending(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string][]Option{"no observer": nil, "an observer of other contexts": {WithObserver(otherContexts{})}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFrontedFake(t, 0)
			var panicked atomic.Bool
			rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				resp, err := http.DefaultTransport.RoundTrip(r)
				if r.URL.Query().Get("Action") == "CreateLoadBalancer" && panicked.CompareAndSwap(false, true) {
					panic("transport panics after sending")
				}
				return resp, err
			})
			c := f.client(t, append(opts, WithHTTPClient(&http.Client{Transport: rt}))...)
			c.now = f.clock.Now
			hideListing(f)
			grace := []WaitOption{WithPollInterval(time.Millisecond, time.Millisecond), WithNotFoundGrace(10 * time.Millisecond)}
			assert.Panics(t, func() { _, _, _ = c.EnsureLoadBalancer(context.Background(), goodCreate(), grace...) })
			require.Equal(t, 1, f.requests("CreateLoadBalancer"))

			_, _, err := c.EnsureLoadBalancer(context.Background(), goodCreate(), grace...)
			require.ErrorIs(t, err, ErrOutcomeUnknown, "pending: listed, not created")
			assert.Equal(t, 1, f.requests("CreateLoadBalancer"), "one create of the name on one Client")
		})
	}
}

// otherContexts is an observer that gives each call and attempt a context
// of its own, not derived from the one it was given.
type otherContexts struct{ NopObserver }

func (otherContexts) StartCall(context.Context, CallStart) context.Context {
	return context.Background()
}

func (otherContexts) StartAttempt(context.Context, AttemptStart) context.Context {
	return context.Background()
}

// hideListing makes DescribeLoadBalancers answer an empty list until the
// returned switch is set to false: a create the service placed but does
// not list yet.
func hideListing(f *frontedFake) *atomic.Bool {
	var hidden atomic.Bool
	hidden.Store(true)
	f.hook("DescribeLoadBalancers", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if hidden.Load() {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"Code":"Success","Message":"","Data":[]}`))
			return
		}
		next.ServeHTTP(w, r)
	})
	return &hidden
}
