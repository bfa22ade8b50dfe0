package main

import (
	"fmt"
	"strings"

	"github.com/cdsgo/cdslb"
	"github.com/spf13/cobra"
)

func (a *app) lbCommand() *cobra.Command {
	lb := group("lb", "Load balancers: list, get, create, ensure, rename, resize, delete, wait")
	lb.AddCommand(a.lbListCommand(), a.lbGetCommand(), a.lbCreateCommand(), a.lbEnsureCommand(),
		a.lbRenameCommand(), a.lbResizeCommand(), a.lbDeleteCommand(), a.lbWaitCommand())
	return lb
}

// printLBs prints load balancers: JSON and YAML as a list of the
// library's LoadBalancer.
func (a *app) printLBs(lbs []cdslb.LoadBalancer) error {
	return a.print(nonNil(lbs), func() *table {
		t := &table{header: []string{"INSTANCE_UUID", "NAME", "STATUS", "IP", "REGION", "CPU", "MEMORY_MB", "TAGS", "CREATED"}}
		for _, lb := range lbs {
			tags := make([]string, len(lb.Tags))
			for i, tag := range lb.Tags {
				tags[i] = tag.Name
			}
			t.add(lb.InstanceUUID, lb.InstanceName, lb.Status, lb.IP, lb.RegionID, itoa(lb.CPU), itoa(lb.MemoryMB),
				strings.Join(tags, ","), rfc3339(lb.CreatedTime))
		}
		return t
	})
}

func (a *app) lbListCommand() *cobra.Command {
	var req cdslb.DescribeLoadBalancersRequest
	cmd := &cobra.Command{
		Use: "list", Short: "List load balancers (DescribeLoadBalancers)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			resp, err := c.DescribeLoadBalancers(cmd.Context(), &req)
			if err != nil {
				return err
			}
			return a.printLBs(resp.LoadBalancers)
		},
	}
	cmd.Flags().StringVar(&req.InstanceName, "name", "", "only those whose name contains this (the service matches substrings)")
	cmd.Flags().StringVar(&req.IP, "ip", "", "only those with an address that contains this, such as 66.66")
	cmd.Flags().StringVar(&req.TagName, "tag", "", "only those with this tag (exact name)")
	return cmd
}

func (a *app) lbGetCommand() *cobra.Command {
	return &cobra.Command{
		Use: "get ID", Short: "Show one load balancer", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			lb, err := c.GetLoadBalancer(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if a.output != "table" {
				return a.print(lb, nil)
			}
			return a.printLBs([]cdslb.LoadBalancer{*lb})
		},
	}
}

// createFlags are the common fields of a CreateLoadBalancerRequest that
// flags may set, over the file's.
type createFlags struct {
	file, name, region, vdc, basePipe, size string
	amount, subject                         int
	wait                                    bool
}

func (a *app) addCreateFlags(cmd *cobra.Command, f *createFlags) {
	cmd.Flags().StringVarP(&f.file, "file", "f", "", "a CreateLoadBalancerRequest as the library's JSON or YAML (Go field names); - for stdin")
	cmd.Flags().StringVar(&f.name, "name", "", "InstanceName, over the file's")
	cmd.Flags().StringVar(&f.region, "region", "", "RegionID, over the file's")
	cmd.Flags().StringVar(&f.vdc, "vdc", "", "VdcID, over the file's")
	cmd.Flags().StringVar(&f.basePipe, "base-pipe", "", "BasePipeID, over the file's")
	cmd.Flags().StringVar(&f.size, "size", "", "PaasGoodsID, or a size such as 2C4G, over the file's")
	cmd.Flags().IntVar(&f.amount, "amount", 0, "Amount, over the file's")
	cmd.Flags().IntVar(&f.subject, "subject", 0, "SubjectID, over the file's")
}

