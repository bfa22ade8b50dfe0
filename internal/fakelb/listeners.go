package fakelb

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// listener is one listening policy, as the wire spells it both ways: the
// fake decodes requests into it (accepting numbers or numeric strings) and
// answers with it (timeouts and weights as strings, as the document does).
// Pointers tell a missing field from a zero one.
type listener struct {
	AclWhiteList       *[]string           `json:"AclWhiteList"`
	BackendServer      *[]backend          `json:"BackendServer"` // answered as null when empty
	CertificateIds     *[]certRef          `json:"CertificateIds,omitempty"`
	ClientTimeout      *flexString         `json:"ClientTimeout"`
	ClientTimeoutUnit  string              `json:"ClientTimeoutUnit"`
	ConnectTimeout     *flexString         `json:"ConnectTimeout"`
	ConnectTimeoutUnit string              `json:"ConnectTimeoutUnit"`
	EnableRepeaterMode string              `json:"EnableRepeaterMode,omitempty"`
	EnableSourceIp     string              `json:"EnableSourceIp,omitempty"`
	ListenerMode       string              `json:"ListenerMode"`
	ListenerName       string              `json:"ListenerName"`
	ListenerPort       *number             `json:"ListenerPort"`
	MaxConn            *number             `json:"MaxConn"`
	Option             *option             `json:"Option,omitempty"`
	Scheduler          string              `json:"Scheduler"`
	ServerTimeout      *flexString         `json:"ServerTimeout"`
	ServerTimeoutUnit  string              `json:"ServerTimeoutUnit"`
	SessionPersistence *sessionPersistence `json:"SessionPersistence,omitempty"`
	StickySession      string              `json:"StickySession,omitempty"`
}

type backend struct {
	IP      string      `json:"IP"`
	MaxConn *number     `json:"MaxConn"`
	Port    *flexInt    `json:"Port"` // string in the document's table, number in its examples
	Weight  *flexString `json:"Weight"`
}

type certRef struct {
	CertificateId   string `json:"CertificateId"`
	CertificateName string `json:"CertificateName"`
}

type sessionPersistence struct {
	Key   string   `json:"Key"`
	Mode  *flexInt `json:"Mode"`
	Timer *struct {
		MaxIdle flexInt `json:"MaxIdle"`
		MaxLife flexInt `json:"MaxLife"`
	} `json:"Timer,omitempty"`
}

type option struct {
	Httpchk *struct {
		Method string `json:"Method"`
		Uri    string `json:"Uri"`
	} `json:"Httpchk,omitempty"`
}

var (
	reservedPorts = []int{22, 1080, 9100, 9101}
	schedulers    = []string{"roundrobin", "leastconn", "static-rr", "source"}
	onOff         = []string{"on", "off"}
)

// isListenerName applies the newer edition's rule, plus '-', which the
// document's own examples use ("http-test"): 1-50 bytes of a-z, 0-9, '_'
// and '-', starting with a letter and ending with a letter or digit.
func isListenerName(s string) bool {
	return isName(s, 1, 50, "_-")
}

// isCookieKey applies the rule of SessionPersistence.Key: 2-15 bytes of
// a-z, 0-9 and '_', starting with a letter and ending with a letter or
// digit.
func isCookieKey(s string) bool {
	return isName(s, 2, 15, "_")
}

// isName reports whether s has minLen to maxLen bytes of lower-case
// letters, digits and the bytes of extra, starts with a letter and ends
// with a letter or digit.
func isName(s string, minLen, maxLen int, extra string) bool {
	if len(s) < minLen || len(s) > maxLen || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
		if !alnum && (i == len(s)-1 || strings.IndexByte(extra, c) < 0) {
			return false
		}
	}
	return true
}

