package cdslb

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cdsgo/cdslb/internal/fakelb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests hold a shared Client to its promises (issue 20): edits of
// one instance never lose an acknowledged change, creates of one name
// are never repeated, and unknown outcomes are never resent.

// frontedFake is the fake service behind a front that lets a test step
// into the requests of one action: hook, when set for an action, serves
// the request instead of the fake (next serves it as the fake would).
type frontedFake struct {
	fake  *fakelb.Server
	clock *busyClock
	url   string

	mu    sync.Mutex
	hooks map[string]func(w http.ResponseWriter, r *http.Request, next http.Handler)
	seen  map[string]int
}

func newFrontedFake(t testing.TB, busy time.Duration) *frontedFake {
	t.Helper()
	f := &frontedFake{clock: &busyClock{now: time.Now()}, hooks: map[string]func(http.ResponseWriter, *http.Request, http.Handler){}, seen: map[string]int{}}
	f.fake = fakelb.New(fakelb.Config{AccessKeyID: testKeyID, AccessKeySecret: testSecret, Delay: busy, Now: f.clock.Now, AuthNow: time.Now, Seed: 20})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		action := r.URL.Query().Get("Action")
		f.mu.Lock()
		f.seen[action]++
		hook := f.hooks[action]
		f.mu.Unlock()
		if hook == nil {
			f.fake.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body) // read before the hook waits: the client may hang up
		r.Body = io.NopCloser(bytes.NewReader(body))
		hook(w, r, f.fake)
	}))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

func (f *frontedFake) hook(action string, h func(w http.ResponseWriter, r *http.Request, next http.Handler)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hooks[action] = h
}

func (f *frontedFake) requests(action string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen[action]
}

// client returns a Client of the fake whose retry waits move the fake's
// clock on instead of sleeping.
func (f *frontedFake) client(t testing.TB, opts ...Option) *Client {
	t.Helper()
	c, err := NewClient(testKeyID, testSecret, append([]Option{WithEndpoint(f.url)}, opts...)...)
	require.NoError(t, err)
	c.sleep = func(ctx context.Context, d time.Duration) error {
		f.clock.advance(d)
		return ctx.Err()
	}
	return c
}

// instanceWithListeners creates an instance with n TCP listeners named
// l-0 to l-(n-1) and returns its id.
func (f *frontedFake) instanceWithListeners(t testing.TB, n int) string {
	t.Helper()
	setup := f.client(t)
	created, err := setup.CreateLoadBalancer(context.Background(), goodCreate())
	require.NoError(t, err)
	id := created.InstanceUUIDs[0]
	f.clock.advance(time.Hour)
	var ls []TCPListener
	for i := range n {
		l := goodTCPListener()
		l.ListenerName, l.ListenerPort = fmt.Sprintf("l-%d", i), 1000+i
		ls = append(ls, l)
	}
	if n > 0 {
		_, err = setup.AddLoadBalancerStrategys(context.Background(), &AddLoadBalancerStrategysRequest{InstanceUUID: id, TCPListeners: ls})
		require.NoError(t, err)
	}
	f.clock.advance(time.Hour)
	return id
}

// abort hangs up on the client without an answer, after the request was
// sent: its outcome is unknown to the client.
func abort() { panic(http.ErrAbortHandler) }

