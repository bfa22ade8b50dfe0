package cdslb

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
)

// decodeEnvelope decodes an answer: the envelope, and its Data straight into
// out in the same pass. ok is false when the body is not the API's JSON. A
// field of the wrong type is left empty instead of failing; a Data of the
// wrong shape, which shows as such a field, or a null where an object is
// due, which decodes without an error, is recorded in env.malformed by a
// second pass, taken only when the body has a type error or may have a
// null entry.
func decodeEnvelope(body []byte, into any, loc *time.Location) (env envelope, ok bool) {
	if l, streams := into.(entryStream); streams {
		if len(body) > streamFrom {
			if env, ok := decodeEntries(body, l, loc); ok {
				return env, true
			}
		}
		into = l.exact()
	}
	env.Data = into
	if into == nil {
		env.Data = &skip{}
	}
	err := json.Unmarshal(body, &env)
	var typeErr *json.UnmarshalTypeError
	if into != nil && (errors.As(err, &typeErr) || err == nil && nullEntry(body)) {
		shaped := struct{ Data dataField }{dataField{into: into}}
		reflect.ValueOf(into).Elem().SetZero() // decoded afresh, as if for the first time
		_ = json.Unmarshal(body, &shaped)
		env.malformed = shaped.Data.malformed
	}
	// Data given twice, a null and another either way round: which one is
	// meant is unknown. A null last leaves env.Data nil and into as the
	// other left it.
	if into != nil && (env.Data != nil && env.Data != into || env.Data == nil && !reflect.ValueOf(into).Elem().IsZero()) {
		env.malformed = cmp.Or(env.malformed, "Data is given twice")
	}
	return env, (err == nil || errors.As(err, &typeErr)) && env.Code != ""
}

// entryStream is a list Data that can be read an entry at a time, each
// entry converted as soon as it is read, so that a large answer's wire
// structs are never all held at once beside its body and its result. It is
// the fast path for well-formed answers only: it gives up on anything else,
// and the answer is then decoded whole into exact(), as any other Data.
type entryStream interface {
	// decodeList reads the list, or a null, from dec and says whether every
	// entry was well formed; body is the whole answer, for sizing.
	decodeList(dec *json.Decoder, body []byte, loc *time.Location) bool
	// exact forgets what decodeList read and returns where the answer's
	// Data is decoded whole.
	exact() any
}

// streamFrom is the size past which an entryStream answer is read an entry
// at a time: a smaller one costs little held whole, and less time so.
const streamFrom = 64 << 10

// decodeEntries decodes an answer whose Data is an entryStream, in one pass
// over the body. ok is false, and the answer must be decoded whole, unless
// the body is one object holding at most once each of Code, Message and
// TaskId (strings) and Data (read by l), and no other member.
func decodeEntries(body []byte, l entryStream, loc *time.Location) (env envelope, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return env, false
	}
	var seen [4]bool
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return env, false
		}
		key, _ := t.(string)
		i := slices.IndexFunc(envelopeKeys[:], func(k string) bool { return strings.EqualFold(k, key) })
		if i < 0 || seen[i] {
			return env, false
		}
		seen[i] = true
		switch i {
		case 0:
			err = dec.Decode(&env.Code)
		case 1:
			err = dec.Decode(&env.Message)
		case 2:
			err = dec.Decode(&env.TaskID)
		case 3:
			if !l.decodeList(dec, body, loc) {
				return env, false
			}
		}
		if err != nil {
			return env, false
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return env, false
	}
	if _, err := dec.Token(); err != io.EOF { // nothing may follow
		return env, false
	}
	return env, env.Code != ""
}

// envelopeKeys are the members of an envelope, as decodeEntries numbers them.
var envelopeKeys = [4]string{"Code", "Message", "TaskId", "Data"}

// envelope is the JSON every answer is wrapped in. Data is decoded straight
// into the response, in the same pass as the envelope.
type envelope struct {
	Code    string
	Message string
	TaskID  string `json:"TaskId"`
	Data    any

	malformed string // why Data cannot be read as documented; empty when it can
}

// skip receives a Data that holds nothing of use.
type skip struct{}

// dataField decodes an answer's Data into a response and records whether
// it has the shape the action documents: a list where a list is due (null
// and absent mean an empty one), an object where an object is due, in an
// object, lists where lists are due, and in a list of objects, at any
// depth, objects alone. A wrong field deeper down is left empty, as
// elsewhere.
type dataField struct {
	into      any    // where Data is decoded; nil to skip it
	malformed string // why Data cannot be read as documented; empty when it can
}

