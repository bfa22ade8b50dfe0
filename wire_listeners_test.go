package cdslb

import (
	"encoding/json"
	"fmt"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ---- Helpers shared by the action tests (*_test.go of each resource) ----

// commonParams are the query parameters every signed request carries,
// Signature aside (api/signing.md).
var commonParams = []string{"AccessKeyId", "Action", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp", "Version"}

// cst is China Standard Time, the API's default zone.
var cst = time.FixedZone("UTC+8", 8*60*60)

// assertCommonParams checks the values of the common parameters.
func assertCommonParams(t *testing.T, r stubRequest, action string) {
	t.Helper()
	q := r.Query
	assert.Equal(t, action, q.Get("Action"))
	assert.Equal(t, testKeyID, q.Get("AccessKeyId"))
	assert.Equal(t, "HMAC-SHA1", q.Get("SignatureMethod"))
	assert.Equal(t, "1.0", q.Get("SignatureVersion"))
	assert.Equal(t, "2019-08-08", q.Get("Version"))
	assert.NotEmpty(t, q.Get("SignatureNonce"))
	_, err := time.Parse("2006-01-02T15:04:05Z", q.Get("Timestamp"))
	assert.NoError(t, err, "Timestamp is UTC in yyyy-MM-ddTHH:mm:ssZ")
}

// postBody checks a POST request to path ("/lb/" or "/paas/monitor/"):
// only the common parameters in the signed query, a JSON body with
// Content-Type application/json. It returns the body decoded, so tests can
// check wire names and JSON types (numbers are float64).
func postBody(t *testing.T, r stubRequest, path, action string) map[string]any {
	t.Helper()
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, path, r.Path)
	assertCommonParams(t, r, action)
	assert.ElementsMatch(t, commonParams, slices.Collect(maps.Keys(r.Query)), "a POST signs only the common parameters")
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	var body map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &body), "body: %s", r.Body)
	return body
}

// object and list assert a decoded JSON value's type and return it.
func object(t *testing.T, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	require.True(t, ok, "want a JSON object, got %T %v", v, v)
	return m
}

func jsonList(t *testing.T, v any) []any {
	t.Helper()
	l, ok := v.([]any)
	require.True(t, ok, "want a JSON list (not null or absent), got %T %v", v, v)
	return l
}

// assertTime checks that got is the instant want, read in want's zone.
func assertTime(t *testing.T, want, got time.Time) {
	t.Helper()
	assert.True(t, want.Equal(got), "got %v, want %v", got, want)
	_, wantOff := want.Zone()
	_, gotOff := got.Zone()
	assert.Equal(t, wantOff, gotOff, "the zone offset of %v", got)
}

// ---- Listener wire forms ----

func fullHTTPListener(mode CookieMode) HTTPListener {
	return HTTPListener{
		ListenerName:   "web_443",
		ListenerPort:   443,
		Scheduler:      SchedulerStaticRR,
		MaxConn:        50000,
		ConnectTimeout: 1500 * time.Millisecond,
		ClientTimeout:  30 * time.Second,
		ServerTimeout:  0,
		StickySession:  true,
		ACLWhiteList:   []string{"192.168.1.2", "10.0.0.0/8"},
		Certificates:   []CertificateRef{{CertificateID: "cert-1", CertificateName: "main"}},
		BackendServers: []BackendServer{
			{IP: "66.66.0.8", Port: 8080, Weight: 1, MaxConn: 2000},
			{IP: "app.example.com", Port: 8081, Weight: 256, MaxConn: 0},
		},
		SessionPersistence: &SessionPersistence{Key: "srv_id", Mode: mode, MaxIdle: 30 * time.Second, MaxLife: 2 * time.Hour},
		HealthCheck:        &HealthCheck{Method: "HEAD", URI: "/healthz"},
	}
}

func TestHTTPListenerRoundTrip(t *testing.T) {
	t.Parallel()
	for _, mode := range []CookieMode{CookieModeDefault, CookieModeCacheable, CookieModeVisible, CookieModeTransparent} {
		in := fullHTTPListener(mode)
		b, err := toWire(in)
		require.NoError(t, err)
		var out HTTPListener
		require.NoError(t, fromWire(b, &out))
		assert.Equal(t, in, out, "mode %d, wire %s", mode, b)
	}
	// Without the newer fields, the round trip keeps them nil.
	in := fullHTTPListener(CookieModeDefault)
	in.SessionPersistence, in.HealthCheck, in.StickySession = nil, nil, false
	b, err := toWire(in)
	require.NoError(t, err)
	var out HTTPListener
	require.NoError(t, fromWire(b, &out))
	assert.Equal(t, in, out)
}

