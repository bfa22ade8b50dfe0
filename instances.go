package cdslb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cdsgo/cdslb/internal/wire"
)

// StatusRunning is the Status of a load balancer that is up and accepts changes.
const StatusRunning = "RUNNING"

// CreateLoadBalancerRequest describes the load balancers to buy.
type CreateLoadBalancerRequest struct {
	RegionID     string                 // required: the site, as in Zone.RegionID
	VdcID        string                 // required: the virtual data center
	BasePipeID   string                 // required: the VDC's private network the instance's addresses come from
	InstanceName string                 // required
	PaasGoodsID  int                    // required: the size, from DescribeLoadBalancersSpec
	IPs          []CreateLoadBalancerIP // required: the networks the instance joins
	Amount       int                    // how many to create, 1-3; 0 is the service's default, one
}

// CreateLoadBalancerIP is a network a new load balancer joins.
type CreateLoadBalancerIP struct {
	PipeType  string // PipeTypePrivate or PipeTypePublic
	PipeID    string // the private or public network's id
	SegmentID string // required for a public network: the public segment, of which the instance takes 3 addresses
	IsVIP     *bool  // public networks only: whether to also open a private VIP; nil is the service's default, true
}

// CreateLoadBalancerResponse holds the ids of the new instances, which are
// still being created: wait for StatusRunning before changing them. The
// list holds each id the service sent once, none blank, and at least
// Amount of them; the service may have sent more.
type CreateLoadBalancerResponse struct {
	ResponseMeta
	InstanceUUIDs []string
}

// CreateLoadBalancer buys Amount new load balancers (one by default). POST;
// it creates billed instances and returns their ids and a TaskID at once,
// while the instances are still being created. It is never retried after
// the request may have reached the service: an error that matches
// ErrOutcomeUnknown (a timeout, a 5xx, a Success with fewer readable ids
// than asked for) may hide billed instances, so list instances by name
// (DescribeLoadBalancers) before creating again.
func (c *Client) CreateLoadBalancer(ctx context.Context, req *CreateLoadBalancerRequest) (*CreateLoadBalancerResponse, error) {
	return createLoadBalancer.call(ctx, c, req)
}

