package cdslb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// badInput is one request that breaks one rule.
type badInput struct {
	name   string
	action string
	field  string // the exact path the error must name
	call   func(ctx context.Context, c *Client) error
}

func modifyWith(mutate func(r *ModifyLoadBalancerStrategysRequest)) func(ctx context.Context, c *Client) error {
	return func(ctx context.Context, c *Client) error {
		r := &ModifyLoadBalancerStrategysRequest{InstanceUUID: "i-1",
			HTTPListeners: []HTTPListener{goodHTTPListener(), goodHTTPListener()},
			TCPListeners:  []TCPListener{goodTCPListener()}}
		r.HTTPListeners[1].ListenerName, r.HTTPListeners[1].ListenerPort = "http-2", 8081
		mutate(r)
		_, err := c.ModifyLoadBalancerStrategys(ctx, r)
		return err
	}
}

func createWith(mutate func(r *CreateLoadBalancerRequest)) func(ctx context.Context, c *Client) error {
	return func(ctx context.Context, c *Client) error {
		r := goodCreate()
		mutate(r)
		_, err := c.CreateLoadBalancer(ctx, r)
		return err
	}
}

func performanceWith(mutate func(r *DescribeLBInstancePerformanceRequest)) func(ctx context.Context, c *Client) error {
	return func(ctx context.Context, c *Client) error {
		end := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
		r := &DescribeLBInstancePerformanceRequest{InstanceUUID: "i-1", MetricKey: MetricCPUUsage, StartTime: end.Add(-time.Hour), EndTime: end}
		mutate(r)
		_, err := c.DescribeLBInstancePerformance(ctx, r)
		return err
	}
}

func uploadWith(t *testing.T, mutate func(r *UploadCACertificateRequest)) func(ctx context.Context, c *Client) error {
	certPEM, keyPEM := testCertificate(t, "ec")
	return func(ctx context.Context, c *Client) error {
		r := &UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM, CertificateName: "www"}
		mutate(r)
		_, err := c.UploadCACertificate(ctx, r)
		return err
	}
}

