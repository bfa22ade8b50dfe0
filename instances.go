package cdslb

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cdsgo/cdslb/internal/wire"
)

// StatusRunning is the Status of a load balancer that is up and accepts changes.
const StatusRunning = "RUNNING"

// CreateLoadBalancerRequest describes the load balancers to buy.
type CreateLoadBalancerRequest struct {
	RegionID     string                 `json:"RegionId"`         // required: the site, as in Zone.RegionID
	VdcID        string                 `json:"VdcId"`            // required: the virtual data center
	BasePipeID   string                 `json:"BasePipeId"`       // required: the VDC's private network the instance's addresses come from
	InstanceName string                 `json:"InstanceName"`     // required
	PaasGoodsID  int                    `json:"PaasGoodsId"`      // required: the size, from DescribeLoadBalancersSpec
	IPs          []CreateLoadBalancerIP `json:"Ips"`              // required: the networks the instance joins
	Amount       int                    `json:"Amount,omitempty"` // how many to create, 1-3; 0 is the service's default, one
}

// CreateLoadBalancerIP is a network a new load balancer joins.
type CreateLoadBalancerIP struct {
	PipeType  string // PipeTypePrivate or PipeTypePublic
	PipeID    string // the private or public network's id
	SegmentID string // required for a public network: the public segment, of which the instance takes 3 addresses
	IsVIP     *bool  // public networks only: whether to also open a private VIP; nil is the service's default, true
}

// MarshalJSON writes the network in the API's spelling (IsVip as 1 or 0).
func (ip CreateLoadBalancerIP) MarshalJSON() ([]byte, error) {
	w := struct {
		PipeType  string
		PipeID    string `json:"PipeId"`
		SegmentID string `json:"SegmentId,omitempty"`
		IsVIP     *int   `json:"IsVip,omitempty"`
	}{PipeType: ip.PipeType, PipeID: ip.PipeID, SegmentID: ip.SegmentID}
	if ip.IsVIP != nil {
		v := 0
		if *ip.IsVIP {
			v = 1
		}
		w.IsVIP = &v
	}
	return json.Marshal(w)
}

// CreateLoadBalancerResponse holds the ids of the new instances, which are
// still being created: wait for StatusRunning before changing them.
type CreateLoadBalancerResponse struct {
	ResponseMeta
	InstanceUUIDs []string `json:"InstancesUuid"`
}

func (r *CreateLoadBalancerResponse) data() any { return r }

// CreateLoadBalancer buys Amount new load balancers (one by default). POST;
// it creates billed instances and returns their ids and a TaskID at once,
// while the instances are still being created. It is never retried after
// the request may have reached the service, so a failure that leaves the
// outcome unknown (a timeout, a 5xx) must be resolved by listing instances.
func (c *Client) CreateLoadBalancer(ctx context.Context, req *CreateLoadBalancerRequest) (*CreateLoadBalancerResponse, error) {
	return call[CreateLoadBalancerResponse](ctx, c, lbPost("CreateLoadBalancer"), req)
}

// DescribeLoadBalancersRequest filters the list of load balancers; every
// field is optional, and a nil request lists them all.
type DescribeLoadBalancersRequest struct {
	IP           string    // an address, or part of one, such as "66.66"
	InstanceUUID string    // one instance
	InstanceName string    // instances of this name
	StartTime    time.Time // created after this time; zero: no bound
	EndTime      time.Time // created before this time; zero: no bound
}

func (r *DescribeLoadBalancersRequest) wire(loc *time.Location) any {
	return struct {
		IP           string `url:"IP,omitempty"`
		InstanceUUID string `url:"InstanceUuid,omitempty"`
		InstanceName string `url:"InstanceName,omitempty"`
		StartTime    string `url:"StartTime,omitempty"`
		EndTime      string `url:"EndTime,omitempty"`
	}{r.IP, r.InstanceUUID, r.InstanceName, wire.FormatTime(r.StartTime, loc), wire.FormatTime(r.EndTime, loc)}
}

// DescribeLoadBalancersResponse lists the load balancers that match.
type DescribeLoadBalancersResponse struct {
	ResponseMeta
	LoadBalancers []LoadBalancer

	raw []loadBalancerWire
}

// loadBalancerWire is a LoadBalancer as the API writes it. Its fields
// shadow the embedded ones of the same name: the time is a string, and the
// numbers may come as strings. The rest decodes as cheaply as the wire's
// own types.
type loadBalancerWire struct {
	LoadBalancer
	CreatedTime    string
	Cpu, Ram, Port wire.Int
}

func (r *DescribeLoadBalancersResponse) data() any { return &r.raw }

