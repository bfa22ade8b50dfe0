package cdslb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Scheduler is a listener's load-balancing algorithm.
type Scheduler string

// The four schedulers the service offers.
const (
	SchedulerRoundRobin Scheduler = "roundrobin" // each backend in turn, by weight
	SchedulerLeastConn  Scheduler = "leastconn"  // the backend with the fewest connections
	SchedulerStaticRR   Scheduler = "static-rr"  // round robin with weights fixed at start
	SchedulerSource     Scheduler = "source"     // by a hash of the client's address
)

// HTTPListener is an HTTP(S) listener ("strategy") of a load balancer: a
// port on the instance, how it balances, and the backends it forwards to.
//
// ListenerName, ListenerPort and Scheduler are required; every other field
// may be left zero, and every field is sent (the document marks them all
// required, so a zero value is sent as zero, an empty list as []). The
// timeouts are durations in whole milliseconds (a finer one is refused); a
// whole number of seconds is sent in "s", anything else in "ms". A zero
// timeout or MaxConn is sent as 0: the document gives 0 no meaning of its
// own, no default and no range, so set the values you want (its examples
// use limits of 2000 to 100000 and timeouts of seconds).
type HTTPListener struct {
	ListenerName   string        // required: 1-50 characters, no control characters, unique within the instance
	ListenerPort   int           // required: 1-65535, except the reserved 22, 1080, 9100 and 9101
	Scheduler      Scheduler     // required: how requests are spread over the backends
	MaxConn        int           // the listener's connection limit; not negative
	ConnectTimeout time.Duration // how long connecting to a backend may take
	ClientTimeout  time.Duration // how long a client may stay inactive
	ServerTimeout  time.Duration // how long a backend may stay inactive
	// StickySession is HTTP keep-alive, as the newer edition of the
	// document describes it: connections stay open between requests.
	// Despite its wire name ("StickySession", "on"/"off") it does not pin
	// clients to a backend; SessionPersistence does that.
	StickySession  bool
	ACLWhiteList   []string         // IPv4 addresses or CIDR blocks allowed in; empty allows all
	Certificates   []CertificateRef // certificates served on the port (HTTPS); empty for plain HTTP
	BackendServers []BackendServer  // where requests go; empty is allowed (a listener with no backend yet)

	// SessionPersistence, when set, pins a client to a backend with a cookie.
	SessionPersistence *SessionPersistence
	// HealthCheck, when set, checks backends with an HTTP request.
	HealthCheck *HealthCheck
}

// TCPListener is a TCP listener ("strategy") of a load balancer. Its
// fields follow HTTPListener's rules: ListenerName, ListenerPort and
// Scheduler are required, the timeouts are whole milliseconds, and a zero
// MaxConn or timeout is sent as 0.
type TCPListener struct {
	ListenerName   string        // required: 1-50 characters, no control characters, unique within the instance
	ListenerPort   int           // required: 1-65535, except the reserved 22, 1080, 9100 and 9101
	Scheduler      Scheduler     // required: how connections are spread over the backends
	MaxConn        int           // the listener's connection limit; not negative
	ConnectTimeout time.Duration // how long connecting to a backend may take
	ClientTimeout  time.Duration // how long a client may stay inactive
	ServerTimeout  time.Duration // how long a backend may stay inactive
	ACLWhiteList   []string      // IPv4 addresses or CIDR blocks allowed in; empty allows all
	BackendServers []BackendServer

	EnableSourceIP     bool // pass the client's source IP to the backends
	EnableRepeaterMode bool // relay mode with source-IP pass-through; needs EnableSourceIP
}

// BackendServer is one server a listener forwards to.
type BackendServer struct {
	IP      string // required: an IPv4 address or, on public networks, a host name
	Port    int    // required: 1-65535
	Weight  int    // required: 1-256
	MaxConn int    // the server's connection limit; not negative, 0 is sent as 0
}

// CertificateRef names a certificate served by an HTTPS listener.
type CertificateRef struct {
	CertificateID   string
	CertificateName string
}

