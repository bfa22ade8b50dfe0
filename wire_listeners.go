package cdslb

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cdsgo/cdslb/internal/wire"
)

// This file holds the wire form of listeners: the API sends ports and
// connection limits as numbers, weights and timeouts as strings, each
// timeout with a unit beside it, switches as "on"/"off", and lists under
// misleading names (BackendServer, CertificateIds). Go callers see plain
// ints, time.Durations, bools and slices; the conversion happens only here
// and beside: wire_listeners_fast.go reads the common spelling in one pass,
// wire_listeners_write.go writes a set.

// Reading is one decoder, for plain reads and for the safe edits alike: it
// reads each value in every spelling the API uses with its exact meaning,
// or leaves it empty and records it as unread, never as something else. A
// plain read keeps what it could read, as every tolerant read does; the
// safe edits refuse a set with anything unread, since writing it back
// would change or drop what the library could not read.

// listenersWire is the listener set of an answer: the listeners, the first
// value not read exactly ("" if none), and why Data is no listener set at
// all ("" if it is one).
type listenersWire struct {
	http      []HTTPListener
	tcp       []TCPListener
	unread    string
	malformed string
	given     bool // read once already: an answer with Data twice
}

// UnmarshalJSON reads the set. It never fails: what it cannot read is
// recorded instead. A second set in the same answer is read, and unread:
// which of the two is meant is unknown.
func (w *listenersWire) UnmarshalJSON(b []byte) error {
	twice := w.given
	*w = listenersWire{given: true}
	if !isNull(b) && !w.readFast(b) {
		*w = listenersWire{given: true}
		w.readExact(b)
	}
	if twice {
		w.unread = "Data given twice"
	}
	return nil
}

// readExact reads the set value by value, with readObject.
func (w *listenersWire) readExact(b []byte) {
	b = bytes.TrimSpace(b) // as encoding/json hands a value over: its kind is its first byte
	var setField string
	set, ok := readObject(b, "", &setField)
	if !ok {
		w.malformed = "Data is " + kindOf(b) + " where an object is due"
		return
	}
	var httpUnread, tcpUnread, httpBad, tcpBad string
	w.http, httpUnread, httpBad = readListeners(set, "HttpListeners", readHTTPListener, func(l HTTPListener) string { return l.ListenerName })
	w.tcp, tcpUnread, tcpBad = readListeners(set, "TcpListeners", readTCPListener, func(l TCPListener) string { return l.ListenerName })
	for _, name := range set.rest() {
		if !isEmpty(set.take(name)) { // such as "UdpListeners": listeners the library would delete
			set.fail(name)
		}
	}
	if setField != "" {
		setField = "field " + setField + " of the listener set"
	}
	w.unread, w.malformed = cmp.Or(httpUnread, tcpUnread, setField), cmp.Or(httpBad, tcpBad)
}

// value returns the listener set, and a description of the first value not
// read exactly ("" if all were).
func (w *listenersWire) value() (h []HTTPListener, t []TCPListener, inexact string) {
	return w.http, w.tcp, w.unread
}

// readListeners reads the list kind of the set: the listeners, a
// description of the first one not read exactly, and why the list is no
// list.
func readListeners[L any](set *reader, kind string, read func(*reader) L, name func(L) string) (ls []L, unread, malformed string) {
	b := set.take(kind)
	if b == nil {
		return nil, "", ""
	}
	var items []json.RawMessage
	if b[0] != '[' || json.Unmarshal(b, &items) != nil {
		return nil, "", "Data." + kind + " is " + jsonKind(b[0]) + " where a list is due"
	}
	ls = make([]L, len(items))
	for i, item := range items {
		var field string
		o, ok := readObject(item, "", &field)
		if !ok {
			unread = cmp.Or(unread, fmt.Sprintf("listener %s[%d] (%s, not a listener)", kind, i, kindOf(item)))
			continue
		}
		ls[i] = read(o)
		if o.done(); field != "" {
			who := strconv.Quote(name(ls[i]))
			if name(ls[i]) == "" {
				who = fmt.Sprintf("%s[%d]", kind, i)
			}
			unread = cmp.Or(unread, "listener "+who+": field "+field)
		}
	}
	return ls, unread, ""
}

func readHTTPListener(o *reader) HTTPListener {
	l := HTTPListener{StickySession: o.on("StickySession")}
	o.common(l.fields(), ListenerModeHTTP)
	l.Certificates = readList(o, "CertificateIds", func(c *reader) CertificateRef {
		return CertificateRef{CertificateID: c.text("CertificateId"), CertificateName: c.text("CertificateName")}
	})
	o.object("SessionPersistence", func(s *reader) {
		sp := &SessionPersistence{Key: s.text("Key")}
		if mode, ok := s.whole("Mode"); ok && mode >= 0 && mode <= 2 {
			sp.Mode = CookieMode(mode + 1)
		} else if ok {
			s.fail("Mode")
		}
		s.object("Timer", func(t *reader) { sp.MaxIdle, sp.MaxLife = t.seconds("MaxIdle"), t.seconds("MaxLife") })
		l.SessionPersistence = sp
	})
	o.object("Option", func(opt *reader) {
		opt.object("Httpchk", func(h *reader) { l.HealthCheck = &HealthCheck{Method: h.text("Method"), URI: h.text("Uri")} })
	})
	return l
}

