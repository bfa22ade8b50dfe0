package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cdsgo/cdslb"
	"github.com/spf13/cobra"
)

func contextWithTimeout(cmd *cobra.Command, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(cmd.Context(), d)
}

// printMeta prints the answer of a change that returns no resource: its
// task id, or the response as the library's JSON.
func (a *app) printMeta(id string, meta cdslb.ResponseMeta, resp any) error {
	return a.print(resp, func() *table {
		t := &table{header: []string{"INSTANCE_UUID", "TASK_ID"}}
		t.add(id, meta.TaskID)
		return t
	})
}

// changed ends a change that makes the instance busy: it waits, with
// --wait, until the instance runs again, then prints the answer.
func (a *app) changed(c *cdslb.Client, id string, wait bool, meta cdslb.ResponseMeta, resp any) error {
	if wait {
		if _, err := a.wait(c, id, goalRunning); err != nil {
			return err
		}
	}
	return a.printMeta(id, meta, resp)
}

func (a *app) lbRenameCommand() *cobra.Command {
	return &cobra.Command{
		Use: "rename ID NAME", Short: "Rename a load balancer (ModifyLoadBalancerName)", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			resp, err := c.ModifyLoadBalancerName(cmd.Context(), &cdslb.ModifyLoadBalancerNameRequest{InstanceUUID: args[0], InstanceName: args[1]})
			if err != nil {
				return err
			}
			return a.printMeta(args[0], resp.ResponseMeta, resp)
		},
	}
}

func (a *app) lbResizeCommand() *cobra.Command {
	var size string
	var wait bool
	cmd := &cobra.Command{
		Use: "resize ID --size N", Short: "Change a load balancer's size (ModifyLoadBalancerInstanceSpec); --wait until running", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if size == "" {
				return usageError{fmt.Errorf("--size is required: a PaasGoodsID or a size such as 4C8G (cdslb sizes list --instance %s)", args[0])}
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			goods, err := parseSize(size, func() ([]cdslb.InstanceSize, error) {
				resp, err := c.DescribeLoadBalancersModifySpec(cmd.Context(), &cdslb.DescribeLoadBalancersModifySpecRequest{InstanceUUID: args[0]})
				return resp.Sizes(), err
			})
			if err != nil {
				return err
			}
			resp, err := c.ModifyLoadBalancerInstanceSpec(cmd.Context(), &cdslb.ModifyLoadBalancerInstanceSpecRequest{InstanceUUID: args[0], PaasGoodsID: goods})
			if err != nil {
				return err
			}
			if !wait {
				return a.printMeta(args[0], resp.ResponseMeta, resp)
			}
			lb, err := a.wait(c, args[0], goalRunning)
			if err != nil {
				return err
			}
			return a.printLBs([]cdslb.LoadBalancer{*lb})
		},
	}
	cmd.Flags().StringVar(&size, "size", "", "the new size: a PaasGoodsID, or a size such as 4C8G")
	cmd.Flags().BoolVar(&wait, "wait", false, "wait until it is running again, and print it")
	a.waitFlags(cmd)
	return cmd
}

func (a *app) lbDeleteCommand() *cobra.Command {
	var wait, yes bool
	cmd := &cobra.Command{
		Use:   "delete ID",
		Short: "Delete a load balancer (DeleteLoadBalancer); --wait until gone",
		Long: `Delete a load balancer. Without --yes it asks on a terminal, and refuses
(exit status 4) when standard input is not one, so a script must say --yes.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			if !yes {
				if err := a.confirm(fmt.Sprintf("Delete load balancer %s? Type its id to confirm: ", args[0]), args[0]); err != nil {
					return err
				}
			}
			resp, err := c.DeleteLoadBalancer(cmd.Context(), &cdslb.DeleteLoadBalancerRequest{InstanceUUID: args[0]})
			if err != nil {
				return err
			}
			if !wait {
				return a.printMeta(args[0], resp.ResponseMeta, resp)
			}
			if _, err := a.wait(c, args[0], goalDeleted); err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "load balancer %s deleted\n", args[0])
			return a.printMeta(args[0], resp.ResponseMeta, resp)
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "wait until it is gone")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "delete without asking")
	a.waitFlags(cmd)
	return cmd
}

// confirm asks on a terminal for the answer want; elsewhere it refuses.
func (a *app) confirm(question, want string) error {
	if !a.isTerminal(a.stdin) {
		return usageError{fmt.Errorf("refusing to delete without --yes: standard input is not a terminal to confirm on")}
	}
	fmt.Fprint(a.stderr, question)
	line, err := a.interruptible("-", func() ([]byte, error) {
		line, _ := bufio.NewReader(a.stdin).ReadString('\n')
		return []byte(line), nil
	})
	if err != nil {
		return err
	}
	if strings.TrimSpace(string(line)) != want {
		return usageError{fmt.Errorf("not confirmed; nothing was deleted")}
	}
	return nil
}

func (a *app) lbWaitCommand() *cobra.Command {
	var forState string
	cmd := &cobra.Command{
		Use:   "wait ID",
		Short: "Wait until a load balancer is running, or deleted (--for deleted)",
		Long: `Wait until a load balancer is running (--for running, the default) or gone
(--for deleted), bounded by --timeout. It only reads: Ctrl-C or the timeout
stops waiting and leaves the instance as it is (exit status 5), as does a
failed status such as CREATE_FAILED.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var g goal
			switch forState {
			case "running":
				g = goalRunning
			case "deleted":
				g = goalDeleted
			default:
				return usageError{fmt.Errorf("--for %q: want running or deleted", forState)}
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			lb, err := a.wait(c, args[0], g)
			if err != nil {
				return err
			}
			if g == goalDeleted {
				fmt.Fprintf(a.stderr, "load balancer %s is gone\n", args[0])
				return nil
			}
			return a.printLBs([]cdslb.LoadBalancer{*lb})
		},
	}
	cmd.Flags().StringVar(&forState, "for", "running", "the state to wait for: running or deleted")
	cmd.Flags().DurationVar(&a.notFoundGrace, "not-found-grace", time.Minute,
		"how long the load balancer may be missing from the list before the wait fails (exit status 5); a new one may take a moment to be listed")
	a.waitFlags(cmd)
	return cmd
}
