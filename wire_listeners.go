package cdslb

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cdsgo/cdslb/internal/wire"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// This file holds the wire form of listeners: the API sends ports and
// connection limits as numbers, weights and timeouts as strings, each
// timeout with a unit beside it, switches as "on"/"off", and lists under
// misleading names (BackendServer, CertificateIds). Go callers see plain
// ints, time.Durations, bools and slices; the conversion happens only here.
// One set of wire structs is read and written.

// A set is read exactly first: names as documented and no other, each value
// in a spelling with one exact meaning. A set read so may be written back.
// A set that is not is read again tolerantly, for plain reads, and recorded
// as unread: the safe edits refuse it (ErrListenersUnreadable).
var exactly = json.JoinOptions(json.RejectUnknownMembers(true), json.MatchCaseInsensitiveNames(false), jsontext.AllowInvalidUTF8(false))

// strict reports whether dec reads a set exactly.
func strict(dec *jsontext.Decoder) bool {
	v, _ := json.GetOption(dec.Options(), json.RejectUnknownMembers)
	return v
}

var errInexact = errors.New("no exact meaning")

// inexact is errInexact at the value dec read last.
func inexact(dec *jsontext.Decoder) error {
	return &json.SemanticError{JSONPointer: dec.StackPointer(), Err: errInexact}
}

// listenersWire is the listener set of an answer, and the first value not
// read exactly ("" if none).
type listenersWire struct {
	http   []HTTPListener
	tcp    []TCPListener
	unread string
}

// listenerSetWire is a set as the API lists it.
type listenerSetWire struct {
	HttpListeners list[httpListenerWire]
	TcpListeners  list[tcpListenerWire]
}

// UnmarshalJSONFrom reads the set: exactly, or else tolerantly and unread.
// For an edit (a strict dec: see readAnswer) it is exact or an error. What
// is no listener set at all is malformed.
func (w *listenersWire) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if strict(dec) && dec.PeekKind() == '{' { // exactly or not at all: see readAnswer
		var set listenerSetWire
		if err := json.UnmarshalDecode(dec, &set, exactly); err != nil {
			return err
		}
		if w.http, w.tcp, w.unread = set.value(); w.unread != "" {
			return inexact(dec)
		}
		return nil
	}
	raw, err := dec.ReadValue()
	if err != nil || raw.Kind() == 'n' {
		return err
	}
	var set listenerSetWire
	exactErr := json.Unmarshal(raw, &set, exactly)
	if exactErr == nil {
		if w.http, w.tcp, w.unread = set.value(); w.unread == "" {
			return nil
		}
	}
	set = listenerSetWire{}
	if err := json.Unmarshal(raw, &set, tolerant); err != nil {
		if me := (*malformedError)(nil); errors.As(err, &me) {
			me.at = "Data." + me.at
		}
		return err
	}
	unread := w.unread
	w.http, w.tcp, _ = set.value()
	if w.unread = unread; exactErr != nil {
		w.unread = w.unreadAt(exactErr)
	}
	if w.unread == "field HttpListeners of the listener set" || w.unread == "field TcpListeners of the listener set" {
		return &malformedError{"Data." + w.unread[6:19], "is no list"} // as in the Data itself
	}
	return nil
}

// unreadAt names where err, which refused an exact reading, was found:
// in a listener, by its name, or in the set.
func (w *listenersWire) unreadAt(err error) string {
	var p jsontext.Pointer
	var se *json.SemanticError
	var sy *jsontext.SyntacticError
	if errors.As(err, &se) {
		p = se.JSONPointer
	} else if errors.As(err, &sy) {
		p = sy.JSONPointer
	}
	toks := slices.Collect(p.Tokens())
	if len(toks) > 2 && (toks[0] == "HttpListeners" || toks[0] == "TcpListeners") {
		i, _ := strconv.Atoi(toks[1])
		name := toks[0] + "[" + toks[1] + "]"
		if toks[0] == "HttpListeners" && i < len(w.http) {
			name = w.http[i].ListenerName
		} else if toks[0] == "TcpListeners" && i < len(w.tcp) {
			name = w.tcp[i].ListenerName
		}
		return inListener(where(jsontext.Pointer("/"+strings.Join(toks[2:], "/"))), name)
	}
	if len(toks) == 0 {
		return "a value of the listener set"
	}
	return "field " + where(p) + " of the listener set"
}

