package cdslb

import (
	"math"
	"time"
	"unicode/utf8"
)

// This file is the fast path of the listener read: the common, well-typed
// set read in one pass over its bytes, straight into the listeners. It
// gives up, and the exact reader of wire_listeners.go reads the set,
// whenever it meets what it cannot prove it reads as the exact reader
// would: an unknown field, a field given twice or spelt with other than
// ASCII letters, a value of another type or spelling (a number in a string
// where a number is due, a fraction, an exponent, a leading zero, more
// than 15 digits), null in a list, bytes that are not UTF-8, or anything
// that is not JSON.

// readFast reads the set by the fast path; false means it could not prove
// the read exact, and w is to be read again by the exact reader.
func (w *listenersWire) readFast(b []byte) bool {
	r := fastReader{b: b, ok: true}
	if !r.open('{') {
		return false
	}
	r.members(setKeys, 0, func(k int) {
		switch k {
		case 0:
			w.http = fastList(&r, func(l *HTTPListener) { r.listener(l.fields(), l, nil) })
		case 1:
			w.tcp = fastList(&r, func(l *TCPListener) { r.listener(l.fields(), nil, l) })
		}
	})
	r.space()
	return r.ok && r.i == len(b)
}

// The fields of each object of a set, in lower case, by their index.
var (
	setKeys      = []string{"httplisteners", "tcplisteners"}
	listenerKeys = []string{"listenername", "listenermode", "listenerport", "scheduler", "maxconn",
		"connecttimeout", "connecttimeoutunit", "clienttimeout", "clienttimeoutunit", "servertimeout", "servertimeoutunit",
		"aclwhitelist", "backendserver",
		"stickysession", "certificateids", "sessionpersistence", "option", // HTTP listeners only
		"enablesourceip", "enablerepeatermode"} // TCP listeners only
	backendKeys     = []string{"ip", "port", "weight", "maxconn"}
	certificateKeys = []string{"certificateid", "certificatename"}
	sessionKeys     = []string{"key", "mode", "timer"}
	timerKeys       = []string{"maxidle", "maxlife"}
	optionKeys      = []string{"httpchk"}
	httpchkKeys     = []string{"method", "uri"}
)

// Which of listenerKeys a kind of listener does not have.
const (
	notHTTP = 1<<17 | 1<<18
	notTCP  = 1<<13 | 1<<14 | 1<<15 | 1<<16
)

// fastReader walks a listener set's bytes. Its first failure stops it for
// good: ok turns false and every later read finds nothing.
type fastReader struct {
	b  []byte
	i  int
	ok bool
}

func (r *fastReader) fail() {
	r.ok, r.i = false, len(r.b)
}

func (r *fastReader) space() {
	for r.i < len(r.b) && (r.b[r.i] == ' ' || r.b[r.i] == '\t' || r.b[r.i] == '\r' || r.b[r.i] == '\n') {
		r.i++
	}
}

// peek returns the next byte of a value, 0 at the end.
func (r *fastReader) peek() byte {
	r.space()
	if r.i == len(r.b) {
		return 0
	}
	return r.b[r.i]
}

// literal takes word if it comes next.
func (r *fastReader) literal(word string) bool {
	if r.peek() != word[0] || len(r.b)-r.i < len(word) || string(r.b[r.i:r.i+len(word)]) != word {
		return false
	}
	r.i += len(word)
	return true
}

// open starts an object or a list (delim '{' or '['); false for null, and
// for anything else, which fails.
func (r *fastReader) open(delim byte) bool {
	if r.literal("null") {
		return false
	}
	if r.peek() != delim {
		r.fail()
		return false
	}
	r.i++
	return true
}

// more reports whether the object or list open holds an nth entry (from
// 0), and takes the comma before it; false at its end (close) and on
// failure.
func (r *fastReader) more(close byte, n int) bool {
	switch c := r.peek(); {
	case !r.ok:
		return false
	case c == close:
		r.i++
		return false
	case n == 0:
		return true
	case c == ',':
		r.i++
		return true
	}
	r.fail()
	return false
}

// key reads a field's name and its colon, and returns its index in keys
// (lower case), matched as encoding/json matches ASCII names, whatever the
// case. A field that is not in keys, is in the mask not, or was seen
// already fails.
func (r *fastReader) key(keys []string, not uint32, seen *uint32) int {
	name, escaped := r.quoted()
	if escaped || !r.literal(":") {
		r.fail()
		return -1
	}
	for k, want := range keys {
		if len(name) == len(want) && foldsTo(name, want) && (not|*seen)&(1<<k) == 0 {
			*seen |= 1 << k
			return k
		}
	}
	r.fail()
	return -1
}

// members reads the members of the object just opened up to its end,
// calling read with each one's index in keys (see key) to read its value.
func (r *fastReader) members(keys []string, not uint32, read func(k int)) {
	var seen uint32
	for n := 0; r.more('}', n); n++ {
		if k := r.key(keys, not, &seen); k >= 0 {
			read(k)
		}
	}
}

