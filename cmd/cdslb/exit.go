package main

import (
	"errors"
	"fmt"

	"github.com/cdsgo/cdslb"
)

// The exit statuses of the command, documented in the README and in
// "cdslb --help".
const (
	exitOK          = 0 // success
	exitError       = 1 // an error the service or the network returned
	exitChanges     = 2 // listeners plan --detailed-exitcode: the plan has changes
	exitUnknown     = 3 // the outcome of a change is unknown (cdslb.ErrOutcomeUnknown)
	exitRefused     = 4 // refused before sending (cdslb.ErrInvalidRequest), or a wrong command line
	exitWaitFailed  = 5 // a wait ended without the state it waited for
	exitHelpSummary = `Exit status:
  0  success
  1  an error the service or the network returned
  2  listeners plan --detailed-exitcode: the plan has changes
  3  the outcome of a change is unknown: look before retrying
  4  the request was refused before sending, or the command line is wrong
  5  a wait ended without the state it waited for (timeout, Ctrl-C, a failed status)
`
)

// usageError is a wrong command line: exit status 4.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// waitEndedError is a wait that ended without its state: exit status 5.
type waitEndedError struct{ error }

func (e waitEndedError) Unwrap() error { return e.error }

// errPlanHasChanges ends listeners plan --detailed-exitcode with status 2,
// printing nothing more.
var errPlanHasChanges = errors.New("the plan has changes")

// exitCode maps an error to the command's exit status. The order matters:
// an unknown outcome is said first, because the error of a change that may
// have run can also carry a service's 5xx; a refusal before sending comes
// next, since nothing was sent.
func exitCode(err error) int {
	var usage usageError
	var waitEnded waitEndedError
	var waitErr *cdslb.WaitError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errPlanHasChanges):
		return exitChanges
	case errors.Is(err, cdslb.ErrOutcomeUnknown):
		return exitUnknown
	case errors.As(err, &usage), errors.Is(err, cdslb.ErrInvalidRequest):
		return exitRefused
	case errors.As(err, &waitEnded), errors.As(err, &waitErr):
		return exitWaitFailed
	}
	return exitError
}

func usageErrorf(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }
