// Command listeners shows how to manage a load balancer's listeners without
// losing any: add them with AddLoadBalancerStrategys, change or remove one
// with UpdateListener and RemoveListener (never a bare
// ModifyLoadBalancerStrategys, which replaces the whole set), and read the
// HAProxy configuration they produce. With -plan it also moves the set to a
// desired one with PlanListeners, printing the plan before applying it.
//
// Without -live it runs against the built-in fake service.
package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/examples/internal/demo"
)

var plan = flag.Bool("plan", false, "also reach a desired listener set through a plan, printed before it is applied")

func main() { demo.Main("listeners", run) }

func run(ctx context.Context, s *demo.Session) error {
	c, poll := s.Client, s.Poll
	id, err := s.Instance(ctx)
	if err != nil {
		return err
	}

	web := cdslb.HTTPListener{
		ListenerName: "web", ListenerPort: 80, Scheduler: cdslb.SchedulerRoundRobin, MaxConn: 5000,
		ConnectTimeout: 5 * time.Second, ClientTimeout: 30 * time.Second, ServerTimeout: 30 * time.Second,
		BackendServers:     []cdslb.BackendServer{{IP: "10.0.0.11", Port: 8080, Weight: 10, MaxConn: 500}},
		SessionPersistence: &cdslb.SessionPersistence{Key: "srv_id", Mode: cdslb.CookieModeVisible, MaxIdle: 10 * time.Minute, MaxLife: time.Hour},
	}
	api := web
	api.ListenerName, api.ListenerPort, api.SessionPersistence = "api", 8000, nil
	if _, err := c.AddLoadBalancerStrategys(ctx, &cdslb.AddLoadBalancerStrategysRequest{InstanceUUID: id, HTTPListeners: []cdslb.HTTPListener{web, api}}); err != nil {
		return err
	}
	if err := show(ctx, c, poll, id, "added web and api"); err != nil {
		return err
	}

	// Change one listener: UpdateListener sends the whole set back with
	// only this change, and refuses if someone changed the set meanwhile.
	if _, err := c.UpdateListener(ctx, id, "web", func(h *cdslb.HTTPListener, _ *cdslb.TCPListener) error {
		h.BackendServers = append(h.BackendServers, cdslb.BackendServer{IP: "10.0.0.12", Port: 8080, Weight: 5, MaxConn: 500})
		return nil
	}); err != nil {
		return err
	}
	if err := show(ctx, c, poll, id, "added a backend to web"); err != nil {
		return err
	}

	if _, err := c.RemoveListener(ctx, id, "api"); err != nil {
		return err
	}
	if err := show(ctx, c, poll, id, "removed api"); err != nil {
		return err
	}

	if *plan {
		// Declare the whole set wanted: web with its second backend
		// weighted up, and a TCP listener for a database.
		web.BackendServers = []cdslb.BackendServer{web.BackendServers[0], {IP: "10.0.0.12", Port: 8080, Weight: 10, MaxConn: 500}}
		db := cdslb.TCPListener{ListenerName: "db", ListenerPort: 3306, Scheduler: cdslb.SchedulerLeastConn, MaxConn: 1000,
			BackendServers: []cdslb.BackendServer{{IP: "10.0.0.21", Port: 3306, Weight: 1, MaxConn: 500}}}
		if err := planAndApply(ctx, c, id, []cdslb.HTTPListener{web}, []cdslb.TCPListener{db}); err != nil {
			return err
		}
		if err := show(ctx, c, poll, id, "applied the plan"); err != nil {
			return err
		}
	}

	cfg, err := c.DescribeHaproxyCustomConfig(ctx, &cdslb.DescribeHaproxyCustomConfigRequest{InstanceUUID: id})
	if err != nil {
		return err
	}
	fmt.Printf("haproxy.cfg, first lines:\n  %s\n", strings.Join(firstLines(cfg.Configs, 8), "\n  "))
	return nil
}

// planAndApply prints what reaching the desired set changes, then applies
// it, unless someone changed the set since the plan was made.
func planAndApply(ctx context.Context, c *cdslb.Client, id string, http []cdslb.HTTPListener, tcp []cdslb.TCPListener) error {
	p, err := c.PlanListeners(ctx, id, http, tcp)
	if err != nil {
		return err
	}
	fmt.Print("plan:\n", p)
	_, err = c.ApplyListeners(ctx, p)
	return err
}

// show waits for the change to apply, then prints the listeners.
func show(ctx context.Context, c *cdslb.Client, poll cdslb.WaitOption, id, what string) error {
	if _, err := c.WaitUntilRunning(ctx, id, poll); err != nil {
		return err
	}
	set, err := c.DescribeLoadBalancerStrategys(ctx, &cdslb.DescribeLoadBalancerStrategysRequest{InstanceUUID: id})
	if err != nil {
		return err
	}
	fmt.Println(what + ":")
	for _, l := range set.HTTPListeners {
		fmt.Printf("  %-4s :%-5d %d backend(s), weights", l.ListenerName, l.ListenerPort, len(l.BackendServers))
		for _, b := range l.BackendServers {
			fmt.Printf(" %s=%d", b.IP, b.Weight)
		}
		fmt.Println()
	}
	return nil
}

func firstLines(s string, n int) []string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[:min(n, len(lines))]
}