// checkListener validates one listener of the given mode ("http" or "tcp"),
// fills defaults and drops the fields of the other mode. at names it in
// messages, e.g. "HttpListeners[0]".
func (s *Server) checkListener(mode, at string, l *listener) error {
	field := func(name string) string { return at + "." + name }
	if l.ListenerName == "" {
		return argMissing(field("ListenerName"))
	}
	if !isListenerName(l.ListenerName) {
		return invalidf("%s must be 1-50 lower-case letters, digits, '_' or '-', start with a letter and end with a letter or digit", field("ListenerName"))
	}
	if l.ListenerMode == "" {
		return argMissing(field("ListenerMode"))
	}
	if l.ListenerMode != mode {
		return invalidf("%s must be %q in this list", field("ListenerMode"), mode)
	}
	if err := checkPort(field("ListenerPort"), (*flexInt)(l.ListenerPort)); err != nil {
		return err
	}
	if slices.Contains(reservedPorts, int(*l.ListenerPort)) {
		return invalidf("%s %d is reserved (22, 1080, 9100 and 9101 are)", field("ListenerPort"), *l.ListenerPort)
	}
	if err := oneOf(field("Scheduler"), l.Scheduler, schedulers); err != nil {
		return err
	}
	if err := nonNegative(field("MaxConn"), (*flexInt)(l.MaxConn)); err != nil {
		return err
	}
	for _, t := range []struct {
		name  string
		value *flexString
		unit  string
	}{{"ConnectTimeout", l.ConnectTimeout, l.ConnectTimeoutUnit}, {"ClientTimeout", l.ClientTimeout, l.ClientTimeoutUnit}, {"ServerTimeout", l.ServerTimeout, l.ServerTimeoutUnit}} {
		if err := nonNegative(field(t.name), (*flexInt)(t.value)); err != nil {
			return err
		}
		if err := oneOf(field(t.name+"Unit"), t.unit, []string{"ms", "s"}); err != nil {
			return err
		}
	}
	if l.AclWhiteList == nil { // absent or null: the vendor's SDK sends an unset ACL as null
		l.AclWhiteList = &[]string{}
	}
	for i, a := range *l.AclWhiteList {
		if !isIPv4OrCIDR(a) {
			return invalidf("%s[%d] must be an IPv4 address or CIDR block", field("AclWhiteList"), i)
		}
	}
	for i := range l.backends() { // absent, null and [] are no backend
		if err := checkBackend(fmt.Sprintf("%s[%d]", field("BackendServer"), i), &(*l.BackendServer)[i]); err != nil {
			return err
		}
	}
	if len(l.backends()) == 0 {
		l.BackendServer = nil // the document's answers show null lists
	}
	if mode == "http" {
		l.EnableSourceIp, l.EnableRepeaterMode = "", ""
		return s.checkHTTP(field, l)
	}
	l.StickySession, l.CertificateIds, l.SessionPersistence, l.Option = "", nil, nil, nil
	return checkTCP(field, l)
}

func (s *Server) checkHTTP(field func(string) string, l *listener) error {
	if err := oneOf(field("StickySession"), l.StickySession, onOff); err != nil {
		return err
	}
	if l.CertificateIds == nil { // absent or null: the vendor's SDK leaves an empty list out
		l.CertificateIds = &[]certRef{}
	}
	for i := range *l.CertificateIds {
		ref := &(*l.CertificateIds)[i]
		at := fmt.Sprintf("%s[%d].CertificateId", field("CertificateIds"), i)
		if ref.CertificateId == "" {
			return argMissing(at)
		}
		c, ok := s.certs[ref.CertificateId]
		if !ok {
			return notFoundf("%s %q does not exist", at, ref.CertificateId)
		}
		ref.CertificateName = c.name
	}
	if sp := l.SessionPersistence; sp != nil {
		at := field("SessionPersistence")
		if sp.Key == "" {
			return argMissing(at + ".Key")
		}
		if !isCookieKey(sp.Key) {
			return invalidf("%s.Key must be 2-15 lower-case letters, digits or '_', start with a letter and end with a letter or digit", at)
		}
		if sp.Mode == nil {
			sp.Mode = new(flexInt(1))
		}
		if *sp.Mode < 0 || *sp.Mode > 2 {
			return invalidf("%s.Mode must be 0, 1 or 2", at)
		}
		if t := sp.Timer; t != nil {
			if t.MaxIdle < 0 || t.MaxIdle > 7200 || t.MaxLife < 0 || t.MaxLife > 7200 {
				return invalidf("%s.Timer.MaxIdle and MaxLife must be 0 to 7200 seconds", at)
			}
			if t.MaxIdle > 0 && t.MaxLife > 0 && t.MaxLife <= t.MaxIdle {
				return invalidf("%s.Timer.MaxLife must be greater than MaxIdle", at)
			}
		}
	}
	if l.Option != nil && l.Option.Httpchk != nil {
		hc := l.Option.Httpchk
		if hc.Method == "" {
			hc.Method = "GET"
		}
		if err := oneOf(field("Option.Httpchk.Method"), hc.Method, []string{"GET", "HEAD", "OPTIONS"}); err != nil {
			return err
		}
	}
	return nil
}

