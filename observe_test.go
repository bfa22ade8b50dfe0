package cdslb

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The observer's names join the sweeps of the exported API. The sweep
// calls methods on zero values, so the Observer interface is swept through
// its no-op implementation.
func init() {
	sweepFuncs["WithObserver"] = WithObserver
	sweepTypes["Observer"] = reflect.TypeFor[NopObserver]()
	for _, t := range []reflect.Type{reflect.TypeFor[NopObserver](), reflect.TypeFor[OperationStart](),
		reflect.TypeFor[OperationEnd](), reflect.TypeFor[CallStart](), reflect.TypeFor[CallEnd](), reflect.TypeFor[AttemptStart](),
		reflect.TypeFor[AttemptEnd]()} {
		sweepTypes[t.Name()] = t
	}
}

// observed is one event a recorder saw: the method, the event, the id of
// the work it starts or ends and the id of the work that encloses it.
type observed struct {
	Method string
	Event  any
	ID     int
	Parent int // 0: none
}

// recorder is an Observer that keeps every event and marks each context it
// returns with the id of the work started, so that the nesting the library
// passes on can be checked.
type recorder struct {
	mu     sync.Mutex
	events []observed
	next   int
	// panicOn, when set, makes the method of that name panic once.
	panicOn string
}

type recorderKey struct{}

func (r *recorder) start(ctx context.Context, method string, e any) context.Context {
	r.mu.Lock()
	r.next++
	id := r.next
	parent, _ := ctx.Value(recorderKey{}).(int)
	r.events = append(r.events, observed{method, e, id, parent})
	r.mu.Unlock()
	r.maybePanic(method)
	return context.WithValue(ctx, recorderKey{}, id)
}

func (r *recorder) end(ctx context.Context, method string, e any) {
	r.mu.Lock()
	id, _ := ctx.Value(recorderKey{}).(int)
	r.events = append(r.events, observed{method, e, id, 0})
	r.mu.Unlock()
	r.maybePanic(method)
}

// maybePanic panics if method is panicOn, once.
func (r *recorder) maybePanic(method string) {
	r.mu.Lock()
	boom := r.panicOn == method
	if boom {
		r.panicOn = ""
	}
	r.mu.Unlock()
	if boom {
		panic("observer panics in " + method)
	}
}

func (r *recorder) StartOperation(ctx context.Context, e OperationStart) context.Context {
	return r.start(ctx, "StartOperation", e)
}
func (r *recorder) EndOperation(ctx context.Context, e OperationEnd) { r.end(ctx, "EndOperation", e) }
func (r *recorder) StartCall(ctx context.Context, e CallStart) context.Context {
	return r.start(ctx, "StartCall", e)
}
func (r *recorder) EndCall(ctx context.Context, e CallEnd) { r.end(ctx, "EndCall", e) }
func (r *recorder) StartAttempt(ctx context.Context, e AttemptStart) context.Context {
	return r.start(ctx, "StartAttempt", e)
}
func (r *recorder) EndAttempt(ctx context.Context, e AttemptEnd) { r.end(ctx, "EndAttempt", e) }

// all returns the events so far, and forgets them.
func (r *recorder) all() []observed {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	return out
}

func methods(events []observed) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Method
	}
	return out
}

