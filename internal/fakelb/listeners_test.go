package fakelb

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"
)

func httpListener(name string, port int) map[string]any {
	return map[string]any{
		"ListenerName": name, "ListenerMode": "http", "ListenerPort": port,
		"Scheduler": "roundrobin", "MaxConn": 1000, "StickySession": "off",
		"ConnectTimeout": "1000", "ConnectTimeoutUnit": "ms",
		"ClientTimeout": "30", "ClientTimeoutUnit": "s",
		"ServerTimeout": 30, "ServerTimeoutUnit": "s",
		"AclWhiteList": []any{}, "CertificateIds": []any{},
		"BackendServer": []any{map[string]any{"IP": "10.0.0.1", "Port": 8080, "Weight": "1", "MaxConn": 100}},
	}
}

func tcpListener(name string, port int) map[string]any {
	l := httpListener(name, port)
	l["ListenerMode"] = "tcp"
	delete(l, "StickySession")
	delete(l, "CertificateIds")
	return l
}

func modify(id string, httpL, tcpL []any) map[string]any {
	return map[string]any{"InstanceUuid": id, "HttpListeners": httpL, "TcpListeners": tcpL}
}

// strategys describes the listeners of an instance as raw JSON objects.
func (e *env) strategys(id string) (httpL, tcpL []map[string]any) {
	e.t.Helper()
	var data struct{ HttpListeners, TcpListeners []map[string]any }
	e.ok("DescribeLoadBalancerStrategys", map[string]string{"InstanceUuid": id}, &data)
	return data.HttpListeners, data.TcpListeners
}

func TestListenersRoundTripInDocumentSpelling(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 5*time.Second)
	id := e.create(createBody())
	e.clock.Advance(5 * time.Second)

	h := httpListener("http-test", 23425)
	h["BackendServer"] = []any{map[string]any{"IP": "66.66.0.8", "Port": "22222", "Weight": 3, "MaxConn": 2222}}
	h["AclWhiteList"] = []any{"192.168.1.2", "192.168.1.1/20"}
	h["SessionPersistence"] = map[string]any{"Key": "sid_1", "Timer": map[string]any{"MaxIdle": 60, "MaxLife": 600}}
	h["Option"] = map[string]any{"Httpchk": map[string]any{"Uri": "/health"}}
	tcp := tcpListener("tcp_test", 2342)
	tcp["EnableSourceIp"] = "on"
	res := e.ok("ModifyLoadBalancerStrategys", modify(id, []any{h}, []any{tcp}), nil)
	if res.TaskID == nil || *res.TaskID == "" || string(res.Data) != "{}" {
		t.Errorf("answer: Data %s TaskId %v", res.Data, res.TaskID)
	}
	if lb, _ := e.instance(id); lb.Status != "CHANGING" {
		t.Errorf("status after a listener change = %s, want CHANGING", lb.Status)
	}
	e.fails("AddLoadBalancerStrategys", map[string]any{"InstanceUuid": id, "HttpListeners": []any{httpListener("more", 81)}}, 409, "ResourceInUse")
	e.clock.Advance(5 * time.Second)

	httpL, tcpL := e.strategys(id)
	if len(httpL) != 1 || len(tcpL) != 1 {
		t.Fatalf("got %d http and %d tcp listeners", len(httpL), len(tcpL))
	}
	got, _ := json.Marshal(httpL[0])
	for _, want := range []string{
		`"ListenerPort":23425`, `"ConnectTimeout":"1000"`, `"ServerTimeout":"30"`, `"ServerTimeoutUnit":"s"`,
		`"StickySession":"off"`, `"CertificateIds":[]`, `"ListenerMode":"http"`,
		`"BackendServer":[{"IP":"66.66.0.8","MaxConn":2222,"Port":22222,"Weight":"3"}]`,
		`"SessionPersistence":{"Key":"sid_1","Mode":1,"Timer":{"MaxIdle":60,"MaxLife":600}}`,
		`"Option":{"Httpchk":{"Method":"GET","Uri":"/health"}}`,
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("http listener lacks %s:\n%s", want, got)
		}
	}
	if _, ok := httpL[0]["EnableSourceIp"]; ok {
		t.Error("an http listener answers EnableSourceIp")
	}
	got, _ = json.Marshal(tcpL[0])
	for _, want := range []string{`"EnableSourceIp":"on"`, `"EnableRepeaterMode":"off"`, `"ListenerMode":"tcp"`} {
		if !strings.Contains(string(got), want) {
			t.Errorf("tcp listener lacks %s:\n%s", want, got)
		}
	}
	for _, key := range []string{"StickySession", "CertificateIds", "SessionPersistence"} {
		if _, ok := tcpL[0][key]; ok {
			t.Errorf("a tcp listener answers %s", key)
		}
	}

	// Modify replaces the whole set.
	e.ok("ModifyLoadBalancerStrategys", modify(id, []any{}, []any{}), nil)
	e.clock.Advance(5 * time.Second)
	if httpL, tcpL := e.strategys(id); len(httpL)+len(tcpL) != 0 {
		t.Errorf("after replacing with empty lists: %d listeners", len(httpL)+len(tcpL))
	}
	res = e.ok("DescribeLoadBalancerStrategys", map[string]string{"InstanceUuid": id}, nil)
	if string(res.Data) != `{"HttpListeners":[],"TcpListeners":[]}` {
		t.Errorf("empty Data = %s", res.Data)
	}
}

