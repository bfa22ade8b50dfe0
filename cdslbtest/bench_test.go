package cdslbtest_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/cdslbtest"
)

// BenchmarkDescribeLoopback is a waiter's poll through the library over
// loopback: served by the fake (10 load balancers), and by a canned
// handler that answers the bytes the fake answers and does nothing else.
// Run the pair in one process and repeat the run, for a ratio:
//
//	for i in $(seq 6); do go test -run '^$' -bench DescribeLoopback -benchmem -count 1 ./cdslbtest; done > loop.txt
//	benchstat -col /impl loop.txt
func BenchmarkDescribeLoopback(b *testing.B) {
	srv := cdslbtest.NewServer(b)
	var id string
	for range 10 {
		id = srv.AddLoadBalancer(cdslbtest.LoadBalancer{}).InstanceUUID
	}
	signer := &cdslb.Signer{AccessKeyID: srv.AccessKeyID(), AccessKeySecret: srv.AccessKeySecret()}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/lb/?"+signer.Sign(http.MethodGet, "DescribeLoadBalancers", url.Values{"InstanceUuid": {id}}), nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("%d %s", rec.Code, rec.Body)
	}
	req := &cdslb.DescribeLoadBalancersRequest{InstanceUUID: id}
	body := bytes.Clone(rec.Body.Bytes())
	canned := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}))
	b.Cleanup(canned.Close)

	for _, impl := range []struct{ name, url string }{{"canned", canned.URL}, {"fake", srv.URL}} {
		b.Run("impl="+impl.name, func(b *testing.B) {
			c := srv.Client(cdslb.WithEndpoint(impl.url), cdslb.WithRetry(cdslb.NoRetry))
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				resp, err := c.DescribeLoadBalancers(ctx, req)
				if err != nil || len(resp.LoadBalancers) != 1 {
					b.Fatal(resp, err)
				}
			}
		})
	}
}
