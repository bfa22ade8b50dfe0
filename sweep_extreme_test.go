package cdslb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The extreme values every numeric and duration argument is tried with.
var (
	extremeInts = []int64{math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1, -1, 0,
		int64(time.Duration(math.MaxInt64)), math.MaxInt32, math.MinInt32}
	extremeFloats = []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.MaxFloat64,
		math.SmallestNonzeroFloat64, 0, -1, math.MaxInt64}
)

// extremeArgs returns arguments for ft in which every number (also the
// numbers of a struct given by value or pointer) is the i-th extreme
// value of its kind, and the rest is filled in as the sweep fills it.
func extremeArgs(ft reflect.Type, i int, live *sweepClient) []reflect.Value {
	args := sweepArgs(ft, true, 0, live)
	for _, a := range args {
		setNumbers(a, i)
	}
	return args
}

// setNumbers sets every settable number within v to the i-th extreme.
func setNumbers(v reflect.Value, i int) {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if v.CanSet() {
			n := extremeInts[i%len(extremeInts)]
			if v.OverflowInt(n) {
				n = map[bool]int64{true: math.MaxInt32, false: math.MinInt32}[n > 0]
			}
			v.SetInt(n)
		}
	case reflect.Float32, reflect.Float64:
		if v.CanSet() {
			v.SetFloat(extremeFloats[i%len(extremeFloats)])
		}
	case reflect.Pointer:
		if !v.IsNil() {
			setNumbers(v.Elem(), i)
		}
	case reflect.Struct:
		for f := range v.NumField() {
			setNumbers(v.Field(f), i)
		}
	}
}

// numericArgs reports whether ft takes a number, directly or in a struct.
func numericArgs(ft reflect.Type) bool {
	var has func(t reflect.Type) bool
	has = func(t reflect.Type) bool {
		switch t.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Float32, reflect.Float64:
			return true
		case reflect.Pointer:
			return has(t.Elem())
		case reflect.Struct:
			for f := range t.NumField() {
				if t.Field(f).IsExported() && has(t.Field(f).Type) {
					return true
				}
			}
		}
		return false
	}
	for i := range ft.NumIn() {
		if has(ft.In(i)) {
			return true
		}
	}
	return false
}

// TestNoCallPanicsOnExtremeValues calls every exported function, method
// and option that takes a number (or a struct of numbers) with each
// extreme value: math.MaxInt64, math.MinInt64, NaN, ±Inf and the largest
// time.Duration; nothing panics. Their neighbours are tried too. Every
// Option so made either makes NewClient fail or gives a client whose calls
// work.
func TestNoCallPanicsOnExtremeValues(t *testing.T) {
	live := newSweepClient(t)
	var calls int
	try := func(name string, fn func()) {
		calls++
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("%s panicked: %v", name, r)
			}
		}()
		fn()
	}
	optionType, waitOptionType := reflect.TypeFor[Option](), reflect.TypeFor[WaitOption]()
	for name, f := range sweepFuncs {
		fn := reflect.ValueOf(f)
		if !numericArgs(fn.Type()) {
			continue
		}
		for i := range max(len(extremeInts), len(extremeFloats)) {
			args := extremeArgs(fn.Type(), i, live)
			what := fmt.Sprintf("%s(%s)", name, describeArgs(args))
			try(what, func() {
				out := fn.Call(args)
				switch fn.Type().Out(0) {
				case optionType:
					opt := out[0].Interface().(Option)
					c, err := NewClient(testKeyID, testSecret, WithHTTPClient(live.caller), opt)
					if err == nil {
						c.sleep = live.sleep
						_, err = c.DescribeZones(live.context(), nil)
						require.NoError(t, err, "%s makes a client whose calls fail", what)
					}
				case waitOptionType:
					opt := out[0].Interface().(WaitOption)
					_, _ = live.WaitUntilRunning(live.context(), "x", opt)
				}
			})
		}
	}
	for name, typ := range sweepTypes {
		ptr := reflect.PointerTo(typ)
		for i := range ptr.NumMethod() {
			m := ptr.Method(i)
			if !numericArgs(m.Type) {
				continue
			}
			var recv reflect.Value
			if typ == reflect.TypeFor[Client]() {
				recv = reflect.ValueOf(live.Client)
			} else {
				recv = reflect.New(typ)
			}
			method := recv.Method(i)
			for k := range max(len(extremeInts), len(extremeFloats)) {
				args := extremeArgs(method.Type(), k, live)
				if method.Type().IsVariadic() {
					args[len(args)-1] = reflect.MakeSlice(method.Type().In(len(args)-1), 0, 0)
					try(name+"."+m.Name, func() { method.CallSlice(args) })
					continue
				}
				try(name+"."+m.Name, func() { method.Call(args) })
			}
		}
	}
	t.Logf("%d calls", calls)
	require.Greater(t, calls, 50)
}