// TestSharedClientKeepsEveryAcknowledgedEdit: 32 goroutines share one
// Client, each updating its own listener of one instance, over several
// rounds and in four settings. Every call that returns nil has its change
// in the final set. Without the per-instance lock, most acknowledged
// changes were lost (the later whole-set writes carried the older sets).
func TestSharedClientKeepsEveryAcknowledgedEdit(t *testing.T) {
	t.Parallel()
	const goroutines, rounds = 32, 2
	conflicts := RetryPolicy{MaxAttempts: 3, BaseDelay: 100 * time.Millisecond, MaxDelay: 5 * time.Second, RetryConflicts: true}
	for _, v := range []struct {
		name string
		busy time.Duration
		opts []Option
	}{
		{"default", 0, nil},
		{"WithRateLimit(500, 8)", 0, []Option{WithRateLimit(500, 8)}},
		{"busy 20ms, RetryConflicts", 20 * time.Millisecond, []Option{WithRetry(conflicts)}},
		{"busy 20ms, WithRateLimit(100, 1), RetryConflicts", 20 * time.Millisecond, []Option{WithRateLimit(100, 1), WithRetry(conflicts)}},
	} {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			f := newFrontedFake(t, v.busy)
			id := f.instanceWithListeners(t, goroutines)
			c := f.client(t, v.opts...)
			failures := map[string]int{}
			acknowledged := 0
			for round := 1; round <= rounds; round++ {
				errs := make([]error, goroutines)
				var wg sync.WaitGroup
				for i := range goroutines {
					wg.Go(func() {
						_, errs[i] = c.UpdateListener(context.Background(), id, fmt.Sprintf("l-%d", i), func(_ *HTTPListener, tcp *TCPListener) error {
							tcp.MaxConn = round*1000 + i
							return nil
						})
					})
				}
				wg.Wait()
				f.clock.advance(time.Hour)
				_, tcp := f.set(t, id)
				for i, err := range errs {
					if err != nil {
						failures[err.Error()]++
						continue
					}
					acknowledged++
					assert.Equal(t, round*1000+i, tcp[fmt.Sprintf("l-%d", i)], "round %d: the acknowledged change of l-%d is in place", round, i)
				}
			}
			var report []string
			for msg, n := range failures {
				report = append(report, fmt.Sprintf("%d× %s", n, msg))
			}
			sort.Strings(report)
			t.Logf("%s: %d of %d calls returned nil; errors: %v", v.name, acknowledged, goroutines*rounds, report)
			if v.busy == 0 {
				assert.Equal(t, goroutines*rounds, acknowledged, "no call needs to fail on one Client")
			}
			for msg := range failures { // only an instance busy through every try may fail an edit
				assert.Contains(t, msg, "ResourceInUse (HTTP 409)")
			}
			assert.False(t, lockHeld(c), "no lock entry of the client is left")
		})
	}
}

// set reads the fake's listeners of id: MaxConn by TCP listener name.
func (f *frontedFake) set(t testing.TB, id string) (*DescribeLoadBalancerStrategysResponse, map[string]int) {
	t.Helper()
	set, err := f.client(t).DescribeLoadBalancerStrategys(context.Background(), &DescribeLoadBalancerStrategysRequest{InstanceUUID: id})
	require.NoError(t, err)
	tcp := map[string]int{}
	for _, l := range set.TCPListeners {
		tcp[l.ListenerName] = l.MaxConn
	}
	return set, tcp
}

// TestEditsRetryAChangedSet: another writer changes the set between an
// edit's two reads; UpdateListener reads again and re-applies the
// function instead of failing with ErrListenersChanged, and both changes
// are in place.
func TestEditsRetryAChangedSet(t *testing.T) {
	t.Parallel()
	f := newFrontedFake(t, 0)
	id := f.instanceWithListeners(t, 2)
	other := f.client(t)
	var reads atomic.Int32
	f.hook("DescribeLoadBalancerStrategys", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if reads.Add(1) == 2 { // the edit's second read: someone else got there first
			_, err := other.UpdateListener(context.Background(), id, "l-1", func(_ *HTTPListener, tcp *TCPListener) error { tcp.MaxConn = 11; return nil })
			assert.NoError(t, err)
		}
		next.ServeHTTP(w, r)
	})
	c := f.client(t)
	calls := 0
	_, err := c.UpdateListener(context.Background(), id, "l-0", func(_ *HTTPListener, tcp *TCPListener) error {
		calls++
		tcp.MaxConn = 10
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 2, calls, "the function ran again on the new set")
	f.hook("DescribeLoadBalancerStrategys", nil)
	_, tcp := f.set(t, id)
	assert.Equal(t, 10, tcp["l-0"])
	assert.Equal(t, 11, tcp["l-1"], "the other writer's change is kept")
}

