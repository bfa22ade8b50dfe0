package cdslb

import (
	"bytes"
	"cmp"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cdsgo/cdslb/internal/wire"
)

// This file decides whether a listener's wire form was read exactly: every
// field one the library models, with a value it read with its meaning, not
// left empty or approximated by tolerant decoding. A set that was not read
// exactly must not be written back (UpdateListener, RemoveListener), since
// writing it would change what the library could not read.

// shape checks that a wire value can be read exactly. It returns the path
// of the first part that cannot ("" for the value itself) and false.
type shape func(b []byte) (where string, ok bool)

var (
	anyString shape = func(b []byte) (string, bool) { return "", isNull(b) || b[0] == '"' && json.Valid(b) }
	// wholeNumber is an integer as a number or a numeric string, or null.
	wholeNumber shape = func(b []byte) (string, bool) {
		if isNull(b) {
			return "", true
		}
		var t wire.Text
		_ = t.UnmarshalJSON(b)
		f, err := strconv.ParseFloat(strings.TrimSpace(string(t)), 64)
		return "", err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53
	}
	// onOff is a switch in one of the spellings wire.Switch reads, or null.
	onOff shape = func(b []byte) (string, bool) {
		switch strings.ToLower(strings.Trim(string(b), `"`)) {
		case "null", "on", "off", "true", "false", "1", "0", "yes", "no":
			return "", true
		}
		return "", false
	}
	// stringList is a list of strings, a lone string or null (wire.Strings).
	stringList = listOf(anyString, true)
	backends   = listOf(objectOf(map[string]shape{"IP": anyString, "Port": wholeNumber, "Weight": wholeNumber, "MaxConn": wholeNumber}), false)
)

// The fields of each listener kind on the wire. The timeouts are checked
// again with their units, by exactTimeout.
var httpListenerShape, tcpListenerShape = listenerShape(true), listenerShape(false)

func listenerShape(isHTTP bool) shape {
	fields := map[string]shape{
		"ListenerName": anyString, "ListenerMode": anyString, "ListenerPort": wholeNumber,
		"Scheduler": anyString, "MaxConn": wholeNumber, "AclWhiteList": stringList, "BackendServer": backends,
		"ConnectTimeout": anyString, "ConnectTimeoutUnit": anyString, "ClientTimeout": anyString,
		"ClientTimeoutUnit": anyString, "ServerTimeout": anyString, "ServerTimeoutUnit": anyString,
	}
	if !isHTTP {
		fields["EnableSourceIp"], fields["EnableRepeaterMode"] = onOff, onOff
		return objectOf(fields)
	}
	fields["StickySession"] = onOff
	fields["CertificateIds"] = listOf(objectOf(map[string]shape{"CertificateId": anyString, "CertificateName": anyString}), false)
	fields["SessionPersistence"] = objectOf(map[string]shape{"Key": anyString, "Mode": cookieMode,
		"Timer": objectOf(map[string]shape{"MaxIdle": wholeNumber, "MaxLife": wholeNumber})})
	fields["Option"] = objectOf(map[string]shape{"Httpchk": objectOf(map[string]shape{"Method": anyString, "Uri": anyString})})
	return objectOf(fields)
}

// cookieMode is a session-persistence mode the library knows (0-2), or null.
func cookieMode(b []byte) (string, bool) {
	if isNull(b) {
		return "", true
	}
	n, err := strconv.Atoi(strings.Trim(string(b), `"`))
	return "", err == nil && n >= 0 && n <= 2
}

// inexactListener returns the first field of a listener's wire form that
// cannot be read exactly, "" if every one can.
func inexactListener(b []byte, isHTTP bool) string {
	listener := tcpListenerShape
	if isHTTP {
		listener = httpListenerShape
	}
	var fields map[string]json.RawMessage
	if where, ok := listener(b); !ok || json.Unmarshal(b, &fields) != nil {
		return cmp.Or(where, "the listener itself")
	}
	for _, name := range []string{"ConnectTimeout", "ClientTimeout", "ServerTimeout"} {
		if !exactTimeout(fields[name], fields[name+"Unit"]) {
			return name
		}
	}
	return ""
}

// exactTimeout reports whether a timeout and its unit read exactly: no
// value, or a whole number of milliseconds in a unit the library knows.
func exactTimeout(value, unit json.RawMessage) bool {
	var v wire.Text
	var u string
	if value != nil {
		_ = v.UnmarshalJSON(value)
	}
	if unit != nil && json.Unmarshal(unit, &u) != nil {
		return false
	}
	if strings.TrimSpace(string(v)) == "" {
		return true
	}
	d := wire.Duration(v, u)
	switch strings.ToLower(strings.TrimSpace(u)) {
	case "ms", "s", "m":
	default:
		return false
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(string(v)), 64)
	return err == nil && (n == 0 || d > 0) && d%time.Millisecond == 0
}

// objectOf is an object (or null) whose fields all have their shapes;
// a field without one is not modelled, and so could not be written back.
func objectOf(fields map[string]shape) shape {
	return func(b []byte) (string, bool) {
		if isNull(b) {
			return "", true
		}
		var m map[string]json.RawMessage
		if b[0] != '{' || json.Unmarshal(b, &m) != nil {
			return "", false
		}
		for name, v := range m {
			s, known := fields[name]
			if !known {
				return name, false
			}
			if where, ok := s(v); !ok {
				return joinPath(name, where), false
			}
		}
		return "", true
	}
}

// listOf is a list (or null) of items of one shape; lone says a lone item
// also stands for a list of it.
func listOf(item shape, lone bool) shape {
	return func(b []byte) (string, bool) {
		if isNull(b) {
			return "", true
		}
		if b[0] != '[' {
			if lone {
				return item(b)
			}
			return "", false
		}
		var items []json.RawMessage
		if json.Unmarshal(b, &items) != nil {
			return "", false
		}
		for i, v := range items {
			if where, ok := item(v); !ok {
				return joinPath("["+strconv.Itoa(i)+"]", where), false
			}
		}
		return "", true
	}
}

func joinPath(outer, inner string) string {
	switch {
	case inner == "":
		return outer
	case inner[0] == '[':
		return outer + inner
	}
	return outer + "." + inner
}

func isNull(b []byte) bool { return len(b) == 0 || bytes.Equal(bytes.TrimSpace(b), []byte("null")) }
