package cdslb

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testKeyID  = "AKIDTEST0001"
	testSecret = "test-secret-MUST-NOT-LEAK"
	// testPrefix is where the stub mounts the API, so that a request built
	// from an absolute path instead of the configured endpoint fails.
	testPrefix = "/api-prefix"
)

// stubRequest is one request the stub received, already signature-checked.
type stubRequest struct {
	Method string
	Path   string     // without testPrefix, such as "/lb/"
	Query  url.Values // the signed query, Signature removed
	Header http.Header
	Body   []byte
}

type stubAnswer struct {
	status int
	header http.Header
	body   string
}

// apiStub is a loopback API endpoint: it verifies every request's signature
// with the test's own reference implementation, records it, and answers with
// what the test set for its Action (404 ResourceNotFound by default).
type apiStub struct {
	t       testing.TB
	mu      sync.Mutex
	answers map[string][]stubAnswer // by action; the last answer repeats
	got     []stubRequest
}

// newStub returns a client without retries pointed at a new stub.
func newStub(t testing.TB, opts ...Option) (*Client, *apiStub) {
	t.Helper()
	s := &apiStub{t: t, answers: map[string][]stubAnswer{}}
	mux := http.NewServeMux()
	mux.Handle(testPrefix+"/", http.StripPrefix(testPrefix, s))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	opts = append([]Option{WithEndpoint(srv.URL + testPrefix), WithRetry(NoRetry)}, opts...)
	c, err := NewClient(testKeyID, testSecret, opts...)
	require.NoError(t, err)
	return c, s
}

func (s *apiStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	q := verifyQuery(s.t, r.Method, r.URL.RawQuery, testSecret)
	action := q.Get("Action")
	s.mu.Lock()
	s.got = append(s.got, stubRequest{r.Method, r.URL.Path, q, r.Header.Clone(), body})
	a := stubAnswer{status: http.StatusNotFound, body: `{"Code":"ResourceNotFound","Message":"no answer set for ` + action + `"}`}
	if list := s.answers[action]; len(list) > 0 {
		a = list[0]
		if len(list) > 1 {
			s.answers[action] = list[1:]
		}
	}
	s.mu.Unlock()
	for k, v := range a.header {
		w.Header()[k] = v
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

// answer queues answers for action, given in order; the last one repeats.
func (s *apiStub) answer(action string, status int, body string) *apiStub {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers[action] = append(s.answers[action], stubAnswer{status: status, body: body})
	return s
}

// answerWith queues an answer with headers.
func (s *apiStub) answerWith(action string, status int, header http.Header, body string) *apiStub {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers[action] = append(s.answers[action], stubAnswer{status, header, body})
	return s
}

// answerFixture answers action with the vendor document's example,
// testdata/responses/<action>.json.
func (s *apiStub) answerFixture(action string) *apiStub {
	return s.answer(action, http.StatusOK, fixture(s.t, action))
}

// requests returns what the stub received for action ("" for all).
func (s *apiStub) requests(action string) []stubRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []stubRequest
	for _, r := range s.got {
		if action == "" || r.Query.Get("Action") == action {
			out = append(out, r)
		}
	}
	return out
}

// only returns the one request received for action, failing otherwise.
func (s *apiStub) only(action string) stubRequest {
	s.t.Helper()
	got := s.requests(action)
	require.Len(s.t, got, 1, "requests for %s", action)
	return got[0]
}

func fixture(t testing.TB, action string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "responses", action+".json"))
	require.NoError(t, err)
	return string(b)
}

// expiringContext is a context whose deadline passes when the test says
// so, not when a clock does: tests that need a deadline to pass at a given
// point do not depend on how loaded the machine is.
type expiringContext struct {
	context.Context
	done chan struct{}
	once sync.Once
}

func newExpiringContext() *expiringContext {
	return &expiringContext{Context: context.Background(), done: make(chan struct{})}
}

// expire makes the deadline pass.
func (c *expiringContext) expire() { c.once.Do(func() { close(c.done) }) }

func (c *expiringContext) Done() <-chan struct{} { return c.done }

func (c *expiringContext) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// fromData converts an answer's Data, given as JSON, to a's response, as
// the call path does.
func fromData[Req any, PReq interface {
	*Req
	validate() error
}, Data any, Resp any, PResp interface {
	*Resp
	meta() *ResponseMeta
}](t testing.TB, a *action[Req, PReq, Data, Resp, PResp], data string) *Resp {
	t.Helper()
	var d Data
	env, ok := decodeBody([]byte(`{"Code":"Success","Data":`+data+`}`), &d)
	require.True(t, ok, data)
	require.Empty(t, env.malformed+env.ambiguous, data)
	resp, err := a.answer(new(Req), &d, chinaStandardTime)
	require.NoError(t, err)
	return resp
}

// answerData is the Data of a whole answer, as JSON.
func answerData(t testing.TB, answer string) string {
	t.Helper()
	var env struct{ Data json.RawMessage }
	require.NoError(t, json.Unmarshal([]byte(answer), &env))
	return string(env.Data)
}

// assertGET checks a GET request to /lb/: the signed query holds the
// common parameters and exactly want besides (nil: nothing), and there is
// no body. (The stub has already verified the signature.)
func assertGET(t *testing.T, r stubRequest, action string, want map[string]string) {
	t.Helper()
	assert.Equal(t, http.MethodGet, r.Method)
	assert.Equal(t, "/lb/", r.Path)
	assertCommonParams(t, r, action)
	own := map[string]string{}
	for k, v := range r.Query {
		if !slices.Contains(commonParams, k) {
			assert.Len(t, v, 1, "query parameter %s", k)
			own[k] = v[0]
		}
	}
	if want == nil {
		want = map[string]string{}
	}
	assert.Equal(t, want, own, "the action's parameters in the query")
	assert.Empty(t, r.Body, "a GET has no body")
	assert.Empty(t, r.Header.Get("Content-Type"))
}

// decodeBody decodes an answer held in memory as the call path decodes one.
func decodeBody(body []byte, into any) (envelope, bool) {
	return decodeAnswer(jsontext.NewDecoder(bytes.NewReader(body), tolerant), into)
}
