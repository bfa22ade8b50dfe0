package cdslb

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/cdsgo/cdslb/internal/wire"
	"github.com/stretchr/testify/require"
)

// The listener set's writer (wire_listeners_write.go) writes what
// json.Marshal writes for the wire structs, byte for byte.

// variedListeners sets every field, leaves every field zero, turns each
// switch on and off, and holds strings that encoding/json escapes.
func variedListeners() ([]HTTPListener, []TCPListener) {
	h := []HTTPListener{
		{}, // every field zero, the lists nil
		{ListenerName: "h-empty-lists", ACLWhiteList: []string{}, Certificates: []CertificateRef{}, BackendServers: []BackendServer{}},
		{ListenerName: "h-odd", ListenerPort: -1, MaxConn: -7, ConnectTimeout: 1500*time.Millisecond + 3, ClientTimeout: -time.Second,
			ServerTimeout: 90 * time.Minute, BackendServers: []BackendServer{{Weight: -3, Port: 1 << 40}},
			SessionPersistence: &SessionPersistence{Mode: CookieMode(9), MaxIdle: 1500 * time.Millisecond},
			HealthCheck:        &HealthCheck{}},
		{ListenerName: `负载 "q" \ <a>&b` + "\u2028\u2029\t\n\x01\x7f", Scheduler: "x<y>", StickySession: true,
			ACLWhiteList:       []string{"10.0.0.0/8", "", "é\u2029"},
			Certificates:       []CertificateRef{{}, {CertificateID: "c&1", CertificateName: "名"}},
			BackendServers:     []BackendServer{{IP: "a\"b", Port: 1, Weight: 1, MaxConn: 0}},
			SessionPersistence: &SessionPersistence{Key: "k<", MaxLife: time.Hour},
			HealthCheck:        &HealthCheck{Method: "HEAD", URI: "/a b"}},
	}
	for _, mode := range []CookieMode{CookieModeDefault, CookieModeCacheable, CookieModeVisible, CookieModeTransparent} {
		h = append(h, fullHTTPListener(mode))
	}
	t := []TCPListener{{}}
	for _, flags := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		t = append(t, TCPListener{ListenerName: "tcp", ListenerPort: 3306, Scheduler: SchedulerSource, MaxConn: 233,
			ConnectTimeout: 22 * time.Second, ClientTimeout: 10 * time.Second, ServerTimeout: 777 * time.Millisecond,
			ACLWhiteList:   []string{"192.168.1.1"},
			BackendServers: []BackendServer{{IP: "164.52.35.242", Port: 909, Weight: 10, MaxConn: 2000}, {IP: "x", Weight: 256}},
			EnableSourceIP: flags[0], EnableRepeaterMode: flags[1]})
	}
	return h, t
}

// marshalled is the set as json.Marshal writes its wire structs: for
// AddLoadBalancerStrategys, with the TCP list left out when empty.
func marshalled(t *testing.T, uuid string, h []HTTPListener, tl []TCPListener, optionalTCP bool) string {
	t.Helper()
	set := listenerSetWire(uuid, h, tl)
	var b []byte
	var err error
	if optionalTCP {
		b, err = json.Marshal(struct {
			InstanceUUID  string             `json:"InstanceUuid"`
			HttpListeners []httpListenerWire `json:"HttpListeners"`
			TcpListeners  []tcpListenerWire  `json:"TcpListeners,omitempty"`
		}(set))
	} else {
		b, err = json.Marshal(set)
	}
	require.NoError(t, err)
	return string(b)
}

func written(uuid string, h []HTTPListener, t []TCPListener, optionalTCP bool) string {
	body := listenerSetBody{uuid, h, t, optionalTCP}
	return string(body.appendJSON(nil))
}

func TestListenerSetIsWrittenAsJSONMarshalWritesIt(t *testing.T) {
	t.Parallel()
	h, tl := variedListeners()
	for _, optional := range []bool{false, true} {
		for _, set := range []struct {
			h  []HTTPListener
			tl []TCPListener
		}{{h, tl}, {nil, nil}, {h, nil}, {nil, tl}, {h[:1], tl[:1]}, {[]HTTPListener{}, []TCPListener{}}} {
			for _, uuid := range []string{"", waitUUID, "<&>\u2028"} {
				require.Equal(t, marshalled(t, uuid, set.h, set.tl, optional), written(uuid, set.h, set.tl, optional))
			}
		}
	}
}

// Each listener alone, so that a difference names the listener.
func TestEachListenerIsWrittenAsJSONMarshalWritesIt(t *testing.T) {
	t.Parallel()
	h, tl := variedListeners()
	for i := range h {
		require.Equal(t, marshalled(t, "", h[i:i+1], nil, false), written("", h[i:i+1], nil, false), "HTTP listener %d", i)
	}
	for i := range tl {
		require.Equal(t, marshalled(t, "", nil, tl[i:i+1], false), written("", nil, tl[i:i+1], false), "TCP listener %d", i)
	}
}

