// Package demo holds what the example programs share: a client for the
// real API or, without credentials, for the built-in fake service started
// in process; a self-signed certificate; and a terminal sparkline.
package demo

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/cdslbtest"
	"github.com/cdsgo/cdslb/internal/fakelb"
)

var (
	live   = flag.Bool("live", false, "use the real API with CDS_SECRET_ID and CDS_SECRET_KEY (creates billed resources)")
	region = flag.String("region", "CN_Hongkong_A", "the site to create load balancers in")
	vdc    = flag.String("vdc-id", "demo-vdc", "the virtual data center (with -live)")
	pipe   = flag.String("pipe-id", "demo-private-pipe", "the VDC's private network (with -live)")
)

// Session is what an example works with: a client, a wait option that
// polls at a pace suited to the service, and where to create instances.
type Session struct {
	Client              *cdslb.Client
	Poll                cdslb.WaitOption
	Region, VdcID, Pipe string
	cleanups            []func(context.Context)
}

// Main parses the flags, runs an example and exits non-zero if it fails.
func Main(program string, run func(context.Context, *Session) error) {
	flag.Parse()
	if err := Run(program, run); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", program, err)
		os.Exit(1)
	}
}

// Run runs an example in a new session: against the real API when -live is
// given, and otherwise against the fake service, started here on loopback,
// saying which. Instances the example made with Session.Instance are
// deleted when it ends.
func Run(program string, run func(context.Context, *Session) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	s := &Session{Region: *region, VdcID: *vdc, Pipe: *pipe}
	ua := cdslb.WithUserAgent("cdslb-example-" + program)
	var err error
	if *live {
		s.Client, err = cdslb.NewClientFromEnv(ua)
		s.Poll = cdslb.WithPollInterval(5*time.Second, 30*time.Second)
	} else {
		id, key := fakelb.NewKeyPair()
		srv := httptest.NewServer(fakelb.New(fakelb.Config{AccessKeyID: id, AccessKeySecret: key, Delay: 300 * time.Millisecond}))
		defer srv.Close()
		fmt.Printf("No -live: running against the built-in fake service at %s (no account needed).\n", srv.URL)
		s.Client, err = cdslb.NewClient(id, key, cdslb.WithEndpoint(srv.URL), ua)
		s.Poll = cdslb.WithPollInterval(50*time.Millisecond, 200*time.Millisecond)
	}
	if err != nil {
		return err
	}
	defer func() {
		for _, f := range s.cleanups {
			f(context.WithoutCancel(ctx))
		}
	}()
	return run(ctx, s)
}

// Instance creates a 2 CPU / 4 GB load balancer, waits until it runs, and
// returns its id; it is deleted when the example ends.
func (s *Session) Instance(ctx context.Context) (string, error) {
	c := s.Client
	spec, err := c.DescribeLoadBalancersSpec(ctx, &cdslb.DescribeLoadBalancersSpecRequest{RegionID: s.Region})
	if err != nil {
		return "", err
	}
	goodsID, ok := spec.PaasGoodsID(2, 4)
	if !ok {
		return "", fmt.Errorf("%s offers no 2 CPU / 4 GB size", s.Region)
	}
	created, err := c.CreateLoadBalancer(ctx, &cdslb.CreateLoadBalancerRequest{
		RegionID: s.Region, VdcID: s.VdcID, BasePipeID: s.Pipe, InstanceName: "cdslb-example", PaasGoodsID: goodsID,
		IPs: []cdslb.CreateLoadBalancerIP{{PipeType: cdslb.PipeTypePrivate, PipeID: s.Pipe}},
	})
	if err != nil {
		return "", err
	}
	if len(created.InstanceUUIDs) == 0 { // a success should name what it created; never index blindly
		return "", fmt.Errorf("CreateLoadBalancer answered no instance id (task %s)", created.TaskID)
	}
	id := created.InstanceUUIDs[0]
	s.cleanups = append(s.cleanups, func(ctx context.Context) {
		_, err := c.WaitUntilRunning(ctx, id, s.Poll)
		if err == nil {
			_, err = c.DeleteLoadBalancer(ctx, &cdslb.DeleteLoadBalancerRequest{InstanceUUID: id})
		}
		if err != nil {
			fmt.Println("could not delete", id+":", err)
		}
	})
	_, err = c.WaitUntilRunning(ctx, id, s.Poll)
	return id, err
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
// a year, with the test kit's generator, which needs no server.
func SelfSigned(domain string) (certPEM, keyPEM string, err error) {
	return cdslbtest.SelfSigned(domain)
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
