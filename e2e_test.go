package cdslb_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/cdslbtest"
)

// These tests drive the library against the fake service over real
// loopback HTTP: the fake checks signatures with its own code, keeps state,
// moves instances through busy states and injects faults.

// e2eDelay is how long the fake keeps an instance busy in the tests that
// let it pass in real time.
const e2eDelay = 30 * time.Millisecond

var fastPoll = cdslb.WithPollInterval(5*time.Millisecond, 20*time.Millisecond)

// startFake starts a fake whose changes finish at once, and a client for it.
func startFake(t *testing.T, opts ...cdslb.Option) (*cdslbtest.Server, *cdslb.Client) {
	t.Helper()
	srv := cdslbtest.NewServer(t, cdslbtest.WithSeed(7))
	return srv, srv.Client(opts...)
}

func createRunning(t *testing.T, ctx context.Context, c *cdslb.Client, name string) string {
	t.Helper()
	created, err := c.CreateLoadBalancer(ctx, createRequest(name))
	require.NoError(t, err)
	require.Len(t, created.InstanceUUIDs, 1)
	lb, err := c.WaitUntilRunning(ctx, created.InstanceUUIDs[0])
	require.NoError(t, err)
	require.Equal(t, name, lb.InstanceName)
	return lb.InstanceUUID
}

func webListener(name string, port int, certs ...cdslb.CertificateRef) cdslb.HTTPListener {
	return cdslb.HTTPListener{
		ListenerName: name, ListenerPort: port, Scheduler: cdslb.SchedulerRoundRobin, MaxConn: 1000,
		ConnectTimeout: 1500 * time.Millisecond, ClientTimeout: 30 * time.Second, ServerTimeout: 30 * time.Second,
		StickySession: true, ACLWhiteList: []string{"10.0.0.0/8"}, Certificates: certs,
		BackendServers:     []cdslb.BackendServer{{IP: "10.0.0.11", Port: 8080, Weight: 3, MaxConn: 100}, {IP: "10.0.0.12", Port: 8080, Weight: 1, MaxConn: 100}},
		SessionPersistence: &cdslb.SessionPersistence{Key: "srv", Mode: cdslb.CookieModeTransparent, MaxIdle: time.Minute, MaxLife: time.Hour},
		HealthCheck:        &cdslb.HealthCheck{Method: "HEAD", URI: "/healthz"},
	}
}