// TestObserverSeesARetriedRead: a read answered 503 and then 200 is one
// call of two attempts, each attempt nested in the call by context (the
// attempt's context is the one its HTTP request carries), with the
// status, the retry decision, a URL without secrets, and the answer's
// meta; ResponseMeta says how the answer came.
func TestObserverSeesARetriedRead(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	var seen []int // the recorder's id in each request's context
	var mu sync.Mutex
	spy := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		id, _ := r.Context().Value(recorderKey{}).(int)
		mu.Lock()
		seen = append(seen, id)
		mu.Unlock()
		return http.DefaultTransport.RoundTrip(r)
	})}
	c, srv := newHostile(t, WithObserver(rec), WithRetry(fastRetry), WithHTTPClient(spy))
	srv.answer("DescribeLoadBalancers", 503, unavailableHTML).answerFixture("DescribeLoadBalancers")
	resp, err := c.DescribeLoadBalancers(context.Background(), &DescribeLoadBalancersRequest{InstanceName: "web lb", IP: "10.0.0.1"})
	require.NoError(t, err)
	assert.Equal(t, 200, resp.HTTPStatus)
	assert.Equal(t, 2, resp.Attempts)

	ev := rec.all()
	require.Equal(t, []string{"StartCall", "StartAttempt", "EndAttempt", "StartAttempt", "EndAttempt", "EndCall"}, methods(ev))
	call := ev[0].ID
	assert.Equal(t, CallStart{Action: "DescribeLoadBalancers", ReadOnly: true}, ev[0].Event)
	assert.Equal(t, call, ev[1].Parent)
	assert.Equal(t, call, ev[3].Parent)
	assert.Equal(t, []int{ev[1].ID, ev[3].ID}, seen, "each request carries its attempt's context")
	assert.Equal(t, ev[1].ID, ev[2].ID, "the End gets the context its Start returned")
	assert.Equal(t, call, ev[5].ID)

	first := ev[1].Event.(AttemptStart)
	host, port := hostPort(t, srv.URL)
	assert.Equal(t, AttemptStart{Action: "DescribeLoadBalancers", Attempt: 1, Method: "GET", ServerAddress: host, ServerPort: port,
		URL: srv.URL + "/lb/?Action=DescribeLoadBalancers&IP=10.0.0.1&InstanceName=web%20lb"}, first) // as the signed query spells it
	failed := ev[2].Event.(AttemptEnd)
	assert.Equal(t, 503, failed.HTTPStatus)
	assert.True(t, failed.Retry)
	assert.Positive(t, failed.Duration)
	assert.LessOrEqual(t, failed.RetryDelay, fastRetry.MaxDelay)
	assert.Error(t, failed.Err)
	assert.Equal(t, 2, ev[3].Event.(AttemptStart).Attempt)
	ok := ev[4].Event.(AttemptEnd)
	assert.Equal(t, []any{2, 200, "Success", false, nil}, []any{ok.Attempt, ok.HTTPStatus, ok.Code, ok.Retry, ok.Err})
	end := ev[5].Event.(CallEnd)
	assert.Equal(t, CallEnd{Action: "DescribeLoadBalancers", ReadOnly: true, Attempts: 2, HTTPStatus: 200, Code: "Success", Duration: end.Duration}, end)
	assert.GreaterOrEqual(t, end.Duration, failed.Duration)
}

func hostPort(t *testing.T, raw string) (string, int) {
	u, err := url.Parse(raw)
	require.NoError(t, err)
	var port int
	_, err = fmt.Sscan(u.Port(), &port)
	require.NoError(t, err)
	return u.Hostname(), port
}

// TestObserverSeesAWriteWithUnknownOutcome: a write answered 500 is not
// retried, and its call says the outcome is unknown, with the code, the
// status and the task id the answer gave.
func TestObserverSeesAWriteWithUnknownOutcome(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	c, srv := newHostile(t, WithObserver(rec), WithRetry(fastRetry))
	srv.answer("CreateLoadBalancer", 500, `{"Code":"InternalError","Message":"try later","TaskId":"t-9"}`)
	_, err := c.CreateLoadBalancer(context.Background(), goodCreate())
	require.ErrorIs(t, err, ErrOutcomeUnknown)

	ev := rec.all()
	require.Equal(t, []string{"StartCall", "StartAttempt", "EndAttempt", "EndCall"}, methods(ev))
	start := ev[1].Event.(AttemptStart)
	assert.Equal(t, "POST", start.Method)
	assert.Equal(t, srv.URL+"/lb/?Action=CreateLoadBalancer", start.URL, "a body never reaches the URL")
	a := ev[2].Event.(AttemptEnd)
	assert.Equal(t, []any{500, "InternalError", "t-9", false}, []any{a.HTTPStatus, a.Code, a.TaskID, a.Retry})
	end := ev[3].Event.(CallEnd)
	assert.Equal(t, []any{false, 1, 500, "InternalError", "t-9", true}, []any{end.ReadOnly, end.Attempts, end.HTTPStatus, end.Code, end.TaskID, end.OutcomeUnknown})
	assert.Same(t, err, end.Err)
}

// TestObserverSeesEveryAction: every declared action is one call named
// after it, with its declared effect, and attempts whose URL names it.
// A request refused before sending is a call without attempts.
func TestObserverSeesEveryAction(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	c, _ := newHostile(t, WithObserver(rec))
	for _, call := range validCalls(t) {
		_, _ = call.call(context.Background(), c) // the stub answers ResourceNotFound
		ev := rec.all()
		require.Equal(t, []string{"StartCall", "StartAttempt", "EndAttempt", "EndCall"}, methods(ev), call.action)
		assert.Equal(t, CallStart{Action: call.action, ReadOnly: call.readOnly}, ev[0].Event)
		assert.Regexp(t, `[?&]Action=`+call.action+`(&|$)`, ev[1].Event.(AttemptStart).URL, call.action)
		end := ev[3].Event.(CallEnd)
		assert.Equal(t, []any{call.action, 1, 404, "ResourceNotFound"}, []any{end.Action, end.Attempts, end.HTTPStatus, end.Code})
	}
	_, err := c.DescribeLoadBalancerStrategys(context.Background(), nil)
	require.ErrorIs(t, err, ErrInvalidRequest)
	ev := rec.all()
	require.Equal(t, []string{"StartCall", "EndCall"}, methods(ev))
	assert.Equal(t, 0, ev[1].Event.(CallEnd).Attempts)
	assert.Same(t, err, ev[1].Event.(CallEnd).Err)
}

