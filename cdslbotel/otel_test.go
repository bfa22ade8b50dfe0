package cdslbotel_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/cdslbotel"
	"github.com/cdsgo/cdslb/cdslbtest"
)

// telemetry is an in-memory span exporter and a manual metric reader,
// with the option that reports to them.
type telemetry struct {
	spans  *tracetest.InMemoryExporter
	reader *sdkmetric.ManualReader
	option cdslb.Option
}

func newTelemetry(t *testing.T) *telemetry {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) })
	return &telemetry{spans, reader, cdslbotel.WithOpenTelemetry(tp, mp)}
}

func (tm *telemetry) metrics(t *testing.T) map[string]metricdata.Aggregation {
	var rm metricdata.ResourceMetrics
	require.NoError(t, tm.reader.Collect(context.Background(), &rm))
	out := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		assert.Equal(t, cdslbotel.ScopeName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			out[m.Name] = m.Data
		}
	}
	return out
}

func attr(s sdktrace.ReadOnlySpan, k attribute.Key) (attribute.Value, bool) {
	for _, kv := range s.Attributes() {
		if kv.Key == k {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

var fastPoll = cdslb.WithPollInterval(5*time.Millisecond, 20*time.Millisecond)

func webListener() cdslb.HTTPListener {
	return cdslb.HTTPListener{ListenerName: "web", ListenerPort: 80, Scheduler: cdslb.SchedulerRoundRobin, MaxConn: 1000,
		ConnectTimeout: time.Second, ClientTimeout: 30 * time.Second, ServerTimeout: 30 * time.Second,
		BackendServers: []cdslb.BackendServer{{IP: "10.0.0.11", Port: 8080, Weight: 1}}}
}

// TestSpansAndMetricsOfAHelperRun is the acceptance: against the
// fake, EnsureLoadBalancer, PlanListeners and ApplyListeners, and
// WaitUntilRunning, with one 503 on a read, give a helper span for each
// helper, the call spans beneath the helpers, the attempt spans beneath
// each call (two for the retried read, the second with
// http.request.resend_count 1), no attribute holding the secret or
// "Signature=", and a duration data point for each action called.
func TestSpansAndMetricsOfAHelperRun(t *testing.T) {
	t.Parallel()
	tm := newTelemetry(t)
	srv := cdslbtest.NewServer(t)
	c := srv.Client(tm.option)
	ctx := context.Background()

	lb, _, err := c.EnsureLoadBalancer(ctx, &cdslb.CreateLoadBalancerRequest{RegionID: "CN_Hongkong_A", VdcID: "vdc-1", BasePipeID: "pipe-1",
		InstanceName: "web", PaasGoodsID: 5072, IPs: []cdslb.CreateLoadBalancerIP{{PipeType: cdslb.PipeTypePrivate, PipeID: "pipe-1"}}}, fastPoll)
	require.NoError(t, err)
	plan, err := c.PlanListeners(ctx, lb.InstanceUUID, []cdslb.HTTPListener{webListener()}, nil)
	require.NoError(t, err)
	require.NoError(t, srv.FailNext("DescribeLoadBalancerStrategys", 1, cdslbtest.Fault{ErrorRate: 1, Status: http.StatusServiceUnavailable}))
	_, err = c.ApplyListeners(ctx, plan)
	require.NoError(t, err)
	_, err = c.WaitUntilRunning(ctx, lb.InstanceUUID, fastPoll)
	require.NoError(t, err)
	struck := 0
	for _, call := range srv.Calls("DescribeLoadBalancerStrategys") {
		if call.Status == http.StatusServiceUnavailable {
			struck++
		}
	}
	require.Equal(t, 1, struck, "the fault struck once")

	spans := tm.spans.GetSpans().Snapshots()
	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byID[s.SpanContext().SpanID()] = s
	}
	isHelper := func(s sdktrace.ReadOnlySpan) bool { _, ok := attr(s, cdslbotel.AttrOperation); return ok }
	isCall := func(s sdktrace.ReadOnlySpan) bool { _, ok := attr(s, cdslbotel.AttrAction); return ok }

	var helpers []string
	actions := map[string]bool{}
	attemptsOf := map[trace.SpanID][]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		parent, hasParent := byID[s.Parent().SpanID()]
		switch {
		case isHelper(s):
			assert.Equal(t, trace.SpanKindInternal, s.SpanKind())
			helpers = append(helpers, s.Name())
			if hasParent {
				assert.True(t, isHelper(parent), "a helper is beneath a helper, if anything")
			}
		case isCall(s):
			assert.Equal(t, trace.SpanKindClient, s.SpanKind())
			require.True(t, hasParent && isHelper(parent), "call %s is beneath a helper", s.Name())
			actions[s.Name()] = true
		default: // an attempt
			assert.Equal(t, trace.SpanKindClient, s.SpanKind())
			require.True(t, hasParent && isCall(parent), "attempt %s is beneath a call", s.Name())
			attemptsOf[parent.SpanContext().SpanID()] = append(attemptsOf[parent.SpanContext().SpanID()], s)
			for _, k := range []attribute.Key{"http.request.method", "server.address", "server.port", "url.full"} {
				_, ok := attr(s, k)
				assert.True(t, ok, "attempt has %s", k)
			}
		}
	}
	slices.Sort(helpers)
	assert.Equal(t, []string{"ApplyListeners", "EnsureLoadBalancer", "PlanListeners", "WaitUntilRunning", "WaitUntilRunning"}, helpers,
		"EnsureLoadBalancer waits too, beneath itself")

	retried := 0
	for _, s := range spans {
		if !isCall(s) {
			continue
		}
		attempts := attemptsOf[s.SpanContext().SpanID()]
		n, _ := attr(s, cdslbotel.AttrAttempts)
		require.Len(t, attempts, int(n.AsInt64()), s.Name())
		if len(attempts) == 1 {
			_, resent := attr(attempts[0], "http.request.resend_count")
			assert.False(t, resent)
			continue
		}
		retried++
		require.Equal(t, "DescribeLoadBalancerStrategys", s.Name())
		require.Len(t, attempts, 2)
		slices.SortFunc(attempts, func(a, b sdktrace.ReadOnlySpan) int { return a.StartTime().Compare(b.StartTime()) })
		first, second := attempts[0], attempts[1]
		status, _ := attr(first, "http.response.status_code")
		errType, _ := attr(first, "error.type")
		assert.Equal(t, []any{int64(503), "503", codes.Error}, []any{status.AsInt64(), errType.AsString(), first.Status().Code})
		retry, _ := attr(first, cdslbotel.AttrRetry)
		assert.True(t, retry.AsBool())
		resend, ok := attr(second, "http.request.resend_count")
		require.True(t, ok)
		assert.Equal(t, int64(1), resend.AsInt64())
		status, _ = attr(second, "http.response.status_code")
		assert.Equal(t, int64(200), status.AsInt64())
		assert.Equal(t, codes.Unset, second.Status().Code)
		assert.Equal(t, codes.Unset, s.Status().Code, "the call succeeded")
	}
	assert.Equal(t, 1, retried, "one read was retried")

	for _, s := range spans {
		texts := []string{s.Name(), s.Status().Description}
		for _, kv := range s.Attributes() {
			texts = append(texts, kv.Value.String())
		}
		for _, e := range s.Events() {
			for _, kv := range e.Attributes {
				texts = append(texts, kv.Value.String())
			}
		}
		for _, text := range texts {
			assert.NotContains(t, text, srv.AccessKeySecret(), s.Name())
			assert.NotContains(t, text, "Signature=", s.Name())
			assert.NotContains(t, text, "AccessKeyId", s.Name())
		}
	}

	metrics := tm.metrics(t)
	checkAttributes(t, metrics)
	hist, ok := metrics["cdslb.client.call.duration"].(metricdata.Histogram[float64])
	require.True(t, ok)
	seen := map[string]bool{}
	for _, dp := range hist.DataPoints {
		a, _ := dp.Attributes.Value(cdslbotel.AttrAction)
		o, _ := dp.Attributes.Value(cdslbotel.AttrOutcome)
		assert.Equal(t, "success", o.AsString())
		seen[a.AsString()] = true
	}
	assert.Equal(t, actions, seen, "a data point for each action called")
	assert.Equal(t, int64(1), sumInt(t, metrics["cdslb.client.retries"]))
	attemptSpans := 0
	for _, a := range attemptsOf {
		attemptSpans += len(a)
	}
	assert.Equal(t, int64(attemptSpans), sumInt(t, metrics["cdslb.client.attempts"]))
	req, ok := metrics["http.client.request.duration"].(metricdata.Histogram[float64])
	require.True(t, ok)
	var requests uint64
	for _, dp := range req.DataPoints {
		requests += dp.Count
	}
	assert.Equal(t, uint64(attemptSpans), requests)
	_, ok = metrics["cdslb.client.operation.duration"].(metricdata.Histogram[float64])
	assert.True(t, ok)
}

func sumInt(t *testing.T, a metricdata.Aggregation) int64 {
	if a == nil {
		return 0
	}
	s, ok := a.(metricdata.Sum[int64])
	require.True(t, ok)
	var n int64
	for _, dp := range s.DataPoints {
		n += dp.Value
	}
	return n
}

// TestAnUnknownOutcomeIsCounted: a create whose answer is lost is an
// error span with cdslb.outcome_unknown, counted, and its duration is
// recorded with the outcome "unknown".
func TestAnUnknownOutcomeIsCounted(t *testing.T) {
	t.Parallel()
	tm := newTelemetry(t)
	srv := cdslbtest.NewServer(t)
	c := srv.Client(tm.option)
	require.NoError(t, srv.SetFault("CreateLoadBalancer", cdslbtest.Fault{DropAfterRate: 1}))
	_, err := c.CreateLoadBalancer(context.Background(), &cdslb.CreateLoadBalancerRequest{RegionID: "CN_Hongkong_A", VdcID: "vdc-1",
		BasePipeID: "pipe-1", InstanceName: "web", PaasGoodsID: 5072, IPs: []cdslb.CreateLoadBalancerIP{{PipeType: cdslb.PipeTypePrivate, PipeID: "pipe-1"}}})
	require.ErrorIs(t, err, cdslb.ErrOutcomeUnknown)

	spans := tm.spans.GetSpans().Snapshots()
	var call sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == "CreateLoadBalancer" {
			call = s
		}
	}
	require.NotNil(t, call)
	unknown, _ := attr(call, cdslbotel.AttrOutcomeUnknown)
	assert.True(t, unknown.AsBool())
	assert.Equal(t, codes.Error, call.Status().Code)
	assert.NotEmpty(t, call.Status().Description)
	et, ok := attr(call, "error.type")
	require.True(t, ok)
	assert.Equal(t, cdslbotel.ErrorType(err), et.AsString())

	metrics := tm.metrics(t)
	assert.Equal(t, int64(1), sumInt(t, metrics["cdslb.client.outcome_unknown"]))
	hist := metrics["cdslb.client.call.duration"].(metricdata.Histogram[float64])
	require.Len(t, hist.DataPoints, 1)
	o, _ := hist.DataPoints[0].Attributes.Value(cdslbotel.AttrOutcome)
	assert.Equal(t, "unknown", o.AsString())
}

