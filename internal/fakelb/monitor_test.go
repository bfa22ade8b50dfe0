package fakelb

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

type perfData struct {
	DataPoints []struct {
		MetricName, MetricType, MonitorType, Unit string
		Values                                    []sample
	}
	EndTime, InstanceUuid, MetricKey, ProductType, StartTime string
	Period                                                   int
}

func perfBody(id, key, start, end string) map[string]any {
	return map[string]any{"InstanceUuid": id, "MetricKey": key, "StartTime": start, "EndTime": end}
}

func TestPerformanceDocumentExample(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	id := e.create(createBody())
	var d perfData
	res := e.ok("DescribeLBInstancePerformance", perfBody(id, "ha_mem_usage", "2021-10-21 13:25:00", "2021-10-21 13:28:00"), &d)
	if res.Msg != "success" {
		t.Errorf("Message = %q", res.Msg)
	}
	if d.Period != 30 || d.ProductType != "haproxy" || d.MetricKey != "ha_mem_usage" || d.InstanceUuid != id ||
		d.StartTime != "2021-10-21 13:25:00" || d.EndTime != "2021-10-21 13:28:00" {
		t.Errorf("Data = %+v", d)
	}
	if len(d.DataPoints) != 1 {
		t.Fatalf("DataPoints = %+v", d.DataPoints)
	}
	dp := d.DataPoints[0]
	if dp.MetricName != "lb_current_memory" || dp.MetricType != "gauge" || dp.MonitorType != "mem_usage" || dp.Unit != "%" {
		t.Errorf("series = %+v", dp)
	}
	if len(dp.Values) != 6 || dp.Values[0].DateTime != "2021-10-21 13:25:00" || dp.Values[5].DateTime != "2021-10-21 13:27:30" {
		t.Errorf("Values = %+v", dp.Values)
	}
}

func TestPerformancePeriodBySpan(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	id := e.create(createBody())
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, cst)
	for _, tt := range []struct {
		span   time.Duration
		period int
	}{
		{time.Minute, 30}, {4 * time.Hour, 30}, {4*time.Hour + time.Second, 60}, {48 * time.Hour, 60},
		{48*time.Hour + time.Second, 300}, {240 * time.Hour, 300}, {241 * time.Hour, 3600}, {720 * time.Hour, 3600},
	} {
		var d perfData
		e.ok("DescribeLBInstancePerformance", perfBody(id, "ha_cpu_usage", formatTime(start), formatTime(start.Add(tt.span))), &d)
		wantPoints := int((tt.span + time.Duration(tt.period)*time.Second - 1) / (time.Duration(tt.period) * time.Second))
		if d.Period != tt.period || len(d.DataPoints[0].Values) != wantPoints {
			t.Errorf("span %v: Period %d with %d points, want %d with %d", tt.span, d.Period, len(d.DataPoints[0].Values), tt.period, wantPoints)
		}
	}
	e.fails("DescribeLBInstancePerformance", perfBody(id, "ha_cpu_usage", formatTime(start), formatTime(start.Add(720*time.Hour+time.Second))), 400, "InvalidParameter")
	e.fails("DescribeLBInstancePerformance", perfBody(id, "ha_cpu_usage", formatTime(start), formatTime(start)), 400, "InvalidParameter")
	e.fails("DescribeLBInstancePerformance", perfBody(id, "ha_cpu_usage", formatTime(start.Add(time.Hour)), formatTime(start)), 400, "InvalidParameter")
}

func TestPerformanceValues(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	id := e.create(createBody())
	for key := range metrics {
		body := perfBody(id, key, "2026-03-01 00:00:00", "2026-03-31 00:00:00")
		if strings.HasPrefix(key, "ha_listener_") {
			continue
		}
		var a, b perfData
		e.ok("DescribeLBInstancePerformance", body, &a)
		e.ok("DescribeLBInstancePerformance", body, &b)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: two identical queries answer different values", key)
		}
		distinct := map[float64]bool{}
		for _, dp := range a.DataPoints {
			for _, v := range dp.Values {
				if v.Value < 0 || (metrics[key].percent && v.Value > 100) {
					t.Errorf("%s: value %v out of range", key, v.Value)
				}
				distinct[v.Value] = true
			}
		}
		if len(distinct) < 2 {
			t.Errorf("%s: flat series %v", key, distinct)
		}
	}
	var drops perfData
	e.ok("DescribeLBInstancePerformance", perfBody(id, "ha_drop_packets", "2026-03-01 00:00:00", "2026-03-01 01:00:00"), &drops)
	if len(drops.DataPoints) != 2 || drops.DataPoints[0].MetricName != "lb_current_receive_drop" || drops.DataPoints[1].MetricName != "lb_current_transmit_drop" {
		t.Errorf("ha_drop_packets series: %+v", drops.DataPoints)
	}
}

func TestPerformanceListenerMetricsAndErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	id := e.create(createBody())
	e.ok("ModifyLoadBalancerStrategys", modify(id, []any{httpListener("web", 80)}, []any{tcpListener("db", 3306)}), nil)
	body := perfBody(id, "ha_listener_sessions", "2026-03-01 00:00:00", "2026-03-01 01:00:00")
	e.fails("DescribeLBInstancePerformance", body, 400, "ArgMissing")
	body["ListenerName"] = "nope"
	e.fails("DescribeLBInstancePerformance", body, 404, "ResourceNotFound")
	var web, db perfData
	body["ListenerName"] = "web"
	e.ok("DescribeLBInstancePerformance", body, &web)
	body["ListenerName"] = "db"
	e.ok("DescribeLBInstancePerformance", body, &db)
	if reflect.DeepEqual(web.DataPoints, db.DataPoints) {
		t.Error("two listeners answer the same series")
	}

	for _, tt := range []struct {
		name   string
		body   map[string]any
		status int
		code   string
	}{
		{"unknown metric", perfBody(id, "ha_disk_usage", "2026-03-01 00:00:00", "2026-03-01 01:00:00"), 400, "InvalidParameter"},
		{"no metric", perfBody(id, "", "2026-03-01 00:00:00", "2026-03-01 01:00:00"), 400, "ArgMissing"},
		{"no start", perfBody(id, "ha_cpu_usage", "", "2026-03-01 01:00:00"), 400, "ArgMissing"},
		{"iso time", perfBody(id, "ha_cpu_usage", "2026-03-01T00:00:00Z", "2026-03-01 01:00:00"), 400, "InvalidParameter"},
		{"unknown instance", perfBody("nope", "ha_cpu_usage", "2026-03-01 00:00:00", "2026-03-01 01:00:00"), 404, "ResourceNotFound"},
	} {
		res := e.call("DescribeLBInstancePerformance", tt.body)
		if res.status != tt.status || res.Code != tt.code {
			t.Errorf("%s: got %d %s %q", tt.name, res.status, res.Code, res.Msg)
		}
	}
	raw, _ := json.Marshal(web)
	if strings.Contains(string(raw), "null") {
		t.Errorf("listener metric has null lists: %s", raw)
	}
}
