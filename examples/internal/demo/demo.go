// Package demo holds what the example programs share: a client for the
// real API or, without credentials, for the built-in fake service started
// in process; a self-signed certificate; and a terminal sparkline.
package demo

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/internal/fakelb"
)

var live = flag.Bool("live", false, "use the real API with CDS_SECRET_ID and CDS_SECRET_KEY (creates billed resources)")

// Client returns a client for the real API when -live is given, and
// otherwise one for the fake service, started here on loopback; it says
// which. The wait option polls at a pace that suits the service chosen.
// Call flag.Parse first.
func Client(program string) (*cdslb.Client, cdslb.WaitOption, error) {
	ua := cdslb.WithUserAgent("cdslb-example-" + program)
	if *live {
		c, err := cdslb.NewClientFromEnv(ua)
		return c, cdslb.WithPollInterval(5*time.Second, 30*time.Second), err
	}
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	id, key := "AKIDEXAMPLEDEMO", hex.EncodeToString(secret)
	srv := httptest.NewServer(fakelb.New(fakelb.Config{AccessKeyID: id, AccessKeySecret: key, Delay: 300 * time.Millisecond}))
	fmt.Printf("No -live: running against the built-in fake service at %s (no account needed).\n", srv.URL)
	c, err := cdslb.NewClient(id, key, cdslb.WithEndpoint(srv.URL), ua)
	return c, cdslb.WithPollInterval(50*time.Millisecond, 200*time.Millisecond), err
}

// Stepper returns a function that prints one line per step, with the time
// the step took.
func Stepper() func(format string, args ...any) {
	last := time.Now()
	return func(format string, args ...any) {
		now := time.Now()
		fmt.Printf("%7.3fs  %s\n", now.Sub(last).Seconds(), fmt.Sprintf(format, args...))
		last = now
	}
}

// SelfSigned makes a PEM certificate and PKCS #8 key for domain, valid for
// 90 days.
func SelfSigned(domain string) (certPEM, keyPEM string, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: domain, Organization: []string{"cdslb example"}},
		DNSNames:     []string{domain},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(90 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", "", err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})), nil
}

// Sparkline draws the last width samples as a line of block characters,
// with their range.
func Sparkline(samples []cdslb.Sample, width int) string {
	if len(samples) > width {
		samples = samples[len(samples)-width:]
	}
	if len(samples) == 0 {
		return "(no samples)"
	}
	lo, hi := samples[0].Value, samples[0].Value
	for _, s := range samples {
		lo, hi = min(lo, s.Value), max(hi, s.Value)
	}
	bars := []rune("▁▂▃▄▅▆▇█")
	var b strings.Builder
	for _, s := range samples {
		i := 0
		if hi > lo {
			i = int((s.Value - lo) / (hi - lo) * float64(len(bars)-1))
		}
		b.WriteRune(bars[i])
	}
	return fmt.Sprintf("%s %.2f-%.2f", b.String(), lo, hi)
}

// Instance creates a 2 CPU / 4 GB load balancer in region for an example,
// waits until it runs, and returns its id with a function that deletes it.
// With -live, vdc and pipe must name a real VDC and its private network.
func Instance(ctx context.Context, c *cdslb.Client, poll cdslb.WaitOption, region, vdc, pipe string) (string, func(), error) {
	spec, err := c.DescribeLoadBalancersSpec(ctx, &cdslb.DescribeLoadBalancersSpecRequest{RegionID: region})
	if err != nil {
		return "", nil, err
	}
	goodsID, ok := spec.PaasGoodsID(2, 4)
	if !ok {
		return "", nil, fmt.Errorf("%s offers no 2 CPU / 4 GB size", region)
	}
	created, err := c.CreateLoadBalancer(ctx, &cdslb.CreateLoadBalancerRequest{
		RegionID: region, VdcID: vdc, BasePipeID: pipe, InstanceName: "cdslb-example", PaasGoodsID: goodsID,
		IPs: []cdslb.CreateLoadBalancerIP{{PipeType: cdslb.PipeTypePrivate, PipeID: pipe}},
	})
	if err != nil {
		return "", nil, err
	}
	id := created.InstanceUUIDs[0]
	cleanup := func() {
		if _, err := c.DeleteLoadBalancer(context.WithoutCancel(ctx), &cdslb.DeleteLoadBalancerRequest{InstanceUUID: id}); err != nil {
			fmt.Println("could not delete", id+":", err)
		}
	}
	if _, err := c.WaitUntilRunning(ctx, id, poll); err != nil {
		cleanup()
		return "", nil, err
	}
	return id, cleanup, nil
}

// InstanceFlags registers the flags Instance needs and returns them.
func InstanceFlags() (region, vdc, pipe *string) {
	return flag.String("region", "CN_Hongkong_A", "the site to create the load balancer in"),
		flag.String("vdc-id", "demo-vdc", "the virtual data center (with -live)"),
		flag.String("pipe-id", "demo-private-pipe", "the VDC's private network (with -live)")
}
