package fakelb

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault describes misbehaviour injected into the answers of an action. It
// is cdslbtest.Fault, which documents each field: cdslbtest converts one to
// the other, so the two must keep the same fields in the same order.
type Fault struct {
	Latency       time.Duration
	DropRate      float64
	Truncate      bool
	ErrorRate     float64
	Status        int
	HTML          bool
	RetryAfter    time.Duration
	ConflictRate  float64
	DropAfterRate float64
	Malformed     string
}

// The kinds of malformed answer, for Fault.Malformed. Each runs the action
// and answers Success with an envelope no client should believe.
const (
	// MalformedDuplicateData gives Data twice: the action's, then an empty
	// one of the same kind.
	MalformedDuplicateData = "duplicate-data"
	// MalformedDuplicateCode gives Code twice: Success, then InternalError.
	MalformedDuplicateCode = "duplicate-code"
	// MalformedMissingIDs leaves out of Data every member whose name ends
	// in Id, Ids, Uuid or Uuids (InstanceUuids, CertificateId, ...).
	MalformedMissingIDs = "missing-ids"
)

// faultTable holds the faults by action, the faults of the next requests
// (FailNext), and the seeded source that decides which requests they
// strike.
type faultTable struct {
	mu     sync.Mutex
	rng    *rand.Rand
	byName map[string]Fault
	next   map[string][]countedFault // FailNext's, in the order given

	closed    chan struct{} // closed by Close: latency ends at once
	closeOnce sync.Once
}

// countedFault strikes the next n requests of an action.
type countedFault struct {
	n int
	f Fault
}

func newFaultTable(seed uint64) faultTable {
	return faultTable{rng: rand.New(rand.NewPCG(seed, 0x6661756c74)), byName: map[string]Fault{},
		next: map[string][]countedFault{}, closed: make(chan struct{})}
}

// SetFault sets the fault of an action, replacing any earlier one. The
// action "" or "*" sets the fault of every action that has none of its own.
// The zero Fault removes the fault. An unknown action or a fault with a
// rate outside 0 to 1, a negative latency, a status outside 400 to 599 or
// a RetryAfter that is not a whole number of seconds is an error, and
// nothing is changed.
func (s *Server) SetFault(action string, f Fault) error {
	if action == "" {
		action = "*"
	}
	if err := checkAction(action); err != nil {
		return err
	}
	if err := f.check(); err != nil {
		return err
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if f == (Fault{}) {
		delete(s.faults.byName, action)
		return nil
	}
	s.faults.byName[action] = f
	return nil
}

// ClearFaults removes the faults of every action, FailNext's included.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	clear(s.faults.byName)
	clear(s.faults.next)
}

// FailNext strikes each of the next n requests of the action that reach
// it (authenticated, for an action the fake serves, on its path and
// method, with a readable body) with f, made certain: every non-zero rate
// is taken as 1, and a fault that sets no rate, no Latency and no
// Malformed answers an error with its Status (500 by default). Then the
// action's SetFault applies again. The action "*" strikes the next n
// requests of any action, after the action's own FailNext; calls queue up
// in the order given. An unknown action, n below 1 or an invalid Fault is
// an error, and nothing changes.
func (s *Server) FailNext(action string, n int, f Fault) error {
	if action == "" {
		action = "*"
	}
	if err := checkAction(action); err != nil {
		return err
	}
	if n < 1 {
		return fmt.Errorf("FailNext: n must be at least 1, not %d", n)
	}
	if err := f.check(); err != nil {
		return err
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.next[action] = append(s.faults.next[action], countedFault{n, f.certain()})
	return nil
}

// certain makes every rate of f that is not zero 1, and makes a fault that
// would strike no way an error answer.
func (f Fault) certain() Fault {
	for _, r := range []*float64{&f.DropRate, &f.ErrorRate, &f.ConflictRate, &f.DropAfterRate} {
		if *r > 0 {
			*r = 1
		}
	}
	if f.Status != 0 || f.HTML || f.RetryAfter != 0 ||
		f.DropRate == 0 && f.ErrorRate == 0 && f.ConflictRate == 0 && f.DropAfterRate == 0 && f.Latency == 0 && f.Malformed == "" {
		f.ErrorRate = 1
	}
	return f
}

// takeNext returns the FailNext fault for one request of the action, if
// one is pending, and counts it down.
func (t *faultTable) takeNext(action string) (Fault, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, key := range [2]string{action, "*"} {
		q := t.next[key]
		if len(q) == 0 {
			continue
		}
		f := q[0].f
		if q[0].n--; q[0].n == 0 {
			q = q[1:]
		}
		if len(q) == 0 {
			delete(t.next, key)
		} else {
			t.next[key] = q
		}
		return f, true
	}
	return Fault{}, false
}

// Close ends every injected latency at once, now and later: a request
// waiting in one has its connection closed without an answer, so that the
// client's call fails at once and a server shutting down does not wait
// for it. It is safe to call more than once.
func (s *Server) Close() {
	s.faults.closeOnce.Do(func() { close(s.faults.closed) })
}

// checkAction refuses a name that is neither "*" nor an action the fake
// serves, suggesting the closest action.
func checkAction(action string) error {
	if _, ok := routes[action]; ok || action == "*" {
		return nil
	}
	best, bestDist := "", len(action)/2+1 // suggest only a near miss
	for name := range routes {
		if d := distance(strings.ToLower(action), strings.ToLower(name)); d < bestDist || d == bestDist && name < best {
			best, bestDist = name, d
		}
	}
	if best != "" {
		return fmt.Errorf("unknown action %q: did you mean %s?", action, best)
	}
	return fmt.Errorf("unknown action %q: want an action name or *", action)
}

// distance is the Levenshtein distance between two strings, in bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// check refuses rates outside 0 to 1 (NaN included), a negative latency,
// a status that is not 0 or from 400 to 599, and a RetryAfter that is
// negative or not a whole number of seconds, which the header cannot say.
func (f Fault) check() error {
	for _, r := range []struct {
		name string
		v    float64
	}{{"DropRate", f.DropRate}, {"ErrorRate", f.ErrorRate}, {"ConflictRate", f.ConflictRate}, {"DropAfterRate", f.DropAfterRate}} {
		if !(r.v >= 0 && r.v <= 1) {
			return fmt.Errorf("fault: %s must be from 0 to 1, not %v", r.name, r.v)
		}
	}
	if f.Latency < 0 {
		return fmt.Errorf("fault: Latency must not be negative, not %v", f.Latency)
	}
	if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
		return fmt.Errorf("fault: Status must be 0 (500) or from 400 to 599, not %d", f.Status)
	}
	if f.RetryAfter < 0 || f.RetryAfter%time.Second != 0 {
		return fmt.Errorf("fault: RetryAfter must be a whole number of seconds, not %v", f.RetryAfter)
	}
	switch f.Malformed {
	case "", MalformedDuplicateData, MalformedDuplicateCode, MalformedMissingIDs:
	default:
		return fmt.Errorf("fault: Malformed must be %q, %q or %q, not %q", MalformedDuplicateData, MalformedDuplicateCode, MalformedMissingIDs, f.Malformed)
	}
	return nil
}

