package cdslbtest_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/cdslbtest"
)

// provision is the code under test in these examples: it creates a load
// balancer and waits until it runs, with the library's default polling.
func provision(ctx context.Context, c *cdslb.Client, name string) (string, error) {
	created, err := c.CreateLoadBalancer(ctx, &cdslb.CreateLoadBalancerRequest{
		RegionID: "CN_Hongkong_A", VdcID: "vdc-1", BasePipeID: "pipe-1", InstanceName: name, PaasGoodsID: 5075,
		IPs: []cdslb.CreateLoadBalancerIP{{PipeType: cdslb.PipeTypePrivate, PipeID: "pipe-1"}},
	})
	if err != nil {
		return "", err
	}
	if len(created.InstanceUUIDs) != 1 {
		return "", fmt.Errorf("created %d load balancers, want 1", len(created.InstanceUUIDs))
	}
	lb, err := c.WaitUntilRunning(ctx, created.InstanceUUIDs[0])
	if err != nil {
		return "", err
	}
	return lb.InstanceUUID, nil
}

// A test of a function that creates a load balancer and waits for it. By
// default every change finishes at once, so the waiter returns at its
// first poll and the test never sleeps.
func ExampleNewServer() {
	test(func(t testing.TB) { // in a real test: func TestProvision(t *testing.T) {
		srv := cdslbtest.NewServer(t)
		id, err := provision(context.Background(), srv.Client(), "web")
		if err != nil {
			t.Fatal(err)
		}
		lbs := srv.LoadBalancers()
		fmt.Println(len(lbs), lbs[0].InstanceUUID == id, lbs[0].InstanceName, lbs[0].Status, lbs[0].CPU)
	})
	// Output: 1 true web RUNNING 2
}

// A test that the caller handles a failing service: the server answers
// 503 until the fault is cleared. A create is never retried, since it may
// have run; SetFault refuses an action the service does not have.
func ExampleServer_SetFault() {
	test(func(t testing.TB) {
		srv := cdslbtest.NewServer(t)
		if err := srv.SetFault("CreateLoadBalancer", cdslbtest.Fault{ErrorRate: 1, Status: 503}); err != nil {
			t.Fatal(err)
		}
		_, err := provision(context.Background(), srv.Client(), "web")
		var apiErr *cdslb.APIError
		fmt.Println(errors.As(err, &apiErr) && apiErr.HTTPStatus == 503)
		fmt.Println(srv.Requests("CreateLoadBalancer"), "request,", len(srv.LoadBalancers()), "load balancers")

		srv.ClearFaults()
		_, err = provision(context.Background(), srv.Client(), "web")
		fmt.Println(err, len(srv.LoadBalancers()))

		fmt.Println(srv.SetFault("DescribeZone", cdslbtest.Fault{ErrorRate: 1}))
	})
	// Output:
	// true
	// 1 request, 0 load balancers
	// <nil> 1
	// cdslbtest: SetFault: unknown action "DescribeZone": did you mean DescribeZones?
}

// A test driven by a manual clock: a change keeps the load balancer busy
// until the clock moves, and a second change meanwhile is refused. Advance
// the clock before waiting, and the waiter finds it running at its first
// poll.
func ExampleClock() {
	test(func(t testing.TB) {
		clock := cdslbtest.NewClock(time.Date(2026, 3, 10, 6, 0, 0, 0, time.UTC))
		srv := cdslbtest.NewServer(t, cdslbtest.WithBusyFor(time.Minute), cdslbtest.WithClock(clock.Now))
		c := srv.Client()
		ctx := context.Background()

		lb := srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "web"}) // running already
		_, err := c.ModifyLoadBalancerInstanceSpec(ctx, &cdslb.ModifyLoadBalancerInstanceSpecRequest{InstanceUUID: lb.InstanceUUID, PaasGoodsID: 5078})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println(srv.LoadBalancers()[0].Status)
		_, err = c.DeleteLoadBalancer(ctx, &cdslb.DeleteLoadBalancerRequest{InstanceUUID: lb.InstanceUUID})
		fmt.Println(errors.Is(err, cdslb.ErrResourceInUse))

		clock.Advance(time.Minute)
		running, err := c.WaitUntilRunning(ctx, lb.InstanceUUID)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println(running.Status, running.CPU, srv.Requests("DescribeLoadBalancers"), "poll")
	})
	// Output:
	// CHANGING
	// true
	// RUNNING 4 1 poll
}

// A test of code that edits a running load balancer's listeners, seeded in
// one call and read back in the library's types.
func ExampleServer_AddLoadBalancer() {
	test(func(t testing.TB) {
		srv := cdslbtest.NewServer(t)
		lb := srv.AddLoadBalancer(cdslbtest.LoadBalancer{
			InstanceName: "web",
			TCPListeners: []cdslb.TCPListener{{ListenerName: "db", ListenerPort: 5432, Scheduler: cdslb.SchedulerLeastConn,
				MaxConn: 100, ConnectTimeout: time.Second, ClientTimeout: time.Minute, ServerTimeout: time.Minute,
				BackendServers: []cdslb.BackendServer{{IP: "10.0.0.1", Port: 5432, Weight: 1, MaxConn: 100}}}},
		})

		_, err := srv.Client().UpdateListener(context.Background(), lb.InstanceUUID, "db", func(_ *cdslb.HTTPListener, l *cdslb.TCPListener) error {
			l.BackendServers[0].Weight = 5
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		_, tcp := srv.Listeners(lb.InstanceUUID)
		fmt.Println(tcp[0].ListenerName, tcp[0].BackendServers[0].Weight)
	})
	// Output: db 5
}

// test runs an example's body as a test function would run: with a t,
// cleanups at its end, and Fatal ending it. Real tests get t from the
// testing package and need none of this. It returns the failures.
func test(body func(t testing.TB)) []string {
	t := &exampleT{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer t.cleanup()
		body(t)
	}()
	<-done
	return t.failures
}

// exampleT is the testing.TB of an example: it prints failures and
// records them.
type exampleT struct {
	testing.TB // methods not defined here are not used by the examples
	cleanups   []func()
	failures   []string
}

func (t *exampleT) Helper()          {}
func (t *exampleT) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Errorf(format string, a ...any) {
	t.failures = append(t.failures, fmt.Sprintf(format, a...))
	fmt.Println("FAIL:", t.failures[len(t.failures)-1])
}
func (t *exampleT) Fatal(a ...any)                 { t.Errorf("%s", fmt.Sprint(a...)); runtime.Goexit() }
func (t *exampleT) Fatalf(format string, a ...any) { t.Errorf(format, a...); runtime.Goexit() }
func (t *exampleT) cleanup() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}