func badInputs(t *testing.T) []badInput {
	mod, cre, perf := "ModifyLoadBalancerStrategys", "CreateLoadBalancer", "DescribeLBInstancePerformance"
	h1 := "HTTPListeners[1]."
	_, otherKey := testCertificate(t, "ec")
	rsaCert, rsaKey := testCertificate(t, "rsa-pkcs1")
	return []badInput{
		// The target id of every action addressed to one instance or certificate.
		{"spec without region", "DescribeLoadBalancersSpec", "RegionID", func(ctx context.Context, c *Client) error {
			_, err := c.DescribeLoadBalancersSpec(ctx, &DescribeLoadBalancersSpecRequest{RegionID: " "})
			return err
		}},
		{"nil spec request", "DescribeLoadBalancersSpec", "RegionID", func(ctx context.Context, c *Client) error {
			_, err := c.DescribeLoadBalancersSpec(ctx, nil)
			return err
		}},
		{"modify spec without instance", "DescribeLoadBalancersModifySpec", "InstanceUUID", func(ctx context.Context, c *Client) error {
			_, err := c.DescribeLoadBalancersModifySpec(ctx, nil)
			return err
		}},
		{"resize without instance", "ModifyLoadBalancerInstanceSpec", "InstanceUUID", func(ctx context.Context, c *Client) error {
			_, err := c.ModifyLoadBalancerInstanceSpec(ctx, &ModifyLoadBalancerInstanceSpecRequest{PaasGoodsID: 1})
			return err
		}},
		{"resize to goods 0", "ModifyLoadBalancerInstanceSpec", "PaasGoodsID", func(ctx context.Context, c *Client) error {
			_, err := c.ModifyLoadBalancerInstanceSpec(ctx, &ModifyLoadBalancerInstanceSpecRequest{InstanceUUID: "i-1"})
			return err
		}},
		{"delete without instance", "DeleteLoadBalancer", "InstanceUUID", func(ctx context.Context, c *Client) error {
			_, err := c.DeleteLoadBalancer(ctx, nil)
			return err
		}},
		{"describe certificate without id", "DescribeCACertificate", "CertificateID", func(ctx context.Context, c *Client) error {
			_, err := c.DescribeCACertificate(ctx, &DescribeCACertificateRequest{})
			return err
		}},
		{"delete certificate without id", "DeleteCACertificate", "CertificateID", func(ctx context.Context, c *Client) error {
			_, err := c.DeleteCACertificate(ctx, nil)
			return err
		}},
		{"listeners of no instance", "DescribeLoadBalancerStrategys", "InstanceUUID", func(ctx context.Context, c *Client) error {
			_, err := c.DescribeLoadBalancerStrategys(ctx, nil)
			return err
		}},
		{"add listeners to no instance", "AddLoadBalancerStrategys", "InstanceUUID", func(ctx context.Context, c *Client) error {
			_, err := c.AddLoadBalancerStrategys(ctx, &AddLoadBalancerStrategysRequest{HTTPListeners: []HTTPListener{goodHTTPListener()}})
			return err
		}},
		{"config of no instance", "DescribeHaproxyCustomConfig", "InstanceUUID", func(ctx context.Context, c *Client) error {
			_, err := c.DescribeHaproxyCustomConfig(ctx, nil)
			return err
		}},
		{"config without configs", "ModifyHaproxyCustomConfig", "Configs", func(ctx context.Context, c *Client) error {
			_, err := c.ModifyHaproxyCustomConfig(ctx, &ModifyHaproxyCustomConfigRequest{InstanceUUID: "i-1"})
			return err
		}},
		{"rename without name", "ModifyLoadBalancerName", "InstanceName", func(ctx context.Context, c *Client) error {
			_, err := c.ModifyLoadBalancerName(ctx, &ModifyLoadBalancerNameRequest{InstanceUUID: "i-1"})
			return err
		}},
		{"rename without instance", "ModifyLoadBalancerName", "InstanceUUID", func(ctx context.Context, c *Client) error {
			_, err := c.ModifyLoadBalancerName(ctx, &ModifyLoadBalancerNameRequest{InstanceName: "n"})
			return err
		}},
		{"listener names of no instance", "DescribeLBInstanceListeners", "InstanceUUID", func(ctx context.Context, c *Client) error {
			_, err := c.DescribeLBInstanceListeners(ctx, nil)
			return err
		}},
		{"modify listeners of no instance", mod, "InstanceUUID", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.InstanceUUID = "" })},

		// CreateLoadBalancer.
		{"create without region", cre, "RegionID", createWith(func(r *CreateLoadBalancerRequest) { r.RegionID = "" })},
		{"create without VDC", cre, "VdcID", createWith(func(r *CreateLoadBalancerRequest) { r.VdcID = "" })},
		{"create without base pipe", cre, "BasePipeID", createWith(func(r *CreateLoadBalancerRequest) { r.BasePipeID = "" })},
		{"create without name", cre, "InstanceName", createWith(func(r *CreateLoadBalancerRequest) { r.InstanceName = "" })},
		{"create goods 0", cre, "PaasGoodsID", createWith(func(r *CreateLoadBalancerRequest) { r.PaasGoodsID = 0 })},
		{"create goods negative", cre, "PaasGoodsID", createWith(func(r *CreateLoadBalancerRequest) { r.PaasGoodsID = -5 })},
		{"create 4", cre, "Amount", createWith(func(r *CreateLoadBalancerRequest) { r.Amount = 4 })},
		{"create -1", cre, "Amount", createWith(func(r *CreateLoadBalancerRequest) { r.Amount = -1 })},
		{"create without networks", cre, "IPs", createWith(func(r *CreateLoadBalancerRequest) { r.IPs = nil })},
		{"create on an unknown pipe type", cre, "IPs[1].PipeType", createWith(func(r *CreateLoadBalancerRequest) { r.IPs[1].PipeType = "internet" })},
		{"create without pipe id", cre, "IPs[0].PipeID", createWith(func(r *CreateLoadBalancerRequest) { r.IPs[0].PipeID = "" })},
		{"create public without segment", cre, "IPs[1].SegmentID", createWith(func(r *CreateLoadBalancerRequest) { r.IPs[1].SegmentID = "" })},
		{"create IsVIP on the public entry", cre, "IPs[1].IsVIP", createWith(func(r *CreateLoadBalancerRequest) { r.IPs[1].IsVIP = new(false) })},
		{"create IsVIP true on the public entry", cre, "IPs[1].IsVIP", createWith(func(r *CreateLoadBalancerRequest) { r.IPs[1].IsVIP = new(true) })},
		{"create without private VIP on a private network only", cre, "IPs[0].IsVIP", createWith(func(r *CreateLoadBalancerRequest) {
			r.IPs = r.IPs[:1]
			r.IPs[0].IsVIP = new(false)
		})},

		// Listeners.
		{"listener port 0", mod, h1 + "ListenerPort", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].ListenerPort = 0 })},
		{"listener port 65536", mod, "TCPListeners[0].ListenerPort", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.TCPListeners[0].ListenerPort = 65536 })},
		{"listener port 22", mod, h1 + "ListenerPort", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].ListenerPort = 22 })},
		{"listener port 1080", mod, h1 + "ListenerPort", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].ListenerPort = 1080 })},
		{"listener port 9100", mod, "TCPListeners[0].ListenerPort", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.TCPListeners[0].ListenerPort = 9100 })},
		{"listener port 9101", mod, h1 + "ListenerPort", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].ListenerPort = 9101 })},
		{"listener ports repeated", mod, "TCPListeners[0].ListenerPort", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.TCPListeners[0].ListenerPort = 8081 })},
		{"listener without name", mod, h1 + "ListenerName", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].ListenerName = "  " })},
		{"listener name of 51", mod, h1 + "ListenerName", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].ListenerName = strings.Repeat("a", 51) })},
		{"listener names repeated", mod, "TCPListeners[0].ListenerName", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.TCPListeners[0].ListenerName = "http-2" })},
		{"unknown scheduler", mod, h1 + "Scheduler", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].Scheduler = "random" })},
		{"no scheduler", mod, "TCPListeners[0].Scheduler", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.TCPListeners[0].Scheduler = "" })},
		{"negative max conn", mod, h1 + "MaxConn", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].MaxConn = -1 })},
		{"negative connect timeout", mod, h1 + "ConnectTimeout", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].ConnectTimeout = -time.Second })},
		{"negative client timeout", mod, "TCPListeners[0].ClientTimeout", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.TCPListeners[0].ClientTimeout = -1 })},
		{"negative server timeout", mod, h1 + "ServerTimeout", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].ServerTimeout = -time.Millisecond })},
		{"ACL entry a name", mod, h1 + "ACLWhiteList[1]", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].ACLWhiteList[1] = "example.com" })},
		{"ACL entry IPv6", mod, h1 + "ACLWhiteList[0]", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].ACLWhiteList[0] = "2001:db8::/32" })},
		{"ACL entry bad prefix", mod, "TCPListeners[0].ACLWhiteList[0]", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.TCPListeners[0].ACLWhiteList = []string{"10.0.0.0/33"} })},
		{"backend port 0", mod, h1 + "BackendServers[0].Port", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].BackendServers[0].Port = 0 })},
		{"backend port 65536", mod, "TCPListeners[0].BackendServers[0].Port", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.TCPListeners[0].BackendServers[0].Port = 65536 })},
		{"weight 0", mod, h1 + "BackendServers[0].Weight", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].BackendServers[0].Weight = 0 })},
		{"weight 257", mod, h1 + "BackendServers[1].Weight", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].BackendServers[1].Weight = 257 })},
		{"backend without IP", mod, h1 + "BackendServers[1].IP", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].BackendServers[1].IP = "" })},
		{"backend negative max conn", mod, "TCPListeners[0].BackendServers[0].MaxConn", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.TCPListeners[0].BackendServers[0].MaxConn = -1 })},
		{"certificate without id", mod, h1 + "Certificates[0].CertificateID", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].Certificates[0].CertificateID = "" })},
		{"repeater mode without source IP", mod, "TCPListeners[0].EnableRepeaterMode", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.TCPListeners[0].EnableSourceIP = false })},
		{"add: weight 0", "AddLoadBalancerStrategys", "TCPListeners[0].BackendServers[0].Weight", func(ctx context.Context, c *Client) error {
			l := goodTCPListener()
			l.BackendServers[0].Weight = 0
			_, err := c.AddLoadBalancerStrategys(ctx, &AddLoadBalancerStrategysRequest{InstanceUUID: "i-1", TCPListeners: []TCPListener{l}})
			return err
		}},

		// Session persistence and health checks.
		{"cookie key of 1", mod, h1 + "SessionPersistence.Key", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].SessionPersistence.Key = "a" })},
		{"cookie key of 16", mod, h1 + "SessionPersistence.Key", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[1].SessionPersistence = &SessionPersistence{Key: "a234567890123456"}
		})},
		{"cookie key upper case", mod, h1 + "SessionPersistence.Key", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].SessionPersistence.Key = "Srv" })},
		{"cookie key starts with a digit", mod, h1 + "SessionPersistence.Key", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].SessionPersistence.Key = "1srv" })},
		{"cookie key ends with _", mod, h1 + "SessionPersistence.Key", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].SessionPersistence.Key = "srv_" })},
		{"cookie key with -", mod, h1 + "SessionPersistence.Key", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].SessionPersistence.Key = "srv-id" })},
		{"cookie mode unknown", mod, h1 + "SessionPersistence.Mode", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].SessionPersistence.Mode = 4 })},
		{"max idle negative", mod, h1 + "SessionPersistence.MaxIdle", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[1].SessionPersistence.MaxIdle = -time.Second
		})},
		{"max idle over 2h", mod, h1 + "SessionPersistence.MaxIdle", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[1].SessionPersistence.MaxIdle = 7201 * time.Second
		})},
		{"max idle not whole seconds", mod, h1 + "SessionPersistence.MaxIdle", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[1].SessionPersistence.MaxIdle = 1500 * time.Millisecond
		})},
		{"max life over 2h", mod, h1 + "SessionPersistence.MaxLife", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[1].SessionPersistence.MaxLife = 3 * time.Hour
		})},
		{"max life not more than max idle", mod, h1 + "SessionPersistence.MaxLife", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[1].SessionPersistence.MaxLife = r.HTTPListeners[1].SessionPersistence.MaxIdle
		})},
		{"health check POST", mod, h1 + "HealthCheck.Method", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].HealthCheck.Method = "POST" })},
		{"health check lower case", mod, h1 + "HealthCheck.Method", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].HealthCheck.Method = "get" })},
		{"health check URI without its slash", mod, h1 + "HealthCheck.URI", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].HealthCheck.URI = "healthz" })},
		{"health check URI empty", mod, h1 + "HealthCheck.URI", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].HealthCheck.URI = "" })},
		{"health check URI with a space", mod, h1 + "HealthCheck.URI", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].HealthCheck.URI = "/a b" })},
		{"health check URI with a header", mod, h1 + "HealthCheck.URI", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[1].HealthCheck.URI = "/x\r\nHost: evil"
		})},
		{"health check URI with a config line", mod, h1 + "HealthCheck.URI", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[1].HealthCheck.URI = "/x\noption httpchk"
		})},
		{"health check URI with a tab", mod, h1 + "HealthCheck.URI", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].HealthCheck.URI = "/x\ty" })},
		{"health check URI with DEL", mod, h1 + "HealthCheck.URI", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].HealthCheck.URI = "/x\x7f" })},
		{"listener name with a line", mod, h1 + "ListenerName", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].ListenerName = "web\nbackend x" })},
		{"listener name with a tab", mod, "TCPListeners[0].ListenerName", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.TCPListeners[0].ListenerName = "my\tdb" })},
		{"certificate id with a line", mod, h1 + "Certificates[0].CertificateID", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[1].Certificates[0].CertificateID = "c-1\nbind :1"
		})},
		{"backend IPv6", mod, h1 + "BackendServers[0].IP", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].BackendServers[0].IP = "fd00::1" })},
		{"backend IPv4 out of range", mod, h1 + "BackendServers[0].IP", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].BackendServers[0].IP = "10.0.0.256" })},
		{"backend IP with a port", mod, h1 + "BackendServers[0].IP", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].BackendServers[0].IP = "10.0.0.1:80" })},
		{"backend CIDR block", mod, h1 + "BackendServers[0].IP", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].BackendServers[0].IP = "10.0.0.0/24" })},
		{"backend name with a space", mod, h1 + "BackendServers[0].IP", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) { r.HTTPListeners[1].BackendServers[0].IP = "my host" })},
		{"backend URL", mod, h1 + "BackendServers[0].IP", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[1].BackendServers[0].IP = "http://backend"
		})},
		{"add no listener", "AddLoadBalancerStrategys", "HTTPListeners", func(ctx context.Context, c *Client) error {
			_, err := c.AddLoadBalancerStrategys(ctx, &AddLoadBalancerStrategysRequest{InstanceUUID: "i-1"})
			return err
		}},
		{"negative subject", cre, "SubjectID", createWith(func(r *CreateLoadBalancerRequest) { r.SubjectID = -1 })},

		// Certificates.
		{"upload without certificate", "UploadCACertificate", "Certificate", uploadWith(t, func(r *UploadCACertificateRequest) { r.Certificate = "" })},
		{"upload without key", "UploadCACertificate", "PrivateKey", uploadWith(t, func(r *UploadCACertificateRequest) { r.PrivateKey = "" })},
		{"upload without name", "UploadCACertificate", "CertificateName", uploadWith(t, func(r *UploadCACertificateRequest) { r.CertificateName = "" })},
		{"upload certificate not PEM", "UploadCACertificate", "Certificate", uploadWith(t, func(r *UploadCACertificateRequest) { r.Certificate = "MIIB..." })},
		{"upload certificate garbled", "UploadCACertificate", "Certificate", uploadWith(t, func(r *UploadCACertificateRequest) {
			r.Certificate = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
		})},
		{"upload key as certificate", "UploadCACertificate", "Certificate", uploadWith(t, func(r *UploadCACertificateRequest) { r.Certificate = r.PrivateKey })},
		{"upload key not PEM", "UploadCACertificate", "PrivateKey", uploadWith(t, func(r *UploadCACertificateRequest) { r.PrivateKey = "secret" })},
		{"upload key garbled", "UploadCACertificate", "PrivateKey", uploadWith(t, func(r *UploadCACertificateRequest) {
			r.PrivateKey = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
		})},
		{"upload key of another certificate", "UploadCACertificate", "PrivateKey", uploadWith(t, func(r *UploadCACertificateRequest) { r.PrivateKey = otherKey })},
		{"upload RSA key for an EC certificate", "UploadCACertificate", "PrivateKey", uploadWith(t, func(r *UploadCACertificateRequest) { r.PrivateKey = rsaKey })},
		{"upload key matching the second certificate only", "UploadCACertificate", "PrivateKey", uploadWith(t, func(r *UploadCACertificateRequest) {
			r.Certificate += rsaCert
			r.PrivateKey = rsaKey
		})},

		// Performance.
		{"performance of no instance", perf, "InstanceUUID", performanceWith(func(r *DescribeLBInstancePerformanceRequest) { r.InstanceUUID = "" })},
		{"performance without metric", perf, "MetricKey", performanceWith(func(r *DescribeLBInstancePerformanceRequest) { r.MetricKey = "" })},
		{"performance without start", perf, "StartTime", performanceWith(func(r *DescribeLBInstancePerformanceRequest) { r.StartTime = time.Time{} })},
		{"performance without end", perf, "EndTime", performanceWith(func(r *DescribeLBInstancePerformanceRequest) { r.EndTime = time.Time{} })},
		{"performance ends before it starts", perf, "EndTime", performanceWith(func(r *DescribeLBInstancePerformanceRequest) {
			r.StartTime, r.EndTime = r.EndTime, r.StartTime
		})},
		{"performance ends as it starts", perf, "EndTime", performanceWith(func(r *DescribeLBInstancePerformanceRequest) { r.StartTime = r.EndTime })},
		{"performance over 30 days", perf, "EndTime", performanceWith(func(r *DescribeLBInstancePerformanceRequest) {
			r.StartTime = r.EndTime.Add(-30*24*time.Hour - time.Second)
		})},
		{"listener metric without listener", perf, "ListenerName", performanceWith(func(r *DescribeLBInstancePerformanceRequest) {
			r.MetricKey = MetricListenerSessions
		})},
	}
}