// A Success to CreateLoadBalancer must name at least as many distinct
// instances as were asked for; a blank or unreadable id (left blank by the
// decoding) names none, and a repeated one only once.
var createLoadBalancer = declare("CreateLoadBalancer", pathLB, changes,
	func(r *CreateLoadBalancerRequest, _ *time.Location) form { return inBody(createWire(r)) },
	func(req *CreateLoadBalancerRequest, d *struct{ InstancesUuid []string }, _ *time.Location) (*CreateLoadBalancerResponse, error) {
		var ids []string
		for _, id := range d.InstancesUuid {
			if strings.TrimSpace(id) != "" && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		if asked := max(req.Amount, 1); len(ids) < asked {
			return nil, malformed("Data.InstancesUuid names %d distinct instances, %d were asked for", len(ids), asked)
		}
		return &CreateLoadBalancerResponse{InstanceUUIDs: ids}, nil
	})

// DescribeLoadBalancersRequest filters the list of load balancers; every
// field is optional, and a nil request lists them all.
type DescribeLoadBalancersRequest struct {
	IP           string    // an address, or part of one, such as "66.66"
	InstanceUUID string    // one instance
	InstanceName string    // instances of this name
	StartTime    time.Time // created after this time; zero: no bound
	EndTime      time.Time // created before this time; zero: no bound
}

// DescribeLoadBalancersResponse lists the load balancers that match.
type DescribeLoadBalancersResponse struct {
	ResponseMeta
	LoadBalancers []LoadBalancer
}

// LoadBalancer is a managed HAProxy instance.
type LoadBalancer struct {
	InstanceUUID   string
	InstanceName   string
	Status         string // such as StatusRunning; "CREATING", "CHANGING" and "DELETING" while busy
	StatusText     string // the status in Chinese, such as "运行中"
	IP             string // one of the instance's addresses
	Port           int    // the connection port, 0 when none
	VIPs           []VIP  // every address of the instance
	RegionID       string
	DisplayName    string // the site's name, such as "亚太地区-香港-可用区A"
	VdcID          string
	VdcName        string // the virtual data center's name
	ProjectName    string // such as "默认项目" (the default project)
	SubProductName string // such as "haproxy 主从版"
	Version        string // the HAProxy version, such as "1.8.3"
	ResourceID     string
	CPU            int // cores
	MemoryMB       int // memory in MB, as the API reports it (2048 for 2 GB)
	CreatedTime    time.Time
}

// VIP is one address of a load balancer.
type VIP struct {
	IP   string
	Type string // PipeTypePrivate or PipeTypePublic
}

// DescribeLoadBalancers lists load balancers, filtered by the request's
// fields. GET; it changes nothing. A filter that matches nothing gives an
// empty list, not an error. A list that is not a list, or an entry without
// InstanceUuid or Status, fails with ErrMalformedAnswer (after the
// policy's retries): a waiter must not take it for an absent instance.
func (c *Client) DescribeLoadBalancers(ctx context.Context, req *DescribeLoadBalancersRequest) (*DescribeLoadBalancersResponse, error) {
	return describeLoadBalancers.call(ctx, c, req)
}

// Every entry listed must have the id and status the waiters act on.
var describeLoadBalancers = declare("DescribeLoadBalancers", pathLB, reads,
	func(r *DescribeLoadBalancersRequest, loc *time.Location) form {
		return inQuery(struct {
			IP           string `url:"IP,omitempty"`
			InstanceUUID string `url:"InstanceUuid,omitempty"`
			InstanceName string `url:"InstanceName,omitempty"`
			StartTime    string `url:"StartTime,omitempty"`
			EndTime      string `url:"EndTime,omitempty"`
		}{r.IP, r.InstanceUUID, r.InstanceName, wire.FormatTime(r.StartTime, loc), wire.FormatTime(r.EndTime, loc)})
	},
	func(_ *DescribeLoadBalancersRequest, d *[]loadBalancerWire, loc *time.Location) (*DescribeLoadBalancersResponse, error) {
		for i, w := range *d {
			if strings.TrimSpace(w.InstanceUUID) == "" || strings.TrimSpace(w.Status) == "" {
				return nil, malformed("Data[%d] has no InstanceUuid or no Status", i)
			}
		}
		return &DescribeLoadBalancersResponse{LoadBalancers: convert(*d, func(w *loadBalancerWire) LoadBalancer { return w.value(loc) })}, nil
	})

// ModifyLoadBalancerInstanceSpecRequest changes an instance's size.
type ModifyLoadBalancerInstanceSpecRequest struct {
	InstanceUUID string // required
	PaasGoodsID  int    // required: the new size, from DescribeLoadBalancersModifySpec
}

// ModifyLoadBalancerInstanceSpecResponse holds the TaskID of the change.
type ModifyLoadBalancerInstanceSpecResponse struct{ ResponseMeta }

// ModifyLoadBalancerInstanceSpec resizes an instance. POST; the change runs
// asynchronously (the instance is busy until it is RUNNING again) and the
// response holds its TaskID. A busy instance refuses it with ResourceInUse.
func (c *Client) ModifyLoadBalancerInstanceSpec(ctx context.Context, req *ModifyLoadBalancerInstanceSpecRequest) (*ModifyLoadBalancerInstanceSpecResponse, error) {
	return modifyLoadBalancerInstanceSpec.call(ctx, c, req)
}

var modifyLoadBalancerInstanceSpec = declare("ModifyLoadBalancerInstanceSpec", pathLB, changes,
	func(r *ModifyLoadBalancerInstanceSpecRequest, _ *time.Location) form {
		return inBody(struct {
			InstanceUUID string `json:"InstanceUuid"`
			PaasGoodsID  int    `json:"PaasGoodsId"`
		}{r.InstanceUUID, r.PaasGoodsID})
	},
	acknowledged[ModifyLoadBalancerInstanceSpecRequest, ModifyLoadBalancerInstanceSpecResponse])

// DeleteLoadBalancerRequest names the instance to delete.
type DeleteLoadBalancerRequest struct {
	InstanceUUID string // required
}

// DeleteLoadBalancerResponse holds the TaskID of the deletion.
type DeleteLoadBalancerResponse struct{ ResponseMeta }

// DeleteLoadBalancer deletes an instance and its listeners. POST; the
// deletion runs asynchronously and the response holds its TaskID. A busy
// instance refuses it with ResourceInUse.
func (c *Client) DeleteLoadBalancer(ctx context.Context, req *DeleteLoadBalancerRequest) (*DeleteLoadBalancerResponse, error) {
	return deleteLoadBalancer.call(ctx, c, req)
}

var deleteLoadBalancer = declare("DeleteLoadBalancer", pathLB, changes,
	func(r *DeleteLoadBalancerRequest, _ *time.Location) form { return inBody(instanceWire{r.InstanceUUID}) },
	acknowledged[DeleteLoadBalancerRequest, DeleteLoadBalancerResponse])

// ModifyLoadBalancerNameRequest renames an instance.
type ModifyLoadBalancerNameRequest struct {
	InstanceUUID string // required
	InstanceName string // required: the new name
}

// ModifyLoadBalancerNameResponse is the service's acknowledgement.
type ModifyLoadBalancerNameResponse struct{ ResponseMeta }

// ModifyLoadBalancerName renames an instance (newer API edition). POST; the
// answer holds no data.
func (c *Client) ModifyLoadBalancerName(ctx context.Context, req *ModifyLoadBalancerNameRequest) (*ModifyLoadBalancerNameResponse, error) {
	return modifyLoadBalancerName.call(ctx, c, req)
}

var modifyLoadBalancerName = declare("ModifyLoadBalancerName", pathLB, changes,
	func(r *ModifyLoadBalancerNameRequest, _ *time.Location) form {
		return inBody(struct {
			InstanceUUID string `json:"InstanceUuid"`
			InstanceName string
		}{r.InstanceUUID, r.InstanceName})
	},
	acknowledged[ModifyLoadBalancerNameRequest, ModifyLoadBalancerNameResponse])

func (r *DescribeLoadBalancersRequest) validate() error { return nil }

func (r *DeleteLoadBalancerRequest) validate() error {
	return required("InstanceUUID", r.InstanceUUID)
}

func (r *ModifyLoadBalancerNameRequest) validate() error {
	return firstError(required("InstanceUUID", r.InstanceUUID), required("InstanceName", r.InstanceName))
}

func (r *ModifyLoadBalancerInstanceSpecRequest) validate() error {
	return firstError(required("InstanceUUID", r.InstanceUUID), positive("PaasGoodsID", r.PaasGoodsID))
}

func (r *CreateLoadBalancerRequest) validate() error {
	err := firstError(required("RegionID", r.RegionID), required("VdcID", r.VdcID),
		required("BasePipeID", r.BasePipeID), required("InstanceName", r.InstanceName),
		positive("PaasGoodsID", r.PaasGoodsID))
	if err != nil {
		return err
	}
	if r.Amount < 0 || r.Amount > 3 {
		return invalid("Amount", "must be between 1 and 3 (0 means the service's default, 1), got %d", r.Amount)
	}
	if len(r.IPs) == 0 {
		return invalid("IPs", "must name at least one network")
	}
	for i, ip := range r.IPs {
		f := fmt.Sprintf("IPs[%d].", i)
		if ip.PipeType != PipeTypePrivate && ip.PipeType != PipeTypePublic {
			return invalid(f+"PipeType", "must be %q or %q, got %q", PipeTypePrivate, PipeTypePublic, ip.PipeType)
		}
		if err := required(f+"PipeID", ip.PipeID); err != nil {
			return err
		}
		if ip.PipeType == PipeTypePublic && strings.TrimSpace(ip.SegmentID) == "" {
			return invalid(f+"SegmentID", "is required for a public network")
		}
	}
	return nil
}

// Network types of a load balancer's IP, for CreateLoadBalancerIP.PipeType.
const (
	PipeTypePrivate = "private"
	PipeTypePublic  = "public"
)
