package cdslbotel

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"reflect"
	"strconv"

	"github.com/cdsgo/cdslb"
)

// ErrorType returns the error.type of an error a cdslb.Client returned,
// a short value of low cardinality:
//   - the API's code for an answer that had one, such as
//     "ResourceNotFound" or "InternalError"; "MalformedAnswer" for a
//     Success that could not be read; the HTTP status, such as "503", for
//     an answer that was not the API's JSON;
//   - "InvalidRequest" for a request refused before sending;
//   - for the helpers' own failures, the sentinel's name without its
//     prefix: "WaitFailed", "ListenersChanged", "ListenersUnreadable",
//     "AmbiguousName", "ListenerNotFound", "ResourceNotFound";
//   - "context.DeadlineExceeded" or "context.Canceled" when the context
//     ended;
//   - for a failure to get an answer, the type of its cause, such as
//     "*net.OpError";
//   - otherwise "_OTHER".
//
// A nil error has none: "".
func ErrorType(err error) string {
	if err == nil {
		return ""
	}
	var api *cdslb.APIError
	if errors.As(err, &api) {
		switch {
		case errors.Is(api, cdslb.ErrMalformedAnswer):
			return "MalformedAnswer"
		case api.Code != "":
			return api.Code
		case api.HTTPStatus != 0:
			return strconv.Itoa(api.HTTPStatus)
		}
		return "_OTHER"
	}
	var invalid *cdslb.ValidationError
	if errors.As(err, &invalid) {
		return "InvalidRequest"
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return s.name
		}
	}
	var te *cdslb.TransportError
	if errors.As(err, &te) && te.Err != nil {
		return typeName(te.Err)
	}
	return "_OTHER"
}

var sentinels = []struct {
	err  error
	name string
}{
	{context.DeadlineExceeded, "context.DeadlineExceeded"},
	{context.Canceled, "context.Canceled"},
	{io.ErrUnexpectedEOF, "io.ErrUnexpectedEOF"},
	{cdslb.ErrWaitFailed, "WaitFailed"},
	{cdslb.ErrListenersChanged, "ListenersChanged"},
	{cdslb.ErrListenersUnreadable, "ListenersUnreadable"},
	{cdslb.ErrAmbiguousName, "AmbiguousName"},
	{cdslb.ErrListenerNotFound, "ListenerNotFound"},
	{cdslb.ErrResourceNotFound, "ResourceNotFound"},
}

// redactedCause names the cause behind the library's redacting wrapper by
// the types errors.As finds there: net/http's *url.Error says no more than
// that a request failed, so its own cause is named; a type of the caller's
// own is "_OTHER".
func redactedCause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return typeName(ue.Err)
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return reflect.TypeOf(ne).String()
	}
	return "_OTHER"
}

// typeName names the type of err's cause, such as "*net.OpError": the
// first error in its chain that is neither the library's nor fmt's
// wrapping; "_OTHER" for an error made by errors.New, whose type says
// nothing.
func typeName(err error) string {
	for err != nil {
		t := reflect.TypeOf(err)
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case t.PkgPath() == "github.com/cdsgo/cdslb" || t.PkgPath() == "fmt":
			next := errors.Unwrap(err)
			if next == nil {
				// A cause whose text held a secret is kept behind a wrapper
				// that prints it redacted and does not unwrap; errors.As
				// still finds the types that say what failed.
				return redactedCause(err)
			}
			err = next
			continue
		case t.PkgPath() == "errors" && t.Name() == "errorString":
			return "_OTHER"
		}
		return reflect.TypeOf(err).String()
	}
	return "_OTHER"
}
