package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cdsgo/cdslb"
)

// plan, apply, plan again, remove: the listener commands.
func TestListenerCommands(t *testing.T) {
	e, lb := seeded(t)
	set := file(t, "set.yaml", listenersYAML)
	expect(t, e.run("listeners", "plan", lb.InstanceUUID, "-f", set, "--detailed-exitcode"), 2)
	r := e.run("listeners", "apply", lb.InstanceUUID, "-f", set, "--wait")
	expect(t, r, 0)
	contains(t, r.stdout, `+ http listener "web"`, `- http listener "site"`)
	contains(t, r.stderr, "applied")
	expect(t, e.run("listeners", "plan", lb.InstanceUUID, "-f", set, "--detailed-exitcode"), 0)
	writes := e.srv.Requests("ModifyLoadBalancerStrategys") + e.srv.Requests("AddLoadBalancerStrategys")
	contains(t, e.ok("listeners", "apply", lb.InstanceUUID, "-f", set), "no changes")
	if n := e.srv.Requests("ModifyLoadBalancerStrategys") + e.srv.Requests("AddLoadBalancerStrategys"); n != writes {
		t.Error("an empty plan was applied")
	}

	e.ok("listeners", "remove", lb.InstanceUUID, "db", "--wait")
	http, tcp := e.srv.Listeners(lb.InstanceUUID)
	if len(http) != 1 || len(tcp) != 0 {
		t.Errorf("after remove: %d http, %d tcp listeners", len(http), len(tcp))
	}
	expect(t, e.run("listeners", "remove", lb.InstanceUUID, "db"), 1)
}

// A desired set is read strictly: an unknown or repeated field, a string
// where a number goes, or a bad duration is refused with its path and
// line, before anything is sent.
func TestInputFilesAreReadStrictly(t *testing.T) {
	e, lb := seeded(t)
	for name, tc := range map[string]struct{ doc, want string }{
		"unknown field":   {"HTTPListeners:\n  - ListenerNme: web\n", `HTTPListeners[0]: unknown field "ListenerNme"`},
		"repeated field":  {"TCPListeners: []\nTCPListeners: []\n", `TCPListeners`},
		"quoted number":   {"TCPListeners:\n  - ListenerPort: \"80\"\n", "TCPListeners[0].ListenerPort"},
		"bad duration":    {"TCPListeners:\n  - ConnectTimeout: soon\n", "TCPListeners[0].ConnectTimeout: want a duration"},
		"not a list":      {"TCPListeners: 3\n", "want a list"},
		"two documents":   {"TCPListeners: []\n---\nTCPListeners: []\n", "more than one document"},
		"empty":           {"", "empty"},
		"unquoted number": {"HTTPListeners:\n  - ListenerName: 80\n", "want a string"},
	} {
		t.Run(name, func(t *testing.T) {
			r := e.run("listeners", "plan", lb.InstanceUUID, "-f", file(t, "set.yaml", tc.doc))
			expect(t, r, 4)
			contains(t, r.stderr, tc.want)
		})
	}
	if n := e.srv.Requests("DescribeLoadBalancerStrategys"); n != 0 {
		t.Errorf("%d reads for files refused", n)
	}
	// Durations as their JSON shows them (nanoseconds) or as Go durations,
	// from a file or stdin.
	e.stdin = `{"TCPListeners":[{"ListenerName":"db","ListenerPort":5432,"Scheduler":"leastconn","ConnectTimeout":5000000000,"BackendServers":[{"IP":"10.0.0.3","Port":5432,"Weight":2}]}]}`
	contains(t, e.ok("listeners", "plan", lb.InstanceUUID, "-f", "-"), "ConnectTimeout")
}

func TestHaproxyConfigCommands(t *testing.T) {
	e, lb := seeded(t)
	contains(t, e.ok("haproxy-config", "get", lb.InstanceUUID), "site")
	cfg := "global\n  maxconn 100\n"
	e.ok("haproxy-config", "set", lb.InstanceUUID, "-f", file(t, "haproxy.cfg", cfg), "--wait")
	if got := e.ok("haproxy-config", "get", lb.InstanceUUID); got != cfg {
		t.Errorf("get prints %q, want the file set", got)
	}
	contains(t, e.ok("haproxy-config", "get", lb.InstanceUUID, "-o", "json"), `"Configs": "global\n  maxconn 100\n"`)
	expect(t, e.run("haproxy-config", "set", lb.InstanceUUID), 4)
}

func TestCertificateCommands(t *testing.T) {
	e := newEnv(t)
	certPEM, keyPEM := e.srv.NewCertificate("example.com")
	cert, key := file(t, "c.pem", certPEM), file(t, "k.pem", keyPEM)
	out := e.ok("certs", "upload", "--name", "site", "--cert", cert, "--key", key)
	contains(t, out, "site", "example.com")
	r := e.run("certs", "ensure", "--name", "site", "--cert", cert, "--key", key)
	expect(t, r, 0)
	contains(t, r.stderr, "found")
	if n := e.srv.Requests("UploadCACertificate"); n != 1 {
		t.Errorf("%d uploads, want 1", n)
	}
	id := e.srv.Certificates()[0].CertificateID
	contains(t, e.ok("certs", "list"), id)
	contains(t, e.ok("certs", "get", id), id)
	e.ok("certs", "delete", id)
	if n := len(e.srv.Certificates()); n != 0 {
		t.Errorf("%d certificates after delete", n)
	}
	// A key that is not the certificate's is refused before sending.
	_, otherKey := e.srv.NewCertificate("other.example")
	expect(t, e.run("certs", "upload", "--name", "x", "--cert", cert, "--key", file(t, "o.pem", otherKey)), 4)
	expect(t, e.run("certs", "upload", "--name", "x"), 4)
}