// UnmarshalJSON decodes Data into d.into. It never fails the envelope.
func (d *dataField) UnmarshalJSON(b []byte) error {
	if d.into == nil || string(b) == "null" {
		return nil
	}
	list := reflect.TypeOf(d.into).Elem().Kind() == reflect.Slice
	want, due := byte('{'), "an object"
	if list {
		want, due = '[', "a list"
	}
	if b[0] != want {
		d.malformed = "Data is " + jsonKind(b[0]) + " where " + due + " is due"
		return nil
	}
	err := json.Unmarshal(b, d.into)
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		if !list && typeErr.Type.Kind() == reflect.Slice && typeErr.Field != "" && !strings.Contains(typeErr.Field, ".") {
			d.malformed = "Data." + typeErr.Field + " is " + typeErr.Value + " where a list is due"
		}
	case err != nil:
		d.malformed = "Data cannot be read: " + err.Error()
	}
	// An entry that is not an object decodes as an empty one: without an
	// error when it is null, with a type error otherwise.
	if d.malformed == "" && (err != nil || nullEntry(b)) {
		d.malformed = notObject(b, reflect.TypeOf(d.into).Elem(), "Data")
	}
	return nil
}

// nullEntry reports whether b may hold a null entry of a list: a null
// after a '[' or a ','. A null field value follows a ':'.
func nullEntry(b []byte) bool {
	for i := bytes.Index(b, []byte("null")); i >= 0; {
		if before := bytes.TrimRight(b[:i], " \t\r\n"); len(before) > 0 && (before[len(before)-1] == '[' || before[len(before)-1] == ',') {
			return true
		}
		j := bytes.Index(b[i+4:], []byte("null"))
		if j < 0 {
			return false
		}
		i += 4 + j
	}
	return false
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// notObject walks b, read as a value of type t, and says where a list of
// objects holds something else, such as null; it is empty when none does.
// Values of types that read themselves (json.Unmarshaler) are theirs to judge.
func notObject(b []byte, t reflect.Type, path string) string {
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return ""
	}
	switch t.Kind() {
	case reflect.Slice:
		var entries []json.RawMessage
		if t.Elem().Kind() != reflect.Struct || json.Unmarshal(b, &entries) != nil {
			return ""
		}
		for i, e := range entries {
			at := fmt.Sprintf("%s[%d]", path, i)
			if e[0] != '{' {
				return at + " is " + jsonKind(e[0]) + " where an object is due"
			}
			if why := notObject(e, t.Elem(), at); why != "" {
				return why
			}
		}
	case reflect.Struct:
		var fields map[string]json.RawMessage
		if json.Unmarshal(b, &fields) != nil {
			return ""
		}
		for _, f := range reflect.VisibleFields(t) {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" {
				name = f.Name
			}
			if !f.IsExported() || f.Anonymous || name == "-" {
				continue
			}
			for key, v := range fields { // matched as encoding/json does, whatever the case
				if strings.EqualFold(key, name) {
					if why := notObject(v, f.Type, path+"."+key); why != "" {
						return why
					}
				}
			}
		}
	}
	return ""
}

// jsonKind names the kind of JSON value that starts with c.
func jsonKind(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

var errTooLarge = errors.New("the answer is larger than the client's limit (WithMaxResponseBytes)")

// initialAnswerBytes caps what an answer's Content-Length makes the client
// allocate before the bytes arrive, so that stalled answers that declare
// much cost little memory.
const initialAnswerBytes = 64 << 10

// answerBuffer is a reusable buffer an answer is read into. Decoding copies
// out everything it keeps, so it is free again once decoded.
type answerBuffer struct {
	b []byte
}

var answerPool = sync.Pool{New: func() any { return new(answerBuffer) }}

// Bytes returns the answer read.
func (a *answerBuffer) Bytes() []byte { return a.b }

// read reads the whole answer, which is what lets the connection be reused,
// into a buffer that grows with the bytes received, refusing one over max
// bytes before reading it when its length is declared, and at max bytes
// otherwise; an oversized answer is not drained, and its connection is
// closed. A declared length is a promise, not bytes: the buffer doubles as
// they arrive, but never past the declared length (plus one byte to see the
// end), so that a large answer is held once, not in a buffer up to twice
// its size; once an eighth of the promise has arrived, the buffer takes the
// declared length at once, so that the copy that fills it is small.
func (a *answerBuffer) read(resp *http.Response, max int64) error {
	if resp.ContentLength > max {
		return errTooLarge
	}
	b := a.b[:0]
	for {
		if len(b) == cap(b) {
			b = grow(b, resp.ContentLength, max)
		}
		n, err := resp.Body.Read(b[len(b):min(int64(cap(b)), max+1)]) // a pooled buffer may be larger than max
		b = b[:len(b)+n]
		if int64(len(b)) > max {
			a.b = b
			return errTooLarge
		}
		if err != nil {
			a.b = b
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// grow returns b with room for more of an answer of declared length n (-1
// when unknown) and limit max; see read.
func grow(b []byte, n, max int64) []byte {
	c := int64(2 * cap(b))
	switch {
	case cap(b) == 0:
		c = initialAnswerBytes
		if n >= 0 {
			c = min(n+1, initialAnswerBytes) // the first bytes must arrive before a declared length is trusted
		}
	case n >= 0 && int64(len(b)) <= n:
		if 8*int64(len(b)) >= n {
			c = n + 1
		}
		c = min(c, n+1)
	}
	return append(make([]byte, 0, min(c, max+1)), b...)
}

func (a *answerBuffer) free() {
	if cap(a.b) > 1<<20 { // keep the pool from pinning huge answers
		a.b = nil
		return
	}
	a.b = a.b[:0]
	answerPool.Put(a)
}
