package cdslb

import (
	"time"

	"github.com/cdsgo/cdslb/internal/wire"
)

// createWire is a CreateLoadBalancerRequest as the API reads it.
func createWire(r *CreateLoadBalancerRequest) any {
	type ipWire struct {
		PipeType  string
		PipeID    string `json:"PipeId"`
		SegmentID string `json:"SegmentId,omitempty"`
		IsVIP     *int   `json:"IsVip,omitempty"`
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
// string, and the numbers may come as strings.
type loadBalancerWire struct {
	InstanceUUID   string `json:"InstanceUuid"`
	InstanceName   string
	Status         string
	StatusText     string `json:"StatusStr"`
	IP             string
	Port           wire.Int
	VIPs           []VIP  `json:"Vips"`
	RegionID       string `json:"RegionId"`
	DisplayName    string
	VdcID          string `json:"VdcId"`
	VdcName        string
	ProjectName    string
	SubProductName string
	Version        string
	ResourceID     string `json:"ResourceId"`
	Cpu, Ram       wire.Int
	CreatedTime    string
	Tags           []tagWire
	IsCustomConf   wire.Int
}

// tagWire is a Tag as the API writes it.
type tagWire struct {
	TagID   wire.Int
	TagName string
}

func (w *loadBalancerWire) value(loc *time.Location) LoadBalancer {
	return LoadBalancer{InstanceUUID: w.InstanceUUID, InstanceName: w.InstanceName, Status: w.Status, StatusText: w.StatusText,
		IP: w.IP, Port: int(w.Port), VIPs: w.VIPs, RegionID: w.RegionID, DisplayName: w.DisplayName, VdcID: w.VdcID,
		VdcName: w.VdcName, ProjectName: w.ProjectName, SubProductName: w.SubProductName, Version: w.Version,
		ResourceID: w.ResourceID, CPU: int(w.Cpu), MemoryMB: int(w.Ram), CreatedTime: wire.ParseTime(w.CreatedTime, loc),
		Tags: convert(w.Tags, func(t *tagWire) Tag { return Tag{ID: int(t.TagID), Name: t.TagName} }), CustomConfig: w.IsCustomConf != 0}
}
