package fakelb

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Call is one authenticated request in the journal, with its answer.
type Call struct {
	Action string
	Method string
	// Params are the request's query parameters without the signature's
	// common ones (Action, AccessKeyId, Signature, SignatureMethod,
	// SignatureNonce, SignatureVersion, Timestamp, Version).
	Params url.Values
	// Body is the JSON body of a POST as sent, nil for a GET; a body
	// longer than the fake reads is cut there.
	Body    json.RawMessage
	Status  int    // the HTTP status answered; 0 if the connection was closed first
	Code    string // the answer's Code; "" for an HTML page or no answer
	Dropped bool   // the connection was closed without a complete answer
	Time    time.Time
}

// Write reports whether the call's action changes state: every action
// whose name does not start with Describe.
func (c Call) Write() bool { return IsWrite(c.Action) }

// IsWrite reports whether an action the fake serves changes state: it
// serves nothing else than Describe actions that read and other actions
// that write.
func IsWrite(action string) bool {
	_, ok := routes[action]
	return ok && !strings.HasPrefix(action, "Describe")
}

// signatureParams are the common parameters a journal leaves out.
var signatureParams = []string{"Action", "AccessKeyId", "Signature", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp", "Version"}

// journal keeps the last calls, within a count and a size in bytes; both
// zero keep nothing.
type journal struct {
	mu              sync.Mutex
	calls           []Call
	bytes           int // of the Params and Bodies kept
	maxCalls, maxSz int
}

// EnableJournal keeps the last maxCalls authenticated requests with their
// answers, dropping the oldest beyond maxCalls or once the parameters and
// bodies kept pass maxBytes. Requests refused before authentication are
// never kept. Zero for either turns the journal off, which is the default,
// and forgets what it held.
func (s *Server) EnableJournal(maxCalls, maxBytes int) {
	j := &s.journal
	j.mu.Lock()
	defer j.mu.Unlock()
	j.maxCalls, j.maxSz = max(maxCalls, 0), max(maxBytes, 0)
	if j.maxCalls == 0 || j.maxSz == 0 {
		j.calls, j.bytes = nil, 0
	}
	j.trim()
}

// Calls returns the journal's calls of the action ("*": every action), in
// the order they were answered.
func (s *Server) Calls(action string) []Call {
	j := &s.journal
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []Call
	for _, c := range j.calls {
		if action == "*" || c.Action == action {
			c.Params = cloneValues(c.Params)
			c.Body = bytes.Clone(c.Body)
			out = append(out, c)
		}
	}
	return out
}

// ClearJournal forgets every call kept.
func (s *Server) ClearJournal() {
	j := &s.journal
	j.mu.Lock()
	defer j.mu.Unlock()
	j.calls, j.bytes = nil, 0
}

func (j *journal) on() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.maxCalls > 0 && j.maxSz > 0
}

func (j *journal) add(c Call) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.maxCalls == 0 || j.maxSz == 0 {
		return
	}
	j.calls = append(j.calls, c)
	j.bytes += size(c)
	j.trim()
}

// trim drops the oldest calls until the journal fits its limits.
func (j *journal) trim() {
	drop := 0
	for drop < len(j.calls) && (len(j.calls)-drop > j.maxCalls || j.bytes > j.maxSz) {
		j.bytes -= size(j.calls[drop])
		j.calls[drop] = Call{}
		drop++
	}
	if drop > 0 {
		j.calls = append(j.calls[:0:0], j.calls[drop:]...)
	}
}

func size(c Call) int {
	n := len(c.Body) + len(c.Action)
	for k, vs := range c.Params {
		n += len(k)
		for _, v := range vs {
			n += len(v)
		}
	}
	return n
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// record serves an authenticated request with serve and, when the journal
// is on, keeps it with its answer, even when serve drops the connection.
func (s *Server) record(w http.ResponseWriter, r *http.Request, action string, serve func(http.ResponseWriter)) {
	if !s.journal.on() {
		serve(w)
		return
	}
	rec := &recorder{ResponseWriter: w}
	var body *bytes.Buffer
	if r.Method == http.MethodPost && r.Body != nil {
		body = &bytes.Buffer{}
		r.Body = teeBody{io.TeeReader(io.LimitReader(r.Body, maxBody+1), limitedWriter{body, maxBody}), r.Body}
	}
	c := Call{Action: action, Method: r.Method}
	if q, err := url.ParseQuery(r.URL.RawQuery); err == nil || len(q) > 0 {
		for _, name := range signatureParams {
			delete(q, name)
		}
		c.Params = q
	}
	defer func() {
		p := recover()
		c.Status, c.Code, c.Dropped = rec.status, rec.code(), p != nil
		if body != nil && body.Len() > 0 {
			c.Body = json.RawMessage(body.Bytes())
		}
		c.Time = s.cfg.Now()
		s.journal.add(c)
		if p != nil {
			panic(p)
		}
	}()
	serve(rec)
}

// recorder notes the status and the start of the body of an answer.
type recorder struct {
	http.ResponseWriter
	status int
	head   []byte // up to 512 bytes of the body, to find its Code
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if n := min(512-len(r.head), len(b)); n > 0 {
		r.head = append(r.head, b[:n]...)
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// code finds the envelope's first Code in the start of the answer.
func (r *recorder) code() string {
	_, rest, ok := bytes.Cut(r.head, []byte(`"Code":"`))
	if !ok {
		return ""
	}
	code, _, ok := bytes.Cut(rest, []byte(`"`))
	if !ok {
		return ""
	}
	return string(code)
}

// teeBody copies what is read of a request body into the journal.
type teeBody struct {
	io.Reader
	io.Closer
}

// limitedWriter keeps at most n bytes and takes the rest without error.
type limitedWriter struct {
	buf *bytes.Buffer
	n   int
}

func (w limitedWriter) Write(b []byte) (int, error) {
	if room := w.n - w.buf.Len(); room > 0 {
		w.buf.Write(b[:min(room, len(b))])
	}
	return len(b), nil
}
