package fakelb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Config configures a fake Server.
type Config struct {
	// AccessKeyID and AccessKeySecret are the only credentials the fake
	// accepts. Both are required.
	AccessKeyID, AccessKeySecret string
	// Delay is how long asynchronous changes (create, spec change, listener
	// or config change, delete) keep an instance busy. Zero means they
	// complete at once.
	Delay time.Duration
	// Now is the fake's clock; nil means time.Now. Tests inject a settable
	// clock so that busy states end without sleeping.
	Now func() time.Time
	// AuthNow is the clock that request Timestamps are checked against and
	// that decides when a SignatureNonce is forgotten; nil means Now. A
	// test that moves Now far from the real time, while its client signs
	// with the real time, sets AuthNow to time.Now.
	AuthNow func() time.Time
	// Seed seeds the randomness of fault injection and of generated ids, so
	// that a run can be reproduced.
	Seed int64
	// ListenersPath is the one base path that serves
	// DescribeLBInstanceListeners: "/lb" (the default, also for "") or
	// "/paas/monitor". The document gives the first as the action's
	// address and its example posts to the second; the other path answers
	// 404 UnsupportedOperation.
	ListenersPath string
}

// Server is the in-memory fake of the CDS load-balancer API. It is an
// http.Handler and is safe for concurrent use.
type Server struct {
	cfg Config

	listenersPath basePath
	signers       sync.Pool // of *signer, keyed with the secret
	answers       sync.Pool // of *answerBuffer

	mu        sync.Mutex // guards everything below
	rng       *rand.Rand // ids and task ids
	instances map[string]*instance
	order     []*instance // in creation order, with deleted ones until compacted
	deleted   int         // how many of order are deleted
	tasks     taskQueue
	certs     map[string]*certificate
	certOrder []string
	vipCount  int
	tags      tagIDs

	nonces nonceMemory
	faults faultTable
	counts counter

	journal journal // authenticated requests, when EnableJournal turns it on
}

// New returns a fake Server with the zones and specifications of the vendor
// document and no instances or certificates. It panics if the access key pair
// is empty or ListenersPath is not a base path, which is a programming error
// in a test.
func New(cfg Config) *Server {
	if cfg.AccessKeyID == "" || cfg.AccessKeySecret == "" {
		panic("fakelb: Config.AccessKeyID and Config.AccessKeySecret are required")
	}
	listenersPath := pathLB
	if cfg.ListenersPath != "" {
		var ok bool
		if listenersPath, ok = parsePath(cfg.ListenersPath); !ok {
			panic(fmt.Sprintf("fakelb: Config.ListenersPath %q is neither /lb nor /paas/monitor", cfg.ListenersPath))
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AuthNow == nil {
		cfg.AuthNow = cfg.Now
	}
	seed := uint64(cfg.Seed)
	secret := cfg.AccessKeySecret
	return &Server{
		cfg:           cfg,
		listenersPath: listenersPath,
		signers:       sync.Pool{New: func() any { return newSigner(secret) }},
		answers:       sync.Pool{New: func() any { return newAnswerBuffer() }},
		rng:           rand.New(rand.NewPCG(seed, 0x636473)),
		instances:     map[string]*instance{},
		certs:         map[string]*certificate{},
		faults:        newFaultTable(seed),
		counts:        newCounter(),
	}
}

// basePath names the two URL prefixes of the API.
type basePath int

const (
	pathLB basePath = iota
	pathMonitor
)

// route describes one action: where and how it is called and what runs it.
type route struct {
	method string
	path   basePath
	run    func(*Server, *request) (reply, error)
	okMsg  string // the Message of a successful answer, as the document spells it
}

// listenersAction is the action whose base path the document leaves in
// doubt; see Config.ListenersPath.
const listenersAction = "DescribeLBInstanceListeners"

// routes is the dispatch table: every action the fake serves.
var routes = map[string]route{
	"DescribeZones":                   {http.MethodGet, pathLB, (*Server).describeZones, ""},
	"DescribeLoadBalancersSpec":       {http.MethodGet, pathLB, (*Server).describeSpec, "success"},
	"DescribeLoadBalancersModifySpec": {http.MethodGet, pathLB, (*Server).describeModifySpec, ""},
	"CreateLoadBalancer":              {http.MethodPost, pathLB, (*Server).createLoadBalancer, ""},
	"DescribeLoadBalancers":           {http.MethodGet, pathLB, (*Server).describeLoadBalancers, ""},
	"ModifyLoadBalancerInstanceSpec":  {http.MethodPost, pathLB, (*Server).modifyInstanceSpec, ""},
	"DeleteLoadBalancer":              {http.MethodPost, pathLB, (*Server).deleteLoadBalancer, ""},
	"ModifyLoadBalancerName":          {http.MethodPost, pathLB, (*Server).modifyName, ""},
	"DescribeCACertificates":          {http.MethodGet, pathLB, (*Server).describeCertificates, ""},
	"DescribeCACertificate":           {http.MethodGet, pathLB, (*Server).describeCertificate, ""},
	"UploadCACertificate":             {http.MethodPost, pathLB, (*Server).uploadCertificate, ""},
	"DeleteCACertificate":             {http.MethodPost, pathLB, (*Server).deleteCertificate, ""},
	"DescribeLoadBalancerStrategys":   {http.MethodGet, pathLB, (*Server).describeStrategys, ""},
	"ModifyLoadBalancerStrategys":     {http.MethodPost, pathLB, (*Server).modifyStrategys, ""},
	"AddLoadBalancerStrategys":        {http.MethodPost, pathLB, (*Server).addStrategys, ""},
	listenersAction:                   {http.MethodPost, pathLB, (*Server).describeListeners, ""},
	"DescribeHaproxyCustomConfig":     {http.MethodGet, pathLB, (*Server).describeHaproxyConfig, ""},
	"ModifyHaproxyCustomConfig":       {http.MethodPost, pathLB, (*Server).modifyHaproxyConfig, ""},
	"DescribeLBInstancePerformance":   {http.MethodPost, pathMonitor, (*Server).describePerformance, "success"},
}

// parsePath maps a URL path to its base path; ok is false for any other path.
func parsePath(p string) (basePath, bool) {
	switch strings.TrimSuffix(p, "/") {
	case "/lb":
		return pathLB, true
	case "/paas/monitor":
		return pathMonitor, true
	}
	return 0, false
}

// ServeHTTP answers one API request: it checks the signature, finds the
// action, applies any configured fault, runs the action and writes the
// {Code, Message, Data, TaskId} envelope.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, err := newRequest(r)
	action := req.query.get("Action")
	s.counts.add(action)
	if err == nil {
		err = s.authenticate(r.Method, req.query, s.cfg.AuthNow())
	}
	if err != nil {
		refuse(w, r, err)
		return
	}
	s.record(w, r, action, func(w http.ResponseWriter) { s.serve(w, r, req, s.faults.get(action)) })
}

// Direct returns a handler that serves every action as the fake's owner
// would: without authentication, request counting or faults, and with every
// change finished at once. It is for reading and seeding the state in
// tests; never expose it on a network.
func (s *Server) Direct() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := newRequest(r)
		if err != nil {
			refuse(w, r, err)
			return
		}
		req.immediate = true
		s.serve(w, r, req, strike{})
	})
}

