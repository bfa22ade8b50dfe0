// Command metrics reads a load balancer's metrics over spans of an hour, a
// day and a week, and draws each as a sparkline: the span decides how far
// apart the samples are (30 s, 1 min, 5 min, 1 h for spans up to 4 h, 2
// days, 10 days and 30 days). Listener metrics need a listener's name.
//
// Without -live it runs against the built-in fake service.
package main

import (
	"context"
	"fmt"
	"time"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/examples/internal/demo"
)

func main() { demo.Main("metrics", run) }

func run(ctx context.Context, s *demo.Session) error {
	c := s.Client
	id, err := s.Instance(ctx)
	if err != nil {
		return err
	}
	if _, err := c.AddLoadBalancerStrategys(ctx, &cdslb.AddLoadBalancerStrategysRequest{InstanceUUID: id, TCPListeners: []cdslb.TCPListener{{
		ListenerName: "tcp_app", ListenerPort: 9000, Scheduler: cdslb.SchedulerLeastConn, MaxConn: 1000,
		BackendServers: []cdslb.BackendServer{{IP: "10.0.0.31", Port: 9000, Weight: 1}},
	}}}); err != nil {
		return err
	}
	if _, err := c.WaitUntilRunning(ctx, id, s.Poll); err != nil {
		return err
	}

	end := time.Now()
	for _, q := range []struct {
		metric   cdslb.MetricKey
		span     time.Duration
		listener string
	}{
		{cdslb.MetricCPUUsage, time.Hour, ""},
		{cdslb.MetricMemUsage, 24 * time.Hour, ""},
		{cdslb.MetricInFlow, 7 * 24 * time.Hour, ""},
		{cdslb.MetricListenerConnections, time.Hour, "tcp_app"},
	} {
		resp, err := c.DescribeLBInstancePerformance(ctx, &cdslb.DescribeLBInstancePerformanceRequest{
			InstanceUUID: id, MetricKey: q.metric, StartTime: end.Add(-q.span), EndTime: end, ListenerName: q.listener,
		})
		if err != nil {
			return err
		}
		for _, p := range resp.DataPoints {
			fmt.Printf("%-24s %-8s every %-5s %4d samples  %s %s\n", q.metric, q.span, resp.Period, len(p.Values), demo.Sparkline(p.Values, 40), p.Unit)
		}
	}
	return nil
}