func TestE2ELifecycle(t *testing.T) {
	t.Parallel()
	clock := cdslbtest.NewClock(time.Now())
	srv := cdslbtest.NewServer(t, cdslbtest.WithBusyFor(time.Minute), cdslbtest.WithClock(clock.Now))
	c := srv.Client()
	ctx := context.Background()
	// wait lets a change finish, then waits: the first poll finds it done.
	wait := func(id string) *cdslb.LoadBalancer {
		t.Helper()
		clock.Advance(time.Minute)
		lb, err := c.WaitUntilRunning(ctx, id)
		require.NoError(t, err)
		return lb
	}

	spec, err := c.DescribeLoadBalancersSpec(ctx, &cdslb.DescribeLoadBalancersSpecRequest{RegionID: "CN_Hongkong_A"})
	require.NoError(t, err)
	goodsID, ok := spec.PaasGoodsID(2, 4)
	require.True(t, ok)
	assert.Equal(t, 5075, goodsID)

	created, err := c.CreateLoadBalancer(ctx, createRequest("e2e-lifecycle"))
	require.NoError(t, err)
	require.Len(t, created.InstanceUUIDs, 1)
	require.NotEmpty(t, created.TaskID)
	assert.Equal(t, "CREATING", srv.LoadBalancers()[0].Status)
	id := wait(created.InstanceUUIDs[0]).InstanceUUID

	certPEM, keyPEM := srv.NewCertificate("e2e.example.com")
	_, err = c.UploadCACertificate(ctx, &cdslb.UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM, CertificateName: "e2e-cert"})
	require.NoError(t, err)
	certs, err := c.DescribeCACertificates(ctx, nil)
	require.NoError(t, err)
	require.Len(t, certs.Certificates, 1)
	cert := certs.Certificates[0]
	assert.Equal(t, "e2e.example.com", cert.Domain)
	assert.Equal(t, cdslb.CertificateValid, cert.Validity)
	detail, err := c.DescribeCACertificate(ctx, &cdslb.DescribeCACertificateRequest{CertificateID: cert.CertificateID})
	require.NoError(t, err)
	assert.Equal(t, keyPEM, detail.Certificate.PrivateKey, "the key comes back from the fake's PirvateKey field")

	web := webListener("web", 443, cdslb.CertificateRef{CertificateID: cert.CertificateID, CertificateName: cert.CertificateName})
	db := cdslb.TCPListener{ListenerName: "db", ListenerPort: 5432, Scheduler: cdslb.SchedulerLeastConn, MaxConn: 200,
		ConnectTimeout: time.Second, ClientTimeout: time.Minute, ServerTimeout: time.Minute, EnableSourceIP: true, EnableRepeaterMode: true,
		BackendServers: []cdslb.BackendServer{{IP: "10.0.0.21", Port: 5432, Weight: 1, MaxConn: 50}}}
	_, err = c.AddLoadBalancerStrategys(ctx, &cdslb.AddLoadBalancerStrategysRequest{InstanceUUID: id, HTTPListeners: []cdslb.HTTPListener{web}, TCPListeners: []cdslb.TCPListener{db}})
	require.NoError(t, err)
	wait(id)

	set, err := c.DescribeLoadBalancerStrategys(ctx, &cdslb.DescribeLoadBalancerStrategysRequest{InstanceUUID: id})
	require.NoError(t, err)
	assert.Equal(t, []cdslb.HTTPListener{web}, set.HTTPListeners, "every field round-trips through the service")
	assert.Equal(t, []cdslb.TCPListener{db}, set.TCPListeners)

	names, err := c.DescribeLBInstanceListeners(ctx, &cdslb.DescribeLBInstanceListenersRequest{InstanceUUID: id})
	require.NoError(t, err)
	assert.Len(t, names.Listeners, 2)

	_, err = c.UpdateListener(ctx, id, "web", func(h *cdslb.HTTPListener, _ *cdslb.TCPListener) error {
		h.BackendServers[1].Weight = 7
		return nil
	})
	require.NoError(t, err)
	wait(id)
	set, err = c.DescribeLoadBalancerStrategys(ctx, &cdslb.DescribeLoadBalancerStrategysRequest{InstanceUUID: id})
	require.NoError(t, err)
	require.Len(t, set.HTTPListeners, 1)
	assert.Equal(t, 7, set.HTTPListeners[0].BackendServers[1].Weight)
	assert.Equal(t, []cdslb.TCPListener{db}, set.TCPListeners, "the other listener is kept")

	end := clock.Now()
	perf, err := c.DescribeLBInstancePerformance(ctx, &cdslb.DescribeLBInstancePerformanceRequest{
		InstanceUUID: id, MetricKey: cdslb.MetricCPUUsage, StartTime: end.Add(-time.Hour), EndTime: end})
	require.NoError(t, err)
	assert.Equal(t, 30*time.Second, perf.Period)
	require.NotEmpty(t, perf.DataPoints)
	assert.InDelta(t, 120, len(perf.DataPoints[0].Values), 1)
	perf, err = c.DescribeLBInstancePerformance(ctx, &cdslb.DescribeLBInstancePerformanceRequest{
		InstanceUUID: id, MetricKey: cdslb.MetricListenerSessions, ListenerName: "db", StartTime: end.Add(-3 * 24 * time.Hour), EndTime: end})
	require.NoError(t, err)
	assert.Equal(t, 5*time.Minute, perf.Period)

	sizes, err := c.DescribeLoadBalancersModifySpec(ctx, &cdslb.DescribeLoadBalancersModifySpecRequest{InstanceUUID: id})
	require.NoError(t, err)
	bigger, ok := sizes.PaasGoodsID(8, 16)
	require.True(t, ok)
	_, err = c.ModifyLoadBalancerInstanceSpec(ctx, &cdslb.ModifyLoadBalancerInstanceSpecRequest{InstanceUUID: id, PaasGoodsID: bigger})
	require.NoError(t, err)
	assert.Equal(t, 8, wait(id).CPU)

	_, err = c.ModifyLoadBalancerName(ctx, &cdslb.ModifyLoadBalancerNameRequest{InstanceUUID: id, InstanceName: "renamed"})
	require.NoError(t, err)
	_, err = c.DeleteLoadBalancer(ctx, &cdslb.DeleteLoadBalancerRequest{InstanceUUID: id})
	require.NoError(t, err)
	clock.Advance(time.Minute)
	require.NoError(t, c.WaitUntilDeleted(ctx, id))
	assert.Empty(t, srv.LoadBalancers())
	_, err = c.DeleteCACertificate(ctx, &cdslb.DeleteCACertificateRequest{CertificateID: cert.CertificateID})
	require.NoError(t, err)

	_, err = c.DescribeLoadBalancerStrategys(ctx, &cdslb.DescribeLoadBalancerStrategysRequest{InstanceUUID: id})
	assert.ErrorIs(t, err, cdslb.ErrResourceNotFound, "a deleted instance is unknown")
}