// SessionPersistence pins each client to one backend with a cookie.
type SessionPersistence struct {
	Key     string        // the cookie name: 2-15 characters of a-z, 0-9 and _, starting with a letter
	Mode    CookieMode    // how the cookie is kept; CookieModeDefault leaves the service's default
	MaxIdle time.Duration // whole seconds up to 2h; 0 is unset
	MaxLife time.Duration // whole seconds up to 2h, more than MaxIdle; 0 is unset
}

// CookieMode says how a session-persistence cookie may be kept. Its zero
// value is not sent, so the service's default (CookieModeVisible) applies.
type CookieMode int

// The cookie modes of the newer API edition.
const (
	CookieModeDefault     CookieMode = iota // not sent
	CookieModeCacheable                     // wire 0: the cookie may be kept in caches such as a CDN
	CookieModeVisible                       // wire 1: not kept in caches, visible to backends
	CookieModeTransparent                   // wire 2: not kept in caches, invisible to backends
)

// HealthCheck checks backends with an HTTP request (the wire's Option.Httpchk).
type HealthCheck struct {
	Method string // "GET", "HEAD" or "OPTIONS"; empty is the service's default, GET
	URI    string // required: the path requested, starting with "/", with no spaces or control characters, such as "/healthz"
}

// UpdateListener changes one listener of an instance and keeps all the
// others, which ModifyLoadBalancerStrategys alone does not. It reads the
// listener set, calls update with the listener named listenerName (http
// for an HTTP listener, tcp for a TCP one; the other is nil), reads the set
// again and, if it is unchanged, sends the whole set with the one change
// (POST ModifyLoadBalancerStrategys). It returns that call's response,
// whose TaskID tracks the change; the instance is busy until it is RUNNING
// again (WaitUntilRunning).
//
// It fails, changing nothing, with a *ValidationError for an empty id or
// name or a nil update, with ErrListenerNotFound when no listener has that
// name, with ErrListenersUnreadable when the set cannot be read exactly (a
// listener's value, a field the library does not model, a list of
// listeners it does not know), with the error update returns, and with ErrListenersChanged
// when the set changed between the two reads. A set read before a 409
// ResourceInUse is never sent: with RetryPolicy.RetryConflicts the whole
// edit starts again from the first read, calling update again on a fresh
// copy, within the policy's attempts; without it the 409 is returned. The
// write's other errors are ModifyLoadBalancerStrategys' (ErrOutcomeUnknown
// when it may have run).
//
// The API has no version or ETag, so the second read narrows the window in
// which a concurrent change can be lost to the moment between it and the
// write; it cannot close it. Programs that edit one instance from several
// places should also serialize their edits.
func (c *Client) UpdateListener(ctx context.Context, instanceUUID, listenerName string, update func(http *HTTPListener, tcp *TCPListener) error) (*ModifyLoadBalancerStrategysResponse, error) {
	if update == nil {
		return nil, &ValidationError{Action: "UpdateListener", Field: "update", Reason: "must not be nil"}
	}
	return c.editListener(ctx, "UpdateListener", instanceUUID, listenerName,
		func(set *DescribeLoadBalancerStrategysResponse, h, t int) error {
			if h >= 0 {
				return update(&set.HTTPListeners[h], nil)
			}
			return update(nil, &set.TCPListeners[t])
		})
}

// RemoveListener deletes one listener of an instance and keeps all the
// others, by sending the rest of the set with ModifyLoadBalancerStrategys
// (POST). It returns that call's response. It reads and checks the set as
// UpdateListener does, with the same errors, retries and limits.
func (c *Client) RemoveListener(ctx context.Context, instanceUUID, listenerName string) (*ModifyLoadBalancerStrategysResponse, error) {
	return c.editListener(ctx, "RemoveListener", instanceUUID, listenerName,
		func(set *DescribeLoadBalancerStrategysResponse, h, t int) error {
			if h >= 0 {
				set.HTTPListeners = slices.Delete(set.HTTPListeners, h, h+1)
			} else {
				set.TCPListeners = slices.Delete(set.TCPListeners, t, t+1)
			}
			return nil
		})
}

