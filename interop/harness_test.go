package interop

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/capitalonline/cds-gic-sdk-go/common"
	sdkerrors "github.com/capitalonline/cds-gic-sdk-go/common/errors"
	"github.com/capitalonline/cds-gic-sdk-go/common/profile"
	"github.com/capitalonline/cds-gic-sdk-go/haproxy"

	"github.com/cdsgo/cdslb/cdslbtest"
)

// exchange is one request as it reached the fake and the fake's answer.
type exchange struct {
	action string
	method string
	path   string
	header http.Header
	body   []byte
	status int
	answer []byte
}

// answerCode is the Code of the answer's envelope.
func (x exchange) answerCode() string {
	var env struct{ Code string }
	_ = json.Unmarshal(x.answer, &env)
	return env.Code
}

// recorder sits between the network and the fake: it keeps each request
// and answer, changing neither.
type recorder struct {
	h  http.Handler
	mu sync.Mutex
	xs []exchange
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	r.h.ServeHTTP(rec, req)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
	r.mu.Lock()
	defer r.mu.Unlock()
	r.xs = append(r.xs, exchange{
		action: req.URL.Query().Get("Action"), method: req.Method, path: req.URL.Path,
		header: req.Header.Clone(), body: body, status: rec.Code, answer: rec.Body.Bytes(),
	})
}

// last returns the latest exchange.
func (r *recorder) last(t *testing.T) exchange {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.xs) == 0 {
		t.Fatal("no request reached the fake")
	}
	return r.xs[len(r.xs)-1]
}

// lastOf returns the latest exchange of an action.
func (r *recorder) lastOf(t *testing.T, action string) exchange {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.xs) - 1; i >= 0; i-- {
		if r.xs[i].action == action {
			return r.xs[i]
		}
	}
	t.Fatalf("no %s reached the fake", action)
	return exchange{}
}

// all returns every exchange so far.
func (r *recorder) all() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]exchange(nil), r.xs...)
}

// vendor is the vendor's SDK pointed at a fake: one client per HTTP method,
// since the SDK takes the method from the client's profile, as the
// vendor's Terraform provider does (GET for the Describe actions, POST for
// the others).
type vendor struct {
	srv   *cdslbtest.Server
	clock *cdslbtest.Clock
	rec   *recorder
	get   *haproxy.Client
	post  *haproxy.Client
}

// busyFor is how long the fake keeps a load balancer busy after a change;
// the test's clock stands still until it advances it.
const busyFor = time.Minute

// newVendor starts a fake behind TLS on loopback, since the SDK always
// builds "https://" + endpoint + path, and points two SDK clients at it.
// Nothing of the SDK's request is changed: the endpoint is the SDK's own
// setting (HttpProfile.Endpoint, host and base path), and the transport
// only trusts the test server's certificate.
func newVendor(t *testing.T) *vendor {
	t.Helper()
	clock := cdslbtest.NewClock(time.Date(2026, 3, 10, 6, 0, 0, 0, time.UTC))
	srv := cdslbtest.NewServer(t, cdslbtest.WithBusyFor(busyFor), cdslbtest.WithClock(clock.Now))
	rec := &recorder{h: srv.Handler()}
	ts := httptest.NewTLSServer(rec)
	t.Cleanup(ts.Close)
	client := func(method string) *haproxy.Client {
		cpf := profile.NewClientProfile()
		cpf.HttpProfile.ReqMethod = method
		cpf.HttpProfile.Endpoint = ts.Listener.Addr().String() + "/lb"
		c, err := haproxy.NewClient(common.NewCredential(srv.AccessKeyID(), srv.AccessKeySecret()), "", cpf)
		if err != nil {
			t.Fatal(err)
		}
		c.WithHttpTransport(ts.Client().Transport)
		return c
	}
	return &vendor{srv: srv, clock: clock, rec: rec, get: client(http.MethodGet), post: client(http.MethodPost)}
}

// stdoutMu serializes the capture of the process's standard output.
var stdoutMu sync.Mutex

// quietly runs f with the process's standard output captured and returns
// what it printed: the SDK prints the action's name to standard output on
// every answer that is not HTTP 200 (common/http.ParseFromHttpResponse),
// which would litter the test's output.
func quietly(t *testing.T, f func() error) (printed string, err error) {
	t.Helper()
	stdoutMu.Lock()
	defer stdoutMu.Unlock()
	r, w, perr := os.Pipe()
	if perr != nil {
		t.Fatal(perr)
	}
	saved := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		done <- b
	}()
	func() {
		defer func() { os.Stdout = saved }()
		err = f()
	}()
	w.Close()
	out := <-done
	r.Close()
	return string(out), err
}

// taken calls the SDK and insists that the fake took the request (200
// Success), that the SDK parsed the answer without error, and that the
// SDK printed nothing.
func (v *vendor) taken(t *testing.T, action string, call func() error) exchange {
	t.Helper()
	printed, err := quietly(t, call)
	x := v.rec.last(t)
	if x.action != action {
		t.Fatalf("%s: the last request was %s", action, x.action)
	}
	if x.status != http.StatusOK || x.answerCode() != "Success" {
		t.Fatalf("%s as the SDK sends it: %d %s, want 200 Success\nrequest %s %s %s\nanswer %s", action, x.status, x.answerCode(), x.method, x.path, x.body, x.answer)
	}
	if err != nil {
		t.Fatalf("%s: the SDK cannot parse the fake's answer: %v\nanswer %s", action, err, x.answer)
	}
	if printed != "" {
		t.Errorf("%s: the SDK printed %q", action, printed)
	}
	return x
}

// refused calls the SDK and insists that the fake refused the request with
// the documented status and code, and that the SDK reports it as an error.
// The SDK turns every answer that is not HTTP 200 into a CdsSDKError with
// Code "ClientError.HttpStatusCodeError" and the answer in its Message; it
// reads neither the envelope's Code nor its Message.
func (v *vendor) refused(t *testing.T, action string, status int, code string, call func() error) {
	t.Helper()
	printed, err := quietly(t, call)
	x := v.rec.last(t)
	if x.action != action {
		t.Fatalf("%s: the last request was %s", action, x.action)
	}
	if x.status != status || x.answerCode() != code {
		t.Fatalf("%s: %d %s, want %d %s\nrequest %s\nanswer %s", action, x.status, x.answerCode(), status, code, x.body, x.answer)
	}
	var sdkErr *sdkerrors.CdsSDKError
	if !errors.As(err, &sdkErr) || sdkErr.Code != "ClientError.HttpStatusCodeError" || !strings.Contains(sdkErr.Message, code) {
		t.Errorf("%s: the SDK's error is %v, want its HttpStatusCodeError quoting %s", action, err, code)
	}
	if printed != action+"\n" {
		t.Errorf("%s: the SDK printed %q, want the action's name (its own debugging print)", action, printed)
	}
}