// TestValidationBattery: each bad input, one per rule, is refused with a
// *ValidationError that names the action and the exact field, before
// anything is sent.
func TestValidationBattery(t *testing.T) {
	t.Parallel()
	c, srv := newHostile(t, WithRetry(DefaultRetryPolicy))
	seen := map[string]bool{}
	for _, tc := range badInputs(t) {
		require.False(t, seen[tc.name], "duplicate case %s", tc.name)
		seen[tc.name] = true
		err := tc.call(context.Background(), c)
		require.Error(t, err, tc.name)
		assert.ErrorIs(t, err, ErrInvalidRequest, tc.name)
		var ve *ValidationError
		if assert.ErrorAs(t, err, &ve, tc.name) {
			assert.Equal(t, tc.action, ve.Action, tc.name)
			assert.Equal(t, tc.field, ve.Field, "%s: %v", tc.name, err)
			assert.NotEmpty(t, ve.Reason, tc.name)
			assert.Contains(t, err.Error(), tc.field, tc.name)
			assert.Contains(t, err.Error(), tc.action, tc.name)
			assert.Empty(t, ve.More, "%s breaks one rule: %v", tc.name, err)
		}
		assert.False(t, errors.Is(err, ErrInvalidParameter), "a local refusal is not the service's code")
	}
	assert.Empty(t, srv.sentFor(""), "no request may be sent for a bad input")
}

