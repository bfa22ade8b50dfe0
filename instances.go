package cdslb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cdsgo/cdslb/internal/wire"
)

// The Status values of a load balancer. Only a RUNNING instance accepts
// changes; the others are busy and refuse them with ResourceInUse.
const (
	StatusRunning  = "RUNNING"  // up, and accepts changes
	StatusCreating = "CREATING" // being created
	StatusChanging = "CHANGING" // applying a change: a resize, listeners, haproxy.cfg
	StatusDeleting = "DELETING" // being deleted
)

// CreateLoadBalancerRequest describes the load balancers to buy. The
// virtual data center and its networks are not this API's: VdcID,
// BasePipeID and each PipeID and SegmentID come from the vendor's network
// API (DescribeVdc, at /network, lists each VDC with its private and public
// networks) or the console, and an existing load balancer's VdcID is in
// LoadBalancer.VdcID.
type CreateLoadBalancerRequest struct {
	RegionID     string                 // required: the site, as in Zone.RegionID; the VDC's region
	VdcID        string                 // required: the virtual data center, in RegionID
	BasePipeID   string                 // required: the VDC's private network the instance's addresses come from
	InstanceName string                 // required
	PaasGoodsID  int                    // required: the size, from DescribeLoadBalancersSpec
	IPs          []CreateLoadBalancerIP // required: the networks the instance joins
	Amount       int                    // how many to create, 1-3; 0 is the service's default, one
	SubjectID    int                    // the funding subject the purchase is charged to (such as a test-credit subject); 0 sends none
}

// CreateLoadBalancerIP is a network a new load balancer joins.
//
// IsVIP belongs on the private network's entry, as the document's example
// puts it ("IsVip": 1 beside "PipeType": "private"; its table lists it at
// the top level, where no client sends it). It matters only to a load
// balancer that also joins a public network: false means the instance gets
// no private VIP, only its public addresses; nil sends nothing and the
// service opens the private VIP (its default, 1). A load balancer on a
// private network only always has its private VIP. IsVIP on a public entry,
// or false without a public entry, is an error before any request.
type CreateLoadBalancerIP struct {
	PipeType  string // PipeTypePrivate or PipeTypePublic
	PipeID    string // required: the VDC's private or public network's id
	SegmentID string // required for a public network: the public segment, of which the instance takes 3 addresses
	IsVIP     *bool  // private entry only: whether a load balancer that also joins a public network gets a private VIP; nil is the service's default, true
}

// CreateLoadBalancerResponse holds the ids of the new instances, which are
// still being created: wait for StatusRunning before changing them. The
// list holds at least Amount ids, each readable and none twice; the service
// may have sent more.
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

// A Success to CreateLoadBalancer must name at least as many instances as
// were asked for, each by a readable id and none twice: a blank or
// unreadable id (left blank by the decoding) may hide a billed instance,
// and a repeated one says the service counted wrong, so either makes the
// outcome unknown.
var createLoadBalancer = declare("CreateLoadBalancer", pathLB, changes,
	func(r *CreateLoadBalancerRequest, _ *time.Location) form { return inBody(createWire(r)) },
	func(req *CreateLoadBalancerRequest, d *struct{ InstancesUuid []string }, _ *time.Location) (*CreateLoadBalancerResponse, error) {
		ids := d.InstancesUuid
		for i, id := range ids {
			switch {
			case strings.TrimSpace(id) == "":
				return nil, malformed("Data.InstancesUuid[%d] is blank or unreadable", i)
			case slices.Contains(ids[:i], id):
				return nil, malformed("Data.InstancesUuid[%d] repeats %q", i, boundMessage(id, nil))
			}
		}
		if asked := max(req.Amount, 1); len(ids) < asked {
			return nil, malformed("Data.InstancesUuid names %d instances, %d were asked for", len(ids), asked)
		}
		return &CreateLoadBalancerResponse{InstanceUUIDs: ids}, nil
	})