// TestSpanDescriptionsDropURLQueries: an error whose message repeats a
// URL with its query (as a caller's transport may) describes the span
// without the query.
func TestSpanDescriptionsDropURLQueries(t *testing.T) {
	t.Parallel()
	tm := newTelemetry(t)
	srv := cdslbtest.NewServer(t)
	echo := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, &echoError{r.URL.String()}
	})
	c := srv.Client(tm.option, cdslb.WithHTTPClient(&http.Client{Transport: echo}), cdslb.WithRetry(cdslb.NoRetry))
	_, err := c.DescribeZones(context.Background(), nil)
	require.Error(t, err)
	require.Contains(t, err.Error(), "Signature=", "the library keeps the parameter's name, its value redacted")
	for _, s := range tm.spans.GetSpans().Snapshots() {
		assert.NotContains(t, s.Status().Description, "?", s.Name())
		assert.Contains(t, s.Status().Description, srv.URL+"/lb/", s.Name())
		et, _ := attr(s, "error.type")
		assert.Equal(t, "*cdslbotel_test.echoError", et.AsString())
	}
}

type echoError struct{ url string }

func (e *echoError) Error() string { return "refused " + e.url + " by policy" }

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestErrorType names the library's errors by code or kind.
func TestErrorType(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	srv := cdslbtest.NewServer(t)
	c := srv.Client(cdslb.WithRetry(cdslb.NoRetry))
	_, notFound := c.DescribeLoadBalancerStrategys(context.Background(), &cdslb.DescribeLoadBalancerStrategysRequest{InstanceUUID: "nope"})
	_, invalid := c.DescribeLoadBalancerStrategys(context.Background(), nil)
	_, canceled := c.DescribeZones(ctx, nil)
	require.NoError(t, srv.SetFault("DescribeZones", cdslbtest.Fault{ErrorRate: 1, Status: 502}))
	_, gateway := c.DescribeZones(context.Background(), nil)
	_, waited := c.WaitUntilRunning(context.Background(), "nope", cdslb.WithNotFoundGrace(0))
	for err, want := range map[error]string{
		nil: "", notFound: "ResourceNotFound", invalid: "InvalidRequest", canceled: "context.Canceled", gateway: "502",
		waited: "ResourceNotFound", &cdslb.WaitError{Err: cdslb.ErrWaitFailed}: "WaitFailed",
		&cdslb.TransportError{Err: &echoError{}}: "*cdslbotel_test.echoError", &cdslb.TransportError{Err: errors.ErrUnsupported}: "_OTHER",
	} {
		assert.Equal(t, want, cdslbotel.ErrorType(err), "%v", err)
	}
}

