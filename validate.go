package cdslb

import (
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// This file holds the rules each request is checked against before anything
// is sent: the parameters the vendor document requires, the id of the
// resource an action is addressed to, and the ranges and formats the
// document states. Nothing stricter: a rule the service does not have would
// block real callers.

// validateRequest checks what every request must satisfy, then the
// action's own rules. Every string must be valid UTF-8: encoding/json would
// replace invalid bytes with U+FFFD on the wire, sending something other
// than what the caller wrote, and a query would carry them as they are.
// Every problem's Action is action, the name the caller called.
func validateRequest(action string, r interface{ validate() error }) error {
	var err error
	if field, ok := invalidUTF8(reflect.ValueOf(r)); ok {
		err = invalid(field, "is not valid UTF-8")
	} else {
		err = r.validate()
	}
	if err == nil {
		return nil
	}
	var ve *ValidationError // on the heap, so declared only for a failure
	if errors.As(err, &ve) {
		ve.Action = action
		for _, m := range ve.More {
			m.Action = action
		}
	}
	return err
}

// invalidUTF8 returns the path of the first string in v, or in the
// fields encoding/json writes, elements and map entries within it, that is not valid
// UTF-8. The path is built only for that string.
func invalidUTF8(v reflect.Value) (string, bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return invalidUTF8(v.Elem())
		}
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			return "", true
		}
	case reflect.Struct:
		for _, i := range textFields(v.Type()) {
			if bad, ok := invalidUTF8(v.Field(i)); ok {
				f := v.Type().Field(i)
				if f.Anonymous { // an embedded struct's fields are the outer struct's
					return bad, true
				}
				return within(f.Name, bad), true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if bad, ok := invalidUTF8(v.Index(i)); ok {
				return within(fmt.Sprintf("[%d]", i), bad), true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			bad, ok := invalidUTF8(it.Key())
			if !ok {
				bad, ok = invalidUTF8(it.Value())
			}
			if ok {
				return within(fmt.Sprintf("[%q]", fmt.Sprint(it.Key())), bad), true
			}
		}
	}
	return "", false
}

// textFieldsOf holds textFields' answers by struct type.
var textFieldsOf sync.Map

// textFields returns the indexes of the fields of the struct type t that
// encoding/json writes and that may hold a string: the fields invalidUTF8
// looks into.
func textFields(t reflect.Type) []int {
	if fs, ok := textFieldsOf.Load(t); ok {
		return fs.([]int)
	}
	var fs []int
	for i := range t.NumField() {
		if f := t.Field(i); jsonWrites(f) && holdsText(f.Type, map[reflect.Type]bool{}) {
			fs = append(fs, i)
		}
	}
	textFieldsOf.Store(t, fs)
	return fs
}

// holdsText reports whether a value of type t may hold a string. seen
// holds the types being looked into, which a type that refers to itself
// (through a struct, or through lists, maps or pointers alone) meets again.
func holdsText(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.String, reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holdsText(t.Elem(), seen)
	case reflect.Map:
		return holdsText(t.Key(), seen) || holdsText(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); jsonWrites(f) && holdsText(f.Type, seen) {
				return true
			}
		}
	}
	return false
}

// jsonWrites reports whether encoding/json writes the struct field f, or the
// fields within it: an exported field, or an embedded struct (or pointer
// to one) of an unexported type, whose exported fields it promotes.
func jsonWrites(f reflect.StructField) bool {
	t := f.Type
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return f.IsExported() || f.Anonymous && t.Kind() == reflect.Struct
}

// within is the path inner within outer: outer.inner, or outer[i] for an index.
func within(outer, inner string) string {
	if inner == "" || inner[0] == '[' {
		return outer + inner
	}
	return outer + "." + inner
}

// requiredArgument checks a string argument of a helper that is not a
// request (an instance id, a listener name): present and valid UTF-8,
// refused under the helper's own name.
func requiredArgument(action, field, value string) error {
	switch {
	case strings.TrimSpace(value) == "":
		return &ValidationError{Action: action, Field: field, Reason: "is required"}
	case !utf8.ValidString(value):
		return &ValidationError{Action: action, Field: field, Reason: "is not valid UTF-8"}
	}
	return nil
}

func required(field, value string) error {
	if strings.TrimSpace(value) == "" {
		return invalid(field, "is required")
	}
	return nil
}

// allOf returns every problem of errs (each nil or a *ValidationError,
// perhaps with More) as one *ValidationError, or nil when there is none.
func allOf(errs ...error) error {
	var p problems
	p.add(errs...)
	return p.err()
}

// problems collects every rule a request breaks, so that the caller hears
// of them all at once.
type problems []*ValidationError

// add records the problems of errs; nil errors are skipped.
func (p *problems) add(errs ...error) {
	for _, err := range errs {
		if err == nil {
			continue
		}
		var ve *ValidationError
		switch {
		case errors.As(err, &ve):
			first := *ve
			first.More = nil
			*p = append(*p, &first)
			*p = append(*p, ve.More...)
		default: // no validate method returns another kind of error
			*p = append(*p, &ValidationError{Reason: err.Error()})
		}
	}
}

// addf records that field breaks a rule.
func (p *problems) addf(field, format string, args ...any) {
	*p = append(*p, invalid(field, format, args...))
}

// err is nil when no problem was recorded, else the first with the others in More.
func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	first := *p[0]
	if len(p) > 1 {
		first.More = slices.Clone(p[1:])
	}
	return &first
}

func positive(field string, n int) error {
	if n <= 0 {
		return invalid(field, "must be a positive id, got %d", n)
	}
	return nil
}

func isIPv4OrCIDR(s string) bool {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return err == nil && p.Addr().Is4()
	}
	return isIPv4(s)
}

func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// isHostName reports whether s is a host name: at most 253 characters, and
// a last label that is not all digits, so that a mistyped IPv4 address such
// as "10.0.0.256" is not taken for one.
func isHostName(s string) bool {
	if len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if !isLabel(label) {
			return false
		}
	}
	last := s[strings.LastIndexByte(s, '.')+1:]
	return strings.Trim(last, "0123456789") != ""
}

// hasSpaceOrControl reports whether s holds white space or a control
// character: values that reach haproxy.cfg's lines must not split them.
func hasSpaceOrControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0
}

// isLabel reports whether s is a DNS label: 1-63 letters, digits and
// hyphens, with a letter or digit at each end.
func isLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}

// isAlnum reports whether c is an ASCII letter or digit.
func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
