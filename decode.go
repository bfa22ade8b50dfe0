package cdslb

import (
	"bytes"
	"errors"
	"io"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// Answers are read with one decoder, github.com/go-json-experiment/json
// (the proposed encoding/json/v2), straight from the connection: the body
// is never held whole, and a list is decoded and checked an entry at a
// time. Names match ignoring case, as the service's older clients read
// them, but never with '_' or '-' left out; a name given twice, exactly or
// in another case, makes the answer ambiguous, which is malformed.
// Bytes that are not UTF-8 read as U+FFFD, as they did with encoding/json.
var tolerant = json.JoinOptions(json.MatchCaseInsensitiveNames(true), jsonv1.MatchCaseSensitiveDelimiter(true), jsontext.AllowInvalidUTF8(true))

// envelope is the JSON every answer is wrapped in.
type envelope struct {
	Code, Message, TaskID string

	malformed string // why Data cannot be read as documented; empty when it can
	ambiguous string // a name given twice, which makes the whole answer malformed
}

// envelopeKeys are the members of an envelope, as decodeAnswer numbers them.
var envelopeKeys = [4]string{"Code", "Message", "TaskId", "Data"}

// decodeAnswer reads an answer's envelope from dec, and its Data into into
// (nil: skipped). ok is false when the body is not the API's JSON. The Data
// of an answer that is no Success is skipped, not decoded.
func decodeAnswer(dec *jsontext.Decoder, into any) (env envelope, ok bool) {
	if dec.PeekKind() != '{' {
		return env, false
	}
	_, _ = dec.ReadToken()
	var seen [4]bool
	var data jsontext.Value // a Data given before Code, read once Code says Success
	for dec.PeekKind() == '"' {
		tok, err := dec.ReadToken()
		if err != nil {
			return env, twice(&env, err)
		}
		name := tok.String()
		i := 0
		for i < len(envelopeKeys) && !strings.EqualFold(name, envelopeKeys[i]) {
			i++
		}
		if i < len(seen) && seen[i] {
			env.ambiguous = envelopeKeys[i] + " is given twice"
			return env, true
		}
		switch i {
		case 0, 1, 2:
			seen[i] = true
			s := ""
			if dec.PeekKind() == '"' {
				var tok jsontext.Token
				tok, err = dec.ReadToken()
				s = tok.String()
			} else {
				err = dec.SkipValue() // tolerated: left empty
			}
			*[...]*string{&env.Code, &env.Message, &env.TaskID}[i] = s
		case 3:
			seen[i] = true
			switch {
			case into == nil || seen[0] && env.Code != "Success":
				err = dec.SkipValue()
			case !seen[0]:
				if data, err = dec.ReadValue(); err == nil {
					data = data.Clone()
				}
			default:
				if env.malformed, err = decodeData(dec, into); env.malformed != "" && err == nil {
					return env, true // the decoder stopped inside Data: the answer is malformed, whatever follows
				}
			}
		default:
			err = dec.SkipValue()
		}
		if err != nil {
			return env, twice(&env, err)
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return env, twice(&env, err)
	}
	if _, err := dec.ReadToken(); err != io.EOF { // nothing may follow
		return env, twice(&env, err)
	}
	if data != nil && env.Code == "Success" {
		var err error
		if env.malformed, err = decodeData(jsontext.NewDecoder(strings.NewReader(string(data)), tolerant), into); err != nil {
			return env, twice(&env, err)
		}
	}
	return env, env.Code != ""
}

// twice says whether err is a name given twice, recording it in env: the
// answer is then the API's, but ambiguous. Any other error is no JSON.
func twice(env *envelope, err error) bool {
	if errors.Is(err, jsontext.ErrDuplicateName) {
		env.ambiguous = "a member is given twice"
		var se *jsontext.SyntacticError
		if errors.As(err, &se) && se.JSONPointer != "" {
			env.ambiguous = where(se.JSONPointer) + " is given twice"
		}
		return true
	}
	return false
}

// decodeData decodes an answer's Data into into. A Data of the wrong shape
// is malformed; an error is a name given twice or no JSON.
func decodeData(dec *jsontext.Decoder, into any) (malformed string, err error) {
	k := dec.PeekKind()
	if _, list := into.(listShaped); list && k != 'n' && k != '[' {
		return "Data is " + kindName(k) + " where a list is due", dec.SkipValue()
	}
	if _, self := into.(json.UnmarshalerFrom); !self && k != 'n' && k != '{' && reflect.TypeOf(into).Elem().Kind() == reflect.Struct {
		return "Data is " + kindName(k) + " where an object is due", dec.SkipValue()
	}
	if err = json.UnmarshalDecode(dec, into); err == nil {
		return "", nil
	}
	var se *json.SemanticError
	if !errors.As(err, &se) || errors.Is(err, jsontext.ErrDuplicateName) {
		return "", err
	}
	var why *malformedError
	if errors.As(err, &why) {
		return why.Error(), nil
	}
	return "Data cannot be read: " + where(se.JSONPointer) + " is " + kindName(se.JSONKind) + " where " + typeName(se.GoType) + " is due", nil
}

// readEntries reads a list of objects, or null, an entry at a time: read
// decodes the entry at dec and says why it is malformed ("" if it is not).
// The first entry that is not an object, or that read refuses, ends the
// read with a malformedError, the rest skipped, never decoded.
func readEntries(dec *jsontext.Decoder, read func(dec *jsontext.Decoder) (string, error)) error {
	switch k := dec.PeekKind(); k {
	case 'n':
		_, err := dec.ReadToken()
		return err
	case '[':
	default: // an odd field, left empty; unread in a set read exactly
		if err := dec.SkipValue(); err != nil || !strict(dec) {
			return err
		}
		return inexact(dec)
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for i := 0; dec.PeekKind() != ']'; i++ {
		why := ""
		if k := dec.PeekKind(); k != '{' {
			why = "is " + kindName(k) + " where an object is due"
		} else if w, err := read(dec); err != nil {
			return err
		} else {
			why = w
		}
		if why != "" {
			at := dec.StackPointer() // the list, or its entry before
			if i > 0 {
				at = at.Parent()
			}
			for dec.PeekKind() != ']' { // skipped, never decoded
				if err := dec.SkipValue(); err != nil {
					return err
				}
			}
			if _, err := dec.ReadToken(); err != nil {
				return err
			}
			return &malformedError{where(at) + "[" + strconv.Itoa(i) + "]", why}
		}
	}
	_, err := dec.ReadToken()
	return err
}

// list is a list of objects in an answer, decoded and checked an entry at
// a time: an entry of a type with a check method must pass it.
type list[W any] []W

// listShaped is a Data that is a list.
type listShaped interface{ listed() }

func (*list[W]) listed() {}

// checked is an entry with values the library acts on.
type checked interface{ check() string }

// UnmarshalJSONFrom reads the list with readEntries.
func (l *list[W]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	*l = nil
	if dec.PeekKind() == '[' {
		*l = list[W]{} // [] is an empty list, not none
	}
	var w, zero W
	return readEntries(dec, func(dec *jsontext.Decoder) (string, error) {
		w = zero
		if err := json.UnmarshalDecode(dec, &w); err != nil {
			return "", err
		}
		if reflect.ValueOf(&w).Elem().IsZero() {
			return "holds nothing the library reads", nil // a list of {} costs no memory
		}
		if c, ok := any(&w).(checked); ok {
			if why := c.check(); why != "" {
				return why, nil
			}
		}
		*l = append(*l, w)
		return "", nil
	})
}

// convert converts each wire value with value; nil stays nil.
func convert[W, T any](ws []W, value func(*W) T) []T {
	if ws == nil {
		return nil
	}
	out := make([]T, len(ws))
	for i := range ws {
		out[i] = value(&ws[i])
	}
	return out
}

// text is a string the library only shows: any other value leaves it
// empty, except in a set read exactly, which it makes inexact.
type text string

// UnmarshalJSONFrom reads a string; it skips anything else.
func (t *text) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if k := dec.PeekKind(); k != '"' {
		*t = ""
		if err := dec.SkipValue(); err != nil || k == 'n' || !strict(dec) {
			return err
		}
		return inexact(dec)
	}
	tok, err := dec.ReadToken()
	*t = text(tok.String())
	return err
}

var errTooLarge = errors.New("the answer is larger than the client's limit (WithMaxResponseBytes)")

// headBytes is how much of an answer is kept to quote when it is not the
// API's JSON.
const headBytes = 16 << 10

// readers keeps decoders and answer readers, and their buffers, from one
// answer to the next.
var readers = sync.Pool{New: func() any { return new(pooledReader) }}

type pooledReader struct {
	dec jsontext.Decoder
	r   answerReader
}

var noAnswer = strings.NewReader("")

// answerReader reads an answer for the decoder: it refuses bytes past max,
// keeps the first keep bytes in head, and records the transport's error.
type answerReader struct {
	r        io.Reader
	n, max   int64
	keep     int
	head     []byte
	err      error // the transport's, other than io.EOF
	tooLarge bool
}

func (a *answerReader) Read(p []byte) (int, error) {
	if a.n > a.max {
		a.tooLarge = true
		return 0, errTooLarge
	}
	p = p[:min(int64(len(p)), a.max+1-a.n)]
	n, err := a.r.Read(p)
	if len(a.head) < a.keep {
		a.head = append(a.head, p[:min(n, a.keep-len(a.head))]...)
	}
	if a.n += int64(n); a.n > a.max {
		a.tooLarge = true
		return n, errTooLarge
	}
	if err != nil && err != io.EOF {
		a.err = err
	}
	return n, err
}

// readAnswer reads and decodes an answer. A declared length over max is
// refused before anything is read. An oversized answer is not drained and
// its connection is closed; a whole answer is read to its end, which lets
// the connection be reused.
//
// An answer whose Data is of use only if read exactly (exact), and whose
// Content-Length says it fits in head, is read once, its Data exactly and
// at once, straight from the connection, and kept whole in head (even if
// it is longer than it said). Only if that fails is it read again from
// head, as any answer is read, which tells how it failed.
func readAnswer(resp *http.Response, max int64, into any, exact bool) (env envelope, ok bool, head []byte, err error) {
	if resp.ContentLength > max {
		return env, false, nil, errTooLarge
	}
	p := readers.Get().(*pooledReader)
	r, dec := &p.r, &p.dec
	once := exact && into != nil && resp.ContentLength >= 0 && resp.ContentLength <= headBytes
	*r = answerReader{r: resp.Body, max: max, keep: headBytes, head: r.head[:0]}
	if once {
		r.keep = int(min(max, math.MaxInt))
	}
	dec.Reset(r, tolerant, json.RejectUnknownMembers(once)) // the envelope is read by hand: it only tells Data
	env, ok = decodeAnswer(dec, into)
	// Where the decoder stopped early, read on: for an excerpt, and to the
	// end, which lets the connection be reused. A read past max stops it.
	_, _ = io.Copy(io.Discard, r)
	if once && (!ok || env.malformed != "" || env.ambiguous != "") && !r.tooLarge && r.err == nil {
		reflect.ValueOf(into).Elem().SetZero()
		dec.Reset(bytes.NewReader(r.head), tolerant)
		env, ok = decodeAnswer(dec, into)
	}
	switch quoted := r.head[:min(len(r.head), headBytes)]; {
	case r.tooLarge:
		head, err = bytes.Clone(quoted), errTooLarge
	case r.err != nil:
		head, err = bytes.Clone(quoted), r.err
	case !ok:
		head = bytes.Clone(quoted)
	}
	if r.n <= 1<<20 { // the decoder's buffer grew with what it read: a large one is not kept
		dec.Reset(noAnswer) // keeps nothing of this answer's
		r.r = nil
		readers.Put(p)
	}
	return env, ok && err == nil, head, err
}

// absent says which of the named values (name, value, name, value...) an
// entry lacks: each is one the library acts on.
func absent(fields ...string) string {
	for i := 0; i+1 < len(fields); i += 2 {
		if strings.TrimSpace(fields[i+1]) == "" {
			return "has no " + fields[i]
		}
	}
	return ""
}

// loose is an object the library only shows: a value of another kind
// leaves it empty.
type loose[T any] struct{ v T }

// UnmarshalJSONFrom reads an object; it skips anything else.
func (l *loose[T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() != '{' {
		return dec.SkipValue()
	}
	return json.UnmarshalDecode(dec, &l.v)
}

// strs is a list of non-empty strings; a lone string stands for a list of
// it ("" for none).
type strs []string

func (a *strs) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	*a = nil
	switch dec.PeekKind() {
	case 'n':
		return dec.SkipValue()
	case '"':
		var s text
		err := s.UnmarshalJSONFrom(dec)
		if s != "" {
			*a = strs{string(s)}
		}
		return err
	case '[':
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		for dec.PeekKind() != ']' {
			var s text
			if err := s.UnmarshalJSONFrom(dec); err != nil {
				return err
			}
			if s != "" {
				*a = append(*a, string(s))
			} else if strict(dec) {
				return inexact(dec)
			}
		}
		_, err := dec.ReadToken()
		return err
	}
	if err := dec.SkipValue(); err != nil || !strict(dec) {
		return err
	}
	return inexact(dec)
}
