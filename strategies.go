package cdslb

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"
)

// DescribeLoadBalancerStrategysRequest names the instance whose listeners to read.
type DescribeLoadBalancerStrategysRequest struct {
	InstanceUUID string // required
}

// DescribeLoadBalancerStrategysResponse holds an instance's listeners.
type DescribeLoadBalancerStrategysResponse struct {
	ResponseMeta
	HTTPListeners []HTTPListener
	TCPListeners  []TCPListener
}

// DescribeLoadBalancerStrategys returns an instance's HTTP and TCP listeners
// ("strategies") with their backends. GET; it changes nothing.
func (c *Client) DescribeLoadBalancerStrategys(ctx context.Context, req *DescribeLoadBalancerStrategysRequest) (*DescribeLoadBalancerStrategysResponse, error) {
	return describeLoadBalancerStrategys.call(ctx, c, req)
}

var describeLoadBalancerStrategys = declare("DescribeLoadBalancerStrategys", pathLB, reads,
	func(r *DescribeLoadBalancerStrategysRequest, _ *time.Location) form {
		return inQuery(instanceWire{r.InstanceUUID})
	},
	func(_ *DescribeLoadBalancerStrategysRequest, d *listenersWire, _ *time.Location) (*DescribeLoadBalancerStrategysResponse, error) {
		return &DescribeLoadBalancerStrategysResponse{HTTPListeners: d.http, TCPListeners: d.tcp}, nil
	})

