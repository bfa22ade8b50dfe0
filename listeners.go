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

// readListeners reads the listener set, with a description of the first
// value not read exactly ("" if all were). A set in which two listeners
// share a name is not read exactly either: listeners are matched by name,
// so an edit or a plan would see one of them and its write would delete
// the other.
func (c *Client) readListeners(ctx context.Context, req *DescribeLoadBalancerStrategysRequest) (*DescribeLoadBalancerStrategysResponse, string, error) {
	ctx, answered := withRedactorSlot(ctx)
	set, data, err := describeLoadBalancerStrategys.run(ctx, c, req, exactOnly)
	if err != nil {
		return nil, "", err
	}
	inexact := data.unread
	if inexact == "" {
		inexact = sharedName(set)
	}
	return set, boundMessage(inexact, answered.r), nil // it may quote the answer's field names
}

// sharedName describes the first name two listeners of the set share,
// HTTP and TCP alike (names are unique within an instance), or is "".
func sharedName(set *DescribeLoadBalancerStrategysResponse) string {
	type at struct {
		mode string
		port int
	}
	seen := make(map[string]at, len(set.HTTPListeners)+len(set.TCPListeners))
	var dup string
	see := func(mode, name string, port int) bool {
		if first, ok := seen[name]; ok {
			dup = fmt.Sprintf("where two listeners are named %q (%s port %d and %s port %d)", name, first.mode, first.port, mode, port)
			return true
		}
		seen[name] = at{mode, port}
		return false
	}
	for _, l := range set.HTTPListeners {
		if see(ListenerModeHTTP, l.ListenerName, l.ListenerPort) {
			return dup
		}
	}
	for _, l := range set.TCPListeners {
		if see(ListenerModeTCP, l.ListenerName, l.ListenerPort) {
			return dup
		}
	}
	return ""
}

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
