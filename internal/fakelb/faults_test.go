package fakelb

import (
	"context"
	"errors"
	"io"
	"net/http"
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
		{"X=truncate:0.1", "X", Fault{DropRate: 0.1, Truncate: true}},
		{"X=truncate-after:0.1", "X", Fault{DropAfterRate: 0.1, Truncate: true}},
		{"X=html:0.3", "X", Fault{ErrorRate: 0.3, Status: 502, HTML: true}},
		{"X=conflict:0.25", "X", Fault{ConflictRate: 0.25}},
		{"*=latency:200ms", "*", Fault{Latency: 200 * time.Millisecond}},
		{"*=latency:50ms, 504:0.5", "*", Fault{Latency: 50 * time.Millisecond, ErrorRate: 0.5, Status: 504}},
	} {
		action, f, err := ParseFault(tt.spec)
		if err != nil || action != tt.action || f != tt.want {
			t.Errorf("ParseFault(%q) = %q, %+v, %v; want %q, %+v", tt.spec, action, f, err, tt.action, tt.want)
		}
	}
	for _, bad := range []string{"", "DescribeZones", "=drop", "X=", "X=drop:2", "X=drop:-0.1", "X=explode", "X=latency", "X=latency:-1s", "X=503:abc"} {
		if _, _, err := ParseFault(bad); err == nil {
			t.Errorf("ParseFault(%q) accepted", bad)
		}
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
	}{
		{"500 json", Fault{ErrorRate: 1}, 500, "application/json", "InternalError"},
		{"500 html", Fault{ErrorRate: 1, Status: 500, HTML: true}, 500, "text/html", ""},
		{"502", Fault{ErrorRate: 1, Status: 502}, 502, "text/html", ""},
		{"503", Fault{ErrorRate: 1, Status: 503}, 503, "text/html", ""},
		{"504", Fault{ErrorRate: 1, Status: 504}, 504, "text/html", ""},
		{"conflict", Fault{ConflictRate: 1}, 409, "application/json", "ResourceInUse"},
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
		if tt.code == "" && !strings.Contains(string(body), "<html>") {
			t.Errorf("%s: not an HTML page: %s", tt.name, body)
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