// editListener is the read-modify-check-write both edits share, started
// again from the read after the write's 409 when the policy retries
// conflicts. edit gets the index of the named listener in the HTTP list
// (h) or the TCP list (t); the other index is -1.
func (c *Client) editListener(ctx context.Context, name, instanceUUID, listenerName string, edit func(set *DescribeLoadBalancerStrategysResponse, h, t int) error) (*ModifyLoadBalancerStrategysResponse, error) {
	if err := checkHelper(c, ctx, name); err != nil {
		return nil, err
	}
	if err := allOf(requiredArgument(name, "instanceUUID", instanceUUID), requiredArgument(name, "listenerName", listenerName)); err != nil {
		return nil, err
	}
	return c.againOnConflict(ctx, func() (*ModifyLoadBalancerStrategysResponse, error) {
		return c.editOnce(ctx, name, instanceUUID, listenerName, edit)
	})
}

// editOnce reads, edits, reads again, compares and writes, once. Its write
// is never repeated on a 409: the set it sends was read before.
func (c *Client) editOnce(ctx context.Context, name, instanceUUID, listenerName string, edit func(set *DescribeLoadBalancerStrategysResponse, h, t int) error) (*ModifyLoadBalancerStrategysResponse, error) {
	read := &DescribeLoadBalancerStrategysRequest{InstanceUUID: instanceUUID}
	set, inexact, err := c.readListeners(ctx, read)
	if err != nil {
		return nil, err
	}
	if inexact != "" {
		return nil, &editError{name, fmt.Sprintf("instance %s, %s, cannot be read exactly; nothing was sent", instanceUUID, inexact), ErrListenersUnreadable}
	}
	h := slices.IndexFunc(set.HTTPListeners, func(l HTTPListener) bool { return l.ListenerName == listenerName })
	t := slices.IndexFunc(set.TCPListeners, func(l TCPListener) bool { return l.ListenerName == listenerName })
	if h >= 0 {
		t = -1
	} else if t < 0 {
		return nil, &editError{name, fmt.Sprintf("no listener named %q on instance %s", listenerName, instanceUUID), ErrListenerNotFound}
	}
	// The edit gets its own copy of the lists and of the listener it is
	// given, so that set stays as read, to compare with the second read.
	edited := &DescribeLoadBalancerStrategysResponse{HTTPListeners: slices.Clone(set.HTTPListeners), TCPListeners: slices.Clone(set.TCPListeners)}
	if h >= 0 {
		edited.HTTPListeners[h] = cloneHTTPListener(set.HTTPListeners[h])
	} else {
		edited.TCPListeners[t] = cloneTCPListener(set.TCPListeners[t])
	}
	if err := edit(edited, h, t); err != nil {
		return nil, err
	}

	again, inexact, err := c.readListeners(ctx, read)
	if err != nil {
		return nil, err
	}
	if inexact != "" || !sameListeners(set, again) {
		return nil, &editError{name, fmt.Sprintf("the listeners of instance %s changed during the edit; nothing was sent: read them again and retry", instanceUUID), ErrListenersChanged}
	}
	resp, _, err := modifyLoadBalancerStrategys.run(ctx, c, &ModifyLoadBalancerStrategysRequest{
		InstanceUUID: instanceUUID, HTTPListeners: edited.HTTPListeners, TCPListeners: edited.TCPListeners}, true)
	return resp, err
}

// readListeners reads the listener set, with a description of the first
// value not read exactly ("" if all were).
func (c *Client) readListeners(ctx context.Context, req *DescribeLoadBalancerStrategysRequest) (*DescribeLoadBalancerStrategysResponse, string, error) {
	ctx, answered := withRedactorSlot(ctx)
	set, data, err := describeLoadBalancerStrategys.run(ctx, c, req, false)
	if err != nil {
		return nil, "", err
	}
	_, _, inexact := data.value()
	return set, boundMessage(inexact, answered.r), nil // it may quote the answer's field names
}

// editError is a helper's refusal or failure: it names the helper and what
// it found, and matches the sentinel of its kind.
type editError struct {
	helper, detail string
	sentinel       error
}

// Error bounds the detail, which may quote what the service chose.
func (e *editError) Error() string {
	return "cdslb: " + e.helper + ": " + boundText(e.detail, nil, maxErrorLen)
}
func (e *editError) Unwrap() error { return e.sentinel }

