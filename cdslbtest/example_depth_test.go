package cdslbtest_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/cdslbtest"
)

// A test of code that creates a load balancer and waits for it in one
// call, with the library's default polling (a poll at once, at 30 s and
// 60 s, then every 12 s), through a visible CREATING state: with WithAutoAdvance, each
// pause of the waiter moves the server's clock instead of sleeping, so the
// test takes milliseconds and needs no goroutine to advance the clock.
func ExampleWithAutoAdvance() {
	test(func(t testing.TB) {
		clock := cdslbtest.NewClock(time.Date(2026, 3, 10, 6, 0, 0, 0, time.UTC))
		srv := cdslbtest.NewServer(t, cdslbtest.WithBusyFor(90*time.Second), cdslbtest.WithAutoAdvance(clock))
		start := clock.Now()

		var seen []string // the statuses the code under test polled
		c := srv.Client()
		ctx := context.Background()
		created, err := c.CreateLoadBalancer(ctx, &cdslb.CreateLoadBalancerRequest{
			RegionID: "CN_Hongkong_A", VdcID: "vdc-1", BasePipeID: "pipe-1", InstanceName: "web", PaasGoodsID: 5075,
			IPs: []cdslb.CreateLoadBalancerIP{{PipeType: cdslb.PipeTypePrivate, PipeID: "pipe-1"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.WaitUntil(ctx, created.InstanceUUIDs[0], func(lb *cdslb.LoadBalancer) (bool, error) {
			seen = append(seen, lb.Status)
			return lb.Status == cdslb.StatusRunning, nil
		})
		fmt.Println(err, seen, clock.Now().Sub(start))
	})
	// Output: <nil> [CREATING CREATING CREATING CREATING CREATING RUNNING] 1m36s
}

// A test that asserts what the code wrote: the journal keeps every
// authenticated request with its decoded parameters or body and its
// answer's code, and Writes lists the requests that change state.
func ExampleServer_Calls() {
	test(func(t testing.TB) {
		srv := cdslbtest.NewServer(t)
		lb := srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "web"}) // not a request
		c := srv.Client()
		ctx := context.Background()
		_, _ = c.DescribeLoadBalancers(ctx, &cdslb.DescribeLoadBalancersRequest{InstanceName: "web"})
		_, _ = c.ModifyLoadBalancerName(ctx, &cdslb.ModifyLoadBalancerNameRequest{InstanceUUID: lb.InstanceUUID, InstanceName: "www"})
		_, _ = c.DeleteLoadBalancer(ctx, &cdslb.DeleteLoadBalancerRequest{InstanceUUID: "no-such-id"})

		read := srv.Calls("DescribeLoadBalancers")[0]
		fmt.Println(read.Method, read.Params.Get("InstanceName"), read.Code)
		for _, w := range srv.Writes() {
			var body struct{ InstanceUuid, InstanceName string }
			if err := w.Decode(&body); err != nil {
				t.Fatal(err)
			}
			fmt.Println(w.Action, body.InstanceName, w.Status, w.Code)
		}
	})
	// Output:
	// GET web Success
	// ModifyLoadBalancerName www 200 Success
	// DeleteLoadBalancer  404 ResourceNotFound
}

// A test of code facing drift: a load balancer changed behind its back,
// by the vendor's console or another program. None of the drift methods
// is a request.
func ExampleServer_SetStatus() {
	test(func(t testing.TB) {
		srv := cdslbtest.NewServer(t)
		c := srv.Client()
		ctx := context.Background()
		broken := srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "broken"})
		gone := srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "gone"})
		edited := srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "edited"})

		srv.SetStatus(broken.InstanceUUID, "ERROR")
		srv.RemoveLoadBalancer(gone.InstanceUUID)
		srv.SetListeners(edited.InstanceUUID, nil, []cdslb.TCPListener{{ListenerName: "db", ListenerPort: 5432,
			Scheduler: cdslb.SchedulerRoundRobin, ConnectTimeout: time.Second, ClientTimeout: time.Minute, ServerTimeout: time.Minute}})
		fmt.Println(srv.Requests("*"), "requests")

		_, err := c.WaitUntilRunning(ctx, broken.InstanceUUID)
		fmt.Println(errors.Is(err, cdslb.ErrWaitFailed))
		fmt.Println(c.WaitUntilDeleted(ctx, gone.InstanceUUID))
		_, tcp := srv.Listeners(edited.InstanceUUID)
		fmt.Println(tcp[0].ListenerName, tcp[0].ListenerPort)
	})
	// Output:
	// 0 requests
	// true
	// <nil>
	// db 5432
}

