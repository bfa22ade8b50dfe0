package fakelb

import (
	"slices"
	"strings"
	"time"
)

// This file holds what DescribeLoadBalancers answers: an instance's view,
// encoded once per change, and the listing's filters.

// loadBalancer is one entry of DescribeLoadBalancers, in the document's
// spelling: nulls, an empty-string MasterInfo and a zero Port included.
type loadBalancer struct {
	CloneServices   []string
	Cpu             int
	CreatedTime     string
	DisplayName     string
	IP              string
	InstanceName    string
	IsCustomConf    int // 1 when the instance runs a custom haproxy.cfg
	InstanceUuid    string
	LinkType        string
	LinkTypeStr     string
	MasterInfo      string
	Port            int
	ProjectName     string
	Ram             int // MB
	RegionId        string
	RelationService map[string]any
	ResourceId      string
	RoGroups        []string
	Status          string
	StatusStr       string
	SubProductName  string
	Tags            []tag
	VdcId           string
	VdcName         string
	Version         string
	Vips            []vip
}

// entry returns the instance's DescribeLoadBalancers entry, encoded. The
// encoding is kept beside the view it encodes, and made again only when
// the view has changed; the bytes returned are never written.
func (in *instance) entry() []byte {
	v := in.view()
	if in.encoded == nil || !sameView(&in.encodedView, &v) {
		v.Tags, v.Vips = slices.Clone(v.Tags), slices.Clone(v.Vips) // its own, so that a change in place shows
		in.encodedView, in.encoded = v, mustJSON(v)
	}
	return in.encoded
}

// sameView reports whether a and b encode alike. A map, which the view
// never holds, is never alike.
func sameView(a, b *loadBalancer) bool {
	return a.Cpu == b.Cpu && a.CreatedTime == b.CreatedTime && a.DisplayName == b.DisplayName && a.IP == b.IP &&
		a.InstanceName == b.InstanceName && a.IsCustomConf == b.IsCustomConf && a.InstanceUuid == b.InstanceUuid &&
		a.LinkType == b.LinkType && a.LinkTypeStr == b.LinkTypeStr && a.MasterInfo == b.MasterInfo && a.Port == b.Port &&
		a.ProjectName == b.ProjectName && a.Ram == b.Ram && a.RegionId == b.RegionId && a.ResourceId == b.ResourceId &&
		a.Status == b.Status && a.StatusStr == b.StatusStr && a.SubProductName == b.SubProductName &&
		a.VdcId == b.VdcId && a.VdcName == b.VdcName && a.Version == b.Version &&
		sameList(a.CloneServices, b.CloneServices) && sameList(a.RoGroups, b.RoGroups) &&
		sameList(a.Tags, b.Tags) && sameList(a.Vips, b.Vips) && a.RelationService == nil && b.RelationService == nil
}

// sameList reports whether a and b hold the same values and are both nil
// or both not, as JSON tells null from [].
func sameList[T comparable](a, b []T) bool {
	return (a == nil) == (b == nil) && slices.Equal(a, b)
}

func (in *instance) view() loadBalancer {
	ip := ""
	if len(in.vips) > 0 {
		ip = in.vips[0].IP
	}
	custom := 0
	if in.customConfig != "" {
		custom = 1
	}
	return loadBalancer{
		Cpu:            in.spec.CPU,
		CreatedTime:    in.createdTime,
		DisplayName:    in.displayName,
		IP:             ip,
		InstanceName:   in.name,
		InstanceUuid:   in.id,
		IsCustomConf:   custom,
		ProjectName:    "默认项目",
		Ram:            in.spec.RAM * 1024,
		RegionId:       in.regionID,
		ResourceId:     in.resourceID,
		Status:         in.status(),
		StatusStr:      statusText[in.status()],
		SubProductName: subProductName,
		Tags:           nonNilTags(in.tags),
		VdcId:          in.vdcID,
		VdcName:        in.vdcName,
		Version:        haproxyVersion,
		Vips:           in.vips,
	}
}

// describeLoadBalancers lists instances in creation order. Filters: IP is a
// substring of any VIP; InstanceUuid is exact; InstanceName is a substring;
// TagName is the exact name of one of its tags; StartTime and EndTime bound
// CreatedTime, both inclusive. With an InstanceUuid, it looks at that
// instance alone.
func (s *Server) describeLoadBalancers(r *request) (reply, error) {
	var f struct{ ip, id, name, tag, start, end string }
	for _, p := range []struct {
		name string
		dst  *string
	}{{"IP", &f.ip}, {"InstanceUuid", &f.id}, {"InstanceName", &f.name}, {"TagName", &f.tag}, {"StartTime", &f.start}, {"EndTime", &f.end}} {
		*p.dst, _ = r.str(p.name)
	}
	var start, end time.Time
	var err error
	if f.start != "" {
		if start, err = parseTime("StartTime", f.start); err != nil {
			return reply{}, err
		}
	}
	if f.end != "" {
		if end, err = parseTime("EndTime", f.end); err != nil {
			return reply{}, err
		}
	}
	matches := func(in *instance) bool {
		created := in.created.Truncate(time.Second)
		switch {
		case in.deleted,
			f.id != "" && in.id != f.id,
			f.name != "" && !strings.Contains(in.name, f.name),
			f.ip != "" && !in.hasIP(f.ip),
			f.tag != "" && !in.hasTag(f.tag),
			!start.IsZero() && created.Before(start),
			!end.IsZero() && created.After(end):
			return false
		}
		return true
	}
	candidates := s.order
	if f.id != "" {
		candidates = nil
		if in, ok := s.instances[f.id]; ok {
			candidates = []*instance{in}
		}
	}
	list := encodedList{}
	for _, in := range candidates {
		if matches(in) {
			list = append(list, in.entry())
		}
	}
	return reply{data: list}, nil
}

func (in *instance) hasIP(sub string) bool {
	for _, v := range in.vips {
		if strings.Contains(v.IP, sub) {
			return true
		}
	}
	return false
}
