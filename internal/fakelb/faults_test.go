package fakelb

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseFault(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		spec   string
		action string
		want   Fault
	}{
		{"DescribeZones=503:0.2", "DescribeZones", Fault{ErrorRate: 0.2, Status: 503}},
		{"DescribeZones=500", "DescribeZones", Fault{ErrorRate: 1, Status: 500}},
		{"CreateLoadBalancer=drop:0.5", "CreateLoadBalancer", Fault{DropRate: 0.5}},
		{"CreateLoadBalancer=drop-after", "CreateLoadBalancer", Fault{DropAfterRate: 1}},
		{"DescribeZones=truncate:0.1", "DescribeZones", Fault{DropRate: 0.1, Truncate: true}},
		{"DescribeZones=truncate-after:0.1", "DescribeZones", Fault{DropAfterRate: 0.1, Truncate: true}},
		{"DescribeZones=html:0.3", "DescribeZones", Fault{ErrorRate: 0.3, Status: 502, HTML: true}},
		{"DescribeZones=conflict:0.25", "DescribeZones", Fault{ConflictRate: 0.25}},
		{"*=latency:200ms", "*", Fault{Latency: 200 * time.Millisecond}},
		{"*=latency:50ms, 504:0.5", "*", Fault{Latency: 50 * time.Millisecond, ErrorRate: 0.5, Status: 504}},
		{"DescribeZones=429", "DescribeZones", Fault{ErrorRate: 1, Status: 429}},
		{"DescribeZones=403:0.5", "DescribeZones", Fault{ErrorRate: 0.5, Status: 403}},
		{"DescribeZones=429,retry-after:30s", "DescribeZones", Fault{ErrorRate: 1, Status: 429, RetryAfter: 30 * time.Second}},
		{"DescribeZones=retry-after:2m,503:0.1", "DescribeZones", Fault{ErrorRate: 0.1, Status: 503, RetryAfter: 2 * time.Minute}},
	} {
		action, f, err := ParseFault(tt.spec)
		if err != nil || action != tt.action || f != tt.want {
			t.Errorf("ParseFault(%q) = %q, %+v, %v; want %q, %+v", tt.spec, action, f, err, tt.action, tt.want)
		}
	}
	for bad, why := range map[string]string{
		"":                               "want ACTION=KIND",
		"DescribeZones":                  "want ACTION=KIND",
		"=drop":                          "want ACTION=KIND",
		"DescribeZones=":                 "want ACTION=KIND",
		"DescribeZone=503":               "did you mean DescribeZones?",
		"createloadbalancer=drop":        "did you mean CreateLoadBalancer?",
		"Nothing=drop":                   `unknown action "Nothing": want an action name or *`,
		"DescribeZones=drop:2":           "from 0 to 1",
		"DescribeZones=drop:-0.1":        "from 0 to 1",
		"DescribeZones=503:NaN":          "from 0 to 1",
		"DescribeZones=503:+Inf":         "from 0 to 1",
		"DescribeZones=503:abc":          "from 0 to 1",
		"DescribeZones=explode":          "unknown kind",
		"DescribeZones=latency":          "not negative",
		"DescribeZones=latency:-1s":      "not negative",
		"DescribeZones=latency:forever":  "not negative",
		"DescribeZones=399":              "unknown kind",
		"DescribeZones=600":              "unknown kind",
		"DescribeZones=0429":             "unknown kind",
		"DescribeZones=retry-after":      "whole number of seconds",
		"DescribeZones=retry-after:1.5s": "whole number of seconds",
		"DescribeZones=retry-after:-1s":  "whole number of seconds",
		"DescribeZones=retry-after:30":   "whole number of seconds",
	} {
		if _, _, err := ParseFault(bad); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("ParseFault(%q) = %v, want an error saying %q", bad, err, why)
		}
	}
}

