// Package cdslbotel reports what a cdslb.Client does to OpenTelemetry:
// a span per helper operation, per API call and per attempt, and metrics
// of call durations, attempts, retries, outcome-unknown errors and rate
// limit waits.
//
//	client, err := cdslb.NewClient(id, secret, cdslbotel.WithOpenTelemetry(tp, mp))
//
// # Spans
//
// A helper (EnsureLoadBalancer, WaitUntilRunning, ApplyListeners and the
// other helpers that make several calls) is an internal span named after
// it, with its calls beneath it. A call is a client span named after its
// action (DescribeLoadBalancers), with the attributes cdslb.action,
// cdslb.read_only and, at its end, cdslb.attempts, cdslb.api_code,
// cdslb.task_id and cdslb.outcome_unknown. Each attempt of a call is a
// client span beneath it named after its HTTP method, following the stable
// HTTP client conventions: http.request.method, server.address,
// server.port, url.full (without the signing parameters, so never a
// signature nor the access key id), http.request.resend_count on a retry,
// http.response.status_code, and error.type; cdslb.rate_limit.wait says
// how long it waited for the client's rate limit, cdslb.retry and
// cdslb.retry.delay what the retry policy decided after it.
//
// An error sets the span's status to Error, with the error's message
// (without any URL query) as its description and error.type holding what
// ErrorType returns: the API's code, or the kind of the error.
//
// # Metrics
//
// cdslb.client.call.duration (s) is a histogram of call durations by
// cdslb.action and cdslb.outcome (success, error, or unknown when the
// change may have been carried out), with error.type on errors;
// cdslb.client.operation.duration (s) the same of helpers, by
// cdslb.operation; http.client.request.duration (s) is the conventions'
// histogram of attempts. The counters cdslb.client.attempts,
// cdslb.client.retries and cdslb.client.outcome_unknown, and
// cdslb.client.rate_limit.wait (s), are by cdslb.action.
package cdslbotel

import (
	"context"
	"regexp"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/cdsgo/cdslb"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/cdsgo/cdslb/cdslbotel"

// The attributes this package adds beside the conventions' ones.
const (
	AttrOperation      = attribute.Key("cdslb.operation")       // a helper's name, such as "EnsureLoadBalancer"
	AttrInstanceUUID   = attribute.Key("cdslb.instance_uuid")   // the instance a helper works on
	AttrCalls          = attribute.Key("cdslb.calls")           // the API calls a helper made
	AttrAction         = attribute.Key("cdslb.action")          // the API action, such as "DescribeLoadBalancers"
	AttrReadOnly       = attribute.Key("cdslb.read_only")       // the action only reads
	AttrAttempts       = attribute.Key("cdslb.attempts")        // the attempts a call made
	AttrAPICode        = attribute.Key("cdslb.api_code")        // the API's code in the answer, such as "Success"
	AttrTaskID         = attribute.Key("cdslb.task_id")         // the task id in the answer
	AttrOutcomeUnknown = attribute.Key("cdslb.outcome_unknown") // the change may have been carried out (cdslb.ErrOutcomeUnknown)
	AttrOutcome        = attribute.Key("cdslb.outcome")         // on metrics: "success", "error" or "unknown"
	AttrRateLimitWait  = attribute.Key("cdslb.rate_limit.wait") // seconds an attempt waited for the rate limit
	AttrRetry          = attribute.Key("cdslb.retry")           // the call is retried after this attempt
	AttrRetryDelay     = attribute.Key("cdslb.retry.delay")     // seconds before the retry
)

// WithOpenTelemetry makes a client report to OpenTelemetry: spans to tp
// and metrics to mp. A nil provider is the global one (otel.GetTracerProvider,
// otel.GetMeterProvider), which follows a provider set later.
func WithOpenTelemetry(tp trace.TracerProvider, mp metric.MeterProvider) cdslb.Option {
	return cdslb.WithObserver(NewObserver(tp, mp))
}

// NewObserver returns the observer WithOpenTelemetry installs, to combine
// with an observer of your own. A nil provider is the global one.
func NewObserver(tp trace.TracerProvider, mp metric.MeterProvider) cdslb.Observer {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	o := &observer{tracer: tp.Tracer(ScopeName, trace.WithInstrumentationVersion(cdslb.Version), trace.WithSchemaURL(semconv.SchemaURL))}
	m := mp.Meter(ScopeName, metric.WithInstrumentationVersion(cdslb.Version), metric.WithSchemaURL(semconv.SchemaURL))
	buckets := metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60, 120, 300)
	var err error
	o.callDuration, err = m.Float64Histogram("cdslb.client.call.duration", metric.WithUnit("s"), buckets,
		metric.WithDescription("Duration of API calls, retries and their waits included."))
	handle(err)
	o.operationDuration, err = m.Float64Histogram("cdslb.client.operation.duration", metric.WithUnit("s"), buckets,
		metric.WithDescription("Duration of helper operations, such as EnsureLoadBalancer and WaitUntilRunning."))
	handle(err)
	o.requestDuration, err = m.Float64Histogram("http.client.request.duration", metric.WithUnit("s"), buckets,
		metric.WithDescription("Duration of HTTP client requests."))
	handle(err)
	o.attempts, err = m.Int64Counter("cdslb.client.attempts", metric.WithUnit("{attempt}"),
		metric.WithDescription("Requests sent, retries included."))
	handle(err)
	o.retries, err = m.Int64Counter("cdslb.client.retries", metric.WithUnit("{retry}"),
		metric.WithDescription("Requests sent again by the retry policy."))
	handle(err)
	o.unknown, err = m.Int64Counter("cdslb.client.outcome_unknown", metric.WithUnit("{call}"),
		metric.WithDescription("Calls that may have changed state although they failed (cdslb.ErrOutcomeUnknown)."))
	handle(err)
	o.rateLimitWait, err = m.Float64Counter("cdslb.client.rate_limit.wait", metric.WithUnit("s"),
		metric.WithDescription("Time attempts waited for the client's rate limit."))
	handle(err)
	return o
}

