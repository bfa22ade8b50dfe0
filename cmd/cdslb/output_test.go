package main

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/cdslbtest"
)

// seeded is a fake with one load balancer with listeners and tags, and a
// certificate, all of fixed ids and times.
func seeded(t *testing.T) (*env, cdslb.LoadBalancer) {
	e := newEnv(t)
	lb := e.srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "web", Tags: []string{"prod", "team-a"},
		HTTPListeners: []cdslb.HTTPListener{{ListenerName: "site", ListenerPort: 80, Scheduler: cdslb.SchedulerRoundRobin,
			MaxConn: 2000, ConnectTimeout: 5 * time.Second, ClientTimeout: 30 * time.Second, ServerTimeout: 30 * time.Second,
			BackendServers: []cdslb.BackendServer{{IP: "10.0.0.1", Port: 8080, Weight: 1}}}},
		TCPListeners: []cdslb.TCPListener{{ListenerName: "db", ListenerPort: 5432, Scheduler: cdslb.SchedulerLeastConn,
			BackendServers: []cdslb.BackendServer{{IP: "10.0.0.3", Port: 5432, Weight: 2}}}}})
	e.srv.AddCertificate("site-cert", "example.com")
	return e, lb
}

// Every format of every listing command against golden files: the table's
// columns and their order are part of the interface scripts read, and JSON
// and YAML print the library's types with their Go field names.
func TestOutputFormatsAreStable(t *testing.T) {
	e, lb := seeded(t)
	certID := e.srv.Certificates()[0].CertificateID
	for name, args := range map[string][]string{
		"lb-list":        {"lb", "list"},
		"lb-get":         {"lb", "get", lb.InstanceUUID},
		"listeners-list": {"listeners", "list", lb.InstanceUUID},
		"zones-list":     {"zones", "list"},
		"sizes-list":     {"sizes", "list", "--region", "CN_Hongkong_A"},
		"certs-list":     {"certs", "list"},
		"certs-get":      {"certs", "get", certID},
		"metrics":        {"metrics", lb.InstanceUUID, "--metric", "ha_cpu_usage", "--start", "2026-03-01T10:00:00Z", "--end", "2026-03-01T10:02:00Z"},
		"plan":           {"listeners", "plan", lb.InstanceUUID, "-f", file(t, "set.yaml", listenersYAML)},
	} {
		for _, format := range []string{"table", "json", "yaml"} {
			t.Run(name+"/"+format, func(t *testing.T) {
				out := e.ok(append(args, "-o", format)...)
				golden(t, name+"."+format, pemBlock.ReplaceAllString(out, "<PEM $1>"))
				if format == "json" && !json.Valid([]byte(out)) {
					t.Errorf("not JSON:\n%s", out)
				}
			})
		}
	}
	noHeaders := e.ok("lb", "list", "--no-headers")
	golden(t, "lb-list-no-headers.table", noHeaders)
}

// What "listeners list" prints as JSON or YAML reads back as "listeners
// plan"'s input, and plans no change: one command's output is another's -f.
func TestListenersListOutputIsPlanInput(t *testing.T) {
	e, lb := seeded(t)
	for _, format := range []string{"json", "yaml"} {
		set := e.ok("listeners", "list", lb.InstanceUUID, "-o", format)
		r := e.run("listeners", "plan", lb.InstanceUUID, "-f", file(t, "set."+format, set), "--detailed-exitcode")
		expect(t, r, 0)
		contains(t, r.stdout, "no changes")
	}
}

// Tables keep one line per row: a line break or tab in a value is a space.
func TestTableCellsStayOnOneLine(t *testing.T) {
	e := newEnv(t)
	e.srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "a\tb"})
	out := e.ok("lb", "list", "--no-headers")
	contains(t, out, " a b ")
}

// pemBlock matches a PEM block, in text, JSON or YAML: the fake's keys are
// random, so golden files hold a placeholder.
var pemBlock = regexp.MustCompile(`(?s)-----BEGIN ([A-Z ]+)-----.*?-----END [A-Z ]+-----`)