func TestSetFaultRefusesWhatItCannotDo(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	for action, f := range map[string]Fault{
		"DescribeZone":           {ErrorRate: 1},
		"DescribeZones":          {ErrorRate: math.NaN()},
		"*":                      {Latency: -time.Second},
		"":                       {DropRate: 1.5},
		"DeleteCACertificate":    {ErrorRate: 1, Status: 399},
		"DescribeCACertificate":  {ErrorRate: 1, Status: 600},
		"UploadCACertificate":    {ErrorRate: 1, Status: 429, RetryAfter: -time.Second},
		"DescribeCACertificates": {ErrorRate: 1, Status: 429, RetryAfter: 1500 * time.Millisecond},
	} {
		if err := e.srv.SetFault(action, f); err == nil {
			t.Errorf("SetFault(%q, %+v) = nil, want an error", action, f)
		}
	}
	if res := e.call("DescribeZones", nil); res.Code != "Success" {
		t.Errorf("a refused fault was applied: DescribeZones answered %s", res.Code)
	}
	if err := e.srv.SetFault("DescribeZones", Fault{ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	e.srv.ClearFaults()
	if res := e.call("DescribeZones", nil); res.Code != "Success" {
		t.Errorf("after ClearFaults DescribeZones answered %s", res.Code)
	}
}

// rawCall sends a request on a fresh connection (so that the transport
// never replays it) and returns the response, its body, or the error.
func (e *env) rawCall(ctx context.Context, action string, params any) (*http.Response, []byte, error) {
	e.t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(e.newRequest(action, params).WithContext(ctx))
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err // resp is kept when the body is cut short
}

func (e *env) instanceCount() int {
	e.t.Helper()
	var list []loadBalancer
	e.ok("DescribeLoadBalancers", nil, &list)
	return len(list)
}

func TestFaultErrorAnswersRunNothing(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name        string
		fault       Fault
		status      int
		contentType string
		code        string
		retryAfter  string
	}{
		{"500 json", Fault{ErrorRate: 1}, 500, "application/json", "InternalError", ""},
		{"500 html", Fault{ErrorRate: 1, Status: 500, HTML: true}, 500, "text/html", "", ""},
		{"502", Fault{ErrorRate: 1, Status: 502}, 502, "text/html", "", ""},
		{"503", Fault{ErrorRate: 1, Status: 503}, 503, "text/html", "", ""},
		{"504", Fault{ErrorRate: 1, Status: 504}, 504, "text/html", "", ""},
		{"conflict", Fault{ConflictRate: 1}, 409, "application/json", "ResourceInUse", ""},
		{"429", Fault{ErrorRate: 1, Status: 429}, 429, "text/html", "", ""},
		{"429 retry-after", Fault{ErrorRate: 1, Status: 429, RetryAfter: 30 * time.Second}, 429, "text/html", "", "30"},
		{"503 retry-after", Fault{ErrorRate: 1, Status: 503, RetryAfter: time.Minute}, 503, "text/html", "", "60"},
		{"500 retry-after", Fault{ErrorRate: 1, RetryAfter: time.Second}, 500, "application/json", "InternalError", "1"},
	} {
		e := newEnv(t, 0)
		e.srv.SetFault("CreateLoadBalancer", tt.fault)
		resp, body, err := e.rawCall(context.Background(), "CreateLoadBalancer", createBody())
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if resp.StatusCode != tt.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.contentType) {
			t.Errorf("%s: got %d %s", tt.name, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if tt.code != "" && !strings.Contains(string(body), `"Code":"`+tt.code+`"`) {
			t.Errorf("%s: body %s", tt.name, body)
		}
		if tt.code == "" && !strings.Contains(string(body), "<title>"+strconv.Itoa(tt.status)+" "+http.StatusText(tt.status)+"</title>") {
			t.Errorf("%s: not the gateway's HTML page: %s", tt.name, body)
		}
		if got := resp.Header.Get("Retry-After"); got != tt.retryAfter {
			t.Errorf("%s: Retry-After %q, want %q", tt.name, got, tt.retryAfter)
		}
		if n := e.instanceCount(); n != 0 {
			t.Errorf("%s: the faulted create made %d instances", tt.name, n)
		}
		if n := e.srv.Requests("CreateLoadBalancer"); n != 1 {
			t.Errorf("%s: Requests = %d", tt.name, n)
		}
	}
}

func TestFaultDrops(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		fault Fault
		ran   bool
	}{
		{"drop", Fault{DropRate: 1}, false},
		{"truncate", Fault{DropRate: 1, Truncate: true}, false},
		{"drop after running", Fault{DropAfterRate: 1}, true},
		{"truncate after running", Fault{DropAfterRate: 1, Truncate: true}, true},
	} {
		e := newEnv(t, 0)
		e.srv.SetFault("CreateLoadBalancer", tt.fault)
		resp, body, err := e.rawCall(context.Background(), "CreateLoadBalancer", createBody())
		if err == nil {
			t.Errorf("%s: got a whole answer: %s", tt.name, body)
		}
		if tt.fault.Truncate {
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("%s: err = %v, want a truncated body", tt.name, err)
			}
			// Half an answer that ran is a 200; half of one that did not is a 500.
			if want := map[bool]int{true: 200, false: 500}[tt.ran]; resp == nil || resp.StatusCode != want {
				t.Errorf("%s: response %v, want status %d", tt.name, resp, want)
			}
		}
		want := 0
		if tt.ran {
			want = 1
		}
		if n := e.instanceCount(); n != want {
			t.Errorf("%s: %d instances, want %d", tt.name, n, want)
		}
	}
}

