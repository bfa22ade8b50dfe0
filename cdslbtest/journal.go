package cdslbtest

import (
	"encoding/json"
	"errors"
	"net/url"
	"time"

	"github.com/cdsgo/cdslb/internal/fakelb"
)

// Call is one request in a Server's journal, with its answer. The journal
// keeps every request that passed authentication: served, refused by the
// action (such as 409 ResourceInUse), or struck by a fault. It never keeps
// a request refused before authentication, nor the reads and seeds of the
// Server's own methods. It holds the last 10,000 calls, and fewer when
// their parameters and bodies pass 32 MiB.
type Call struct {
	// Action is the request's action, such as "CreateLoadBalancer".
	Action string
	// Method is the HTTP method: GET for most reads, POST for writes and
	// a few reads.
	Method string
	// Params are the query parameters of the request without the
	// signature's common ones (Action, AccessKeyId, Signature,
	// SignatureMethod, SignatureNonce, SignatureVersion, Timestamp,
	// Version): the action's parameters of a GET, and usually none for a
	// POST.
	Params url.Values
	// Body is the JSON body of a POST as it was sent (cut at 1 MiB, the
	// most the fake reads), nil for a GET, and nil for a POST refused
	// before its body was read (an unknown action, or the wrong path or
	// method). Decode reads it.
	Body json.RawMessage
	// Status is the HTTP status of the answer: 0 if the connection was
	// closed before one.
	Status int
	// Code is the answer's Code, such as "Success" or "ResourceInUse"; ""
	// for an HTML page, or when no answer was sent.
	Code string
	// Dropped reports that the connection was closed without a complete
	// answer (the faults DropRate, DropAfterRate and Truncate, or Close
	// during a Latency).
	Dropped bool
	// Time is the server's clock when the answer was written.
	Time time.Time
}

// Write reports whether the call's action changes state, as every action
// does whose name does not start with "Describe": CreateLoadBalancer,
// ModifyLoadBalancerInstanceSpec, DeleteLoadBalancer,
// ModifyLoadBalancerName, UploadCACertificate, DeleteCACertificate,
// ModifyLoadBalancerStrategys, AddLoadBalancerStrategys and
// ModifyHaproxyCustomConfig.
func (c Call) Write() bool { return fakelb.IsWrite(c.Action) }

// Decode unmarshals the call's JSON body into v, as encoding/json does. A
// GET has no body: Decode then returns an error.
func (c Call) Decode(v any) error {
	if c.Body == nil {
		return errors.New("cdslbtest: Call.Decode: " + c.Method + " " + c.Action + " has no body; see Params")
	}
	return json.Unmarshal(c.Body, v)
}

// Calls returns the journal's calls of the action, in the order they were
// answered; "*" returns the calls of every action. The calls are copies,
// the caller's to keep.
func (s *Server) Calls(action string) []Call {
	if !s.made() {
		return nil
	}
	var out []Call
	for _, c := range s.in.fake.Calls(action) {
		out = append(out, Call(c))
	}
	return out
}

// Writes returns the journal's calls of the actions that change state (see
// Call.Write), in the order they were answered, whatever their answer: a
// test that asserts "no write was sent" checks len(srv.Writes()) == 0, and
// one that asserts what was written reads their Body.
func (s *Server) Writes() []Call {
	var out []Call
	for _, c := range s.Calls("*") {
		if c.Write() {
			out = append(out, c)
		}
	}
	return out
}

// ClearJournal forgets every call in the journal, so that later Calls and
// Writes show only what follows; Requests keeps counting.
func (s *Server) ClearJournal() {
	if s.made() {
		s.in.fake.ClearJournal()
	}
}