// listenerSetBody is the body of ModifyLoadBalancerStrategys; the lists
// are sent as [] when empty, never null.
type listenerSetBody struct {
	InstanceUUID  string `json:"InstanceUuid"`
	HttpListeners []httpListenerWire
	TcpListeners  []tcpListenerWire
}

// addListenersBody is the body of AddLoadBalancerStrategys, whose TCP list
// is left out when empty.
type addListenersBody struct {
	InstanceUUID  string `json:"InstanceUuid"`
	HttpListeners []httpListenerWire
	TcpListeners  []tcpListenerWire `json:",omitempty"`
}

func listenerSet(instanceUUID string, h []HTTPListener, t []TCPListener) *listenerSetBody {
	n := 0 // every listener's backends share one array: one allocation, not one per listener
	for i := range h {
		n += len(h[i].BackendServers)
	}
	for i := range t {
		n += len(t[i].BackendServers)
	}
	b := make([]backendWire, 0, n)
	return &listenerSetBody{instanceUUID, nonNil(convert(h, func(l *HTTPListener) httpListenerWire { return httpListenerToWire(l, &b) })),
		nonNil(convert(t, func(l *TCPListener) tcpListenerWire { return tcpListenerToWire(l, &b) }))}
}

func httpListenerToWire(l *HTTPListener, backends *[]backendWire) httpListenerWire {
	w := httpListenerWire{listenerWire: l.fields().toWire(ListenerModeHTTP, backends), StickySession: onOff(l.StickySession),
		CertificateIds: nonNil(convert(l.Certificates, func(c *CertificateRef) certificateRefWire {
			return certificateRefWire{text(c.CertificateID), text(c.CertificateName)}
		}))}
	if sp := l.SessionPersistence; sp != nil {
		w.SessionPersistence = &sessionPersistenceWire{Key: text(sp.Key)}
		if sp.Mode != CookieModeDefault {
			mode := whole(sp.Mode) - 1
			w.SessionPersistence.Mode = &mode
		}
		if sp.MaxIdle != 0 || sp.MaxLife != 0 {
			w.SessionPersistence.Timer = &timerWire{whole(sp.MaxIdle / time.Second), whole(sp.MaxLife / time.Second)}
		}
	}
	if hc := l.HealthCheck; hc != nil {
		w.Option = &listenerOptionWire{Httpchk: &httpchkWire{text(hc.Method), text(hc.URI)}}
	}
	return w
}

func tcpListenerToWire(l *TCPListener, backends *[]backendWire) tcpListenerWire {
	return tcpListenerWire{l.fields().toWire(ListenerModeTCP, backends), onOff(l.EnableSourceIP), onOff(l.EnableRepeaterMode)}
}

// toWire converts the shared fields, the backends into the set's array.
func (f listenerFields) toWire(mode string, backends *[]backendWire) listenerWire {
	start := len(*backends)
	for _, s := range *f.backends {
		*backends = append(*backends, backendWire{text(s.IP), whole(s.Port), whole(s.Weight), whole(s.MaxConn)})
	}
	w := listenerWire{ListenerName: *f.name, ListenerMode: text(mode), ListenerPort: whole(*f.port), Scheduler: text(*f.scheduler),
		MaxConn: whole(*f.maxConn), AclWhiteList: nonNil(*f.acl), BackendServer: nonNil((*backends)[start:len(*backends):len(*backends)])}
	w.ConnectTimeout, w.ConnectTimeoutUnit = timeout(*f.connect)
	w.ClientTimeout, w.ClientTimeoutUnit = timeout(*f.client)
	w.ServerTimeout, w.ServerTimeoutUnit = timeout(*f.server)
	return w
}