// foldsTo reports whether ASCII name is lower, whatever its case.
func foldsTo(name []byte, lower string) bool {
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// quoted reads a string and returns its bytes between the quotes, and
// whether they hold an escape. A control character or bytes that are not
// UTF-8 fail.
func (r *fastReader) quoted() (s []byte, escaped bool) {
	if r.peek() != '"' {
		r.fail()
		return nil, false
	}
	start, ascii := r.i+1, true
	for r.i++; r.i < len(r.b); r.i++ {
		switch c := r.b[r.i]; {
		case c == '"':
			s = r.b[start:r.i]
			r.i++
			if !ascii && !utf8.Valid(s) {
				r.fail()
			}
			return s, escaped
		case c == '\\':
			escaped = true
			r.i++
		case c < ' ':
			r.fail()
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	r.fail()
	return nil, false
}

// text reads a string, or null as "". Its bytes alias the set's unless
// the string holds escapes, which are read as the exact reader reads them.
func (r *fastReader) text() []byte {
	if r.literal("null") {
		return nil
	}
	r.peek()
	start := r.i
	s, escaped := r.quoted()
	if escaped {
		t, ok := exactString(r.b[start:r.i])
		if !ok {
			r.fail()
		}
		return []byte(t)
	}
	return s
}

func (r *fastReader) str() string { return string(r.text()) }

// whole reads a JSON integer of up to 15 digits, or null (given false).
func (r *fastReader) whole() (n int, given bool) {
	if r.literal("null") {
		return 0, false
	}
	neg := r.peek() == '-'
	if neg {
		r.i++
	}
	n, ok := r.digits()
	if !ok || r.i < len(r.b) && (r.b[r.i] == '.' || r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		r.fail()
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// digits reads 1 to 15 decimal digits without a leading zero, as JSON and
// wire.Integer write numbers.
func (r *fastReader) digits() (int, bool) {
	start, n := r.i, 0
	for ; r.i < len(r.b) && '0' <= r.b[r.i] && r.b[r.i] <= '9'; r.i++ {
		n = n*10 + int(r.b[r.i]-'0')
	}
	if d := r.i - start; d == 0 || d > 15 || d > 1 && r.b[start] == '0' {
		return 0, false
	}
	return n, true
}

// quotedWhole reads a string of digits, such as a Weight "1".
func (r *fastReader) quotedWhole() int {
	if !r.literal(`"`) {
		r.fail()
		return 0
	}
	n, ok := r.digits()
	if !ok || r.i == len(r.b) || r.b[r.i] != '"' {
		r.fail()
		return 0
	}
	r.i++
	return n
}

// on reads a switch as reader.on does: null, true, false, 1, 0, or a string
// of on, off, true, false, 1, 0, yes or no in any case.
func (r *fastReader) on() bool {
	for _, w := range [...]struct {
		word string
		on   bool
	}{{"null", false}, {"true", true}, {"false", false}, {"1", true}, {"0", false}} {
		if r.literal(w.word) {
			return w.on
		}
	}
	s, escaped := r.quoted()
	switch {
	case escaped:
	case len(s) == 2 && foldsTo(s, "on"), len(s) == 4 && foldsTo(s, "true"), len(s) == 1 && s[0] == '1', len(s) == 3 && foldsTo(s, "yes"):
		return true
	case len(s) == 3 && foldsTo(s, "off"), len(s) == 5 && foldsTo(s, "false"), len(s) == 1 && s[0] == '0', len(s) == 2 && foldsTo(s, "no"):
		return false
	}
	r.fail()
	return false
}

// fastList reads a list of objects with read; null is none, and an entry
// that is not an object fails.
func fastList[T any](r *fastReader, read func(*T)) []T {
	if !r.open('[') {
		return nil
	}
	list := []T{}
	for n := 0; r.more(']', n); n++ {
		list = append(list, *new(T))
		read(&list[n])
	}
	return list
}

// object starts an object that is due; null is none, anything else fails.
func (r *fastReader) object() bool {
	if r.peek() != '{' && r.peek() != 'n' {
		r.fail()
	}
	return r.open('{')
}

// fastTimeout is a timeout's value and unit as read, apart.
type fastTimeout struct {
	n     int
	given bool
	unit  []byte
}

// value is the timeout: none when neither value nor unit is given, else
// digits in a known unit that fit a time.Duration.
func (t fastTimeout) value(r *fastReader) time.Duration {
	if !t.given {
		if len(t.unit) > 0 {
			r.fail()
		}
		return 0
	}
	ms := 0
	switch string(t.unit) {
	case "ms":
		ms = 1
	case "s":
		ms = 1000
	case "m":
		ms = 60 * 1000
	}
	if ms == 0 || t.n > math.MaxInt64/int(time.Millisecond)/ms {
		r.fail()
		return 0
	}
	return time.Duration(t.n*ms) * time.Millisecond
}

// listener reads a listener of either kind into f and, for the fields of
// its kind alone, h or t (the other is nil).
func (r *fastReader) listener(f listenerFields, h *HTTPListener, t *TCPListener) {
	if !r.object() {
		r.fail() // null in a list
		return
	}
	not, mode := uint32(notHTTP), ListenerModeHTTP
	if t != nil {
		not, mode = notTCP, ListenerModeTCP
	}
	var timeouts [3]fastTimeout // connect, client, server
	r.members(listenerKeys, not, func(k int) {
		switch k {
		case 0:
			*f.name = r.str()
		case 1:
			if m := r.text(); len(m) > 0 && string(m) != mode {
				r.fail()
			}
		case 2:
			*f.port, _ = r.whole()
		case 3:
			*f.scheduler = scheduler(r.text())
		case 4:
			*f.maxConn, _ = r.whole()
		case 5, 7, 9:
			if t := &timeouts[(k-5)/2]; !r.literal("null") && !r.literal(`""`) {
				t.n, t.given = r.quotedWhole(), true
			}
		case 6, 8, 10:
			timeouts[(k-6)/2].unit = r.text()
		case 11:
			*f.acl = r.acl()
		case 12:
			*f.backends = fastList(r, r.backend)
		case 13:
			h.StickySession = r.on()
		case 14:
			h.Certificates = fastList(r, r.certificate)
		case 15:
			h.SessionPersistence = r.session()
		case 16:
			h.HealthCheck = r.option()
		case 17:
			t.EnableSourceIP = r.on()
		case 18:
			t.EnableRepeaterMode = r.on()
		}
	})
	*f.connect, *f.client, *f.server = timeouts[0].value(r), timeouts[1].value(r), timeouts[2].value(r)
}

// scheduler returns the scheduler named s, without a copy when it is one
// the API documents.
func scheduler(s []byte) Scheduler {
	for _, known := range [...]Scheduler{SchedulerRoundRobin, SchedulerLeastConn, SchedulerStaticRR, SchedulerSource} {
		if string(s) == string(known) {
			return known
		}
	}
	return Scheduler(s)
}

// acl reads an AclWhiteList: a list of strings, none empty, or null.
func (r *fastReader) acl() []string {
	if !r.open('[') {
		return nil
	}
	var list []string
	for n := 0; r.more(']', n); n++ {
		if r.peek() != '"' {
			r.fail()
		}
		if s := r.str(); s != "" {
			list = append(list, s)
		} else {
			r.fail()
		}
	}
	return list
}

func (r *fastReader) backend(s *BackendServer) {
	if !r.object() {
		r.fail()
		return
	}
	r.members(backendKeys, 0, func(k int) {
		switch k {
		case 0:
			s.IP = r.str()
		case 1:
			s.Port, _ = r.whole()
		case 2:
			if !r.literal("null") {
				s.Weight = r.quotedWhole()
			}
		case 3:
			s.MaxConn, _ = r.whole()
		}
	})
}

func (r *fastReader) certificate(c *CertificateRef) {
	if !r.object() {
		r.fail()
		return
	}
	r.members(certificateKeys, 0, func(k int) {
		if k == 0 {
			c.CertificateID = r.str()
		} else {
			c.CertificateName = r.str()
		}
	})
}

func (r *fastReader) session() *SessionPersistence {
	if !r.object() {
		return nil
	}
	sp := &SessionPersistence{}
	r.members(sessionKeys, 0, func(k int) {
		switch k {
		case 0:
			sp.Key = r.str()
		case 1:
			if mode, given := r.whole(); given && (mode < 0 || mode > 2) {
				r.fail()
			} else if given {
				sp.Mode = CookieMode(mode + 1)
			}
		case 2:
			sp.MaxIdle, sp.MaxLife = r.timer()
		}
	})
	return sp
}

// timer reads a session's Timer: whole seconds that fit a time.Duration.
func (r *fastReader) timer() (maxIdle, maxLife time.Duration) {
	if !r.object() {
		return 0, 0
	}
	var s [2]int
	r.members(timerKeys, 0, func(k int) { s[k], _ = r.whole() })
	for _, n := range s {
		if n < 0 || n > math.MaxInt64/int(time.Second) {
			r.fail()
		}
	}
	return time.Duration(s[0]) * time.Second, time.Duration(s[1]) * time.Second
}

// option reads a listener's Option, which holds its health check.
func (r *fastReader) option() (hc *HealthCheck) {
	if !r.object() {
		return nil
	}
	r.members(optionKeys, 0, func(int) { hc = r.httpchk() })
	return hc
}

func (r *fastReader) httpchk() *HealthCheck {
	if !r.object() {
		return nil
	}
	hc := &HealthCheck{}
	r.members(httpchkKeys, 0, func(k int) {
		if k == 0 {
			hc.Method = r.str()
		} else {
			hc.URI = r.str()
		}
	})
	return hc
}