// TestLostListenerWriteAnswerIsSettled: the answer to an edit's write is
// lost after the service ran it. The helper waits for the instance, reads
// the set, sees the set it wrote, and returns success; the write was
// sent once.
func TestLostListenerWriteAnswerIsSettled(t *testing.T) {
	t.Parallel()
	f := newFrontedFake(t, 20*time.Millisecond)
	id := f.instanceWithListeners(t, 2)
	f.hook("ModifyLoadBalancerStrategys", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		next.ServeHTTP(httptest.NewRecorder(), r) // it runs; the answer is lost
		abort()
	})
	c := f.client(t, WithRetry(RetryPolicy{MaxAttempts: 3, RetryConflicts: true}))
	for _, edit := range []func() error{
		func() error {
			_, err := c.UpdateListener(context.Background(), id, "l-0", func(_ *HTTPListener, tcp *TCPListener) error { tcp.MaxConn = 5; return nil })
			return err
		},
		func() error { _, err := c.RemoveListener(context.Background(), id, "l-1"); return err },
	} {
		before := f.requests("ModifyLoadBalancerStrategys")
		require.NoError(t, edit())
		assert.Equal(t, before+1, f.requests("ModifyLoadBalancerStrategys"), "sent once")
	}
	f.clock.advance(time.Hour)
	set, tcp := f.set(t, id)
	assert.Len(t, set.TCPListeners, 1)
	assert.Equal(t, 5, tcp["l-0"])
}

// TestLostListenerWriteAnswerThatCannotBeSettled: when the set read after
// a write of unknown outcome is another writer's, ApplyListeners says
// ErrListenersChanged; when it is still the set before the write, which
// may yet run, the error stays ErrOutcomeUnknown.
func TestLostListenerWriteAnswerThatCannotBeSettled(t *testing.T) {
	t.Parallel()
	f := newFrontedFake(t, 0)
	id := f.instanceWithListeners(t, 2)
	c, other := f.client(t), f.client(t)
	plan := func() *ListenerPlan {
		set, _ := f.set(t, id)
		want := set.TCPListeners[:1]
		p, err := c.PlanListeners(context.Background(), id, nil, want)
		require.NoError(t, err)
		require.False(t, p.Empty())
		return p
	}

	f.hook("ModifyLoadBalancerStrategys", func(http.ResponseWriter, *http.Request, http.Handler) { abort() }) // never runs
	_, err := c.ApplyListeners(context.Background(), plan())
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.NotErrorIs(t, err, ErrListenersChanged)

	f.hook("ModifyLoadBalancerStrategys", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		next.ServeHTTP(httptest.NewRecorder(), r)
		extra := goodTCPListener()
		extra.ListenerName, extra.ListenerPort = "someone-else", 4000
		_, err := other.AddLoadBalancerStrategys(context.Background(), &AddLoadBalancerStrategysRequest{InstanceUUID: id, TCPListeners: []TCPListener{extra}})
		assert.NoError(t, err)
		abort()
	})
	_, err = c.ApplyListeners(context.Background(), plan())
	require.ErrorIs(t, err, ErrListenersChanged)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
}

// TestSetWithTwoListenersOfOneNameIsUnreadable: the instance lists two
// listeners named "a" (ports 80 and 81). Plans and edits refuse the set,
// naming the name, and send nothing: matched by name, one of the two
// would be deleted by the write.
func TestSetWithTwoListenersOfOneNameIsUnreadable(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	a := func(port int) string {
		return fmt.Sprintf(`{"ListenerName":"a","ListenerMode":"tcp","ListenerPort":%d,"Scheduler":"leastconn","MaxConn":100,
			"BackendServer":[{"IP":"10.0.0.1","Port":3306,"Weight":"1","MaxConn":100}]}`, port)
	}
	stub.answer("DescribeLoadBalancerStrategys", http.StatusOK, `{"Code":"Success","Data":{"HttpListeners":[],"TcpListeners":[`+
		a(80)+`,`+a(81)+`,{"ListenerName":"b","ListenerMode":"tcp","ListenerPort":82,"Scheduler":"leastconn","MaxConn":100,
		"BackendServer":[]}]}}`)
	stub.answerFixture("ModifyLoadBalancerStrategys")
	ctx := context.Background()
	_, err := c.PlanListeners(ctx, waitUUID, nil, []TCPListener{{ListenerName: "b", ListenerPort: 82, Scheduler: SchedulerLeastConn, MaxConn: 5}})
	require.ErrorIs(t, err, ErrListenersUnreadable)
	assert.Contains(t, err.Error(), `two listeners are named "a" (tcp port 80 and tcp port 81)`)
	_, err = c.UpdateListener(ctx, waitUUID, "b", func(_ *HTTPListener, tcp *TCPListener) error { tcp.MaxConn = 5; return nil })
	require.ErrorIs(t, err, ErrListenersUnreadable)
	assert.Contains(t, err.Error(), `"a"`)
	_, err = c.RemoveListener(ctx, waitUUID, "b")
	require.ErrorIs(t, err, ErrListenersUnreadable)
	assert.Empty(t, stub.requests("ModifyLoadBalancerStrategys"), "nothing was sent")
	assert.Empty(t, stub.requests("AddLoadBalancerStrategys"), "nothing was sent")
}

