package cdslb

import (
	"context"
	"time"

	"github.com/cdsgo/cdslb/internal/wire"
)

// DescribeZonesRequest has no parameters; a nil *DescribeZonesRequest is fine.
type DescribeZonesRequest struct{}

func (r *DescribeZonesRequest) validate() error { return nil }

// DescribeZonesResponse lists the sites where load balancers are offered.
type DescribeZonesResponse struct {
	ResponseMeta
	Zones []Zone
}

// Zone is a site (region) where load balancers can be bought.
type Zone struct {
	RegionID   string // the site's id, such as "CN_Hongkong_A": the RegionID of other requests
	RegionName string // the area, such as "亚太地区" (Asia-Pacific)
	CityID     string
	CityName   string // such as "香港" (Hong Kong)
	SiteName   string // such as "香港1"
	OnSale     bool   // whether new load balancers can be bought there
}

// zoneWire is a Zone as the API writes it (RegionId, IsSaling 1/0).
type zoneWire struct {
	RegionID   string `json:"RegionId"`
	RegionName text
	CityID     text `json:"CityId"`
	CityName   text
	SiteName   text
	IsSaling   wire.Int
}

// check: the RegionID other requests take.
func (w *zoneWire) check() string { return absent("RegionId", w.RegionID) }

// DescribeZones lists the sites (regions) where load balancers are offered,
// with whether each is on sale. GET; it changes nothing.
func (c *Client) DescribeZones(ctx context.Context, req *DescribeZonesRequest) (*DescribeZonesResponse, error) {
	return describeZones.call(ctx, c, req)
}

// Every zone listed must have the RegionID that other requests take.
var describeZones = declare("DescribeZones", pathLB, reads,
	func(*DescribeZonesRequest, *time.Location) form { return inQuery(nil) },
	func(_ *DescribeZonesRequest, d *list[zoneWire], _ *time.Location) (*DescribeZonesResponse, error) {
		return &DescribeZonesResponse{Zones: convert(*d, func(w *zoneWire) Zone {
			return Zone{w.RegionID, string(w.RegionName), string(w.CityID), string(w.CityName), string(w.SiteName), w.IsSaling == 1}
		})}, nil
	})