// TestObserverSeesRateLimitWaits: an attempt that waited for the rate
// limit says for how long.
func TestObserverSeesRateLimitWaits(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	c, srv := newHostile(t, WithObserver(rec), WithRateLimit(0.001, 1)) // the second token is 1,000 s away
	var asked []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		asked = append(asked, d)
		time.Sleep(time.Millisecond) // time.Sleep waits at least this long
		return nil
	}
	srv.answerFixture("DescribeZones")
	for range 2 {
		_, err := c.DescribeZones(context.Background(), nil)
		require.NoError(t, err)
	}
	var waits []time.Duration
	for _, e := range rec.all() {
		if s, ok := e.Event.(AttemptStart); ok {
			waits = append(waits, s.RateLimitWait)
		}
	}
	require.Len(t, waits, 2)
	require.Len(t, asked, 1)
	assert.Greater(t, asked[0], 900*time.Second)
	assert.Less(t, waits[0], time.Millisecond, "the first token was there")
	assert.GreaterOrEqual(t, waits[1], time.Millisecond, "the second was waited for")
}

// TestObserverPanicsNeverResend: a panic in an observer goes up to the
// caller and ends the call; the policy that would have retried the read
// or the refused write does not, the End events still come (with
// errPanicked), and the Client works afterwards.
func TestObserverPanicsNeverResend(t *testing.T) {
	t.Parallel()
	for _, method := range []string{"EndAttempt", "StartAttempt", "StartCall", "EndCall"} {
		for _, write := range []bool{false, true} {
			t.Run(fmt.Sprint(method, " write=", write), func(t *testing.T) {
				t.Parallel()
				rec := &recorder{panicOn: method}
				c, srv := newHostile(t, WithObserver(rec), WithRetry(RetryPolicy{MaxAttempts: 3, RetryConflicts: true}))
				action, call := "DescribeZones", func() error { _, err := c.DescribeZones(context.Background(), nil); return err }
				srv.answer(action, 503, unavailableHTML).answerFixture(action)
				if write {
					action, call = "DeleteLoadBalancer", func() error {
						_, err := c.DeleteLoadBalancer(context.Background(), &DeleteLoadBalancerRequest{InstanceUUID: "i-1"})
						return err
					}
					srv.answer(action, 409, `{"Code":"ResourceInUse","Message":"busy"}`).answer(action, 200, `{"Code":"Success"}`)
				}
				require.PanicsWithValue(t, "observer panics in "+method, func() { _ = call() })
				want := map[string]int{"StartCall": 0, "StartAttempt": 0, "EndAttempt": 1, "EndCall": 2}[method]
				require.Len(t, srv.sentFor(action), want, "sent before the panic, and never again")
				ev := rec.all()
				if method == "EndAttempt" {
					require.Equal(t, []string{"StartCall", "StartAttempt", "EndAttempt", "EndCall"}, methods(ev))
					assert.Equal(t, errPanicked, ev[3].Event.(CallEnd).Err)
					assert.Equal(t, 1, ev[3].Event.(CallEnd).Attempts)
				}
				require.NoError(t, call(), "the Client works on")
			})
		}
	}
}

// TestObserverMayReturnNilAndBeNil: an observer that returns nil contexts
// leaves the call's context as it was; nil observers, typed or not, and
// NopObserver are all accepted, and a later WithObserver replaces an
// earlier one.
func TestObserverMayReturnNilAndBeNil(t *testing.T) {
	t.Parallel()
	for name, o := range map[string]Observer{"nil": nil, "typed nil": (*recorder)(nil), "nop": NopObserver{}, "nil contexts": nilContexts{}} {
		rec := &recorder{}
		c, srv := newHostile(t, WithObserver(rec), WithObserver(o))
		srv.answerFixture("DescribeZones")
		ctx, cancel := context.WithCancel(context.Background())
		_, err := c.DescribeZones(ctx, nil)
		require.NoError(t, err, name)
		cancel()
		_, err = c.DescribeZones(ctx, nil)
		require.ErrorIs(t, err, context.Canceled, name)
		assert.Empty(t, rec.all(), name)
		_, err = c.WaitUntilRunning(context.Background(), "", observePolls)
		require.ErrorIs(t, err, ErrInvalidRequest, name)
	}
}