// Many waiters poll through busy states that end in real time.
func TestE2EConcurrentCallersOnManyInstances(t *testing.T) {
	t.Parallel()
	c := cdslbtest.NewServer(t, cdslbtest.WithBusyFor(e2eDelay)).Client()
	ctx := context.Background()
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			name := fmt.Sprintf("many-%02d", i)
			created, err := c.CreateLoadBalancer(ctx, &cdslb.CreateLoadBalancerRequest{
				RegionID: "CN_Hongkong_A", VdcID: "vdc-1", BasePipeID: "pipe-1", InstanceName: name, PaasGoodsID: 5072,
				IPs: []cdslb.CreateLoadBalancerIP{{PipeType: cdslb.PipeTypePrivate, PipeID: "pipe-1"}},
			})
			if err != nil {
				errs <- err
				return
			}
			id := created.InstanceUUIDs[0]
			if _, err := c.WaitUntilRunning(ctx, id, fastPoll); err != nil {
				errs <- err
				return
			}
			if _, err := c.AddLoadBalancerStrategys(ctx, &cdslb.AddLoadBalancerStrategysRequest{InstanceUUID: id,
				HTTPListeners: []cdslb.HTTPListener{webListener("web", 80)}}); err != nil {
				errs <- err
				return
			}
			if _, err := c.WaitUntilRunning(ctx, id, fastPoll); err != nil {
				errs <- err
				return
			}
			if _, err := c.DeleteLoadBalancer(ctx, &cdslb.DeleteLoadBalancerRequest{InstanceUUID: id}); err != nil {
				errs <- err
				return
			}
			errs <- c.WaitUntilDeleted(ctx, id, fastPoll)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	all, err := c.DescribeLoadBalancers(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, all.LoadBalancers)
}