// TestMaxResponseBytesWithoutLimit: WithMaxResponseBytes(math.MaxInt64)
// means no limit but memory: calls work, with a declared length or not.
// It panicked on every call before sizes saturated.
func TestMaxResponseBytesWithoutLimit(t *testing.T) {
	t.Parallel()
	for _, declared := range []bool{true, false} {
		body := fixture(t, "DescribeZones")
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp := &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)), Request: r, ContentLength: -1}
			if declared {
				resp.ContentLength = int64(len(body))
			}
			return resp, nil
		})
		c, err := NewClient(testKeyID, testSecret, WithHTTPClient(&http.Client{Transport: rt}), WithMaxResponseBytes(math.MaxInt64))
		require.NoError(t, err)
		resp, err := c.DescribeZones(context.Background(), nil)
		require.NoError(t, err, "declared length: %v", declared)
		assert.NotEmpty(t, resp.Zones)
	}
}

// virtualClock is a waiter's sleep on a clock that only sleeping moves:
// it counts the requests sent in the first second and stops the loop,
// with the context's error, once a second has passed or after 1,000
// sleeps.
type virtualClock struct {
	now    time.Duration
	sleeps int
	polls  atomic.Int64 // requests sent while now < 1 s
}

func (v *virtualClock) sleep(ctx context.Context, d time.Duration) error {
	v.sleeps++
	if d > 0 {
		v.now += d
		if v.now < 0 { // overflowed: the clock has run as long as a clock can
			v.now = math.MaxInt64
		}
	}
	if v.now >= time.Second || v.sleeps >= 1000 {
		return context.DeadlineExceeded
	}
	return ctx.Err()
}

// pollingLoops are the library's loops that poll: the waiters and the
// re-list of a create whose outcome is unknown.
var pollingLoops = map[string]func(ctx context.Context, c *Client, opts ...WaitOption) error{
	"WaitUntilRunning": func(ctx context.Context, c *Client, opts ...WaitOption) error {
		_, err := c.WaitUntilRunning(ctx, echoedID, opts...)
		return err
	},
	"WaitUntilDeleted": func(ctx context.Context, c *Client, opts ...WaitOption) error {
		return c.WaitUntilDeleted(ctx, echoedID, opts...)
	},
	"EnsureLoadBalancer's re-list": func(ctx context.Context, c *Client, opts ...WaitOption) error {
		req := goodCreate()
		req.InstanceName = "not-listed"
		_, _, err := c.EnsureLoadBalancer(ctx, req, opts...)
		return err
	},
}

// busyClient answers like a service whose instance stays busy: listed as
// CREATING, and a create that fails with a 502, whose outcome is unknown.
func busyClient(t *testing.T, clock *virtualClock) *Client {
	fixtures := map[string]string{}
	for _, ac := range validCalls(t) {
		fixtures[ac.action] = fixture(t, ac.action)
	}
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if clock.now < time.Second {
			clock.polls.Add(1)
		}
		action, status := r.URL.Query().Get("Action"), 200
		body := strings.Replace(fixtures[action], `"RUNNING"`, `"CREATING"`, 1)
		if action == "CreateLoadBalancer" {
			status, body = 502, "bad gateway"
		}
		return &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	})
	c, err := NewClient(testKeyID, testSecret, WithHTTPClient(&http.Client{Transport: rt}), WithRetry(NoRetry))
	require.NoError(t, err)
	c.sleep = clock.sleep
	return c
}

// TestNoLoopPollsFastOnExtremeOptions: no waiter or re-list polls more
// than 3 times in its first second, whatever extreme values its options
// hold; WithPollInterval(math.MaxInt64, 0) pauses for the longest duration
// there is instead of overflowing to a negative pause (1,000 polls before).
func TestNoLoopPollsFastOnExtremeOptions(t *testing.T) {
	t.Parallel()
	waitOptionType := reflect.TypeFor[WaitOption]()
	live := newSweepClient(t)
	for loop, run := range pollingLoops {
		for name, f := range sweepFuncs {
			fn := reflect.ValueOf(f)
			if fn.Type().NumOut() != 1 || fn.Type().Out(0) != waitOptionType {
				continue
			}
			for i := range extremeInts {
				args := extremeArgs(fn.Type(), i, live)
				opt := fn.Call(args)[0].Interface().(WaitOption)
				clock := &virtualClock{}
				err := run(context.Background(), busyClient(t, clock), opt)
				require.Error(t, err)
				assert.LessOrEqual(t, clock.polls.Load(), int64(3), "%s with %s(%s): %d requests in its first second",
					loop, name, describeArgs(args), clock.polls.Load())
			}
		}
		clock := &virtualClock{}
		var slept []time.Duration
		c := busyClient(t, clock)
		c.sleep = func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return clock.sleep(ctx, d) }
		err := run(context.Background(), c, WithPollInterval(math.MaxInt64, 0))
		assert.True(t, errors.Is(err, context.DeadlineExceeded), "%s: %v", loop, err)
		assert.LessOrEqual(t, clock.polls.Load(), int64(3), loop)
		require.NotEmpty(t, slept, loop)
		assert.Equal(t, time.Duration(math.MaxInt64), slept[len(slept)-1], "%s pauses for the longest duration there is", loop)
	}
}