func checkTCP(field func(string) string, l *listener) error {
	for _, sw := range []struct {
		name  string
		value *string
	}{{"EnableSourceIp", &l.EnableSourceIp}, {"EnableRepeaterMode", &l.EnableRepeaterMode}} {
		if *sw.value == "" {
			*sw.value = "off"
		}
		if err := oneOf(field(sw.name), *sw.value, onOff); err != nil {
			return err
		}
	}
	if l.EnableRepeaterMode == "on" && l.EnableSourceIp != "on" {
		return invalidf("%s needs %s \"on\"", field("EnableRepeaterMode"), field("EnableSourceIp"))
	}
	return nil
}

func checkBackend(at string, b *backend) error {
	if b.IP == "" {
		return argMissing(at + ".IP")
	}
	if err := checkPort(at+".Port", b.Port); err != nil {
		return err
	}
	if b.Weight == nil {
		return argMissing(at + ".Weight")
	}
	if *b.Weight < 1 || *b.Weight > 256 {
		return invalidf("%s.Weight must be \"1\" to \"256\"", at)
	}
	return nonNegative(at+".MaxConn", (*flexInt)(b.MaxConn))
}

func checkPort(name string, p *flexInt) error {
	if p == nil {
		return argMissing(name)
	}
	if *p < 1 || *p > 65535 {
		return invalidf("%s must be 1 to 65535, not %d", name, *p)
	}
	return nil
}

func nonNegative(name string, n *flexInt) error {
	if n == nil {
		return argMissing(name)
	}
	if *n < 0 {
		return invalidf("%s must not be negative", name)
	}
	return nil
}

func oneOf(name, v string, allowed []string) error {
	if v == "" {
		return argMissing(name)
	}
	if !slices.Contains(allowed, v) {
		return invalidf("%s must be one of %v", name, allowed)
	}
	return nil
}

func isIPv4OrCIDR(s string) bool {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Is4()
	}
	p, err := netip.ParsePrefix(s)
	return err == nil && p.Addr().Is4()
}

// checkUnique refuses two listeners of an instance with the same name, port
// or session cookie key.
func checkUnique(all []*listener) error {
	names, ports, keys := map[string]bool{}, map[number]bool{}, map[string]bool{}
	for _, l := range all {
		if names[l.ListenerName] {
			return invalidf("ListenerName %q is used twice in the instance", l.ListenerName)
		}
		if ports[*l.ListenerPort] {
			return invalidf("ListenerPort %d is used twice in the instance", *l.ListenerPort)
		}
		names[l.ListenerName], ports[*l.ListenerPort] = true, true
		if sp := l.SessionPersistence; sp != nil {
			if keys[sp.Key] {
				return invalidf("SessionPersistence.Key %q is used twice in the instance", sp.Key)
			}
			keys[sp.Key] = true
		}
	}
	return nil
}

