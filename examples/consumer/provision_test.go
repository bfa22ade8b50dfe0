package consumer

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

// Each test starts its own server in one line; twenty run in parallel.
func TestProvisionInParallel(t *testing.T) {
	t.Parallel()
	for i := range 20 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			srv := cdslbtest.NewServer(t)
			id, err := Provision(context.Background(), srv.Client(), "CN_Hongkong_A", fmt.Sprint("web-", i))
			if err != nil {
				t.Fatal(err)
			}
			if lbs := srv.LoadBalancers(); len(lbs) != 1 || lbs[0].InstanceUUID != id || lbs[0].Status != cdslb.StatusRunning {
				t.Errorf("state %+v, want this test's one running load balancer", lbs)
			}
		})
	}
}

// The whole lifecycle on a manual clock: the create keeps the load
// balancer busy until the clock moves, and nothing sleeps. The waiter is
// started while the load balancer is CREATING and polls every millisecond
// until the test advances the clock.
func TestProvisionWaitsThroughCreating(t *testing.T) {
	t.Parallel()
	clock := cdslbtest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := cdslbtest.NewServer(t, cdslbtest.WithBusyFor(time.Minute), cdslbtest.WithClock(clock.Now))
	done := make(chan error, 1)
	go func() {
		_, err := Provision(context.Background(), srv.Client(), "CN_Hongkong_A", "web", cdslb.WithPollInterval(time.Millisecond, time.Millisecond))
		done <- err
	}()
	for srv.Requests("DescribeLoadBalancers") < 2 { // polled and found it busy
		runtime.Gosched()
	}
	if lbs := srv.LoadBalancers(); len(lbs) != 1 || lbs[0].Status != "CREATING" {
		t.Fatalf("while waiting: %+v, want one CREATING", lbs)
	}
	clock.Advance(time.Minute)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	c := srv.Client()
	id := srv.LoadBalancers()[0].InstanceUUID
	if _, err := c.DeleteLoadBalancer(context.Background(), &cdslb.DeleteLoadBalancerRequest{InstanceUUID: id}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if err := c.WaitUntilDeleted(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if lbs := srv.LoadBalancers(); len(lbs) != 0 {
		t.Errorf("left behind: %+v", lbs)
	}
}

// A failing create is reported, the state is unchanged, and once the
// fault is cleared the same call succeeds.
func TestProvisionReportsAFailedCreate(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	if err := srv.SetFault("CreateLoadBalancer", cdslbtest.Fault{ErrorRate: 1, Status: 503}); err != nil {
		t.Fatal(err)
	}
	_, err := Provision(context.Background(), srv.Client(), "CN_Hongkong_A", "web")
	var apiErr *cdslb.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus != 503 {
		t.Fatalf("got %v, want the 503", err)
	}
	if n := srv.Requests("CreateLoadBalancer"); n != 1 {
		t.Errorf("%d creates sent, want 1: a create must never be retried blindly", n)
	}
	if lbs := srv.LoadBalancers(); len(lbs) != 0 {
		t.Errorf("state %+v, want none", lbs)
	}
	srv.ClearFaults()
	if _, err := Provision(context.Background(), srv.Client(), "CN_Hongkong_A", "web"); err != nil {
		t.Fatal(err)
	}
}

// A seeded load balancer is there for the code under test to find.
func TestSeededLoadBalancerIsListed(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	seeded := srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "existing", TCPListeners: []cdslb.TCPListener{{
		ListenerName: "db", ListenerPort: 5432, Scheduler: cdslb.SchedulerLeastConn, MaxConn: 10,
		ConnectTimeout: time.Second, ClientTimeout: time.Minute, ServerTimeout: time.Minute,
		BackendServers: []cdslb.BackendServer{{IP: "10.0.0.2", Port: 5432, Weight: 1, MaxConn: 10}},
	}}})
	list, err := srv.Client().DescribeLoadBalancers(context.Background(), &cdslb.DescribeLoadBalancersRequest{InstanceName: "existing"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.LoadBalancers) != 1 || list.LoadBalancers[0].InstanceUUID != seeded.InstanceUUID || seeded.Status != cdslb.StatusRunning {
		t.Errorf("listed %+v, want the seeded one, running", list.LoadBalancers)
	}
	if _, tcp := srv.Listeners(seeded.InstanceUUID); len(tcp) != 1 || tcp[0].ListenerName != "db" {
		t.Errorf("listeners %+v", tcp)
	}
}

// With the interface, a pure unit test needs no server at all.
type failingAPI struct{ LoadBalancers }

func (failingAPI) CreateLoadBalancer(context.Context, *cdslb.CreateLoadBalancerRequest) (*cdslb.CreateLoadBalancerResponse, error) {
	return &cdslb.CreateLoadBalancerResponse{}, nil // a success that names nothing
}

func TestProvisionRefusesACreateThatNamesNothing(t *testing.T) {
	t.Parallel()
	if _, err := Provision(context.Background(), failingAPI{}, "CN_Hongkong_A", "web"); err == nil {
		t.Fatal("Provision accepted a create without an id")
	}
}