// ModifyLoadBalancerStrategysRequest is the complete new listener set of an
// instance. Listeners left out are deleted.
type ModifyLoadBalancerStrategysRequest struct {
	InstanceUUID  string         // required
	HTTPListeners []HTTPListener // sent as [] when empty
	TCPListeners  []TCPListener  // sent as [] when empty
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
// instead. On one Client it waits for a running UpdateListener,
// RemoveListener or ApplyListeners of the instance to end, so as not to
// land between its check and its write (README, "Concurrency").
func (c *Client) ModifyLoadBalancerStrategys(ctx context.Context, req *ModifyLoadBalancerStrategysRequest) (*ModifyLoadBalancerStrategysResponse, error) {
	return oneWriter(ctx, c, "ModifyLoadBalancerStrategys", instanceOf(req), func() (*ModifyLoadBalancerStrategysResponse, error) {
		return modifyLoadBalancerStrategys.call(ctx, c, req)
	})
}

var modifyLoadBalancerStrategys = declare("ModifyLoadBalancerStrategys", pathLB, changes,
	func(r *ModifyLoadBalancerStrategysRequest, _ *time.Location) form {
		return inBody(listenerSet(r.InstanceUUID, r.HTTPListeners, r.TCPListeners))
	},
	acknowledged[ModifyLoadBalancerStrategysRequest, ModifyLoadBalancerStrategysResponse])

// AddLoadBalancerStrategysRequest holds listeners to add to an instance.
type AddLoadBalancerStrategysRequest struct {
	InstanceUUID  string         // required
	HTTPListeners []HTTPListener // sent as [] when empty
	TCPListeners  []TCPListener  // optional on the wire
}

// AddLoadBalancerStrategysResponse holds the TaskID of the change.
type AddLoadBalancerStrategysResponse struct{ ResponseMeta }

// AddLoadBalancerStrategys adds listeners to an instance, keeping the ones
// it has (newer API edition): the safe way to add a listener. POST; the
// change runs asynchronously and the response holds its TaskID. Names and
// ports must not clash with the instance's listeners.
// On one Client it waits for a running UpdateListener, RemoveListener or
// ApplyListeners of the instance to end, whose write would otherwise drop
// the listeners it adds (README, "Concurrency").
func (c *Client) AddLoadBalancerStrategys(ctx context.Context, req *AddLoadBalancerStrategysRequest) (*AddLoadBalancerStrategysResponse, error) {
	return oneWriter(ctx, c, "AddLoadBalancerStrategys", instanceOf(req), func() (*AddLoadBalancerStrategysResponse, error) {
		return addLoadBalancerStrategys.call(ctx, c, req)
	})
}

// The TCP list is optional on the wire: left out when empty.
var addLoadBalancerStrategys = declare("AddLoadBalancerStrategys", pathLB, changes,
	func(r *AddLoadBalancerStrategysRequest, _ *time.Location) form {
		return inBody((*addListenersBody)(listenerSet(r.InstanceUUID, r.HTTPListeners, r.TCPListeners)))
	},
	acknowledged[AddLoadBalancerStrategysRequest, AddLoadBalancerStrategysResponse])

// DescribeLBInstanceListenersRequest names the instance whose listeners to list.
type DescribeLBInstanceListenersRequest struct {
	InstanceUUID string // required
}

// DescribeLBInstanceListenersResponse lists an instance's listeners by name.
type DescribeLBInstanceListenersResponse struct {
	ResponseMeta
	Listeners []ListenerSummary
}

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
// like every read-only action.
//
// The vendor document gives its address as /lb, but its own example posts
// to /paas/monitor. The client asks at /lb, and asks once at /paas/monitor
// only when /lb answers with the API's own JSON answer saying it does not
// serve the action there: HTTP 404 with a code other than
// ResourceNotFound, or UnsupportedOperation. Any other failure at /lb (a
// gateway's page, a timeout, a 5xx) is returned, never taken to mean that
// /lb is the wrong address. The client remembers where the action
// answered: once at /lb, it asks there alone; once at /paas/monitor, it
// asks there for ListenersPathRecheck, then at /lb again, and stays at
// /lb if it answers there (otherwise at /paas/monitor for another period).
func (c *Client) DescribeLBInstanceListeners(ctx context.Context, req *DescribeLBInstanceListenersRequest) (*DescribeLBInstanceListenersResponse, error) {
	if c == nil || c.listenersAt == nil { // a zero Client: call refuses it
		return describeLBInstanceListeners.call(ctx, c, req)
	}
	at, since := c.listenersAt.get()
	atMonitor := at == listenersAtMonitor
	if atMonitor && c.timeNow().Sub(since) < ListenersPathRecheck {
		return describeLBInstanceListenersAtMonitor.call(ctx, c, req)
	}
	resp, err := describeLBInstanceListeners.call(ctx, c, req)
	if err == nil {
		c.listenersAt.set(listenersAtLB, time.Time{})
		return resp, nil
	}
	if at == listenersAtLB || !atMonitor && !notServedHere(err) {
		return nil, err
	}
	resp, merr := describeLBInstanceListenersAtMonitor.call(ctx, c, req)
	if merr != nil {
		return nil, err // the answer at the documented address says more
	}
	c.listenersAt.set(listenersAtMonitor, c.timeNow())
	return resp, nil
}

// ListenersPathRecheck is how long a Client asks for
// DescribeLBInstanceListeners at /paas/monitor, where it found it, before
// it asks at the documented /lb again.
const ListenersPathRecheck = 10 * time.Minute

// Where DescribeLBInstanceListeners answered, in listenersPlace.
const (
	listenersAtUnknown int32 = iota
	listenersAtLB
	listenersAtMonitor
)

// listenersPlace is where DescribeLBInstanceListeners answered, and since when.
type listenersPlace struct {
	mu    sync.Mutex
	at    int32
	since time.Time
}

func (p *listenersPlace) get() (int32, time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.at, p.since
}

func (p *listenersPlace) set(at int32, since time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.at, p.since = at, since
}

// notServedHere reports whether err is the API's own answer (its JSON,
// with a code) saying that the path does not serve the action: HTTP 404
// other than ResourceNotFound, which is about the instance, or
// UnsupportedOperation. A page that is not the API's says nothing of the
// kind: a proxy or gateway may answer 404 for a moment.
func notServedHere(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code != "" &&
		(ae.HTTPStatus == http.StatusNotFound && ae.Code != "ResourceNotFound" || errors.Is(ae, ErrUnsupportedOperation))
}

// describeLBInstanceListenersAtMonitor is DescribeLBInstanceListeners at the
// path of the vendor document's example.
var describeLBInstanceListenersAtMonitor = describeLBInstanceListeners.at(pathMonitor)

var describeLBInstanceListeners = declare("DescribeLBInstanceListeners", pathLB, reads,
	func(r *DescribeLBInstanceListenersRequest, _ *time.Location) form {
		return inBody(instanceWire{r.InstanceUUID})
	},
	func(_ *DescribeLBInstanceListenersRequest, d *list[listenerSummaryWire], _ *time.Location) (*DescribeLBInstanceListenersResponse, error) {
		return &DescribeLBInstanceListenersResponse{Listeners: convert(*d, func(w *listenerSummaryWire) ListenerSummary {
			return ListenerSummary{w.ListenerName, string(w.ListenerMode), convert(w.BackendNames, func(b *backendNameWire) BackendName {
				return BackendName{string(b.BackendName), string(b.DisplayName)}
			})}
		})}, nil
	})

// listenerSummaryWire is a ListenerSummary as the API writes it; every one
// must be named.
type listenerSummaryWire struct {
	ListenerName string
	ListenerMode text
	BackendNames list[backendNameWire]
}

type backendNameWire struct{ BackendName, DisplayName text }

func (w *listenerSummaryWire) check() string { return absent("ListenerName", w.ListenerName) }

func (r *DescribeLoadBalancerStrategysRequest) validate() error {
	return required("InstanceUUID", r.InstanceUUID)
}

func (r *DescribeLBInstanceListenersRequest) validate() error {
	return required("InstanceUUID", r.InstanceUUID)
}

func (r *ModifyLoadBalancerStrategysRequest) validate() error {
	return allOf(required("InstanceUUID", r.InstanceUUID), validateListeners(r.HTTPListeners, r.TCPListeners))
}

func (r *AddLoadBalancerStrategysRequest) validate() error {
	var none error
	if len(r.HTTPListeners)+len(r.TCPListeners) == 0 {
		none = invalid("HTTPListeners", "and TCPListeners are both empty: there is nothing to add")
	}
	return allOf(required("InstanceUUID", r.InstanceUUID), none, validateListeners(r.HTTPListeners, r.TCPListeners))
}

// ListenerModeHTTP and ListenerModeTCP are the wire's listener modes, as
// reported by DescribeLBInstanceListeners.
const (
	ListenerModeHTTP = "http"
	ListenerModeTCP  = "tcp"
)