// sameListeners reports whether two sets read exactly are the same set:
// the same listeners with the same values, in any order (an answer listing
// them in another order is no change). Nil and empty lists are the same,
// as on the wire.
func sameListeners(a, b *DescribeLoadBalancerStrategysResponse) bool {
	return sameList(a.HTTPListeners, b.HTTPListeners, sameHTTPListener) && sameList(a.TCPListeners, b.TCPListeners, sameTCPListener)
}

// sameList compares two lists of listeners in order and, if that fails,
// sorted by name.
func sameList[L HTTPListener | TCPListener](a, b []L, same func(a, b *L) bool) bool {
	if len(a) != len(b) {
		return false
	}
	equal := func(a, b []L) bool {
		for i := range a {
			if !same(&a[i], &b[i]) {
				return false
			}
		}
		return true
	}
	if equal(a, b) {
		return true
	}
	byName := func(x, y L) int { return cmp.Compare(listenerName(x), listenerName(y)) }
	a, b = slices.Clone(a), slices.Clone(b)
	slices.SortStableFunc(a, byName)
	slices.SortStableFunc(b, byName)
	return equal(a, b)
}

func sameHTTPListener(a, b *HTTPListener) bool {
	return sameFields(a.fields(), b.fields()) && a.StickySession == b.StickySession && slices.Equal(a.Certificates, b.Certificates) &&
		samePointee(a.SessionPersistence, b.SessionPersistence) && samePointee(a.HealthCheck, b.HealthCheck)
}

func sameTCPListener(a, b *TCPListener) bool {
	return sameFields(a.fields(), b.fields()) && a.EnableSourceIP == b.EnableSourceIP && a.EnableRepeaterMode == b.EnableRepeaterMode
}

// sameFields compares what both listener kinds share.
func sameFields(a, b listenerFields) bool {
	return *a.name == *b.name && *a.port == *b.port && *a.maxConn == *b.maxConn && *a.scheduler == *b.scheduler &&
		*a.connect == *b.connect && *a.client == *b.client && *a.server == *b.server &&
		slices.Equal(*a.acl, *b.acl) && slices.Equal(*a.backends, *b.backends)
}

// samePointee reports whether a and b are both nil or point to equal values.
func samePointee[T comparable](a, b *T) bool {
	return a == b || a != nil && b != nil && *a == *b
}

// cloneHTTPListener copies l and what it points to.
func cloneHTTPListener(l HTTPListener) HTTPListener {
	l.ACLWhiteList, l.BackendServers, l.Certificates = slices.Clone(l.ACLWhiteList), slices.Clone(l.BackendServers), slices.Clone(l.Certificates)
	if sp := l.SessionPersistence; sp != nil {
		l.SessionPersistence = new(*sp)
	}
	if hc := l.HealthCheck; hc != nil {
		l.HealthCheck = new(*hc)
	}
	return l
}

// cloneTCPListener copies l and what it points to.
func cloneTCPListener(l TCPListener) TCPListener {
	l.ACLWhiteList, l.BackendServers = slices.Clone(l.ACLWhiteList), slices.Clone(l.BackendServers)
	return l
}

// reservedPorts are used by the instance itself.
var reservedPorts = map[int]bool{22: true, 1080: true, 9100: true, 9101: true}

