package cdslb

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const fixtureInstanceUUID = "5d74bb81-0473-464d-b15b-0ae418619248"

func TestDescribeLoadBalancerStrategys(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("DescribeLoadBalancerStrategys")

	resp, err := c.DescribeLoadBalancerStrategys(context.Background(), &DescribeLoadBalancerStrategysRequest{InstanceUUID: fixtureInstanceUUID})
	require.NoError(t, err)

	assertGET(t, stub.only("DescribeLoadBalancerStrategys"), "DescribeLoadBalancerStrategys", map[string]string{"InstanceUuid": fixtureInstanceUUID})
	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success.", HTTPStatus: 200, Attempts: 1}, resp.ResponseMeta)
	assert.Equal(t, []HTTPListener{{
		ListenerName: "http43", ListenerPort: 0, Scheduler: SchedulerRoundRobin, MaxConn: 50000,
		ConnectTimeout: 111 * time.Millisecond, // "111" "ms"
		ClientTimeout:  222 * time.Second,      // "222" "s"
		ServerTimeout:  333 * time.Millisecond, // "333" "ms"
		StickySession:  false,                  // "off"
		ACLWhiteList:   []string{"192.168.1.1"},
		Certificates:   []CertificateRef{{CertificateID: "101783f7-8188-4f89-9f0d-2c441d2f3fbb", CertificateName: "证书gi8Zs29U"}},
		BackendServers: []BackendServer{{IP: "66.66.0.8", Port: 323, Weight: 1, MaxConn: 2000}},
	}}, resp.HTTPListeners)
	assert.Equal(t, []TCPListener{{
		ListenerName: "tcp", ListenerPort: 909, Scheduler: SchedulerLeastConn, MaxConn: 233,
		ConnectTimeout: 555 * time.Millisecond, ClientTimeout: 666 * time.Millisecond, ServerTimeout: 777 * time.Millisecond,
		ACLWhiteList:   []string{"192.168.1.1"},
		BackendServers: []BackendServer{{IP: "164.52.35.242", Port: 909, Weight: 1, MaxConn: 2000}},
	}}, resp.TCPListeners)
}

// A listener with an unreadable field (ListenerPort an object) is still
// read, that field zero, and the call succeeds.
func TestDescribeLoadBalancerStrategysOddListener(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answer("DescribeLoadBalancerStrategys", http.StatusOK, `{"Code": "Success", "Data": {
		"HttpListeners": [{"ListenerName": "odd", "ListenerPort": {"port": 80}, "MaxConn": 10, "Scheduler": "source",
			"StickySession": "on", "AclWhiteList": null, "CertificateIds": null, "BackendServer": null,
			"SessionPersistence": {"Key": "sid", "Mode": 2, "Timer": {"MaxIdle": 60, "MaxLife": "120"}},
			"Option": {"Httpchk": {"Method": "GET", "Uri": "/ping"}}}],
		"TcpListeners": null}}`)

	resp, err := c.DescribeLoadBalancerStrategys(context.Background(), &DescribeLoadBalancerStrategysRequest{InstanceUUID: "u"})
	require.NoError(t, err)
	assert.Equal(t, []HTTPListener{{
		ListenerName: "odd", ListenerPort: 0, MaxConn: 10, Scheduler: SchedulerSource, StickySession: true,
		SessionPersistence: &SessionPersistence{Key: "sid", Mode: CookieModeTransparent, MaxIdle: time.Minute, MaxLife: 2 * time.Minute},
		HealthCheck:        &HealthCheck{Method: "GET", URI: "/ping"},
	}}, resp.HTTPListeners)
	assert.Empty(t, resp.TCPListeners)
}

// docHTTPListener and docTCPListener are the listeners of the document's
// ModifyLoadBalancerStrategys request example, as Go values.
func docHTTPListener() HTTPListener {
	return HTTPListener{
		ListenerName: "http-test", ListenerPort: 23425, Scheduler: SchedulerRoundRobin, MaxConn: 100000,
		ConnectTimeout: time.Second, ClientTimeout: time.Second, ServerTimeout: time.Second,
		StickySession:  true,
		ACLWhiteList:   []string{"192.168.1.2"},
		Certificates:   []CertificateRef{{CertificateID: "cert-id", CertificateName: "cert-name"}},
		BackendServers: []BackendServer{{IP: "66.66.0.8", Port: 22222, Weight: 1, MaxConn: 2222}},
	}
}

