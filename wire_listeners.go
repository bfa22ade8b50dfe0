package cdslb

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
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
	BackendServer      []backendWire
}

func (f listenerFields) toWire(mode string) listenerWire {
	w := listenerWire{ListenerName: *f.name, ListenerMode: mode, ListenerPort: wire.Int(*f.port),
		Scheduler: *f.scheduler, MaxConn: wire.Int(*f.maxConn),
		AclWhiteList: nonNil(*f.acl), BackendServer: nonNil(convert(*f.backends, backendToWire))}
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
	*f.acl, *f.backends = w.AclWhiteList, convert(w.BackendServer, (*backendWire).value)
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

// httpListenerWire is an HTTPListener as the API writes it.
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
			w.SessionPersistence.Timer = &timerWire{wire.Int(sp.MaxIdle / time.Second), wire.Int(sp.MaxLife / time.Second)}
		}
	}
	if hc := l.HealthCheck; hc != nil {
		w.Option = &listenerOptionWire{Httpchk: &httpchkWire{hc.Method, hc.URI}}
	}
	return w
}

// value reads the listener in any of the API's spellings.
func (w *httpListenerWire) value() HTTPListener {
	l := HTTPListener{StickySession: bool(w.StickySession),
		Certificates: convert(w.CertificateIds, func(c *certificateRefWire) CertificateRef { return CertificateRef(*c) })}
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
	return l
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

func tcpListenerToWire(l *TCPListener) tcpListenerWire {
	return tcpListenerWire{l.fields().toWire(ListenerModeTCP), wire.Switch(l.EnableSourceIP), wire.Switch(l.EnableRepeaterMode)}
}

// value reads the listener in any of the API's spellings.
func (w *tcpListenerWire) value() TCPListener {
	l := TCPListener{EnableSourceIP: bool(w.EnableSourceIP), EnableRepeaterMode: bool(w.EnableRepeaterMode)}
	l.fields().fromWire(&w.listenerWire)
	return l
}

// backendWire is a BackendServer as the API's examples write it: Port and
// MaxConn as numbers, Weight as a string. Decoding takes numbers or strings.
type backendWire struct {
	IP      string
	Port    wire.Int
	Weight  wire.Text
	MaxConn wire.Int
}

func backendToWire(s *BackendServer) backendWire {
	return backendWire{s.IP, wire.Int(s.Port), wire.Text(strconv.Itoa(s.Weight)), wire.Int(s.MaxConn)}
}

func (w *backendWire) value() BackendServer {
	return BackendServer{IP: w.IP, Port: int(w.Port), Weight: w.Weight.Int(), MaxConn: int(w.MaxConn)}
}

// listenersWire is the listener set as the API writes it: each listener
// with whether it was read exactly.
type listenersWire struct {
	HttpListeners []exactly[httpListenerWire]
	TcpListeners  []exactly[tcpListenerWire]
}

// exactly is a listener's wire form decoded as usual, and checked for exactness.
type exactly[W httpListenerWire | tcpListenerWire] struct {
	w       W
	inexact string // the first field not read exactly, "" if none
}

func (e *exactly[W]) UnmarshalJSON(b []byte) error {
	_ = json.Unmarshal(b, &e.w) // tolerant, never fails
	_, isHTTP := any(e.w).(httpListenerWire)
	e.inexact = inexactListener(b, isHTTP)
	return nil
}

// value returns the listener set, and a description of the first listener
// not read exactly ("" if all were).
func (w *listenersWire) value() (h []HTTPListener, t []TCPListener, inexact string) {
	h = convert(w.HttpListeners, func(e *exactly[httpListenerWire]) HTTPListener { return e.w.value() })
	t = convert(w.TcpListeners, func(e *exactly[tcpListenerWire]) TCPListener { return e.w.value() })
	for i, e := range w.HttpListeners {
		if e.inexact != "" {
			return h, t, fmt.Sprintf("listener %q: field %s", h[i].ListenerName, e.inexact)
		}
	}
	for i, e := range w.TcpListeners {
		if e.inexact != "" {
			return h, t, fmt.Sprintf("listener %q: field %s", t[i].ListenerName, e.inexact)
		}
	}
	return h, t, ""
}

// listenerSetWire is a listener set as the API reads it; the lists are
// sent as [] when empty, never null.
func listenerSetWire(instanceUUID string, h []HTTPListener, t []TCPListener) listenerSet {
	return listenerSet{instanceUUID, nonNil(convert(h, httpListenerToWire)), nonNil(convert(t, tcpListenerToWire))}
}

type listenerSet struct {
	InstanceUUID  string             `json:"InstanceUuid"`
	HttpListeners []httpListenerWire `json:"HttpListeners"`
	TcpListeners  []tcpListenerWire  `json:"TcpListeners"`
}

// This file decides whether a listener's wire form was read exactly: every
// field one the library models, with a value it read with its meaning, not
// left empty or approximated by tolerant decoding. A set that was not read
// exactly must not be written back (UpdateListener, RemoveListener), since
// writing it would change what the library could not read.

// shape checks that a wire value can be read exactly. It returns the path
// of the first part that cannot ("" for the value itself) and false.
type shape func(b []byte) (where string, ok bool)

var (
	anyString shape = func(b []byte) (string, bool) { return "", isNull(b) || b[0] == '"' && json.Valid(b) }
	// wholeNumber is an integer as a number or a numeric string, or null.
	wholeNumber shape = func(b []byte) (string, bool) {
		if isNull(b) {
			return "", true
		}
		var t wire.Text
		_ = t.UnmarshalJSON(b)
		f, err := strconv.ParseFloat(strings.TrimSpace(string(t)), 64)
		return "", err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53
	}
	// onOff is a switch in one of the spellings wire.Switch reads, or null.
	onOff shape = func(b []byte) (string, bool) {
		switch strings.ToLower(strings.Trim(string(b), `"`)) {
		case "null", "on", "off", "true", "false", "1", "0", "yes", "no":
			return "", true
		}
		return "", false
	}
	// stringList is a list of strings, a lone string or null (wire.Strings).
	stringList = listOf(anyString, true)
	backends   = listOf(objectOf(map[string]shape{"IP": anyString, "Port": wholeNumber, "Weight": wholeNumber, "MaxConn": wholeNumber}), false)
)

// The fields of each listener kind on the wire. The timeouts are checked
// again with their units, by exactTimeout.
var httpListenerShape, tcpListenerShape = listenerShape(true), listenerShape(false)

func listenerShape(isHTTP bool) shape {
	fields := map[string]shape{
		"ListenerName": anyString, "ListenerMode": anyString, "ListenerPort": wholeNumber,
		"Scheduler": anyString, "MaxConn": wholeNumber, "AclWhiteList": stringList, "BackendServer": backends,
		"ConnectTimeout": anyString, "ConnectTimeoutUnit": anyString, "ClientTimeout": anyString,
		"ClientTimeoutUnit": anyString, "ServerTimeout": anyString, "ServerTimeoutUnit": anyString,
	}
	if !isHTTP {
		fields["EnableSourceIp"], fields["EnableRepeaterMode"] = onOff, onOff
		return objectOf(fields)
	}
	fields["StickySession"] = onOff
	fields["CertificateIds"] = listOf(objectOf(map[string]shape{"CertificateId": anyString, "CertificateName": anyString}), false)
	fields["SessionPersistence"] = objectOf(map[string]shape{"Key": anyString, "Mode": cookieMode,
		"Timer": objectOf(map[string]shape{"MaxIdle": wholeNumber, "MaxLife": wholeNumber})})
	fields["Option"] = objectOf(map[string]shape{"Httpchk": objectOf(map[string]shape{"Method": anyString, "Uri": anyString})})
	return objectOf(fields)
}

// cookieMode is a session-persistence mode the library knows (0-2), or null.
func cookieMode(b []byte) (string, bool) {
	if isNull(b) {
		return "", true
	}
	n, err := strconv.Atoi(strings.Trim(string(b), `"`))
	return "", err == nil && n >= 0 && n <= 2
}

// inexactListener returns the first field of a listener's wire form that
// cannot be read exactly, "" if every one can.
func inexactListener(b []byte, isHTTP bool) string {
	listener := tcpListenerShape
	if isHTTP {
		listener = httpListenerShape
	}
	var fields map[string]json.RawMessage
	if where, ok := listener(b); !ok || json.Unmarshal(b, &fields) != nil {
		return cmp.Or(where, "the listener itself")
	}
	for _, name := range []string{"ConnectTimeout", "ClientTimeout", "ServerTimeout"} {
		if !exactTimeout(fields[name], fields[name+"Unit"]) {
			return name
		}
	}
	return ""
}

// exactTimeout reports whether a timeout and its unit read exactly: no
// value, or a whole number of milliseconds in a unit the library knows.
func exactTimeout(value, unit json.RawMessage) bool {
	var v wire.Text
	var u string
	if value != nil {
		_ = v.UnmarshalJSON(value)
	}
	if unit != nil && json.Unmarshal(unit, &u) != nil {
		return false
	}
	if strings.TrimSpace(string(v)) == "" {
		return true
	}
	d := wire.Duration(v, u)
	switch strings.ToLower(strings.TrimSpace(u)) {
	case "ms", "s", "m":
	default:
		return false
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(string(v)), 64)
	return err == nil && (n == 0 || d > 0) && d%time.Millisecond == 0
}

// objectOf is an object (or null) whose fields all have their shapes;
// a field without one is not modelled, and so could not be written back.
func objectOf(fields map[string]shape) shape {
	return func(b []byte) (string, bool) {
		if isNull(b) {
			return "", true
		}
		var m map[string]json.RawMessage
		if b[0] != '{' || json.Unmarshal(b, &m) != nil {
			return "", false
		}
		for name, v := range m {
			s, known := fields[name]
			if !known {
				return name, false
			}
			if where, ok := s(v); !ok {
				return joinPath(name, where), false
			}
		}
		return "", true
	}
}

// listOf is a list (or null) of items of one shape; lone says a lone item
// also stands for a list of it.
func listOf(item shape, lone bool) shape {
	return func(b []byte) (string, bool) {
		if isNull(b) {
			return "", true
		}
		if b[0] != '[' {
			if lone {
				return item(b)
			}
			return "", false
		}
		var items []json.RawMessage
		if json.Unmarshal(b, &items) != nil {
			return "", false
		}
		for i, v := range items {
			if where, ok := item(v); !ok {
				return joinPath("["+strconv.Itoa(i)+"]", where), false
			}
		}
		return "", true
	}
}

func joinPath(outer, inner string) string {
	switch {
	case inner == "":
		return outer
	case inner[0] == '[':
		return outer + inner
	}
	return outer + "." + inner
}

func isNull(b []byte) bool { return len(b) == 0 || bytes.Equal(bytes.TrimSpace(b), []byte("null")) }