// serve runs the action of an authenticated request under the fault f.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, req *request, f strike) {
	rt, err := s.lookup(req.query.get("Action"), r.Method, r.URL.Path)
	if err != nil {
		refuse(w, r, err)
		return
	}
	// The body is read before any fault: only then does net/http notice a
	// client that hangs up during injected latency.
	if err := req.readBody(r); err != nil {
		refuse(w, r, err)
		return
	}
	if !f.before(w, r) {
		return
	}
	req.now = s.cfg.Now() // the action happens after any injected latency
	rep, err := s.run(rt, req)
	if err != nil {
		writeError(w, err)
		return
	}
	s.answer(w, successEnvelope(rt, rep), f)
}

// refuse answers a request that is refused before its body was read. When
// it has a body, the connection is closed after the answer, so that net/http
// does not wait for a body that may never come before answering.
func refuse(w http.ResponseWriter, r *http.Request, err error) {
	if r.ContentLength != 0 {
		w.Header().Set("Connection", "close")
	}
	writeError(w, err)
}

// lookup finds the route of an action and checks the method and path.
// DescribeLBInstanceListeners is served at Config.ListenersPath, and the
// other base path answers it 404: the address the document gives is in
// doubt, and a client that looks for it at both is told "not here".
func (s *Server) lookup(action, method, path string) (route, error) {
	if action == "" {
		return route{}, argMissing("Action")
	}
	rt, ok := routes[action]
	if !ok {
		return route{}, &apiError{http.StatusBadRequest, "UnsupportedOperation", fmt.Sprintf("action %q is not supported", action)}
	}
	status := http.StatusBadRequest
	if action == listenersAction {
		rt.path, status = s.listenersPath, http.StatusNotFound
	}
	if bp, ok := parsePath(path); !ok || bp != rt.path {
		return route{}, &apiError{status, "UnsupportedOperation", fmt.Sprintf("action %s is not served on path %q", action, path)}
	}
	if method != rt.method {
		return route{}, &apiError{http.StatusBadRequest, "UnsupportedOperation", fmt.Sprintf("action %s needs HTTP method %s, not %s", action, rt.method, method)}
	}
	return rt, nil
}

// run executes an action under the state lock, after settling every
// asynchronous change that has finished by the request's time.
func (s *Server) run(rt route, req *request) (reply, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settle(req.now)
	return rt.run(s, req)
}

// reply is what an action answers on success.
type reply struct {
	data   any
	taskID string
	noData bool // the answer has neither Data nor TaskId (ModifyLoadBalancerName)
}