type nilContexts struct{ NopObserver }

func (nilContexts) StartOperation(context.Context, OperationStart) context.Context { return nil }
func (nilContexts) StartCall(context.Context, CallStart) context.Context           { return nil }
func (nilContexts) StartAttempt(context.Context, AttemptStart) context.Context     { return nil }

var observePolls = WithPollInterval(time.Millisecond, time.Millisecond)

// TestNoObserverCostsNoAllocation: without an observer, what the library
// does to report a helper allocates nothing (a call and its attempts are
// not reported at all); a whole call allocates the same with no observer
// option, a nil one and a typed nil one.
func TestNoObserverCostsNoAllocation(t *testing.T) {
	c, err := NewClient(testKeyID, testSecret)
	require.NoError(t, err)
	c.sleep = func(context.Context, time.Duration) error { return nil }
	bg := context.Background()
	allocs := testing.AllocsPerRun(100, func() {
		var err error
		_, helper := c.startOperation(bg, "WaitUntilRunning", "i-1")
		helper.end(&err)
	})
	assert.Zero(t, allocs, "the hooks allocate without an observer")
	if raceEnabled {
		t.Log("a whole call's allocations vary under the race detector: compared without it")
		return
	}

	callAllocs := func(opts ...Option) float64 {
		c, err := NewClient(testKeyID, testSecret, append(opts, WithHTTPClient(&http.Client{Transport: cannedTransport(fixture(t, "DescribeZones"))}))...)
		require.NoError(t, err)
		// The least of several runs: a collection empties the answer
		// buffers' pool, which costs a run that meets one an allocation.
		least := math.Inf(1)
		for range 3 {
			least = min(least, testing.AllocsPerRun(100, func() {
				if _, err := c.DescribeZones(bg, nil); err != nil {
					t.Fatal(err)
				}
			}))
		}
		return least
	}
	none := callAllocs()
	assert.Equal(t, none, callAllocs(WithObserver(nil)))
	assert.Equal(t, none, callAllocs(WithObserver((*recorder)(nil))))
	t.Logf("a call allocates %v times; with a no-op observer %v", none, callAllocs(WithObserver(NopObserver{})))
}

// cannedTransport answers every request with body, allocating the same
// each time.
func cannedTransport(body string) roundTripFunc {
	return func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: ioNopCloser(body), ContentLength: int64(len(body)), Request: r,
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}, nil
	}
}