func TestE2EConflictWhileBusy(t *testing.T) {
	t.Parallel()
	clock := cdslbtest.NewClock(time.Now())
	fake := cdslbtest.NewServer(t, cdslbtest.WithBusyFor(e2eDelay), cdslbtest.WithClock(clock.Now))
	c := fake.Client()
	ctx := context.Background()
	created, err := c.CreateLoadBalancer(ctx, createRequest("busy"))
	require.NoError(t, err)
	id := created.InstanceUUIDs[0]
	clock.Advance(e2eDelay)
	_, err = c.WaitUntilRunning(ctx, id, fastPoll)
	require.NoError(t, err)

	_, err = c.ModifyLoadBalancerInstanceSpec(ctx, &cdslb.ModifyLoadBalancerInstanceSpecRequest{InstanceUUID: id, PaasGoodsID: 5078})
	require.NoError(t, err)
	_, err = c.DeleteLoadBalancer(ctx, &cdslb.DeleteLoadBalancerRequest{InstanceUUID: id})
	var apiErr *cdslb.APIError
	require.ErrorAs(t, err, &apiErr, "a change while the instance is CHANGING is refused")
	assert.Equal(t, http.StatusConflict, apiErr.HTTPStatus)
	assert.ErrorIs(t, err, cdslb.ErrResourceInUse)
	assert.Equal(t, 1, apiErr.Attempts, "conflicts are not retried unless asked")
	assert.Equal(t, 1, fake.Requests("DeleteLoadBalancer"))

	// With RetryConflicts, the same delete is retried through the 409s
	// until the change finishes, here when the clock moves on.
	patient := fake.Client(cdslb.WithRetry(cdslb.RetryPolicy{MaxAttempts: 1000, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, RetryConflicts: true}))
	done := make(chan error, 1)
	go func() {
		_, err := patient.DeleteLoadBalancer(ctx, &cdslb.DeleteLoadBalancerRequest{InstanceUUID: id})
		done <- err
	}()
	require.Eventually(t, func() bool { return fake.Requests("DeleteLoadBalancer") >= 4 }, 10*time.Second, time.Millisecond)
	clock.Advance(e2eDelay)
	require.NoError(t, <-done, "retried through the 409s until the change finished")
	clock.Advance(e2eDelay)
	require.NoError(t, c.WaitUntilDeleted(ctx, id, fastPoll))
}

func TestE2EUnknownIDsAre404(t *testing.T) {
	t.Parallel()
	_, c := startFake(t)
	ctx := context.Background()
	_, err := c.DescribeLoadBalancerStrategys(ctx, &cdslb.DescribeLoadBalancerStrategysRequest{InstanceUUID: "no-such-instance"})
	assert.ErrorIs(t, err, cdslb.ErrResourceNotFound)
	_, err = c.DeleteCACertificate(ctx, &cdslb.DeleteCACertificateRequest{CertificateID: "no-such-certificate"})
	assert.ErrorIs(t, err, cdslb.ErrResourceNotFound)
	list, err := c.DescribeLoadBalancers(ctx, &cdslb.DescribeLoadBalancersRequest{InstanceName: "nothing-matches"})
	require.NoError(t, err, "a filter that matches nothing is an empty list")
	assert.Empty(t, list.LoadBalancers)
}

func TestE2EAuthenticationRefusals(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	id, secret := srv.AccessKeyID(), srv.AccessKeySecret()
	ctx := context.Background()

	wrong, err := cdslb.NewClient(id, "not-the-secret", cdslb.WithEndpoint(srv.URL), cdslb.WithRetry(cdslb.NoRetry))
	require.NoError(t, err)
	_, err = wrong.DescribeZones(ctx, nil)
	assertRefused(t, err, "SignatureDoesNotMatch", secret)

	unknown, err := cdslb.NewClient("AKIDUNKNOWN", secret, cdslb.WithEndpoint(srv.URL))
	require.NoError(t, err)
	_, err = unknown.DescribeZones(ctx, nil)
	assertRefused(t, err, "InvalidAccessKeyId", secret)

	// A stale timestamp and a replayed nonce, signed with the library's
	// Signer and sent by hand.
	stale := &cdslb.Signer{AccessKeyID: id, AccessKeySecret: secret, Now: func() time.Time { return time.Now().Add(-16 * time.Minute) }}
	assert.Equal(t, "RequestExpired", rawCode(t, srv.URL, stale.Sign("GET", "DescribeZones", nil)))

	replay := &cdslb.Signer{AccessKeyID: id, AccessKeySecret: secret, Nonce: func() string { return "the-same-nonce" }}
	assert.Equal(t, "Success", rawCode(t, srv.URL, replay.Sign("GET", "DescribeZones", nil)))
	assert.Equal(t, "SignatureNonceUsed", rawCode(t, srv.URL, replay.Sign("GET", "DescribeZones", nil)))
}

