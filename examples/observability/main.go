// Command observability shows what cdslbotel reports: it runs
// EnsureLoadBalancer, then PlanListeners and ApplyListeners, then
// WaitUntilRunning against the built-in fake service, whose first answer
// to a listener read is a 503 gateway page, and prints the span tree and
// the metrics that OpenTelemetry's SDK collected in memory.
//
//	cd examples/observability && go run .
//
// In a service, pass the providers your exporters use to
// cdslbotel.WithOpenTelemetry instead (nil for the global ones).
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/cdslbotel"
	"github.com/cdsgo/cdslb/internal/fakelb"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "observability:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	defer tp.Shutdown(ctx)
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(ctx)

	// The fake service, as cdslbtest serves it, busy for 100 ms after a change.
	id, secret := fakelb.NewKeyPair()
	fake := fakelb.New(fakelb.Config{AccessKeyID: id, AccessKeySecret: secret, Delay: 100 * time.Millisecond})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, err := cdslb.NewClient(id, secret, cdslb.WithEndpoint(srv.URL), cdslbotel.WithOpenTelemetry(tp, mp),
		cdslb.WithRetry(cdslb.RetryPolicy{MaxAttempts: 3, BaseDelay: 10 * time.Millisecond, MaxDelay: 100 * time.Millisecond}))
	if err != nil {
		return err
	}
	poll := cdslb.WithPollInterval(50*time.Millisecond, 200*time.Millisecond)

	lb, _, err := c.EnsureLoadBalancer(ctx, &cdslb.CreateLoadBalancerRequest{RegionID: "CN_Hongkong_A", VdcID: "vdc-1",
		BasePipeID: "pipe-1", InstanceName: "web", PaasGoodsID: 5072,
		IPs: []cdslb.CreateLoadBalancerIP{{PipeType: cdslb.PipeTypePrivate, PipeID: "pipe-1"}}}, poll)
	if err != nil {
		return err
	}
	plan, err := c.PlanListeners(ctx, lb.InstanceUUID, []cdslb.HTTPListener{{ListenerName: "web", ListenerPort: 80,
		Scheduler: cdslb.SchedulerRoundRobin, MaxConn: 1000, ConnectTimeout: time.Second, ClientTimeout: 30 * time.Second,
		ServerTimeout: 30 * time.Second, BackendServers: []cdslb.BackendServer{{IP: "10.0.0.11", Port: 8080, Weight: 1}}}}, nil)
	if err != nil {
		return err
	}
	// The next read of the listener set is answered 503, once: the client
	// retries it, and the trace shows both attempts.
	if err := fake.FailNext("DescribeLoadBalancerStrategys", 1, fakelb.Fault{ErrorRate: 1, Status: http.StatusServiceUnavailable}); err != nil {
		return err
	}
	if _, err := c.ApplyListeners(ctx, plan); err != nil {
		return err
	}
	if _, err := c.WaitUntilRunning(ctx, lb.InstanceUUID, poll); err != nil {
		return err
	}

	fmt.Fprintln(out, "Spans:")
	printTree(out, spans.GetSpans().Snapshots())
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		return err
	}
	fmt.Fprintln(out, "\nMetrics:")
	printMetrics(out, rm)
	return nil
}

// shown are the attributes printed beside a span's name.
var shown = []attribute.Key{"cdslb.instance_uuid", "cdslb.calls", "cdslb.attempts", "cdslb.api_code", "cdslb.task_id",
	"cdslb.outcome_unknown", "url.full", "http.request.resend_count", "http.response.status_code", "error.type", "cdslb.retry"}

// printTree prints the spans as a tree, children in the order they started.
func printTree(out io.Writer, spans []sdktrace.ReadOnlySpan) {
	children := map[trace.SpanID][]sdktrace.ReadOnlySpan{}
	ids := map[trace.SpanID]bool{}
	for _, s := range spans {
		ids[s.SpanContext().SpanID()] = true
	}
	var roots []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if p := s.Parent().SpanID(); ids[p] {
			children[p] = append(children[p], s)
		} else {
			roots = append(roots, s)
		}
	}
	var walk func(list []sdktrace.ReadOnlySpan, depth int)
	walk = func(list []sdktrace.ReadOnlySpan, depth int) {
		slices.SortFunc(list, func(a, b sdktrace.ReadOnlySpan) int { return a.StartTime().Compare(b.StartTime()) })
		for _, s := range list {
			var attrs []string
			for _, k := range shown {
				for _, kv := range s.Attributes() {
					if kv.Key == k {
						attrs = append(attrs, fmt.Sprintf("%s=%s", k, kv.Value.String()))
					}
				}
			}
			status := ""
			if s.Status().Code == codes.Error {
				status = " ERROR"
			}
			fmt.Fprintf(out, "%s%s (%s, %v)%s %s\n", strings.Repeat("  ", depth), s.Name(), s.SpanKind(),
				s.EndTime().Sub(s.StartTime()).Round(time.Millisecond), status, strings.Join(attrs, " "))
			walk(children[s.SpanContext().SpanID()], depth+1)
		}
	}
	walk(roots, 0)
}

// printMetrics prints each instrument's data points with their attributes.
func printMetrics(out io.Writer, rm metricdata.ResourceMetrics) {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			var lines []string
			switch d := m.Data.(type) {
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("  %s count=%d sum=%.3f%s", set(dp.Attributes), dp.Count, dp.Sum, m.Unit))
				}
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("  %s %d", set(dp.Attributes), dp.Value))
				}
			case metricdata.Sum[float64]:
				for _, dp := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("  %s %.3f%s", set(dp.Attributes), dp.Value, m.Unit))
				}
			}
			sort.Strings(lines)
			fmt.Fprintf(out, "%s (%s)\n%s\n", m.Name, m.Unit, strings.Join(lines, "\n"))
		}
	}
}

func set(s attribute.Set) string {
	var parts []string
	for _, kv := range s.ToSlice() {
		parts = append(parts, fmt.Sprintf("%s=%s", kv.Key, kv.Value.String()))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
