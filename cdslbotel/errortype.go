package cdslbotel

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strconv"

	"github.com/cdsgo/cdslb"
)

// ErrorType returns the error.type of an error a cdslb.Client returned,
// a short value of low cardinality:
//   - the API's code for an answer that had one, such as
//     "ResourceNotFound" or "InternalError", when it is shaped like one
//     (a letter, then up to 63 letters, digits, dots or underscores), and
//     otherwise "_OTHER", so that a code made up per answer (one that
//     carries a request id or a message) cannot multiply a metric's
//     series; "MalformedAnswer" for a
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
		case isCode(api.Code):
			return api.Code
		case api.Code != "": // made up per answer, perhaps: not a value of its own
			return "_OTHER"
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

// typeName names the type of err's cause, such as "*net.OpError": the
// first error in its chain that is neither the library's nor fmt's
// wrapping; "_OTHER" for an error made by errors.New, whose type says
// nothing.
func typeName(err error) string {
	for depth := 0; err != nil && depth < 100; depth++ { // bounded: a cause's As may lead in a circle
		t := reflect.TypeOf(err)
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case t.PkgPath() == "github.com/cdsgo/cdslb" || t.PkgPath() == "fmt":
			err = unwrap(err)
			continue
		case t.PkgPath() == "errors" && t.Name() == "errorString":
			return "_OTHER"
		}
		return reflect.TypeOf(err).String()
	}
	return "_OTHER"
}

// isCode reports whether code is shaped like an API code: a letter, then
// up to 63 letters, digits, dots or underscores.
func isCode(code string) bool {
	if len(code) == 0 || len(code) > 64 {
		return false
	}
	for i, c := range []byte(code) {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '.' || c == '_')) {
			return false
		}
	}
	return true
}

// unwrap is errors.Unwrap, and for an error without Unwrap that looks into
// its cause with an As method (the library's redacting stand-in for a
// caller's transport error, which has no Unwrap so that no Unwrap chain
// reaches the unredacted text), that cause. Only its type is used.
func unwrap(err error) error {
	if next := errors.Unwrap(err); next != nil {
		return next
	}
	if a, ok := err.(interface{ As(any) bool }); ok {
		var cause error
		if a.As(&cause) && cause != err {
			return cause
		}
	}
	return nil
}
