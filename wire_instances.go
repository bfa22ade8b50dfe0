package cdslb

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/cdsgo/cdslb/internal/wire"
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

// loadBalancerList is DescribeLoadBalancers' Data. A well-formed list is
// read an entry at a time (decodeList), each entry converted as it is read,
// so that a list of thousands never has its wire structs all held at once;
// any other list is decoded whole into entries, whose rules then say what is
// malformed.
type loadBalancerList struct {
	entries []loadBalancerWire // the list decoded whole
	read    []LoadBalancer     // the list read an entry at a time, each entry with its id and status
	fast    bool               // read holds the list
}

func (l *loadBalancerList) exact() any {
	*l = loadBalancerList{}
	return &l.entries
}

// decodeList reads a list of load balancers, or null. It gives up on an
// entry that is not an object, lacks its id or status, or holds a field of
// the wrong type or a null VIP or tag: the whole decode judges those.
func (l *loadBalancerList) decodeList(dec *json.Decoder, body []byte, loc *time.Location) bool {
	t, err := dec.Token()
	if err != nil || t != nil && t != json.Delim('[') {
		return false
	}
	if t == nil {
		l.read, l.fast = nil, true
		return true
	}
	// Each entry names its id once: the count sizes the list, near enough.
	// A value may name it too, as often as the body has room for, so the
	// count is held to the entries the body has room for.
	l.read = make([]LoadBalancer, 0, min(bytes.Count(body, []byte(`"InstanceUuid"`)), len(body)/len(shortestEntry)))
	shared := make(map[string]string)
	var w loadBalancerWire
	for dec.More() {
		w = loadBalancerWire{}
		if dec.Decode(&w) != nil || !w.wellFormed() {
			return false
		}
		lb := w.value(loc)
		share(&lb, shared)
		l.read = append(l.read, lb)
	}
	if t, err := dec.Token(); err != nil || t != json.Delim(']') {
		return false
	}
	if len(l.read) < cap(l.read)/2 { // the count was not the entries': keep no room for those that never came
		l.read = slices.Clone(l.read)
	}
	l.fast = true
	return true
}

// shortestEntry is the shortest entry decodeList reads.
const shortestEntry = `{"InstanceUuid":"i","Status":"s"}`

// wellFormed reports whether w has an id and a status, and no VIP or tag
// that is empty, as a null one reads.
func (w *loadBalancerWire) wellFormed() bool {
	if strings.TrimSpace(w.InstanceUUID) == "" || strings.TrimSpace(w.Status) == "" {
		return false
	}
	return !slices.Contains(w.VIPs, VIP{}) && !slices.Contains(w.Tags, tagWire{})
}

// share makes the fields that repeat across one account's instances (status,
// site, data center, project, product, version, address types) share one
// copy of each value seen in a list, so that a large list holds it once.
// Ids, names and addresses are each instance's own and are left alone.
func share(lb *LoadBalancer, seen map[string]string) {
	for _, s := range [...]*string{&lb.Status, &lb.StatusText, &lb.RegionID, &lb.DisplayName, &lb.VdcID,
		&lb.VdcName, &lb.ProjectName, &lb.SubProductName, &lb.Version} {
		*s = shared(seen, *s)
	}
	for i := range lb.VIPs {
		lb.VIPs[i].Type = shared(seen, lb.VIPs[i].Type)
	}
}

// shared returns the copy of s kept in seen, keeping s there if there is
// none and seen holds fewer than 1,024 values.
func shared(seen map[string]string, s string) string {
	if v, ok := seen[s]; ok {
		return v
	}
	if len(seen) < 1024 {
		seen[s] = s
	}
	return s
}
