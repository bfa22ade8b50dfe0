package cdslb

import (
	"bytes"
	"cmp"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// This file is the fast path of the listener read: the common, well-typed
// set decoded by one json.Unmarshal into the wire's structs and converted.
// It gives up, and the exact reader of wire_listeners.go reads the set,
// whenever it cannot prove that it read every value as the exact reader
// would: an unknown field, a field given twice or spelt with other than
// ASCII letters, a value of another type or spelling, null in a list, or
// bytes that are not UTF-8.

// listenerSetRead is the listener set in the types of its common spelling.
type listenerSetRead struct {
	HttpListeners []httpListenerRead
	TcpListeners  []tcpListenerRead
}

type httpListenerRead struct {
	listenerWire
	StickySession      switchRead
	CertificateIds     []certificateRefWire
	SessionPersistence *sessionPersistenceWire
	Option             *listenerOptionWire
}

type tcpListenerRead struct {
	listenerWire
	EnableSourceIP     switchRead `json:"EnableSourceIp"`
	EnableRepeaterMode switchRead
}

// switchRead is a switch read as the exact reader reads it; a spelling it
// does not know fails the fast path.
type switchRead bool

// errNotFast stops the fast path.
var errNotFast = jsonError("not the common spelling")

type jsonError string

func (e jsonError) Error() string { return string(e) }

// UnmarshalJSON reads null as off, and the spellings of reader.on.
func (s *switchRead) UnmarshalJSON(b []byte) error {
	if len(b) > 1 && b[0] == '"' {
		b = b[1 : len(b)-1]
	}
	switch {
	case string(b) == "null":
		*s = false
	case bytes.IndexByte(b, '\\') >= 0:
		return errNotFast
	case oneOf(b, "on", "true", "1", "yes"):
		*s = true
	case oneOf(b, "off", "false", "0", "no"):
		*s = false
	default:
		return errNotFast
	}
	return nil
}

func oneOf(b []byte, words ...string) bool {
	for _, w := range words {
		if len(b) == len(w) && strings.EqualFold(string(b), w) {
			return true
		}
	}
	return false
}

// readFast reads the set by the fast path; false means it could not prove
// the read exact, and w is to be read again by the exact reader.
func (w *listenersWire) readFast(b []byte) bool {
	if b[0] != '{' || !utf8.Valid(b) || !plainObjects(b) {
		return false
	}
	var set listenerSetRead
	if json.Unmarshal(b, &set) != nil {
		return false
	}
	if set.HttpListeners != nil {
		w.http = make([]HTTPListener, len(set.HttpListeners))
	}
	for i := range set.HttpListeners {
		if !set.HttpListeners[i].value(&w.http[i]) {
			return false
		}
	}
	if set.TcpListeners != nil {
		w.tcp = make([]TCPListener, len(set.TcpListeners))
	}
	for i := range set.TcpListeners {
		r, l := &set.TcpListeners[i], &w.tcp[i]
		l.EnableSourceIP, l.EnableRepeaterMode = bool(r.EnableSourceIP), bool(r.EnableRepeaterMode)
		if !r.listenerWire.value(l.fields(), ListenerModeTCP) {
			return false
		}
	}
	return true
}

func (r *httpListenerRead) value(l *HTTPListener) bool {
	l.StickySession = bool(r.StickySession)
	if r.CertificateIds != nil {
		l.Certificates = make([]CertificateRef, len(r.CertificateIds))
		for i, c := range r.CertificateIds {
			l.Certificates[i] = CertificateRef(c)
		}
	}
	if sp := r.SessionPersistence; sp != nil {
		l.SessionPersistence = &SessionPersistence{Key: sp.Key}
		if sp.Mode != nil {
			if *sp.Mode < 0 || *sp.Mode > 2 {
				return false
			}
			l.SessionPersistence.Mode = CookieMode(*sp.Mode + 1)
		}
		if t := sp.Timer; t != nil {
			if !fastSeconds(t.MaxIdle) || !fastSeconds(t.MaxLife) {
				return false
			}
			l.SessionPersistence.MaxIdle, l.SessionPersistence.MaxLife = time.Duration(t.MaxIdle)*time.Second, time.Duration(t.MaxLife)*time.Second
		}
	}
	if r.Option != nil && r.Option.Httpchk != nil {
		l.HealthCheck = &HealthCheck{Method: r.Option.Httpchk.Method, URI: r.Option.Httpchk.URI}
	}
	return r.listenerWire.value(l.fields(), ListenerModeHTTP)
}

// value converts what both kinds share; false when a value is not in the
// spelling the fast path reads exactly.
func (r *listenerWire) value(f listenerFields, mode string) bool {
	if r.ListenerMode != "" && r.ListenerMode != mode || !fastWhole(r.ListenerPort) || !fastWhole(r.MaxConn) {
		return false
	}
	*f.name, *f.port, *f.maxConn, *f.scheduler = r.ListenerName, r.ListenerPort, r.MaxConn, r.Scheduler
	var ok [3]bool
	*f.connect, ok[0] = fastTimeout(r.ConnectTimeout, r.ConnectTimeoutUnit)
	*f.client, ok[1] = fastTimeout(r.ClientTimeout, r.ClientTimeoutUnit)
	*f.server, ok[2] = fastTimeout(r.ServerTimeout, r.ServerTimeoutUnit)
	if ok != [3]bool{true, true, true} {
		return false
	}
	for _, a := range r.AclWhiteList {
		if a == "" {
			return false
		}
	}
	if len(r.AclWhiteList) > 0 {
		*f.acl = r.AclWhiteList
	}
	if r.BackendServer != nil {
		*f.backends = make([]BackendServer, len(r.BackendServer))
	}
	for i, s := range r.BackendServer {
		weight, ok := fastDigits(s.Weight)
		if !ok || !fastWhole(s.Port) || !fastWhole(s.MaxConn) {
			return false
		}
		(*f.backends)[i] = BackendServer{IP: s.IP, Port: s.Port, Weight: weight, MaxConn: s.MaxConn}
	}
	return true
}

// fastWhole reports whether n is a whole number the exact reader reads.
func fastWhole(n int) bool { return n > -1<<53 && n < 1<<53 }

func fastSeconds(n int) bool {
	return n >= 0 && int64(n) <= math.MaxInt64/int64(time.Second) && fastWhole(n)
}

// fastDigits reads a string of up to 15 digits, such as a Weight "1".
func fastDigits(s string) (int, bool) {
	if len(s) == 0 || len(s) > 15 {
		return 0, false
	}
	n := 0
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// fastTimeout reads a timeout of digits in a known unit, or none at all.
func fastTimeout(value, unit string) (time.Duration, bool) {
	if value == "" && unit == "" {
		return 0, true
	}
	n, ok := fastDigits(value)
	ms := map[string]int{"ms": 1, "s": 1000, "m": 60 * 1000}[unit]
	if !ok || ms == 0 || n > math.MaxInt64/int(time.Millisecond)/ms {
		return 0, false
	}
	return time.Duration(n*ms) * time.Millisecond, true
}

// fastFields is, for each object of a listener set, its fields by
// lower-case name and, for those that hold objects or lists of them, the
// fields of those; a scalar field has none. Built on first use.
var fastFields = sync.OnceValue(func() *fields { return fieldsOf(reflect.TypeFor[listenerSetRead]()) })

type fields map[string]*fields

func fieldsOf(t reflect.Type) *fields {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	fs := fields{}
	for _, f := range reflect.VisibleFields(t) {
		if f.IsExported() && !f.Anonymous {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			fs[strings.ToLower(cmp.Or(name, f.Name))] = fieldsOf(f.Type)
		}
	}
	return &fs
}

// plainObjects reports whether b, valid JSON, is read by encoding/json
// into listenerSetRead as the exact reader reads it: every field is one of
// the struct's, named once, in ASCII without escapes, every object is
// where an object is due, and no list holds null.
func plainObjects(b []byte) bool {
	type frame struct {
		object *fields // the fields of an object, or of the objects of a list
		list   bool
		keys   int // index of the object's first key in keys
	}
	var stackBuf [8]frame
	var keysBuf [64][]byte
	stack, keys := stackBuf[:0], keysBuf[:0]
	next := fastFields() // the fields of the next object
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '{':
			if next == nil {
				return false
			}
			stack = append(stack, frame{object: next, keys: len(keys)})
		case '[':
			stack = append(stack, frame{object: next, list: true, keys: len(keys)})
		case '}', ']':
			keys = keys[:stack[len(stack)-1].keys]
			stack = stack[:len(stack)-1]
		case ',':
			if top := stack[len(stack)-1]; top.list {
				next = top.object
			}
		case 'n':
			if stack[len(stack)-1].list {
				return false
			}
			i += 3
		case '"':
			end := i + 1
			for end < len(b) && b[end] != '"' {
				if b[end] == '\\' {
					end++
				}
				end++
			}
			s := b[i+1 : end]
			i = end
			top := stack[len(stack)-1]
			if top.list || !isKey(b[i+1:]) {
				continue
			}
			var lower [32]byte
			if len(s) > len(lower) {
				return false
			}
			for j, c := range s {
				if c == '\\' || c >= utf8.RuneSelf {
					return false
				}
				lower[j] = c | ('a'-'A')*byte(b2i(c >= 'A' && c <= 'Z'))
			}
			f, known := (*top.object)[string(lower[:len(s)])]
			if !known {
				return false
			}
			for _, k := range keys[top.keys:] {
				if bytes.EqualFold(k, s) {
					return false
				}
			}
			keys, next = append(keys, s), f
		}
	}
	return true
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// isKey reports whether the string that rest follows is a key: a colon
// comes next.
func isKey(rest []byte) bool {
	rest = bytes.TrimLeft(rest, " \t\r\n")
	return len(rest) > 0 && rest[0] == ':'
}
