package cdslb

import (
	"fmt"
	"net/netip"
	"reflect"
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

// firstError returns the first non-nil error.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
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