// checkAttributes checks every data point's attributes are named and
// none is empty.
func checkAttributes(t *testing.T, metrics map[string]metricdata.Aggregation) {
	check := func(name string, set attribute.Set) {
		for _, kv := range set.ToSlice() {
			assert.NotEmpty(t, kv.Key, "%s has an attribute without a name: %v", name, set.ToSlice())
			assert.NotEmpty(t, kv.Value.String(), "%s: %s is empty", name, kv.Key)
		}
	}
	for name, a := range metrics {
		switch d := a.(type) {
		case metricdata.Histogram[float64]:
			for _, dp := range d.DataPoints {
				check(name, dp.Attributes)
			}
		case metricdata.Sum[int64]:
			for _, dp := range d.DataPoints {
				check(name, dp.Attributes)
			}
		case metricdata.Sum[float64]:
			for _, dp := range d.DataPoints {
				check(name, dp.Attributes)
			}
		}
	}
}

// TestAttemptAttributesAndCounters: an attempt that waited for the rate
// limit and is retried says so on its span and in the counters, and a
// resent attempt counts as a retry.
func TestAttemptAttributesAndCounters(t *testing.T) {
	t.Parallel()
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	o := cdslbotel.NewObserver(tp, mp)
	ctx := o.StartCall(context.Background(), cdslb.CallStart{Action: "DescribeZones", ReadOnly: true})
	for attempt := 1; attempt <= 2; attempt++ {
		actx := o.StartAttempt(ctx, cdslb.AttemptStart{Action: "DescribeZones", Attempt: attempt, Method: "GET",
			ServerAddress: "cdsapi.capitalonline.net", ServerPort: 443, URL: "https://cdsapi.capitalonline.net/lb/?Action=DescribeZones",
			RateLimitWait: 2 * time.Second})
		o.EndAttempt(actx, cdslb.AttemptEnd{Action: "DescribeZones", Attempt: attempt, HTTPStatus: 200, Code: "Success",
			Retry: attempt == 1, RetryDelay: 250 * time.Millisecond})
	}
	o.EndCall(ctx, cdslb.CallEnd{Action: "DescribeZones", ReadOnly: true, Attempts: 2, HTTPStatus: 200, Code: "Success"})

	got := spans.GetSpans().Snapshots()
	require.Len(t, got, 3)
	first := got[0]
	wait, _ := attr(first, cdslbotel.AttrRateLimitWait)
	delay, _ := attr(first, cdslbotel.AttrRetryDelay)
	assert.Equal(t, []any{2.0, 0.25}, []any{wait.AsFloat64(), delay.AsFloat64()})
	assert.Equal(t, semconv.SchemaURL, first.InstrumentationScope().SchemaURL)

	tm := &telemetry{reader: reader}
	metrics := tm.metrics(t)
	assert.Equal(t, int64(2), sumInt(t, metrics["cdslb.client.attempts"]))
	assert.Equal(t, int64(1), sumInt(t, metrics["cdslb.client.retries"]))
	waited := metrics["cdslb.client.rate_limit.wait"].(metricdata.Sum[float64])
	require.Len(t, waited.DataPoints, 1)
	assert.Equal(t, 4.0, waited.DataPoints[0].Value)
}