// TestValidationAcceptsGoodInputs: valid requests at the edges of every
// rule pass and are sent, so no rule is stricter than the documents.
func TestValidationAcceptsGoodInputs(t *testing.T) {
	t.Parallel()
	c, srv := newHostile(t)
	ctx := context.Background()
	accepted := 0 // the calls checked by ok, each of which sends one request
	ok := func(name string, err error) {
		t.Helper()
		accepted++
		var ve *ValidationError
		assert.False(t, errors.As(err, &ve), "%s: refused: %v", name, err)
	}
	for _, ac := range validCalls(t) {
		_, err := ac.call(ctx, c)
		ok(ac.action, err)
	}
	edges := map[string]func(r *ModifyLoadBalancerStrategysRequest){
		"the document's names": func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[0].ListenerName, r.HTTPListeners[1].ListenerName, r.TCPListeners[0].ListenerName = "http-test", "HTTP Test 2", "tcp-test"
		},
		"50-character name": func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[1].ListenerName = strings.Repeat("监", 50)
		},
		"ports 1 and 65535": func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[1].ListenerPort, r.TCPListeners[0].ListenerPort = 1, 65535
			r.TCPListeners[0].BackendServers[0].Port = 65535
			r.HTTPListeners[1].BackendServers[0].Port = 1
		},
		"ports next to reserved": func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[1].ListenerPort, r.TCPListeners[0].ListenerPort = 21, 9102
			r.TCPListeners[0].BackendServers[0].Port = 22 // reserved on the instance, not on backends
		},
		"weights 1 and 256": func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[1].BackendServers[0].Weight, r.HTTPListeners[1].BackendServers[1].Weight = 1, 256
		},
		"every scheduler": func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[0].Scheduler, r.HTTPListeners[1].Scheduler, r.TCPListeners[0].Scheduler = SchedulerStaticRR, SchedulerSource, SchedulerRoundRobin
		},
		"zero limits and timeouts": func(r *ModifyLoadBalancerStrategysRequest) {
			l := &r.HTTPListeners[1]
			l.MaxConn, l.ConnectTimeout, l.ClientTimeout, l.ServerTimeout = 0, 0, 0, 0
			l.BackendServers[0].MaxConn = 0
		},
		"ACL addresses and blocks": func(r *ModifyLoadBalancerStrategysRequest) {
			r.TCPListeners[0].ACLWhiteList = []string{"0.0.0.0/0", "192.168.1.1/20", "10.0.0.1", "10.0.0.1/32"}
		},
		"backend by domain name": func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[1].BackendServers[0].IP = "backend.example.com"
			r.HTTPListeners[1].BackendServers[1].IP = "api-2"
			r.TCPListeners[0].BackendServers[0].IP = "xn--fiq228c.example.cn"
		},
		"no listeners, no backends": func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners, r.TCPListeners = nil, []TCPListener{{ListenerName: "t", ListenerPort: 80, Scheduler: SchedulerSource}}
		},
		"cookie keys of 2 and 15": func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[0].SessionPersistence = &SessionPersistence{Key: "a1"}
			r.HTTPListeners[1].SessionPersistence = &SessionPersistence{Key: "a_3456789012345", Mode: CookieModeTransparent, MaxIdle: 7200 * time.Second}
		},
		"cookie timers at their edges": func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[0].SessionPersistence = &SessionPersistence{Key: "sid", Mode: CookieModeCacheable, MaxIdle: 7199 * time.Second, MaxLife: 7200 * time.Second}
			r.HTTPListeners[1].SessionPersistence = &SessionPersistence{Key: "sid", MaxLife: time.Second}
		},
		"health checks": func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[0].HealthCheck = &HealthCheck{Method: "OPTIONS", URI: "/"}
			r.HTTPListeners[1].HealthCheck = &HealthCheck{URI: "/healthz"}
		},
		"source IP without repeater": func(r *ModifyLoadBalancerStrategysRequest) { r.TCPListeners[0].EnableRepeaterMode = false },
	}
	for name, mutate := range edges {
		ok(name, modifyWith(mutate)(ctx, c))
	}
	for _, amount := range []int{0, 1, 3} {
		ok("amount", createWith(func(r *CreateLoadBalancerRequest) { r.Amount = amount })(ctx, c))
	}
	ok("private network only", createWith(func(r *CreateLoadBalancerRequest) { r.IPs = r.IPs[:1] })(ctx, c))
	for _, form := range []string{"rsa-pkcs1", "rsa-pkcs8", "ec", "ec-pkcs8"} {
		certPEM, keyPEM := testCertificate(t, form)
		caPEM, _ := testCertificate(t, "ec") // stands in for an intermediate after the leaf
		_, err := c.UploadCACertificate(ctx, &UploadCACertificateRequest{Certificate: certPEM + caPEM, PrivateKey: keyPEM, CertificateName: form})
		ok("certificate chain with a "+form+" key", err)
	}
	ok("30 days exactly", performanceWith(func(r *DescribeLBInstancePerformanceRequest) { r.StartTime = r.EndTime.Add(-30 * 24 * time.Hour) })(ctx, c))
	ok("listener metric", performanceWith(func(r *DescribeLBInstancePerformanceRequest) {
		r.MetricKey, r.ListenerName = MetricListenerConnections, "http-test"
	})(ctx, c))
	ok("a metric this library does not know", performanceWith(func(r *DescribeLBInstancePerformanceRequest) { r.MetricKey = "ha_future_metric" })(ctx, c))

	// Every accepted request reached the service, once.
	assert.Len(t, srv.sentFor(""), accepted)
}

