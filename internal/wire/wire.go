// Package wire holds the tolerant scalar types and formats of the CDS API's
// JSON. The vendor document disagrees with itself about types (a port is a
// string in one table and a number in an example, a list may come as a
// string, a switch as "on" or 1), so every type here accepts each spelling
// the service has been seen to use and never fails a decode: a value it
// cannot read is left at its zero value, so one odd field does not fail a
// whole call.
package wire

import (
	"bytes"
	"encoding/json"
	"math"
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

// Duration converts a timeout and its unit ("ms", "s" or "m") to a
// duration. A missing unit is read as milliseconds, the API's own unit for
// timeouts. A value that is not a number, is negative or does not fit a
// time.Duration, or has a unit not named here, is 0: unreadable, never
// read in another unit.
func Duration(value Text, unit string) time.Duration {
	n, ok := number([]byte(value))
	if !ok || n < 0 {
		return 0
	}
	var scale float64
	switch strings.ToLower(strings.TrimSpace(unit)) {
	case "ms", "":
		scale = float64(time.Millisecond)
	case "s":
		scale = float64(time.Second)
	case "m":
		scale = float64(time.Minute)
	default:
		return 0
	}
	// Converting a float beyond int64 to a Duration gives an arbitrary value
	// (on amd64 the most negative one): treat it as unreadable instead.
	if d := n * scale; d < math.MaxInt64 {
		return time.Duration(d)
	}
	return 0
}

// Timeout writes a duration as the API's value and unit: whole seconds in
// "s", anything else in "ms". Sub-millisecond parts are dropped; callers
// validate them first.
func Timeout(d time.Duration) (Text, string) {
	if d > 0 && d%time.Second == 0 {
		return Text(strconv.FormatInt(int64(d/time.Second), 10)), "s"
	}
	return Text(strconv.FormatInt(int64(d/time.Millisecond), 10)), "ms"
}