func TestTCPListenerRoundTrip(t *testing.T) {
	t.Parallel()
	for _, flags := range [][2]bool{{false, false}, {true, false}, {true, true}} {
		in := TCPListener{
			ListenerName: "tcp_db", ListenerPort: 3306, Scheduler: SchedulerSource, MaxConn: 233,
			ConnectTimeout: 22 * time.Second, ClientTimeout: 10 * time.Second, ServerTimeout: 777 * time.Millisecond,
			ACLWhiteList:   []string{"192.168.1.1"},
			BackendServers: []BackendServer{{IP: "164.52.35.242", Port: 909, Weight: 10, MaxConn: 2000}},
			EnableSourceIP: flags[0], EnableRepeaterMode: flags[1],
		}
		b, err := toWire(in)
		require.NoError(t, err)
		var out TCPListener
		require.NoError(t, fromWire(b, &out))
		assert.Equal(t, in, out, "wire %s", b)
	}
}

// The newer fields' wire form: Mode is 0/1/2 and absent for the default,
// Timer in seconds, Option.Httpchk, and absent when unset.
func TestHTTPListenerNewerFieldsOnTheWire(t *testing.T) {
	t.Parallel()
	wireMode := map[CookieMode]any{CookieModeDefault: nil, CookieModeCacheable: 0.0, CookieModeVisible: 1.0, CookieModeTransparent: 2.0}
	for mode, want := range wireMode {
		l := fullHTTPListener(mode)
		b, err := toWire(l)
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		sp := object(t, m["SessionPersistence"])
		assert.Equal(t, "srv_id", sp["Key"])
		got, present := sp["Mode"]
		if want == nil {
			assert.False(t, present, "CookieModeDefault is not sent")
		} else {
			assert.Equal(t, want, got, "mode %d", mode)
		}
		assert.Equal(t, map[string]any{"MaxIdle": 30.0, "MaxLife": 7200.0}, sp["Timer"], "seconds, as numbers")
		assert.Equal(t, map[string]any{"Httpchk": map[string]any{"Method": "HEAD", "Uri": "/healthz"}}, m["Option"])
	}

	l := fullHTTPListener(CookieModeVisible)
	l.SessionPersistence.MaxIdle, l.SessionPersistence.MaxLife = 0, 0
	l.HealthCheck.Method = ""
	b, err := toWire(l)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	assert.NotContains(t, object(t, m["SessionPersistence"]), "Timer", "no timer when both are unset")
	assert.Equal(t, map[string]any{"Uri": "/healthz"}, object(t, m["Option"])["Httpchk"], "no Method: the service's default")

	l.SessionPersistence, l.HealthCheck = nil, nil
	b, err = toWire(l)
	require.NoError(t, err)
	m = nil
	require.NoError(t, json.Unmarshal(b, &m))
	assert.NotContains(t, m, "SessionPersistence")
	assert.NotContains(t, m, "Option")
}

func TestTCPListenerSwitchesOnTheWire(t *testing.T) {
	t.Parallel()
	b, err := toWire(TCPListener{ListenerName: "t", EnableSourceIP: true, EnableRepeaterMode: true})
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	assert.Equal(t, "on", m["EnableSourceIp"])
	assert.Equal(t, "on", m["EnableRepeaterMode"])
	assert.Equal(t, "tcp", m["ListenerMode"])
	assert.NotContains(t, m, "StickySession")
	assert.NotContains(t, m, "CertificateIds")

	b, err = toWire(TCPListener{ListenerName: "t"})
	require.NoError(t, err)
	m = nil
	require.NoError(t, json.Unmarshal(b, &m))
	assert.NotContains(t, m, "EnableSourceIp", "off is the default and is not sent")
	assert.NotContains(t, m, "EnableRepeaterMode")
}

// Empty lists the document requires go out as [], and a decoded null list
// is empty.
func TestListenerEmptyListsAreSentAsEmptyLists(t *testing.T) {
	t.Parallel()
	b, err := toWire(HTTPListener{ListenerName: "h"})
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	for _, k := range []string{"AclWhiteList", "CertificateIds", "BackendServer"} {
		assert.Empty(t, jsonList(t, m[k]), k)
	}
	assert.Equal(t, "off", m["StickySession"])
	assert.Equal(t, "http", m["ListenerMode"])

	b, err = toWire(TCPListener{ListenerName: "t"})
	require.NoError(t, err)
	m = nil
	require.NoError(t, json.Unmarshal(b, &m))
	for _, k := range []string{"AclWhiteList", "BackendServer"} {
		assert.Empty(t, jsonList(t, m[k]), k)
	}
}

