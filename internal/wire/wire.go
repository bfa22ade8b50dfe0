// Package wire holds the tolerant scalar types and formats of the CDS API's
// JSON. The vendor document disagrees with itself about types (a port is a
// string in one table and a number in an example, a list may come as a
// string, a switch as "on" or 1), so every type here accepts each spelling
// the service has been seen to use and never fails a decode: a value it
// cannot read is left at its zero value, so one odd field does not fail a
// whole call. Integer and Duration read exactly instead, for values the
// library writes back: they say when a value has no exact meaning.
package wire

import (
	"bytes"
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// TimeLayout is how the API writes times in requests and answers, in the
// zone the client is configured with.
const TimeLayout = "2006-01-02 15:04:05"

// Int is an integer that is sent as a JSON number and read from a number, a
// numeric string ("8080", " 1.0 "), or nothing ("", null).
type Int int

// UnmarshalJSON reads a number or a numeric string; anything else is 0.
func (n *Int) UnmarshalJSON(b []byte) error {
	if v, ok := plainInt(b); ok { // the common case, without a float parse
		*n = Int(v)
		return nil
	}
	f, ok := number(b)
	if ok && math.Abs(f) < 1<<53 { // beyond that a float64 is no exact integer
		*n = Int(f)
	} else {
		*n = 0
	}
	return nil
}

// Float is a float64 read from a number or a numeric string.
type Float float64

// UnmarshalJSON reads a number or a numeric string; anything else is 0.
func (f *Float) UnmarshalJSON(b []byte) error {
	v, _ := number(b)
	*f = Float(v)
	return nil
}

// plainInt parses a JSON integer of up to 18 digits, such as 2048 or -1.
func plainInt(b []byte) (int, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// number parses a JSON number or a JSON string holding one.
func number(b []byte) (float64, bool) {
	b = bytes.TrimSpace(b)
	if len(b) > 1 && b[0] == '"' && b[len(b)-1] == '"' && bytes.IndexByte(b, '\\') < 0 {
		b = bytes.TrimSpace(b[1 : len(b)-1]) // a plain string: no need to decode it
	} else if len(b) > 1 && b[0] == '"' {
		var s string
		if json.Unmarshal(b, &s) != nil {
			return 0, false
		}
		b = []byte(strings.TrimSpace(s))
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// Text is a string that is sent as a JSON string and read from a string or
// a number (a "Weight" of 1 reads as "1").
type Text string

// UnmarshalJSON reads a string, or the text of a number or boolean.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if json.Unmarshal(b, &s) == nil {
			*t = Text(s)
			return nil
		}
		*t = ""
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9' || b[0] == 't' || b[0] == 'f'):
		*t = Text(b)
	default: // null, objects and lists
		*t = ""
	}
	return nil
}

// Int reads the text as an integer, 0 when it is none.
func (t Text) Int() int {
	var n Int
	_ = n.UnmarshalJSON([]byte(t))
	return int(n)
}

// Switch is a boolean that the API spells "on"/"off". It is read from
// "on"/"off", true/false, 1/0 and their string forms.
type Switch bool

// MarshalJSON writes "on" or "off".
func (s Switch) MarshalJSON() ([]byte, error) {
	if s {
		return []byte(`"on"`), nil
	}
	return []byte(`"off"`), nil
}

// UnmarshalJSON reads every spelling of a switch; anything else is off.
func (s *Switch) UnmarshalJSON(b []byte) error {
	v := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	switch strings.ToLower(v) {
	case "on", "true", "1", "yes":
		*s = true
	default:
		*s = false
	}
	return nil
}

// Strings is a list of strings read from a list, a single string (one item,
// or none when empty), or null. Items that are not strings are skipped.
type Strings []string

// UnmarshalJSON reads a list or a lone string.
func (l *Strings) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*l = nil
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '"':
		var s string
		if json.Unmarshal(b, &s) == nil && s != "" {
			*l = Strings{s}
		}
	case '[':
		var items []Text
		if json.Unmarshal(b, &items) == nil {
			for _, it := range items {
				if it != "" {
					*l = append(*l, string(it))
				}
			}
		}
	}
	return nil
}

