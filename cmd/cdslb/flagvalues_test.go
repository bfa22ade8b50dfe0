package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// A wait flag out of range is refused before anything is sent, by every
// command that waits (found by its --timeout flag, so a waiting command
// added tomorrow is swept too): exit 4 promises nothing was sent, and a
// create sent before the refusal would make a script that retries it
// create twice.
func TestWaitFlagsAreCheckedBeforeSending(t *testing.T) {
	e, lb := seeded(t)
	set := file(t, "set.yaml", listenersYAML)
	cfg := file(t, "haproxy.cfg", "global\n  maxconn 100\n")
	create := file(t, "c.yaml", createYAML)
	lines := map[string][]string{
		"cdslb lb create":          {"lb", "create", "-f", create, "--wait"},
		"cdslb lb ensure":          {"lb", "ensure", "-f", create},
		"cdslb lb resize":          {"lb", "resize", lb.InstanceUUID, "--size", "4C8G", "--wait"},
		"cdslb lb delete":          {"lb", "delete", lb.InstanceUUID, "--yes", "--wait"},
		"cdslb lb wait":            {"lb", "wait", lb.InstanceUUID},
		"cdslb listeners apply":    {"listeners", "apply", lb.InstanceUUID, "-f", set, "--wait"},
		"cdslb listeners remove":   {"listeners", "remove", lb.InstanceUUID, "site", "--wait"},
		"cdslb haproxy-config set": {"haproxy-config", "set", lb.InstanceUUID, "-f", cfg, "--wait"},
	}
	var waiting []string
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Flags().Lookup("timeout") != nil {
				waiting = append(waiting, sub.CommandPath())
			}
			walk(sub)
		}
	}
	walk(newApp(context.Background(), nil, nil, nil, nil).rootCommand())
	for _, path := range waiting {
		line, ok := lines[path]
		if !ok {
			t.Errorf("%s waits: add its command line to this test", path)
			continue
		}
		for _, bad := range [][]string{{"--timeout", "0"}, {"--timeout", "-1s"}, {"--poll-interval", "-1s"}} {
			e.srv.ClearJournal()
			r := e.run(append(append([]string{}, line...), bad...)...)
			expect(t, r, 4)
			contains(t, r.stderr, bad[0])
			if w := e.srv.Writes(); len(w) > 0 {
				t.Errorf("%s %s: refused with exit 4 after sending %s", path, strings.Join(bad, " "), w[0].Action)
			}
		}
	}
}

// A file too large to be a request, a certificate or a haproxy.cfg (or an
// endless one, such as /dev/zero) is refused before anything is sent,
// without reading it whole: every command that reads a file.
func TestHugeInputFilesAreRefusedBeforeSending(t *testing.T) {
	e, lb := seeded(t)
	huge := file(t, "huge.yaml", "")
	check(t, os.Truncate(huge, maxInputFile+1)) // sparse: costs no disk
	key := file(t, "key.pem", "x")
	files := []string{huge}
	if _, err := os.Stat("/dev/zero"); err == nil {
		files = append(files, "/dev/zero")
	}
	for _, f := range files {
		for _, args := range [][]string{
			{"lb", "create", "-f", f},
			{"lb", "ensure", "-f", f},
			{"listeners", "plan", lb.InstanceUUID, "-f", f},
			{"listeners", "apply", lb.InstanceUUID, "-f", f},
			{"haproxy-config", "set", lb.InstanceUUID, "-f", f},
			{"certs", "upload", "--name", "n", "--cert", f, "--key", key},
			{"certs", "ensure", "--name", "n", "--cert", key, "--key", f},
		} {
			e.srv.ClearJournal()
			r := e.run(args...)
			expect(t, r, 4)
			contains(t, r.stderr, "larger than 16 MiB")
			if w := e.srv.Writes(); len(w) > 0 {
				t.Errorf("cdslb %s: sent %s", strings.Join(args, " "), w[0].Action)
			}
		}
	}
}

// A YAML file whose aliases expand to millions of values (a "billion
// laughs" shaped to the listener set: N aliases of a listener whose
// backends are N aliases of one server) is refused at once, before the
// expansion exhausts memory: the decoder follows aliases itself.
func TestAliasExpansionIsBounded(t *testing.T) {
	e, lb := seeded(t)
	const n = 3000 // 9 million backends once expanded
	var b strings.Builder
	b.WriteString("HTTPListeners:\n  - &l\n    ListenerName: web\n    ListenerPort: 80\n    Scheduler: roundrobin\n    BackendServers:\n      - &s {IP: 10.0.0.1, Port: 8080, Weight: 1}\n")
	b.WriteString(strings.Repeat("      - *s\n", n))
	b.WriteString(strings.Repeat("  - *l\n", n))
	f := file(t, "laughs.yaml", b.String())
	for _, cmd := range []string{"plan", "apply"} {
		r := e.run("listeners", cmd, lb.InstanceUUID, "-f", f)
		expect(t, r, 4)
		contains(t, r.stderr, "aliases")
	}
	if w := e.srv.Writes(); len(w) > 0 {
		t.Errorf("sent %s", w[0].Action)
	}
	// A few aliases, as a file sharing one backend list between listeners
	// has, read as written.
	shared := "TCPListeners:\n  - ListenerName: a\n    ListenerPort: 81\n    Scheduler: roundrobin\n    BackendServers: &b\n      - {IP: 10.0.0.1, Port: 8080, Weight: 1}\n" +
		"  - ListenerName: b\n    ListenerPort: 82\n    Scheduler: roundrobin\n    BackendServers: *b\n"
	contains(t, e.ok("listeners", "plan", lb.InstanceUUID, "-f", file(t, "shared.yaml", shared)), `"a"`, `"b"`)
}

// sizes list --cpu/--ram out of range, or one without the other, is a
// wrong command line (exit 4), said before any request; a size not
// offered is the service's answer (exit 1).
func TestSizeLookupFlagsAreChecked(t *testing.T) {
	e := newEnv(t)
	for _, bad := range [][]string{{"--cpu", "2"}, {"--ram", "4"}, {"--cpu", "-1", "--ram", "2"}, {"--cpu", "2", "--ram", "0"}} {
		before := e.srv.Requests("*")
		r := e.run(append([]string{"sizes", "list", "--region", "CN_Hongkong_A"}, bad...)...)
		expect(t, r, 4)
		contains(t, r.stderr, "give both")
		if n := e.srv.Requests("*") - before; n != 0 {
			t.Errorf("%v: %d requests sent", bad, n)
		}
	}
	expect(t, e.run("sizes", "list", "--region", "CN_Hongkong_A", "--cpu", "3", "--ram", "3"), 1)
}
