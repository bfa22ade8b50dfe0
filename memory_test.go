package cdslb

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stalledAnswers is a RoundTripper whose answers declare a length and then
// send nothing until the test ends. reading counts the answers the client
// has started to read, which it does once it has allocated for them.
type stalledAnswers struct {
	declared int64
	reading  sync.WaitGroup
	quit     chan struct{}
}

func (s *stalledAnswers) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, ContentLength: s.declared, Header: http.Header{},
		Body: &stalledBody{s: s}, Request: req}, nil
}

type stalledBody struct {
	s    *stalledAnswers
	once sync.Once
}

func (b *stalledBody) Read([]byte) (int, error) {
	b.once.Do(b.s.reading.Done)
	<-b.s.quit
	return 0, io.ErrUnexpectedEOF
}

func (b *stalledBody) Close() error { return nil }

// TestStalledAnswersCostWhatArrived: 64 calls stalled on answers that
// declare 30 MiB and send nothing keep the heap far under 64 MiB, and so
// does one that declares 1 TiB under a limit that allows it: memory grows
// with the bytes received, not with the length promised.
func TestStalledAnswersCostWhatArrived(t *testing.T) {
	for _, tc := range []struct {
		name     string
		calls    int
		declared int64
		limit    int64
	}{
		{"64 × 30 MiB", 64, 30 << 20, DefaultMaxResponseBytes},
		{"1 TiB under a 2 TiB limit", 1, 1 << 40, 2 << 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stall := &stalledAnswers{declared: tc.declared, quit: make(chan struct{})}
			c, err := NewClient(testKeyID, testSecret, WithHTTPClient(&http.Client{Transport: stall}), WithMaxResponseBytes(tc.limit), WithRetry(NoRetry))
			require.NoError(t, err)

			var before, during runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			stall.reading.Add(tc.calls)
			var done sync.WaitGroup
			for range tc.calls {
				done.Go(func() { _, _ = c.DescribeZones(context.Background(), nil) })
			}
			stall.reading.Wait() // every call has allocated for its answer
			runtime.GC()
			runtime.ReadMemStats(&during)
			close(stall.quit)
			done.Wait()

			grew := int64(during.HeapAlloc) - int64(before.HeapAlloc)
			t.Logf("heap grew by %.1f MiB for %d stalled answers", float64(grew)/(1<<20), tc.calls)
			assert.Less(t, grew, int64(64<<20), "heap growth")
		})
	}
}

// allocated returns the bytes f allocates: an upper bound, measured
// without timing, on how far the live heap grows while f runs.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// inMemory is a client whose every answer is body, served from memory.
func inMemory(t testing.TB, body []byte, opts ...Option) *Client {
	c, err := NewClient(testKeyID, testSecret, append([]Option{WithRetry(NoRetry), WithHTTPClient(&http.Client{Transport: roundTripFunc(
		func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, ContentLength: int64(len(body)),
				Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
		})})}, opts...)...)
	require.NoError(t, err)
	return c
}

// everyList is every list the library reads, as the answer that holds it
// (a % where the list goes) and the action that reads it.
var everyList = []struct{ action, answer string }{
	{"DescribeLoadBalancers", `%`},
	{"DescribeLoadBalancers", `[{"InstanceUuid":"i","InstanceName":"n","RegionId":"r","Status":"RUNNING","Vips":%}]`},
	{"DescribeLoadBalancers", `[{"InstanceUuid":"i","InstanceName":"n","RegionId":"r","Status":"RUNNING","Tags":%}]`},
	{"DescribeCACertificates", `%`},
	{"DescribeZones", `%`},
	{"DescribeLBInstanceListeners", `%`},
	{"DescribeLBInstanceListeners", `[{"ListenerName":"l","BackendNames":%}]`},
	{"DescribeLoadBalancerStrategys", `{"HttpListeners":%,"TcpListeners":[]}`},
	{"DescribeLoadBalancerStrategys", `{"HttpListeners":[],"TcpListeners":%}`},
	{"DescribeLoadBalancerStrategys", `{"HttpListeners":[{"ListenerName":"l","BackendServer":%}]}`},
	{"DescribeLoadBalancerStrategys", `{"TcpListeners":[{"ListenerName":"l","AclWhiteList":%}]}`},
	{"DescribeLoadBalancerStrategys", `{"HttpListeners":[{"ListenerName":"l","CertificateIds":%}]}`},
	{"DescribeLBInstancePerformance", `{"DataPoints":%}`},
	{"DescribeLBInstancePerformance", `{"DataPoints":[{"MetricName":"m","Values":%}]}`},
	{"DescribeLBInstancePerformance", `{"DataPoints":[{"MetricName":"m","MonitorType":%}]}`},
	{"DescribeLoadBalancersSpec", `{"Products":%}`},
	{"DescribeLoadBalancersSpec", `{"Products":[{"Architectures":%}]}`},
	{"DescribeLoadBalancersSpec", `{"Products":[{"Architectures":[{"ComputeRoles":%}]}]}`},
	{"DescribeLoadBalancersSpec", `{"Products":[{"Architectures":[{"ComputeRoles":[{"Standards":{"CpuRam":%}}]}]}]}`},
	{"DescribeLoadBalancersSpec", `{"Products":[{"Architectures":[{"ComputeRoles":[{"Standards":{"AttachDisk":%}}]}]}]}`},
	{"DescribeLoadBalancersModifySpec", `{"CpuRam":%,"AttachDisk":[]}`},
	{"DescribeLoadBalancersModifySpec", `{"AttachDisk":%}`},
}