// envelope is the JSON shape of every answer. Data is encoded with the
// envelope, once; a nil Data is left out.
type envelope struct {
	Code    string  `json:"Code"`
	Message string  `json:"Message"`
	Data    any     `json:"Data,omitempty"`
	TaskID  *string `json:"TaskId,omitempty"`
}

// apiError is a refusal with its HTTP status and API code.
type apiError struct {
	status int
	code   string
	msg    string
}

// Error returns the code and message.
func (e *apiError) Error() string { return e.code + ": " + e.msg }

func argMissing(name string) error {
	return &apiError{http.StatusBadRequest, "ArgMissing", name + " is required"}
}

func invalidf(format string, args ...any) error {
	return &apiError{http.StatusBadRequest, "InvalidParameter", fmt.Sprintf(format, args...)}
}

func notFoundf(format string, args ...any) error {
	return &apiError{http.StatusNotFound, "ResourceNotFound", fmt.Sprintf(format, args...)}
}

func inUsef(format string, args ...any) error {
	return &apiError{http.StatusConflict, "ResourceInUse", fmt.Sprintf(format, args...)}
}

func successEnvelope(rt route, rep reply) envelope {
	env := envelope{Code: "Success", Message: rt.okMsg}
	if env.Message == "" {
		env.Message = "Success."
	}
	if !rep.noData {
		env.Data = rep.data
		if env.Data == nil {
			env.Data = struct{}{}
		}
		env.TaskID = &rep.taskID
	}
	return env
}

func errorEnvelope(err error) (int, envelope) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{http.StatusInternalServerError, "InternalError", "internal error"}
	}
	empty := ""
	return ae.status, envelope{Code: ae.code, Message: ae.msg, Data: json.RawMessage("null"), TaskID: &empty}
}

func writeError(w http.ResponseWriter, err error) {
	status, env := errorEnvelope(err)
	writeEnvelope(w, status, mustJSON(env))
}

func writeEnvelope(w http.ResponseWriter, status int, body []byte) {
	w.Header()["Content-Type"] = jsonContentType
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// jsonContentType is the Content-Type of every JSON answer, shared and never
// written: a handler that adds a value appends to a full slice, which copies it.
var jsonContentType = []string{"application/json; charset=utf-8"}

// answerBuffer encodes answers without allocating a buffer or an encoder
// for each; the Server keeps a pool of them.
type answerBuffer struct {
	buf bytes.Buffer
	enc *json.Encoder
}

func newAnswerBuffer() *answerBuffer {
	a := &answerBuffer{}
	a.enc = json.NewEncoder(&a.buf)
	a.enc.SetEscapeHTML(false)
	return a
}

// writeAnswer encodes env and writes it as the answer, with status.
func (s *Server) writeAnswer(w http.ResponseWriter, status int, env envelope) {
	a := s.answers.Get().(*answerBuffer)
	a.buf.Reset()
	a.encode(env)
	writeEnvelope(w, status, a.buf.Bytes())
	if a.buf.Cap() <= 64<<10 { // a huge answer's buffer is left to the collector
		s.answers.Put(a)
	}
}

// encodedList is a Data list whose entries are JSON already: the envelope
// around it is written as encoding/json would write it, and the entries
// are not encoded, nor checked, again.
type encodedList [][]byte

// MarshalJSON writes the list as its entries: an answer encoded by other
// means than the buffer's (such as a truncated one) holds the same bytes.
func (l encodedList) MarshalJSON() ([]byte, error) {
	return append(append([]byte("["), bytes.Join(l, []byte(","))...), ']'), nil
}

// encode writes env into the buffer as mustJSON does.
func (a *answerBuffer) encode(env envelope) {
	l, ok := env.Data.(encodedList)
	if !ok {
		if err := a.enc.Encode(env); err != nil {
			panic("fakelb: cannot encode answer: " + err.Error())
		}
		a.buf.Truncate(a.buf.Len() - 1) // the newline Encode ends with
		return
	}
	a.buf.WriteString(`{"Code":`)
	a.writeString(env.Code)
	a.buf.WriteString(`,"Message":`)
	a.writeString(env.Message)
	a.buf.WriteString(`,"Data":[`)
	for i, e := range l {
		if i > 0 {
			a.buf.WriteByte(',')
		}
		a.buf.Write(e)
	}
	a.buf.WriteByte(']')
	if env.TaskID != nil {
		a.buf.WriteString(`,"TaskId":`)
		a.writeString(*env.TaskID)
	}
	a.buf.WriteByte('}')
}

// writeString writes s as a JSON string, as the buffer's encoder would.
func (a *answerBuffer) writeString(s string) {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			_ = a.enc.Encode(s)
			a.buf.Truncate(a.buf.Len() - 1)
			return
		}
	}
	a.buf.WriteByte('"')
	a.buf.WriteString(s)
	a.buf.WriteByte('"')
}

func mustJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("fakelb: cannot encode answer: " + err.Error())
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// newID returns a random UUID (version 4 layout) from the seeded source.
// The caller holds s.mu.
func (s *Server) newID() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(s.rng.Uint32())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
