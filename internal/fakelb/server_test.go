package fakelb

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testKeyID  = "AKIDTEST"
	testSecret = "test-secret/+="
)

// t0 is the start of every test clock: 2026-03-10 14:00:00 CST.
var t0 = time.Date(2026, 3, 10, 6, 0, 0, 0, time.UTC)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a fake behind a loopback httptest server, with a test clock.
type env struct {
	t     *testing.T
	srv   *Server
	ts    *httptest.Server
	clock *clock
}

var nonceSeq atomic.Int64

func newEnv(t *testing.T, delay time.Duration) *env {
	t.Helper()
	c := &clock{t: t0}
	srv := New(Config{AccessKeyID: testKeyID, AccessKeySecret: testSecret, Delay: delay, Now: c.Now, Seed: 1})
	return &env{t: t, srv: srv, ts: newTestServer(t, srv), clock: c}
}

func newTestServer(t *testing.T, h http.Handler) *httptest.Server {
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

// signQuery is the test's own signer: the common parameters plus params,
// signed with the rules of signing.md (url.QueryEscape, then the three
// RFC 3986 fix-ups).
func signQuery(method, action, keyID, secret string, ts time.Time, nonce string, params map[string]string) string {
	q := url.Values{}
	for k, v := range params {
		q.Set(k, v)
	}
	q.Set("Action", action)
	q.Set("AccessKeyId", keyID)
	q.Set("SignatureMethod", "HMAC-SHA1")
	q.Set("SignatureVersion", "1.0")
	q.Set("SignatureNonce", nonce)
	q.Set("Timestamp", ts.UTC().Format("2006-01-02T15:04:05Z"))
	q.Set("Version", "2019-08-08")
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	enc := func(s string) string {
		s = url.QueryEscape(s)
		return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(s)
	}
	var parts []string
	for _, k := range keys {
		parts = append(parts, enc(k)+"="+enc(q.Get(k)))
	}
	canonical := strings.Join(parts, "&")
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(method + "&%2F&" + enc(canonical)))
	return canonical + "&Signature=" + enc(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}

func nextNonce() string { return fmt.Sprintf("nonce-%d", nonceSeq.Add(1)) }

// result is a decoded answer.
type result struct {
	status int
	header http.Header
	raw    []byte
	Code   string
	Msg    string          `json:"Message"`
	Data   json.RawMessage `json:"Data"`
	TaskID *string         `json:"TaskId"`
}

// send sends a request with an explicit path and query and decodes it.
func (e *env) send(method, path, query string, body []byte) result {
	e.t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path+"?"+query, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return e.do(req)
}

// do sends a request and decodes the JSON answer.
func (e *env) do(req *http.Request) result {
	e.t.Helper()
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	res := result{status: resp.StatusCode, header: resp.Header, raw: raw}
	if err := json.Unmarshal(raw, &res); err != nil {
		e.t.Fatalf("answer is not JSON: %v: %s", err, raw)
	}
	return res
}

// newRequest signs an action for its own path and method: GET params in
// the query, anything else as a JSON body.
func (e *env) newRequest(action string, params any) *http.Request {
	e.t.Helper()
	return signedRequest(e.t, e.ts.URL, e.clock.Now(), action, params)
}

// signedRequest signs an action at time at for its own path and method
// under base, a URL with no path: GET params (a map[string]string) in the
// query, anything else as a JSON body.
func signedRequest(tb testing.TB, base string, at time.Time, action string, params any) *http.Request {
	tb.Helper()
	rt, ok := routes[action]
	if !ok {
		tb.Fatalf("no route for %s", action)
	}
	path := "/lb/"
	if rt.path == pathMonitor {
		path = "/paas/monitor/"
	}
	var query map[string]string
	var body []byte
	if rt.method == http.MethodGet {
		query, _ = params.(map[string]string)
	} else {
		var err error
		if body, err = json.Marshal(params); err != nil {
			tb.Fatal(err)
		}
	}
	q := signQuery(rt.method, action, testKeyID, testSecret, at, nextNonce(), query)
	req, err := http.NewRequest(rt.method, base+path+"?"+q, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// call signs and sends an action and decodes the answer.
func (e *env) call(action string, params any) result {
	e.t.Helper()
	return e.do(e.newRequest(action, params))
}

// ok calls an action, insists on Success and decodes Data into out (if not nil).
func (e *env) ok(action string, params any, out any) result {
	e.t.Helper()
	res := e.call(action, params)
	if res.status != http.StatusOK || res.Code != "Success" {
		e.t.Fatalf("%s: got %d %s %q, want 200 Success", action, res.status, res.Code, res.Msg)
	}
	if out != nil {
		if err := json.Unmarshal(res.Data, out); err != nil {
			e.t.Fatalf("%s: Data %s: %v", action, res.Data, err)
		}
	}
	return res
}

// fails calls an action and insists on the given status and code.
func (e *env) fails(action string, params any, status int, code string) result {
	e.t.Helper()
	res := e.call(action, params)
	if res.status != status || res.Code != code {
		e.t.Fatalf("%s: got %d %s %q, want %d %s", action, res.status, res.Code, res.Msg, status, code)
	}
	return res
}

func TestEnvelopeOnSuccess(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	res := e.ok("DescribeZones", nil, nil)
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(res.raw, &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"Code", "Message", "Data", "TaskId"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("envelope lacks %s: %s", k, res.raw)
		}
	}
	if res.Msg != "Success." {
		t.Errorf("Message = %q", res.Msg)
	}
}

func TestRouting(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	sign := func(method, action string) string {
		return signQuery(method, action, testKeyID, testSecret, t0, nextNonce(), nil)
	}
	tests := []struct {
		name, method, path, action string
		status                     int
		code                       string
	}{
		{"trailing slash", "GET", "/lb/", "DescribeZones", 200, "Success"},
		{"no trailing slash", "GET", "/lb", "DescribeZones", 200, "Success"},
		{"unknown action", "GET", "/lb/", "DescribeEverything", 400, "UnsupportedOperation"},
		{"wrong method", "POST", "/lb/", "DescribeZones", 400, "UnsupportedOperation"},
		{"GET of a POST action", "GET", "/lb/", "CreateLoadBalancer", 400, "UnsupportedOperation"},
		{"lb action on monitor path", "GET", "/paas/monitor/", "DescribeZones", 400, "UnsupportedOperation"},
		{"monitor action on lb path", "POST", "/lb/", "DescribeLBInstancePerformance", 400, "UnsupportedOperation"},
		{"unknown path", "GET", "/ecs/", "DescribeZones", 400, "UnsupportedOperation"},
		{"monitor path without slash", "POST", "/paas/monitor", "DescribeLBInstancePerformance", 400, "ArgMissing"},
	}
	for _, tt := range tests {
		var body []byte
		if tt.method == "POST" {
			body = []byte(`{}`)
		}
		res := e.send(tt.method, tt.path, sign(tt.method, tt.action), body)
		if res.status != tt.status || res.Code != tt.code {
			t.Errorf("%s: got %d %s %q, want %d %s", tt.name, res.status, res.Code, res.Msg, tt.status, tt.code)
		}
	}
}

func TestPostBodyMustBeJSONObject(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	q := func() string {
		return signQuery("POST", "DeleteLoadBalancer", testKeyID, testSecret, t0, nextNonce(), nil)
	}

	res := e.send("POST", "/lb/", q(), []byte(`[1,2]`))
	if res.status != 400 || res.Code != "InvalidParameter" {
		t.Errorf("array body: got %d %s", res.status, res.Code)
	}
	req, _ := http.NewRequest("POST", e.ts.URL+"/lb/?"+q(), strings.NewReader(`{"InstanceUuid":"x"}`))
	req.Header.Set("Content-Type", "text/plain")
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("text/plain body: status %d, want 400", resp.StatusCode)
	}
	res = e.send("POST", "/lb/", q(), []byte(`{"InstanceUuid": 42}`))
	if res.status != 400 || res.Code != "InvalidParameter" || !strings.Contains(res.Msg, "InstanceUuid") {
		t.Errorf("number for a string: got %d %s %q", res.status, res.Code, res.Msg)
	}
}

func TestErrorMessagesNameTheParameter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	res := e.fails("DeleteLoadBalancer", map[string]any{}, 400, "ArgMissing")
	if res.Msg != "InstanceUuid is required" {
		t.Errorf("Message = %q", res.Msg)
	}
	if res.TaskID == nil || *res.TaskID != "" {
		t.Errorf("error TaskId = %v, want empty string", res.TaskID)
	}
}