// isCookieKey reports whether s is a session-persistence cookie key: 2-15
// characters of a-z, 0-9 and _, starting with a letter and ending with a
// letter or digit.
func isCookieKey(s string) bool {
	if len(s) < 2 || len(s) > 15 || s[0] < 'a' || s[0] > 'z' || s[len(s)-1] == '_' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// maxCookieTimer is the longest MaxIdle or MaxLife of session persistence.
const maxCookieTimer = 7200 * time.Second

// validateListeners checks each listener and that names and ports are
// unique across the whole request.
func validateListeners(httpListeners []HTTPListener, tcpListeners []TCPListener) error {
	var p problems
	n := len(httpListeners) + len(tcpListeners)
	names, ports := make(map[string]listenerAt, n), make(map[int]listenerAt, n)
	check := func(at listenerAt, l listenerFields) {
		validateListener(&p, at, l)
		if prev, ok := names[*l.name]; ok && strings.TrimSpace(*l.name) != "" {
			p.addf(at.field("ListenerName"), "%q is also the name of %s", *l.name, prev)
		} else if !ok {
			names[*l.name] = at
		}
		if prev, ok := ports[*l.port]; ok && *l.port > 0 {
			p.addf(at.field("ListenerPort"), "%d is also the port of %s", *l.port, prev)
		} else if !ok {
			ports[*l.port] = at
		}
	}
	for i := range httpListeners {
		l := &httpListeners[i]
		at := listenerAt{"HTTPListeners", i}
		check(at, l.fields())
		validateHTTPExtras(&p, at, l)
	}
	for i := range tcpListeners {
		l := &tcpListeners[i]
		at := listenerAt{"TCPListeners", i}
		check(at, l.fields())
		if l.EnableRepeaterMode && !l.EnableSourceIP {
			p.addf(at.field("EnableRepeaterMode"), "needs EnableSourceIP")
		}
	}
	return p.err()
}

// listenerAt is where a listener is in a request, such as HTTPListeners[2].
// The paths of its fields are built only for a problem.
type listenerAt struct {
	list string
	i    int
}

func (a listenerAt) String() string { return a.list + "[" + strconv.Itoa(a.i) + "]" }

// field is the path of a field of the listener, such as HTTPListeners[2].MaxConn.
func (a listenerAt) field(name string) string { return a.String() + "." + name }

// item is the path of a list's item, or of a field of it: such as
// HTTPListeners[2].ACLWhiteList[0] or HTTPListeners[2].BackendServers[1].IP.
func (a listenerAt) item(list string, i int, field string) string {
	path := a.field(list) + "[" + strconv.Itoa(i) + "]"
	if field != "" {
		path += "." + field
	}
	return path
}

// validateListener records the problems of the fields both listener kinds share.
func validateListener(p *problems, at listenerAt, l listenerFields) {
	switch name := strings.TrimSpace(*l.name); {
	case name == "":
		p.addf(at.field("ListenerName"), "is required")
	case utf8.RuneCountInString(*l.name) > 50:
		p.addf(at.field("ListenerName"), "must be at most 50 characters")
	case strings.IndexFunc(*l.name, unicode.IsControl) >= 0:
		p.addf(at.field("ListenerName"), "must not contain control characters: it names the listener in haproxy.cfg, got %q", *l.name)
	}
	switch {
	case *l.port < 1 || *l.port > 65535:
		p.addf(at.field("ListenerPort"), "must be between 1 and 65535, got %d", *l.port)
	case reservedPorts[*l.port]:
		p.addf(at.field("ListenerPort"), "%d is reserved (22, 1080, 9100 and 9101 are)", *l.port)
	}
	switch *l.scheduler {
	case SchedulerRoundRobin, SchedulerLeastConn, SchedulerStaticRR, SchedulerSource:
	default:
		p.addf(at.field("Scheduler"), "must be roundrobin, leastconn, static-rr or source, got %q", *l.scheduler)
	}
	if *l.maxConn < 0 {
		p.addf(at.field("MaxConn"), "must not be negative")
	}
	for _, t := range [...]struct {
		name string
		d    time.Duration
	}{{"ConnectTimeout", *l.connect}, {"ClientTimeout", *l.client}, {"ServerTimeout", *l.server}} {
		if t.d < 0 || t.d%time.Millisecond != 0 {
			p.addf(at.field(t.name), "must be a non-negative whole number of milliseconds, got %s", t.d)
		}
	}
	for i, entry := range *l.acl {
		if !isIPv4OrCIDR(entry) {
			p.addf(at.item("ACLWhiteList", i, ""), "must be an IPv4 address or CIDR block, got %q", entry)
		}
	}
	for i, b := range *l.backends {
		switch {
		case strings.TrimSpace(b.IP) == "":
			p.addf(at.item("BackendServers", i, "IP"), "is required")
		case !isIPv4(b.IP) && !isHostName(b.IP):
			p.addf(at.item("BackendServers", i, "IP"), "must be an IPv4 address or, on a public network, a host name, got %q", b.IP)
		}
		if b.Port < 1 || b.Port > 65535 {
			p.addf(at.item("BackendServers", i, "Port"), "must be between 1 and 65535, got %d", b.Port)
		}
		if b.Weight < 1 || b.Weight > 256 {
			p.addf(at.item("BackendServers", i, "Weight"), "must be between 1 and 256, got %d", b.Weight)
		}
		if b.MaxConn < 0 {
			p.addf(at.item("BackendServers", i, "MaxConn"), "must not be negative")
		}
	}
}

// validateHTTPExtras records the problems of what only HTTP listeners have.
func validateHTTPExtras(p *problems, at listenerAt, l *HTTPListener) {
	for i, c := range l.Certificates {
		if strings.TrimSpace(c.CertificateID) == "" {
			p.addf(at.item("Certificates", i, "CertificateID"), "is required")
		}
		if hasSpaceOrControl(c.CertificateID) {
			p.addf(at.item("Certificates", i, "CertificateID"), "must not contain spaces or control characters, got %q", c.CertificateID)
		}
	}
	if sp := l.SessionPersistence; sp != nil {
		if !isCookieKey(sp.Key) {
			p.addf(at.field("SessionPersistence.Key"), "must be 2-15 characters of a-z, 0-9 and _, start with a letter and end with a letter or digit, got %q", sp.Key)
		}
		if sp.Mode < CookieModeDefault || sp.Mode > CookieModeTransparent {
			p.addf(at.field("SessionPersistence.Mode"), "is not a CookieMode: %d", sp.Mode)
		}
		idle, life := validCookieTimer(p, at, "MaxIdle", sp.MaxIdle), validCookieTimer(p, at, "MaxLife", sp.MaxLife)
		if idle && life && sp.MaxIdle != 0 && sp.MaxLife != 0 && sp.MaxLife <= sp.MaxIdle {
			p.addf(at.field("SessionPersistence.MaxLife"), "must be more than MaxIdle")
		}
	}
	if hc := l.HealthCheck; hc != nil {
		switch hc.Method {
		case "", "GET", "HEAD", "OPTIONS":
		default:
			p.addf(at.field("HealthCheck.Method"), "must be GET, HEAD or OPTIONS, got %q", hc.Method)
		}
		switch {
		case hc.URI == "":
			p.addf(at.field("HealthCheck.URI"), "is required when HealthCheck is set")
		case !strings.HasPrefix(hc.URI, "/"):
			p.addf(at.field("HealthCheck.URI"), "must start with \"/\", got %q", hc.URI)
		case hasSpaceOrControl(hc.URI):
			p.addf(at.field("HealthCheck.URI"), "must not contain spaces or control characters (encode them, as %%20): it ends haproxy's httpchk line, got %q", hc.URI)
		}
	}
}

// validCookieTimer records a problem unless d, the session persistence's
// timer named name, is whole seconds from 0 to 2h.
func validCookieTimer(p *problems, at listenerAt, name string, d time.Duration) bool {
	if d < 0 || d > maxCookieTimer || d%time.Second != 0 {
		p.addf(at.field("SessionPersistence."+name), "must be whole seconds from 0 to 2h, got %s", d)
		return false
	}
	return true
}

// listenerFields points at the fields both listener kinds share, so that
// one piece of code converts them for both.
type listenerFields struct {
	name                    *string
	port, maxConn           *int
	scheduler               *Scheduler
	connect, client, server *time.Duration
	acl                     *[]string
	backends                *[]BackendServer
}

func (l *HTTPListener) fields() listenerFields {
	return listenerFields{&l.ListenerName, &l.ListenerPort, &l.MaxConn, &l.Scheduler,
		&l.ConnectTimeout, &l.ClientTimeout, &l.ServerTimeout, &l.ACLWhiteList, &l.BackendServers}
}

func (l *TCPListener) fields() listenerFields {
	return listenerFields{&l.ListenerName, &l.ListenerPort, &l.MaxConn, &l.Scheduler,
		&l.ConnectTimeout, &l.ClientTimeout, &l.ServerTimeout, &l.ACLWhiteList, &l.BackendServers}
}
