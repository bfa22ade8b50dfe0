package cdslb_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/cdslbtest"
)

// work is one operation, call or attempt an observer saw, with what was
// seen beneath it, as a tracer would build its tree of spans.
type work struct {
	kind     string // "operation", "call" or "attempt"
	name     string // the operation or action
	start    any
	end      any // nil until it ends
	children []*work
}

// treeObserver builds the tree of work from the contexts the library
// passes on: each Start's parent is the work of the context it gets.
type treeObserver struct {
	mu    sync.Mutex
	roots []*work
	// panicOnce, when set, is the name of a call whose StartCall panics once.
	panicOnce string
}

type workKey struct{}

func (o *treeObserver) start(ctx context.Context, kind, name string, e any) context.Context {
	o.mu.Lock()
	defer o.mu.Unlock()
	w := &work{kind: kind, name: name, start: e}
	if parent, ok := ctx.Value(workKey{}).(*work); ok {
		parent.children = append(parent.children, w)
	} else {
		o.roots = append(o.roots, w)
	}
	return context.WithValue(ctx, workKey{}, w)
}

func (o *treeObserver) end(ctx context.Context, e any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	ctx.Value(workKey{}).(*work).end = e
}

func (o *treeObserver) StartOperation(ctx context.Context, e cdslb.OperationStart) context.Context {
	return o.start(ctx, "operation", e.Operation, e)
}
func (o *treeObserver) EndOperation(ctx context.Context, e cdslb.OperationEnd) { o.end(ctx, e) }
func (o *treeObserver) StartCall(ctx context.Context, e cdslb.CallStart) context.Context {
	ctx = o.start(ctx, "call", e.Action, e)
	o.mu.Lock()
	boom := o.panicOnce == e.Action
	if boom {
		o.panicOnce = ""
	}
	o.mu.Unlock()
	if boom {
		panic("observer panics")
	}
	return ctx
}
func (o *treeObserver) EndCall(ctx context.Context, e cdslb.CallEnd) { o.end(ctx, e) }
func (o *treeObserver) StartAttempt(ctx context.Context, e cdslb.AttemptStart) context.Context {
	return o.start(ctx, "attempt", e.Action, e)
}
func (o *treeObserver) EndAttempt(ctx context.Context, e cdslb.AttemptEnd) { o.end(ctx, e) }

// take returns the trees seen so far, and forgets them.
func (o *treeObserver) take() []*work {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := o.roots
	o.roots = nil
	return out
}