// TestUnknownWriteAnswersAreNeverResent: an answer of HTTP 500 or above
// to a write is outcome-unknown whatever its code, and InternalError and
// CreateOrderExcept are at any status: exactly one create is sent, with
// RetryConflicts or without, and the error matches ErrOutcomeUnknown. A
// 409, or ResourceInUse at a 4xx, refused the write: RetryConflicts
// resends it.
func TestUnknownWriteAnswersAreNeverResent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status  int
		code    string
		unknown bool
	}{
		{500, "ResourceInUse", true}, {503, "ResourceInUse", true}, {502, "InvalidParameter", true},
		{200, "InternalError", true}, {400, "InternalError", true}, {409, "InternalError", true},
		{200, "CreateOrderExcept", true}, {400, "CreateOrderExcept", true},
		{409, "ResourceInUse", false}, {400, "ResourceInUse", false}, {409, "Conflict", false},
	} {
		for _, retryConflicts := range []bool{false, true} {
			name := fmt.Sprintf("HTTP %d %s, RetryConflicts %v", tc.status, tc.code, retryConflicts)
			c, stub := newStub(t, WithRetry(RetryPolicy{MaxAttempts: 3, RetryConflicts: retryConflicts}))
			c.sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
			stub.answer("CreateLoadBalancer", tc.status, `{"Code":"`+tc.code+`","Message":"refused"}`)
			_, err := c.CreateLoadBalancer(context.Background(), goodCreate())
			require.Error(t, err, name)
			sent := len(stub.requests("CreateLoadBalancer"))
			if tc.unknown {
				assert.ErrorIs(t, err, ErrOutcomeUnknown, name)
				assert.Equal(t, 1, sent, "%s: sent once", name)
				continue
			}
			assert.NotErrorIs(t, err, ErrOutcomeUnknown, name)
			if retryConflicts {
				assert.Equal(t, 3, sent, "%s: refused without running, so resent", name)
			} else {
				assert.Equal(t, 1, sent, name)
			}
		}
	}
}

// TestUnknownListenerWriteIsNeverResent: the whole-set write of a
// listener helper answered with HTTP 500 ResourceInUse is not resent,
// with RetryConflicts, and stays ErrOutcomeUnknown when the set read
// afterwards is still the set before.
func TestUnknownListenerWriteIsNeverResent(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t, WithRetry(RetryPolicy{MaxAttempts: 3, RetryConflicts: true}))
	c.sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	stub.answer("DescribeLoadBalancerStrategys", http.StatusOK, listing(keepWith("MaxConn", "100")))
	stub.answer("ModifyLoadBalancerStrategys", http.StatusInternalServerError, `{"Code":"ResourceInUse","Message":"busy"}`)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, StatusRunning))
	_, err := c.UpdateListener(context.Background(), waitUUID, "edit", func(_ *HTTPListener, tcp *TCPListener) error { tcp.MaxConn = 7; return nil })
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.Len(t, stub.requests("ModifyLoadBalancerStrategys"), 1, "sent once")
}

// lockHeld reports whether editing has an entry of c.
func lockHeld(c *Client) bool {
	editing.mu.Lock()
	defer editing.mu.Unlock()
	for k := range editing.held {
		if k.c == c {
			return true
		}
	}
	return false
}

