package cdslb

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The exported API, for the sweep below. TestSweepCoversTheExportedAPI
// fails when a function or type is exported without being listed here;
// the methods of listed types are found by reflection.
var (
	sweepFuncs = map[string]any{
		"NewClient": NewClient, "NewClientFromEnv": NewClientFromEnv,
		"WithEndpoint": WithEndpoint, "WithHTTPClient": WithHTTPClient, "WithLocation": WithLocation,
		"WithLogger": WithLogger, "WithMaxResponseBytes": WithMaxResponseBytes, "WithRetry": WithRetry,
		"WithUserAgent": WithUserAgent, "WithNotFoundGrace": WithNotFoundGrace, "WithPollInterval": WithPollInterval,
		"WithRateLimit": WithRateLimit, "WithClock": WithClock,
	}
	sweepTypes = func() map[string]reflect.Type {
		m := map[string]reflect.Type{}
		for _, v := range []any{
			APIError{}, Architecture{}, BackendName{}, BackendServer{}, Certificate{}, CertificateDetail{},
			CertificateRef{}, CertificateValidity(0), ChangeAction(""), Client{}, ComputeRole{}, CookieMode(0), CreateLoadBalancerIP{},
			DataPoint{}, DiskSpec{}, FieldChange{}, HTTPListener{}, HealthCheck{}, InstanceSize{}, ListenerChange{}, ListenerSummary{}, LoadBalancer{},
			MetricKey(""), Option(nil), Product{}, ResponseMeta{}, RetryPolicy{}, Sample{}, Scheduler(""),
			SessionPersistence{}, Signer{}, Standards{}, TCPListener{}, Tag{}, TransportError{}, VIP{}, ValidationError{},
			WaitError{}, WaitOption(nil), Zone{},
		} {
			t := reflect.TypeOf(v)
			m[t.Name()] = t
		}
		// The request and response types of every action method.
		for meth := range reflect.TypeFor[*Client]().Methods() {
			if ft := meth.Type; ft.NumIn() == 3 && ft.NumOut() == 2 && ft.In(2).Kind() == reflect.Pointer && ft.Out(0).Kind() == reflect.Pointer {
				for _, t := range []reflect.Type{ft.In(2).Elem(), ft.Out(0).Elem()} {
					m[t.Name()] = t
				}
			}
		}
		return m
	}()
)

// TestSweepCoversTheExportedAPI: every exported function and type of the
// package is in the sweep's lists, so a new one cannot be missed.
func TestSweepCoversTheExportedAPI(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var missing []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		require.NoError(t, err)
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() && sweepFuncs[d.Name.Name] == nil {
					missing = append(missing, "func "+d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.IsExported() && sweepTypes[ts.Name.Name] == nil {
						missing = append(missing, "type "+ts.Name.Name)
					}
				}
			}
		}
	}
	sort.Strings(missing)
	require.Empty(t, missing, "add these to sweepFuncs or sweepTypes in sweep_test.go")
}

// TestNoExportedCallPanics calls every exported function, and every
// exported method of every exported type (on a nil pointer and a zero
// value, and on a working client), with nil and zero arguments and with
// plain filled-in ones. Nothing may panic. No call reaches a network: the
// working client answers in process, and its context ends after a few
// requests, so waiters and edits stop.
func TestNoExportedCallPanics(t *testing.T) {
	t.Setenv("CDS_SECRET_ID", "id") // NewClientFromEnv makes a client; no call goes out
	t.Setenv("CDS_SECRET_KEY", "secret")
	t.Setenv("CDS_API_HOST", "http://"+closedAddr(t))

	var calls, panics int
	try := func(name string, fn reflect.Value, args []reflect.Value) {
		calls++
		defer func() {
			if r := recover(); r != nil {
				panics++
				t.Errorf("%s(%s) panicked: %v", name, describeArgs(args), r)
			}
		}()
		if fn.Type().IsVariadic() {
			fn.CallSlice(args)
		} else {
			fn.Call(args)
		}
	}
	sweep := func(name string, fn reflect.Value, live *sweepClient) {
		for _, filled := range []bool{false, true} {
			for _, variadic := range []int{0, 1} {
				if variadic == 1 && !fn.Type().IsVariadic() {
					continue
				}
				try(name, fn, sweepArgs(fn.Type(), filled, variadic, live))
			}
		}
	}

	live := newSweepClient(t)
	for name, f := range sweepFuncs {
		sweep(name, reflect.ValueOf(f), live)
	}
	for name, typ := range sweepTypes {
		ptr := reflect.PointerTo(typ)
		receivers := map[string]reflect.Value{"nil *" + name: reflect.Zero(ptr), "new(" + name + ")": reflect.New(typ)}
		if typ == reflect.TypeFor[Client]() {
			receivers["working client"] = reflect.ValueOf(live.Client)
		}
		for what, recv := range receivers {
			for i := range ptr.NumMethod() {
				m := ptr.Method(i)
				if _, byValue := typ.MethodByName(m.Name); byValue && recv.IsNil() {
					continue // Go itself panics when a value method is called through a nil pointer
				}
				sweep(what+"."+m.Name, recv.Method(i), live)
			}
		}
		for i := range typ.NumMethod() { // and on a zero value, as a copy is called
			sweep(name+"{}."+typ.Method(i).Name, reflect.Zero(typ).Method(i), live)
		}
	}
	t.Logf("%d calls, %d panics", calls, panics)
	require.Greater(t, calls, 300)
}