func TestRequestsCountsEveryRequestOfAnAction(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	e.ok("DescribeZones", nil, nil)
	e.ok("DescribeZones", nil, nil)
	e.fails("DescribeLoadBalancersSpec", map[string]string{}, 400, "ArgMissing")
	e.send("GET", "/lb/", signQuery("GET", "DescribeZones", testKeyID, "wrong", t0, nextNonce(), nil), nil)
	if n := e.srv.Requests("DescribeZones"); n != 3 {
		t.Errorf("Requests(DescribeZones) = %d, want 3 (a refused request counts too)", n)
	}
	if n := e.srv.Requests("DescribeLoadBalancersSpec"); n != 1 {
		t.Errorf("Requests(DescribeLoadBalancersSpec) = %d, want 1", n)
	}
	if n := e.srv.Requests("*"); n != 4 {
		t.Errorf("Requests(*) = %d, want 4", n)
	}
}

func TestNewPanicsWithoutKeys(t *testing.T) {
	t.Parallel()
	defer func() {
		if r := recover(); r == nil {
			t.Error("New with an empty secret did not panic")
		} else if strings.Contains(fmt.Sprint(r), "s3cret") {
			t.Error("panic message leaks the secret")
		}
	}()
	New(Config{AccessKeyID: "", AccessKeySecret: "s3cret"})
}

