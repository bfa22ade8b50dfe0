package cdslb

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cdsgo/cdslb/internal/wire"
	"github.com/stretchr/testify/require"
)

// The library writes a listener set byte for byte as encoding/json (v1)
// writes the reference wire structs below, which are the captured wire
// shapes: the move to a new JSON library changed no request.

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
	set := refListenerSetWire(uuid, h, tl)
	var b []byte
	var err error
	if optionalTCP {
		b, err = json.Marshal(struct {
			InstanceUUID  string                `json:"InstanceUuid"`
			HttpListeners []refHttpListenerWire `json:"HttpListeners"`
			TcpListeners  []refTcpListenerWire  `json:"TcpListeners,omitempty"`
		}(set))
	} else {
		b, err = json.Marshal(set)
	}
	require.NoError(t, err)
	return string(b)
}

// written is the body the library sends for the set.
func written(uuid string, h []HTTPListener, t []TCPListener, optionalTCP bool) string {
	f := modifyLoadBalancerStrategys.wire(&ModifyLoadBalancerStrategysRequest{uuid, h, t}, time.UTC)
	if optionalTCP {
		f = addLoadBalancerStrategys.wire(&AddLoadBalancerStrategysRequest{uuid, h, t}, time.UTC)
	}
	_, b, err := f.encode()
	if err != nil {
		panic(err)
	}
	return string(b)
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

// Any valid UTF-8 string is written as encoding/json writes it.
func FuzzListenerStringIsWrittenAsJSONMarshalWritesIt(f *testing.F) {
	for _, s := range []string{"", "plain", `"\`, "<>&", "\u2028x\u2029", "\xff", "é\x00\x1f\x7f", "负载\xe2\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // refused before sending (validate.go): never written
		}
		l := []HTTPListener{{ListenerName: s, Scheduler: Scheduler(s), ACLWhiteList: []string{s}, Certificates: []CertificateRef{{s, s}},
			BackendServers: []BackendServer{{IP: s}}, SessionPersistence: &SessionPersistence{Key: s}, HealthCheck: &HealthCheck{s, s}}}
		require.Equal(t, marshalled(t, s, l, nil, false), written(s, l, nil, false))
	})
}

// The reference: the wire structs of a set, which json.Marshal writes as the
// library writes the set, and which the plain benchmarks marshal.

// refListenerWire is what both listener kinds share on the wire.
type refListenerWire struct {
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
	BackendServer      []refBackendWire
}

type refHttpListenerWire struct {
	refListenerWire
	StickySession      wire.Switch
	CertificateIds     []refCertificateRefWire
	SessionPersistence *refSessionPersistenceWire `json:",omitempty"`
	Option             *refListenerOptionWire     `json:",omitempty"`
}

type refSessionPersistenceWire struct {
	Key   string
	Mode  *int          `json:",omitempty"`
	Timer *refTimerWire `json:",omitempty"`
}

type refTimerWire struct {
	MaxIdle int
	MaxLife int
}

type refListenerOptionWire struct {
	Httpchk *refHttpchkWire `json:",omitempty"`
}

type refHttpchkWire struct {
	Method string `json:",omitempty"`
	URI    string `json:"Uri"`
}

type refCertificateRefWire struct {
	CertificateID   string `json:"CertificateId"`
	CertificateName string
}

type refTcpListenerWire struct {
	refListenerWire
	EnableSourceIP     wire.Switch `json:"EnableSourceIp,omitempty"`
	EnableRepeaterMode wire.Switch `json:",omitempty"`
}

// refBackendWire is a BackendServer as the API's examples write it: Port and
// MaxConn as numbers, Weight as a string.
type refBackendWire struct {
	IP      string
	Port    int
	Weight  string
	MaxConn int
}

// refListenerSetWire is a listener set in the wire structs; the lists are []
// when empty, never null.
func refListenerSetWire(instanceUUID string, h []HTTPListener, t []TCPListener) refListenerSet {
	return refListenerSet{instanceUUID, refNonNil(convert(h, refHttpListenerToWire)), refNonNil(convert(t, refTcpListenerToWire))}
}

type refListenerSet struct {
	InstanceUUID  string                `json:"InstanceUuid"`
	HttpListeners []refHttpListenerWire `json:"HttpListeners"`
	TcpListeners  []refTcpListenerWire  `json:"TcpListeners"`
}

func refHttpListenerToWire(l *HTTPListener) refHttpListenerWire {
	w := refHttpListenerWire{refListenerWire: l.fields().refToWire(ListenerModeHTTP), StickySession: wire.Switch(l.StickySession),
		CertificateIds: refNonNil(convert(l.Certificates, func(c *CertificateRef) refCertificateRefWire { return refCertificateRefWire(*c) }))}
	if sp := l.SessionPersistence; sp != nil {
		w.SessionPersistence = &refSessionPersistenceWire{Key: sp.Key}
		if sp.Mode != CookieModeDefault {
			mode := int(sp.Mode) - 1
			w.SessionPersistence.Mode = &mode
		}
		if sp.MaxIdle != 0 || sp.MaxLife != 0 {
			w.SessionPersistence.Timer = &refTimerWire{int(sp.MaxIdle / time.Second), int(sp.MaxLife / time.Second)}
		}
	}
	if hc := l.HealthCheck; hc != nil {
		w.Option = &refListenerOptionWire{Httpchk: &refHttpchkWire{hc.Method, hc.URI}}
	}
	return w
}

func refTcpListenerToWire(l *TCPListener) refTcpListenerWire {
	return refTcpListenerWire{l.fields().refToWire(ListenerModeTCP), wire.Switch(l.EnableSourceIP), wire.Switch(l.EnableRepeaterMode)}
}

func (f listenerFields) refToWire(mode string) refListenerWire {
	w := refListenerWire{ListenerName: *f.name, ListenerMode: mode, ListenerPort: *f.port, Scheduler: *f.scheduler, MaxConn: *f.maxConn,
		AclWhiteList: refNonNil(*f.acl), BackendServer: refNonNil(convert(*f.backends, refBackendToWire))}
	w.ConnectTimeout, w.ConnectTimeoutUnit = wire.Timeout(*f.connect)
	w.ClientTimeout, w.ClientTimeoutUnit = wire.Timeout(*f.client)
	w.ServerTimeout, w.ServerTimeoutUnit = wire.Timeout(*f.server)
	return w
}

func refBackendToWire(s *BackendServer) refBackendWire {
	return refBackendWire{s.IP, s.Port, strconv.Itoa(s.Weight), s.MaxConn}
}

func refNonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