func (r *DescribeLoadBalancersResponse) finish(loc *time.Location) {
	r.LoadBalancers = make([]LoadBalancer, len(r.raw))
	for i := range r.raw {
		w, lb := &r.raw[i], &r.LoadBalancers[i]
		*lb = w.LoadBalancer
		lb.CreatedTime = wire.ParseTime(w.CreatedTime, loc)
		lb.CPU, lb.MemoryMB, lb.Port = int(w.Cpu), int(w.Ram), int(w.Port)
	}
	r.raw = nil
}

// LoadBalancer is a managed HAProxy instance.
type LoadBalancer struct {
	InstanceUUID   string `json:"InstanceUuid"`
	InstanceName   string
	Status         string    // such as StatusRunning; "CREATING", "CHANGING" and "DELETING" while busy
	StatusText     string    `json:"StatusStr"` // the status in Chinese, such as "运行中"
	IP             string    // one of the instance's addresses
	Port           int       `json:"-"`    // the connection port, 0 when none
	VIPs           []VIP     `json:"Vips"` // every address of the instance
	RegionID       string    `json:"RegionId"`
	DisplayName    string    // the site's name, such as "亚太地区-香港-可用区A"
	VdcID          string    `json:"VdcId"`
	VdcName        string    // the virtual data center's name
	ProjectName    string    // such as "默认项目" (the default project)
	SubProductName string    // such as "haproxy 主从版"
	Version        string    // the HAProxy version, such as "1.8.3"
	ResourceID     string    `json:"ResourceId"`
	CPU            int       `json:"-"` // cores
	MemoryMB       int       `json:"-"` // memory in MB, as the API reports it (2048 for 2 GB)
	CreatedTime    time.Time `json:"-"`
}

// VIP is one address of a load balancer.
type VIP struct {
	IP   string
	Type string // PipeTypePrivate or PipeTypePublic
}

// DescribeLoadBalancers lists load balancers, filtered by the request's
// fields. GET; it changes nothing. A filter that matches nothing gives an
// empty list, not an error.
func (c *Client) DescribeLoadBalancers(ctx context.Context, req *DescribeLoadBalancersRequest) (*DescribeLoadBalancersResponse, error) {
	return call[DescribeLoadBalancersResponse](ctx, c, lbGet("DescribeLoadBalancers"), req)
}

// ModifyLoadBalancerInstanceSpecRequest changes an instance's size.
type ModifyLoadBalancerInstanceSpecRequest struct {
	InstanceUUID string `json:"InstanceUuid"` // required
	PaasGoodsID  int    `json:"PaasGoodsId"`  // required: the new size, from DescribeLoadBalancersModifySpec
}

// ModifyLoadBalancerInstanceSpecResponse holds the TaskID of the change.
type ModifyLoadBalancerInstanceSpecResponse struct{ ResponseMeta }

// ModifyLoadBalancerInstanceSpec resizes an instance. POST; the change runs
// asynchronously (the instance is busy until it is RUNNING again) and the
// response holds its TaskID. A busy instance refuses it with ResourceInUse.
func (c *Client) ModifyLoadBalancerInstanceSpec(ctx context.Context, req *ModifyLoadBalancerInstanceSpecRequest) (*ModifyLoadBalancerInstanceSpecResponse, error) {
	return call[ModifyLoadBalancerInstanceSpecResponse](ctx, c, lbPost("ModifyLoadBalancerInstanceSpec"), req)
}

// DeleteLoadBalancerRequest names the instance to delete.
type DeleteLoadBalancerRequest struct {
	InstanceUUID string `json:"InstanceUuid"` // required
}

// DeleteLoadBalancerResponse holds the TaskID of the deletion.
type DeleteLoadBalancerResponse struct{ ResponseMeta }

// DeleteLoadBalancer deletes an instance and its listeners. POST; the
// deletion runs asynchronously and the response holds its TaskID. A busy
// instance refuses it with ResourceInUse.
func (c *Client) DeleteLoadBalancer(ctx context.Context, req *DeleteLoadBalancerRequest) (*DeleteLoadBalancerResponse, error) {
	return call[DeleteLoadBalancerResponse](ctx, c, lbPost("DeleteLoadBalancer"), req)
}

// ModifyLoadBalancerNameRequest renames an instance.
type ModifyLoadBalancerNameRequest struct {
	InstanceUUID string `json:"InstanceUuid"` // required
	InstanceName string `json:"InstanceName"` // required: the new name
}

// ModifyLoadBalancerNameResponse is the service's acknowledgement.
type ModifyLoadBalancerNameResponse struct{ ResponseMeta }

// ModifyLoadBalancerName renames an instance (newer API edition). POST; the
// answer holds no data.
func (c *Client) ModifyLoadBalancerName(ctx context.Context, req *ModifyLoadBalancerNameRequest) (*ModifyLoadBalancerNameResponse, error) {
	return call[ModifyLoadBalancerNameResponse](ctx, c, lbPost("ModifyLoadBalancerName"), req)
}
