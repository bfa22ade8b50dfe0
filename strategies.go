package cdslb

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// DescribeLoadBalancerStrategysRequest names the instance whose listeners to read.
type DescribeLoadBalancerStrategysRequest struct {
	InstanceUUID string `url:"InstanceUuid"` // required
}

// DescribeLoadBalancerStrategysResponse holds an instance's listeners.
type DescribeLoadBalancerStrategysResponse struct {
	ResponseMeta
	HTTPListeners []HTTPListener `json:"HttpListeners"`
	TCPListeners  []TCPListener  `json:"TcpListeners"`

	raw     listenersWire
	inexact string // the first listener and field not read exactly; see exact.go
}

// listenersWire is the answer's Data: each listener with whether it was
// read exactly.
type listenersWire struct {
	HttpListeners []exactly[HTTPListener]
	TcpListeners  []exactly[TCPListener]
}

// exactly is a listener decoded as usual, and checked for exactness.
type exactly[L HTTPListener | TCPListener] struct {
	listener L
	inexact  string // the first field not read exactly, "" if none
}

func (e *exactly[L]) UnmarshalJSON(b []byte) error {
	_ = json.Unmarshal(b, &e.listener) // tolerant, never fails
	_, isHTTP := any(e.listener).(HTTPListener)
	e.inexact = inexactListener(b, isHTTP)
	return nil
}

func (r *DescribeLoadBalancerStrategysResponse) data() any { return &r.raw }

func (r *DescribeLoadBalancerStrategysResponse) finish(*time.Location) {
	r.HTTPListeners, r.inexact = unwrap(r.raw.HttpListeners, func(l *HTTPListener) string { return l.ListenerName }, r.inexact)
	r.TCPListeners, r.inexact = unwrap(r.raw.TcpListeners, func(l *TCPListener) string { return l.ListenerName }, r.inexact)
	r.raw = listenersWire{}
}

// unwrap returns the listeners, and inexact or else a description of the
// first one not read exactly.
func unwrap[L HTTPListener | TCPListener](raw []exactly[L], name func(*L) string, inexact string) ([]L, string) {
	if raw == nil {
		return nil, inexact
	}
	out := make([]L, len(raw))
	for i := range raw {
		out[i] = raw[i].listener
		if inexact == "" && raw[i].inexact != "" {
			inexact = fmt.Sprintf("listener %q: field %s", name(&out[i]), raw[i].inexact)
		}
	}
	return out, inexact
}

// DescribeLoadBalancerStrategys returns an instance's HTTP and TCP listeners
// ("strategies") with their backends. GET; it changes nothing.
func (c *Client) DescribeLoadBalancerStrategys(ctx context.Context, req *DescribeLoadBalancerStrategysRequest) (*DescribeLoadBalancerStrategysResponse, error) {
	return call[DescribeLoadBalancerStrategysResponse](ctx, c, lbGet("DescribeLoadBalancerStrategys"), req)
}

// ModifyLoadBalancerStrategysRequest is the complete new listener set of an
// instance. Listeners left out are deleted.
type ModifyLoadBalancerStrategysRequest struct {
	InstanceUUID  string         `json:"InstanceUuid"`  // required
	HTTPListeners []HTTPListener `json:"HttpListeners"` // sent as [] when empty
	TCPListeners  []TCPListener  `json:"TcpListeners"`  // sent as [] when empty
}

func (r *ModifyLoadBalancerStrategysRequest) wire(*time.Location) any {
	w := *r
	w.HTTPListeners, w.TCPListeners = nonNil(r.HTTPListeners), nonNil(r.TCPListeners)
	return &w
}

// ModifyLoadBalancerStrategysResponse holds the TaskID of the change.
type ModifyLoadBalancerStrategysResponse struct{ ResponseMeta }

// ModifyLoadBalancerStrategys REPLACES the whole listener set of an
// instance with the request's: every listener not in the request is
// DELETED. Sending one listener to change it deletes all the others. To add
// listeners use AddLoadBalancerStrategys; to change or remove one, read the
// set first with DescribeLoadBalancerStrategys and send it back whole.
// POST; the change runs asynchronously (the instance is busy until it is
// RUNNING again) and the response holds its TaskID. With RetryConflicts a
// 409 resends the request as given, which may undo a change made while
// the instance was busy; UpdateListener and RemoveListener read again
// instead.
func (c *Client) ModifyLoadBalancerStrategys(ctx context.Context, req *ModifyLoadBalancerStrategysRequest) (*ModifyLoadBalancerStrategysResponse, error) {
	return call[ModifyLoadBalancerStrategysResponse](ctx, c, lbPost("ModifyLoadBalancerStrategys"), req)
}