// TestEnsureAfterAnEndedContextCreatesOnce: call A's context ends while
// the service is still placing the order, so A's create has an unknown
// outcome and its re-list cannot run. Call B for the same name on the
// same Client, at once, lists (nothing yet) but does not create: it lists
// again until A's instance shows up. One create reaches the service, and
// one instance exists. The same holds for certificates.
func TestEnsureAfterAnEndedContextCreatesOnce(t *testing.T) {
	t.Parallel()
	certPEM, keyPEM := testCertificate(t, "ec")
	for _, tc := range []struct {
		create, list string
		ensure       func(ctx context.Context, c *Client) (bool, error)
		count        func(f *frontedFake) int
	}{
		{"CreateLoadBalancer", "DescribeLoadBalancers",
			func(ctx context.Context, c *Client) (bool, error) {
				_, created, err := c.EnsureLoadBalancer(ctx, goodCreate(), WithPollInterval(time.Millisecond, time.Millisecond))
				return created, err
			},
			func(f *frontedFake) int { return len(f.client(t).mustList(t)) }},
		{"UploadCACertificate", "DescribeCACertificates",
			func(ctx context.Context, c *Client) (bool, error) {
				_, created, err := c.EnsureCertificate(ctx, &UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM, CertificateName: "www"})
				return created, err
			},
			func(f *frontedFake) int {
				list, err := f.client(t).DescribeCACertificates(context.Background(), nil)
				require.NoError(t, err)
				return len(list.Certificates)
			}},
	} {
		t.Run(tc.create, func(t *testing.T) {
			t.Parallel()
			f := newFrontedFake(t, 0)
			c := f.client(t)
			arrived, release, placed := make(chan struct{}), make(chan struct{}), make(chan struct{})
			var creates atomic.Int32
			f.hook(tc.create, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				if creates.Add(1) > 1 {
					next.ServeHTTP(w, r)
					return
				}
				close(arrived)
				<-release // the service is placing the order
				next.ServeHTTP(httptest.NewRecorder(), r)
				close(placed)
			})
			var lists atomic.Int32
			f.hook(tc.list, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, r)
				if lists.Add(1) == 2 { // B's first list: the order is placed just after it is answered
					close(release)
					<-placed
				}
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				w.WriteHeader(rec.Code)
				_, _ = w.Write(rec.Body.Bytes())
			})

			ctxA, cancelA := context.WithCancel(context.Background())
			done := make(chan error)
			go func() { _, err := tc.ensure(ctxA, c); done <- err }()
			<-arrived
			cancelA()
			errA := <-done
			require.ErrorIs(t, errA, ErrOutcomeUnknown)

			created, errB := tc.ensure(context.Background(), c)
			require.NoError(t, errB)
			assert.False(t, created, "B found A's")
			assert.Equal(t, 1, f.requests(tc.create), "one create reached the service")
			assert.Equal(t, 1, tc.count(f), "one exists")
		})
	}
}

// mustList lists every load balancer.
func (c *Client) mustList(t testing.TB) []LoadBalancer {
	t.Helper()
	resp, err := c.DescribeLoadBalancers(context.Background(), nil)
	require.NoError(t, err)
	return resp.LoadBalancers
}

// TestPendingCreateIsForgottenAfterItsPeriod: a pending create keeps a
// Client's Ensure from creating, failing with ErrOutcomeUnknown while
// nothing shows up, until PendingCreatePeriod has passed on the Client's
// clock; then Ensure creates.
func TestPendingCreateIsForgottenAfterItsPeriod(t *testing.T) {
	t.Parallel()
	f := newFrontedFake(t, 0)
	c := f.client(t)
	clock := &busyClock{now: time.Now()}
	c.now = clock.Now
	f.hook("CreateLoadBalancer", func(http.ResponseWriter, *http.Request, http.Handler) { abort() }) // lost, never placed
	grace := []WaitOption{WithPollInterval(time.Millisecond, time.Millisecond), WithNotFoundGrace(10 * time.Millisecond)}
	_, _, err := c.EnsureLoadBalancer(context.Background(), goodCreate(), grace...)
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	require.Equal(t, 1, f.requests("CreateLoadBalancer"))

	f.hook("CreateLoadBalancer", nil)
	clock.advance(PendingCreatePeriod - time.Second)
	_, _, err = c.EnsureLoadBalancer(context.Background(), goodCreate(), grace...)
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "will not create it again")
	assert.Equal(t, 1, f.requests("CreateLoadBalancer"), "not created while pending")

	clock.advance(time.Second)
	_, created, err := c.EnsureLoadBalancer(context.Background(), goodCreate(), grace...)
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, 2, f.requests("CreateLoadBalancer"))
	assert.Len(t, c.mustList(t), 1)
}