// handle passes an instrument's error to OpenTelemetry's error handler;
// the instrument returned with it still works, recording nothing.
func handle(err error) {
	if err != nil {
		otel.Handle(err)
	}
}

type observer struct {
	tracer                                           trace.Tracer
	callDuration, operationDuration, requestDuration metric.Float64Histogram
	attempts, retries, unknown                       metric.Int64Counter
	rateLimitWait                                    metric.Float64Counter
}

func (o *observer) StartOperation(ctx context.Context, e cdslb.OperationStart) context.Context {
	attrs := []attribute.KeyValue{AttrOperation.String(e.Operation)}
	if e.InstanceUUID != "" {
		attrs = append(attrs, AttrInstanceUUID.String(e.InstanceUUID))
	}
	ctx, _ = o.tracer.Start(ctx, e.Operation, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	return ctx
}

func (o *observer) EndOperation(ctx context.Context, e cdslb.OperationEnd) {
	span := trace.SpanFromContext(ctx)
	span.SetAttributes(AttrCalls.Int(e.Calls))
	fail(span, e.Err)
	span.End()
	o.operationDuration.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(withError(e.Err, AttrOperation.String(e.Operation),
		outcome(e.Err, false))...))
}

func (o *observer) StartCall(ctx context.Context, e cdslb.CallStart) context.Context {
	ctx, _ = o.tracer.Start(ctx, e.Action, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(AttrAction.String(e.Action), AttrReadOnly.Bool(e.ReadOnly)))
	return ctx
}

func (o *observer) EndCall(ctx context.Context, e cdslb.CallEnd) {
	span := trace.SpanFromContext(ctx)
	attrs := []attribute.KeyValue{AttrAttempts.Int(e.Attempts), AttrOutcomeUnknown.Bool(e.OutcomeUnknown)}
	if e.Code != "" {
		attrs = append(attrs, AttrAPICode.String(e.Code))
	}
	if e.TaskID != "" {
		attrs = append(attrs, AttrTaskID.String(e.TaskID))
	}
	span.SetAttributes(attrs...)
	fail(span, e.Err)
	span.End()
	action := AttrAction.String(e.Action)
	o.callDuration.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(withError(e.Err, action, outcome(e.Err, e.OutcomeUnknown))...))
	if e.OutcomeUnknown {
		o.unknown.Add(ctx, 1, metric.WithAttributes(action))
	}
}