// TestConcurrentRequests runs creates, reads and changes from many
// goroutines; run with -race it checks the state is properly guarded.
func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 5 {
				var created struct{ InstancesUuid []string }
				e.ok("CreateLoadBalancer", createBody(), &created)
				id := created.InstancesUuid[0]
				e.ok("DescribeLoadBalancers", map[string]string{"InstanceUuid": id}, nil)
				e.ok("ModifyLoadBalancerStrategys", map[string]any{"InstanceUuid": id, "HttpListeners": []any{httpListener("web", 80)}, "TcpListeners": []any{}}, nil)
				e.ok("DescribeLBInstancePerformance", map[string]any{"InstanceUuid": id, "MetricKey": "ha_cpu_usage", "StartTime": "2026-03-10 13:00:00", "EndTime": "2026-03-10 14:00:00"}, nil)
				e.ok("DeleteLoadBalancer", map[string]any{"InstanceUuid": id}, nil)
			}
		})
	}
	wg.Wait()
	var list []loadBalancer
	e.ok("DescribeLoadBalancers", nil, &list)
	if len(list) != 0 {
		t.Errorf("%d instances left after deleting all", len(list))
	}
}

// TestEncodedListIsWrittenAsEncodingJSONWritesIt: an answer whose entries
// are encoded already reads byte for byte as encoding/json writes the same
// envelope.
func TestEncodedListIsWrittenAsEncodingJSONWritesIt(t *testing.T) {
	t.Parallel()
	task := "t-1"
	entries := [][]byte{[]byte(`{"A":1}`), []byte(`{"B":"<é>"}`)}
	for _, env := range []envelope{
		{Code: "Success", Message: "Success.", Data: encodedList{}, TaskID: &task},
		{Code: "Success", Message: "success", Data: encodedList(entries)},
		{Code: "Succ\"ess", Message: "a\\b <&> é \u2028 \x01", Data: encodedList(entries[:1]), TaskID: new(string)},
	} {
		a := newAnswerBuffer()
		a.encode(env)
		raw := make([]json.RawMessage, len(env.Data.(encodedList)))
		for i, e := range env.Data.(encodedList) {
			raw[i] = e
		}
		plain := env
		plain.Data = raw
		if got, want := a.buf.String(), string(mustJSON(plain)); got != want {
			t.Errorf("written %s, want %s", got, want)
		}
	}
}
