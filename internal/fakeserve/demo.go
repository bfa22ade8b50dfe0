package fakeserve

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/internal/fakelb"
)

// DemoDomain is the domain of the demo's certificate.
const DemoDomain = "demo.example.com"

// seedDemo gives a fresh fake what -demo promises: a certificate and three
// running load balancers in CN_Hongkong_A, "web" (HTTP on 80 and HTTPS on
// 443 with the certificate, two backends), "db" (TCP on 5432) and "spare"
// (no listeners). It goes through the fake's owner handler with cdslb, so
// the seeds are what the API would store, and counts no request.
func seedDemo(fake *fakelb.Server) error {
	c, err := cdslb.NewClient("demo", "demo", cdslb.WithEndpoint("http://fake.invalid"), cdslb.WithRetry(cdslb.NoRetry),
		cdslb.WithHTTPClient(&http.Client{Transport: fakelb.InProcess{Handler: fake.Direct()}}))
	if err != nil {
		return err
	}
	ctx := context.Background()
	certPEM, keyPEM, err := fakelb.SelfSigned(DemoDomain, time.Now())
	if err != nil {
		return err
	}
	if _, err := c.UploadCACertificate(ctx, &cdslb.UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM, CertificateName: "demo-cert"}); err != nil {
		return fmt.Errorf("demo certificate: %w", err)
	}
	certs, err := c.DescribeCACertificates(ctx, nil)
	if err != nil || len(certs.Certificates) != 1 {
		return fmt.Errorf("demo certificate: not listed (%v)", err)
	}
	cert := cdslb.CertificateRef{CertificateID: certs.Certificates[0].CertificateID, CertificateName: "demo-cert"}
	backends := []cdslb.BackendServer{{IP: "10.0.0.11", Port: 8080, Weight: 1, MaxConn: 1000}, {IP: "10.0.0.12", Port: 8080, Weight: 1, MaxConn: 1000}}
	http := func(name string, port int, certs []cdslb.CertificateRef) cdslb.HTTPListener {
		return cdslb.HTTPListener{ListenerName: name, ListenerPort: port, Scheduler: cdslb.SchedulerRoundRobin, MaxConn: 10000,
			ConnectTimeout: 5 * time.Second, ClientTimeout: time.Minute, ServerTimeout: time.Minute,
			Certificates: certs, BackendServers: backends}
	}
	for _, lb := range []struct {
		name string
		http []cdslb.HTTPListener
		tcp  []cdslb.TCPListener
	}{
		{"web", []cdslb.HTTPListener{http("web-http", 80, nil), http("web-https", 443, []cdslb.CertificateRef{cert})}, nil},
		{"db", nil, []cdslb.TCPListener{{ListenerName: "postgres", ListenerPort: 5432, Scheduler: cdslb.SchedulerLeastConn, MaxConn: 500,
			ConnectTimeout: 5 * time.Second, ClientTimeout: time.Hour, ServerTimeout: time.Hour,
			BackendServers: []cdslb.BackendServer{{IP: "10.0.1.21", Port: 5432, Weight: 1, MaxConn: 500}}}}},
		{"spare", nil, nil},
	} {
		created, err := c.CreateLoadBalancer(ctx, &cdslb.CreateLoadBalancerRequest{RegionID: "CN_Hongkong_A", VdcID: "vdc-demo",
			BasePipeID: "pipe-demo", InstanceName: lb.name, PaasGoodsID: 5075,
			IPs: []cdslb.CreateLoadBalancerIP{{PipeType: cdslb.PipeTypePrivate, PipeID: "pipe-demo"}, {PipeType: cdslb.PipeTypePublic, PipeID: "pipe-demo-public", SegmentID: "segment-demo"}}})
		if err != nil {
			return fmt.Errorf("demo load balancer %s: %w", lb.name, err)
		}
		if len(lb.http)+len(lb.tcp) == 0 {
			continue
		}
		if _, err := c.AddLoadBalancerStrategys(ctx, &cdslb.AddLoadBalancerStrategysRequest{InstanceUUID: created.InstanceUUIDs[0],
			HTTPListeners: lb.http, TCPListeners: lb.tcp}); err != nil {
			return fmt.Errorf("demo listeners of %s: %w", lb.name, err)
		}
	}
	return nil
}
