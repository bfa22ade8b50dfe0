package fakelb

import (
	"net/url"
	"strings"
)

// param is one query parameter, unescaped.
type param struct{ name, value string }

// query is a request's query parameters in the order they came. A request
// has a dozen or so, so a scan finds one faster than a map, and parsing
// allocates nothing for a value that needs no unescaping.
type query []param

// maxParams is the most query parameters a request may have.
const maxParams = 256

// parseQuery appends the parameters of a raw query to dst, with the rules
// of url.ParseQuery: a pair that holds a semicolon, an empty pair, and a
// pair that does not unescape are left out. A pair that repeats an earlier
// one, name and value, is left out too: the document's Python helper
// invoke_cdsapi sends each GET parameter twice (in the signed URL and again
// as params=), and the service evidently takes it, so such a pair counts
// once, for the action and for the signature. The same name with another
// value is another parameter. ok is false if the query has more than
// maxParams pairs.
func parseQuery(raw string, dst query) (q query, ok bool) {
	if strings.Count(raw, "&") >= maxParams {
		return dst, false
	}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" || strings.Contains(pair, ";") {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		name, err := unescape(name)
		if err != nil {
			continue
		}
		if value, err = unescape(value); err != nil {
			continue
		}
		if !dst.has(name, value) {
			dst = append(dst, param{name, value})
		}
	}
	return dst, true
}

// unescape is url.QueryUnescape, with a fast way past the common string
// that has nothing to unescape.
func unescape(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, nil
	}
	return url.QueryUnescape(s)
}

// lookup returns the first value of a parameter and whether it is present.
func (q query) lookup(name string) (string, bool) {
	for _, p := range q {
		if p.name == name {
			return p.value, true
		}
	}
	return "", false
}

// get returns the first value of a parameter, or "".
func (q query) get(name string) string {
	v, _ := q.lookup(name)
	return v
}

// has reports whether the query holds the pair name=value.
func (q query) has(name, value string) bool {
	for _, p := range q {
		if p.name == name && p.value == value {
			return true
		}
	}
	return false
}
