package fakelb

import (
	"net/http"
	"strings"
	"testing"
)

// The vendor's own clients send some requests otherwise than the
// document's letter, and the service evidently takes them: these tests
// hold the fake to taking them too (see the package doc), and to staying
// strict where the document and those clients agree.

// TestPostWithoutContentTypeIsTaken: the vendor's Go SDK builds a header
// map and never applies it, so its POSTs carry a JSON body and no
// Content-Type.
func TestPostWithoutContentTypeIsTaken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	req := e.newRequest("CreateLoadBalancer", createBody())
	req.Header.Del("Content-Type")
	res := e.do(req)
	if res.status != http.StatusOK || res.Code != "Success" {
		t.Fatalf("a JSON POST without Content-Type: %d %s %q, want 200 Success", res.status, res.Code, res.Msg)
	}
	var list []loadBalancer
	e.ok("DescribeLoadBalancers", nil, &list)
	if len(list) != 1 || list[0].InstanceName != "test-haproxy" {
		t.Errorf("the body was not read: %+v", list)
	}
	// A Content-Type that says the body is something else is still refused.
	req = e.newRequest("CreateLoadBalancer", createBody())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res := e.do(req); res.status != http.StatusBadRequest || res.Code != "InvalidParameter" {
		t.Errorf("a form Content-Type: %d %s, want 400 InvalidParameter", res.status, res.Code)
	}
}

// TestAbsentOrNullListsAreEmpty: the Terraform-shaped listener changes.
// The vendor's SDK leaves an empty list out (omitempty) and sends an unset
// ACL as null; each is taken as an empty list and read back as sent.
func TestAbsentOrNullListsAreEmpty(t *testing.T) {
	t.Parallel()
	without := func(l map[string]any, keys ...string) map[string]any {
		for _, k := range keys {
			delete(l, k)
		}
		return l
	}
	with := func(l map[string]any, key string, v any) map[string]any { l[key] = v; return l }
	for _, tt := range []struct {
		name string
		body func(id string) map[string]any
		// want is the listeners read back: name, then how many ACL
		// entries, backends and certificates each has.
		wantHTTP, wantTCP []string
	}{
		{"HTTP only, TcpListeners absent", func(id string) map[string]any {
			return map[string]any{"InstanceUuid": id, "HttpListeners": []any{httpListener("web", 80)}}
		}, []string{"web 0 1 0"}, nil},
		{"TCP only, HttpListeners absent", func(id string) map[string]any {
			return map[string]any{"InstanceUuid": id, "TcpListeners": []any{tcpListener("db", 3306)}}
		}, nil, []string{"db 0 1 -"}},
		{"both lists null", func(id string) map[string]any {
			return map[string]any{"InstanceUuid": id, "HttpListeners": nil, "TcpListeners": nil}
		}, nil, nil},
		{"both lists absent", func(id string) map[string]any {
			return map[string]any{"InstanceUuid": id}
		}, nil, nil},
		{"no certificate: CertificateIds absent", func(id string) map[string]any {
			return modify(id, []any{without(httpListener("web", 80), "CertificateIds")}, nil)
		}, []string{"web 0 1 0"}, nil},
		{"no backend: BackendServer absent", func(id string) map[string]any {
			return modify(id, []any{without(httpListener("web", 80), "BackendServer")}, []any{without(tcpListener("db", 3306), "BackendServer")})
		}, []string{"web 0 0 0"}, []string{"db 0 0 -"}},
		{"ACL null", func(id string) map[string]any {
			return modify(id, []any{with(httpListener("web", 80), "AclWhiteList", nil)}, []any{with(tcpListener("db", 3306), "AclWhiteList", nil)})
		}, []string{"web 0 1 0"}, []string{"db 0 1 -"}},
		{"every list of a listener absent", func(id string) map[string]any {
			return modify(id, []any{without(httpListener("web", 80), "AclWhiteList", "BackendServer", "CertificateIds")}, nil)
		}, []string{"web 0 0 0"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, 0)
			id := e.create(createBody())
			// a listener set to replace, so that an empty answer means "replaced"
			e.ok("ModifyLoadBalancerStrategys", modify(id, []any{httpListener("old", 81)}, []any{tcpListener("oldtcp", 82)}), nil)
			e.ok("ModifyLoadBalancerStrategys", tt.body(id), nil)
			h, tcp := e.strategys(id)
			if got := summarize(t, h); strings.Join(got, ",") != strings.Join(tt.wantHTTP, ",") {
				t.Errorf("HTTP listeners read back %v, want %v", got, tt.wantHTTP)
			}
			if got := summarize(t, tcp); strings.Join(got, ",") != strings.Join(tt.wantTCP, ",") {
				t.Errorf("TCP listeners read back %v, want %v", got, tt.wantTCP)
			}
		})
	}
}