func docTCPListener() TCPListener {
	return TCPListener{
		ListenerName: "tcp-test", ListenerPort: 2342, Scheduler: SchedulerLeastConn, MaxConn: 2323,
		ConnectTimeout: 22 * time.Second, ClientTimeout: 10 * time.Second, ServerTimeout: 10 * time.Second,
		BackendServers: []BackendServer{{IP: "66.66.0.8", Port: 2342, Weight: 1, MaxConn: 2000}},
	}
}

// assertDocListeners checks the wire form of docHTTPListener and
// docTCPListener against the document's example: names, and JSON types
// (ports and MaxConn numbers; Weight and timeouts strings with a unit;
// StickySession "on"; required lists [] even when empty).
func assertDocListeners(t *testing.T, body map[string]any) {
	t.Helper()
	httpListeners := jsonList(t, body["HttpListeners"])
	require.Len(t, httpListeners, 1)
	assert.Equal(t, map[string]any{
		"ListenerName": "http-test", "ListenerMode": "http", "ListenerPort": 23425.0,
		"Scheduler": "roundrobin", "MaxConn": 100000.0,
		"ConnectTimeout": "1", "ConnectTimeoutUnit": "s", // 1000 ms in the example: the same duration
		"ClientTimeout": "1", "ClientTimeoutUnit": "s",
		"ServerTimeout": "1", "ServerTimeoutUnit": "s",
		"StickySession":  "on",
		"AclWhiteList":   []any{"192.168.1.2"},
		"CertificateIds": []any{map[string]any{"CertificateId": "cert-id", "CertificateName": "cert-name"}},
		"BackendServer":  []any{map[string]any{"IP": "66.66.0.8", "Port": 22222.0, "Weight": "1", "MaxConn": 2222.0}},
	}, object(t, httpListeners[0]))

	tcpListeners := jsonList(t, body["TcpListeners"])
	require.Len(t, tcpListeners, 1)
	assert.Equal(t, map[string]any{
		"ListenerName": "tcp-test", "ListenerMode": "tcp", "ListenerPort": 2342.0,
		"Scheduler": "leastconn", "MaxConn": 2323.0,
		"ConnectTimeout": "22", "ConnectTimeoutUnit": "s",
		"ClientTimeout": "10", "ClientTimeoutUnit": "s",
		"ServerTimeout": "10", "ServerTimeoutUnit": "s",
		"AclWhiteList":  []any{}, // "AclWhiteList": [] as in the example, not null
		"BackendServer": []any{map[string]any{"IP": "66.66.0.8", "Port": 2342.0, "Weight": "1", "MaxConn": 2000.0}},
	}, object(t, tcpListeners[0]))
}

func TestModifyLoadBalancerStrategys(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("ModifyLoadBalancerStrategys")

	resp, err := c.ModifyLoadBalancerStrategys(context.Background(), &ModifyLoadBalancerStrategysRequest{
		InstanceUUID:  fixtureInstanceUUID,
		HTTPListeners: []HTTPListener{docHTTPListener()},
		TCPListeners:  []TCPListener{docTCPListener()},
	})
	require.NoError(t, err)

	body := postBody(t, stub.only("ModifyLoadBalancerStrategys"), "/lb/", "ModifyLoadBalancerStrategys")
	assert.Len(t, body, 3)
	assert.Equal(t, fixtureInstanceUUID, body["InstanceUuid"])
	assertDocListeners(t, body)
	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success.", TaskID: "9b2f4c8e-6d1a-4e7b-a3f5-0c8d2b6e4f19", HTTPStatus: 200, Attempts: 1}, resp.ResponseMeta)
}