func readTCPListener(o *reader) TCPListener {
	l := TCPListener{EnableSourceIP: o.on("EnableSourceIp"), EnableRepeaterMode: o.on("EnableRepeaterMode")}
	o.common(l.fields(), ListenerModeTCP)
	return l
}

// common reads what both listener kinds share. The mode, when given, must
// be the one of the list the listener is in.
func (o *reader) common(f listenerFields, mode string) {
	*f.name = o.text("ListenerName")
	if m := o.text("ListenerMode"); m != "" && m != mode {
		o.fail("ListenerMode")
	}
	*f.port, _ = o.whole("ListenerPort")
	*f.maxConn, _ = o.whole("MaxConn")
	*f.scheduler = Scheduler(o.text("Scheduler"))
	*f.connect, *f.client, *f.server = o.timeout("ConnectTimeout"), o.timeout("ClientTimeout"), o.timeout("ServerTimeout")
	*f.acl = o.stringList("AclWhiteList")
	*f.backends = readList(o, "BackendServer", func(b *reader) BackendServer {
		s := BackendServer{IP: b.text("IP")}
		s.Port, _ = b.whole("Port")
		s.Weight, _ = b.whole("Weight")
		s.MaxConn, _ = b.whole("MaxConn")
		return s
	})
}

// reader reads one JSON object of a listener set field by field. Each
// read takes its field and gives the value its exact meaning, or leaves it
// zero and records the field in unread, which the whole listener shares:
// the first field not read exactly. Field names match as encoding/json
// matches them, ignoring case.
type reader struct {
	fields map[string]json.RawMessage // by lower-case name
	names  map[string]string          // the names as the answer spells them
	path   string                     // where the object is in the listener: "" or "SessionPersistence."
	unread *string
}

// readObject starts reading b, a JSON object; ok is false for anything
// else. A field given twice is unread: which value is meant is unknown.
func readObject(b []byte, path string, unread *string) (o *reader, ok bool) {
	o = &reader{fields: map[string]json.RawMessage{}, names: map[string]string{}, path: path, unread: unread}
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return o, false
	}
	for dec.More() {
		t, err := dec.Token()
		name, _ := t.(string)
		var v json.RawMessage
		if err != nil || dec.Decode(&v) != nil {
			return o, false
		}
		key := strings.ToLower(name)
		if _, twice := o.fields[key]; twice {
			o.fail(name)
		}
		o.fields[key], o.names[key] = v, name
	}
	return o, true
}

// take removes a field and returns its value: nil when absent or null.
func (o *reader) take(name string) json.RawMessage {
	key := strings.ToLower(name)
	v := o.fields[key]
	delete(o.fields, key)
	if isNull(v) {
		return nil
	}
	return v
}

// fail records name as not read exactly, unless an earlier field was.
func (o *reader) fail(name string) {
	if *o.unread == "" {
		*o.unread = o.path + name
	}
}

// rest returns the names of the fields no read took, in order.
func (o *reader) rest() []string {
	var names []string
	for key := range o.fields {
		names = append(names, o.names[key])
	}
	slices.Sort(names)
	return names
}

// done records the first field no read took: the library does not model
// it, and writing the listener back would drop it.
func (o *reader) done() {
	if rest := o.rest(); len(rest) > 0 {
		o.fail(rest[0])
	}
}

// text reads a string.
func (o *reader) text(name string) string {
	v := o.take(name)
	if v == nil {
		return ""
	}
	s, ok := exactString(v)
	if !ok {
		o.fail(name)
	}
	return s
}

// exactString reads a JSON string. Bytes that are not UTF-8, and a \u
// escape of half a UTF-16 surrogate pair without its other half, would be
// read as U+FFFD, and written back so: such a string is not read.
func exactString(v json.RawMessage) (string, bool) {
	var s string
	if !utf8.Valid(v) || json.Unmarshal(v, &s) != nil || !pairedSurrogates(v) {
		return "", false
	}
	return s, true
}