// TestInvalidUTF8IsRefused: a string that is not valid UTF-8, in any field
// of any request type (found through the sweep's list of exported types),
// is refused by validation, which names the field.
func TestInvalidUTF8IsRefused(t *testing.T) {
	t.Parallel()
	checked := 0
	for name, typ := range sweepTypes {
		if !strings.HasSuffix(name, "Request") {
			continue
		}
		req := reflect.New(typ)
		fillAll(req.Elem()) // every string field a request can hold exists
		r, ok := req.Interface().(interface{ validate() error })
		require.True(t, ok, name)
		eachString(req.Elem(), "", func(path string, s reflect.Value) {
			checked++
			old := s.String()
			s.SetString("ok\xff")
			defer s.SetString(old)
			var ve *ValidationError
			require.ErrorAs(t, validateRequest(name, r), &ve, "%s.%s", name, path)
			assert.Equal(t, path, ve.Field, name)
			assert.Equal(t, "is not valid UTF-8", ve.Reason, name)
		})
	}
	assert.Greater(t, checked, 40, "string fields checked")

	// Through a client: refused before anything is sent.
	c, srv := newHostile(t)
	_, err := c.ModifyHaproxyCustomConfig(context.Background(), &ModifyHaproxyCustomConfigRequest{InstanceUUID: "i-1", Configs: "global\n\xfe\n"})
	require.ErrorIs(t, err, ErrInvalidRequest)
	assert.ErrorContains(t, err, "ModifyHaproxyCustomConfig: invalid request: Configs is not valid UTF-8")
	req := &ModifyLoadBalancerStrategysRequest{InstanceUUID: "i-1", HTTPListeners: []HTTPListener{goodHTTPListener(), goodHTTPListener()}}
	req.HTTPListeners[1].BackendServers[0].IP = "10.0.0.\xc3"
	_, err = c.ModifyLoadBalancerStrategys(context.Background(), req)
	assert.ErrorContains(t, err, "HTTPListeners[1].BackendServers[0].IP is not valid UTF-8")
	assert.Empty(t, srv.sentFor(""))
}