// DescribeLoadBalancersRequest filters the list of load balancers; every
// field is optional, and a nil request lists them all. The list covers
// every region (there is no region filter) and comes whole, with no paging.
// IP and InstanceName match substrings, so an exact name needs a check of
// LoadBalancer.InstanceName on the answer.
type DescribeLoadBalancersRequest struct {
	IP           string    // instances with an address that contains this, such as "66.66"
	InstanceUUID string    // one instance
	InstanceName string    // instances whose name contains this, such as "web" for "web-1" and "old-web"
	TagName      string    // instances that carry this tag, by its exact name
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
	Tags           []Tag // the instance's tags
	CustomConfig   bool  // the instance runs a custom haproxy.cfg (ModifyHaproxyCustomConfig), not listeners set by the listener actions
}

// Tag is a tag on a load balancer.
type Tag struct {
	ID   int
	Name string
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

// Every entry listed must have the id and status the waiters act on, and
// the name and site Ensure compares (loadBalancerWire.check).
var describeLoadBalancers = declare("DescribeLoadBalancers", pathLB, reads,
	func(r *DescribeLoadBalancersRequest, loc *time.Location) form {
		return inQuery(struct {
			IP           string `url:"IP,omitempty"`
			InstanceUUID string `url:"InstanceUuid,omitempty"`
			InstanceName string `url:"InstanceName,omitempty"`
			TagName      string `url:"TagName,omitempty"`
			StartTime    string `url:"StartTime,omitempty"`
			EndTime      string `url:"EndTime,omitempty"`
		}{r.IP, r.InstanceUUID, r.InstanceName, r.TagName, wire.FormatTime(r.StartTime, loc), wire.FormatTime(r.EndTime, loc)})
	},
	func(_ *DescribeLoadBalancersRequest, d *loadBalancerList, loc *time.Location) (*DescribeLoadBalancersResponse, error) {
		return &DescribeLoadBalancersResponse{LoadBalancers: d.value(loc)}, nil
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
	return allOf(required("InstanceUUID", r.InstanceUUID), required("InstanceName", r.InstanceName))
}

func (r *ModifyLoadBalancerInstanceSpecRequest) validate() error {
	return allOf(required("InstanceUUID", r.InstanceUUID), positive("PaasGoodsID", r.PaasGoodsID))
}

func (r *CreateLoadBalancerRequest) validate() error {
	var p problems
	p.add(required("RegionID", r.RegionID), required("VdcID", r.VdcID),
		required("BasePipeID", r.BasePipeID), required("InstanceName", r.InstanceName),
		positive("PaasGoodsID", r.PaasGoodsID))
	if r.SubjectID < 0 {
		p.addf("SubjectID", "must not be negative (0 sends none), got %d", r.SubjectID)
	}
	if r.Amount < 0 || r.Amount > 3 {
		p.addf("Amount", "must be between 1 and 3 (0 means the service's default, 1), got %d", r.Amount)
	}
	if len(r.IPs) == 0 {
		p.addf("IPs", "must name at least one network")
	}
	public := slices.ContainsFunc(r.IPs, func(ip CreateLoadBalancerIP) bool { return ip.PipeType == PipeTypePublic })
	for i, ip := range r.IPs {
		f := fmt.Sprintf("IPs[%d].", i)
		switch {
		case ip.IsVIP != nil && ip.PipeType == PipeTypePublic:
			p.addf(f+"IsVIP", "belongs on the private network's entry, as the document's example has it")
		case ip.IsVIP != nil && !*ip.IsVIP && !public:
			p.addf(f+"IsVIP", "false asks for no private VIP, but without a public network the load balancer has no other address")
		}
		if ip.PipeType != PipeTypePrivate && ip.PipeType != PipeTypePublic {
			p.addf(f+"PipeType", "must be %q or %q, got %q", PipeTypePrivate, PipeTypePublic, ip.PipeType)
		}
		p.add(required(f+"PipeID", ip.PipeID))
		if ip.PipeType == PipeTypePublic && strings.TrimSpace(ip.SegmentID) == "" {
			p.addf(f+"SegmentID", "is required for a public network")
		}
	}
	return p.err()
}

// Network types of a load balancer's IP, for CreateLoadBalancerIP.PipeType.
const (
	PipeTypePrivate = "private"
	PipeTypePublic  = "public"
)

// share makes the fields that repeat across one account's instances (status,
// site, data center, project, product, version, address types) share one
// copy of each value seen in a list, so that a large list holds it once.
// Ids, names and addresses are each instance's own and are left alone.
// A nil seen shares nothing.
func share(lb *LoadBalancer, seen map[string]string) {
	if seen == nil {
		return
	}
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
