package cdslb

import (
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"
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
func validateRequest(r interface{ validate() error }) error {
	if field, ok := invalidUTF8(reflect.ValueOf(r), ""); ok {
		return invalid(field, "is not valid UTF-8")
	}
	return r.validate()
}

// invalidUTF8 returns the path of the first string in v, or in the
// exported fields, elements and map entries within it, that is not valid
// UTF-8.
func invalidUTF8(v reflect.Value, path string) (string, bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return invalidUTF8(v.Elem(), path)
		}
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			return path, true
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			p := f.Name
			if f.Anonymous {
				p = path // an embedded struct's fields are the outer struct's
			} else if path != "" {
				p = path + "." + f.Name
			}
			if bad, ok := invalidUTF8(v.Field(i), p); ok {
				return bad, true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if bad, ok := invalidUTF8(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); ok {
				return bad, true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			p := fmt.Sprintf("%s[%q]", path, fmt.Sprint(it.Key()))
			if bad, ok := invalidUTF8(it.Key(), p); ok {
				return bad, true
			}
			if bad, ok := invalidUTF8(it.Value(), p); ok {
				return bad, true
			}
		}
	}
	return "", false
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
		var ve *ValidationError
		switch {
		case err == nil:
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
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Addr().Is4()
	}
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
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