// Any string, valid UTF-8 or not, is written as encoding/json writes it.
func FuzzListenerStringIsWrittenAsJSONMarshalWritesIt(f *testing.F) {
	for _, s := range []string{"", "plain", `"\`, "<>&", "\u2028x\u2029", "\xff", "é\x00\x1f\x7f", "负载\xe2\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		require.Equal(t, string(want), string(appendString(nil, s)))
		l := []HTTPListener{{ListenerName: s, Scheduler: Scheduler(s), ACLWhiteList: []string{s}, Certificates: []CertificateRef{{s, s}},
			BackendServers: []BackendServer{{IP: s}}, SessionPersistence: &SessionPersistence{Key: s}, HealthCheck: &HealthCheck{s, s}}}
		require.Equal(t, marshalled(t, s, l, nil, false), written(s, l, nil, false))
	})
}

// The reference: the wire structs of a set, which json.Marshal writes as the
// library writes the set, and which the plain benchmarks marshal.

// listenerWire is what both listener kinds share on the wire.
type listenerWire struct {
	ListenerName       string
	ListenerMode       string
	ListenerPort       int
	Scheduler          Scheduler
	MaxConn            int
	ConnectTimeout     string
	ConnectTimeoutUnit string
	ClientTimeout      string
	ClientTimeoutUnit  string
	ServerTimeout      string
	ServerTimeoutUnit  string
	AclWhiteList       []string
	BackendServer      []backendWire
}

type httpListenerWire struct {
	listenerWire
	StickySession      wire.Switch
	CertificateIds     []certificateRefWire
	SessionPersistence *sessionPersistenceWire `json:",omitempty"`
	Option             *listenerOptionWire     `json:",omitempty"`
}

type sessionPersistenceWire struct {
	Key   string
	Mode  *int       `json:",omitempty"`
	Timer *timerWire `json:",omitempty"`
}

type timerWire struct {
	MaxIdle int
	MaxLife int
}

type listenerOptionWire struct {
	Httpchk *httpchkWire `json:",omitempty"`
}

type httpchkWire struct {
	Method string `json:",omitempty"`
	URI    string `json:"Uri"`
}

type certificateRefWire struct {
	CertificateID   string `json:"CertificateId"`
	CertificateName string
}

type tcpListenerWire struct {
	listenerWire
	EnableSourceIP     wire.Switch `json:"EnableSourceIp,omitempty"`
	EnableRepeaterMode wire.Switch `json:",omitempty"`
}

// backendWire is a BackendServer as the API's examples write it: Port and
// MaxConn as numbers, Weight as a string.
type backendWire struct {
	IP      string
	Port    int
	Weight  string
	MaxConn int
}

// listenerSetWire is a listener set in the wire structs; the lists are []
// when empty, never null.
func listenerSetWire(instanceUUID string, h []HTTPListener, t []TCPListener) listenerSet {
	return listenerSet{instanceUUID, nonNil(convert(h, httpListenerToWire)), nonNil(convert(t, tcpListenerToWire))}
}

type listenerSet struct {
	InstanceUUID  string             `json:"InstanceUuid"`
	HttpListeners []httpListenerWire `json:"HttpListeners"`
	TcpListeners  []tcpListenerWire  `json:"TcpListeners"`
}

func httpListenerToWire(l *HTTPListener) httpListenerWire {
	w := httpListenerWire{listenerWire: l.fields().toWire(ListenerModeHTTP), StickySession: wire.Switch(l.StickySession),
		CertificateIds: nonNil(convert(l.Certificates, func(c *CertificateRef) certificateRefWire { return certificateRefWire(*c) }))}
	if sp := l.SessionPersistence; sp != nil {
		w.SessionPersistence = &sessionPersistenceWire{Key: sp.Key}
		if sp.Mode != CookieModeDefault {
			mode := int(sp.Mode) - 1
			w.SessionPersistence.Mode = &mode
		}
		if sp.MaxIdle != 0 || sp.MaxLife != 0 {
			w.SessionPersistence.Timer = &timerWire{int(sp.MaxIdle / time.Second), int(sp.MaxLife / time.Second)}
		}
	}
	if hc := l.HealthCheck; hc != nil {
		w.Option = &listenerOptionWire{Httpchk: &httpchkWire{hc.Method, hc.URI}}
	}
	return w
}

func tcpListenerToWire(l *TCPListener) tcpListenerWire {
	return tcpListenerWire{l.fields().toWire(ListenerModeTCP), wire.Switch(l.EnableSourceIP), wire.Switch(l.EnableRepeaterMode)}
}

func (f listenerFields) toWire(mode string) listenerWire {
	w := listenerWire{ListenerName: *f.name, ListenerMode: mode, ListenerPort: *f.port, Scheduler: *f.scheduler, MaxConn: *f.maxConn,
		AclWhiteList: nonNil(*f.acl), BackendServer: nonNil(convert(*f.backends, backendToWire))}
	w.ConnectTimeout, w.ConnectTimeoutUnit = wire.Timeout(*f.connect)
	w.ClientTimeout, w.ClientTimeoutUnit = wire.Timeout(*f.client)
	w.ServerTimeout, w.ServerTimeoutUnit = wire.Timeout(*f.server)
	return w
}

func backendToWire(s *BackendServer) backendWire {
	return backendWire{s.IP, s.Port, strconv.Itoa(s.Weight), s.MaxConn}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