// AddLoadBalancerStrategysRequest holds listeners to add to an instance.
type AddLoadBalancerStrategysRequest struct {
	InstanceUUID  string         `json:"InstanceUuid"`           // required
	HTTPListeners []HTTPListener `json:"HttpListeners"`          // sent as [] when empty
	TCPListeners  []TCPListener  `json:"TcpListeners,omitempty"` // optional on the wire
}

func (r *AddLoadBalancerStrategysRequest) wire(*time.Location) any {
	w := *r
	w.HTTPListeners = nonNil(r.HTTPListeners)
	return &w
}

// AddLoadBalancerStrategysResponse holds the TaskID of the change.
type AddLoadBalancerStrategysResponse struct{ ResponseMeta }

// AddLoadBalancerStrategys adds listeners to an instance, keeping the ones
// it has (newer API edition): the safe way to add a listener. POST; the
// change runs asynchronously and the response holds its TaskID. Names and
// ports must not clash with the instance's listeners.
func (c *Client) AddLoadBalancerStrategys(ctx context.Context, req *AddLoadBalancerStrategysRequest) (*AddLoadBalancerStrategysResponse, error) {
	return call[AddLoadBalancerStrategysResponse](ctx, c, lbPost("AddLoadBalancerStrategys"), req)
}

// DescribeLBInstanceListenersRequest names the instance whose listeners to list.
type DescribeLBInstanceListenersRequest struct {
	InstanceUUID string `json:"InstanceUuid"` // required
}

// DescribeLBInstanceListenersResponse lists an instance's listeners by name.
type DescribeLBInstanceListenersResponse struct {
	ResponseMeta
	Listeners []ListenerSummary
}

func (r *DescribeLBInstanceListenersResponse) data() any { return &r.Listeners }

// ListenerSummary names a listener and, for HTTP listeners, its backends.
type ListenerSummary struct {
	ListenerName string
	ListenerMode string        // ListenerModeHTTP or ListenerModeTCP
	BackendNames []BackendName // HTTP listeners only; empty for TCP
}

// BackendName is the name HAProxy gives a backend, and the name shown for it.
type BackendName struct {
	BackendName string
	DisplayName string
}

// DescribeLBInstanceListeners lists an instance's listeners by name, with
// the HAProxy backend names of HTTP listeners (newer API edition); use the
// names for listener metrics. POST, though it only reads: it is retried
// like every Describe action.
func (c *Client) DescribeLBInstanceListeners(ctx context.Context, req *DescribeLBInstanceListenersRequest) (*DescribeLBInstanceListenersResponse, error) {
	return call[DescribeLBInstanceListenersResponse](ctx, c, lbPost("DescribeLBInstanceListeners"), req)
}

// DescribeHaproxyCustomConfigRequest names the instance whose configuration to read.
type DescribeHaproxyCustomConfigRequest struct {
	InstanceUUID string `url:"InstanceUuid"` // required
}

// DescribeHaproxyCustomConfigResponse holds an instance's haproxy.cfg.
type DescribeHaproxyCustomConfigResponse struct {
	ResponseMeta
	Configs string // the whole haproxy.cfg
}

func (r *DescribeHaproxyCustomConfigResponse) data() any { return r }

// DescribeHaproxyCustomConfig returns an instance's raw HAProxy
// configuration, haproxy.cfg, as one string (newer API edition). GET; it
// changes nothing.
func (c *Client) DescribeHaproxyCustomConfig(ctx context.Context, req *DescribeHaproxyCustomConfigRequest) (*DescribeHaproxyCustomConfigResponse, error) {
	return call[DescribeHaproxyCustomConfigResponse](ctx, c, lbGet("DescribeHaproxyCustomConfig"), req)
}

// ModifyHaproxyCustomConfigRequest is a new haproxy.cfg for an instance.
type ModifyHaproxyCustomConfigRequest struct {
	InstanceUUID string `json:"InstanceUuid"` // required
	Configs      string `json:"Configs"`      // required: the whole haproxy.cfg
}

// ModifyHaproxyCustomConfigResponse holds the TaskID of the change.
type ModifyHaproxyCustomConfigResponse struct{ ResponseMeta }

// ModifyHaproxyCustomConfig replaces an instance's raw HAProxy configuration
// with Configs, a complete haproxy.cfg (newer API edition). POST; the change
// runs asynchronously and the response holds its TaskID.
func (c *Client) ModifyHaproxyCustomConfig(ctx context.Context, req *ModifyHaproxyCustomConfigRequest) (*ModifyHaproxyCustomConfigResponse, error) {
	return call[ModifyHaproxyCustomConfigResponse](ctx, c, lbPost("ModifyHaproxyCustomConfig"), req)
}