// eachString calls visit with the path of every exported string field in v.
func eachString(v reflect.Value, path string, visit func(string, reflect.Value)) {
	switch v.Kind() {
	case reflect.Pointer:
		eachString(v.Elem(), path, visit)
	case reflect.String:
		visit(path, v)
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			p := f.Name
			if f.Anonymous {
				p = path
			} else if path != "" {
				p = path + "." + f.Name
			}
			eachString(v.Field(i), p, visit)
		}
	case reflect.Slice:
		for i := range v.Len() {
			eachString(v.Index(i), fmt.Sprintf("%s[%d]", path, i), visit)
		}
	}
}

// TestValidationReportsEveryProblem: a request that breaks several rules
// gets one *ValidationError that names the first, holds the others in
// More, in order, and lists every field in its message.
func TestValidationReportsEveryProblem(t *testing.T) {
	t.Parallel()
	c, srv := newHostile(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		action string
		call   func(ctx context.Context, c *Client) error
		fields []string
	}{
		{"create", "CreateLoadBalancer", createWith(func(r *CreateLoadBalancerRequest) {
			r.RegionID, r.PaasGoodsID, r.Amount = "", 0, 4
			r.IPs[0].PipeType = "dmz"
			r.IPs[1].SegmentID = ""
		}), []string{"RegionID", "PaasGoodsID", "Amount", "IPs[0].PipeType", "IPs[1].SegmentID"}},
		{"listeners", "ModifyLoadBalancerStrategys", modifyWith(func(r *ModifyLoadBalancerStrategysRequest) {
			r.HTTPListeners[0].ListenerName, r.HTTPListeners[0].ListenerPort = "", 22
			r.HTTPListeners[1].BackendServers[0].Weight = 0
			r.HTTPListeners[1].BackendServers[1].IP = "fd00::1"
			r.HTTPListeners[1].HealthCheck.URI = "healthz"
			r.TCPListeners[0].ListenerName = r.HTTPListeners[1].ListenerName
		}), []string{"HTTPListeners[0].ListenerName", "HTTPListeners[0].ListenerPort", "HTTPListeners[1].BackendServers[0].Weight",
			"HTTPListeners[1].BackendServers[1].IP", "HTTPListeners[1].HealthCheck.URI", "TCPListeners[0].ListenerName"}},
		{"ensure", "EnsureLoadBalancer", func(ctx context.Context, c *Client) error {
			r := goodCreate()
			r.RegionID, r.PaasGoodsID = "", 0
			_, _, err := c.EnsureLoadBalancer(ctx, r)
			return err
		}, []string{"RegionID", "PaasGoodsID"}},
		{"plan", "PlanListeners", func(ctx context.Context, c *Client) error {
			_, err := c.PlanListeners(ctx, "", []HTTPListener{goodHTTPListener()}, nil)
			return err
		}, []string{"InstanceUUID"}},
		{"plan listeners", "PlanListeners", func(ctx context.Context, c *Client) error {
			l := goodHTTPListener()
			l.ListenerPort, l.Scheduler = 22, ""
			_, err := c.PlanListeners(ctx, "i-1", []HTTPListener{l}, nil)
			return err
		}, []string{"HTTPListeners[0].ListenerPort", "HTTPListeners[0].Scheduler"}},
		{"add nothing to no instance", "AddLoadBalancerStrategys", func(ctx context.Context, c *Client) error {
			_, err := c.AddLoadBalancerStrategys(ctx, nil)
			return err
		}, []string{"InstanceUUID", "HTTPListeners"}},
		{"upload", "UploadCACertificate", uploadWith(t, func(r *UploadCACertificateRequest) {
			r.Certificate, r.PrivateKey, r.CertificateName = "MIIB...", "secret", ""
		}), []string{"CertificateName", "Certificate", "PrivateKey"}},
		{"performance", "DescribeLBInstancePerformance", performanceWith(func(r *DescribeLBInstancePerformanceRequest) {
			r.InstanceUUID, r.StartTime, r.MetricKey = "", time.Time{}, MetricListenerSessions
		}), []string{"InstanceUUID", "StartTime", "ListenerName"}},
	} {
		err := tc.call(ctx, c)
		assert.ErrorIs(t, err, ErrInvalidRequest, tc.name)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, tc.name)
		got := []string{ve.Field}
		for _, m := range ve.More {
			got = append(got, m.Field)
			assert.Equal(t, tc.action, m.Action, tc.name)
			assert.Empty(t, m.More, tc.name)
			assert.NotEmpty(t, m.Reason, tc.name)
		}
		assert.Equal(t, tc.fields, got, "%s: %v", tc.name, err)
		for _, f := range tc.fields {
			assert.Contains(t, err.Error(), f+" ", tc.name)
		}
		assert.Equal(t, len(tc.fields)-1, strings.Count(err.Error(), "; "), "%s: %v", tc.name, err)
	}
	assert.Empty(t, srv.sentFor(""))
}