func TestAddLoadBalancerStrategys(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	id := e.create(createBody())
	e.ok("ModifyLoadBalancerStrategys", modify(id, []any{httpListener("web", 80)}, []any{}), nil)
	e.ok("AddLoadBalancerStrategys", map[string]any{"InstanceUuid": id, "HttpListeners": []any{httpListener("api", 8080)}}, nil)
	e.ok("AddLoadBalancerStrategys", map[string]any{"InstanceUuid": id, "HttpListeners": []any{}, "TcpListeners": []any{tcpListener("db", 3306)}}, nil)
	httpL, tcpL := e.strategys(id)
	if len(httpL) != 2 || httpL[0]["ListenerName"] != "web" || httpL[1]["ListenerName"] != "api" || len(tcpL) != 1 {
		t.Fatalf("after two adds: %v / %v", httpL, tcpL)
	}
	res := e.fails("AddLoadBalancerStrategys", map[string]any{"InstanceUuid": id, "HttpListeners": []any{httpListener("web", 81)}}, 400, "InvalidParameter")
	if !strings.Contains(res.Msg, `"web"`) {
		t.Errorf("duplicate name message: %q", res.Msg)
	}
	e.fails("AddLoadBalancerStrategys", map[string]any{"InstanceUuid": id, "HttpListeners": []any{}, "TcpListeners": []any{tcpListener("other", 80)}}, 400, "InvalidParameter")
	e.ok("AddLoadBalancerStrategys", map[string]any{"InstanceUuid": id}, nil) // no list: adds nothing
	e.fails("AddLoadBalancerStrategys", map[string]any{"InstanceUuid": "nope", "HttpListeners": []any{}}, 404, "ResourceNotFound")
	if httpL, tcpL := e.strategys(id); len(httpL) != 2 || len(tcpL) != 1 {
		t.Errorf("a refused add changed the set: %d + %d", len(httpL), len(tcpL))
	}
}

func TestListenerValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	id := e.create(createBody())
	set := func(l map[string]any, key string, v any) map[string]any {
		if v == nil {
			delete(l, key)
		} else {
			l[key] = v
		}
		return l
	}
	backend := func(key string, v any) map[string]any {
		b := map[string]any{"IP": "10.0.0.1", "Port": 80, "Weight": "1", "MaxConn": 10}
		return set(httpListener("web", 80), "BackendServer", []any{set(b, key, v)})
	}
	tests := []struct {
		name     string
		httpL    map[string]any
		tcpL     map[string]any
		code     string
		mentions string
	}{
		{"no name", set(httpListener("", 80), "ListenerName", nil), nil, "ArgMissing", "ListenerName"},
		{"upper-case name", httpListener("Web", 80), nil, "InvalidParameter", "ListenerName"},
		{"name ends with _", httpListener("web_", 80), nil, "InvalidParameter", "ListenerName"},
		{"name of 51", httpListener("a"+strings.Repeat("b", 50), 80), nil, "InvalidParameter", "ListenerName"},
		{"port 0", httpListener("web", 0), nil, "InvalidParameter", "ListenerPort"},
		{"port 65536", httpListener("web", 65536), nil, "InvalidParameter", "ListenerPort"},
		{"reserved port 22", httpListener("web", 22), nil, "InvalidParameter", "ListenerPort"},
		{"reserved port 9101", nil, tcpListener("t", 9101), "InvalidParameter", "ListenerPort"},
		{"no port", set(httpListener("web", 80), "ListenerPort", nil), nil, "ArgMissing", "ListenerPort"},
		{"port not a number", set(httpListener("web", 80), "ListenerPort", "eighty"), nil, "InvalidParameter", "ListenerPort"},
		{"mode mismatch", set(httpListener("web", 80), "ListenerMode", "tcp"), nil, "InvalidParameter", "ListenerMode"},
		{"tcp mode in http list", nil, set(tcpListener("t", 80), "ListenerMode", "http"), "InvalidParameter", "ListenerMode"},
		{"bad scheduler", set(httpListener("web", 80), "Scheduler", "random"), nil, "InvalidParameter", "Scheduler"},
		{"bad unit", set(httpListener("web", 80), "ClientTimeoutUnit", "m"), nil, "InvalidParameter", "ClientTimeoutUnit"},
		{"negative timeout", set(httpListener("web", 80), "ServerTimeout", "-1"), nil, "InvalidParameter", "ServerTimeout"},
		{"no timeout", set(httpListener("web", 80), "ConnectTimeout", nil), nil, "ArgMissing", "ConnectTimeout"},
		{"no sticky", set(httpListener("web", 80), "StickySession", nil), nil, "ArgMissing", "StickySession"},
		{"bad sticky", set(httpListener("web", 80), "StickySession", "yes"), nil, "InvalidParameter", "StickySession"},
		{"bad acl", set(httpListener("web", 80), "AclWhiteList", []any{"10.0.0.256"}), nil, "InvalidParameter", "AclWhiteList[0]"},
		{"ipv6 acl", set(httpListener("web", 80), "AclWhiteList", []any{"::1"}), nil, "InvalidParameter", "AclWhiteList[0]"},
		{"unknown certificate", set(httpListener("web", 80), "CertificateIds", []any{map[string]any{"CertificateId": "nope"}}), nil, "ResourceNotFound", "CertificateIds[0]"},
		{"backend without ip", backend("IP", nil), nil, "ArgMissing", "BackendServer[0].IP"},
		{"backend port 0", backend("Port", 0), nil, "InvalidParameter", "BackendServer[0].Port"},
		{"backend weight 0", backend("Weight", "0"), nil, "InvalidParameter", "Weight"},
		{"backend weight 257", backend("Weight", 257), nil, "InvalidParameter", "Weight"},
		{"backend without maxconn", backend("MaxConn", nil), nil, "ArgMissing", "MaxConn"},
		{"cookie key with upper case", set(httpListener("web", 80), "SessionPersistence", map[string]any{"Key": "Sid"}), nil, "InvalidParameter", "SessionPersistence.Key"},
		{"cookie key of one letter", set(httpListener("web", 80), "SessionPersistence", map[string]any{"Key": "s"}), nil, "InvalidParameter", "SessionPersistence.Key"},
		{"cookie without key", set(httpListener("web", 80), "SessionPersistence", map[string]any{"Mode": 2}), nil, "ArgMissing", "SessionPersistence.Key"},
		{"cookie mode 3", set(httpListener("web", 80), "SessionPersistence", map[string]any{"Key": "sid", "Mode": 3}), nil, "InvalidParameter", "Mode"},
		{"max idle over 7200", set(httpListener("web", 80), "SessionPersistence", map[string]any{"Key": "sid", "Timer": map[string]any{"MaxIdle": 7201}}), nil, "InvalidParameter", "Timer"},
		{"max life not over max idle", set(httpListener("web", 80), "SessionPersistence", map[string]any{"Key": "sid", "Timer": map[string]any{"MaxIdle": 60, "MaxLife": 60}}), nil, "InvalidParameter", "MaxLife"},
		{"bad health check method", set(httpListener("web", 80), "Option", map[string]any{"Httpchk": map[string]any{"Method": "POST"}}), nil, "InvalidParameter", "Httpchk.Method"},
		{"repeater without source ip", nil, set(tcpListener("t", 80), "EnableRepeaterMode", "on"), "InvalidParameter", "EnableSourceIp"},
		{"bad source ip switch", nil, set(tcpListener("t", 80), "EnableSourceIp", "yes"), "InvalidParameter", "EnableSourceIp"},
		{"duplicate port across lists", httpListener("web", 80), tcpListener("t", 80), "InvalidParameter", "ListenerPort 80"},
		{"duplicate name across lists", httpListener("web", 80), tcpListener("web", 81), "InvalidParameter", "ListenerName"},
	}
	for _, tt := range tests {
		httpL, tcpL := []any{}, []any{}
		if tt.httpL != nil {
			httpL = append(httpL, tt.httpL)
		}
		if tt.tcpL != nil {
			tcpL = append(tcpL, tt.tcpL)
		}
		res := e.call("ModifyLoadBalancerStrategys", modify(id, httpL, tcpL))
		if res.Code != tt.code || !strings.Contains(res.Msg, tt.mentions) {
			t.Errorf("%s: got %d %s %q, want %s mentioning %q", tt.name, res.status, res.Code, res.Msg, tt.code, tt.mentions)
		}
	}
	if httpL, tcpL := e.strategys(id); len(httpL)+len(tcpL) != 0 {
		t.Errorf("refused changes stored %d listeners", len(httpL)+len(tcpL))
	}
	if lb, _ := e.instance(id); lb.Status != "RUNNING" {
		t.Errorf("refused changes left the instance %s", lb.Status)
	}
}