func (o *observer) StartAttempt(ctx context.Context, e cdslb.AttemptStart) context.Context {
	attrs := []attribute.KeyValue{
		semconv.HTTPRequestMethodKey.String(e.Method), semconv.ServerAddress(e.ServerAddress),
		semconv.ServerPort(e.ServerPort), semconv.URLFull(e.URL),
	}
	if e.Attempt > 1 {
		attrs = append(attrs, semconv.HTTPRequestResendCount(e.Attempt-1))
	}
	if e.RateLimitWait > 0 {
		attrs = append(attrs, AttrRateLimitWait.Float64(e.RateLimitWait.Seconds()))
	}
	action := metric.WithAttributes(AttrAction.String(e.Action))
	o.attempts.Add(ctx, 1, action)
	if e.Attempt > 1 {
		o.retries.Add(ctx, 1, action)
	}
	if e.RateLimitWait > 0 {
		o.rateLimitWait.Add(ctx, e.RateLimitWait.Seconds(), action)
	}
	ctx, _ = o.tracer.Start(ctx, e.Method, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return context.WithValue(ctx, attemptKey{}, &attempt{method: e.Method, address: e.ServerAddress, port: e.ServerPort})
}

// attempt is what an attempt's end needs of its start, for the HTTP
// request duration's attributes.
type attempt struct {
	method, address string
	port            int
}

type attemptKey struct{}

func (o *observer) EndAttempt(ctx context.Context, e cdslb.AttemptEnd) {
	span := trace.SpanFromContext(ctx)
	var attrs []attribute.KeyValue
	if e.HTTPStatus != 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(e.HTTPStatus))
	}
	if e.Code != "" {
		attrs = append(attrs, AttrAPICode.String(e.Code))
	}
	if e.Retry {
		attrs = append(attrs, AttrRetry.Bool(true), AttrRetryDelay.Float64(e.RetryDelay.Seconds()))
	}
	span.SetAttributes(attrs...)
	fail(span, e.Err)
	span.End()
	if a, ok := ctx.Value(attemptKey{}).(*attempt); ok {
		m := []attribute.KeyValue{semconv.HTTPRequestMethodKey.String(a.method), semconv.ServerAddress(a.address), semconv.ServerPort(a.port)}
		if e.HTTPStatus != 0 {
			m = append(m, semconv.HTTPResponseStatusCode(e.HTTPStatus))
		}
		o.requestDuration.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(withError(e.Err, m...)...))
	}
}

// fail marks a span as failed with err, when there is one.
func fail(span trace.Span, err error) {
	if err == nil {
		return
	}
	span.SetAttributes(semconv.ErrorTypeKey.String(ErrorType(err)))
	span.SetStatus(codes.Error, description(err))
}

// withError returns attrs with error.type when err is not nil.
func withError(err error, attrs ...attribute.KeyValue) []attribute.KeyValue {
	if err == nil {
		return attrs
	}
	return append(attrs, semconv.ErrorTypeKey.String(ErrorType(err)))
}

func outcome(err error, unknown bool) attribute.KeyValue {
	switch {
	case err == nil:
		return AttrOutcome.String("success")
	case unknown:
		return AttrOutcome.String("unknown")
	}
	return AttrOutcome.String("error")
}

// query matches a URL's query, which an error's message may repeat when a
// caller's transport puts the URL it was given in its error: the library
// redacts the signature's value, and a span needs none of the rest.
var query = regexp.MustCompile(`(https?://[^\s?#"'<>]*)\?[^\s#"'<>]*`)

// description is err's message without any URL query, and at most 500 bytes.
func description(err error) string {
	s := err.Error()
	if strings.Contains(s, "?") {
		s = query.ReplaceAllString(s, "$1")
	}
	if len(s) > 500 {
		s = strings.ToValidUTF8(s[:500], "") + "..."
	}
	return s
}