func timeout(d time.Duration) (amount, text) {
	n, unit := wire.TimeoutIn(d)
	return amount(strconv.FormatInt(n, 10)), text(unit)
}

// amount is a timeout's value. Read, it is the JSON value as given, which
// common interprets with its unit; written, it holds the digits, which are
// sent as a string.
type amount string

func (a *amount) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	*a = amount(v)
	return err
}

func nonNil[S ~[]T, T any](s S) S {
	if s == nil {
		return S{}
	}
	return s
}

// value converts the set, and names the first value without an exact meaning.
func (s *listenerSetWire) value() (h []HTTPListener, t []TCPListener, unread string) {
	h, t = make([]HTTPListener, len(s.HttpListeners)), make([]TCPListener, len(s.TcpListeners))
	for i, w := range s.HttpListeners {
		l := &h[i]
		bad := w.common(l.fields(), ListenerModeHTTP)
		l.StickySession = bool(w.StickySession)
		l.Certificates = convert(w.CertificateIds, func(c *certificateRefWire) CertificateRef {
			return CertificateRef{string(c.CertificateID), string(c.CertificateName)}
		})
		if sp := w.SessionPersistence; sp != nil {
			l.SessionPersistence = &SessionPersistence{Key: string(sp.Key)}
			if sp.Mode != nil && (*sp.Mode < 0 || *sp.Mode > 2) {
				bad = cmp.Or(bad, "SessionPersistence.Mode")
			} else if sp.Mode != nil {
				l.SessionPersistence.Mode = CookieMode(*sp.Mode + 1)
			}
			if t := sp.Timer; t != nil {
				var idle, life bool
				l.SessionPersistence.MaxIdle, idle = wholeSeconds(t.MaxIdle)
				l.SessionPersistence.MaxLife, life = wholeSeconds(t.MaxLife)
				if !idle {
					bad = cmp.Or(bad, "SessionPersistence.Timer.MaxIdle")
				} else if !life {
					bad = cmp.Or(bad, "SessionPersistence.Timer.MaxLife")
				}
			}
		}
		if o := w.Option; o != nil && o.Httpchk != nil {
			l.HealthCheck = &HealthCheck{Method: string(o.Httpchk.Method), URI: string(o.Httpchk.URI)}
		}
		unread = cmp.Or(unread, inListener(bad, l.ListenerName))
	}
	for i, w := range s.TcpListeners {
		l := &t[i]
		bad := w.common(l.fields(), ListenerModeTCP)
		l.EnableSourceIP, l.EnableRepeaterMode = bool(w.EnableSourceIP), bool(w.EnableRepeaterMode)
		unread = cmp.Or(unread, inListener(bad, l.ListenerName))
	}
	return h, t, unread
}

func inListener(field, listener string) string {
	if field == "" {
		return ""
	}
	return "listener " + strconv.Quote(boundMessage(listener, nil)) + ": field " + field
}

func wholeSeconds(n whole) (time.Duration, bool) {
	return time.Duration(n) * time.Second, n >= 0 && int64(n) <= int64(1<<63-1)/int64(time.Second)
}

