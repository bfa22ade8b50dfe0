package cdslb

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"maps"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// This file holds what the reliability and security tests share: a
// loopback server that can misbehave (reset a connection, hang), a table
// of one valid call per action, and generated certificates.

// misbehaviour is what the hostile server does with one request.
type misbehaviour int

const (
	answer misbehaviour = iota // answer from the stub's queue
	reset                      // read the request, then drop the connection unanswered
	hang                       // hold the request until the client gives up
)

// sentRequest is a request as it arrived, before any checking.
type sentRequest struct {
	Action    string
	RawQuery  string
	Nonce     string
	Timestamp string
	Signature string // as sent, decoded
}

// hostileServer wraps the signature-checking stub with misbehaviours, a
// record of every raw request (signatures included) and a count of the
// connections it accepted.
type hostileServer struct {
	*apiStub
	URL string

	mu    sync.Mutex
	plan  map[string][]misbehaviour // by action, consumed in order; then answer
	sent  []sentRequest
	conns atomic.Int64  // connections opened
	quit  chan struct{} // closed when the test ends, to free hanging handlers
}

// newHostile returns a client without retries and with sleeps that return
// at once, pointed at a new hostile server. Options given apply after those.
func newHostile(t testing.TB, opts ...Option) (*Client, *hostileServer) {
	t.Helper()
	h := &hostileServer{apiStub: &apiStub{t: t, answers: map[string][]stubAnswer{}}, plan: map[string][]misbehaviour{}, quit: make(chan struct{})}
	mux := http.NewServeMux()
	mux.Handle(testPrefix+"/", http.StripPrefix(testPrefix, h))
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			h.conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(h.quit) }) // runs before srv.Close
	h.URL = srv.URL + testPrefix
	opts = append([]Option{WithEndpoint(h.URL), WithRetry(NoRetry)}, opts...)
	c, err := NewClient(testKeyID, testSecret, opts...)
	require.NoError(t, err)
	c.sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	return c, h
}

// misbehave plans what the server does with the next requests for action.
func (h *hostileServer) misbehave(action string, m ...misbehaviour) *hostileServer {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.plan[action] = append(h.plan[action], m...)
	return h
}

func (h *hostileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q, _ := url.ParseQuery(r.URL.RawQuery)
	action := q.Get("Action")
	sig := ""
	if i := strings.LastIndex(r.URL.RawQuery, "&Signature="); i >= 0 {
		sig, _ = url.QueryUnescape(r.URL.RawQuery[i+len("&Signature="):])
	}
	h.mu.Lock()
	h.sent = append(h.sent, sentRequest{action, r.URL.RawQuery, q.Get("SignatureNonce"), q.Get("Timestamp"), sig})
	m := answer
	if p := h.plan[action]; len(p) > 0 {
		m, h.plan[action] = p[0], p[1:]
	}
	h.mu.Unlock()

	switch m {
	case reset:
		_, _ = r.Body.Read(make([]byte, 1<<10))
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // an RST, not a FIN
		}
		_ = conn.Close()
	case hang:
		_, _ = io.Copy(io.Discard, r.Body) // so the server notices when the client hangs up
		select {
		case <-r.Context().Done():
		case <-h.quit:
		}
	default:
		h.apiStub.ServeHTTP(w, r)
	}
}

// sentFor returns the raw requests that arrived for action ("" for all).
func (h *hostileServer) sentFor(action string) []sentRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []sentRequest
	for _, s := range h.sent {
		if action == "" || s.Action == action {
			out = append(out, s)
		}
	}
	return out
}

// recordSleeps replaces c.sleep with one that records the delays asked
// for and returns at once.
func recordSleeps(c *Client) func() []time.Duration {
	var mu sync.Mutex
	var got []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		got = append(got, d)
		mu.Unlock()
		return ctx.Err()
	}
	return func() []time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Duration(nil), got...)
	}
}

// closedAddr returns the address of a loopback port that was opened and
// closed, so connecting to it is refused.
func closedAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// actionCall is one valid call of an action.
type actionCall struct {
	action   string
	readOnly bool
	call     func(ctx context.Context, c *Client) (any, error)
}

// examples holds one valid request per declared action, each registered
// with example beside the action's tests.
var examples = map[string]func(testing.TB) any{}