// The newer edition's fields go out in its spelling: SessionPersistence
// {Key, Mode, Timer{MaxIdle, MaxLife}} in seconds, Option.Httpchk, and
// EnableSourceIp / EnableRepeaterMode "on".
func TestModifyLoadBalancerStrategysNewerFields(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("ModifyLoadBalancerStrategys")

	h := docHTTPListener()
	h.ConnectTimeout = 1500 * time.Millisecond
	h.SessionPersistence = &SessionPersistence{Key: "srv_id", Mode: CookieModeCacheable, MaxIdle: 10 * time.Minute, MaxLife: time.Hour}
	h.HealthCheck = &HealthCheck{Method: "OPTIONS", URI: "/health"}
	tcp := docTCPListener()
	tcp.EnableSourceIP, tcp.EnableRepeaterMode = true, true

	_, err := c.ModifyLoadBalancerStrategys(context.Background(), &ModifyLoadBalancerStrategysRequest{
		InstanceUUID: "u", HTTPListeners: []HTTPListener{h}, TCPListeners: []TCPListener{tcp},
	})
	require.NoError(t, err)

	body := postBody(t, stub.only("ModifyLoadBalancerStrategys"), "/lb/", "ModifyLoadBalancerStrategys")
	hw := object(t, jsonList(t, body["HttpListeners"])[0])
	assert.Equal(t, "1500", hw["ConnectTimeout"])
	assert.Equal(t, "ms", hw["ConnectTimeoutUnit"])
	assert.Equal(t, map[string]any{"Key": "srv_id", "Mode": 0.0, "Timer": map[string]any{"MaxIdle": 600.0, "MaxLife": 3600.0}},
		hw["SessionPersistence"])
	assert.Equal(t, map[string]any{"Httpchk": map[string]any{"Method": "OPTIONS", "Uri": "/health"}}, hw["Option"])
	tw := object(t, jsonList(t, body["TcpListeners"])[0])
	assert.Equal(t, "on", tw["EnableSourceIp"])
	assert.Equal(t, "on", tw["EnableRepeaterMode"])
}

// Removing every listener is sending empty lists: [] on the wire, never null.
func TestModifyLoadBalancerStrategysEmptyLists(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("ModifyLoadBalancerStrategys")

	_, err := c.ModifyLoadBalancerStrategys(context.Background(), &ModifyLoadBalancerStrategysRequest{
		InstanceUUID:  "u",
		HTTPListeners: []HTTPListener{{ListenerName: "bare", ListenerPort: 80, Scheduler: SchedulerRoundRobin}},
	})
	require.NoError(t, err)
	_, err = c.ModifyLoadBalancerStrategys(context.Background(), &ModifyLoadBalancerStrategysRequest{InstanceUUID: "u"})
	require.NoError(t, err)

	reqs := stub.requests("ModifyLoadBalancerStrategys")
	require.Len(t, reqs, 2)
	body := postBody(t, reqs[0], "/lb/", "ModifyLoadBalancerStrategys")
	bare := object(t, jsonList(t, body["HttpListeners"])[0])
	for _, k := range []string{"AclWhiteList", "CertificateIds", "BackendServer"} {
		assert.Empty(t, jsonList(t, bare[k]), k)
	}
	assert.Equal(t, "off", bare["StickySession"])
	assert.Empty(t, jsonList(t, body["TcpListeners"]))

	body = postBody(t, reqs[1], "/lb/", "ModifyLoadBalancerStrategys")
	assert.Empty(t, jsonList(t, body["HttpListeners"]))
	assert.Empty(t, jsonList(t, body["TcpListeners"]))
}

// Read-modify-write: what DescribeLoadBalancerStrategys returns can be sent
// back to ModifyLoadBalancerStrategys unchanged, in the document's form.
func TestDescribedListenersCanBeSentBack(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("DescribeLoadBalancerStrategys").answerFixture("ModifyLoadBalancerStrategys")

	got, err := c.DescribeLoadBalancerStrategys(context.Background(), &DescribeLoadBalancerStrategysRequest{InstanceUUID: "u"})
	require.NoError(t, err)
	got.TCPListeners[0].MaxConn = 500
	// The example's HTTP listener has port 0, which no request may carry.
	got.HTTPListeners[0].ListenerPort = 8043
	_, err = c.ModifyLoadBalancerStrategys(context.Background(), &ModifyLoadBalancerStrategysRequest{
		InstanceUUID: "u", HTTPListeners: got.HTTPListeners, TCPListeners: got.TCPListeners,
	})
	require.NoError(t, err)

	body := postBody(t, stub.only("ModifyLoadBalancerStrategys"), "/lb/", "ModifyLoadBalancerStrategys")
	hw := object(t, jsonList(t, body["HttpListeners"])[0])
	assert.Equal(t, "222", hw["ClientTimeout"])
	assert.Equal(t, "s", hw["ClientTimeoutUnit"])
	assert.Equal(t, "111", hw["ConnectTimeout"])
	assert.Equal(t, "ms", hw["ConnectTimeoutUnit"])
	tw := object(t, jsonList(t, body["TcpListeners"])[0])
	assert.Equal(t, 500.0, tw["MaxConn"])
	assert.Equal(t, "164.52.35.242", object(t, jsonList(t, tw["BackendServer"])[0])["IP"])
}