// common converts what both listener kinds share, and names the first
// value without an exact meaning. The mode, when given, must be the one of
// the list the listener is in.
func (w *listenerWire) common(f listenerFields, mode string) (bad string) {
	*f.name, *f.port, *f.maxConn, *f.scheduler = w.ListenerName, int(w.ListenerPort), int(w.MaxConn), Scheduler(w.Scheduler)
	if w.ListenerMode != "" && string(w.ListenerMode) != mode {
		bad = "ListenerMode"
	}
	for _, t := range [3]struct {
		name  string
		value amount
		unit  text
		d     *time.Duration
	}{{"ConnectTimeout", w.ConnectTimeout, w.ConnectTimeoutUnit, f.connect},
		{"ClientTimeout", w.ClientTimeout, w.ClientTimeoutUnit, f.client}, {"ServerTimeout", w.ServerTimeout, w.ServerTimeoutUnit, f.server}} {
		if (t.value == "" || t.value == "null" || t.value == `""`) && t.unit == "" {
			continue // unset
		}
		var ok bool
		if *t.d, ok = wire.Duration([]byte(t.value), string(t.unit)); !ok {
			bad = cmp.Or(bad, t.name)
		}
	}
	*f.acl = w.AclWhiteList
	*f.backends = convert(w.BackendServer, func(b *backendWire) BackendServer {
		return BackendServer{IP: string(b.IP), Port: int(b.Port), Weight: int(b.Weight), MaxConn: int(b.MaxConn)}
	})
	return bad
}

// listenerWire is what both listener kinds share on the wire.
type listenerWire struct {
	ListenerName       string
	ListenerMode       text
	ListenerPort       whole
	Scheduler          text
	MaxConn            whole
	ConnectTimeout     amount
	ConnectTimeoutUnit text
	ClientTimeout      amount
	ClientTimeoutUnit  text
	ServerTimeout      amount
	ServerTimeoutUnit  text
	AclWhiteList       strs
	BackendServer      list[backendWire]
}

// check: a listener is known by its name, which the edits match.
func (w *listenerWire) check() string { return absent("ListenerName", w.ListenerName) }

type httpListenerWire struct {
	listenerWire
	StickySession      onOff
	CertificateIds     list[certificateRefWire]
	SessionPersistence *sessionPersistenceWire `json:",omitempty"`
	Option             *listenerOptionWire     `json:",omitempty"`
}

type sessionPersistenceWire struct {
	Key   text
	Mode  *whole     `json:",omitempty"`
	Timer *timerWire `json:",omitempty"`
}

type timerWire struct{ MaxIdle, MaxLife whole }

type listenerOptionWire struct {
	Httpchk *httpchkWire `json:",omitempty"`
}

type httpchkWire struct {
	Method text `json:",omitempty"`
	URI    text `json:"Uri"`
}

type certificateRefWire struct {
	CertificateID   text `json:"CertificateId"`
	CertificateName text
}

type tcpListenerWire struct {
	listenerWire
	EnableSourceIP     onOff `json:"EnableSourceIp,omitempty"`
	EnableRepeaterMode onOff `json:",omitempty"`
}

// backendWire is a BackendServer as the API's examples write it: Port and
// MaxConn as numbers, Weight as a string.
type backendWire struct {
	IP      text
	Port    whole
	Weight  whole `json:",string"` // written as a string
	MaxConn whole
}

// whole is a whole number, from a number or a string holding one
// (wire.Integer). Read exactly, anything else is refused.
type whole int

func (n *whole) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil || v.Kind() == 'n' {
		return err
	}
	i, ok := wire.Integer(v)
	if !ok && strict(dec) {
		return inexact(dec)
	}
	*n = whole(i)
	return nil
}

// onOff is a switch, written "on" or "off", read in any of the API's
// spellings, ignoring case: "on", "off", true, false, 1, 0, "yes", "no"
// and their string forms.
type onOff wire.Switch

// MarshalJSON writes "on" or "off".
func (s onOff) MarshalJSON() ([]byte, error) { return wire.Switch(s).MarshalJSON() }

func (s *onOff) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil || v.Kind() == 'n' {
		return err
	}
	word := strings.ToLower(strings.Trim(string(v), `"`))
	switch {
	case v.Kind() != '{' && v.Kind() != '[' && (word == "on" || word == "true" || word == "1" || word == "yes"):
		*s = true
	case v.Kind() != '{' && v.Kind() != '[' && (word == "off" || word == "false" || word == "0" || word == "no"):
		*s = false
	case strict(dec):
		return inexact(dec)
	}
	return nil
}
