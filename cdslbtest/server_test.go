package cdslbtest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/cdslbtest"
)

// Twenty tests in parallel, each with its own server and manual clock, run
// the whole lifecycle without sleeping and see only their own state.
func TestServersAreIsolatedAndDrivenWithoutSleeping(t *testing.T) {
	t.Parallel()
	for i := range 20 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			lifecycle(t, fmt.Sprint("lb-", i))
			t.Logf("took %v", time.Since(start))
		})
	}
}

// lifecycle creates, changes, faults and deletes one load balancer on a
// server of its own, checking at each step that nothing else is there.
func lifecycle(t *testing.T, name string) {
	const busy = time.Minute
	clock := cdslbtest.NewClock(time.Date(2026, 3, 10, 6, 0, 0, 0, time.UTC))
	srv := cdslbtest.NewServer(t, cdslbtest.WithBusyFor(busy), cdslbtest.WithClock(clock.Now))
	c := srv.Client()
	ctx := context.Background()

	created, err := c.CreateLoadBalancer(ctx, &cdslb.CreateLoadBalancerRequest{
		RegionID: "CN_Hongkong_A", VdcID: "vdc", BasePipeID: "pipe", InstanceName: name, PaasGoodsID: 5072,
		IPs: []cdslb.CreateLoadBalancerIP{{PipeType: cdslb.PipeTypePrivate, PipeID: "pipe"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := created.InstanceUUIDs[0]
	if lbs := srv.LoadBalancers(); len(lbs) != 1 || lbs[0].InstanceName != name || lbs[0].Status != "CREATING" {
		t.Fatalf("after the create: %+v, want only %s CREATING", lbs, name)
	}
	clock.Advance(busy)
	if _, err := c.WaitUntilRunning(ctx, id); err != nil {
		t.Fatal(err)
	}

	web := cdslb.TCPListener{ListenerName: "web", ListenerPort: 80, Scheduler: cdslb.SchedulerRoundRobin, MaxConn: 10,
		ConnectTimeout: time.Second, ClientTimeout: time.Second, ServerTimeout: time.Second,
		BackendServers: []cdslb.BackendServer{{IP: "10.0.0.1", Port: 80, Weight: 1, MaxConn: 10}}}
	if _, err := c.AddLoadBalancerStrategys(ctx, &cdslb.AddLoadBalancerStrategysRequest{InstanceUUID: id, TCPListeners: []cdslb.TCPListener{web}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteLoadBalancer(ctx, &cdslb.DeleteLoadBalancerRequest{InstanceUUID: id}); !errors.Is(err, cdslb.ErrResourceInUse) {
		t.Fatalf("delete while CHANGING: %v, want ResourceInUse", err)
	}
	clock.Advance(busy)
	if _, tcp := srv.Listeners(id); len(tcp) != 1 || tcp[0].ListenerName != "web" {
		t.Fatalf("listeners %+v, want web", tcp)
	}

	if err := srv.SetFault("DeleteLoadBalancer", cdslbtest.Fault{ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteLoadBalancer(ctx, &cdslb.DeleteLoadBalancerRequest{InstanceUUID: id}); !errors.Is(err, cdslb.ErrInternalError) {
		t.Fatalf("faulted delete: %v, want InternalError", err)
	}
	srv.ClearFaults()
	if _, err := c.DeleteLoadBalancer(ctx, &cdslb.DeleteLoadBalancerRequest{InstanceUUID: id}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(busy)
	if err := c.WaitUntilDeleted(ctx, id); err != nil {
		t.Fatal(err)
	}
	if lbs := srv.LoadBalancers(); len(lbs) != 0 {
		t.Errorf("left behind: %+v", lbs)
	}
	for action, want := range map[string]int{"CreateLoadBalancer": 1, "DeleteLoadBalancer": 3, "DescribeLoadBalancers": 2, "*": 7} {
		if got := srv.Requests(action); got != want {
			t.Errorf("Requests(%q) = %d, want %d: another test's requests reached this server, or a wait slept and polled again", action, got, want)
		}
	}
}

func TestBadOptionsFailTheTestWithoutPanicking(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]func(testing.TB){
		"NewServer(nil)":   func(t testing.TB) { cdslbtest.NewServer(t, nil) },
		"WithBusyFor(-1s)": func(t testing.TB) { cdslbtest.NewServer(t, cdslbtest.WithBusyFor(-time.Second)) },
		"WithClock(nil)":   func(t testing.TB) { cdslbtest.NewServer(t, cdslbtest.WithClock(nil)) },
		"WithListenersPath(/monitor)": func(t testing.TB) {
			cdslbtest.NewServer(t, cdslbtest.WithListenersPath("/monitor"))
		},
		"AddLoadBalancer(empty tag)": func(t testing.TB) {
			cdslbtest.NewServer(t).AddLoadBalancer(cdslbtest.LoadBalancer{Tags: []string{""}})
		},
		"Client(nil)":           func(t testing.TB) { cdslbtest.NewServer(t).Client(nil) },
		"Client(bad endpoint)":  func(t testing.TB) { cdslbtest.NewServer(t).Client(cdslb.WithEndpoint("ftp://example.com")) },
		"Listeners(unknown id)": func(t testing.TB) { cdslbtest.NewServer(t).Listeners("no-such-id") },
		"AddLoadBalancer(bad size)": func(t testing.TB) {
			cdslbtest.NewServer(t).AddLoadBalancer(cdslbtest.LoadBalancer{PaasGoodsID: 1})
		},
	} {
		if failures := test(body); len(failures) != 1 {
			t.Errorf("%s: failures %q, want one", name, failures)
		}
	}
}

// The caller's options apply after the server's own: here no retries
// instead of TestRetryPolicy's three attempts.
func TestClientOptionsApplyLast(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	if err := srv.SetFault("DescribeZones", cdslbtest.Fault{ErrorRate: 1, Status: 503}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Client().DescribeZones(context.Background(), nil); err == nil {
		t.Fatal("the fault did not strike")
	}
	if _, err := srv.Client(cdslb.WithRetry(cdslb.NoRetry)).DescribeZones(context.Background(), nil); err == nil {
		t.Fatal("the fault did not strike")
	}
	if got, want := srv.Requests("DescribeZones"), cdslbtest.TestRetryPolicy.MaxAttempts+1; got != want {
		t.Errorf("Requests = %d, want %d", got, want)
	}
}

// Reading and seeding the state neither counts as requests nor meets
// faults.
func TestStateMethodsBypassFaultsAndCounts(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t, cdslbtest.WithBusyFor(time.Hour))
	if err := srv.SetFault("*", cdslbtest.Fault{DropRate: 1}); err != nil {
		t.Fatal(err)
	}
	web := cdslb.HTTPListener{ListenerName: "web", ListenerPort: 80, Scheduler: cdslb.SchedulerRoundRobin, MaxConn: 10,
		ConnectTimeout: time.Second, ClientTimeout: time.Second, ServerTimeout: time.Second, StickySession: true,
		ACLWhiteList: []string{"10.0.0.0/8"}, BackendServers: []cdslb.BackendServer{{IP: "10.0.0.1", Port: 80, Weight: 2, MaxConn: 10}}}
	lb := srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "seeded", RegionID: "CN_Beijing_A", PaasGoodsID: 5081, HTTPListeners: []cdslb.HTTPListener{web}})
	if lb.Status != cdslb.StatusRunning || lb.InstanceName != "seeded" || lb.RegionID != "CN_Beijing_A" || lb.CPU != 8 {
		t.Errorf("seeded %+v, want seeded RUNNING in CN_Beijing_A with 8 CPUs, despite WithBusyFor", lb)
	}
	if h, tcp := srv.Listeners(lb.InstanceUUID); len(h) != 1 || len(tcp) != 0 || fmt.Sprint(h[0]) != fmt.Sprint(web) {
		t.Errorf("listeners %+v %+v, want %+v", h, tcp, web)
	}
	cert := srv.AddCertificate("site", "example.com")
	if cert.Domain != "example.com" || cert.Validity != cdslb.CertificateValid {
		t.Errorf("certificate %+v", cert)
	}
	if got := srv.Certificates(); len(got) != 1 || got[0].CertificateID != cert.CertificateID {
		t.Errorf("certificates %+v", got)
	}
	if n := srv.Requests("*"); n != 0 {
		t.Errorf("Requests(*) = %d, want 0", n)
	}
}

// A manual clock may read any time: signatures follow the real time.
func TestAManualClockFarFromNowStillAuthenticates(t *testing.T) {
	t.Parallel()
	clock := cdslbtest.NewClock(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := cdslbtest.NewServer(t, cdslbtest.WithClock(clock.Now))
	lb := srv.AddLoadBalancer(cdslbtest.LoadBalancer{})
	clock.Advance(365 * 24 * time.Hour)
	got, err := srv.Client().DescribeLoadBalancers(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC); !got.LoadBalancers[0].CreatedTime.Equal(want) || lb.InstanceUUID != got.LoadBalancers[0].InstanceUUID {
		t.Errorf("created %v, want %v, the manual clock's time", got.LoadBalancers[0].CreatedTime, want)
	}
}

// Handler serves the same fake from a server of the caller's.
func TestHandlerMountsElsewhere(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	other := httptest.NewServer(srv.Handler())
	t.Cleanup(other.Close)
	srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "shared"})
	list, err := srv.Client(cdslb.WithEndpoint(other.URL)).DescribeLoadBalancers(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.LoadBalancers) != 1 || srv.Requests("DescribeLoadBalancers") != 1 {
		t.Errorf("got %+v and %d requests, want the server's one load balancer and one request", list.LoadBalancers, srv.Requests("DescribeLoadBalancers"))
	}
	if _, err := cdslb.NewClient(srv.AccessKeyID(), "wrong", cdslb.WithEndpoint(other.URL)); err != nil {
		t.Fatal(err)
	}
	wrong, _ := cdslb.NewClient(srv.AccessKeyID(), srv.AccessKeySecret()+"x", cdslb.WithEndpoint(srv.URL), cdslb.WithRetry(cdslb.NoRetry))
	if _, err := wrong.DescribeZones(context.Background(), nil); !strings.Contains(fmt.Sprint(err), "SignatureDoesNotMatch") {
		t.Errorf("a wrong secret: %v, want SignatureDoesNotMatch", err)
	}
}

// A nil or zero Server, or one made without a testing.TB, says so in its
// errors instead of panicking; a nil Clock stands at the zero time.
func TestAZeroServerSaysItWasNotMade(t *testing.T) {
	t.Parallel()
	for name, srv := range map[string]*cdslbtest.Server{"nil": nil, "zero": {}, "NewServer(nil)": cdslbtest.NewServer(nil)} {
		if srv == nil && name != "nil" {
			t.Fatalf("%s is nil, so reading its URL would panic", name)
		}
		const want = "not made by NewServer"
		if err := srv.SetFault("DescribeZones", cdslbtest.Fault{ErrorRate: 1}); !strings.Contains(fmt.Sprint(err), want) {
			t.Errorf("%s: SetFault = %v, want an error saying %q", name, err, want)
		}
		if _, err := srv.Client().DescribeZones(context.Background(), nil); !strings.Contains(fmt.Sprint(err), want) {
			t.Errorf("%s: a call of its Client = %v, want an error saying %q", name, err, want)
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/lb/?Action=DescribeZones", nil))
		if rec.Code != 500 || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s: Handler answered %d %q, want 500 saying %q", name, rec.Code, rec.Body, want)
		}
		srv.ClearFaults()
		if n, lbs := srv.Requests("*"), srv.LoadBalancers(); n != 0 || lbs != nil {
			t.Errorf("%s: Requests = %d, LoadBalancers = %v, want 0 and none", name, n, lbs)
		}
	}
	var clock *cdslbtest.Clock
	clock.Advance(time.Hour)
	if now := clock.Now(); !now.IsZero() {
		t.Errorf("a nil Clock reads %v, want the zero time", now)
	}
}

// A 429 fault answers as a throttling gateway does: nginx's page, and the
// Retry-After the Fault asks for. The Client retries the read through it
// (TestRetryPolicy caps the wait) and gives up with the 429.
func TestFaultThrottles(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	if err := srv.SetFault("DescribeZones", cdslbtest.Fault{ErrorRate: 1, Status: 429, RetryAfter: 2 * time.Second}); err != nil {
		t.Fatal(err)
	}
	_, err := srv.Client().DescribeZones(context.Background(), nil)
	var apiErr *cdslb.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus != 429 {
		t.Errorf("DescribeZones: %v, want an APIError with HTTP status 429", err)
	}
	if n := srv.Requests("DescribeZones"); n != cdslbtest.TestRetryPolicy.MaxAttempts {
		t.Errorf("Requests = %d, want %d: a 429 is retried", n, cdslbtest.TestRetryPolicy.MaxAttempts)
	}

	signer := &cdslb.Signer{AccessKeyID: srv.AccessKeyID(), AccessKeySecret: srv.AccessKeySecret()}
	resp, err := http.Get(srv.URL + "/lb/?" + signer.Sign("GET", "DescribeZones", nil))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" || !strings.Contains(string(body), "<title>429 Too Many Requests</title>") {
		t.Errorf("answered %d, Retry-After %q, %q; want 429, 2 and nginx's page", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}

	for _, bad := range []cdslbtest.Fault{{ErrorRate: 1, Status: 399}, {ErrorRate: 1, Status: 600}, {ErrorRate: 1, Status: 429, RetryAfter: time.Millisecond}} {
		if err := srv.SetFault("DescribeZones", bad); err == nil {
			t.Errorf("SetFault(%+v) = nil, want an error", bad)
		}
	}
}

// The manual clock drives busy states, creation times and certificate
// validity, as the package documentation says; it drives neither the
// memory of used nonces nor metrics.
func TestWhatTheManualClockDrives(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 10, 6, 0, 0, 0, time.UTC)
	clock := cdslbtest.NewClock(start)
	srv := cdslbtest.NewServer(t, cdslbtest.WithBusyFor(time.Minute), cdslbtest.WithClock(clock.Now))
	ctx := context.Background()
	c := srv.Client()
	lb := srv.AddLoadBalancer(cdslbtest.LoadBalancer{})
	srv.AddCertificate("site", "example.com")
	if _, err := c.ModifyLoadBalancerInstanceSpec(ctx, &cdslb.ModifyLoadBalancerInstanceSpecRequest{InstanceUUID: lb.InstanceUUID, PaasGoodsID: 5075}); err != nil {
		t.Fatal(err)
	}
	if status := srv.LoadBalancers()[0].Status; status != "CHANGING" {
		t.Fatalf("after a resize: %s, want CHANGING", status)
	}
	perf := func() string {
		resp, err := c.DescribeLBInstancePerformance(ctx, &cdslb.DescribeLBInstancePerformanceRequest{InstanceUUID: lb.InstanceUUID,
			MetricKey: cdslb.MetricCPUUsage, StartTime: start.Add(-time.Hour), EndTime: start})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(resp.DataPoints)
	}
	before := perf()
	signer := &cdslb.Signer{AccessKeyID: srv.AccessKeyID(), AccessKeySecret: srv.AccessKeySecret(), Nonce: func() string { return "once" }}
	replay := srv.URL + "/lb/?" + signer.Sign("GET", "DescribeZones", nil)
	get := func() int {
		resp, err := http.Get(replay)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if status := get(); status != 200 {
		t.Fatalf("first use of the nonce: %d", status)
	}

	clock.Advance(366 * 24 * time.Hour)
	if lbs := srv.LoadBalancers(); !lbs[0].CreatedTime.Equal(start) || lbs[0].Status != cdslb.StatusRunning {
		t.Errorf("created %v, %s; want %v and RUNNING, the busy state over", lbs[0].CreatedTime, lbs[0].Status, start)
	}
	if v := srv.Certificates()[0].Validity; v != cdslb.CertificateExpired {
		t.Errorf("a year on, the certificate's validity is %v, want expired", v)
	}
	if status := get(); status != http.StatusForbidden {
		t.Errorf("a replay a clock year later answered %d, want 403: nonces follow the real time", status)
	}
	if after := perf(); after != before {
		t.Errorf("metrics changed with the clock:\n%s\n%s", before, after)
	}
}
