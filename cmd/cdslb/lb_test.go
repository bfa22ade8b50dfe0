package main

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/cdslbtest"
)

// The life of a load balancer through the commands: create from a file
// with flags over it, find it, rename, resize by size name, wait, delete.
func TestLoadBalancerCommands(t *testing.T) {
	e := newEnv(t)
	out := e.ok("lb", "create", "-f", file(t, "c.yaml", createYAML), "--name", "api", "--size", "2C4G", "--wait", "-o", "json")
	var created []cdslb.LoadBalancer
	check(t, json.Unmarshal([]byte(out), &created))
	if len(created) != 1 || created[0].InstanceName != "api" || created[0].Status != cdslb.StatusRunning || created[0].CPU != 2 {
		t.Fatalf("created %+v", created)
	}
	id := created[0].InstanceUUID

	out = e.ok("lb", "create", "-f", file(t, "c.json", `{"RegionID":"CN_Hongkong_A","VdcID":"v","BasePipeID":"p","InstanceName":"other","PaasGoodsID":5072,"IPs":[{"PipeType":"private","PipeID":"p"}]}`))
	contains(t, out, "INSTANCE_UUID", "TASK_ID")

	contains(t, e.ok("lb", "list", "--name", "api", "--no-headers"), id)
	if out := e.ok("lb", "list", "--name", "nothing-like-it", "-o", "json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("an empty list prints %q, want []", out)
	}
	e.srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "tagged", Tags: []string{"blue"}})
	tagged := e.ok("lb", "list", "--tag", "blue", "--no-headers")
	if strings.Count(tagged, "\n") != 1 || !strings.Contains(tagged, "tagged") {
		t.Errorf("--tag blue lists:\n%s", tagged)
	}
	contains(t, e.ok("lb", "list", "--ip", "66.66."), id)

	e.ok("lb", "rename", id, "api-2")
	contains(t, e.ok("lb", "get", id), "api-2")

	e.ok("lb", "resize", id, "--size", "4C8G", "--wait")
	if lb := lbNamed(t, e, "api-2"); lb.CPU != 4 {
		t.Errorf("resized to %d CPU, want 4", lb.CPU)
	}
	e.ok("lb", "resize", id, "--size", "5072")
	expect(t, e.run("lb", "resize", id, "--size", "3C3G"), 4)

	contains(t, e.ok("lb", "wait", id), id)
	e.ok("lb", "delete", id, "--yes", "--wait")
	if lbNamed(t, e, "api-2") != nil {
		t.Error("still listed after delete --wait")
	}
	e.ok("lb", "wait", id, "--for", "deleted")
}

func lbNamed(t *testing.T, e *env, name string) *cdslb.LoadBalancer {
	for _, lb := range e.srv.LoadBalancers() {
		if lb.InstanceName == name {
			return &lb
		}
	}
	return nil
}

// lb ensure creates once, then finds: running it twice makes one instance.
func TestLoadBalancerEnsureIsRepeatable(t *testing.T) {
	e := newEnv(t)
	f := file(t, "c.yaml", createYAML)
	r := e.run("lb", "ensure", "-f", f)
	expect(t, r, 0)
	contains(t, r.stderr, "created")
	r = e.run("lb", "ensure", "-f", f, "-o", "json")
	expect(t, r, 0)
	contains(t, r.stderr, "found")
	if n := e.srv.Requests("CreateLoadBalancer"); n != 1 {
		t.Errorf("%d creates, want 1", n)
	}
}

// delete without --yes asks on a terminal and refuses elsewhere, sending
// nothing either way unless confirmed.
func TestDeleteAsksUnlessYes(t *testing.T) {
	e, lb := seeded(t)
	r := e.run("lb", "delete", lb.InstanceUUID)
	expect(t, r, 4)
	contains(t, r.stderr, "--yes")
	e.term, e.stdin = true, "no\n"
	expect(t, e.run("lb", "delete", lb.InstanceUUID), 4)
	if n := e.srv.Requests("DeleteLoadBalancer"); n != 0 {
		t.Fatalf("%d deletes sent without confirmation", n)
	}
	e.stdin = lb.InstanceUUID + "\n"
	expect(t, e.run("lb", "delete", lb.InstanceUUID), 0)
	if n := e.srv.Requests("DeleteLoadBalancer"); n != 1 {
		t.Fatalf("%d deletes sent after confirmation, want 1", n)
	}
}