// A test of a retry path, made deterministic: the next two reads of the
// zones fail with 503, then the server behaves. The kit's client retries
// reads three times in all, so the call succeeds on its third attempt.
func ExampleServer_FailNext() {
	test(func(t testing.TB) {
		srv := cdslbtest.NewServer(t)
		if err := srv.FailNext("DescribeZones", 2, cdslbtest.Fault{Status: 503}); err != nil {
			t.Fatal(err)
		}
		_, err := srv.Client().DescribeZones(context.Background(), nil)
		fmt.Println(err, srv.Requests("DescribeZones"))
		for _, call := range srv.Calls("DescribeZones") {
			fmt.Print(call.Status, " ")
		}
		fmt.Println()
	})
	// Output:
	// <nil> 3
	// 503 503 200
}

// A test of the handling of a malformed answer: the create runs, and its
// answer leaves out the new load balancer's id, so the caller cannot know
// what it created. The kit's client refuses the answer.
func ExampleFault_malformed() {
	test(func(t testing.TB) {
		srv := cdslbtest.NewServer(t)
		err := srv.FailNext("CreateLoadBalancer", 1, cdslbtest.Fault{Malformed: cdslbtest.MalformedMissingIDs})
		if err != nil {
			t.Fatal(err)
		}
		_, err = provision(context.Background(), srv.Client(), "web")
		fmt.Println(errors.Is(err, cdslb.ErrMalformedAnswer), len(srv.LoadBalancers()))
	})
	// Output: true 1
}

// A certificate for a command-line program or a test, without a server.
func ExampleSelfSigned() {
	certPEM, keyPEM, err := cdslbtest.SelfSigned("www.example.com")
	if err != nil {
		panic(err)
	}
	pair, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	fmt.Println(err, pair.Leaf.DNSNames)
	_, _, err = cdslbtest.SelfSigned("")
	fmt.Println(err)
	// Output:
	// <nil> [www.example.com]
	// cdslbtest: SelfSigned: want a domain such as www.example.com, not ""
}

// A test that ends while a call waits in a long injected latency: closing
// the server, as its t.Cleanup does, ends the latency at once, and the
// call fails instead of holding the test.
func ExampleServer_Close() {
	test(func(t testing.TB) {
		srv := cdslbtest.NewServer(t)
		if err := srv.SetFault("DescribeZones", cdslbtest.Fault{Latency: time.Hour}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		go func() {
			for srv.Requests("DescribeZones") == 0 { // until the call waits in the latency
				time.Sleep(time.Millisecond)
			}
			srv.Close()
		}()
		start := time.Now()
		_, err := srv.Client(cdslb.WithRetry(cdslb.NoRetry)).DescribeZones(ctx, nil)
		fmt.Println(err != nil, time.Since(start) < 3*time.Second)
	})
	// Output: true true
}

// Printing a server, with any verb or through slog, shows its URL and
// access key id, never its secret.
func ExampleServer_String() {
	test(func(t testing.TB) {
		srv := cdslbtest.NewServer(t)
		s := fmt.Sprintf("%v %+v %#v %s", srv, srv, *srv, srv)
		fmt.Println(len(srv.AccessKeySecret()) > 0, !strings.Contains(s, srv.AccessKeySecret()), strings.Contains(s, "AccessKeySecret: REDACTED}"))
	})
	// Output: true true true
}
