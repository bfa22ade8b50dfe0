package cdslb

import (
	"context"
	"encoding/json"

	"github.com/cdsgo/cdslb/internal/wire"
)

// DescribeZonesRequest has no parameters; a nil *DescribeZonesRequest is fine.
type DescribeZonesRequest struct{}

// DescribeZonesResponse lists the sites where load balancers are offered.
type DescribeZonesResponse struct {
	ResponseMeta
	Zones []Zone
}

func (r *DescribeZonesResponse) data() any { return &r.Zones }

// Zone is a site (region) where load balancers can be bought.
type Zone struct {
	RegionID   string // the site's id, such as "CN_Hongkong_A": the RegionID of other requests
	RegionName string // the area, such as "亚太地区" (Asia-Pacific)
	CityID     string
	CityName   string // such as "香港" (Hong Kong)
	SiteName   string // such as "香港1"
	OnSale     bool   // whether new load balancers can be bought there
}

// UnmarshalJSON reads a zone in the API's spelling (RegionId, IsSaling 1/0).
func (z *Zone) UnmarshalJSON(b []byte) error {
	if z == nil {
		return errNilTarget
	}
	var w struct {
		RegionID   string `json:"RegionId"`
		RegionName string
		CityID     string `json:"CityId"`
		CityName   string
		SiteName   string
		IsSaling   wire.Int
	}
	_ = json.Unmarshal(b, &w) // fills what it can: an odd field is left empty, not fatal
	*z = Zone{w.RegionID, w.RegionName, w.CityID, w.CityName, w.SiteName, w.IsSaling == 1}
	return nil
}

// DescribeZones lists the sites (regions) where load balancers are offered,
// with whether each is on sale. GET; it changes nothing.
func (c *Client) DescribeZones(ctx context.Context, req *DescribeZonesRequest) (*DescribeZonesResponse, error) {
	return call[DescribeZonesResponse](ctx, c, lbGet("DescribeZones"), req)
}