// Each spelling api/signing.md lists for listeners decodes to the same value.
func TestListenerDecodesBothSpellings(t *testing.T) {
	t.Parallel()
	asDocumented := `{"ListenerName": "http43", "ListenerPort": 8080, "MaxConn": 50000, "Scheduler": "roundrobin",
		"ConnectTimeout": "111", "ConnectTimeoutUnit": "ms", "ClientTimeout": "222", "ClientTimeoutUnit": "s",
		"ServerTimeout": "333", "ServerTimeoutUnit": "ms", "StickySession": "on",
		"AclWhiteList": ["192.168.1.1"], "CertificateIds": [{"CertificateId": "c1", "CertificateName": "n1"}],
		"BackendServer": [{"IP": "66.66.0.8", "Port": 323, "Weight": "1", "MaxConn": 2000}]}`
	asTabled := `{"ListenerName": "http43", "ListenerPort": "8080", "MaxConn": "50000", "Scheduler": "roundrobin",
		"ConnectTimeout": 111, "ConnectTimeoutUnit": "ms", "ClientTimeout": 222, "ClientTimeoutUnit": "s",
		"ServerTimeout": 333, "ServerTimeoutUnit": "ms", "StickySession": true,
		"AclWhiteList": "192.168.1.1", "CertificateIds": [{"CertificateId": "c1", "CertificateName": "n1"}],
		"BackendServer": [{"IP": "66.66.0.8", "Port": "323", "Weight": 1, "MaxConn": "2000"}]}`
	want := HTTPListener{
		ListenerName: "http43", ListenerPort: 8080, MaxConn: 50000, Scheduler: SchedulerRoundRobin,
		ConnectTimeout: 111 * time.Millisecond, ClientTimeout: 222 * time.Second, ServerTimeout: 333 * time.Millisecond,
		StickySession: true, ACLWhiteList: []string{"192.168.1.1"},
		Certificates:   []CertificateRef{{CertificateID: "c1", CertificateName: "n1"}},
		BackendServers: []BackendServer{{IP: "66.66.0.8", Port: 323, Weight: 1, MaxConn: 2000}},
	}
	for name, doc := range map[string]string{"examples": asDocumented, "tables": asTabled} {
		var got HTTPListener
		require.NoError(t, fromWire([]byte(doc), &got), name)
		assert.Equal(t, want, got, name)
	}
}

func TestListenerDecodesNullListsAndOddFields(t *testing.T) {
	t.Parallel()
	var h HTTPListener
	require.NoError(t, fromWire([]byte(`{"ListenerName": "h", "ListenerPort": {"v": 80}, "MaxConn": [1],
		"ClientTimeout": {}, "ClientTimeoutUnit": "s", "ServerTimeout": "9", "ServerTimeoutUnit": 5,
		"AclWhiteList": null, "CertificateIds": null, "BackendServer": null, "StickySession": null,
		"SessionPersistence": {"Key": "k1", "Mode": 7, "Timer": {"MaxIdle": "60", "MaxLife": null}},
		"Option": {"Httpchk": null}}`), &h))
	assert.Equal(t, HTTPListener{
		ListenerName:       "h",
		SessionPersistence: &SessionPersistence{Key: "k1", Mode: CookieModeDefault, MaxIdle: time.Minute},
	}, h, "odd fields are zero, the rest is read; an unknown Mode is the default; a timeout with an odd unit is never read in another one")

	var tl TCPListener
	require.NoError(t, fromWire([]byte(`{"ListenerName": "t", "ListenerPort": 909,
		"BackendServer": [{"IP": "a", "Port": null, "Weight": null, "MaxConn": null}, {"IP": {}, "Port": "x", "Weight": "2"}],
		"AclWhiteList": null, "EnableSourceIp": "on", "EnableRepeaterMode": "off"}`), &tl))
	assert.Equal(t, TCPListener{
		ListenerName: "t", ListenerPort: 909,
		BackendServers: []BackendServer{{IP: "a"}, {Weight: 2}},
		EnableSourceIP: true,
	}, tl)
	assert.Empty(t, tl.ACLWhiteList)

	// A decoded listener with null lists goes back out with [].
	b, err := toWire(h)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	assert.Empty(t, jsonList(t, m["AclWhiteList"]))
	assert.Empty(t, jsonList(t, m["CertificateIds"]))
	assert.Empty(t, jsonList(t, m["BackendServer"]))
}

