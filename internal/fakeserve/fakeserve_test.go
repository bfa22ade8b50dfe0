package fakeserve

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// signedURL signs a GET request of an action at /lb by the rules of signing.md.
func signedURL(host, action, keyID, secret string) string {
	return signedRequestURL(http.MethodGet, host+"/lb/", action, keyID, secret)
}

// signedRequestURL signs a request of an action to base, a URL ending in
// its base path, by the rules of signing.md.
func signedRequestURL(method, base, action, keyID, secret string) string {
	q := url.Values{
		"Action": {action}, "AccessKeyId": {keyID}, "SignatureMethod": {"HMAC-SHA1"},
		"SignatureVersion": {"1.0"}, "SignatureNonce": {time.Now().Format(time.RFC3339Nano)},
		"Timestamp": {time.Now().UTC().Format("2006-01-02T15:04:05Z")}, "Version": {"2019-08-08"},
	}
	enc := func(s string) string {
		return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(url.QueryEscape(s))
	}
	canonical := strings.ReplaceAll(q.Encode(), "+", "%20") // Encode sorts by key
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(method + "&%2F&" + enc(canonical)))
	return base + "?" + canonical + "&Signature=" + enc(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}

// start runs the command with args on a free loopback port until cancel,
// and returns the host, key id and secret of the line it prints, and
// run's result once it returns.
func start(t *testing.T, ctx context.Context, args ...string) (m []string, done <-chan error) {
	t.Helper()
	pr, pw := io.Pipe()
	result := make(chan error, 1)
	go func() {
		result <- Run(ctx, "fakeserver", append([]string{"-addr", "127.0.0.1:0", "-delay", "0s"}, args...), pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	m = regexp.MustCompile(`^export CDS_API_HOST=(http://127\.0\.0\.1:\d+) CDS_SECRET_ID=(\S+) CDS_SECRET_KEY=(\S+)\n$`).FindStringSubmatch(line)
	if m == nil || strings.HasSuffix(m[1], ":0") {
		t.Fatalf("first line = %q", line)
	}
	return m, result
}

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m, done := start(t, ctx, "-fault", "DescribeCACertificates=503")
	resp, err := http.Get(signedURL(m[1], "DescribeCACertificates", m[2], m[3]))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("the -fault flag was not applied: status %d", resp.StatusCode)
	}
	resp, err = http.Get(signedURL(m[1], "DescribeZones", m[2], m[3]))
	if err != nil {
		t.Fatal(err)
	}
	var env struct{ Code string }
	err = json.NewDecoder(resp.Body).Decode(&env)
	resp.Body.Close()
	if err != nil || env.Code != "Success" {
		t.Errorf("DescribeZones: %v %q", err, env.Code)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v after cancel", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop after cancel")
	}
}

// -listeners-path moves DescribeLBInstanceListeners to the monitor path:
// there it runs (and finds no such instance), and /lb answers 404
// UnsupportedOperation.
func TestListenersPathFlag(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m, _ := start(t, ctx, "-listeners-path", "/paas/monitor")
	for path, want := range map[string]string{"/paas/monitor": "ResourceNotFound", "/lb": "UnsupportedOperation"} {
		u := signedRequestURL(http.MethodPost, m[1]+path, "DescribeLBInstanceListeners", m[2], m[3])
		resp, err := http.Post(u, "application/json", strings.NewReader(`{"InstanceUuid":"none"}`))
		if err != nil {
			t.Fatal(err)
		}
		var env struct{ Code string }
		err = json.NewDecoder(resp.Body).Decode(&env)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusNotFound || env.Code != want {
			t.Errorf("at %s: %d %q (%v), want 404 %s", path, resp.StatusCode, env.Code, err, want)
		}
	}
}

// A bad flag is reported once, on stderr, and exits with status 2, as the
// flag package does; a server that cannot start exits with status 1.
func TestRunRefusesBadFlags(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args   []string
		why    string
		status int
	}{
		{[]string{"-fault", "nonsense"}, "want ACTION=KIND", 2},
		{[]string{"-fault", "DescribeZone=503"}, "did you mean DescribeZones?", 2},
		{[]string{"-fault", "DescribeZones=503:NaN"}, "from 0 to 1", 2},
		{[]string{"-fault", "DescribeZones=503:1.5"}, "from 0 to 1", 2},
		{[]string{"-fault", "*=latency:-1s"}, "not negative", 2},
		{[]string{"-fault", "*=429,retry-after:1ms"}, "whole number of seconds", 2},
		{[]string{"-delay", "-1s"}, "must not be negative", 2},
		{[]string{"-delay", "soon"}, "invalid value", 2},
		{[]string{"-no-such-flag"}, "not defined", 2},
		{[]string{"-listeners-path", "/monitor"}, "want /lb or /paas/monitor", 2},
		{[]string{"stray"}, "unexpected argument", 2},
		{[]string{"-print-env"}, "needs -access-key-id", 2},
		{[]string{"-print-env", "-addr", "127.0.0.1:0", "-access-key-id", "a", "-access-key-secret", "b"}, "fixed port", 2},
		{[]string{"-addr", "256.0.0.1:0"}, "256.0.0.1", 1},
	} {
		var stderr strings.Builder
		err := Run(context.Background(), "fakeserver", tt.args, io.Discard, &stderr)
		if err == nil || !strings.Contains(err.Error(), tt.why) {
			t.Errorf("run(%q) = %v, want an error saying %q", tt.args, err, tt.why)
		}
		status := ExitStatus("fakeserver", err, &stderr) // as main reports it
		if status != tt.status || strings.Count(stderr.String(), tt.why) != 1 {
			t.Errorf("run(%q): exit status %d, stderr %q; want %d and the error once", tt.args, status, stderr.String(), tt.status)
		}
	}
}

func TestHelpListsTheFaultKindsAndSucceeds(t *testing.T) {
	t.Parallel()
	var out, stderr strings.Builder
	if err := Run(context.Background(), "fakeserver", []string{"-help"}, &out, &stderr); err != nil {
		t.Fatalf("-help: %v, want nil (exit 0)", err)
	}
	if stderr.Len() > 0 {
		t.Errorf("-help also wrote to stderr: %q; want the usage once, on stdout", stderr.String())
	}
	for _, kind := range []string{"-fault", "-print-env", "503", "429", "retry-after", "html", "drop-after", "truncate-after", "conflict", "latency"} {
		if !strings.Contains(out.String(), kind) {
			t.Errorf("-help does not mention %s:\n%s", kind, out.String())
		}
	}
}

// The printed line, pasted alone into a shell, exports the variables to
// the commands that follow.
func TestPrintEnvExports(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	args := []string{"-print-env", "-addr", "127.0.0.1:18080", "-access-key-id", "AKIDDEMO", "-access-key-secret", "it's $ecret"}
	if err := Run(context.Background(), "fakeserver", args, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	got, err := exec.Command(sh, "-c", out.String()+`sh -c 'printf "%s|%s|%s" "$CDS_API_HOST" "$CDS_SECRET_ID" "$CDS_SECRET_KEY"'`).Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "http://127.0.0.1:18080|AKIDDEMO|it's $ecret"; string(got) != want {
		t.Errorf("a child of the shell sees %q, want %q (line %q)", got, want, out.String())
	}
}