// TestObserverEventsHoldNoSecret plants the access key secret, sends
// signed requests, uploads private keys, has answers and transport errors
// echo the signed URL and the body back, and then walks every field of
// every event by reflection (and renders each error) looking for any of
// them, for "Signature=" and for the signing parameters.
func TestObserverEventsHoldNoSecret(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	certPEM, keyPEM := testCertificate(t, "rsa-pkcs8")
	c, srv := newHostile(t, WithObserver(rec), WithRetry(fastRetry))
	ctx := context.Background()
	upload := &UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM, CertificateName: "www"}

	srv.answerFixture("DescribeZones").answerFixture("UploadCACertificate")
	_, err := c.DescribeZones(ctx, nil)
	require.NoError(t, err)
	_, err = c.UploadCACertificate(ctx, upload)
	require.NoError(t, err)
	srv.misbehave("UploadCACertificate", reset)
	_, err = c.UploadCACertificate(ctx, upload)
	require.Error(t, err)
	srv.answer("DescribeLoadBalancers", 503, unavailableHTML)
	_, err = c.DescribeLoadBalancers(ctx, &DescribeLoadBalancersRequest{InstanceName: "lb"})
	require.Error(t, err)

	// An answer that echoes the signed URL and the body, and a caller's
	// transport whose error holds the URL.
	var mu sync.Mutex
	var echoed []string
	echo := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		var body strings.Builder
		if r.Body != nil {
			b := make([]byte, 1<<16)
			n, _ := r.Body.Read(b)
			body.Write(b[:n])
		}
		mu.Lock()
		echoed = append(echoed, signatureOf(r.URL.RawQuery))
		mu.Unlock()
		if r.Method == http.MethodGet {
			return nil, fmt.Errorf("proxy refused %s", r.URL)
		}
		msg := mustJSON(t, "bad request "+r.URL.String()+" with "+body.String())
		return &http.Response{StatusCode: 400, Header: http.Header{}, Request: r,
			Body: ioNopCloser(`{"Code":"InvalidParameter","Message":` + msg + `}`)}, nil
	})
	ec, err := NewClient(testKeyID, testSecret, WithEndpoint(srv.URL), WithHTTPClient(&http.Client{Transport: echo}), WithObserver(rec), WithRetry(NoRetry))
	require.NoError(t, err)
	_, err = ec.UploadCACertificate(ctx, upload)
	require.Error(t, err)
	_, err = ec.DescribeZones(ctx, nil)
	require.Error(t, err)
	// A helper, whose poll finds nothing.
	hc, hsrv := newHostile(t, WithObserver(rec))
	_, err = hc.WaitUntilRunning(ctx, "i-1", observePolls, WithNotFoundGrace(0))
	require.ErrorIs(t, err, ErrResourceNotFound)

	forbidden := map[string]string{testSecret: "access key secret", keyPEM: "private key"}
	for _, line := range strings.Split(keyPEM, "\n") {
		if len(line) >= 32 && !strings.HasPrefix(line, "-----") {
			forbidden[line] = "a line of the private key"
		}
	}
	sent := append(append(srv.sentFor(""), hsrv.sentFor("")...), func() (out []sentRequest) {
		for _, s := range echoed {
			out = append(out, sentRequest{Signature: s})
		}
		return out
	}()...)
	require.GreaterOrEqual(t, len(sent), 8)
	for _, s := range sent {
		require.NotEmpty(t, s.Signature)
		forbidden[s.Signature] = "a signature sent"
		forbidden[url.QueryEscape(s.Signature)] = "a signature sent, escaped"
	}
	events := rec.all()
	kinds := map[string]bool{}
	for i, e := range events {
		kinds[e.Method] = true
		if s, ok := e.Event.(AttemptStart); ok {
			for _, p := range []string{"Signature", "AccessKeyId", "Timestamp", "Version", testKeyID} {
				assert.NotContains(t, s.URL, p, "no signing parameter in the URL")
			}
		}
		walkStrings(reflect.ValueOf(e.Event), fmt.Sprintf("event %d %s", i, e.Method), func(where, s string) {
			for secret, what := range forbidden {
				if strings.Contains(s, secret) {
					t.Errorf("%s holds %s: %q", where, what, s)
				}
			}
		})
	}
	assert.Len(t, kinds, 6, "every kind of event was walked")
}

func ioNopCloser(s string) *nopReadCloser { return &nopReadCloser{strings.NewReader(s)} }

type nopReadCloser struct{ *strings.Reader }

func (nopReadCloser) Close() error { return nil }

// walkStrings calls visit with every string in v: the exported fields of
// structs, the elements of slices and maps, and the renderings of every
// error (Error, %+v and %#v), whose own exported fields it walks too.
func walkStrings(v reflect.Value, where string, visit func(where, s string)) {
	if !v.IsValid() || strings.Count(where, ".") > 12 { // deep enough for events, and no cycle runs forever
		return
	}
	if false {
		return
	}
	if v.CanInterface() && v.Kind() != reflect.Struct {
		if err, ok := v.Interface().(error); ok && !(v.Kind() == reflect.Pointer && v.IsNil()) {
			visit(where+".Error()", err.Error())
			visit(where+" %+v", fmt.Sprintf("%+v", err))
			visit(where+" %#v", fmt.Sprintf("%#v", err))
		}
	}
	switch v.Kind() {
	case reflect.String:
		visit(where, v.String())
	case reflect.Pointer, reflect.Interface:
		walkStrings(v.Elem(), where, visit)
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				walkStrings(v.Field(i), where+"."+f.Name, visit)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walkStrings(v.Index(i), fmt.Sprintf("%s[%d]", where, i), visit)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			walkStrings(it.Key(), where+" key", visit)
			walkStrings(it.Value(), where+"["+fmt.Sprint(it.Key())+"]", visit)
		}
	}
}

// TestWalkStringsFindsPlantedSecrets: the walk above reaches strings in
// nested fields, errors and their renderings, so that its silence means
// something.
func TestWalkStringsFindsPlantedSecrets(t *testing.T) {
	t.Parallel()
	var found []string
	ev := CallEnd{Code: "a", Err: &TransportError{Action: "X", URL: "u?PLANT1", Err: errors.New("PLANT2")}}
	walkStrings(reflect.ValueOf(ev), "ev", func(where, s string) {
		for _, p := range []string{"PLANT1", "PLANT2"} {
			if strings.Contains(s, p) {
				found = append(found, where+":"+p)
			}
		}
	})
	assert.Contains(t, found, "ev.Err.URL:PLANT1")
	assert.Contains(t, found, "ev.Err.Error():PLANT2")
}
