package cdslb

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docPerformanceRequest is the document's request example.
func docPerformanceRequest() *DescribeLBInstancePerformanceRequest {
	return &DescribeLBInstancePerformanceRequest{
		InstanceUUID: fixtureInstanceUUID, MetricKey: MetricMemUsage,
		StartTime: time.Date(2021, 10, 21, 13, 25, 0, 0, cst),
		EndTime:   time.Date(2021, 10, 21, 13, 28, 0, 0, cst),
	}
}

func TestDescribeLBInstancePerformance(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("DescribeLBInstancePerformance")

	resp, err := c.DescribeLBInstancePerformance(context.Background(), docPerformanceRequest())
	require.NoError(t, err)

	body := postBody(t, stub.only("DescribeLBInstancePerformance"), "/paas/monitor/", "DescribeLBInstancePerformance")
	assert.Equal(t, map[string]any{
		"InstanceUuid": fixtureInstanceUUID, "MetricKey": "ha_mem_usage",
		"StartTime": "2021-10-21 13:25:00", "EndTime": "2021-10-21 13:28:00", // no ListenerName
	}, body)

	assert.Equal(t, ResponseMeta{Code: "Success", Message: "success", HTTPStatus: 200, Attempts: 1}, resp.ResponseMeta)
	assert.Equal(t, fixtureInstanceUUID, resp.InstanceUUID)
	assert.Equal(t, MetricMemUsage, resp.MetricKey)
	assert.Equal(t, "haproxy", resp.ProductType)
	assert.Equal(t, 30*time.Second, resp.Period)
	assertTime(t, time.Date(2021, 10, 21, 13, 25, 0, 0, cst), resp.StartTime)
	assertTime(t, time.Date(2021, 10, 21, 13, 28, 0, 0, cst), resp.EndTime)

	require.Len(t, resp.DataPoints, 1)
	p := resp.DataPoints[0]
	assert.Equal(t, "lb_current_memory", p.MetricName)
	assert.Equal(t, "gauge", p.MetricType)
	assert.Equal(t, []string{"mem_usage"}, p.MonitorType, "a string in the example, a list in the table")
	assert.Equal(t, "%", p.Unit)
	want := []struct {
		hms   [3]int
		value float64
	}{
		{[3]int{13, 25, 8}, 9.29}, {[3]int{13, 25, 38}, 9.29}, {[3]int{13, 26, 8}, 9.29},
		{[3]int{13, 26, 38}, 9.29}, {[3]int{13, 27, 8}, 9.3}, {[3]int{13, 27, 38}, 9.32},
	}
	require.Len(t, p.Values, len(want))
	for i, w := range want {
		assertTime(t, time.Date(2021, 10, 21, w.hms[0], w.hms[1], w.hms[2], 0, cst), p.Values[i].Time)
		assert.Equal(t, w.value, p.Values[i].Value, "sample %d", i)
	}
}

func TestDescribeLBInstancePerformanceListenerMetric(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answer("DescribeLBInstancePerformance", http.StatusOK, `{"Code": "Success", "Data": {
		"DataPoints": [
			{"MetricName": "lb_current_receive_drop", "MonitorType": ["resources"], "Values": [{"DateTime": "2021-10-21 13:25:08", "Value": "1.5"}]},
			{"MetricName": "lb_current_transmit_drop", "Values": [{"DateTime": "bad", "Value": null}]}],
		"Period": "60"}}`)

	req := docPerformanceRequest()
	req.MetricKey, req.ListenerName = MetricListenerConnections, "http_web"
	resp, err := c.DescribeLBInstancePerformance(context.Background(), req)
	require.NoError(t, err)

	body := postBody(t, stub.only("DescribeLBInstancePerformance"), "/paas/monitor/", "DescribeLBInstancePerformance")
	assert.Equal(t, "ha_listener_connections", body["MetricKey"])
	assert.Equal(t, "http_web", body["ListenerName"])

	assert.Equal(t, time.Minute, resp.Period, "Period as a string")
	require.Len(t, resp.DataPoints, 2)
	assert.Equal(t, []string{"resources"}, resp.DataPoints[0].MonitorType)
	assert.Equal(t, 1.5, resp.DataPoints[0].Values[0].Value, "a value as a string")
	assert.Equal(t, Sample{}, resp.DataPoints[1].Values[0], "an unreadable sample is zero, the call succeeds")
}

func TestDescribeLBInstancePerformanceWithLocation(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t, WithLocation(time.UTC))
	stub.answerFixture("DescribeLBInstancePerformance")

	resp, err := c.DescribeLBInstancePerformance(context.Background(), docPerformanceRequest())
	require.NoError(t, err)

	body := postBody(t, stub.only("DescribeLBInstancePerformance"), "/paas/monitor/", "DescribeLBInstancePerformance")
	assert.Equal(t, "2021-10-21 05:25:00", body["StartTime"], "13:25 in China is 05:25 UTC")
	assert.Equal(t, "2021-10-21 05:28:00", body["EndTime"])

	// The answer's times are read as UTC too.
	assertTime(t, time.Date(2021, 10, 21, 13, 25, 0, 0, time.UTC), resp.StartTime)
	assertTime(t, time.Date(2021, 10, 21, 13, 25, 8, 0, time.UTC), resp.DataPoints[0].Values[0].Time)
}

var _ = example("DescribeLBInstancePerformance", func(testing.TB) any {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	return &DescribeLBInstancePerformanceRequest{InstanceUUID: "i-1", MetricKey: MetricCPUUsage, StartTime: now.Add(-time.Hour), EndTime: now}
})