// readListeners decodes and checks the HttpListeners and TcpListeners of a
// request. A list that is absent or null is empty: the vendor's SDK leaves
// an empty list out, so a change with HTTP listeners only has no
// TcpListeners key, and one that removes every listener has neither.
func (s *Server) readListeners(r *request) (httpL, tcpL []*listener, err error) {
	for _, l := range []struct {
		name, mode string
		dst        *[]*listener
	}{{"HttpListeners", "http", &httpL}, {"TcpListeners", "tcp", &tcpL}} {
		if _, err := r.decode(l.name, l.dst); err != nil {
			return nil, nil, err
		}
		for i, x := range *l.dst {
			if x == nil {
				return nil, nil, invalidf("%s[%d] must be an object", l.name, i)
			}
			if err := s.checkListener(l.mode, fmt.Sprintf("%s[%d]", l.name, i), x); err != nil {
				return nil, nil, err
			}
		}
	}
	return httpL, tcpL, nil
}

func (s *Server) describeStrategys(r *request) (reply, error) {
	in, err := s.findInstance(r)
	if err != nil {
		return reply{}, err
	}
	return reply{data: map[string][]*listener{
		"HttpListeners": nonNil(in.http),
		"TcpListeners":  nonNil(in.tcp),
	}}, nil
}

func nonNil(l []*listener) []*listener {
	if l == nil {
		return []*listener{}
	}
	return l
}

// modifyStrategys replaces the whole listener set of an instance.
func (s *Server) modifyStrategys(r *request) (reply, error) {
	return s.changeListeners(r, func(in *instance, h, t []*listener) ([]*listener, []*listener) {
		return h, t
	})
}

// addStrategys appends listeners; a name or port that exists is refused.
func (s *Server) addStrategys(r *request) (reply, error) {
	return s.changeListeners(r, func(in *instance, h, t []*listener) ([]*listener, []*listener) {
		return append(slices.Clip(in.http), h...), append(slices.Clip(in.tcp), t...)
	})
}

// changeListeners is the shared path of Modify and Add: check, combine,
// check uniqueness, store, and keep the instance CHANGING for the delay.
// A listener change drops any custom haproxy.cfg: the config is regenerated.
func (s *Server) changeListeners(r *request, combine func(*instance, []*listener, []*listener) ([]*listener, []*listener)) (reply, error) {
	in, err := s.idleInstance(r)
	if err != nil {
		return reply{}, err
	}
	h, t, err := s.readListeners(r)
	if err != nil {
		return reply{}, err
	}
	h, t = combine(in, h, t)
	if err := checkUnique(append(slices.Clip(h), t...)); err != nil {
		return reply{}, err
	}
	in.http, in.tcp, in.customConfig = h, t, ""
	return reply{taskID: s.startTask(in, statusChanging, r)}, nil
}

// describeListeners answers DescribeLBInstanceListeners: one summary per
// listener; only HTTP listeners with backends have BackendNames.
func (s *Server) describeListeners(r *request) (reply, error) {
	in, err := s.findInstance(r)
	if err != nil {
		return reply{}, err
	}
	type backendName struct{ BackendName, DisplayName string }
	type summary struct {
		ListenerName string
		ListenerMode string
		BackendNames []backendName
	}
	list := []summary{}
	for _, l := range in.http {
		sum := summary{ListenerName: l.ListenerName, ListenerMode: "http"}
		for _, b := range l.backends() {
			sum.BackendNames = append(sum.BackendNames, backendName{
				BackendName: backendID(l, b),
				DisplayName: fmt.Sprintf("%s:%d", b.IP, *b.Port),
			})
		}
		list = append(list, sum)
	}
	for _, l := range in.tcp {
		list = append(list, summary{ListenerName: l.ListenerName, ListenerMode: "tcp"})
	}
	return reply{data: list}, nil
}

func (l *listener) backends() []backend {
	if l.BackendServer == nil {
		return nil
	}
	return *l.BackendServer
}

func backendID(l *listener, b backend) string {
	return fmt.Sprintf("%s_%s_%d", l.ListenerName, b.IP, *b.Port)
}

// usesCertificate reports whether any listener of any instance binds the
// certificate.
func (s *Server) usesCertificate(id string) bool {
	for _, in := range s.instances {
		for _, l := range in.http {
			if l.CertificateIds == nil {
				continue
			}
			for _, c := range *l.CertificateIds {
				if c.CertificateId == id {
					return true
				}
			}
		}
	}
	return false
}
