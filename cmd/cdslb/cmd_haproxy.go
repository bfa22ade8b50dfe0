package main

import (
	"io"

	"github.com/cdsgo/cdslb"
	"github.com/spf13/cobra"
)

// haproxyConfig is what "haproxy-config get" prints as JSON or YAML.
type haproxyConfig struct {
	InstanceUUID string
	Configs      string
}

func (a *app) haproxyCommand() *cobra.Command {
	h := group("haproxy-config", "A load balancer's custom haproxy.cfg: get, set")
	h.AddCommand(&cobra.Command{
		Use: "get ID", Short: "Print a load balancer's haproxy.cfg (DescribeHaproxyCustomConfig)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			resp, err := c.DescribeHaproxyCustomConfig(cmd.Context(), &cdslb.DescribeHaproxyCustomConfigRequest{InstanceUUID: args[0]})
			if err != nil {
				return err
			}
			if a.output == "table" { // the file itself, to redirect into one
				_, err := io.WriteString(a.stdout, resp.Configs)
				return err
			}
			return a.print(haproxyConfig{args[0], resp.Configs}, nil)
		},
	})
	var file string
	var wait bool
	set := &cobra.Command{
		Use:   "set ID -f haproxy.cfg",
		Short: "Replace a load balancer's haproxy.cfg (ModifyHaproxyCustomConfig); --wait until running",
		Long: `Replace a load balancer's haproxy.cfg with the file's text (- for stdin). A
later listener change regenerates the file from the listeners.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if file == "" {
				return usageErrorf("-f FILE is required")
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			data, err := a.readFile(file)
			if err != nil {
				return err
			}
			resp, err := c.ModifyHaproxyCustomConfig(cmd.Context(), &cdslb.ModifyHaproxyCustomConfigRequest{InstanceUUID: args[0], Configs: string(data)})
			if err != nil {
				return err
			}
			return a.changed(c, args[0], wait, resp.ResponseMeta, resp)
		},
	}
	set.Flags().StringVarP(&file, "file", "f", "", "the haproxy.cfg to set; - for stdin")
	set.Flags().BoolVar(&wait, "wait", false, "wait until the load balancer is running again")
	a.waitFlags(set)
	h.AddCommand(set)
	return h
}