func TestListenerLeniency(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	id := e.create(createBody())
	h := httpListener("a", 65535)
	h["BackendServer"] = []any{}
	h["MaxConn"] = 0
	tcp := tcpListener("t", 1)
	tcp["EnableSourceIp"], tcp["EnableRepeaterMode"] = "on", "on"
	e.ok("ModifyLoadBalancerStrategys", modify(id, []any{h}, []any{tcp}), nil)
	res := e.ok("DescribeLoadBalancerStrategys", map[string]string{"InstanceUuid": id}, nil)
	if !strings.Contains(string(res.Data), `"BackendServer":null`) {
		t.Errorf("an empty backend list is answered as the document's null: %s", res.Data)
	}
	e.ok("ModifyLoadBalancerStrategys", map[string]any{"InstanceUuid": id, "HttpListeners": []any{}}, nil) // TcpListeners absent: none
	if httpL, tcpL := e.strategys(id); len(httpL)+len(tcpL) != 0 {
		t.Errorf("an empty set left %d listeners", len(httpL)+len(tcpL))
	}
}

func TestDescribeLBInstanceListeners(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	id := e.create(createBody())
	res := e.ok("DescribeLBInstanceListeners", map[string]any{"InstanceUuid": id}, nil)
	if string(res.Data) != "[]" {
		t.Errorf("no listeners: Data = %s", res.Data)
	}
	empty := httpListener("empty", 81)
	empty["BackendServer"] = []any{}
	e.ok("ModifyLoadBalancerStrategys", modify(id, []any{httpListener("web", 80), empty}, []any{tcpListener("db", 3306)}), nil)
	res = e.ok("DescribeLBInstanceListeners", map[string]any{"InstanceUuid": id}, nil)
	want := `[{"ListenerName":"web","ListenerMode":"http","BackendNames":[{"BackendName":"web_10.0.0.1_8080","DisplayName":"10.0.0.1:8080"}]},` +
		`{"ListenerName":"empty","ListenerMode":"http","BackendNames":null},` +
		`{"ListenerName":"db","ListenerMode":"tcp","BackendNames":null}]`
	if string(res.Data) != want {
		t.Errorf("Data =\n%s\nwant\n%s", res.Data, want)
	}
	e.fails("DescribeLBInstanceListeners", map[string]any{}, 400, "ArgMissing")
	e.fails("DescribeLBInstanceListeners", map[string]any{"InstanceUuid": "nope"}, 404, "ResourceNotFound")
}

