package cdslb

import (
	"context"
	"net/http"
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

func (r *DescribeLBInstancePerformanceRequest) wire(loc *time.Location) any {
	return struct {
		InstanceUUID string    `json:"InstanceUuid"`
		MetricKey    MetricKey `json:"MetricKey"`
		StartTime    string    `json:"StartTime"`
		EndTime      string    `json:"EndTime"`
		ListenerName string    `json:"ListenerName,omitempty"`
	}{r.InstanceUUID, r.MetricKey, wire.FormatTime(r.StartTime, loc), wire.FormatTime(r.EndTime, loc), r.ListenerName}
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

	raw performanceWire
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

type performanceWire struct {
	InstanceUUID       string `json:"InstanceUuid"`
	MetricKey          MetricKey
	ProductType        string
	StartTime, EndTime string
	Period             wire.Int // seconds
	DataPoints         []struct {
		MetricName, MetricType, Unit string
		MonitorType                  wire.Strings
		Values                       []struct {
			DateTime string
			Value    wire.Float
		}
	}
}

func (r *DescribeLBInstancePerformanceResponse) data() any { return &r.raw }

func (r *DescribeLBInstancePerformanceResponse) finish(loc *time.Location) {
	w := &r.raw
	r.InstanceUUID, r.MetricKey, r.ProductType = w.InstanceUUID, w.MetricKey, w.ProductType
	r.StartTime, r.EndTime = wire.ParseTime(w.StartTime, loc), wire.ParseTime(w.EndTime, loc)
	r.Period = time.Duration(w.Period) * time.Second
	r.DataPoints = make([]DataPoint, len(w.DataPoints))
	for i, p := range w.DataPoints {
		d := DataPoint{MetricName: p.MetricName, MetricType: p.MetricType, MonitorType: p.MonitorType, Unit: p.Unit,
			Values: make([]Sample, len(p.Values))}
		for j, v := range p.Values {
			d.Values[j] = Sample{wire.ParseTime(v.DateTime, loc), float64(v.Value)}
		}
		r.DataPoints[i] = d
	}
	r.raw = performanceWire{}
}

// DescribeLBInstancePerformance returns the samples of one metric of an
// instance between StartTime and EndTime. POST to the monitoring service's
// path, though it only reads: it is retried like every Describe action.
func (c *Client) DescribeLBInstancePerformance(ctx context.Context, req *DescribeLBInstancePerformanceRequest) (*DescribeLBInstancePerformanceResponse, error) {
	op := operation{action: "DescribeLBInstancePerformance", method: http.MethodPost, path: "/paas/monitor/"}
	return call[DescribeLBInstancePerformanceResponse](ctx, c, op, req)
}
