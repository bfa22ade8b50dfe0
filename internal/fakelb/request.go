package fakelb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// request holds an action's parameters, from the query (GET) or the JSON
// body (POST), and the time the request arrived.
type request struct {
	now       time.Time
	query     query
	body      map[string]json.RawMessage // nil for GET
	immediate bool                       // changes finish at once (Direct)
	params    [16]param                  // the query's first parameters, without allocating
}

const maxBody = 1 << 20

// newRequest parses the query of r.
func newRequest(r *http.Request) (*request, error) {
	req := &request{}
	var ok bool
	if req.query, ok = parseQuery(r.URL.RawQuery, req.params[:0]); !ok {
		return req, invalidf("the query has more than %d parameters", maxParams)
	}
	return req, nil
}

// readBody reads and decodes the JSON object of a POST.
func (req *request) readBody(r *http.Request) error {
	if r.Method != http.MethodPost {
		return nil
	}
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return invalidf("cannot read the request body (at most %d bytes)", maxBody)
	}
	req.body = map[string]json.RawMessage{}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	// The vendor's Go SDK sends its JSON bodies without a Content-Type: a
	// missing one is taken as JSON; one that names another type is not.
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
			return invalidf("Content-Type must be application/json (or absent) for a POST body")
		}
	}
	if err := json.Unmarshal(raw, &req.body); err != nil {
		return invalidf("the request body is not a JSON object")
	}
	return nil
}

// raw returns a body field as JSON, or a query parameter as a JSON string.
// A JSON null counts as absent.
func (r *request) raw(name string) (json.RawMessage, bool) {
	if r.body == nil {
		v, ok := r.query.lookup(name)
		if !ok {
			return nil, false
		}
		return mustJSON(v), true
	}
	v, ok := r.body[name]
	if !ok || string(bytes.TrimSpace(v)) == "null" {
		return nil, false
	}
	return v, true
}

// str returns an optional string parameter; absent is "". A GET parameter
// is taken as it is.
func (r *request) str(name string) (string, error) {
	if r.body == nil {
		return r.query.get(name), nil
	}
	v, ok := r.raw(name)
	if !ok {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", invalidf("%s must be a string", name)
	}
	return s, nil
}

// required returns a string parameter that must be present and non-empty.
func (r *request) required(name string) (string, error) {
	s, err := r.str(name)
	if err == nil && strings.TrimSpace(s) == "" {
		err = argMissing(name)
	}
	return s, err
}

// integer returns an optional integer parameter: in a body, a JSON number
// (the document's table and the vendor's clients agree on int wherever it
// is read, so a string such as "5078" is refused); in a query, a numeric
// string.
func (r *request) integer(name string) (n int, ok bool, err error) {
	if r.body == nil {
		v, ok := r.query.lookup(name)
		if !ok {
			return 0, false, nil
		}
		if n, err = strconv.Atoi(strings.TrimSpace(v)); err != nil {
			return 0, true, invalidf("%s must be an integer", name)
		}
		return n, true, nil
	}
	v, ok := r.raw(name)
	if !ok {
		return 0, false, nil
	}
	var f number
	if err := json.Unmarshal(v, &f); err != nil {
		return 0, true, invalidf("%s must be an integer", name)
	}
	return int(f), true, nil
}

// decode unmarshals a JSON body field into v; ok is false if it is absent.
func (r *request) decode(name string, v any) (ok bool, err error) {
	raw, ok := r.raw(name)
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, invalidf("%s has the wrong shape: %s", name, jsonProblem(err))
	}
	return true, nil
}

// jsonProblem describes a decoding error without echoing the input.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return fmt.Sprintf("a JSON %s where %s is expected", te.Value, te.Type)
		}
		return fmt.Sprintf("%s cannot be a JSON %s", te.Field, te.Value)
	}
	return "malformed JSON"
}

// flexInt is an integer that the wire may spell as a JSON number or as a
// numeric string ("22"). It encodes as a number.
type flexInt int

// UnmarshalJSON accepts a JSON number or a numeric string.
func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		// A type error gets the field's path from encoding/json.
		return &json.UnmarshalTypeError{Value: "value other than an integer", Type: reflect.TypeFor[int]()}
	}
	*f = flexInt(n)
	return nil
}

// number is an integer that the wire must spell as a JSON number: where
// the document and the vendor's clients agree on an int, a string is
// refused.
type number int

// UnmarshalJSON accepts a JSON integer only.
func (n *number) UnmarshalJSON(b []byte) error {
	v, err := strconv.Atoi(string(bytes.TrimSpace(b)))
	if err != nil {
		return &json.UnmarshalTypeError{Value: "value other than an integer number", Type: reflect.TypeFor[int]()}
	}
	*n = number(v)
	return nil
}

// flexString is an integer that the wire may send as a number or a numeric
// string, and that the fake answers as a string ("1"), as the document does.
type flexString int

// UnmarshalJSON accepts a JSON number or a numeric string.
func (f *flexString) UnmarshalJSON(b []byte) error { return (*flexInt)(f).UnmarshalJSON(b) }

// MarshalJSON writes the number as a JSON string.
func (f flexString) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.Itoa(int(f)) + `"`), nil
}

// cst is China Standard Time, the zone of every date the API reads or writes.
var cst = time.FixedZone("CST", 8*60*60)

// timeLayout is the API's date format.
const timeLayout = "2006-01-02 15:04:05"

func formatTime(t time.Time) string { return t.In(cst).Format(timeLayout) }

func parseTime(name, v string) (time.Time, error) {
	t, err := time.ParseInLocation(timeLayout, v, cst)
	if err != nil {
		return time.Time{}, invalidf("%s must look like 2006-01-02 15:04:05 (China Standard Time)", name)
	}
	return t, nil
}
