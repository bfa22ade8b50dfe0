package fakeserve

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptrace"
	"slices"
	"testing"
	"time"

	"github.com/cdsgo/cdslb"
)

// TestDemoStartsWithResources: -demo serves a certificate and three
// running load balancers with their listeners, read through cdslb with the
// export line's credentials; a -fault with next:N strikes N times, then
// stops; -seed still seeds the ids.
func TestDemoStartsWithResources(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m, done := start(t, ctx, "-demo", "-seed", "7", "-fault", "DescribeCACertificates=503,next:1")
	c, err := cdslb.NewClient(m[2], m[3], cdslb.WithEndpoint(m[1]), cdslb.WithRetry(cdslb.NoRetry))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeCACertificates(ctx, nil); err == nil {
		t.Error("next:1 did not strike")
	}
	certs, err := c.DescribeCACertificates(ctx, nil)
	if err != nil || len(certs.Certificates) != 1 || certs.Certificates[0].CertificateName != "demo-cert" {
		t.Fatalf("certificates %+v, %v", certs, err)
	}
	lbs, err := c.DescribeLoadBalancers(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, lb := range lbs.LoadBalancers {
		names = append(names, lb.InstanceName+"/"+lb.Status)
	}
	if !slices.Equal(names, []string{"web/RUNNING", "db/RUNNING", "spare/RUNNING"}) {
		t.Fatalf("load balancers %v", names)
	}
	web, err := c.DescribeLoadBalancerStrategys(ctx, &cdslb.DescribeLoadBalancerStrategysRequest{InstanceUUID: lbs.LoadBalancers[0].InstanceUUID})
	if err != nil || len(web.HTTPListeners) != 2 || len(web.HTTPListeners[1].Certificates) != 1 ||
		web.HTTPListeners[1].Certificates[0].CertificateID != certs.Certificates[0].CertificateID {
		t.Errorf("web's listeners %+v, %v", web, err)
	}
	db, err := c.DescribeLoadBalancerStrategys(ctx, &cdslb.DescribeLoadBalancerStrategysRequest{InstanceUUID: lbs.LoadBalancers[1].InstanceUUID})
	if err != nil || len(db.TCPListeners) != 1 || db.TCPListeners[0].ListenerPort != 5432 {
		t.Errorf("db's listeners %+v, %v", db, err)
	}
	// A bound certificate cannot be deleted: the demo is ready for that lesson.
	_, err = c.DeleteCACertificate(ctx, &cdslb.DeleteCACertificateRequest{CertificateID: certs.Certificates[0].CertificateID})
	var apiErr *cdslb.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus != http.StatusConflict {
		t.Errorf("deleting the bound certificate: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The same seed makes the same ids.
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	m2, done2 := start(t, ctx2, "-demo", "-seed", "7")
	c2, _ := cdslb.NewClient(m2[2], m2[3], cdslb.WithEndpoint(m2[1]))
	lbs2, err := c2.DescribeLoadBalancers(ctx2, nil)
	if err != nil || lbs2.LoadBalancers[0].InstanceUUID != lbs.LoadBalancers[0].InstanceUUID {
		t.Errorf("-seed 7 twice made different ids: %v", err)
	}
	cancel2()
	<-done2
}

// TestShutdownEndsInjectedLatency: interrupting the server while a request
// waits in an hour's injected latency ends it at once: the request fails
// and Run returns without error, instead of waiting out its five seconds
// of grace and failing.
func TestShutdownEndsInjectedLatency(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m, done := start(t, ctx, "-fault", "DescribeZones=latency:1h")
	written := make(chan struct{})
	req, err := http.NewRequest(http.MethodGet, signedURL(m[1], "DescribeZones", m[2], m[3]), nil)
	if err != nil {
		t.Fatal(err)
	}
	req = req.WithContext(httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { close(written) },
	}))
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-written
	// Let the server read the request and enter the latency; if it has
	// not within this time, the test proves less but still passes.
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("shutting down took %v", took)
	}
	select {
	case err := <-errc:
		if err == nil {
			t.Error("the request in the latency got an answer")
		}
	case <-time.After(3 * time.Second):
		t.Error("the request in the latency is still waiting")
	}
}
