package cdslb

import (
	"context"
	"strings"
	"time"

	"github.com/cdsgo/cdslb/internal/wire"
)

// DescribeLBInstancePerformanceRequest asks for one metric of an instance
// over a span of at most 30 days. The span sets the spacing of the samples:
// up to 4 hours, 30 s; up to 2 days, 1 min; up to 10 days, 5 min; up to 30
// days, 1 h.
type DescribeLBInstancePerformanceRequest struct {
	InstanceUUID string    // required
	MetricKey    MetricKey // required, such as MetricCPUUsage
	StartTime    time.Time // required
	EndTime      time.Time // required; after StartTime, at most 30 days later
	ListenerName string    // required for listener metrics (MetricKey.IsListenerMetric)
}

// DescribeLBInstancePerformanceResponse holds the samples of one metric.
type DescribeLBInstancePerformanceResponse struct {
	ResponseMeta
	InstanceUUID string
	MetricKey    MetricKey
	ProductType  string // "haproxy"
	StartTime    time.Time
	EndTime      time.Time
	Period       time.Duration // the spacing of the samples
	DataPoints   []DataPoint   // one series per measured quantity; most metrics have one
}

// DataPoint is one series of samples.
type DataPoint struct {
	MetricName  string   // the series' name, such as "lb_current_memory"
	MetricType  string   // "gauge" or "counter"
	MonitorType []string // the metric's classes (the API sends a string or a list)
	Unit        string   // such as "%"
	Values      []Sample
}

// Sample is one measurement.
type Sample struct {
	Time  time.Time
	Value float64
}

// DescribeLBInstancePerformance returns the samples of one metric of an
// instance between StartTime and EndTime. POST to the monitoring service's
// path, though it only reads: it is retried like every read-only action.
func (c *Client) DescribeLBInstancePerformance(ctx context.Context, req *DescribeLBInstancePerformanceRequest) (*DescribeLBInstancePerformanceResponse, error) {
	return describeLBInstancePerformance.call(ctx, c, req)
}

var describeLBInstancePerformance = declare("DescribeLBInstancePerformance", pathMonitor, reads,
	func(r *DescribeLBInstancePerformanceRequest, loc *time.Location) form {
		return inBody(struct {
			InstanceUUID string `json:"InstanceUuid"`
			MetricKey    MetricKey
			StartTime    string
			EndTime      string
			ListenerName string `json:",omitempty"`
		}{r.InstanceUUID, r.MetricKey, wire.FormatTime(r.StartTime, loc), wire.FormatTime(r.EndTime, loc), r.ListenerName})
	},
	func(_ *DescribeLBInstancePerformanceRequest, w *performanceWire, loc *time.Location) (*DescribeLBInstancePerformanceResponse, error) {
		r := &DescribeLBInstancePerformanceResponse{InstanceUUID: string(w.InstanceUUID), MetricKey: MetricKey(w.MetricKey), ProductType: string(w.ProductType),
			StartTime: wire.ParseTime(string(w.StartTime), loc), EndTime: wire.ParseTime(string(w.EndTime), loc),
			Period: time.Duration(w.Period) * time.Second, DataPoints: make([]DataPoint, len(w.DataPoints))}
		for i, p := range w.DataPoints {
			d := DataPoint{MetricName: string(p.MetricName), MetricType: string(p.MetricType), MonitorType: p.MonitorType, Unit: string(p.Unit),
				Values: make([]Sample, len(p.Values))}
			for j, v := range p.Values {
				d.Values[j] = Sample{wire.ParseTime(string(v.DateTime), loc), float64(v.Value)}
			}
			r.DataPoints[i] = d
		}
		return r, nil
	})

// maxPerformanceSpan is the longest span the monitoring service serves.
const maxPerformanceSpan = 30 * 24 * time.Hour

func (r *DescribeLBInstancePerformanceRequest) validate() error {
	var p problems
	p.add(required("InstanceUUID", r.InstanceUUID), required("MetricKey", string(r.MetricKey)))
	if r.StartTime.IsZero() {
		p.addf("StartTime", "is required")
	}
	switch {
	case r.EndTime.IsZero():
		p.addf("EndTime", "is required")
	case r.StartTime.IsZero():
	case !r.EndTime.After(r.StartTime):
		p.addf("EndTime", "must be after StartTime")
	case r.EndTime.Sub(r.StartTime) > maxPerformanceSpan:
		p.addf("EndTime", "must be at most 30 days after StartTime, got %s", r.EndTime.Sub(r.StartTime))
	}
	if r.MetricKey.IsListenerMetric() && strings.TrimSpace(r.ListenerName) == "" {
		p.addf("ListenerName", "is required for the listener metric %s", r.MetricKey)
	}
	return p.err()
}

// MetricKey names a load-balancer metric for DescribeLBInstancePerformance.
type MetricKey string

// The metrics the service reports. The ha_listener_* metrics are per
// listener and need DescribeLBInstancePerformanceRequest.ListenerName.
const (
	MetricCPUUsage               MetricKey = "ha_cpu_usage"                // CPU usage, %
	MetricMemUsage               MetricKey = "ha_mem_usage"                // memory usage, %
	MetricOutPackets             MetricKey = "ha_outpackage"               // packets out per second
	MetricInPackets              MetricKey = "ha_inpackage"                // packets in per second
	MetricOutFlow                MetricKey = "ha_outflow"                  // traffic out, MB/s
	MetricInFlow                 MetricKey = "ha_inflow"                   // traffic in, MB/s
	MetricDropPackets            MetricKey = "ha_drop_packets"             // dropped packets per second: two series, receive and transmit
	MetricConnectionsUsage       MetricKey = "ha_connections_usage"        // new-connection usage, %
	MetricSessionsUsage          MetricKey = "ha_sessions_usage"           // max-session usage, %
	MetricOutBandwidth           MetricKey = "ha_outbandwidth"             // public bandwidth out, bits/s
	MetricInBandwidth            MetricKey = "ha_inbandwidth"              // public bandwidth in, bits/s
	MetricDownServers            MetricKey = "ha_downserver"               // unhealthy backends
	MetricResponseTime           MetricKey = "ha_responsetime"             // mean HTTP response time, s
	MetricListenerConnections    MetricKey = "ha_listener_connections"     // new connections of one listener per second
	MetricListenerSessions       MetricKey = "ha_listener_sessions"        // sessions of one listener per second
	MetricListenerRequestsDenied MetricKey = "ha_listener_requests_denied" // requests of one listener refused over its limit, per second
)

// IsListenerMetric reports whether k is a per-listener metric, which needs a ListenerName.
func (k MetricKey) IsListenerMetric() bool {
	return len(k) > len("ha_listener_") && k[:len("ha_listener_")] == "ha_listener_"
}
