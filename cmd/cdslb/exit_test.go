package main

import (
	"strings"
	"testing"

	"github.com/cdsgo/cdslb/cdslbtest"
)

// Each exit status, from a run that earns it.
func TestExitStatuses(t *testing.T) {
	e, lb := seeded(t)
	set := file(t, "set.yaml", listenersYAML)

	expect(t, e.run("lb", "list"), 0)

	// 1: the service's error (after the library's retries).
	check(t, e.srv.SetFault("DescribeZones", cdslbtest.Fault{ErrorRate: 1, Status: 503}))
	r := e.run("zones", "list")
	expect(t, r, 1)
	contains(t, r.stderr, "503")
	e.srv.ClearFaults()
	expect(t, e.run("lb", "get", "no-such-id"), 1)

	// 2: a plan with changes, with --detailed-exitcode; 0 without it.
	expect(t, e.run("listeners", "plan", lb.InstanceUUID, "-f", set, "--detailed-exitcode"), 2)
	expect(t, e.run("listeners", "plan", lb.InstanceUUID, "-f", set), 0)

	// 4: a wrong command line, and a request the library refuses before sending.
	for _, args := range [][]string{
		{"lb", "get"},
		{"lb", "frob"},
		{"frob"},
		{"lb", "list", "--bogus"},
		{"lb", "list", "-o", "xml"},
		{"lb", "wait", lb.InstanceUUID, "--for", "gone"},
		{"lb", "create", "-f", "/no/such/file"},
		{"metrics", lb.InstanceUUID, "--metric", "ha_cpu_usage", "--start", "yesterday", "--end", "today"},
	} {
		r := e.run(args...)
		expect(t, r, 4)
		if r.stderr == "" || strings.Count(r.stderr, "\n") > 3 {
			t.Errorf("cdslb %s: want a short message, got %q", strings.Join(args, " "), r.stderr)
		}
	}
	before := e.srv.Requests("CreateLoadBalancer")
	r = e.run("lb", "create", "-f", file(t, "c.yaml", "InstanceName: x\n"))
	expect(t, r, 4)
	contains(t, r.stderr, "RegionID")
	if n := e.srv.Requests("CreateLoadBalancer"); n != before {
		t.Errorf("a refused create was sent: %d requests", n-before)
	}
}

// A write whose answer is lost may have run: exit 3, and the message says
// to look before retrying. The write is sent once.
func TestAWriteThatLostItsAnswerExits3(t *testing.T) {
	e := newEnv(t)
	check(t, e.srv.SetFault("CreateLoadBalancer", cdslbtest.Fault{DropAfterRate: 1}))
	r := e.run("lb", "create", "-f", file(t, "c.yaml", createYAML), "--wait")
	expect(t, r, 3)
	contains(t, r.stderr, "outcome is unknown", "look")
	if n := e.srv.Requests("CreateLoadBalancer"); n != 1 {
		t.Errorf("CreateLoadBalancer sent %d times, want once", n)
	}
	if n := len(e.srv.LoadBalancers()); n != 1 {
		t.Errorf("the fake holds %d load balancers, want the 1 the lost create made", n)
	}

	// A listener write whose answer is lost before it ran: the library
	// reads the set again and finds the set before, which cannot tell.
	e2, lb := seeded(t)
	check(t, e2.srv.SetFault("ModifyLoadBalancerStrategys", cdslbtest.Fault{DropRate: 1}))
	r = e2.run("listeners", "apply", lb.InstanceUUID, "-f", file(t, "set.yaml", listenersYAML))
	expect(t, r, 3)
	contains(t, r.stderr, "outcome is unknown")
	if n := e2.srv.Requests("ModifyLoadBalancerStrategys"); n != 1 {
		t.Errorf("ModifyLoadBalancerStrategys sent %d times, want once", n)
	}
}

// A listener write whose answer is lost after it ran is settled by the
// library (it reads the set again and finds the set written): exit 0, the
// write sent once, and no empty task id printed.
func TestASettledListenerWriteExits0(t *testing.T) {
	e, lb := seeded(t)
	check(t, e.srv.SetFault("ModifyLoadBalancerStrategys", cdslbtest.Fault{DropAfterRate: 1}))
	r := e.run("listeners", "apply", lb.InstanceUUID, "-f", file(t, "set.yaml", listenersYAML))
	expect(t, r, 0)
	contains(t, r.stderr, "applied to load balancer "+lb.InstanceUUID)
	if strings.Contains(r.stderr, "(task )") {
		t.Errorf("an empty task id is printed: %q", r.stderr)
	}
	if n := e.srv.Requests("ModifyLoadBalancerStrategys"); n != 1 {
		t.Errorf("ModifyLoadBalancerStrategys sent %d times, want once", n)
	}
}

// A wait that ends without its state exits 5: the timeout, and the
// instance left as it was.
func TestAWaitThatTimesOutExits5(t *testing.T) {
	clock := cdslbtest.NewClock(testNow)
	e := newEnv(t, cdslbtest.WithBusyFor(1<<40), cdslbtest.WithClock(clock.Now))
	r := e.run("lb", "create", "-f", file(t, "c.yaml", createYAML), "--wait", "--timeout", "200ms", "--poll-interval", "20ms")
	expect(t, r, 5)
	contains(t, r.stderr, "timed out after 200ms", "left CREATING", "created load balancer "+e.srv.LoadBalancers()[0].InstanceUUID)
	if lbs := e.srv.LoadBalancers(); len(lbs) != 1 || lbs[0].Status != "CREATING" {
		t.Errorf("the instance was touched: %+v", lbs)
	}
}