func TestMetricsCommand(t *testing.T) {
	e, lb := seeded(t)
	out := e.ok("metrics", lb.InstanceUUID, "--metric", "ha_cpu_usage", "--since", "2m", "--no-headers")
	if n := strings.Count(out, "\n"); n != 4 {
		t.Errorf("2 minutes at 30 s: %d samples, want 4:\n%s", n, out)
	}
	contains(t, e.ok("metrics", lb.InstanceUUID, "--metric", "ha_listener_sessions", "--listener", "site", "--since", "1m"), "TIME")
	expect(t, e.run("metrics", lb.InstanceUUID, "--metric", "ha_listener_sessions"), 4)
	expect(t, e.run("metrics", lb.InstanceUUID, "--metric", "ha_cpu_usage", "--start", "2026-03-01T10:00:00Z"), 4)
}

func TestSizesCommand(t *testing.T) {
	e, lb := seeded(t)
	out := e.ok("sizes", "list", "--region", "CN_Hongkong_A", "--cpu", "4", "--ram", "8", "--no-headers")
	if !strings.HasPrefix(out, "5078 ") || strings.Count(out, "\n") != 1 {
		t.Errorf("4C8G: %q", out)
	}
	contains(t, e.ok("sizes", "list", "--instance", lb.InstanceUUID), "PAAS_GOODS_ID")
	expect(t, e.run("sizes", "list", "--region", "CN_Hongkong_A", "--cpu", "3", "--ram", "3"), 1)
	expect(t, e.run("sizes", "list"), 4)
}

// cdslb fake serves with the fake server's flags and prints the export
// line; a bad flag is a wrong command line.
func TestFakeCommand(t *testing.T) {
	e := &env{t: t, ctx: context.Background()}
	r := e.run("fake", "-print-env", "-addr", "127.0.0.1:18080", "-access-key-id", "AK", "-access-key-secret", "s3")
	expect(t, r, 0)
	contains(t, r.stdout, "export CDS_API_HOST=http://127.0.0.1:18080 CDS_SECRET_ID=AK CDS_SECRET_KEY=s3")
	expect(t, e.run("fake", "-no-such-flag"), 4)
	contains(t, e.ok("fake", "-help"), "-delay", "-fault")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e.ctx = ctx
	stdout := &signalBuffer{want: "\n", seen: make(chan struct{})}
	done := make(chan int)
	go func() {
		a := newApp(ctx, strings.NewReader(""), stdout, os.Stderr, nil)
		done <- a.run([]string{"fake", "-addr", "127.0.0.1:0", "-delay", "0"})
	}()
	<-stdout.seen
	line := strings.TrimSpace(stdout.String())
	vars := strings.Fields(strings.TrimPrefix(line, "export "))
	served := &env{t: t, ctx: context.Background(), vars: append(vars, "HOME="+t.TempDir())}
	contains(t, served.ok("zones", "list"), "CN_Hongkong_A")
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("fake exited %d after Ctrl-C, want 0", code)
	}
}

func TestVersionAndCompletion(t *testing.T) {
	e := &env{t: t, ctx: context.Background()}
	contains(t, e.ok("version"), "cdslb ", "library "+cdslb.Version)
	contains(t, e.ok("version", "-o", "json"), `"LibraryVersion": "`+cdslb.Version+`"`)
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		if out := e.ok("completion", shell); !strings.Contains(out, "cdslb") {
			t.Errorf("%s completion does not name cdslb", shell)
		}
	}
}

// --help names every command, so a reader finds them all on one page.
func TestHelpListsEveryCommand(t *testing.T) {
	e := &env{t: t, ctx: context.Background()}
	help := e.ok("--help")
	for _, path := range leafCommands() {
		contains(t, help, "\n  "+strings.TrimPrefix(path, "cdslb ")+" ")
	}
	contains(t, help, "Exit status:", "3  the outcome")
}

// --rate-limit installs the library's limit, whose debug record shows
// each attempt's wait; --debug writes the library's records to stderr.
func TestRateLimitAndDebug(t *testing.T) {
	e := newEnv(t)
	r := e.run("zones", "list", "--debug")
	expect(t, r, 0)
	contains(t, r.stderr, "DescribeZones")
	lacks(t, r.stderr, "cdslb rate limit")
	if r := e.run("zones", "list"); r.stderr != "" {
		t.Errorf("without --debug stderr holds %q", r.stderr)
	}
	r = e.run("zones", "list", "--debug", "--rate-limit", "50")
	expect(t, r, 0)
	contains(t, r.stderr, "cdslb rate limit")
	for _, bad := range []string{"-1", "NaN", "+Inf", "x"} {
		expect(t, e.run("zones", "list", "--rate-limit", bad), 4)
	}
}