// The fake verifies a repeated parameter by the same rule the Signer signs
// it with, whatever order the caller gave its values in.
func TestE2ERepeatedParameterInAnyOrderIsAccepted(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	s := &cdslb.Signer{AccessKeyID: srv.AccessKeyID(), AccessKeySecret: srv.AccessKeySecret()}
	for _, ips := range [][]string{{"b", "a"}, {"a", "b"}, {"ü", "a"}, {"a", "ü"}} {
		assert.Equal(t, "Success", rawCode(t, srv.URL, s.Sign("GET", "DescribeLoadBalancers", url.Values{"IP": ips})), "IP=%q", ips)
	}
}

func assertRefused(t *testing.T, err error, code, secret string) {
	t.Helper()
	var apiErr *cdslb.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusForbidden, apiErr.HTTPStatus)
	assert.Equal(t, code, apiErr.Code)
	assert.NotContains(t, err.Error(), secret)
}

// rawCode sends a GET with a query signed by hand and returns the answer's Code.
func rawCode(t *testing.T, endpoint, query string) string {
	t.Helper()
	resp, err := http.Get(endpoint + "/lb/?" + query)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var env struct{ Code string }
	require.NoError(t, json.Unmarshal(body, &env), string(body))
	return env.Code
}

func TestE2EFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("5xx on a read is retried", func(t *testing.T) {
		t.Parallel()
		fake, c := startFake(t, cdslb.WithRetry(cdslb.RetryPolicy{MaxAttempts: 10, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}))
		require.NoError(t, fake.SetFault("DescribeZones", cdslbtest.Fault{ErrorRate: 0.5, Status: 503}))
		for range 10 {
			_, err := c.DescribeZones(ctx, nil)
			require.NoError(t, err)
		}
		assert.Greater(t, fake.Requests("DescribeZones"), 10, "some calls needed retries")
	})

	t.Run("5xx on a create is never retried", func(t *testing.T) {
		t.Parallel()
		fake, c := startFake(t)
		require.NoError(t, fake.SetFault("CreateLoadBalancer", cdslbtest.Fault{ErrorRate: 1, Status: 500}))
		_, err := c.CreateLoadBalancer(ctx, createRequest("once"))
		assert.ErrorIs(t, err, cdslb.ErrInternalError)
		assert.Equal(t, 1, fake.Requests("CreateLoadBalancer"))
	})

	t.Run("HTML gateway page", func(t *testing.T) {
		t.Parallel()
		fake, c := startFake(t, cdslb.WithRetry(cdslb.NoRetry))
		require.NoError(t, fake.SetFault("DescribeZones", cdslbtest.Fault{ErrorRate: 1, Status: 502, HTML: true}))
		_, err := c.DescribeZones(ctx, nil)
		var apiErr *cdslb.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, http.StatusBadGateway, apiErr.HTTPStatus)
		assert.Empty(t, apiErr.Code)
		assert.NotContains(t, apiErr.Message, "<")
		assert.LessOrEqual(t, len(apiErr.Message), 256)
	})

	t.Run("dropped connection on a create is never retried", func(t *testing.T) {
		t.Parallel()
		fake, c := startFake(t)
		require.NoError(t, fake.SetFault("CreateLoadBalancer", cdslbtest.Fault{DropRate: 1}))
		_, err := c.CreateLoadBalancer(ctx, createRequest("dropped"))
		var te *cdslb.TransportError
		assert.ErrorAs(t, err, &te)
		assert.Equal(t, 1, fake.Requests("CreateLoadBalancer"))
	})

	t.Run("a create whose answer is lost ran once", func(t *testing.T) {
		t.Parallel()
		fake, c := startFake(t)
		require.NoError(t, fake.SetFault("CreateLoadBalancer", cdslbtest.Fault{DropAfterRate: 1}))
		_, err := c.CreateLoadBalancer(ctx, createRequest("lost-answer"))
		require.Error(t, err)
		assert.Equal(t, 1, fake.Requests("CreateLoadBalancer"))
		list, err := c.DescribeLoadBalancers(ctx, &cdslb.DescribeLoadBalancersRequest{InstanceName: "lost-answer"})
		require.NoError(t, err)
		assert.Len(t, list.LoadBalancers, 1, "exactly one instance exists: find it by listing, never by creating again")
	})

	t.Run("truncated answer on a read is retried", func(t *testing.T) {
		t.Parallel()
		fake, c := startFake(t, cdslb.WithRetry(cdslb.RetryPolicy{MaxAttempts: 20, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
		require.NoError(t, fake.SetFault("DescribeZones", cdslbtest.Fault{DropRate: 0.5, Truncate: true}))
		for range 5 {
			zones, err := c.DescribeZones(ctx, nil)
			require.NoError(t, err)
			assert.Len(t, zones.Zones, 18)
		}
	})

	t.Run("latency beyond the deadline", func(t *testing.T) {
		t.Parallel()
		fake, c := startFake(t)
		require.NoError(t, fake.SetFault("*", cdslbtest.Fault{Latency: time.Minute}))
		ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, err := c.DescribeZones(ctx, nil)
		assert.ErrorIs(t, err, context.DeadlineExceeded, "the call ended with its context, not after the minute of latency")
	})

	t.Run("conflict share", func(t *testing.T) {
		t.Parallel()
		fake, c := startFake(t, cdslb.WithRetry(cdslb.RetryPolicy{MaxAttempts: 30, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, RetryConflicts: true}))
		require.NoError(t, fake.SetFault("ModifyLoadBalancerName", cdslbtest.Fault{ConflictRate: 0.5}))
		id := createRunning(t, ctx, c, "conflicts")
		for i := range 5 {
			_, err := c.ModifyLoadBalancerName(ctx, &cdslb.ModifyLoadBalancerNameRequest{InstanceUUID: id, InstanceName: fmt.Sprint("n", i)})
			require.NoError(t, err)
		}
		assert.Greater(t, fake.Requests("ModifyLoadBalancerName"), 5)
	})
}

func createRequest(name string) *cdslb.CreateLoadBalancerRequest {
	return &cdslb.CreateLoadBalancerRequest{
		RegionID: "CN_Hongkong_A", VdcID: "vdc-1", BasePipeID: "pipe-1", InstanceName: name, PaasGoodsID: 5072,
		IPs: []cdslb.CreateLoadBalancerIP{{PipeType: cdslb.PipeTypePrivate, PipeID: "pipe-1"}},
	}
}

// TestTheFakeServesEveryAction: each declared action, called with its
// example request, reaches a handler of the fake (on the method and path
// the declaration chose): the fake answers no UnsupportedOperation.
func TestTheFakeServesEveryAction(t *testing.T) {
	t.Parallel()
	c := cdslbtest.NewServer(t).Client()
	for action, call := range cdslb.ValidCalls(t) {
		err := call(context.Background(), c)
		var apiErr *cdslb.APIError
		if errors.As(err, &apiErr) {
			assert.NotEqual(t, "UnsupportedOperation", apiErr.Code, "%s: %v", action, err)
		}
	}
}

// The fake's tags, custom-config flag and SubjectId reach the client's types.
func TestE2ENewestFields(t *testing.T) {
	t.Parallel()
	srv, c := startFake(t)
	ctx := context.Background()
	web := srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "web", Tags: []string{"team-a", "prod"}})
	srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "db", Tags: []string{"prod"}})
	assert.Equal(t, []cdslb.Tag{{ID: 1, Name: "team-a"}, {ID: 2, Name: "prod"}}, web.Tags)
	assert.False(t, web.CustomConfig)

	list, err := c.DescribeLoadBalancers(ctx, &cdslb.DescribeLoadBalancersRequest{TagName: "team-a"})
	require.NoError(t, err)
	require.Len(t, list.LoadBalancers, 1)
	assert.Equal(t, web.InstanceUUID, list.LoadBalancers[0].InstanceUUID)

	_, err = c.ModifyHaproxyCustomConfig(ctx, &cdslb.ModifyHaproxyCustomConfigRequest{InstanceUUID: web.InstanceUUID, Configs: "global\n"})
	require.NoError(t, err)
	lb, err := c.WaitUntilRunning(ctx, web.InstanceUUID, fastPoll)
	require.NoError(t, err)
	assert.True(t, lb.CustomConfig, "ModifyHaproxyCustomConfig sets IsCustomConf")

	req := createRequest("funded")
	req.SubjectID = 9
	_, err = c.CreateLoadBalancer(ctx, req)
	require.NoError(t, err)
}

