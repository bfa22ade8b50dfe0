package fakelb

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

type vector struct {
	Name            string          `json:"name"`
	Method          string          `json:"method"`
	Action          string          `json:"action"`
	AccessKeyID     string          `json:"access_key_id"`
	AccessKeySecret string          `json:"access_key_secret"`
	Timestamp       string          `json:"timestamp"`
	Nonce           string          `json:"nonce"`
	Params          json.RawMessage `json:"params"` // a string or a list for each name; unused here
	CanonicalQuery  string          `json:"canonical_query"`
	StringToSign    string          `json:"string_to_sign"`
	Signature       string          `json:"signature"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	raw, err := os.ReadFile("testdata/signature-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Vectors []vector }
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	return f.Vectors
}

// TestSignatureVectors checks the fake's own signature computation and its
// whole verifier: each vector's query, sent as is, passes authentication.
func TestSignatureVectors(t *testing.T) {
	t.Parallel()
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			q, ok := parseQuery(v.CanonicalQuery, nil)
			if !ok {
				t.Fatal("the query does not parse")
			}
			if got := string(newSigner(v.AccessKeySecret).sign(v.Method, q)); got != v.Signature {
				t.Errorf("signature = %s, want %s", got, v.Signature)
			}
			ts, _ := time.Parse(time.RFC3339, v.Timestamp)
			srv := New(Config{AccessKeyID: v.AccessKeyID, AccessKeySecret: v.AccessKeySecret, Now: func() time.Time { return ts.Add(time.Minute) }})
			if err := srv.authenticate(v.Method, withSignature(q, v.Signature), ts); err != nil {
				t.Errorf("authenticate: %v", err)
			}
		})
	}
}

func TestSignatureVectorsOverHTTP(t *testing.T) {
	t.Parallel()
	for _, v := range loadVectors(t) {
		ts, _ := time.Parse(time.RFC3339, v.Timestamp)
		c := &clock{t: ts}
		e := &env{t: t, srv: New(Config{AccessKeyID: v.AccessKeyID, AccessKeySecret: v.AccessKeySecret, Now: c.Now}), clock: c}
		e.ts = newTestServer(t, e.srv)
		path := "/lb/"
		var body []byte
		if routes[v.Action].path == pathMonitor {
			path = "/paas/monitor/"
		}
		if v.Method == http.MethodPost {
			body = []byte(`{}`)
		}
		res := e.send(v.Method, path, v.CanonicalQuery+"&Signature="+url.QueryEscape(v.Signature), body)
		if res.status == http.StatusForbidden {
			t.Errorf("%s: refused: %s %s", v.Name, res.Code, res.Msg)
		}
	}
}

func withSignature(q query, sig string) query {
	return append(q[:len(q):len(q)], param{"Signature", sig})
}

func TestAuthRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	get := func(keyID, secret string, ts time.Time, nonce string) result {
		return e.send("GET", "/lb/", signQuery("GET", "DescribeZones", keyID, secret, ts, nonce, nil), nil)
	}
	tests := []struct {
		name string
		res  result
		code string
	}{
		{"wrong secret", get(testKeyID, "not-the-secret", t0, nextNonce()), "SignatureDoesNotMatch"},
		{"unknown key", get("AKIDOTHER", testSecret, t0, nextNonce()), "InvalidAccessKeyId"},
		{"16 minutes old", get(testKeyID, testSecret, t0.Add(-16*time.Minute), nextNonce()), "RequestExpired"},
		{"16 minutes ahead", get(testKeyID, testSecret, t0.Add(16*time.Minute), nextNonce()), "RequestExpired"},
	}
	for _, tt := range tests {
		if tt.res.status != http.StatusForbidden || tt.res.Code != tt.code {
			t.Errorf("%s: got %d %s, want 403 %s", tt.name, tt.res.status, tt.res.Code, tt.code)
		}
		if strings.Contains(string(tt.res.raw), testSecret) {
			t.Errorf("%s: answer leaks the secret", tt.name)
		}
	}
	if res := get(testKeyID, testSecret, t0.Add(-14*time.Minute), nextNonce()); res.Code != "Success" {
		t.Errorf("14 minutes old: got %s, want Success", res.Code)
	}
}

func TestNonceReplay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	q := signQuery("GET", "DescribeZones", testKeyID, testSecret, t0, "once", nil)
	if res := e.send("GET", "/lb/", q, nil); res.Code != "Success" {
		t.Fatalf("first use: %s", res.Code)
	}
	if res := e.send("GET", "/lb/", q, nil); res.status != 403 || res.Code != "SignatureNonceUsed" {
		t.Errorf("replay: got %d %s, want 403 SignatureNonceUsed", res.status, res.Code)
	}
	// After the window the nonce is forgotten; a fresh timestamp is needed
	// anyway, so sign the same nonce anew.
	e.clock.Advance(16 * time.Minute)
	q = signQuery("GET", "DescribeZones", testKeyID, testSecret, e.clock.Now(), "once", nil)
	if res := e.send("GET", "/lb/", q, nil); res.Code != "Success" {
		t.Errorf("nonce after 16 minutes: got %s, want Success", res.Code)
	}
	if n := e.srv.nonces.remembered(); n != 1 {
		t.Errorf("%d nonces remembered, want 1 (old ones pruned)", n)
	}
}

func TestForgedRequestDoesNotBurnNonce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	e.send("GET", "/lb/", signQuery("GET", "DescribeZones", testKeyID, "forged", t0, "n1", nil), nil)
	if res := e.send("GET", "/lb/", signQuery("GET", "DescribeZones", testKeyID, testSecret, t0, "n1", nil), nil); res.Code != "Success" {
		t.Errorf("got %s, want Success: a refused signature must not record its nonce", res.Code)
	}
}

func TestCommonParameters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	for _, tt := range []struct {
		drop, set, value string
		code             string
	}{
		{drop: "AccessKeyId", code: "ArgMissing"},
		{drop: "Signature", code: "ArgMissing"},
		{drop: "SignatureNonce", code: "ArgMissing"},
		{drop: "Timestamp", code: "ArgMissing"},
		{drop: "SignatureMethod", code: "ArgMissing"},
		{drop: "SignatureVersion", code: "ArgMissing"},
		{drop: "Version", code: "ArgMissing"},
		{set: "SignatureMethod", value: "HMAC-SHA256", code: "InvalidParameter"},
		{set: "SignatureVersion", value: "2.0", code: "InvalidParameter"},
		{set: "Version", value: "2020-01-01", code: "InvalidParameter"},
		{set: "Timestamp", value: "2026-03-10 06:00:00", code: "InvalidParameter"},
	} {
		q, _ := url.ParseQuery(signQuery("GET", "DescribeZones", testKeyID, testSecret, t0, nextNonce(), nil))
		if tt.drop != "" {
			q.Del(tt.drop)
		} else {
			q.Set(tt.set, tt.value)
		}
		res := e.send("GET", "/lb/", q.Encode(), nil)
		name := tt.drop + tt.set
		if res.status != 400 || res.Code != tt.code || !strings.Contains(res.Msg, name) {
			t.Errorf("%s: got %d %s %q, want 400 %s naming it", name, res.status, res.Code, res.Msg, tt.code)
		}
	}
}

func TestPercentEncode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"a b":       "a%20b",
		"a*b~c/d":   "a%2Ab~c%2Fd",
		"+=&":       "%2B%3D%26",
		"é":         "%C3%A9",
		"AZaz09-_.": "AZaz09-_.",
	} {
		if got := percentEncode(in); got != want {
			t.Errorf("percentEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

// A request signed by a clock that runs 14 minutes fast is valid until its
// Timestamp is 15 minutes old, 29 minutes after it was first used: its
// nonce must be remembered that long.
func TestNonceRememberedWhileItsTimestampIsAccepted(t *testing.T) {
	t.Parallel()
	for _, skew := range []time.Duration{14 * time.Minute, -14 * time.Minute} {
		e := newEnv(t, 0)
		q := signQuery("GET", "DescribeZones", testKeyID, testSecret, t0.Add(skew), "skewed", nil)
		if res := e.send("GET", "/lb/", q, nil); res.Code != "Success" {
			t.Fatalf("skew %v: first use: %s", skew, res.Code)
		}
		for _, later := range []time.Duration{time.Minute, 15*time.Minute + 30*time.Second, 29 * time.Minute} {
			e.clock.Advance(t0.Add(later).Sub(e.clock.Now()))
			want := "SignatureNonceUsed"
			if d := later - skew; d > clockSkew || d < -clockSkew {
				want = "RequestExpired"
			}
			if res := e.send("GET", "/lb/", q, nil); res.Code != want {
				t.Errorf("skew %v, replayed %v later: got %s, want %s", skew, later, res.Code, want)
			}
		}
	}
}

func TestNonceLengthIsCapped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	res := e.send("GET", "/lb/", signQuery("GET", "DescribeZones", testKeyID, testSecret, t0, strings.Repeat("n", maxNonce+1), nil), nil)
	if res.status != http.StatusBadRequest || res.Code != "InvalidParameter" || !strings.Contains(res.Msg, "SignatureNonce") {
		t.Errorf("a %d-byte nonce: got %d %s %q, want 400 InvalidParameter naming SignatureNonce", maxNonce+1, res.status, res.Code, res.Msg)
	}
	if n := e.srv.nonces.remembered(); n != 0 {
		t.Errorf("%d nonces remembered, want none", n)
	}
	res = e.send("GET", "/lb/", signQuery("GET", "DescribeZones", testKeyID, testSecret, t0, "3a6c5c9e-8a2b-11ee-b9d1-0242ac120002", nil), nil)
	if res.Code != "Success" {
		t.Errorf("a UUID nonce: got %s", res.Code)
	}
}

// An unauthenticated POST that declares a body and sends none is answered
// at once: the fake must not wait for the body before refusing it.
func TestUnauthenticatedRequestIsRefusedWithoutReadingItsBody(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	for name, query := range map[string]string{
		"no signature":  "Action=CreateLoadBalancer",
		"wrong secret":  signQuery("POST", "CreateLoadBalancer", testKeyID, "wrong", t0, nextNonce(), nil),
		"unknown route": signQuery("POST", "NoSuchAction", testKeyID, testSecret, t0, nextNonce(), nil),
	} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(e.ts.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		// Only a safety net: the answer comes at once, or never.
		_ = conn.SetDeadline(time.Now().Add(time.Minute))
		fmt.Fprintf(conn, "POST /lb/?%s HTTP/1.1\r\nHost: fake\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n", query)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Errorf("%s: no answer: %v", name, err)
		} else if resp.StatusCode < 400 || !resp.Close {
			t.Errorf("%s: got %d (close %v), want a refusal that closes the connection", name, resp.StatusCode, resp.Close)
		}
		conn.Close()
	}
}
