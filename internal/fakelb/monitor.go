package fakelb

import (
	"hash/fnv"
	"math"
	"strings"
	"time"
)

// metric describes one MetricKey of DescribeLBInstancePerformance.
type metric struct {
	series      []string // MetricName of each series
	monitorType string
	unit        string
	base, swing float64 // typical level and daily swing of the values
	percent     bool    // values stay within 0-100
	integer     bool    // values are whole numbers
}

var metrics = map[string]metric{
	"ha_cpu_usage":                {[]string{"lb_current_cpu"}, "cpu_usage", "%", 12, 8, true, false},
	"ha_mem_usage":                {[]string{"lb_current_memory"}, "mem_usage", "%", 9.3, 1, true, false},
	"ha_outpackage":               {[]string{"lb_current_outpackage"}, "outpackage", "个/s", 1800, 900, false, true},
	"ha_inpackage":                {[]string{"lb_current_inpackage"}, "inpackage", "个/s", 2000, 1000, false, true},
	"ha_outflow":                  {[]string{"lb_current_outflow"}, "outflow", "MB/s", 3.2, 2, false, false},
	"ha_inflow":                   {[]string{"lb_current_inflow"}, "inflow", "MB/s", 2.4, 1.5, false, false},
	"ha_drop_packets":             {[]string{"lb_current_receive_drop", "lb_current_transmit_drop"}, "drop_packets", "个/s", 1, 1, false, true},
	"ha_connections_usage":        {[]string{"lb_current_connections_usage"}, "connections_usage", "%", 5, 4, true, false},
	"ha_sessions_usage":           {[]string{"lb_current_sessions_usage"}, "sessions_usage", "%", 7, 5, true, false},
	"ha_outbandwidth":             {[]string{"lb_current_outbandwidth"}, "outbandwidth", "bit/s", 2.5e7, 1.5e7, false, true},
	"ha_inbandwidth":              {[]string{"lb_current_inbandwidth"}, "inbandwidth", "bit/s", 1.8e7, 1e7, false, true},
	"ha_downserver":               {[]string{"lb_current_downserver"}, "downserver", "个", 0, 0.8, false, true},
	"ha_responsetime":             {[]string{"lb_current_responsetime"}, "responsetime", "s", 0.05, 0.03, false, false},
	"ha_listener_connections":     {[]string{"lb_listener_connections"}, "listener_connections", "个/s", 120, 80, false, true},
	"ha_listener_sessions":        {[]string{"lb_listener_sessions"}, "listener_sessions", "个/s", 300, 200, false, true},
	"ha_listener_requests_denied": {[]string{"lb_listener_requests_denied"}, "listener_requests_denied", "个/s", 0.5, 1, false, true},
}

// period returns the granularity of a span: 30 s up to 4 h, 1 min up to
// 2 days, 5 min up to 10 days, 1 h up to 30 days; ok is false beyond.
func period(span time.Duration) (time.Duration, bool) {
	const day = 24 * time.Hour
	switch {
	case span <= 4*time.Hour:
		return 30 * time.Second, true
	case span <= 2*day:
		return time.Minute, true
	case span <= 10*day:
		return 5 * time.Minute, true
	case span <= 30*day:
		return time.Hour, true
	}
	return 0, false
}

type sample struct {
	DateTime string
	Value    float64
}

type dataPoint struct {
	MetricName  string
	MetricType  string
	MonitorType string
	Unit        string
	Values      []sample
}

func (s *Server) describePerformance(r *request) (reply, error) {
	in, err := s.findInstance(r)
	if err != nil {
		return reply{}, err
	}
	key, err := r.required("MetricKey")
	if err != nil {
		return reply{}, err
	}
	m, ok := metrics[key]
	if !ok {
		return reply{}, invalidf("MetricKey %q is not a known metric", key)
	}
	listener, err := r.str("ListenerName")
	if err != nil {
		return reply{}, err
	}
	if strings.HasPrefix(key, "ha_listener_") {
		if listener == "" {
			return reply{}, argMissing("ListenerName (for a listener metric)")
		}
		if !in.hasListener(listener) {
			return reply{}, notFoundf("ListenerName %q does not exist on instance %s", listener, in.id)
		}
	}
	var start, end time.Time
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"StartTime", &start}, {"EndTime", &end}} {
		v, err := r.required(p.name)
		if err != nil {
			return reply{}, err
		}
		if *p.dst, err = parseTime(p.name, v); err != nil {
			return reply{}, err
		}
	}
	if !end.After(start) {
		return reply{}, invalidf("EndTime must be after StartTime")
	}
	step, ok := period(end.Sub(start))
	if !ok {
		return reply{}, invalidf("the span from StartTime to EndTime must be at most 30 days")
	}
	var points []dataPoint
	for _, name := range m.series {
		seed := in.id + "/" + name + "/" + listener
		var values []sample
		// Points sit on multiples of the period, from StartTime (inclusive)
		// to EndTime (exclusive).
		for t := start.Truncate(step); t.Before(end); t = t.Add(step) {
			if t.Before(start) {
				continue
			}
			values = append(values, sample{formatTime(t), m.value(seed, t)})
		}
		points = append(points, dataPoint{name, "gauge", m.monitorType, m.unit, values})
	}
	return reply{data: map[string]any{
		"DataPoints":   points,
		"EndTime":      formatTime(end),
		"InstanceUuid": in.id,
		"MetricKey":    key,
		"Period":       int(step / time.Second),
		"ProductType":  productName,
		"StartTime":    formatTime(start),
	}}, nil
}

// value is a deterministic, plausible reading: a daily sine wave with a
// phase per series, plus noise from a hash of the series and the time.
func (m metric) value(seed string, t time.Time) float64 {
	h := fnv.New64a()
	h.Write([]byte(seed))
	phase := float64(h.Sum64()%1000) / 1000 * 2 * math.Pi
	h.Write([]byte(t.UTC().Format(time.RFC3339)))
	noise := float64(h.Sum64()%2001)/1000 - 1 // -1..1
	day := float64(t.Unix()%86400) / 86400 * 2 * math.Pi
	v := m.base + m.swing*math.Sin(day+phase) + m.swing*0.2*noise
	v = math.Max(v, 0)
	if m.percent {
		v = math.Min(v, 100)
	}
	if m.integer {
		return math.Round(v)
	}
	return math.Round(v*100) / 100
}

func (in *instance) hasListener(name string) bool {
	for _, l := range append(in.http[:len(in.http):len(in.http)], in.tcp...) {
		if l.ListenerName == name {
			return true
		}
	}
	return false
}
