package cdslb

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The benchmarks compare the library with what a careful caller would write
// by hand, so each pair is measured in one run: `make bench` reports them
// side by side. Baselines are checked to give the same results first.

var benchParams = url.Values{
	"InstanceName": {"负载均衡 测试"},
	"IP":           {"10.0.0.1"},
	"InstanceUuid": {"5d74bb81-0473-464d-b15b-0ae418619248"},
}

const (
	benchTimestamp = "2026-11-27T08:30:00Z"
	benchNonce     = "3a6c5c9e-8a2b-11ee-b9d1-0242ac120002"
)

func benchSigner() *Signer {
	return fixedSigner("AKIDEXAMPLE123", "SecretKeyExample/+=", benchTimestamp, benchNonce)
}

// baselineSign signs the way the vendor's older Go SDK does: every common
// parameter in a map, keys sorted, the string built by concatenation, each
// value escaped with url.QueryEscape and three replacements, and a new HMAC.
func baselineSign(method, action, id, secret, timestamp, nonce string, params url.Values) string {
	all := map[string]string{
		"Action": action, "AccessKeyId": id, "SignatureMethod": "HMAC-SHA1", "SignatureNonce": nonce,
		"SignatureVersion": "1.0", "Timestamp": timestamp, "Version": "2019-08-08",
	}
	for k, v := range params {
		all[k] = v[0]
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	canonical := ""
	for i, k := range keys {
		if i > 0 {
			canonical += "&"
		}
		canonical += baselineEscape(k) + "=" + baselineEscape(all[k])
	}
	stringToSign := method + "&" + baselineEscape("/") + "&" + baselineEscape(canonical)
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(stringToSign))
	signature := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return canonical + "&Signature=" + baselineEscape(signature)
}

func baselineEscape(s string) string {
	s = url.QueryEscape(s)
	s = strings.ReplaceAll(s, "+", "%20")
	s = strings.ReplaceAll(s, "*", "%2A")
	return strings.ReplaceAll(s, "%7E", "~")
}

func TestBaselineSignAgrees(t *testing.T) {
	t.Parallel()
	want := baselineSign("GET", "DescribeLoadBalancers", "AKIDEXAMPLE123", "SecretKeyExample/+=", benchTimestamp, benchNonce, benchParams)
	require.Equal(t, want, benchSigner().Sign("GET", "DescribeLoadBalancers", benchParams))
	for _, v := range loadSignatureVectors(t) {
		params := url.Values(v.Params)
		repeated := false
		for _, vs := range params {
			repeated = repeated || len(vs) > 1
		}
		if repeated {
			continue // the baseline signs one value per name
		}
		got := baselineSign(v.Method, v.Action, v.AccessKeyID, v.AccessKeySecret, v.Timestamp, v.Nonce, params)
		require.Equal(t, v.CanonicalQuery+"&Signature="+url.QueryEscape(v.Signature), got, v.Name)
	}
}

func BenchmarkSign(b *testing.B) {
	s := benchSigner()
	b.ReportAllocs()
	for b.Loop() {
		s.Sign("GET", "DescribeLoadBalancers", benchParams)
	}
}

func BenchmarkSignBaseline(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		baselineSign("GET", "DescribeLoadBalancers", "AKIDEXAMPLE123", "SecretKeyExample/+=", benchTimestamp, benchNonce, benchParams)
	}
}

// BenchmarkHMACFloor is the floor of signing: an HMAC-SHA1 keyed once and
// Reset per signature, as Sign's is, over a string to sign of the same
// length as BenchmarkSign's, then base64.
func BenchmarkHMACFloor(b *testing.B) {
	q := benchSigner().Sign("GET", "DescribeLoadBalancers", benchParams)
	toSign := []byte("GET&%2F&" + referenceEscape(q[:strings.LastIndex(q, "&Signature=")]))
	mac := hmac.New(sha1.New, []byte("SecretKeyExample/+="))
	var sum [sha1.Size]byte
	var sig [28]byte
	b.ReportAllocs()
	for b.Loop() {
		mac.Reset()
		mac.Write(toSign)
		base64.StdEncoding.Encode(sig[:], mac.Sum(sum[:0]))
		_ = string(sig[:])
	}
}