// Without a terminal the wait prints one line per status change, with the
// elapsed time; the busy state is seen, then RUNNING.
func TestWaitPrintsEachStatusChange(t *testing.T) {
	clock := cdslbtest.NewClock(testNow)
	e := newEnv(t, cdslbtest.WithBusyFor(time.Minute), cdslbtest.WithClock(clock.Now))
	lb := e.srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "w"})
	e.ok("lb", "resize", lb.InstanceUUID, "--size", "5075")
	stderr := &signalBuffer{want: "CHANGING", seen: make(chan struct{})}
	go func() { <-stderr.seen; clock.Advance(time.Minute) }()
	code := runWith(e, stderr, "lb", "wait", lb.InstanceUUID, "--poll-interval", "10ms")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "CHANGING") || !strings.Contains(lines[1], "RUNNING") {
		t.Errorf("want a CHANGING line and a RUNNING line, got:\n%s", stderr.String())
	}
}

// Ctrl-C stops the wait, not the instance: exit 5, the message says in
// which state it was left, and no write was sent.
func TestInterruptStopsWaitingAndSaysWhatWasLeft(t *testing.T) {
	clock := cdslbtest.NewClock(testNow)
	e := newEnv(t, cdslbtest.WithBusyFor(time.Hour), cdslbtest.WithClock(clock.Now))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.ctx = ctx
	stderr := &signalBuffer{want: "CREATING", seen: make(chan struct{})}
	go func() { <-stderr.seen; cancel() }()
	code := runWith(e, stderr, "lb", "create", "-f", file(t, "c.yaml", createYAML), "--wait", "--poll-interval", "10ms")
	if code != 5 {
		t.Fatalf("exit %d, want 5: %s", code, stderr.String())
	}
	contains(t, stderr.String(), "interrupted", "left it as it was: CREATING", "cdslb lb wait ")
	if n := e.srv.Requests("DeleteLoadBalancer"); n != 0 {
		t.Error("an interrupted wait deleted")
	}
	if lbs := e.srv.LoadBalancers(); len(lbs) != 1 {
		t.Errorf("%d instances, want the one created", len(lbs))
	}
}

// On a terminal the wait draws one line, redrawn with the status and the
// elapsed time, and ends it with a line break.
func TestWaitOnATerminalRedrawsOneLine(t *testing.T) {
	e, lb := seeded(t)
	e.term = true
	r := e.run("lb", "wait", lb.InstanceUUID)
	expect(t, r, 0)
	contains(t, r.stderr, "\r\033[K", "RUNNING", "0s")
	if !strings.HasSuffix(r.stderr, "\n") {
		t.Errorf("the line is not ended: %q", r.stderr)
	}
}

// runWith runs a command line with stderr given.
func runWith(e *env, stderr *signalBuffer, args ...string) int {
	var stdout strings.Builder
	a := newApp(e.ctx, strings.NewReader(e.stdin), &stdout, stderr, e.vars)
	a.now = func() time.Time { return testNow }
	a.isTerminal = func(any) bool { return false }
	if cmd, _, err := a.rootCommand().Find(args); err == nil {
		ran.Store(cmd.CommandPath(), true)
	}
	return a.run(args)
}

// signalBuffer closes seen once want has been written.
type signalBuffer struct {
	mu   sync.Mutex
	b    strings.Builder
	want string
	seen chan struct{}
	once sync.Once
}

func (s *signalBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Write(p)
	if strings.Contains(s.b.String(), s.want) {
		s.once.Do(func() { close(s.seen) })
	}
	return len(p), nil
}

func (s *signalBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lb wait on an id that is not listed fails once --not-found-grace has
// passed (0: at the first poll), not after the default minute; a negative
// grace is refused before anything is sent.
func TestLBWaitNotFoundGrace(t *testing.T) {
	e := newEnv(t)
	r := e.run("lb", "wait", "no-such-id", "--not-found-grace", "0")
	expect(t, r, 5)
	contains(t, r.stderr, "no-such-id", "ResourceNotFound")
	expect(t, e.run("lb", "wait", "no-such-id", "--not-found-grace", "-1s"), 4)
}