func TestAddLoadBalancerStrategys(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("AddLoadBalancerStrategys")

	resp, err := c.AddLoadBalancerStrategys(context.Background(), &AddLoadBalancerStrategysRequest{
		InstanceUUID:  fixtureInstanceUUID,
		HTTPListeners: []HTTPListener{docHTTPListener()},
		TCPListeners:  []TCPListener{docTCPListener()},
	})
	require.NoError(t, err)

	body := postBody(t, stub.only("AddLoadBalancerStrategys"), "/lb/", "AddLoadBalancerStrategys")
	assert.Len(t, body, 3)
	assert.Equal(t, fixtureInstanceUUID, body["InstanceUuid"])
	assertDocListeners(t, body)
	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success.", TaskID: "c5d1e8a2-7f3b-4c9e-b0a6-3e2f9d7c1b84", HTTPStatus: 200, Attempts: 1}, resp.ResponseMeta)
}

// HttpListeners is required (sent as []); TcpListeners is optional and left
// out when there are none.
func TestAddLoadBalancerStrategysOnlyTCP(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("AddLoadBalancerStrategys")

	_, err := c.AddLoadBalancerStrategys(context.Background(), &AddLoadBalancerStrategysRequest{
		InstanceUUID: "u", TCPListeners: []TCPListener{docTCPListener()},
	})
	require.NoError(t, err)
	_, err = c.AddLoadBalancerStrategys(context.Background(), &AddLoadBalancerStrategysRequest{
		InstanceUUID: "u", HTTPListeners: []HTTPListener{docHTTPListener()},
	})
	require.NoError(t, err)

	reqs := stub.requests("AddLoadBalancerStrategys")
	require.Len(t, reqs, 2)
	body := postBody(t, reqs[0], "/lb/", "AddLoadBalancerStrategys")
	assert.Empty(t, jsonList(t, body["HttpListeners"]))
	assert.Len(t, jsonList(t, body["TcpListeners"]), 1)
	body = postBody(t, reqs[1], "/lb/", "AddLoadBalancerStrategys")
	assert.Len(t, jsonList(t, body["HttpListeners"]), 1)
	assert.NotContains(t, body, "TcpListeners")
}

func TestDescribeLBInstanceListeners(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("DescribeLBInstanceListeners")

	resp, err := c.DescribeLBInstanceListeners(context.Background(), &DescribeLBInstanceListenersRequest{InstanceUUID: fixtureInstanceUUID})
	require.NoError(t, err)

	body := postBody(t, stub.only("DescribeLBInstanceListeners"), "/lb/", "DescribeLBInstanceListeners")
	assert.Equal(t, map[string]any{"InstanceUuid": fixtureInstanceUUID}, body)
	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success.", HTTPStatus: 200, Attempts: 1}, resp.ResponseMeta)
	assert.Equal(t, []ListenerSummary{
		{ListenerName: "http_web", ListenerMode: ListenerModeHTTP, BackendNames: []BackendName{
			{BackendName: "http_web_default", DisplayName: "default"},
			{BackendName: "http_web_api", DisplayName: "api"},
		}},
		{ListenerName: "tcp_db", ListenerMode: ListenerModeTCP}, // "BackendNames": null
	}, resp.Listeners)
}

var _ = example("DescribeLoadBalancerStrategys", func(testing.TB) any {
	return &DescribeLoadBalancerStrategysRequest{InstanceUUID: "i-1"}
})

var _ = example("ModifyLoadBalancerStrategys", func(testing.TB) any {
	return &ModifyLoadBalancerStrategysRequest{InstanceUUID: "i-1",
		HTTPListeners: []HTTPListener{goodHTTPListener()}, TCPListeners: []TCPListener{goodTCPListener()}}
})

var _ = example("AddLoadBalancerStrategys", func(testing.TB) any {
	return &AddLoadBalancerStrategysRequest{InstanceUUID: "i-1",
		HTTPListeners: []HTTPListener{goodHTTPListener()}, TCPListeners: []TCPListener{goodTCPListener()}}
})

var _ = example("DescribeLBInstanceListeners", func(testing.TB) any {
	return &DescribeLBInstanceListenersRequest{InstanceUUID: "i-1"}
})
