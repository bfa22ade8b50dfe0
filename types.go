package cdslb

import (
	"errors"
	"time"
)

// errNilTarget is the error of an UnmarshalJSON method called on a nil pointer.
var errNilTarget = errors.New("cdslb: UnmarshalJSON into a nil pointer")

// ResponseMeta is embedded in every response: the envelope the service wraps
// each answer in.
type ResponseMeta struct {
	Code    string // "Success" for every response a method returns without error
	Message string // the service's message, such as "Success."
	TaskID  string // the id of the asynchronous task an action started, if any
}

func (m *ResponseMeta) meta() *ResponseMeta { return m }

// Scheduler is a listener's load-balancing algorithm.
type Scheduler string

// The four schedulers the service offers.
const (
	SchedulerRoundRobin Scheduler = "roundrobin" // each backend in turn, by weight
	SchedulerLeastConn  Scheduler = "leastconn"  // the backend with the fewest connections
	SchedulerStaticRR   Scheduler = "static-rr"  // round robin with weights fixed at start
	SchedulerSource     Scheduler = "source"     // by a hash of the client's address
)

// Network types of a load balancer's IP, for CreateLoadBalancerIP.PipeType.
const (
	PipeTypePrivate = "private"
	PipeTypePublic  = "public"
)

// ListenerModeHTTP and ListenerModeTCP are the wire's listener modes, as
// reported by DescribeLBInstanceListeners.
const (
	ListenerModeHTTP = "http"
	ListenerModeTCP  = "tcp"
)

// HTTPListener is an HTTP(S) listener ("strategy") of a load balancer: a
// port on the instance, how it balances, and the backends it forwards to.
type HTTPListener struct {
	ListenerName   string    // 1-50 characters, unique within the instance
	ListenerPort   int       // 1-65535, except the reserved 22, 1080, 9100 and 9101
	Scheduler      Scheduler // how requests are spread over the backends
	MaxConn        int       // the listener's connection limit
	ConnectTimeout time.Duration
	ClientTimeout  time.Duration
	ServerTimeout  time.Duration
	StickySession  bool             // keep-alive ("StickySession" on the wire)
	ACLWhiteList   []string         // IPv4 addresses or CIDR blocks allowed in; empty allows all
	Certificates   []CertificateRef // certificates served on the port (HTTPS); empty for plain HTTP
	BackendServers []BackendServer

	// SessionPersistence, when set, pins a client to a backend with a cookie.
	SessionPersistence *SessionPersistence
	// HealthCheck, when set, checks backends with an HTTP request.
	HealthCheck *HealthCheck
}

// TCPListener is a TCP listener ("strategy") of a load balancer.
type TCPListener struct {
	ListenerName   string    // 1-50 characters, unique within the instance
	ListenerPort   int       // 1-65535, except the reserved 22, 1080, 9100 and 9101
	Scheduler      Scheduler // how connections are spread over the backends
	MaxConn        int
	ConnectTimeout time.Duration
	ClientTimeout  time.Duration
	ServerTimeout  time.Duration
	ACLWhiteList   []string // IPv4 addresses or CIDR blocks allowed in; empty allows all
	BackendServers []BackendServer

	EnableSourceIP     bool // pass the client's source IP to the backends
	EnableRepeaterMode bool // relay mode with source-IP pass-through; needs EnableSourceIP
}

// BackendServer is one server a listener forwards to.
type BackendServer struct {
	IP      string // an IP address (or, on public networks, a domain name)
	Port    int    // 1-65535
	Weight  int    // 1-256
	MaxConn int    // the server's connection limit
}

// CertificateRef names a certificate served by an HTTPS listener.
type CertificateRef struct {
	CertificateID   string `json:"CertificateId"`
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
	URI    string // the path requested, such as "/healthz"
}

// MetricKey names a load-balancer metric for DescribeLBInstancePerformance.
type MetricKey string

// The metrics the service reports. The ha_listener_* metrics are per
// listener and need DescribeLBInstancePerformanceRequest.ListenerName.
const (
	MetricCPUUsage               MetricKey = "ha_cpu_usage"                // CPU usage, %
	MetricMemUsage               MetricKey = "ha_mem_usage"                // memory usage, %
	MetricOutPackets             MetricKey = "ha_outpackage"               // packets out per second
	MetricInPackets              MetricKey = "ha_inpackage"                // packets in per second
	MetricOutFlow                MetricKey = "ha_outflow"                  // traffic out, MB/s
	MetricInFlow                 MetricKey = "ha_inflow"                   // traffic in, MB/s
	MetricDropPackets            MetricKey = "ha_drop_packets"             // dropped packets per second: two series, receive and transmit
	MetricConnectionsUsage       MetricKey = "ha_connections_usage"        // new-connection usage, %
	MetricSessionsUsage          MetricKey = "ha_sessions_usage"           // max-session usage, %
	MetricOutBandwidth           MetricKey = "ha_outbandwidth"             // public bandwidth out, bits/s
	MetricInBandwidth            MetricKey = "ha_inbandwidth"              // public bandwidth in, bits/s
	MetricDownServers            MetricKey = "ha_downserver"               // unhealthy backends
	MetricResponseTime           MetricKey = "ha_responsetime"             // mean HTTP response time, s
	MetricListenerConnections    MetricKey = "ha_listener_connections"     // new connections of one listener per second
	MetricListenerSessions       MetricKey = "ha_listener_sessions"        // sessions of one listener per second
	MetricListenerRequestsDenied MetricKey = "ha_listener_requests_denied" // requests of one listener refused over its limit, per second
)

// IsListenerMetric reports whether k is a per-listener metric, which needs a ListenerName.
func (k MetricKey) IsListenerMetric() bool {
	return len(k) > len("ha_listener_") && k[:len("ha_listener_")] == "ha_listener_"
}