// strike is the fault decided for one request.
type strike struct {
	table  *faultTable
	action string
	Fault
}

func (t *faultTable) get(action string) strike {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.byName[action]
	if !ok {
		f = t.byName["*"]
	}
	return strike{t, action, f}
}

func (t *faultTable) roll(rate float64) bool {
	if rate <= 0 {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.rng.Float64() < rate
}

// before applies the faults that strike before the action runs. It reports
// whether the request should go on.
// A pending FailNext fault replaces the action's fault here, once the
// request has reached it. Latency ends early, with the connection closed,
// when the server is closed.
func (f *strike) before(w http.ResponseWriter, r *http.Request) bool {
	if f.table == nil {
		return true
	}
	if next, ok := f.table.takeNext(f.action); ok {
		f.Fault = next
	}
	if f.Latency > 0 {
		timer := time.NewTimer(f.Latency)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done():
			return false
		case <-f.table.closed:
			panic(http.ErrAbortHandler)
		}
	}
	switch {
	case f.table.roll(f.DropRate):
		status, env := errorEnvelope(&apiError{http.StatusInternalServerError, "InternalError", "internal error (injected fault)"})
		drop(w, status, env, f.Truncate)
	case f.table.roll(f.ErrorRate):
		writeFault(w, f.Fault)
	case f.table.roll(f.ConflictRate):
		writeError(w, inUsef("the resource is busy with another task (injected fault)"))
	default:
		return true
	}
	return false
}

// after reports whether the answer of an action that ran must be lost.
func (f strike) after() bool { return f.table.roll(f.DropAfterRate) }

// drop closes the connection without a complete answer. With truncate, it
// first sends the headers of env and half of its body. It does not return:
// it aborts the handler with http.ErrAbortHandler, which net/http handles
// silently by closing the connection.
func drop(w http.ResponseWriter, status int, env envelope, truncate bool) {
	if truncate {
		body := mustJSON(env)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		_, _ = w.Write(body[:len(body)/2])
		_ = http.NewResponseController(w).Flush()
	}
	panic(http.ErrAbortHandler)
}

// writeFault answers an injected error with f.Status: a JSON InternalError
// envelope for 500 without f.HTML, else the HTML page nginx sends for the
// status; with a Retry-After header if f asks for one.
func writeFault(w http.ResponseWriter, f Fault) {
	status := cmp.Or(f.Status, http.StatusInternalServerError)
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(int64(f.RetryAfter/time.Second), 10))
	}
	if !f.HTML && status == http.StatusInternalServerError {
		writeError(w, &apiError{status, "InternalError", "internal error (injected fault)"})
		return
	}
	text := strings.TrimSpace(fmt.Sprintf("%d %s", status, http.StatusText(status)))
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", text, text)
}

