package cdslb

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// This file names what makes an answer malformed, as the service spells
// its fields: the entry, the field and the kind of value found and due.

// malformedError says why a list is malformed, naming the entry.
type malformedError struct{ at, why string }

func (e *malformedError) Error() string { return e.at + " " + e.why }

// where spells a JSON pointer as the service's fields are named in
// messages: /Data/3/VIPs/0 is Data[3].VIPs[0].
func where(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.Atoi(tok); err == nil {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(boundMessage(tok, nil))
	}
	return b.String()
}

// kindName names a kind of JSON value.
func kindName(k jsontext.Kind) string {
	switch k {
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
	case '0':
		return "a number"
	}
	return "a value"
}

// typeName names the kind of value a Go type reads.
func typeName(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	switch t.Kind() {
	case reflect.Slice:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	}
	return "a number"
}
