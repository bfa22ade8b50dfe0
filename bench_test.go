package cdslb

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"sort"
	"strings"
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

// BenchmarkHMACOnly is the floor: keying an HMAC-SHA1 and hashing a string
// to sign of the same length as BenchmarkSign's, then base64.
func BenchmarkHMACOnly(b *testing.B) {
	q := benchSigner().Sign("GET", "DescribeLoadBalancers", benchParams)
	toSign := []byte("GET&%2F&" + referenceEscape(q[:strings.LastIndex(q, "&Signature=")]))
	key := []byte("SecretKeyExample/+=")
	b.ReportAllocs()
	for b.Loop() {
		mac := hmac.New(sha1.New, key)
		mac.Write(toSign)
		_ = base64.StdEncoding.EncodeToString(mac.Sum(nil))
	}
}

// benchServer answers DescribeLoadBalancers with the document's example.
func benchServer(b *testing.B) *httptest.Server {
	body := []byte(fixture(b, "DescribeLoadBalancers"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// benchmarkConcurrency runs f with 1 and with 64 goroutines.
func benchmarkConcurrency(b *testing.B, f func(b *testing.B)) {
	for _, n := range []int{1, 64} {
		b.Run(fmt.Sprintf("goroutines=%d", n), func(b *testing.B) {
			b.SetParallelism(max(1, n/runtime.GOMAXPROCS(0)))
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					f(b)
				}
			})
		})
	}
}

func BenchmarkCall(b *testing.B) {
	srv := benchServer(b)
	c, err := NewClient("AKIDEXAMPLE123", "SecretKeyExample/+=", WithEndpoint(srv.URL))
	require.NoError(b, err)
	req := &DescribeLoadBalancersRequest{InstanceName: "负载均衡 测试", IP: "10.0.0.1", InstanceUUID: "5d74bb81-0473-464d-b15b-0ae418619248"}
	benchmarkConcurrency(b, func(b *testing.B) {
		resp, err := c.DescribeLoadBalancers(context.Background(), req)
		if err != nil || len(resp.LoadBalancers) != 1 {
			b.Fatal(resp, err)
		}
	})
}

// BenchmarkCallBaseline is the same request by hand: a pre-signed URL, a bare
// net/http GET, and json.Unmarshal into the same response types. Its client
// has the same transport settings as the library's default (timeouts,
// proxy from the environment, 64 connections kept), as a careful caller's
// would, so that the difference is the library's own work.
func BenchmarkCallBaseline(b *testing.B) {
	srv := benchServer(b)
	u := srv.URL + "/lb/?" + benchSigner().Sign("GET", "DescribeLoadBalancers", benchParams)
	hc := &http.Client{Transport: defaultTransport()}
	benchmarkConcurrency(b, func(b *testing.B) {
		resp, err := hc.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		var out struct {
			Code, Message, TaskID string
			Data                  []loadBalancerWire
		}
		if err != nil || json.Unmarshal(body, &out) != nil || len(out.Data) != 1 {
			b.Fatal(err)
		}
	})
}

// BenchmarkQueryEncoding is go-querystring's share of a GET call: encoding
// BenchmarkCall's request into its query parameters.
func BenchmarkQueryEncoding(b *testing.B) {
	req := &DescribeLoadBalancersRequest{InstanceName: "负载均衡 测试", IP: "10.0.0.1", InstanceUUID: "5d74bb81-0473-464d-b15b-0ae418619248"}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := describeLoadBalancers.wire(req, chinaStandardTime).encode(); err != nil {
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
		var data []loadBalancerWire
		env, ok := decodeEnvelope(body, &data)
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