// DescribeLBInstanceListeners asks at /lb, falls back once to /paas/monitor
// where only that path serves it, and then asks there alone.
func TestE2EDescribeLBInstanceListenersFindsItsPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		serves string
		want   []string // the paths asked, over two calls
	}{
		{"/lb", []string{"/lb/", "/lb/"}},
		{"/paas/monitor", []string{"/lb/", "/paas/monitor/", "/paas/monitor/"}},
	} {
		t.Run(tc.serves, func(t *testing.T) {
			t.Parallel()
			srv := cdslbtest.NewServer(t, cdslbtest.WithListenersPath(tc.serves))
			id := srv.AddLoadBalancer(cdslbtest.LoadBalancer{TCPListeners: []cdslb.TCPListener{{ListenerName: "db", ListenerPort: 3306,
				Scheduler: cdslb.SchedulerRoundRobin, MaxConn: 100, ConnectTimeout: time.Second, ClientTimeout: time.Second, ServerTimeout: time.Second,
				BackendServers: []cdslb.BackendServer{{IP: "10.0.0.1", Port: 3306, Weight: 1, MaxConn: 10}}}}}).InstanceUUID
			var mu sync.Mutex
			var paths []string
			rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("Action") == "DescribeLBInstanceListeners" {
					mu.Lock()
					paths = append(paths, r.URL.Path)
					mu.Unlock()
				}
				srv.Handler().ServeHTTP(w, r)
			}))
			t.Cleanup(rec.Close)
			c := srv.Client(cdslb.WithEndpoint(rec.URL))
			for range 2 {
				resp, err := c.DescribeLBInstanceListeners(context.Background(), &cdslb.DescribeLBInstanceListenersRequest{InstanceUUID: id})
				require.NoError(t, err)
				require.Len(t, resp.Listeners, 1)
				assert.Equal(t, "db", resp.Listeners[0].ListenerName)
			}
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, tc.want, paths)
		})
	}
}

// A value repeated in a parameter is sent and signed once, and the fake,
// which counts a repeated identical pair once (the document's Python
// helper sends each GET parameter twice), takes it.
func TestE2ERepeatedIdenticalValueIsSignedOnce(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	s := &cdslb.Signer{AccessKeyID: srv.AccessKeyID(), AccessKeySecret: srv.AccessKeySecret()}
	for _, ips := range [][]string{{"a", "a"}, {"b", "a", "b"}, {"ü", "ü", "a"}} {
		q := s.Sign("GET", "DescribeLoadBalancers", url.Values{"IP": ips})
		assert.Equal(t, "Success", rawCode(t, srv.URL, q), "IP=%q", ips)
		values, err := url.ParseQuery(q)
		require.NoError(t, err)
		assert.Len(t, values["IP"], len(ips)-1, "IP=%q: each distinct value once in %s", ips, q)
	}
}