// pairedSurrogates reports whether every \u escape of a surrogate in the
// valid JSON string v is the high half of a pair followed by its low half.
func pairedSurrogates(v []byte) bool {
	half := func(i int) rune { // the escape at v[i:], or -1 when none
		if i+6 > len(v) || v[i] != '\\' || v[i+1] != 'u' {
			return -1
		}
		r, _ := strconv.ParseUint(string(v[i+2:i+6]), 16, 16)
		return rune(r)
	}
	for i := bytes.IndexByte(v, '\\'); i >= 0; i = bytes.IndexByte(v, '\\') {
		switch r := half(i); {
		case r < 0:
			v = v[i+2:] // another escape, such as \\: its next byte is no escape
		case !utf16.IsSurrogate(r):
			v = v[i+6:]
		case r < 0xdc00 && utf16.DecodeRune(r, half(i+6)) != utf8.RuneError:
			v = v[i+12:]
		default:
			return false
		}
	}
	return true
}

// whole reads a whole number (wire.Integer); ok says one was read, and is
// false when the field is absent or null.
func (o *reader) whole(name string) (n int, ok bool) {
	v := o.take(name)
	if v == nil {
		return 0, false
	}
	if n, ok = wire.Integer(v); !ok {
		o.fail(name)
	}
	return n, ok
}

// seconds reads whole seconds that fit a time.Duration.
func (o *reader) seconds(name string) time.Duration {
	n, ok := o.whole(name)
	if ok && (n < 0 || int64(n) > int64(1<<63-1)/int64(time.Second)) {
		o.fail(name)
		return 0
	}
	return time.Duration(n) * time.Second
}

// on reads a switch in any of the API's spellings, ignoring case: "on",
// "off", true, false, 1, 0, "yes", "no" and their string forms.
func (o *reader) on(name string) bool {
	v := o.take(name)
	if v == nil {
		return false
	}
	s := string(v)
	if v[0] == '"' && json.Unmarshal(v, &s) != nil {
		s = ""
	}
	switch strings.ToLower(s) {
	case "on", "true", "1", "yes":
		return true
	case "off", "false", "0", "no":
		return false
	}
	o.fail(name)
	return false
}

// timeout reads a timeout and its unit (wire.Duration). A timeout whose
// value and unit are both absent, null or "" is unset: 0, which is what the
// library writes for a listener without that timeout. A value without a
// unit, or a unit without a value, is unread.
func (o *reader) timeout(name string) time.Duration {
	value, unit := o.take(name), name+"Unit"
	u := o.text(unit)
	if isEmpty(value) && u == "" {
		return 0
	}
	d, ok := wire.Duration(value, u)
	if !ok {
		o.fail(name)
	}
	return d
}

// stringList reads a list of non-empty strings; a lone string stands for a
// list of it ("" for none).
func (o *reader) stringList(name string) []string {
	v := o.take(name)
	var list []string
	switch {
	case v == nil:
	case v[0] == '"':
		if s, ok := exactString(v); !ok {
			o.fail(name)
		} else if s != "" {
			list = []string{s}
		}
	case v[0] == '[':
		var items []json.RawMessage
		_ = json.Unmarshal(v, &items)
		for i, item := range items {
			s, ok := exactString(item)
			if !ok || s == "" {
				o.fail(name + "[" + strconv.Itoa(i) + "]")
				continue
			}
			list = append(list, s)
		}
	default:
		o.fail(name)
	}
	return list
}

// object reads a nested object with read; absent or null, it does nothing.
func (o *reader) object(name string, read func(*reader)) {
	v := o.take(name)
	if v == nil {
		return
	}
	inner, ok := readObject(v, o.path+name+".", o.unread)
	if !ok {
		o.fail(name)
		return
	}
	read(inner)
	inner.done()
}

// readList reads a list of objects with read (absent or null: none). An
// item that is not an object, null included, is unread and left zero.
func readList[T any](o *reader, name string, read func(*reader) T) []T {
	v := o.take(name)
	if v == nil {
		return nil
	}
	var items []json.RawMessage
	if v[0] != '[' || json.Unmarshal(v, &items) != nil {
		o.fail(name)
		return nil
	}
	list := make([]T, len(items))
	for i, item := range items {
		at := name + "[" + strconv.Itoa(i) + "]"
		inner, ok := readObject(item, o.path+at+".", o.unread)
		if !ok {
			o.fail(at)
			continue
		}
		list[i] = read(inner)
		inner.done()
	}
	return list
}

func isNull(b []byte) bool { return len(b) == 0 || bytes.Equal(bytes.TrimSpace(b), []byte("null")) }

// isEmpty reports whether a value holds nothing: absent, null, "", [] or {}.
func isEmpty(b []byte) bool {
	var v any
	if isNull(b) || json.Unmarshal(b, &v) != nil {
		return isNull(b)
	}
	switch v := v.(type) {
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// kindOf names the kind of a JSON value, null included.
func kindOf(b []byte) string {
	if isNull(b) {
		return "null"
	}
	return jsonKind(b[0])
}