// TestNoRateLimitWaitBetweenCheckAndWrite: with WithRateLimit, the whole-set
// write's token is taken before the read that checks the set, so that no
// wait sits between that read and the write, during which the set could
// change unseen.
func TestNoRateLimitWaitBetweenCheckAndWrite(t *testing.T) {
	t.Parallel()
	f := newFrontedFake(t, 0)
	id := f.instanceWithListeners(t, 2)
	c := f.client(t, WithRateLimit(1, 1))
	var mu sync.Mutex
	var events []string
	event := func(e string) { mu.Lock(); events = append(events, e); mu.Unlock() }
	c.sleep = func(ctx context.Context, d time.Duration) error {
		event("wait")
		f.clock.advance(d)
		return ctx.Err()
	}
	for _, action := range []string{"DescribeLoadBalancerStrategys", "ModifyLoadBalancerStrategys"} {
		f.hook(action, func(w http.ResponseWriter, r *http.Request, next http.Handler) { event(action); next.ServeHTTP(w, r) })
	}
	for _, edit := range []func() error{
		func() error {
			_, err := c.UpdateListener(context.Background(), id, "l-0", func(_ *HTTPListener, tcp *TCPListener) error { tcp.MaxConn = 9; return nil })
			return err
		},
		func() error {
			set, _ := f.set(t, id)
			plan, err := c.PlanListeners(context.Background(), id, nil, set.TCPListeners[:1])
			require.NoError(t, err)
			_, err = c.ApplyListeners(context.Background(), plan)
			return err
		},
	} {
		mu.Lock()
		events = nil
		mu.Unlock()
		require.NoError(t, edit())
		mu.Lock()
		n := len(events)
		require.GreaterOrEqual(t, n, 2)
		assert.Equal(t, []string{"DescribeLoadBalancerStrategys", "ModifyLoadBalancerStrategys"}, events[n-2:], "no wait between the check and the write: %v", events)
		mu.Unlock()
	}
}

// TestAddOnTheSameClientIsNotUndoneByAnEdit: an AddLoadBalancerStrategys
// on the Client that is in the middle of an UpdateListener of the
// instance (after its check read, as its write is sent) waits for it, so
// the edit's whole-set write does not drop the added listener.
func TestAddOnTheSameClientIsNotUndoneByAnEdit(t *testing.T) {
	t.Parallel()
	f := newFrontedFake(t, 0)
	id := f.instanceWithListeners(t, 1)
	c := f.client(t)
	added := make(chan struct{}, 1)
	f.hook("AddLoadBalancerStrategys", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		next.ServeHTTP(w, r)
		added <- struct{}{}
	})
	addErr := make(chan error, 1)
	f.hook("ModifyLoadBalancerStrategys", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		extra := goodTCPListener()
		extra.ListenerName, extra.ListenerPort = "added", 4000
		go func() {
			_, err := c.AddLoadBalancerStrategys(context.Background(), &AddLoadBalancerStrategysRequest{InstanceUUID: id, TCPListeners: []TCPListener{extra}})
			addErr <- err
		}()
		for waiting := false; !waiting; { // until the add waits for the edit, or has run
			select {
			case <-added:
				waiting = true
			default:
				waiting = editWaiters(c, id) > 1
				runtime.Gosched()
			}
		}
		next.ServeHTTP(w, r)
	})
	_, err := c.UpdateListener(context.Background(), id, "l-0", func(_ *HTTPListener, tcp *TCPListener) error { tcp.MaxConn = 3; return nil })
	require.NoError(t, err)
	require.NoError(t, <-addErr)
	_, tcp := f.set(t, id)
	assert.Equal(t, 3, tcp["l-0"])
	assert.Contains(t, tcp, "added", "the acknowledged add is kept")
}

// editWaiters is how many calls hold or wait for the lock of c's instance.
func editWaiters(c *Client, instance string) int {
	editing.mu.Lock()
	defer editing.mu.Unlock()
	if e := editing.held[instanceKey{c, instance}]; e != nil {
		return e.users
	}
	return 0
}
