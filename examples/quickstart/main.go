// Command quickstart runs the whole life of a load balancer with cdslb:
// list zones, pick a size, create an instance, wait for it, upload a
// certificate, configure an HTTPS and a TCP listener, read metrics, resize,
// and delete everything.
//
// Without -live it runs against the built-in fake service, in process, and
// says so: no account is needed (this is what `make demo` runs). It touches
// a real account, and spends real money, only with -live, using the
// CDS_SECRET_ID and CDS_SECRET_KEY variables (and -vdc-id and -pipe-id).
package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/examples/internal/demo"
)

func main() { demo.Main("quickstart", run) }

func run(ctx context.Context, s *demo.Session) error {
	client, poll, region := s.Client, s.Poll, s.Region
	step := demo.Stepper()

	zones, err := client.DescribeZones(ctx, nil)
	if err != nil {
		return err
	}
	step("listed %d zones", len(zones.Zones))

	spec, err := client.DescribeLoadBalancersSpec(ctx, &cdslb.DescribeLoadBalancersSpecRequest{RegionID: region})
	if err != nil {
		return err
	}
	goodsID, ok := spec.PaasGoodsID(2, 4)
	if !ok {
		return fmt.Errorf("%s offers no 2 CPU / 4 GB size", region)
	}
	step("picked size 2C4G in %s: PaasGoodsID %d", region, goodsID)

	created, err := client.CreateLoadBalancer(ctx, &cdslb.CreateLoadBalancerRequest{
		RegionID: region, VdcID: s.VdcID, BasePipeID: s.Pipe, InstanceName: "quickstart", PaasGoodsID: goodsID,
		IPs: []cdslb.CreateLoadBalancerIP{{PipeType: cdslb.PipeTypePrivate, PipeID: s.Pipe}},
	})
	if err != nil {
		return err
	}
	if len(created.InstanceUUIDs) == 0 { // a success should name what it created; never index blindly
		return fmt.Errorf("CreateLoadBalancer answered no instance id (task %s)", created.TaskID)
	}
	id := created.InstanceUUIDs[0]
	step("created load balancer %s (task %s)", id, created.TaskID)

	lb, err := client.WaitUntilRunning(ctx, id, poll)
	if err != nil {
		return err
	}
	step("%s is %s at %s", lb.InstanceName, lb.Status, lb.IP)

	certPEM, keyPEM, err := demo.SelfSigned("quickstart.example.com")
	if err != nil {
		return err
	}
	certName := fmt.Sprintf("quickstart-%d", time.Now().Unix())
	if _, err := client.UploadCACertificate(ctx, &cdslb.UploadCACertificateRequest{
		Certificate: certPEM, PrivateKey: keyPEM, CertificateName: certName,
	}); err != nil {
		return err
	}
	cert, err := findCertificate(ctx, client, certName)
	if err != nil {
		return err
	}
	step("uploaded certificate %s for %s, valid until %s", cert.CertificateID, cert.Domain, cert.EndTime.Format(time.DateOnly))

	backends := []cdslb.BackendServer{{IP: "10.0.0.11", Port: 8080, Weight: 1, MaxConn: 1000}, {IP: "10.0.0.12", Port: 8080, Weight: 1, MaxConn: 1000}}
	if _, err := client.AddLoadBalancerStrategys(ctx, &cdslb.AddLoadBalancerStrategysRequest{
		InstanceUUID: id,
		HTTPListeners: []cdslb.HTTPListener{{
			ListenerName: "https_web", ListenerPort: 443, Scheduler: cdslb.SchedulerRoundRobin, MaxConn: 10000,
			ConnectTimeout: 5 * time.Second, ClientTimeout: 30 * time.Second, ServerTimeout: 30 * time.Second,
			Certificates:   []cdslb.CertificateRef{{CertificateID: cert.CertificateID, CertificateName: cert.CertificateName}},
			BackendServers: backends,
			HealthCheck:    &cdslb.HealthCheck{Method: "GET", URI: "/healthz"},
		}},
		TCPListeners: []cdslb.TCPListener{{
			ListenerName: "tcp_db", ListenerPort: 5432, Scheduler: cdslb.SchedulerLeastConn, MaxConn: 2000,
			ConnectTimeout: time.Second, ClientTimeout: time.Minute, ServerTimeout: time.Minute,
			BackendServers: []cdslb.BackendServer{{IP: "10.0.0.21", Port: 5432, Weight: 1, MaxConn: 500}},
		}},
	}); err != nil {
		return err
	}
	if _, err := client.WaitUntilRunning(ctx, id, poll); err != nil {
		return err
	}
	step("added an HTTPS listener with 2 backends and a TCP listener")

	listeners, err := client.DescribeLoadBalancerStrategys(ctx, &cdslb.DescribeLoadBalancerStrategysRequest{InstanceUUID: id})
	if err != nil {
		return err
	}
	for _, l := range listeners.HTTPListeners {
		step("  http  %-10s :%d -> %d backends, %s, server timeout %s", l.ListenerName, l.ListenerPort, len(l.BackendServers), l.Scheduler, l.ServerTimeout)
	}
	for _, l := range listeners.TCPListeners {
		step("  tcp   %-10s :%d -> %d backends, %s, server timeout %s", l.ListenerName, l.ListenerPort, len(l.BackendServers), l.Scheduler, l.ServerTimeout)
	}

	end := time.Now()
	perf, err := client.DescribeLBInstancePerformance(ctx, &cdslb.DescribeLBInstancePerformanceRequest{
		InstanceUUID: id, MetricKey: cdslb.MetricCPUUsage, StartTime: end.Add(-time.Hour), EndTime: end,
	})
	if err != nil {
		return err
	}
	if len(perf.DataPoints) > 0 {
		p := perf.DataPoints[0]
		step("CPU over the last hour, every %s: %s %s", perf.Period, demo.Sparkline(p.Values, 60), p.Unit)
	}

	sizes, err := client.DescribeLoadBalancersModifySpec(ctx, &cdslb.DescribeLoadBalancersModifySpecRequest{InstanceUUID: id})
	if err != nil {
		return err
	}
	bigger, ok := sizes.PaasGoodsID(4, 8)
	if !ok {
		return errors.New("no 4 CPU / 8 GB size to resize to")
	}
	if _, err := client.ModifyLoadBalancerInstanceSpec(ctx, &cdslb.ModifyLoadBalancerInstanceSpecRequest{InstanceUUID: id, PaasGoodsID: bigger}); err != nil {
		return err
	}
	if lb, err = client.WaitUntilRunning(ctx, id, poll); err != nil {
		return err
	}
	step("resized to %d CPU / %d MB", lb.CPU, lb.MemoryMB)

	if _, err := client.DeleteLoadBalancer(ctx, &cdslb.DeleteLoadBalancerRequest{InstanceUUID: id}); err != nil {
		return err
	}
	if err := client.WaitUntilDeleted(ctx, id, poll); err != nil {
		return err
	}
	step("deleted load balancer %s", id)

	if _, err := client.DeleteCACertificate(ctx, &cdslb.DeleteCACertificateRequest{CertificateID: cert.CertificateID}); err != nil {
		return err
	}
	step("deleted certificate %s", cert.CertificateID)
	return nil
}

func findCertificate(ctx context.Context, c *cdslb.Client, name string) (*cdslb.Certificate, error) {
	certs, err := c.DescribeCACertificates(ctx, nil)
	if err != nil {
		return nil, err
	}
	for i := range certs.Certificates {
		if certs.Certificates[i].CertificateName == name {
			return &certs.Certificates[i], nil
		}
	}
	return nil, fmt.Errorf("certificate %q not found after upload", name)
}