// createRequest makes the client, reads the file and lays the flags
// given over it.
func (a *app) createRequest(cmd *cobra.Command, f *createFlags) (*cdslb.Client, *cdslb.CreateLoadBalancerRequest, error) {
	c, err := a.client()
	if err != nil {
		return nil, nil, err
	}
	req := &cdslb.CreateLoadBalancerRequest{}
	if f.file != "" {
		if err := a.decodeFile(f.file, req); err != nil {
			return nil, nil, err
		}
	}
	set := func(flag string, apply func()) {
		if cmd.Flags().Changed(flag) {
			apply()
		}
	}
	set("name", func() { req.InstanceName = f.name })
	set("region", func() { req.RegionID = f.region })
	set("vdc", func() { req.VdcID = f.vdc })
	set("base-pipe", func() { req.BasePipeID = f.basePipe })
	set("amount", func() { req.Amount = f.amount })
	set("subject", func() { req.SubjectID = f.subject })
	if cmd.Flags().Changed("size") {
		id, err := parseSize(f.size, func() ([]cdslb.InstanceSize, error) {
			if req.RegionID == "" {
				return nil, usageError{fmt.Errorf("--size %s needs the RegionID (--region) to look the size up", f.size)}
			}
			resp, err := c.DescribeLoadBalancersSpec(cmd.Context(), &cdslb.DescribeLoadBalancersSpecRequest{RegionID: req.RegionID})
			return resp.Sizes(), err
		})
		if err != nil {
			return nil, nil, err
		}
		req.PaasGoodsID = id
	}
	return c, req, nil
}

func (a *app) lbCreateCommand() *cobra.Command {
	var f createFlags
	cmd := &cobra.Command{
		Use:   "create -f FILE",
		Short: "Create load balancers (CreateLoadBalancer); --wait until running",
		Long: `Create load balancers from a CreateLoadBalancerRequest, as the library's JSON
or YAML (Go field names), with flags for the common fields over the file's.
CreateLoadBalancer is never retried once sent: exit status 3 means it may have
created billed instances, so list them by name before creating again (or use
"lb ensure", which does). Without --wait it prints the response (the new ids
and the task); with --wait it waits for each instance to run and prints them
as "lb list" does.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, req, err := a.createRequest(cmd, &f)
			if err != nil {
				return err
			}
			resp, err := c.CreateLoadBalancer(cmd.Context(), req)
			if err != nil {
				return err
			}
			if !f.wait {
				return a.print(resp, func() *table {
					t := &table{header: []string{"INSTANCE_UUID", "TASK_ID"}}
					for _, id := range resp.InstanceUUIDs {
						t.add(id, resp.TaskID)
					}
					return t
				})
			}
			// Said before waiting, so that a wait that ends early still
			// names what was created.
			fmt.Fprintf(a.stderr, "created load balancer %s%s\n", strings.Join(resp.InstanceUUIDs, ", "), task(resp.TaskID))
			var lbs []cdslb.LoadBalancer
			for _, id := range resp.InstanceUUIDs {
				lb, err := a.wait(c, id, goalRunning)
				if err != nil {
					return err
				}
				lbs = append(lbs, *lb)
			}
			return a.printLBs(lbs)
		},
	}
	a.addCreateFlags(cmd, &f)
	cmd.Flags().BoolVar(&f.wait, "wait", false, "wait until every new instance is running")
	a.waitFlags(cmd)
	return cmd
}

func (a *app) lbEnsureCommand() *cobra.Command {
	var f createFlags
	cmd := &cobra.Command{
		Use:   "ensure -f FILE",
		Short: "Find the load balancer of the file's name and region, or create it, and wait until it runs",
		Long: `Find the load balancer named InstanceName in RegionID, creating it from the
request only when there is none (EnsureLoadBalancer), and wait until it is
running, bounded by --timeout. A create whose answer was lost is never sent
again: the instance is looked for by name. Running it again is safe. More than
one instance of the name fails, creating nothing. It always waits, as the
library's helper does; --wait is accepted for symmetry with "lb create".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, req, err := a.createRequest(cmd, &f)
			if err != nil {
				return err
			}
			if a.timeout <= 0 {
				return usageError{fmt.Errorf("--timeout %v: must be positive", a.timeout)}
			}
			var opts []cdslb.WaitOption
			if a.pollEvery > 0 {
				opts = append(opts, cdslb.WithPollInterval(a.pollEvery, a.pollEvery))
			}
			ctx, cancel := contextWithTimeout(cmd, a.timeout)
			defer cancel()
			lb, created, err := c.EnsureLoadBalancer(ctx, req, opts...)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "load balancer %s %s\n", lb.InstanceUUID, map[bool]string{true: "created", false: "found"}[created])
			return a.printLBs([]cdslb.LoadBalancer{*lb})
		},
	}
	a.addCreateFlags(cmd, &f)
	cmd.Flags().BoolVar(&f.wait, "wait", true, "wait until it is running (always)")
	a.waitFlags(cmd)
	return cmd
}
