package cdslb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
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
// still being created: wait for StatusRunning before changing them. The
// list is as the service sent it; check its length rather than assume it.
type CreateLoadBalancerResponse struct {
	ResponseMeta
	InstanceUUIDs []string `json:"InstancesUuid"`
}

func (r *CreateLoadBalancerResponse) data() any { return r }

// CreateLoadBalancer buys Amount new load balancers (one by default). POST;
// it creates billed instances and returns their ids and a TaskID at once,
// while the instances are still being created. It is never retried after
// the request may have reached the service: an error that matches
// ErrOutcomeUnknown (a timeout, a 5xx, a Success with fewer readable ids
// than asked for) may hide billed instances, so list instances by name
// (DescribeLoadBalancers) before creating again.
func (c *Client) CreateLoadBalancer(ctx context.Context, req *CreateLoadBalancerRequest) (*CreateLoadBalancerResponse, error) {
	return callChecked(ctx, c, lbPost("CreateLoadBalancer"), req, checkCreated)
}

// checkCreated says why a Success to CreateLoadBalancer is malformed: it
// must name at least as many instances as were asked for.
func checkCreated(req *CreateLoadBalancerRequest, resp *CreateLoadBalancerResponse) string {
	ids := 0
	for _, id := range resp.InstanceUUIDs {
		if strings.TrimSpace(id) != "" {
			ids++
		}
	}
	if asked := max(req.Amount, 1); ids < asked {
		return fmt.Sprintf("Data.InstancesUuid names %d instances, %d were asked for", ids, asked)
	}
	return ""
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
// empty list, not an error. A list that is not a list, or an entry without
// InstanceUuid or Status, fails with ErrMalformedAnswer (after the
// policy's retries): a waiter must not take it for an absent instance.
func (c *Client) DescribeLoadBalancers(ctx context.Context, req *DescribeLoadBalancersRequest) (*DescribeLoadBalancersResponse, error) {
	return callChecked(ctx, c, lbGet("DescribeLoadBalancers"), req, checkListed)
}

// checkListed says why a Success to DescribeLoadBalancers is malformed:
// every entry must have the id and status the waiters act on.
func checkListed(_ *DescribeLoadBalancersRequest, resp *DescribeLoadBalancersResponse) string {
	for i, lb := range resp.LoadBalancers {
		if strings.TrimSpace(lb.InstanceUUID) == "" || strings.TrimSpace(lb.Status) == "" {
			return fmt.Sprintf("Data[%d] has no InstanceUuid or no Status", i)
		}
	}
	return ""
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

// ErrWaitFailed is matched by the error of a waiter that saw the instance
// in a state from which it cannot reach the goal: a status containing
// "ERROR" or "FAIL", such as "CREATE_FAILED".
var ErrWaitFailed = errors.New("cdslb: the load balancer is in a failed state")

// WaitError is every error a waiter returns. Err is the cause, so errors.Is
// sees through it:
//   - ErrWaitFailed: the instance reached a failed status (Status says which);
//   - ErrResourceNotFound: the instance stayed missing from the list for
//     longer than the not-found grace (WithNotFoundGrace);
//   - context.DeadlineExceeded or context.Canceled: the context ended first;
//   - an *APIError or *ValidationError: a poll failed in a way that polling
//     again cannot fix (such as InvalidParameter or an authentication
//     error), or a transient failure (5xx, 429, transport, a malformed
//     answer) lasted over a minute;
//   - the error the caller's done function returned.
type WaitError struct {
	InstanceUUID string // the instance waited for
	Status       string // the last status seen; empty if it was never listed
	Err          error  // the cause
}

// Error names the instance, the last status seen and the cause.
func (e *WaitError) Error() string {
	if e == nil {
		return "cdslb: <nil WaitError>"
	}
	s := "cdslb: waiting for load balancer " + e.InstanceUUID
	if e.Status != "" {
		s += " (last status " + e.Status + ")"
	}
	if e.Err == nil {
		return s
	}
	return s + ": " + strings.TrimPrefix(e.Err.Error(), "cdslb: ") // said once, at the start
}

// Unwrap returns the cause.
func (e *WaitError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// WaitOption configures a waiter.
type WaitOption func(*waitConfig)

type waitConfig struct {
	minDelay, maxDelay time.Duration
	notFoundGrace      time.Duration
	// The clock, replaced in tests: sleep waits or returns ctx's error.
	sleep func(context.Context, time.Duration) error
	now   func() time.Time
}

// transientGrace is how long polls may fail in a row with errors that may
// pass (5xx, 429, transport) before the waiter gives up and returns the last.
const transientGrace = time.Minute

// WithPollInterval sets the delay between polls: it starts at min and grows
// by half each poll up to max, plus up to a tenth of random jitter (never
// above max). The defaults are 2 s and 30 s. A min that is not positive
// keeps the default; a max below min is taken as min.
func WithPollInterval(min, max time.Duration) WaitOption {
	return func(c *waitConfig) {
		if min > 0 {
			c.minDelay = min
		}
		c.maxDelay = max
	}
}

// WithNotFoundGrace sets how long the instance may be missing from
// DescribeLoadBalancers' list, or answered with ResourceNotFound, before a
// waiter that needs it (WaitUntilRunning, or a done function that returns
// false for nil) fails with ErrResourceNotFound. A just-created instance
// may take a moment to be listed. The default is one minute; 0 fails at
// the first poll that misses it.
func WithNotFoundGrace(d time.Duration) WaitOption {
	return func(c *waitConfig) { c.notFoundGrace = max(d, 0) }
}

// WaitUntil polls DescribeLoadBalancers for one instance until done says
// true, and returns the instance done accepted (nil if done accepted its
// absence). done gets nil when the instance is not listed or the service
// answers ResourceNotFound; when it returns an error, WaitUntil returns it.
//
// Polling also ends, with a *WaitError, when the context ends, when the
// instance's status contains "ERROR" or "FAIL" and done did not accept it
// (ErrWaitFailed), when the instance stays missing longer than the
// not-found grace, or when a poll fails with an error that polling again
// cannot fix. Errors that may pass (5xx, 429, InternalError, throttling,
// SignatureNonceUsed, transport errors, malformed answers) are polled
// through for up to a minute in a row; no error other than
// ResourceNotFound is ever taken to mean the instance is gone, and a
// malformed answer (ErrMalformedAnswer) never means gone or running. Polls are spaced as WithPollInterval says; the waits end at once
// when the context does, so give ctx the deadline you can afford.
func (c *Client) WaitUntil(ctx context.Context, instanceUUID string, done func(*LoadBalancer) (bool, error), opts ...WaitOption) (*LoadBalancer, error) {
	switch {
	case c == nil || c.signer == nil:
		return nil, errors.New("cdslb: WaitUntil: the Client was not made by NewClient or NewClientFromEnv")
	case done == nil:
		return nil, &ValidationError{Action: "WaitUntil", Field: "done", Reason: "must not be nil"}
	case ctx == nil:
		return nil, &ValidationError{Action: "WaitUntil", Field: "ctx", Reason: "must not be nil; use context.Background()"}
	case strings.TrimSpace(instanceUUID) == "":
		// An empty id would list every instance, and a deletion waiter
		// would report success.
		return nil, &ValidationError{Action: "WaitUntil", Field: "instanceUUID", Reason: "is required"}
	}
	cfg := waitConfig{minDelay: 2 * time.Second, maxDelay: 30 * time.Second, notFoundGrace: time.Minute, sleep: c.sleep, now: time.Now}
	for i, opt := range opts {
		if opt == nil {
			return nil, &ValidationError{Action: "WaitUntil", Field: fmt.Sprintf("opts[%d]", i), Reason: "must not be nil"}
		}
		opt(&cfg)
	}
	cfg.maxDelay = max(cfg.maxDelay, cfg.minDelay)

	w := &WaitError{InstanceUUID: instanceUUID}
	fail := func(err error) (*LoadBalancer, error) { w.Err = err; return nil, w }
	var missingSince, failingSince time.Time
	var lastErr error // the last transient failure, while they last
	delay := cfg.minDelay
	for {
		lb, err := c.pollInstance(ctx, instanceUUID)
		lastErr = err
		switch {
		case err != nil && ctx.Err() != nil:
			return fail(err) // wraps ctx's error
		case err != nil:
			if !transient(err) {
				return fail(err)
			}
			if failingSince.IsZero() {
				failingSince = cfg.now()
			}
			if cfg.now().Sub(failingSince) >= transientGrace {
				return fail(err)
			}
		default:
			failingSince = time.Time{}
			if lb != nil {
				w.Status = lb.Status
			}
			ok, err := done(lb)
			if err != nil {
				return fail(err)
			}
			if ok {
				return lb, nil
			}
			if lb != nil {
				missingSince = time.Time{}
				if s := strings.ToUpper(lb.Status); strings.Contains(s, "ERROR") || strings.Contains(s, "FAIL") {
					return fail(ErrWaitFailed)
				}
			} else {
				if missingSince.IsZero() {
					missingSince = cfg.now()
				}
				if missing := cfg.now().Sub(missingSince); missing >= cfg.notFoundGrace {
					return fail(fmt.Errorf("%w: not listed for %v", ErrResourceNotFound, missing.Round(time.Second)))
				}
			}
		}

		d := min(delay+rand.N(delay/10+1), cfg.maxDelay)
		if err := cfg.sleep(ctx, d); err != nil {
			if lastErr != nil {
				err = fmt.Errorf("%w (last poll: %s)", err, strings.TrimPrefix(lastErr.Error(), "cdslb: "))
			}
			return fail(err)
		}
		delay = min(delay*3/2, cfg.maxDelay)
	}
}

// pollInstance returns the listed instance of that id, nil if it is not
// listed or the service answers ResourceNotFound.
func (c *Client) pollInstance(ctx context.Context, instanceUUID string) (*LoadBalancer, error) {
	resp, err := c.DescribeLoadBalancers(ctx, &DescribeLoadBalancersRequest{InstanceUUID: instanceUUID})
	if errors.Is(err, ErrResourceNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for i := range resp.LoadBalancers {
		if resp.LoadBalancers[i].InstanceUUID == instanceUUID {
			return &resp.LoadBalancers[i], nil
		}
	}
	return nil, nil
}

// transient reports whether a failed DescribeLoadBalancers may succeed if
// repeated: what the client retries for read-only actions, and
// ResourceInUse, which runs nothing. Everything else (4xx such as
// InvalidParameter or an authentication failure) fails again the same way.
func transient(err error) bool {
	return mayPass(err) || errors.Is(err, ErrResourceInUse)
}

// WaitUntilRunning waits until the instance's status is RUNNING
// (StatusRunning) and returns it. Use it after CreateLoadBalancer and after
// every change that makes the instance busy. It fails with ErrWaitFailed on
// a status containing "ERROR" or "FAIL", and with ErrResourceNotFound if
// the instance is not listed within the not-found grace (WithNotFoundGrace,
// one minute by default); see WaitUntil for the rest.
func (c *Client) WaitUntilRunning(ctx context.Context, instanceUUID string, opts ...WaitOption) (*LoadBalancer, error) {
	return c.WaitUntil(ctx, instanceUUID, func(lb *LoadBalancer) (bool, error) {
		return lb != nil && lb.Status == StatusRunning, nil
	}, opts...)
}

// WaitUntilDeleted waits until the instance is gone: no longer listed by
// DescribeLoadBalancers, or answered with ResourceNotFound. Any other
// status (such as DELETING) keeps it polling, except one containing
// "ERROR" or "FAIL" (ErrWaitFailed); any other error is returned, never
// taken to mean the instance is gone. See WaitUntil for the rest.
func (c *Client) WaitUntilDeleted(ctx context.Context, instanceUUID string, opts ...WaitOption) error {
	_, err := c.WaitUntil(ctx, instanceUUID, func(lb *LoadBalancer) (bool, error) { return lb == nil, nil }, opts...)
	return err
}