func describeArgs(args []reflect.Value) string {
	var s []string
	for _, a := range args {
		if a.Kind() == reflect.Slice && a.Type().Elem().Kind() == reflect.Func {
			s = append(s, fmt.Sprintf("%d funcs", a.Len()))
			continue
		}
		s = append(s, fmt.Sprintf("%#v", a.Interface()))
	}
	return strings.Join(s, ", ")
}

// sweepArgs returns arguments for a function of type ft: all zero (nil
// pointers, functions and interfaces, "" and 0), or filled (a context, "x",
// 1, pointers to zero values, slices of one zero element; functions stay
// nil). variadic is how many values the variadic parameter gets.
func sweepArgs(ft reflect.Type, filled bool, variadic int, live *sweepClient) []reflect.Value {
	args := make([]reflect.Value, ft.NumIn())
	for i := range args {
		at := ft.In(i)
		if ft.IsVariadic() && i == ft.NumIn()-1 {
			args[i] = reflect.MakeSlice(at, variadic, variadic) // its elements are zero: nil options
			continue
		}
		args[i] = sweepValue(at, filled, live)
	}
	return args
}

func sweepValue(t reflect.Type, filled bool, live *sweepClient) reflect.Value {
	if !filled {
		return reflect.Zero(t)
	}
	switch {
	case t == reflect.TypeFor[context.Context]():
		return reflect.ValueOf(live.context())
	case t == reflect.TypeFor[error]():
		return reflect.ValueOf(errors.New("x"))
	case t == reflect.TypeFor[url.Values]():
		return reflect.ValueOf(url.Values{"x": {"x"}})
	}
	v := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(1)
	case reflect.Float64:
		v.SetFloat(1)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		if t.Elem() != reflect.TypeFor[http.Client]() { // a caller's http.Client would reach the network
			v.Set(reflect.New(t.Elem()))
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(t, 1, 1))
	}
	return v
}

// sweepClient is a working client whose transport answers in process with
// each action's fixture, and whose sweep context ends after a few requests.
type sweepClient struct {
	*Client
	sent   atomic.Int64
	cancel atomic.Value // context.CancelFunc of the current context
}

func newSweepClient(t *testing.T) *sweepClient {
	s := &sweepClient{}
	// The instance and a listener are named "x", as the filled-in
	// arguments are, so that waiters and edits reach their callbacks.
	names := strings.NewReplacer(`"5d74bb81-0473-464d-b15b-0ae418619248"`, `"x"`, `"http43"`, `"x"`)
	fixtures := map[string]string{}
	for _, ac := range validCalls(t) {
		fixtures[ac.action] = names.Replace(fixture(t, ac.action))
	}
	answer := func(r *http.Request) (*http.Response, error) {
		if s.sent.Add(1) >= 20 {
			s.cancel.Load().(context.CancelFunc)()
		}
		if err := r.Context().Err(); err != nil {
			return nil, err
		}
		body := fixtures[r.URL.Query().Get("Action")]
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	}
	c, err := NewClient(testKeyID, testSecret, WithEndpoint("http://"+closedAddr(t)), WithHTTPClient(&http.Client{Transport: roundTripFunc(answer)}))
	require.NoError(t, err)
	c.sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	s.Client = c
	return s
}

// context returns a new context for one call, which ends at its 20th request.
func (s *sweepClient) context() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	s.sent.Store(0)
	s.cancel.Store(cancel)
	return ctx
}
