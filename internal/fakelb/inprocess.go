package fakelb

import (
	"net/http"
	"net/http/httptest"
)

// InProcess is an http.RoundTripper that serves every request with Handler
// in this process, with no connection: a client given it talks to the
// fake (or to its Direct handler) without a listener.
type InProcess struct{ Handler http.Handler }

// RoundTrip serves r with the handler and returns its recorded answer.
func (t InProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.Handler.ServeHTTP(rec, r)
	if r.Body != nil {
		r.Body.Close()
	}
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}