// summarize describes listeners read back as "name acl backends certs",
// with "-" for a list that is not in the answer at all; an empty list
// may be answered as [] or null (the document shows null backends).
func summarize(t *testing.T, ls []map[string]any) []string {
	t.Helper()
	var out []string
	for _, l := range ls {
		s := l["ListenerName"].(string)
		for _, k := range []string{"AclWhiteList", "BackendServer", "CertificateIds"} {
			v, ok := l[k]
			switch list, isList := v.([]any); {
			case !ok:
				s += " -"
			case v == nil:
				s += " 0"
			case isList:
				s += " " + string(rune('0'+len(list)))
			default:
				t.Errorf("%s.%s is %v, not a list", l["ListenerName"], k, v)
			}
		}
		out = append(out, s)
	}
	return out
}

// TestAddWithAbsentListIsTaken: AddLoadBalancerStrategys with only TCP
// listeners, as the SDK sends it with no HTTP listener.
func TestAddWithAbsentListIsTaken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	id := e.create(createBody())
	e.ok("AddLoadBalancerStrategys", map[string]any{"InstanceUuid": id, "TcpListeners": []any{tcpListener("db", 3306)}}, nil)
	if _, tcp := e.strategys(id); len(tcp) != 1 {
		t.Errorf("TCP listeners after Add: %v", tcp)
	}
}

// TestRepeatedGetParameterCountsOnce: the document's Python helper
// invoke_cdsapi sends each GET parameter twice, in the signed URL and
// again as params=. A pair repeated with the identical value counts once,
// for the signature and for the action.
func TestRepeatedGetParameterCountsOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	id := e.create(createBody())
	e.create(createBody())
	q := signQuery("GET", "DescribeLoadBalancers", testKeyID, testSecret, t0, nextNonce(), map[string]string{"InstanceUuid": id})
	res := e.send("GET", "/lb/", q+"&"+q, nil) // every pair twice, the Signature too
	if res.status != http.StatusOK || res.Code != "Success" {
		t.Fatalf("every pair sent twice: %d %s %q, want 200 Success", res.status, res.Code, res.Msg)
	}
	if !strings.Contains(string(res.Data), id) || strings.Count(string(res.Data), `"InstanceUuid"`) != 1 {
		t.Errorf("the InstanceUuid filter was not applied once: %s", res.Data)
	}
	// The action's own parameters again after the signed URL, as
	// requests.get(url, params=param) appends them.
	q = signQuery("GET", "DescribeLoadBalancers", testKeyID, testSecret, t0, nextNonce(), map[string]string{"InstanceUuid": id})
	if res := e.send("GET", "/lb/", q+"&InstanceUuid="+id, nil); res.Code != "Success" {
		t.Errorf("the action's parameter again: %d %s %q", res.status, res.Code, res.Msg)
	}
	// Two different values are two parameters: signed as both, and the
	// signature made over one of them does not match.
	q = signQuery("GET", "DescribeLoadBalancers", testKeyID, testSecret, t0, nextNonce(), map[string]string{"InstanceUuid": id})
	if res := e.send("GET", "/lb/", q+"&InstanceUuid=other", nil); res.Code != "SignatureDoesNotMatch" {
		t.Errorf("a second, different value: %d %s, want SignatureDoesNotMatch", res.status, res.Code)
	}
}

// TestIntegersAreNumbers: where the document's table and the vendor's
// clients agree that a field is an int, a string is refused.
func TestIntegersAreNumbers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	for _, field := range []string{"PaasGoodsId", "Amount", "SubjectId"} {
		body := createBody()
		body[field] = "5078"
		if field != "PaasGoodsId" {
			body[field] = "1"
		}
		res := e.fails("CreateLoadBalancer", body, http.StatusBadRequest, "InvalidParameter")
		if !strings.Contains(res.Msg, field) {
			t.Errorf("%s as a string: message %q does not name it", field, res.Msg)
		}
	}
	id := e.create(createBody())
	e.fails("ModifyLoadBalancerInstanceSpec", map[string]any{"InstanceUuid": id, "PaasGoodsId": "5075"}, http.StatusBadRequest, "InvalidParameter")
	for _, field := range []string{"ListenerPort", "MaxConn"} {
		l := httpListener("web", 80)
		l[field] = "80"
		e.fails("ModifyLoadBalancerStrategys", modify(id, []any{l}, nil), http.StatusBadRequest, "InvalidParameter")
	}
	// Where the document disagrees with itself, both spellings stay
	// taken: a backend's Port (string in the table, number in the
	// examples), its Weight (string) and the timeouts (int in the table,
	// strings in the examples).
	l := httpListener("web", 80)
	l["BackendServer"] = []any{map[string]any{"IP": "10.0.0.1", "Port": "8080", "Weight": 1, "MaxConn": 100}}
	l["ClientTimeout"], l["ServerTimeout"] = 30, "30"
	e.ok("ModifyLoadBalancerStrategys", modify(id, []any{l}, nil), nil)
}
