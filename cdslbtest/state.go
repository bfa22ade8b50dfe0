package cdslbtest

import (
	"context"

	"github.com/cdsgo/cdslb"
)

// The state methods below work on the server's state directly, in process:
// no signature, no fault, no request count, and changes finish at once.
// They fail the test if the fake refuses (an unknown instance, an invalid
// listener), so call them from the test's goroutine. On a nil or zero
// Server they return zero values.

// LoadBalancers returns every load balancer, in creation order, as
// DescribeLoadBalancers would list it now.
func (s *Server) LoadBalancers() []cdslb.LoadBalancer {
	if !s.made() {
		return nil
	}
	s.in.t.Helper()
	resp, err := s.in.owner.DescribeLoadBalancers(context.Background(), nil)
	s.check("LoadBalancers", err)
	return resp.LoadBalancers
}

// Listeners returns the listeners of a load balancer, as
// DescribeLoadBalancerStrategys would answer them now.
func (s *Server) Listeners(instanceUUID string) ([]cdslb.HTTPListener, []cdslb.TCPListener) {
	if !s.made() {
		return nil, nil
	}
	s.in.t.Helper()
	resp, err := s.in.owner.DescribeLoadBalancerStrategys(context.Background(), &cdslb.DescribeLoadBalancerStrategysRequest{InstanceUUID: instanceUUID})
	s.check("Listeners", err)
	return resp.HTTPListeners, resp.TCPListeners
}

// Certificates returns every certificate, in upload order, as
// DescribeCACertificates would list it now.
func (s *Server) Certificates() []cdslb.Certificate {
	if !s.made() {
		return nil
	}
	s.in.t.Helper()
	resp, err := s.in.owner.DescribeCACertificates(context.Background(), nil)
	s.check("Certificates", err)
	return resp.Certificates
}

// LoadBalancer describes a load balancer for AddLoadBalancer to create.
// Zero fields take the defaults given.
type LoadBalancer struct {
	InstanceName  string // default "lb"
	RegionID      string // default "CN_Hongkong_A"
	PaasGoodsID   int    // the size; default 5072, 1 CPU and 2 GB
	HTTPListeners []cdslb.HTTPListener
	TCPListeners  []cdslb.TCPListener
	// Tags are the names of the load balancer's tags, which
	// DescribeLoadBalancers lists and filters by (TagName). The server
	// gives each name a TagID, the same on every load balancer, from 1 in
	// the order names are first used. The API cannot set tags.
	Tags []string
}

// AddLoadBalancer creates a RUNNING load balancer with the given listeners
// and tags, on a private network, and returns it as DescribeLoadBalancers
// lists it.
func (s *Server) AddLoadBalancer(lb LoadBalancer) cdslb.LoadBalancer {
	if !s.made() {
		return cdslb.LoadBalancer{}
	}
	s.in.t.Helper()
	ctx := context.Background()
	req := &cdslb.CreateLoadBalancerRequest{RegionID: lb.RegionID, VdcID: "vdc-test", BasePipeID: "pipe-test",
		InstanceName: lb.InstanceName, PaasGoodsID: lb.PaasGoodsID,
		IPs: []cdslb.CreateLoadBalancerIP{{PipeType: cdslb.PipeTypePrivate, PipeID: "pipe-test"}}}
	if req.InstanceName == "" {
		req.InstanceName = "lb"
	}
	if req.RegionID == "" {
		req.RegionID = "CN_Hongkong_A"
	}
	if req.PaasGoodsID == 0 {
		req.PaasGoodsID = 5072
	}
	created, err := s.in.owner.CreateLoadBalancer(ctx, req)
	s.check("AddLoadBalancer", err)
	id := created.InstanceUUIDs[0]
	if len(lb.HTTPListeners)+len(lb.TCPListeners) > 0 {
		_, err = s.in.owner.AddLoadBalancerStrategys(ctx, &cdslb.AddLoadBalancerStrategysRequest{InstanceUUID: id,
			HTTPListeners: lb.HTTPListeners, TCPListeners: lb.TCPListeners})
		s.check("AddLoadBalancer", err)
	}
	if len(lb.Tags) > 0 {
		s.check("AddLoadBalancer", s.in.fake.TagLoadBalancer(id, lb.Tags...))
	}
	list, err := s.in.owner.DescribeLoadBalancers(ctx, &cdslb.DescribeLoadBalancersRequest{InstanceUUID: id})
	s.check("AddLoadBalancer", err)
	return list.LoadBalancers[0]
}

// AddCertificate uploads a self-signed certificate for domain, made by
// NewCertificate, under the name given, and returns it as
// DescribeCACertificates lists it.
func (s *Server) AddCertificate(name, domain string) cdslb.Certificate {
	if !s.made() {
		return cdslb.Certificate{}
	}
	s.in.t.Helper()
	certPEM, keyPEM := s.NewCertificate(domain)
	_, err := s.in.owner.UploadCACertificate(context.Background(), &cdslb.UploadCACertificateRequest{
		Certificate: certPEM, PrivateKey: keyPEM, CertificateName: name})
	s.check("AddCertificate", err)
	for _, c := range s.Certificates() {
		if c.CertificateName == name {
			return c
		}
	}
	s.in.t.Fatalf("cdslbtest: AddCertificate: %q is not listed after its upload", name)
	return cdslb.Certificate{}
}

// NewCertificate returns a self-signed ECDSA certificate for domain and its
// PKCS #8 private key, both PEM, valid for a year from the server's clock:
// what a test needs to upload a certificate through the API. SelfSigned
// makes the same without a Server, valid from the real time.
func (s *Server) NewCertificate(domain string) (certPEM, keyPEM string) {
	if !s.made() {
		return "", ""
	}
	s.in.t.Helper()
	certPEM, keyPEM, err := selfSigned(domain, s.in.now())
	s.check("NewCertificate", err)
	return certPEM, keyPEM
}

// check fails the test if err is not nil.
func (s *Server) check(method string, err error) {
	s.in.t.Helper()
	if err != nil {
		s.in.t.Fatalf("cdslbtest: %s: %v", method, err)
	}
}