// DescribeLBInstanceListeners is served at Config.ListenersPath alone; the
// other base path answers 404 UnsupportedOperation.
func TestListenersPath(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ config, serves, other string }{
		{"", "/lb/", "/paas/monitor/"},
		{"/lb", "/lb", "/paas/monitor"},
		{"/paas/monitor", "/paas/monitor/", "/lb/"},
	} {
		c := &clock{t: t0}
		e := &env{t: t, srv: New(Config{AccessKeyID: testKeyID, AccessKeySecret: testSecret, Now: c.Now, ListenersPath: tt.config}), clock: c}
		e.ts = newTestServer(t, e.srv)
		id := e.create(createBody())
		body := []byte(`{"InstanceUuid":"` + id + `"}`)
		send := func(path string) result {
			return e.send("POST", path, signQuery("POST", "DescribeLBInstanceListeners", testKeyID, testSecret, t0, nextNonce(), nil), body)
		}
		if res := send(tt.serves); res.status != 200 || string(res.Data) != "[]" {
			t.Errorf("ListenersPath %q, at %s: %d %s %s, want 200 and []", tt.config, tt.serves, res.status, res.Code, res.Data)
		}
		if res := send(tt.other); res.status != 404 || res.Code != "UnsupportedOperation" {
			t.Errorf("ListenersPath %q, at %s: %d %s, want 404 UnsupportedOperation", tt.config, tt.other, res.status, res.Code)
		}
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "/monitor") {
			t.Errorf("New with ListenersPath /monitor: panic %v, want one naming it", r)
		}
	}()
	New(Config{AccessKeyID: testKeyID, AccessKeySecret: testSecret, ListenersPath: "/monitor"})
}

// The name rules are the patterns the document states, written out so
// that nothing is compiled at package initialisation: they agree with the
// patterns on every string of up to 3 bytes over a small alphabet, and on
// longer random ones.
func TestNameRulesMatchTheirPatterns(t *testing.T) {
	t.Parallel()
	listenerName := regexp.MustCompile(`^[a-z]([a-z0-9_-]{0,48}[a-z0-9])?$`)
	cookieKey := regexp.MustCompile(`^[a-z][a-z0-9_]{0,13}[a-z0-9]$`)
	const alphabet = "az09_-A.é"
	check := func(s string) {
		if got, want := isListenerName(s), listenerName.MatchString(s); got != want {
			t.Errorf("isListenerName(%q) = %v, want %v", s, got, want)
		}
		if got, want := isCookieKey(s), cookieKey.MatchString(s); got != want {
			t.Errorf("isCookieKey(%q) = %v, want %v", s, got, want)
		}
	}
	var all func(prefix string, n int)
	all = func(prefix string, n int) {
		check(prefix)
		if n > 0 {
			for i := 0; i < len(alphabet); i++ {
				all(prefix+alphabet[i:i+1], n-1)
			}
		}
	}
	all("", 3)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, rng.IntN(54))
		for i := range b {
			b[i] = "abcz0189_-"[rng.IntN(10)]
		}
		if len(b) > 0 && rng.IntN(4) > 0 {
			b[0] = 'a' + byte(rng.IntN(26))
		}
		check(string(b))
	}
}
