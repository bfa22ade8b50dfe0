package cdslb

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/cdsgo/cdslb/internal/wire"
)

// This file holds the wire form of listeners: the API sends ports and
// connection limits as numbers, weights and timeouts as strings, each
// timeout with a unit beside it, switches as "on"/"off", and lists under
// misleading names (BackendServer, CertificateIds). Go callers see plain
// ints, time.Durations, bools and slices; the conversion happens only here.

// listenerWire is what both listener kinds share on the wire. Decoding
// accepts numbers or strings for every scalar.
type listenerWire struct {
	ListenerName       string
	ListenerMode       string
	ListenerPort       wire.Int
	Scheduler          Scheduler
	MaxConn            wire.Int
	ConnectTimeout     wire.Text
	ConnectTimeoutUnit string
	ClientTimeout      wire.Text
	ClientTimeoutUnit  string
	ServerTimeout      wire.Text
	ServerTimeoutUnit  string
	AclWhiteList       wire.Strings
	BackendServer      []BackendServer
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

func (f listenerFields) toWire(mode string) listenerWire {
	w := listenerWire{ListenerName: *f.name, ListenerMode: mode, ListenerPort: wire.Int(*f.port),
		Scheduler: *f.scheduler, MaxConn: wire.Int(*f.maxConn),
		AclWhiteList: nonNil(*f.acl), BackendServer: nonNil(*f.backends)}
	w.ConnectTimeout, w.ConnectTimeoutUnit = wire.Timeout(*f.connect)
	w.ClientTimeout, w.ClientTimeoutUnit = wire.Timeout(*f.client)
	w.ServerTimeout, w.ServerTimeoutUnit = wire.Timeout(*f.server)
	return w
}

func (f listenerFields) fromWire(w *listenerWire) {
	*f.name, *f.port, *f.scheduler, *f.maxConn = w.ListenerName, int(w.ListenerPort), w.Scheduler, int(w.MaxConn)
	*f.connect = wire.Duration(w.ConnectTimeout, w.ConnectTimeoutUnit)
	*f.client = wire.Duration(w.ClientTimeout, w.ClientTimeoutUnit)
	*f.server = wire.Duration(w.ServerTimeout, w.ServerTimeoutUnit)
	*f.acl, *f.backends = w.AclWhiteList, w.BackendServer
}

// nonNil makes a nil slice empty, since the API wants [] for lists it requires, never null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

type httpListenerWire struct {
	listenerWire
	StickySession      wire.Switch
	CertificateIds     []CertificateRef
	SessionPersistence *sessionPersistenceWire `json:",omitempty"`
	Option             *listenerOptionWire     `json:",omitempty"`
}

type sessionPersistenceWire struct {
	Key   string
	Mode  *int       `json:",omitempty"`
	Timer *timerWire `json:",omitempty"`
}

type timerWire struct {
	MaxIdle wire.Int
	MaxLife wire.Int
}

type listenerOptionWire struct {
	Httpchk *httpchkWire `json:",omitempty"`
}

type httpchkWire struct {
	Method string `json:",omitempty"`
	URI    string `json:"Uri"`
}

// MarshalJSON writes the listener in the API's spelling.
func (l HTTPListener) MarshalJSON() ([]byte, error) {
	w := httpListenerWire{listenerWire: l.fields().toWire(ListenerModeHTTP),
		StickySession: wire.Switch(l.StickySession), CertificateIds: nonNil(l.Certificates)}
	if sp := l.SessionPersistence; sp != nil {
		w.SessionPersistence = &sessionPersistenceWire{Key: sp.Key}
		if sp.Mode != CookieModeDefault {
			mode := int(sp.Mode) - 1
			w.SessionPersistence.Mode = &mode
		}
		if sp.MaxIdle != 0 || sp.MaxLife != 0 {
			w.SessionPersistence.Timer = &timerWire{wire.Int(sp.MaxIdle / time.Second), wire.Int(sp.MaxLife / time.Second)}
		}
	}
	if hc := l.HealthCheck; hc != nil {
		w.Option = &listenerOptionWire{Httpchk: &httpchkWire{hc.Method, hc.URI}}
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the listener in any of the API's spellings.
func (l *HTTPListener) UnmarshalJSON(b []byte) error {
	if l == nil {
		return errNilTarget
	}
	var w httpListenerWire
	_ = json.Unmarshal(b, &w) // fills what it can: an odd field is left empty, not fatal
	*l = HTTPListener{StickySession: bool(w.StickySession), Certificates: w.CertificateIds}
	l.fields().fromWire(&w.listenerWire)
	if sp := w.SessionPersistence; sp != nil {
		l.SessionPersistence = &SessionPersistence{Key: sp.Key}
		if sp.Mode != nil && *sp.Mode >= 0 && *sp.Mode <= 2 {
			l.SessionPersistence.Mode = CookieMode(*sp.Mode + 1)
		}
		if sp.Timer != nil {
			l.SessionPersistence.MaxIdle = time.Duration(sp.Timer.MaxIdle) * time.Second
			l.SessionPersistence.MaxLife = time.Duration(sp.Timer.MaxLife) * time.Second
		}
	}
	if w.Option != nil && w.Option.Httpchk != nil {
		l.HealthCheck = &HealthCheck{Method: w.Option.Httpchk.Method, URI: w.Option.Httpchk.URI}
	}
	return nil
}

type tcpListenerWire struct {
	listenerWire
	EnableSourceIP     wire.Switch `json:"EnableSourceIp,omitempty"`
	EnableRepeaterMode wire.Switch `json:",omitempty"`
}

// MarshalJSON writes the listener in the API's spelling.
func (l TCPListener) MarshalJSON() ([]byte, error) {
	return json.Marshal(tcpListenerWire{l.fields().toWire(ListenerModeTCP),
		wire.Switch(l.EnableSourceIP), wire.Switch(l.EnableRepeaterMode)})
}

// UnmarshalJSON reads the listener in any of the API's spellings.
func (l *TCPListener) UnmarshalJSON(b []byte) error {
	if l == nil {
		return errNilTarget
	}
	var w tcpListenerWire
	_ = json.Unmarshal(b, &w) // fills what it can: an odd field is left empty, not fatal
	*l = TCPListener{EnableSourceIP: bool(w.EnableSourceIP), EnableRepeaterMode: bool(w.EnableRepeaterMode)}
	l.fields().fromWire(&w.listenerWire)
	return nil
}

type backendWire struct {
	IP      string
	Port    wire.Int
	Weight  wire.Text
	MaxConn wire.Int
}

// MarshalJSON writes the backend as the API's examples do: Port and MaxConn
// as numbers, Weight as a string.
func (s BackendServer) MarshalJSON() ([]byte, error) {
	return json.Marshal(backendWire{s.IP, wire.Int(s.Port), wire.Text(strconv.Itoa(s.Weight)), wire.Int(s.MaxConn)})
}

// UnmarshalJSON reads a backend whose numbers come as numbers or strings.
func (s *BackendServer) UnmarshalJSON(b []byte) error {
	if s == nil {
		return errNilTarget
	}
	var w backendWire
	_ = json.Unmarshal(b, &w) // fills what it can: an odd field is left empty, not fatal
	*s = BackendServer{IP: w.IP, Port: int(w.Port), Weight: w.Weight.Int(), MaxConn: int(w.MaxConn)}
	return nil
}
