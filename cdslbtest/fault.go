package cdslbtest

import "time"

// Fault describes misbehaviour of the server on the requests of an action,
// for SetFault. The rates are shares of requests, from 0 (never) to 1
// (always), each drawn independently from the server's seeded source
// (WithSeed). Every fault except DropAfterRate strikes before the action
// runs, so the state is unchanged; every fault strikes after the signature
// is checked, so a faulted request has used its SignatureNonce.
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
}
