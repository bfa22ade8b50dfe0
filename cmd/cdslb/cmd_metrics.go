package main

import (
	"strconv"
	"time"

	"github.com/cdsgo/cdslb"
	"github.com/spf13/cobra"
)

// performance is what "metrics" prints as JSON or YAML: the library's
// response without the envelope.
type performance struct {
	InstanceUUID string
	MetricKey    cdslb.MetricKey
	StartTime    time.Time
	EndTime      time.Time
	Period       time.Duration
	DataPoints   []cdslb.DataPoint
}

func (a *app) metricsCommand() *cobra.Command {
	var metric, start, end, listener string
	var since time.Duration
	cmd := &cobra.Command{
		Use:   "metrics ID --metric KEY",
		Short: "Print one metric of a load balancer (DescribeLBInstancePerformance)",
		Long: `Print the samples of one metric of a load balancer over the last --since
(default 1h), or from --start to --end (RFC 3339), at most 30 days. The keys
are ha_cpu_usage, ha_mem_usage, ha_inflow, ha_outflow, ha_inpackage,
ha_outpackage, ha_drop_packets, ha_connections_usage, ha_sessions_usage,
ha_inbandwidth, ha_outbandwidth, ha_downserver, ha_responsetime, and the
per-listener ha_listener_connections, ha_listener_sessions and
ha_listener_requests_denied, which need --listener.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := &cdslb.DescribeLBInstancePerformanceRequest{InstanceUUID: args[0], MetricKey: cdslb.MetricKey(metric), ListenerName: listener}
			switch {
			case (start == "") != (end == ""):
				return usageErrorf("give both --start and --end, or neither")
			case start != "" && cmd.Flags().Changed("since"):
				return usageErrorf("give --since or --start and --end, not both")
			case start != "":
				var err error
				if req.StartTime, err = time.Parse(time.RFC3339, start); err != nil {
					return usageErrorf("--start: want an RFC 3339 time such as 2026-01-02T15:04:05Z: %v", err)
				}
				if req.EndTime, err = time.Parse(time.RFC3339, end); err != nil {
					return usageErrorf("--end: want an RFC 3339 time such as 2026-01-02T15:04:05Z: %v", err)
				}
			case since <= 0:
				return usageErrorf("--since %v: must be positive", since)
			default:
				req.EndTime = a.now().Truncate(time.Second)
				req.StartTime = req.EndTime.Add(-since)
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			resp, err := c.DescribeLBInstancePerformance(cmd.Context(), req)
			if err != nil {
				return err
			}
			v := performance{resp.InstanceUUID, resp.MetricKey, resp.StartTime, resp.EndTime, resp.Period, nonNil(resp.DataPoints)}
			return a.print(v, func() *table {
				t := &table{header: []string{"TIME", "SERIES", "VALUE", "UNIT"}}
				for _, p := range resp.DataPoints {
					for _, s := range p.Values {
						t.add(rfc3339(s.Time), p.MetricName, strconv.FormatFloat(s.Value, 'g', -1, 64), p.Unit)
					}
				}
				return t
			})
		},
	}
	cmd.Flags().StringVar(&metric, "metric", "", "the metric's key, such as ha_cpu_usage (required)")
	cmd.Flags().DurationVar(&since, "since", time.Hour, "the span up to now")
	cmd.Flags().StringVar(&start, "start", "", "the span's start, RFC 3339")
	cmd.Flags().StringVar(&end, "end", "", "the span's end, RFC 3339")
	cmd.Flags().StringVar(&listener, "listener", "", "the listener, for the ha_listener_* metrics")
	return cmd
}