// The call benchmarks talk over loopback to a server in another process
// (this test binary, run as TestBenchServer), so that the allocations they
// report are the client's alone: the library's and net/http's.

// benchServer starts the server process and returns its URL.
func benchServer(b *testing.B) string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchServer$")
	cmd.Env = append(os.Environ(), "CDSLB_BENCH_SERVER=1")
	stdin, err := cmd.StdinPipe()
	require.NoError(b, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(b, err)
	require.NoError(b, cmd.Start())
	b.Cleanup(func() { _ = stdin.Close(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(b, err)
	return strings.TrimSpace(line)
}

// TestBenchServer is the call benchmarks' server when run by benchServer:
// it answers DescribeLoadBalancers with the document's example, prints its
// URL, and stops when its standard input closes. Otherwise it does nothing.
func TestBenchServer(t *testing.T) {
	if os.Getenv("CDSLB_BENCH_SERVER") != "1" {
		t.Skip("run by the call benchmarks")
	}
	body := []byte(fixture(t, "DescribeLoadBalancers"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	fmt.Println(srv.URL)
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// benchmarkConcurrency runs f with 1 and with 64 goroutines; setup makes
// each goroutine's state, and dials, when not nil, counts the connections
// opened after closeIdle, reported as conns.
func benchmarkConcurrency[S any](b *testing.B, dials *atomic.Int64, closeIdle func(), setup func() S, f func(b *testing.B, s S)) {
	for _, n := range []int{1, 64} {
		b.Run(fmt.Sprintf("goroutines=%d", n), func(b *testing.B) {
			b.SetParallelism(max(1, n/runtime.GOMAXPROCS(0)))
			b.ReportAllocs()
			if dials != nil {
				closeIdle() // so that the count starts from no connection
				dials.Store(0)
			}
			b.RunParallel(func(pb *testing.PB) {
				s := setup()
				for pb.Next() {
					f(b, s)
				}
			})
			if dials != nil {
				b.ReportMetric(float64(dials.Load()), "conns")
			}
		})
	}
}

var benchRequest = &DescribeLoadBalancersRequest{InstanceName: "负载均衡 测试", IP: "10.0.0.1", InstanceUUID: "5d74bb81-0473-464d-b15b-0ae418619248"}

func BenchmarkCall(b *testing.B) {
	c, err := NewClient("AKIDEXAMPLE123", "SecretKeyExample/+=", WithEndpoint(benchServer(b)))
	require.NoError(b, err)
	// The connections opened, which Go's default transport would open for
	// nearly every call from 64 goroutines; the library keeps at most 64.
	var dials atomic.Int64
	dial := c.transport.DialContext
	c.transport.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return dial(ctx, network, addr)
	}
	benchmarkConcurrency(b, &dials, c.CloseIdleConnections, func() struct{} { return struct{}{} }, func(b *testing.B, _ struct{}) {
		resp, err := c.DescribeLoadBalancers(context.Background(), benchRequest)
		if err != nil || len(resp.LoadBalancers) != 1 {
			b.Fatal(resp, err)
		}
	})
}

// baselineCall is a careful caller's call by hand: a request sent with
// RoundTrip on a transport with the library's settings, its answer read
// into a pooled buffer sized from Content-Length, and decoded as the
// library decodes it.
func baselineCall(b *testing.B, t *http.Transport, u *url.URL) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.URL, req.Host = u, u.Host
	resp, err := t.RoundTrip(req)
	if err != nil {
		b.Fatal(err)
	}
	buf := baselinePool.Get().(*bytes.Buffer)
	buf.Reset()
	buf.Grow(int(resp.ContentLength) + bytes.MinRead)
	_, err = buf.ReadFrom(resp.Body)
	_ = resp.Body.Close()
	var data loadBalancerList
	env, ok := decodeBody(buf.Bytes(), &data)
	baselinePool.Put(buf)
	out, aerr := describeLoadBalancers.answer(benchRequest, &data, chinaStandardTime)
	if err != nil || !ok || env.Code != "Success" || aerr != nil || len(out.LoadBalancers) != 1 {
		b.Fatal(err, aerr)
	}
}

var baselinePool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// BenchmarkCallBaseline is baselineCall with a URL signed once: the cost
// of the call without signing or encoding.
func BenchmarkCallBaseline(b *testing.B) {
	u, err := url.Parse(benchServer(b) + "/lb/?" + benchSigner().Sign("GET", "DescribeLoadBalancers", benchParams))
	require.NoError(b, err)
	t := defaultTransport()
	benchmarkConcurrency(b, nil, nil, func() struct{} { return struct{}{} }, func(b *testing.B, _ struct{}) {
		u := *u
		baselineCall(b, t, &u)
	})
}

// BenchmarkCallBaselineSigned is baselineCall signed afresh each time, as
// a careful hand-written client would: its parameters written out in
// sorted order, a fresh timestamp and nonce, and an HMAC keyed once per
// goroutine.
func BenchmarkCallBaselineSigned(b *testing.B) {
	base, err := url.Parse(benchServer(b) + "/lb/")
	require.NoError(b, err)
	t := defaultTransport()
	type state struct {
		mac      hash.Hash
		q, toSig []byte
	}
	setup := func() *state {
		return &state{mac: hmac.New(sha1.New, []byte("SecretKeyExample/+=")), q: make([]byte, 0, 512), toSig: make([]byte, 0, 1024)}
	}
	benchmarkConcurrency(b, nil, nil, setup, func(b *testing.B, s *state) {
		r := benchRequest
		var nonce [16]byte
		_, _ = crand.Read(nonce[:])
		q := append(s.q[:0], "AccessKeyId=AKIDEXAMPLE123&Action=DescribeLoadBalancers&IP="...)
		q = appendEscaped(q, r.IP)
		q = appendEscaped(append(q, "&InstanceName="...), r.InstanceName)
		q = appendEscaped(append(q, "&InstanceUuid="...), r.InstanceUUID)
		q = hex.AppendEncode(append(q, "&SignatureMethod=HMAC-SHA1&SignatureNonce="...), nonce[:])
		q = append(q, "&SignatureVersion=1.0&Timestamp="...)
		q = appendEscaped(q, time.Now().UTC().AppendFormat(s.toSig[:0], "2006-01-02T15:04:05Z"))
		q = append(q, "&Version=2019-08-08"...)
		s.toSig = appendEscaped(append(s.toSig[:0], "GET&%2F&"...), q)
		s.mac.Reset()
		s.mac.Write(s.toSig)
		var sum [sha1.Size]byte
		var sig [28]byte
		base64.StdEncoding.Encode(sig[:], s.mac.Sum(sum[:0]))
		q = appendEscaped(append(q, "&Signature="...), sig[:])
		s.q = q
		u := *base
		u.RawQuery = string(q)
		baselineCall(b, t, &u)
	})
}

// BenchmarkQueryEncoding is go-querystring's share of a GET call: encoding
// BenchmarkCall's request into its query parameters.
func BenchmarkQueryEncoding(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := describeLoadBalancers.wire(benchRequest, chinaStandardTime).encode(); err != nil {
			b.Fatal(err)
		}
	}
}

// largeBody is a DescribeLoadBalancers answer with n instances, each the
// document's example with its own id.
func largeBody(tb testing.TB, n int) []byte {
	var doc struct{ Data []map[string]any }
	require.NoError(tb, json.Unmarshal([]byte(fixture(tb, "DescribeLoadBalancers")), &doc))
	item := doc.Data[0]
	items := make([]map[string]any, n)
	for i := range items {
		m := make(map[string]any, len(item))
		for k, v := range item {
			m[k] = v
		}
		m["InstanceUuid"] = fmt.Sprintf("5d74bb81-0473-464d-b15b-%012d", i)
		m["CreatedTime"] = time.Date(2020, 5, 5, 0, 0, i%60, 0, time.UTC).Format("2006-01-02 15:04:05")
		items[i] = m
	}
	body, err := json.Marshal(map[string]any{"Code": "Success", "Message": "Success.", "Data": items})
	require.NoError(tb, err)
	return body
}

// BenchmarkDecodeLarge decodes a 10,000-instance answer through the
// library's decoder; BenchmarkDecodeLargePlain decodes the same body into
// plain structs with the wire's exact types, the cost without tolerance.
func BenchmarkDecodeLarge(b *testing.B) {
	benchmarkDecode(b, func(body []byte) bool {
		var data loadBalancerList
		env, ok := decodeBody(body, &data)
		out, err := describeLoadBalancers.answer(nil, &data, chinaStandardTime)
		return ok && err == nil && env.Code == "Success" && len(out.LoadBalancers) == 10000
	})
}

// benchmarkDecode times decode on a 10,000-instance body and reports, besides
// time and allocations, the bytes allocated per byte of body: a bound on how
// much one decode adds to the heap at its peak.
func benchmarkDecode(b *testing.B, decode func(body []byte) bool) {
	body := largeBody(b, 10000)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		if !decode(body) {
			b.Fatal("decoding failed")
		}
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(len(body)), "alloc/body")
}

// plainLoadBalancer is a DescribeLoadBalancers item with the wire's exact types.
type plainLoadBalancer struct {
	CloneServices   any
	Cpu             int
	CreatedTime     string
	DisplayName     string
	IP              string
	InstanceName    string
	InstanceUuid    string
	LinkType        string
	LinkTypeStr     string
	MasterInfo      any
	Port            int
	ProjectName     string
	Ram             int
	RegionId        string
	RelationService any
	ResourceId      string
	RoGroups        any
	Status          string
	StatusStr       string
	SubProductName  string
	VdcId           string
	VdcName         string
	Version         string
	Vips            []struct{ IP, Type string }
}

func BenchmarkDecodeLargePlain(b *testing.B) {
	benchmarkDecode(b, func(body []byte) bool {
		var out struct {
			Code, Message, TaskId string
			Data                  []plainLoadBalancer
		}
		return json.Unmarshal(body, &out) == nil && len(out.Data) == 10000
	})
}

// BenchmarkLargeAnswer makes a whole DescribeLoadBalancers call whose
// answer has 10,000 instances, over an in-memory transport, with the
// answer's length declared or not, and reports besides the time the peak
// of the live heap during the call per byte of body (peak/body). The peak
// is sampled in the background with the collector made eager
// (GOGC=1), so the heap's objects are about the live ones.
func BenchmarkLargeAnswer(b *testing.B) {
	body := largeBody(b, 10000)
	for _, known := range []bool{true, false} {
		b.Run(fmt.Sprintf("length=%s", map[bool]string{true: "known", false: "unknown"}[known]), func(b *testing.B) {
			c, err := NewClient("AKIDEXAMPLE123", "SecretKeyExample/+=", WithHTTPClient(&http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
				n := int64(-1)
				if known {
					n = int64(len(body))
				}
				return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, ContentLength: n, Body: io.NopCloser(bytes.NewReader(body))}, nil
			})}))
			require.NoError(b, err)
			call := func() {
				resp, err := c.DescribeLoadBalancers(context.Background(), &DescribeLoadBalancersRequest{})
				if err != nil || len(resp.LoadBalancers) != 10000 {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				call()
			}
			b.StopTimer()
			b.ReportMetric(float64(peakLiveHeap(call))/float64(len(body)), "peak/body")
		})
	}
}

// peakLiveHeap returns how far the heap's objects grow above their size
// before f, sampled while f runs with the collector made eager.
func peakLiveHeap(f func()) uint64 {
	defer debug.SetGCPercent(debug.SetGCPercent(1))
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	runtime.GC()
	base := read()
	var peak atomic.Uint64
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			default:
				runtime.Gosched()
			}
		}
	}()
	f()
	close(done)
	<-stopped
	return peak.Load() - base
}