// FaultKinds documents the kinds ParseFault reads, one per line.
const FaultKinds = `	400 to 599          answer that HTTP status, such as 429 or 503: 500 as a JSON
	                    InternalError, any other as the gateway's HTML page;
	                    ARG is the rate (default 1)
	html                answer 502 as an HTML page; ARG is the rate
	retry-after         add Retry-After to the error answers; ARG is a whole
	                    number of seconds as a Go duration, such as 30s
	drop                close the connection before running; ARG is the rate
	truncate            send half a 500 answer without running, then close; ARG is the rate
	drop-after          run the action, then close the connection; ARG is the rate
	truncate-after      run the action, send half its answer, then close; ARG is the rate
	conflict            answer 409 ResourceInUse; ARG is the rate
	latency             delay every answer by ARG, a Go duration such as 200ms
	malformed           run the action, then answer Success malformed; ARG is
	                    duplicate-data, duplicate-code or missing-ids
	next                strike only the next ARG requests of the action, each
	                    with certainty (rates taken as 1), then stop
`

// ParseFault parses a fault specification of the form ACTION=KIND[:ARG][,KIND[:ARG]...],
// for a command-line flag. ACTION is an action name or "*" for every action;
// an unknown action is an error that suggests the closest one. A rate is a
// number from 0 to 1; a latency is a duration that is not negative. The
// kinds are listed in FaultKinds. For example "DescribeZones=503:0.2",
// "CreateLoadBalancer=drop-after:0.5", "*=latency:200ms,500:0.1" or
// "DescribeLoadBalancers=429:0.5,retry-after:2s".
func ParseFault(spec string) (action string, f Fault, err error) {
	action, n, f, err := ParseFaultN(spec)
	if err == nil && n != 0 {
		return "", Fault{}, fmt.Errorf("fault %q: next is not allowed here", spec)
	}
	return action, f, err
}

// ParseFaultN is ParseFault that also reads the kind next:N, which makes
// the fault strike only the next n requests, for FailNext; n is 0 without
// it.
func ParseFaultN(spec string) (action string, n int, f Fault, err error) {
	action, kinds, ok := strings.Cut(spec, "=")
	action = strings.TrimSpace(action)
	if !ok || action == "" || kinds == "" {
		return "", 0, Fault{}, fmt.Errorf("fault %q: want ACTION=KIND[:ARG][,...]", spec)
	}
	if err := checkAction(action); err != nil {
		return "", 0, Fault{}, fmt.Errorf("fault %q: %w", spec, err)
	}
	for part := range strings.SplitSeq(kinds, ",") {
		kind, arg, hasArg := strings.Cut(strings.TrimSpace(part), ":")
		if kind == "latency" {
			if f.Latency, err = time.ParseDuration(arg); err != nil || f.Latency < 0 {
				return "", 0, Fault{}, fmt.Errorf("fault %q: latency needs a duration that is not negative, such as 200ms", spec)
			}
			continue
		}
		if kind == "malformed" {
			if f.Malformed = arg; (Fault{Malformed: arg}).check() != nil || arg == "" {
				return "", 0, Fault{}, fmt.Errorf("fault %q: malformed needs duplicate-data, duplicate-code or missing-ids", spec)
			}
			continue
		}
		if kind == "next" {
			if n, err = strconv.Atoi(arg); err != nil || n < 1 {
				return "", 0, Fault{}, fmt.Errorf("fault %q: next needs a count of at least 1, such as next:2", spec)
			}
			continue
		}
		if kind == "retry-after" {
			if f.RetryAfter, err = time.ParseDuration(arg); err != nil || f.RetryAfter < 0 || f.RetryAfter%time.Second != 0 {
				return "", 0, Fault{}, fmt.Errorf("fault %q: retry-after needs a whole number of seconds, such as 30s", spec)
			}
			continue
		}
		rate := 1.0
		if hasArg {
			if rate, err = strconv.ParseFloat(arg, 64); err != nil || !(rate >= 0 && rate <= 1) {
				return "", 0, Fault{}, fmt.Errorf("fault %q: the rate of %s must be a number from 0 to 1", spec, kind)
			}
		}
		switch status, err := strconv.Atoi(kind); {
		case err == nil && status >= 400 && status <= 599 && kind == strconv.Itoa(status):
			f.Status, f.ErrorRate = status, rate
		case kind == "html":
			f.Status, f.HTML, f.ErrorRate = http.StatusBadGateway, true, rate
		case kind == "drop":
			f.DropRate = rate
		case kind == "truncate":
			f.DropRate, f.Truncate = rate, true
		case kind == "drop-after":
			f.DropAfterRate = rate
		case kind == "truncate-after":
			f.DropAfterRate, f.Truncate = rate, true
		case kind == "conflict":
			f.ConflictRate = rate
		default:
			return "", 0, Fault{}, fmt.Errorf("fault %q: unknown kind %q; the kinds are:\n%s", spec, kind, FaultKinds)
		}
	}
	return action, n, f, nil
}