func TestFaultLatencyHonoursContext(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	e.srv.SetFault("*", Fault{Latency: 30 * time.Millisecond})
	start := time.Now()
	e.ok("DescribeZones", nil, nil)
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("answered after %v, want at least 30ms", d)
	}

	e.srv.SetFault("*", Fault{Latency: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start = time.Now()
	if _, _, err := e.rawCall(ctx, "CreateLoadBalancer", createBody()); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the deadline", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	e.srv.SetFault("*", Fault{})
	// The handler gave up with the client, so the create never ran.
	if n := e.instanceCount(); n != 0 {
		t.Errorf("%d instances after a cancelled create", n)
	}
}

func TestFaultScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	e.srv.SetFault("", Fault{ConflictRate: 1})
	e.srv.SetFault("DescribeZones", Fault{Latency: time.Millisecond})
	e.ok("DescribeZones", nil, nil) // its own fault replaces the "*" one
	e.fails("DescribeCACertificates", nil, 409, "ResourceInUse")
	e.srv.SetFault("*", Fault{})
	e.ok("DescribeCACertificates", nil, nil)
}

// TestFaultSeedReproduces checks that the same seed strikes the same
// requests, and that a share of about half strikes some and spares some.
func TestFaultSeedReproduces(t *testing.T) {
	t.Parallel()
	pattern := func() string {
		e := newEnv(t, 0)
		e.srv.SetFault("DescribeZones", Fault{ConflictRate: 0.5})
		var b strings.Builder
		for range 40 {
			if e.call("DescribeZones", nil).Code == "Success" {
				b.WriteByte('.')
			} else {
				b.WriteByte('x')
			}
		}
		return b.String()
	}
	a, b := pattern(), pattern()
	if a != b {
		t.Errorf("same seed, different faults:\n%s\n%s", a, b)
	}
	if !strings.Contains(a, "x") || !strings.Contains(a, ".") {
		t.Errorf("rate 0.5 gave %s", a)
	}
}

// TestFaultTruncatedDescribeIsHalfTheAnswer: half an answer is the first
// half of the answer the action gives, whose Data may be entries encoded
// in advance; the length declared is the whole answer's.
func TestFaultTruncatedDescribeIsHalfTheAnswer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	e.create(createBody())
	_, whole, err := e.rawCall(context.Background(), "DescribeLoadBalancers", nil)
	if err != nil {
		t.Fatal(err)
	}
	e.srv.SetFault("DescribeLoadBalancers", Fault{DropAfterRate: 1, Truncate: true})
	resp, half, err := e.rawCall(context.Background(), "DescribeLoadBalancers", nil)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want a truncated body", err)
	}
	if resp.ContentLength != int64(len(whole)) || !bytes.HasPrefix(whole, half) || len(half) != len(whole)/2 {
		t.Errorf("declared %d and sent %q\nof the answer %s", resp.ContentLength, half, whole)
	}
}
