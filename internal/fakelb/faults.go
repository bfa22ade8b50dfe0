package fakelb

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault describes misbehaviour injected into the answers of an action. The
// rates are shares of requests, from 0 (never) to 1 (always), each drawn
// independently from the Server's seeded source. Every fault except
// DropAfterRate strikes before the action runs, so the state is unchanged.
type Fault struct {
	// Latency delays every answer; a request whose context ends while it
	// waits gets no answer.
	Latency time.Duration
	// DropRate is the share of requests whose connection is closed without
	// an answer, before the action runs.
	DropRate float64
	// Truncate makes a drop send the headers and half of a JSON body before
	// closing the connection: half of a 500 InternalError envelope for
	// DropRate, half of the real answer for DropAfterRate.
	Truncate bool
	// ErrorRate is the share of requests answered with Status.
	ErrorRate float64
	// Status is the HTTP status of an error answer: 500 (the default) is a
	// JSON InternalError envelope; 502, 503 and 504 are HTML gateway pages.
	Status int
	// HTML makes every error answer an HTML gateway page, whatever Status.
	HTML bool
	// ConflictRate is the share of requests refused with 409 ResourceInUse.
	ConflictRate float64
	// DropAfterRate is the share of requests that run (and change state)
	// and whose connection is then closed without an answer: "the server
	// did it, but the answer was lost".
	DropAfterRate float64
}

// faultTable holds the faults by action, and the seeded source that decides
// which requests they strike.
type faultTable struct {
	mu     sync.Mutex
	rng    *rand.Rand
	byName map[string]Fault
}

func newFaultTable(seed uint64) faultTable {
	return faultTable{rng: rand.New(rand.NewPCG(seed, 0x6661756c74)), byName: map[string]Fault{}}
}

// SetFault sets the fault of an action, replacing any earlier one. The
// action "" or "*" sets the fault of every action that has none of its own.
// The zero Fault removes the fault.
func (s *Server) SetFault(action string, f Fault) {
	if action == "" {
		action = "*"
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if f == (Fault{}) {
		delete(s.faults.byName, action)
		return
	}
	s.faults.byName[action] = f
}

// strike is the fault decided for one request.
type strike struct {
	table *faultTable
	Fault
}

func (t *faultTable) get(action string) strike {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.byName[action]
	if !ok {
		f = t.byName["*"]
	}
	return strike{t, f}
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
func (f strike) before(w http.ResponseWriter, r *http.Request) bool {
	if f.Latency > 0 {
		timer := time.NewTimer(f.Latency)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done():
			return false
		}
	}
	switch {
	case f.table.roll(f.DropRate):
		status, env := errorEnvelope(&apiError{http.StatusInternalServerError, "InternalError", "internal error (injected fault)"})
		drop(w, status, env, f.Truncate)
	case f.table.roll(f.ErrorRate):
		writeFault(w, f.Status, f.HTML)
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

// writeFault answers an injected server error.
func writeFault(w http.ResponseWriter, status int, html bool) {
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if !html && status == http.StatusInternalServerError {
		writeError(w, &apiError{status, "InternalError", "internal error (injected fault)"})
		return
	}
	text := fmt.Sprintf("%d %s", status, http.StatusText(status))
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", text, text)
}

// ParseFault parses a fault specification of the form ACTION=KIND[:ARG][,KIND[:ARG]...],
// for a command-line flag. ACTION is an action name or "*" for every action.
// Kinds:
//
//	500, 502, 503, 504  answer that status; ARG is the rate (default 1)
//	html                answer 502 as an HTML page; ARG is the rate
//	drop                close the connection before running; ARG is the rate
//	truncate            send half a 500 answer without running, then close; ARG is the rate
//	drop-after          run the action, then close the connection; ARG is the rate
//	truncate-after      run the action, send half its answer, then close; ARG is the rate
//	conflict            answer 409 ResourceInUse; ARG is the rate
//	latency             delay every answer by ARG, a Go duration such as 200ms
//
// For example "DescribeZones=503:0.2", "CreateLoadBalancer=drop-after:0.5"
// or "*=latency:200ms,500:0.1".
func ParseFault(spec string) (action string, f Fault, err error) {
	action, kinds, ok := strings.Cut(spec, "=")
	action = strings.TrimSpace(action)
	if !ok || action == "" || kinds == "" {
		return "", Fault{}, fmt.Errorf("fault %q: want ACTION=KIND[:ARG][,...]", spec)
	}
	for part := range strings.SplitSeq(kinds, ",") {
		kind, arg, hasArg := strings.Cut(strings.TrimSpace(part), ":")
		if kind == "latency" {
			if f.Latency, err = time.ParseDuration(arg); err != nil || f.Latency < 0 {
				return "", Fault{}, fmt.Errorf("fault %q: latency needs a duration such as 200ms", spec)
			}
			continue
		}
		rate := 1.0
		if hasArg {
			if rate, err = strconv.ParseFloat(arg, 64); err != nil || rate < 0 || rate > 1 {
				return "", Fault{}, fmt.Errorf("fault %q: the rate of %s must be a number from 0 to 1", spec, kind)
			}
		}
		switch kind {
		case "500", "502", "503", "504":
			f.Status, _ = strconv.Atoi(kind)
			f.ErrorRate = rate
		case "html":
			f.Status, f.HTML, f.ErrorRate = http.StatusBadGateway, true, rate
		case "drop":
			f.DropRate = rate
		case "truncate":
			f.DropRate, f.Truncate = rate, true
		case "drop-after":
			f.DropAfterRate = rate
		case "truncate-after":
			f.DropAfterRate, f.Truncate = rate, true
		case "conflict":
			f.ConflictRate = rate
		default:
			return "", Fault{}, fmt.Errorf("fault %q: unknown kind %q", spec, kind)
		}
	}
	return action, f, nil
}
