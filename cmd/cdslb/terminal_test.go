package main

import (
	"strings"
	"testing"

	"github.com/cdsgo/cdslb/cdslbtest"
)

// controls are runes a terminal acts on rather than shows: escape
// sequences (OSC sets the title, CSI clears the screen), the bell, C1's
// CSI, DEL and the bidirectional overrides that reorder what is shown.
var controls = []string{"\x1b", "\x07", "\u009b", "\x7f", "\u202e", "\u2066", "\x00"}

// A name or status from the service reaches a terminal as text, never as
// a control sequence: whoever names a load balancer in the account must
// not be able to retitle, clear or reorder the terminal of the person
// listing it, nor break the table's columns.
func TestServiceTextReachesTheTerminalInert(t *testing.T) {
	e := newEnv(t)
	name := "a\x1b]0;pwned\x07b\x1b[2Jc\u009b31md\x7fe\u202ef\u2066g\x00h"
	lb := e.srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: name})
	out := e.ok("lb", "list")
	lacks(t, out, controls...)
	contains(t, out, "pwned", "RUNNING")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	column := func(line, word string) int { return displayWidth(line[:strings.Index(line, word)]) }
	if len(lines) != 2 || column(lines[0], "STATUS") != column(lines[1], "RUNNING") {
		t.Errorf("the columns do not line up:\n%s", out)
	}

	e.srv.SetStatus(lb.InstanceUUID, "ERROR\x1b[2J\x1b]0;x\x07")
	e.term = true
	r := e.run("lb", "wait", lb.InstanceUUID, "--timeout", "1m")
	expect(t, r, 5)
	lacks(t, strings.ReplaceAll(r.stderr, "\r\x1b[K", ""), controls...)
	e.term = false
	r = e.run("lb", "wait", lb.InstanceUUID, "--timeout", "1m")
	lacks(t, r.stderr, controls...)
}