// filled is a Success whose answer holds, where its % is, a list of about
// size bytes of entry.
func filled(answer, entry string, size int) []byte {
	list := "[" + strings.Repeat(entry+",", size/(len(entry)+1)) + entry + "]"
	return []byte(`{"Code":"Success","Message":"Success.","Data":` + strings.Replace(answer, "%", list, 1) + `}`)
}

// TestListsOfTinyEntriesCostLittle: a 1 MiB list of tiny or wrong-typed
// entries, in every list the library reads, makes the call allocate at
// most 8 times the body when it is refused and 32 times when it is
// accepted (an entry of the wrong type where the field is only shown is
// left empty). Once, such answers held 60 to 540 times the body.
func TestListsOfTinyEntriesCostLittle(t *testing.T) {
	calls := map[string]actionCall{}
	for _, ac := range validCalls(t) {
		calls[ac.action] = ac
	}
	for _, l := range everyList {
		for _, entry := range []string{`0`, `null`, `[]`, `{}`} {
			body := filled(l.answer, entry, 1<<20)
			c := inMemory(t, body)
			var err error
			n := allocated(func() { _, err = calls[l.action].call(context.Background(), c) })
			limit, verdict := 32, "accepted"
			if err != nil {
				limit, verdict = 8, "refused"
			}
			t.Logf("%s %s of %s: %s, %.1f× the body", l.action, l.answer, entry, verdict, float64(n)/float64(len(body)))
			assert.LessOrEqual(t, n, uint64(limit*len(body)), "%s %s of %s (%s, %v)", l.action, l.answer, entry, verdict, err)
		}
	}
}

// TestDefaultClientOnALargeListOfZeros: the default client, given a 2 MiB
// DescribeLoadBalancers list of zeros, allocates at most 8 times the body
// (once 540 times).
func TestDefaultClientOnALargeListOfZeros(t *testing.T) {
	body := filled("%", "0", 2<<20)
	c := inMemory(t, body)
	var err error
	n := allocated(func() { _, err = c.DescribeLoadBalancers(context.Background(), nil) })
	require.ErrorIs(t, err, ErrMalformedAnswer)
	t.Logf("%.2f× the body", float64(n)/float64(len(body)))
	assert.LessOrEqual(t, n, uint64(8*len(body)))
}

// TestRealisticLargeListing: a 10,000-instance answer (about 7 MB) is read
// allocating at most 2.5 times its body, which bounds its peak.
func TestRealisticLargeListing(t *testing.T) {
	body := largeBody(t, 10000)
	c := inMemory(t, body)
	var resp *DescribeLoadBalancersResponse
	var err error
	n := allocated(func() { resp, err = c.DescribeLoadBalancers(context.Background(), nil) })
	require.NoError(t, err)
	require.Len(t, resp.LoadBalancers, 10000)
	t.Logf("%d bytes of body, %.2f× allocated", len(body), float64(n)/float64(len(body)))
	assert.LessOrEqual(t, float64(n), 2.5*float64(len(body)))
}