func TestBackendServerWireForm(t *testing.T) {
	t.Parallel()
	b, err := toWire(BackendServer{IP: "66.66.0.8", Port: 22222, Weight: 1, MaxConn: 2222})
	require.NoError(t, err)
	assert.JSONEq(t, `{"IP": "66.66.0.8", "Port": 22222, "Weight": "1", "MaxConn": 2222}`, string(b),
		"as in the document's request example: Port and MaxConn numbers, Weight a string")
}

// toWire encodes a listener or backend as the library sends it.
func toWire(v any) ([]byte, error) {
	var w any
	switch v := v.(type) {
	case HTTPListener:
		w = listenerSet("", []HTTPListener{v}, nil).HttpListeners[0]
	case TCPListener:
		w = listenerSet("", nil, []TCPListener{v}).TcpListeners[0]
	case BackendServer:
		w = listenerSet("", nil, []TCPListener{{BackendServers: []BackendServer{v}}}).TcpListeners[0].BackendServer[0]
	default:
		return nil, fmt.Errorf("toWire: %T", v)
	}
	_, b, err := inBody(w).encode()
	return b, err
}

// fromWire decodes a listener or backend as the library reads answers:
// tolerantly, an odd field left empty.
func fromWire(b []byte, into any) error {
	var set listenerSetWire
	switch p := into.(type) {
	case *HTTPListener:
		if err := jsonv2.Unmarshal([]byte(`{"HttpListeners":[`+string(b)+`]}`), &set, tolerant); err != nil {
			return err
		}
		h, _, _ := set.value()
		*p = h[0]
	case *TCPListener:
		if err := jsonv2.Unmarshal([]byte(`{"TcpListeners":[`+string(b)+`]}`), &set, tolerant); err != nil {
			return err
		}
		_, tl, _ := set.value()
		*p = tl[0]
	default:
		return fmt.Errorf("fromWire: %T", into)
	}
	return nil
}

// FuzzListenerSetIsWrittenBackAsRead: whatever an answer holds, reading it
// never panics, and a set read exactly is written in a form that reads back
// exactly as the same set: what the safe edits send means what they read.
func FuzzListenerSetIsWrittenBackAsRead(f *testing.F) {
	fixture, err := os.ReadFile(filepath.Join("testdata", "responses", "DescribeLoadBalancerStrategys.json"))
	require.NoError(f, err)
	var answer struct{ Data json.RawMessage }
	require.NoError(f, json.Unmarshal(fixture, &answer))
	f.Add([]byte(answer.Data))
	for _, keep := range []string{keepWith("ClientTimeoutUnit", `"m"`, "SessionPersistence", `{"Key":"sid","Mode":"1","Timer":{"MaxIdle":"10"}}`),
		keepWith("BackendServer", `[null,{"IP":"a","Port":"1.0","Weight":1e1}]`), keepWith("AclWhiteList", `"10.0.0.1"`, "ClientTimeout", `"0.5"`), "null"} {
		var listed struct{ Data json.RawMessage }
		require.NoError(f, json.Unmarshal([]byte(listing(keep)), &listed))
		f.Add([]byte(listed.Data))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var read listenersWire
		if jsonv2.Unmarshal(data, &read, tolerant) != nil || read.unread != "" {
			return
		}
		h, tl := read.http, read.tcp
		body := written("", h, tl, false)
		var back listenersWire
		var envelope struct{ HttpListeners, TcpListeners jsontext.Value }
		require.NoError(t, jsonv2.Unmarshal([]byte(body), &envelope, tolerant))
		require.NoError(t, jsonv2.Unmarshal([]byte(`{"HttpListeners":`+string(envelope.HttpListeners)+`,"TcpListeners":`+string(envelope.TcpListeners)+`}`), &back, tolerant))
		require.Empty(t, back.unread, "written: %s", body)
		h2, tl2 := back.http, back.tcp
		require.Equal(t, body, written("", h2, tl2, false), "read: %s", data)
		require.True(t, sameListeners(&DescribeLoadBalancerStrategysResponse{HTTPListeners: h, TCPListeners: tl},
			&DescribeLoadBalancerStrategysResponse{HTTPListeners: h2, TCPListeners: tl2}), "read: %s", data)
	})
}
