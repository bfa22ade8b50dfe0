package cdslbtest

import (
	"fmt"
	"time"

	"github.com/cdsgo/cdslb/internal/fakelb"
)

// Fault describes misbehaviour of the server on the requests of an action,
// for SetFault. The rates are shares of requests, from 0 (never) to 1
// (always), each drawn independently from the server's seeded source
// (WithSeed); FailNext makes a Fault certain for the next requests. Every
// fault except DropAfterRate and Malformed strikes before the action runs,
// so the state is unchanged; those two strike the answer of an action that
// ran. Every fault strikes after the signature is checked, so a faulted
// request has used its SignatureNonce.
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
	// Status is the HTTP status of an error answer, from 400 to 599: 500
	// (the default) is a JSON InternalError envelope; any other status,
	// such as 429 Too Many Requests from a gateway that throttles or 503
	// from one that sheds load, is the HTML page nginx sends for it.
	Status int
	// HTML makes every error answer an HTML gateway page, whatever Status.
	HTML bool
	// RetryAfter, a whole number of seconds, adds a Retry-After header
	// with that many seconds to every error answer, as a gateway asks a
	// client to wait before it retries. Zero sends none.
	RetryAfter time.Duration
	// ConflictRate is the share of requests refused with 409 ResourceInUse.
	ConflictRate float64
	// DropAfterRate is the share of requests that run (and change state)
	// and whose connection is then closed without an answer: "the server
	// did it, but the answer was lost".
	DropAfterRate float64
	// Malformed makes every answer that would be Success (the action ran)
	// malformed instead, of the kind it names: MalformedDuplicateData,
	// MalformedDuplicateCode or MalformedMissingIDs. A client should take
	// such an answer for ErrMalformedAnswer, or for ErrOutcomeUnknown after
	// a write, never for a success. Refusals are answered as they are.
	Malformed string
}

// The kinds of malformed answer, for Fault.Malformed.
const (
	// MalformedDuplicateData answers Success with Data given twice: the
	// action's, then an empty object or list.
	MalformedDuplicateData = "duplicate-data"
	// MalformedDuplicateCode answers Success with Code given twice: Success,
	// then InternalError.
	MalformedDuplicateCode = "duplicate-code"
	// MalformedMissingIDs answers Success with a Data that lacks every
	// member whose name ends in Id, Ids, Uuid or Uuids, at any depth: the
	// InstanceUuids of a create, the InstanceUuid of each listed load
	// balancer, the CertificateId of each certificate.
	MalformedMissingIDs = "missing-ids"
)

// FailNext strikes each of the next n requests of the action with f, then
// lets the action's SetFault apply again: a deterministic fault, where
// SetFault's rates are random. The fault is made certain: every rate that
// is not zero is taken as 1, and a Fault that sets no rate, no Latency and
// no Malformed, the zero Fault included, answers an error with its Status
// (500 InternalError by default). A request counts once it has passed
// authentication and reached its action; the action "*" strikes the next
// n requests of any action, after the action's own FailNext. Calls queue
// up in the order given, and ClearFaults removes them. An unknown action,
// n below 1 or an invalid Fault is an error, and nothing changes.
func (s *Server) FailNext(action string, n int, f Fault) error {
	if !s.made() {
		return errNotMade
	}
	if err := s.in.fake.FailNext(action, n, fakelb.Fault(f)); err != nil {
		return fmt.Errorf("cdslbtest: FailNext: %w", err)
	}
	return nil
}
