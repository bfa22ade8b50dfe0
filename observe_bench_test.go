package cdslb

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkObserver is BenchmarkCall's call from one goroutine with no
// observer and with one whose methods do nothing: the difference is what
// reporting costs a call. Run it with -count and compare the medians
// (benchstat), as the two alternate within each round.
func BenchmarkObserver(b *testing.B) {
	url := benchServer(b)
	for _, o := range []struct {
		name string
		opts []Option
	}{{"none", nil}, {"nop", []Option{WithObserver(NopObserver{})}}} {
		b.Run("observer="+o.name, func(b *testing.B) {
			c, err := NewClient("AKIDEXAMPLE123", "SecretKeyExample/+=", append([]Option{WithEndpoint(url)}, o.opts...)...)
			require.NoError(b, err)
			defer c.CloseIdleConnections()
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				resp, err := c.DescribeLoadBalancers(context.Background(), benchRequest)
				if err != nil || len(resp.LoadBalancers) != 1 {
					b.Fatal(resp, err)
				}
			}
		})
	}
}

// BenchmarkObserverHooks is what reporting adds to a call, without the
// call: a helper, a call and an attempt started and ended, with no
// observer and with a no-op one; BenchmarkObserver's call takes hundreds of
// times longer over loopback.
func BenchmarkObserverHooks(b *testing.B) {
	params, _, err := describeLoadBalancers.wire(benchRequest, chinaStandardTime).encode()
	require.NoError(b, err)
	op := operation{action: "DescribeLoadBalancers", method: "GET", path: pathLB, readOnly: true}
	meta := &ResponseMeta{Code: "Success", HTTPStatus: 200, Attempts: 1}
	for _, o := range []struct {
		name string
		opts []Option
	}{{"none", nil}, {"nop", []Option{WithObserver(NopObserver{})}}} {
		b.Run("observer="+o.name, func(b *testing.B) {
			c, err := NewClient("AKIDEXAMPLE123", "SecretKeyExample/+=", o.opts...)
			require.NoError(b, err)
			bg := context.Background()
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() { // as run reports a call of one attempt: not at all without an observer
				var err error
				if c.observer != nil {
					ctx, call := c.startCall(bg, op.action, op.readOnly)
					_ = call.startAttempt(ctx, op, params, 1, 0)
					call.endAttempt(meta, nil, 0, false)
					call.end(&err)
				}
			}
		})
	}
}

// reportCPU reports the process's CPU time (user and system) per
// operation as cpu-ns/op, when the function it returns is called at the
// end of the benchmark. On a loaded machine it varies far less than the
// time per operation, which counts the time others ran; the call
// benchmarks' server runs in another process, so it is the client's alone.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