// ParseTime reads a time written in TimeLayout in loc. An empty or
// unreadable time is the zero time.
func ParseTime(s string, loc *time.Location) time.Time {
	t, err := time.ParseInLocation(TimeLayout, strings.TrimSpace(s), loc)
	if err != nil {
		return time.Time{}
	}
	return t
}

// FormatTime writes t in TimeLayout in loc; the zero time is "".
func FormatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(TimeLayout)
}

// Integer reads a whole number exactly from a JSON number or a string
// holding one ("8080", " 1.0 ", 1e3). ok is false, and n 0, for anything
// else: another kind of value, a spelling that is not a JSON number ("0x1p3",
// "Inf"), a fraction, or a number beyond 2^53, which a float64 does not hold.
func Integer(b []byte) (n int, ok bool) {
	if v, ok := plainInt(b); ok && v > -1<<53 && v < 1<<53 { // the common case, without big numbers
		return v, true
	}
	if v, ok := quoted(b); ok { // and its string form
		return v, true
	}
	r, ok := decimal(b)
	if !ok || !r.IsInt() || r.Num().CmpAbs(big.NewInt(1<<53)) >= 0 {
		return 0, false
	}
	return int(r.Num().Int64()), true
}

// Duration reads a timeout exactly: its value, a JSON number or a string
// holding one, in its unit, "ms", "s" or "m" as written (the document names
// "ms" and "s"). ok is false, and d 0, for any other unit (never read as
// milliseconds), a value that is not a number or is negative, and one that
// is no whole number of milliseconds or does not fit a time.Duration: the
// library could not write such a timeout back as it was.
func Duration(value []byte, unit string) (d time.Duration, ok bool) {
	ms := map[string]int64{"ms": 1, "s": 1000, "m": 60 * 1000}[unit]
	if n, quick := quoted(value); quick && ms != 0 && int64(n) <= math.MaxInt64/int64(time.Millisecond)/ms { // the common case, "5" or 5, without big numbers
		return time.Duration(int64(n)*ms) * time.Millisecond, true
	}
	r, ok := decimal(value)
	if ms == 0 || !ok || r.Sign() < 0 {
		return 0, false
	}
	r.Mul(r, new(big.Rat).SetInt64(ms))
	if !r.IsInt() || !r.Num().IsInt64() || r.Num().Int64() > math.MaxInt64/int64(time.Millisecond) {
		return 0, false
	}
	return time.Duration(r.Num().Int64()) * time.Millisecond, true
}

// quoted reads the common spellings of a whole number that is not negative,
// 8080 and "8080", of up to 15 digits: no sign, no leading zero, no space.
func quoted(v []byte) (int, bool) {
	if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	if len(v) == 0 || len(v) > 15 || v[0] == '0' && len(v) > 1 {
		return 0, false
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// decimal reads a JSON number, or a string holding one, as the exact number
// its digits write.
func decimal(b []byte) (*big.Rat, bool) {
	s := string(bytes.TrimSpace(b))
	if strings.HasPrefix(s, `"`) && json.Unmarshal(b, &s) != nil {
		return nil, false
	}
	s = strings.TrimSpace(s)
	if s == "" || s[0] != '-' && (s[0] < '0' || s[0] > '9') || !json.Valid([]byte(s)) {
		return nil, false
	}
	// An exponent beyond any value the API uses would only make big.Rat
	// compute a huge power of ten.
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		if e, err := strconv.Atoi(s[i+1:]); err != nil || e < -400 || e > 400 {
			return nil, false
		}
	}
	return new(big.Rat).SetString(s)
}

// Timeout writes a duration as the API's value and unit: whole seconds in
// "s", anything else in "ms". Sub-millisecond parts are dropped; callers
// validate them first.
func Timeout(d time.Duration) (value, unit string) {
	n, unit := TimeoutIn(d)
	return strconv.FormatInt(n, 10), unit
}

// TimeoutIn is Timeout's value as a number, for writers that append it.
func TimeoutIn(d time.Duration) (n int64, unit string) {
	if d > 0 && d%time.Second == 0 {
		return int64(d / time.Second), "s"
	}
	return int64(d / time.Millisecond), "ms"
}