// shape writes a tree as "Op(Call(attempt,attempt),Op2(...))" with the
// attempts as "·", so that a test states the whole tree at once.
func shape(ws []*work) string {
	var parts []string
	for _, w := range ws {
		s := w.name
		if w.kind == "attempt" {
			s = "·"
		}
		if len(w.children) > 0 {
			s += "(" + shape(w.children) + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// checkEnds checks every work ended, and that an operation's Calls counts
// the calls beneath it, those of nested operations included.
func checkEnds(t *testing.T, ws []*work) int {
	t.Helper()
	calls := 0
	for _, w := range ws {
		require.NotNil(t, w.end, "%s %s never ended", w.kind, w.name)
		below := checkEnds(t, w.children)
		switch w.kind {
		case "call":
			calls++
			require.Equal(t, len(w.children), w.end.(cdslb.CallEnd).Attempts, w.name)
		case "operation":
			require.Equal(t, below, w.end.(cdslb.OperationEnd).Calls, w.name)
			calls += below
		}
	}
	return calls
}

// TestObserverSeesHelpersAboveTheirCalls runs every helper against the
// fake and checks the tree each one makes: the helper's operation, its
// calls beneath it (a waiter's beneath the helper that waits), their
// attempts beneath them. Every exported method that takes a context and
// is not an action must be in the table, so a helper added later is
// checked too.
func TestObserverSeesHelpersAboveTheirCalls(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	obs := &treeObserver{}
	c := srv.Client(cdslb.WithObserver(obs))
	ctx := context.Background()
	var id string
	var plan *cdslb.ListenerPlan
	certPEM, keyPEM := srv.NewCertificate("www.example.com")

	helpers := []struct {
		name  string
		run   func(t *testing.T)
		shape string
	}{
		{"EnsureLoadBalancer", func(t *testing.T) {
			lb, created, err := c.EnsureLoadBalancer(ctx, createRequest("web"), fastPoll)
			require.NoError(t, err)
			require.True(t, created)
			id = lb.InstanceUUID
		}, "EnsureLoadBalancer(DescribeLoadBalancers(·) CreateLoadBalancer(·) WaitUntilRunning(DescribeLoadBalancers(·)))"},
		{"WaitUntilRunning", func(t *testing.T) {
			_, err := c.WaitUntilRunning(ctx, id, fastPoll)
			require.NoError(t, err)
		}, "WaitUntilRunning(DescribeLoadBalancers(·))"},
		{"WaitUntil", func(t *testing.T) {
			_, err := c.WaitUntil(ctx, id, func(lb *cdslb.LoadBalancer) (bool, error) { return lb != nil, nil }, fastPoll)
			require.NoError(t, err)
		}, "WaitUntil(DescribeLoadBalancers(·))"},
		{"PlanListeners", func(t *testing.T) {
			var err error
			plan, err = c.PlanListeners(ctx, id, []cdslb.HTTPListener{webListener("web", 80)}, nil)
			require.NoError(t, err)
		}, "PlanListeners(DescribeLoadBalancerStrategys(·))"},
		{"ApplyListeners", func(t *testing.T) {
			_, err := c.ApplyListeners(ctx, plan)
			require.NoError(t, err)
		}, "ApplyListeners(DescribeLoadBalancerStrategys(·) AddLoadBalancerStrategys(·))"},
		{"UpdateListener", func(t *testing.T) {
			_, err := c.UpdateListener(ctx, id, "web", func(h *cdslb.HTTPListener, _ *cdslb.TCPListener) error { h.MaxConn = 500; return nil })
			require.NoError(t, err)
		}, ""},
		{"RemoveListener", func(t *testing.T) {
			_, err := c.RemoveListener(ctx, id, "web")
			require.NoError(t, err)
		}, ""},
		{"EnsureCertificate", func(t *testing.T) {
			_, created, err := c.EnsureCertificate(ctx, &cdslb.UploadCACertificateRequest{CertificateName: "www", Certificate: certPEM, PrivateKey: keyPEM})
			require.NoError(t, err)
			require.True(t, created)
		}, "EnsureCertificate(DescribeCACertificates(·) UploadCACertificate(·) DescribeCACertificates(·) DescribeCACertificate(·))"},
		{"WaitUntilDeleted", func(t *testing.T) {
			_, err := c.DeleteLoadBalancer(ctx, &cdslb.DeleteLoadBalancerRequest{InstanceUUID: id})
			require.NoError(t, err)
			obs.take()
			require.NoError(t, c.WaitUntilDeleted(ctx, id, fastPoll))
		}, "WaitUntilDeleted(DescribeLoadBalancers(·))"},
	}

	// Every method that takes a context and is no action is a helper here,
	// but for those that make one call, which their call's span shows.
	actions := cdslb.ValidCalls(t)
	oneCall := map[string]bool{"GetLoadBalancer": true} // one DescribeLoadBalancers
	ctxType := reflect.TypeFor[context.Context]()
	for m := range reflect.TypeFor[*cdslb.Client]().Methods() {
		if m.Type.NumIn() < 2 || m.Type.In(1) != ctxType || actions[m.Name] != nil || oneCall[m.Name] {
			continue
		}
		require.True(t, slices.ContainsFunc(helpers, func(h struct {
			name  string
			run   func(t *testing.T)
			shape string
		}) bool {
			return h.name == m.Name
		}), "%s takes a context and is no action: report it with startOperation, and add it here", m.Name)
	}

	for _, h := range helpers {
		h.run(t)
		trees := obs.take()
		require.Len(t, trees, 1, h.name)
		op := trees[0]
		require.Equal(t, "operation", op.kind, h.name)
		require.Equal(t, h.name, op.name)
		if h.shape != "" {
			assert.Equal(t, h.shape, shape(trees), h.name)
		} else {
			assert.Regexp(t, `^`+h.name+`\((DescribeLoadBalancerStrategys\(·\) )+ModifyLoadBalancerStrategys\(·\)\)$`, shape(trees))
		}
		checkEnds(t, trees)
		end := op.end.(cdslb.OperationEnd)
		assert.NoError(t, end.Err, h.name)
		assert.Positive(t, end.Duration, h.name)
		if h.name != "EnsureLoadBalancer" && h.name != "EnsureCertificate" {
			assert.Equal(t, id, op.start.(cdslb.OperationStart).InstanceUUID, h.name)
		}
	}
}

// TestObserverPanicInAHelper: a panic in an observer under
// EnsureLoadBalancer reaches the caller, the helper's operation ends with
// an error, and the helper's per-name lock is released: the next call for
// the name completes.
func TestObserverPanicInAHelper(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	obs := &treeObserver{panicOnce: "CreateLoadBalancer"}
	c := srv.Client(cdslb.WithObserver(obs))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.PanicsWithValue(t, "observer panics", func() { _, _, _ = c.EnsureLoadBalancer(ctx, createRequest("web"), fastPoll) })
	trees := obs.take()
	require.Len(t, trees, 1)
	assert.ErrorContains(t, trees[0].end.(cdslb.OperationEnd).Err, "panic")
	assert.Equal(t, 0, srv.Requests("CreateLoadBalancer"), "the panic came before the request")
	_, created, err := c.EnsureLoadBalancer(ctx, createRequest("web"), fastPoll)
	require.NoError(t, err)
	assert.True(t, created)
}