// TestNilProvidersAreTheGlobalOnes: WithOpenTelemetry(nil, nil) reports to
// the providers set globally, also when they are set after the client is
// made.
func TestNilProvidersAreTheGlobalOnes(t *testing.T) {
	srv := cdslbtest.NewServer(t)
	c := srv.Client(cdslbotel.WithOpenTelemetry(nil, nil))
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	prevTP, prevMP := otel.GetTracerProvider(), otel.GetMeterProvider()
	otel.SetTracerProvider(tp)
	otel.SetMeterProvider(mp)
	t.Cleanup(func() { otel.SetTracerProvider(prevTP); otel.SetMeterProvider(prevMP) })

	_, err := c.DescribeZones(context.Background(), nil)
	require.NoError(t, err)
	names := []string{}
	for _, s := range spans.GetSpans().Snapshots() {
		names = append(names, s.Name())
	}
	assert.ElementsMatch(t, []string{"DescribeZones", "GET"}, names)
	tm := &telemetry{reader: reader}
	assert.Equal(t, int64(1), sumInt(t, tm.metrics(t)["cdslb.client.attempts"]))
}

// TestErrorTypeKeepsCardinalityLow: error.type is a metric attribute, so
// a code the service (or a proxy) makes up per answer, such as one that
// carries a request id or a message, must not become a value of its own:
// only a code shaped like one ("InternalError", "Invalid.Parameter") is
// kept, the rest is "_OTHER".
func TestErrorTypeKeepsCardinalityLow(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]string{
		"InternalError":                          "InternalError",
		"Invalid.Parameter_Value":                "Invalid.Parameter_Value",
		"InternalError: request 7f3a9c2e failed": "_OTHER",
		"7f3a9c2e-1b2d-4c5e-8f90-123456789abc":   "_OTHER",
		"Internal\\nError":                       "_OTHER",
		strings.Repeat("A", 65):                  "_OTHER",
		"Signature=REDACTED":                     "_OTHER",
	} {
		err := &cdslb.APIError{Action: "DescribeZones", HTTPStatus: 500, Code: code}
		assert.Equal(t, want, cdslbotel.ErrorType(err), "%q", code)
	}
}
