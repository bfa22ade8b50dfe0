package cdslb

import "github.com/cdsgo/cdslb/internal/wire"

// performanceWire is the samples of a metric as the API writes them.
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