// example registers a valid request of the action; it returns true so that
// it can initialize a package-level variable.
func example(action string, req func(testing.TB) any) bool {
	examples[action] = req
	return true
}

// validCalls returns one valid call of each declared action, made through
// its Client method. It fails the test if a declaration has no example.
func validCalls(t testing.TB) []actionCall {
	var calls []actionCall
	for _, name := range slices.Sorted(maps.Keys(declared)) {
		ex, ok := examples[name]
		require.True(t, ok, "the action %s has no example request: register one with example", name)
		req := reflect.ValueOf(ex(t))
		calls = append(calls, actionCall{name, declared[name].effect == reads, func(ctx context.Context, c *Client) (any, error) {
			out := reflect.ValueOf(c).MethodByName(name).Call([]reflect.Value{reflect.ValueOf(&ctx).Elem(), req})
			err, _ := out[1].Interface().(error)
			return out[0].Interface(), err
		}})
	}
	return calls
}

func goodCreate() *CreateLoadBalancerRequest {
	return &CreateLoadBalancerRequest{RegionID: "CN_Hongkong_A", VdcID: "vdc-1", BasePipeID: "pipe-1",
		InstanceName: "lb-1", PaasGoodsID: 5078, Amount: 1,
		IPs: []CreateLoadBalancerIP{{PipeType: PipeTypePrivate, PipeID: "pipe-1"}, {PipeType: PipeTypePublic, PipeID: "pub-1", SegmentID: "seg-1"}}}
}

// goodHTTPListener is the v1.2 document's example listener, in Go.
func goodHTTPListener() HTTPListener {
	return HTTPListener{ListenerName: "http-test", ListenerPort: 8080, Scheduler: SchedulerRoundRobin, MaxConn: 1000,
		ConnectTimeout: 222 * time.Millisecond, ClientTimeout: 5 * time.Second, ServerTimeout: 5 * time.Second,
		ACLWhiteList:       []string{"129.12.12.1", "192.168.1.1/20"},
		Certificates:       []CertificateRef{{CertificateID: "cert-1", CertificateName: "www"}},
		BackendServers:     []BackendServer{{IP: "10.0.0.1", Port: 80, Weight: 1, MaxConn: 100}, {IP: "10.0.0.2", Port: 80, Weight: 256}},
		SessionPersistence: &SessionPersistence{Key: "srv_id", Mode: CookieModeVisible, MaxIdle: 30 * time.Minute, MaxLife: 2 * time.Hour},
		HealthCheck:        &HealthCheck{Method: "HEAD", URI: "/healthz"}}
}

func goodTCPListener() TCPListener {
	return TCPListener{ListenerName: "tcp-test", ListenerPort: 3306, Scheduler: SchedulerLeastConn,
		BackendServers: []BackendServer{{IP: "10.0.0.3", Port: 3306, Weight: 10}}, EnableSourceIP: true, EnableRepeaterMode: true}
}

// testCertificate returns a self-signed certificate and its private key in
// PEM, the key in the given form: "rsa-pkcs1", "rsa-pkcs8", "ec" (SEC 1) or
// "ec-pkcs8". Each call makes a new key.
func testCertificate(t testing.TB, form string) (certPEM, keyPEM string) {
	t.Helper()
	var signer crypto.Signer
	var keyDER []byte
	var keyType string
	var err error
	switch form {
	case "rsa-pkcs1", "rsa-pkcs8":
		k, gerr := rsa.GenerateKey(rand.Reader, 1024) // small: a test key, made quickly
		require.NoError(t, gerr)
		signer, keyDER, keyType = k, x509.MarshalPKCS1PrivateKey(k), "RSA PRIVATE KEY"
	case "ec", "ec-pkcs8":
		k, gerr := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, gerr)
		keyDER, err = x509.MarshalECPrivateKey(k)
		signer, keyType = k, "EC PRIVATE KEY"
	default:
		t.Fatalf("unknown key form %q", form)
	}
	if strings.HasSuffix(form, "-pkcs8") {
		keyDER, err = x509.MarshalPKCS8PrivateKey(signer)
		keyType = "PRIVATE KEY"
	}
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "www.example.com"},
		DNSNames: []string{"www.example.com"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, signer.Public(), signer)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: keyType, Bytes: keyDER}))
}