// The host-name and cookie-key rules are the patterns below, written out so
// that nothing is compiled at package initialisation: they agree on every
// string of up to 3 bytes over a small alphabet, and on longer random ones
// with labels around the 63-character limit.
func TestWrittenOutRulesMatchTheirPatterns(t *testing.T) {
	t.Parallel()
	hostName := regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
	cookieKey := regexp.MustCompile(`^[a-z][a-z0-9_]{0,13}[a-z0-9]$`)
	check := func(s string) {
		last := s[strings.LastIndexByte(s, '.')+1:]
		want := len(s) <= 253 && hostName.MatchString(s) && strings.Trim(last, "0123456789") != ""
		if got := isHostName(s); got != want {
			t.Errorf("isHostName(%q) = %v, want %v", s, got, want)
		}
		if got, want := isCookieKey(s), cookieKey.MatchString(s); got != want {
			t.Errorf("isCookieKey(%q) = %v, want %v", s, got, want)
		}
	}
	const alphabet = "az09_-A.é\n"
	var all func(prefix string, n int)
	all = func(prefix string, n int) {
		check(prefix)
		if n > 0 {
			for i := 0; i < len(alphabet); i++ {
				all(prefix+alphabet[i:i+1], n-1)
			}
		}
	}
	all("", 3)
	for _, n := range []int{62, 63, 64} {
		label := strings.Repeat("a", n)
		check(label)
		check(label + ".b")
		check("b." + label)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(5) {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			n := rng.IntN(4)
			if rng.IntN(2) == 0 {
				n = 60 + rng.IntN(6)
			}
			for range n {
				b.WriteByte("aZ9-aZ9-_"[rng.IntN(9)])
			}
		}
		check(b.String())
	}
}

