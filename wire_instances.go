package cdslb

import (
	"slices"
	"time"

	"github.com/cdsgo/cdslb/internal/wire"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// createWire is a CreateLoadBalancerRequest as the API reads it.
func createWire(r *CreateLoadBalancerRequest) any {
	type ipWire struct {
		PipeType  string
		PipeID    string `json:"PipeId"`
		SegmentID string `json:"SegmentId,omitempty"`
		IsVIP     *int   `json:"IsVip,omitempty"` // 0 or 1, in the private entry (validate keeps it there)
	}
	return struct {
		RegionID     string `json:"RegionId"`
		VdcID        string `json:"VdcId"`
		BasePipeID   string `json:"BasePipeId"`
		InstanceName string
		PaasGoodsID  int      `json:"PaasGoodsId"`
		IPs          []ipWire `json:"Ips"`
		Amount       int      `json:",omitempty"`
		SubjectID    int      `json:"SubjectId,omitempty"`
	}{r.RegionID, r.VdcID, r.BasePipeID, r.InstanceName, r.PaasGoodsID, convert(r.IPs, func(ip *CreateLoadBalancerIP) ipWire {
		w := ipWire{PipeType: ip.PipeType, PipeID: ip.PipeID, SegmentID: ip.SegmentID}
		if ip.IsVIP != nil {
			v := 0
			if *ip.IsVIP {
				v = 1
			}
			w.IsVIP = &v
		}
		return w
	}), r.Amount, r.SubjectID}
}

// loadBalancerWire is a LoadBalancer as the API writes it: the time is a
// string, and the numbers may come as strings. The id, name, status and
// site are acted on (waiters, Ensure): they must be strings, and given.
type loadBalancerWire struct {
	InstanceUUID   string `json:"InstanceUuid"`
	InstanceName   string
	Status         string
	StatusText     text `json:"StatusStr"`
	IP             text
	Port           wire.Int
	VIPs           list[vipWire] `json:"Vips"`
	RegionID       string        `json:"RegionId"`
	DisplayName    text
	VdcID          text `json:"VdcId"`
	VdcName        text
	ProjectName    text
	SubProductName text
	Version        text
	ResourceID     text `json:"ResourceId"`
	Cpu, Ram       wire.Int
	CreatedTime    text
	Tags           list[tagWire]
	IsCustomConf   wire.Int
}

func (w *loadBalancerWire) check() string {
	return absent("InstanceUuid", w.InstanceUUID, "Status", w.Status, "InstanceName", w.InstanceName, "RegionId", w.RegionID)
}

type vipWire struct{ IP, Type text }

// tagWire is a Tag as the API writes it.
type tagWire struct {
	TagID   wire.Int
	TagName text
}

// value is the load balancer, its CreatedTime left for the list to read.
func (w *loadBalancerWire) value() LoadBalancer {
	return LoadBalancer{InstanceUUID: w.InstanceUUID, InstanceName: w.InstanceName, Status: w.Status, StatusText: string(w.StatusText),
		IP: string(w.IP), Port: int(w.Port), VIPs: convert(w.VIPs, func(v *vipWire) VIP { return VIP{string(v.IP), string(v.Type)} }),
		RegionID: w.RegionID, DisplayName: string(w.DisplayName), VdcID: string(w.VdcID),
		VdcName: string(w.VdcName), ProjectName: string(w.ProjectName), SubProductName: string(w.SubProductName), Version: string(w.Version),
		ResourceID: string(w.ResourceID), CPU: int(w.Cpu), MemoryMB: int(w.Ram),
		Tags: convert(w.Tags, func(t *tagWire) Tag { return Tag{ID: int(t.TagID), Name: string(t.TagName)} }), CustomConfig: w.IsCustomConf != 0}
}

// loadBalancerList is DescribeLoadBalancers' Data, each entry converted as
// it is read, so that a list of thousands never has its wire structs all
// held at once. The entries are kept in chunks, joined once at the end, so
// that a long list is not copied over and over as it grows; the times wait
// in created for the client's zone.
type loadBalancerList struct {
	chunks  [][]LoadBalancer
	created []string
}

func (*loadBalancerList) listed() {}

// UnmarshalJSONFrom reads the list an entry at a time.
func (l *loadBalancerList) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var seen map[string]string // nil until a second entry
	var w loadBalancerWire
	return readEntries(dec, func(dec *jsontext.Decoder) (string, error) {
		w = loadBalancerWire{}
		if err := json.UnmarshalDecode(dec, &w); err != nil {
			return "", err
		}
		if why := w.check(); why != "" {
			return why, nil
		}
		lb := w.value()
		if len(l.created) == 1 { // a second entry: the first, alone, shared nothing
			seen = make(map[string]string)
			share(&l.chunks[0][0], seen)
		}
		share(&lb, seen)
		if n := len(l.chunks); n == 0 || len(l.chunks[n-1]) == cap(l.chunks[n-1]) {
			l.chunks = append(l.chunks, make([]LoadBalancer, 0, 4<<min(n, 8)))
		}
		l.chunks[len(l.chunks)-1] = append(l.chunks[len(l.chunks)-1], lb)
		l.created = append(l.created, string(w.CreatedTime))
		return "", nil
	})
}

// value joins the list, its times read in loc.
func (l *loadBalancerList) value(loc *time.Location) []LoadBalancer {
	if l.chunks == nil {
		return nil
	}
	lbs := l.chunks[0] // a short list is its first chunk
	if len(l.chunks) > 1 {
		lbs = slices.Concat(l.chunks...)
	}
	for i, t := range l.created {
		lbs[i].CreatedTime = wire.ParseTime(t, loc)
	}
	return lbs
}
