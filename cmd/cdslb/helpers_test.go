package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cdsgo/cdslb/cdslbtest"
	"github.com/spf13/cobra"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the output the tests get")

// testNow is the clock of every test: the fake's and the command's.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// ran records the commands the tests ran, for TestEveryCommandIsTested.
var ran sync.Map

func TestMain(m *testing.M) {
	if os.Getenv("CDSLB_TEST_RUN_MAIN") == "1" { // the test binary as the command, for signal tests
		main() // reads os.Args[1:], the command line given to the test binary
	}
	flag.Parse()
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" && !testing.Short() {
		var missing []string
		for _, path := range leafCommands() {
			if _, ok := ran.Load(path); !ok {
				missing = append(missing, path)
			}
		}
		if len(missing) > 0 {
			os.Stderr.WriteString("commands no test runs: " + strings.Join(missing, ", ") + "\n")
			code = 1
		}
	}
	os.Exit(code)
}

// leafCommands lists the path of every command that runs something.
func leafCommands() []string {
	var out []string
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.HasSubCommands() {
				walk(sub)
			} else if sub.Runnable() && sub.Name() != "help" {
				out = append(out, sub.CommandPath())
			}
		}
	}
	walk(newApp(context.Background(), nil, nil, nil, nil).rootCommand())
	slices.Sort(out)
	return out
}

// result is what one run of the command left.
type result struct {
	code           int
	stdout, stderr string
}

// env is a run's environment.
type env struct {
	t     testing.TB
	srv   *cdslbtest.Server
	vars  []string
	stdin string
	ctx   context.Context
	term  bool // the run's stdin and stderr are terminals
}

// newEnv starts a fake and an environment pointing at it, with a home of
// its own, so no test reads the user's profile.
func newEnv(t testing.TB, opts ...cdslbtest.Option) *env {
	opts = append([]cdslbtest.Option{cdslbtest.WithClock(func() time.Time { return testNow })}, opts...)
	srv := cdslbtest.NewServer(t, opts...)
	return &env{t: t, srv: srv, ctx: context.Background(), vars: []string{
		"CDS_API_HOST=" + srv.URL, "CDS_SECRET_ID=" + srv.AccessKeyID(), "CDS_SECRET_KEY=" + srv.AccessKeySecret(),
		"HOME=" + t.TempDir(), "XDG_CONFIG_HOME="}}
}

// run runs the command line in-process.
func (e *env) run(args ...string) result {
	e.t.Helper()
	var stdout, stderr bytes.Buffer
	a := newApp(e.ctx, strings.NewReader(e.stdin), &stdout, &stderr, e.vars)
	a.now = func() time.Time { return testNow }
	a.isTerminal = func(any) bool { return e.term }
	code := a.run(args)
	if cmd, _, err := a.rootCommand().Find(args); err == nil {
		ran.Store(cmd.CommandPath(), true)
	}
	return result{code, stdout.String(), stderr.String()}
}

// ok runs the command line and fails the test unless it exits 0.
func (e *env) ok(args ...string) string {
	e.t.Helper()
	r := e.run(args...)
	if r.code != 0 {
		e.t.Fatalf("cdslb %s: exit %d, want 0\nstderr: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// file writes a file in a temporary folder and returns its path.
func file(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	check(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

// golden compares got with testdata/NAME.golden, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		check(t, os.MkdirAll("testdata", 0o755))
		check(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; go test -update writes it", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -update rewrites it)\n--- got:\n%s\n--- want:\n%s", path, got, want)
	}
}

// check fails the test on an error.
func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// expect fails the test unless the run exited with code.
func expect(t testing.TB, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
}

// contains fails the test unless s contains each of subs.
func contains(t testing.TB, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%q not in:\n%s", sub, s)
		}
	}
}

// lacks fails the test if s contains any of subs.
func lacks(t testing.TB, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if sub != "" && strings.Contains(s, sub) {
			t.Errorf("%q must not appear in:\n%s", sub, s)
		}
	}
}

const createYAML = `RegionID: CN_Hongkong_A
VdcID: vdc-1
BasePipeID: pipe-1
InstanceName: web
PaasGoodsID: 5072
IPs:
  - PipeType: private
    PipeID: pipe-1
`

const listenersYAML = `HTTPListeners:
  - ListenerName: web
    ListenerPort: 80
    Scheduler: roundrobin
    MaxConn: 2000
    ConnectTimeout: 5s
    ClientTimeout: 30s
    ServerTimeout: 30s
    BackendServers:
      - {IP: 10.0.0.1, Port: 8080, Weight: 1}
TCPListeners:
  - ListenerName: db
    ListenerPort: 5432
    Scheduler: leastconn
    BackendServers:
      - {IP: 10.0.0.3, Port: 5432, Weight: 2}
`
