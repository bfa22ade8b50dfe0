package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/cdsgo/cdslb"
	"github.com/spf13/cobra"
)

// listenerSet is a whole set of listeners: what "listeners list" prints
// as JSON or YAML and what plan and apply read with -f.
type listenerSet struct {
	HTTPListeners []cdslb.HTTPListener
	TCPListeners  []cdslb.TCPListener
}

func (a *app) listenersCommand() *cobra.Command {
	l := group("listeners", "Listeners: list, plan, apply, remove")
	l.AddCommand(a.listenersListCommand(), a.listenersPlanCommand(), a.listenersApplyCommand(), a.listenersRemoveCommand())
	return l
}

func (a *app) listenersListCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "list ID",
		Short: "List a load balancer's listeners (DescribeLoadBalancerStrategys)",
		Long: `List a load balancer's listeners. As JSON or YAML it prints the whole set,
{"HTTPListeners": [...], "TCPListeners": [...]}, which "listeners plan" and
"listeners apply" read back with -f.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			resp, err := c.DescribeLoadBalancerStrategys(cmd.Context(), &cdslb.DescribeLoadBalancerStrategysRequest{InstanceUUID: args[0]})
			if err != nil {
				return err
			}
			set := listenerSet{nonNil(resp.HTTPListeners), nonNil(resp.TCPListeners)}
			return a.print(set, func() *table {
				t := &table{header: []string{"MODE", "NAME", "PORT", "SCHEDULER", "MAX_CONN", "BACKENDS", "CERTIFICATES"}}
				for _, l := range set.HTTPListeners {
					certs := make([]string, len(l.Certificates))
					for i, c := range l.Certificates {
						certs[i] = c.CertificateID
					}
					t.add(cdslb.ListenerModeHTTP, l.ListenerName, itoa(l.ListenerPort), string(l.Scheduler), itoa(l.MaxConn), backends(l.BackendServers), strings.Join(certs, ","))
				}
				for _, l := range set.TCPListeners {
					t.add(cdslb.ListenerModeTCP, l.ListenerName, itoa(l.ListenerPort), string(l.Scheduler), itoa(l.MaxConn), backends(l.BackendServers), "")
				}
				return t
			})
		},
	}
}

func backends(bs []cdslb.BackendServer) string {
	s := make([]string, len(bs))
	for i, b := range bs {
		s[i] = fmt.Sprintf("%s:%d", b.IP, b.Port)
	}
	return strings.Join(s, ",")
}

// plan reads the desired set, plans it against the instance and prints
// the plan; it returns the client, for apply.
func (a *app) plan(cmd *cobra.Command, id, file string) (*cdslb.Client, *cdslb.ListenerPlan, error) {
	c, err := a.client()
	if err != nil {
		return nil, nil, err
	}
	var want listenerSet
	if err := a.decodeFile(file, &want); err != nil {
		return nil, nil, err
	}
	p, err := c.PlanListeners(cmd.Context(), id, want.HTTPListeners, want.TCPListeners)
	if err != nil {
		return nil, nil, err
	}
	return c, p, a.printPlan(a.stdout, p)
}

// printPlan prints a plan: as its diff with -o table, else as the
// library's ListenerPlan (InstanceUUID and Changes).
func (a *app) printPlan(w io.Writer, p *cdslb.ListenerPlan) error {
	switch a.output {
	case "json":
		return writeJSON(w, p)
	case "yaml":
		return writeYAML(w, p)
	}
	_, err := io.WriteString(w, p.String())
	return err
}

func (a *app) listenersPlanCommand() *cobra.Command {
	var file string
	var detailed bool
	cmd := &cobra.Command{
		Use:   "plan ID -f FILE",
		Short: "Show what applying a listener set would change, changing nothing",
		Long: `Compare a load balancer's listeners with the desired set in FILE,
{"HTTPListeners": [...], "TCPListeners": [...]} as the library's JSON or YAML
(durations as nanoseconds or as "5s"), and print the plan: a "+", "~" or "-"
line per listener added, changed or removed, with one line per field. It only
reads. With --detailed-exitcode the exit status is 2 when the plan has
changes, 0 when it has none.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, p, err := a.plan(cmd, args[0], file)
			if err != nil {
				return err
			}
			if detailed && !p.Empty() {
				return errPlanHasChanges
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "the desired listener set, JSON or YAML; - for stdin")
	cmd.Flags().BoolVar(&detailed, "detailed-exitcode", false, "exit with status 2 when the plan has changes")
	return cmd
}

func (a *app) listenersApplyCommand() *cobra.Command {
	var file string
	var wait bool
	cmd := &cobra.Command{
		Use:   "apply ID -f FILE",
		Short: "Plan a listener set, show the plan, and apply it; --wait until running",
		Long: `Plan the desired set in FILE as "listeners plan" does, print the plan, and
apply it (ApplyListeners): nothing is sent when it has no changes, and
nothing when the listeners changed since the plan was read (plan again). The
write is never resent: exit status 3 means it may have been applied, so plan
again to see.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, p, err := a.plan(cmd, args[0], file)
			if err != nil {
				return err
			}
			if p.Empty() {
				return nil
			}
			resp, err := c.ApplyListeners(cmd.Context(), p)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "applied to load balancer %s%s\n", args[0], task(resp.TaskID))
			if wait {
				if _, err := a.wait(c, args[0], goalRunning); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "the desired listener set, JSON or YAML; - for stdin")
	cmd.Flags().BoolVar(&wait, "wait", false, "wait until the load balancer is running again")
	a.waitFlags(cmd)
	return cmd
}

func (a *app) listenersRemoveCommand() *cobra.Command {
	var wait bool
	cmd := &cobra.Command{
		Use: "remove ID NAME", Short: "Remove one listener, keeping the others (RemoveListener)", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			resp, err := c.RemoveListener(cmd.Context(), args[0], args[1])
			if err != nil {
				return err
			}
			return a.changed(c, args[0], wait, resp.ResponseMeta, resp)
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "wait until the load balancer is running again")
	a.waitFlags(cmd)
	return cmd
}

// task is " (task ID)", or nothing for an answer without a task id, such
// as a write whose lost answer the library settled by reading the set.
func task(id string) string {
	if id == "" {
		return ""
	}
	return " (task " + id + ")"
}