// The walk looks only into fields that may hold a string, and finds a
// string behind pointers, lists, maps and a type that refers to itself.
func TestInvalidUTF8LooksOnlyWhereAStringMayBe(t *testing.T) {
	t.Parallel()
	type node struct {
		Next  *node
		Count []int
		Tags  map[int][]string
		Any   any
		text  string // unexported: never looked into
	}
	assert.Equal(t, []int{0, 2, 3}, textFields(reflect.TypeFor[node]()))
	assert.Empty(t, textFields(reflect.TypeFor[struct{ A, B int }]()))
	v := &node{Next: &node{Next: &node{Tags: map[int][]string{7: {"ok", "\xff"}}}}, text: "\xff"}
	path, bad := invalidUTF8(reflect.ValueOf(v))
	assert.True(t, bad)
	assert.Equal(t, `Next.Next.Tags["7"][1]`, path)
	v.Next.Next.Tags[7][1] = "ok"
	v.Any = []any{1, "\xfe"}
	path, bad = invalidUTF8(reflect.ValueOf(v))
	assert.True(t, bad)
	assert.Equal(t, `Any[1]`, path)
}

// selfList and selfMap refer to themselves without a struct between.
type (
	selfList []selfList
	selfMap  map[int]selfMap
)

// A type that refers to itself through lists, maps or pointers alone, with
// no struct to stop at, ends the walk over types as it ends the walk over
// values: a field of one holds no string, and looking costs no stack.
func TestInvalidUTF8EndsOnATypeThatRefersToItselfWithoutAStruct(t *testing.T) {
	t.Parallel()
	type request struct {
		Lists selfList
		Maps  selfMap
		Name  string
	}
	assert.Equal(t, []int{2}, textFields(reflect.TypeFor[request]()))
	path, bad := invalidUTF8(reflect.ValueOf(&request{Lists: selfList{{}, nil}, Maps: selfMap{1: {2: nil}}, Name: "\xff"}))
	assert.True(t, bad)
	assert.Equal(t, "Name", path)
}

// promoted is embedded unexported, as a request could embed what two
// requests share: encoding/json writes its exported fields as the outer
// struct's, so they are checked as the outer struct's.
type promoted struct {
	Name   string
	hidden string
}

func TestInvalidUTF8LooksIntoAnEmbeddedUnexportedStruct(t *testing.T) {
	t.Parallel()
	type request struct {
		promoted
		Count int
	}
	type byPointer struct {
		*promoted
	}
	body, err := json.Marshal(request{promoted: promoted{Name: "\xff"}})
	require.NoError(t, err)
	require.Equal(t, `{"Name":"\ufffd","Count":0}`, string(body), "encoding/json sends the field")
	path, bad := invalidUTF8(reflect.ValueOf(&request{promoted: promoted{Name: "\xff"}}))
	assert.True(t, bad)
	assert.Equal(t, "Name", path)
	path, bad = invalidUTF8(reflect.ValueOf(byPointer{&promoted{Name: "ok\xfe"}}))
	assert.True(t, bad)
	assert.Equal(t, "Name", path)
	_, bad = invalidUTF8(reflect.ValueOf(request{promoted: promoted{hidden: "\xff"}}))
	assert.False(t, bad, "an unexported field is not sent")
}
