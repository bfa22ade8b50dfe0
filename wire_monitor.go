package cdslb

import "github.com/cdsgo/cdslb/internal/wire"

// performanceWire is the samples of a metric as the API writes them.
type performanceWire struct {
	InstanceUUID       text `json:"InstanceUuid"`
	MetricKey          text
	ProductType        text
	StartTime, EndTime text
	Period             wire.Int // seconds
	DataPoints         list[struct {
		MetricName, MetricType, Unit text
		MonitorType                  strs
		Values                       list[struct {
			DateTime text
			Value    wire.Float
		}]
	}]
}
