package fakelb

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// parseQuery reads a query as url.ParseQuery does, keeping the order.
func TestParseQueryAgreesWithNetURL(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"",
		"Action=DescribeZones&Version=2019-08-08",
		"a=1&a=2&b=%20x+y&c=%E4%B8%AD",
		"a&=b&&c=&d=1=2",
		"a=1;b=2&c=3",
		"bad=%zz&ok=1&%zz=bad",
		"Timestamp=2026-03-10T06%3A00%3A00Z&Signature=ab%2Bc%2F%3D",
	} {
		want, _ := url.ParseQuery(raw)
		q, ok := parseQuery(raw, nil)
		if !ok {
			t.Fatalf("%q: refused", raw)
		}
		got := url.Values{}
		for _, p := range q {
			got[p.name] = append(got[p.name], p.value)
		}
		if got.Encode() != want.Encode() {
			t.Errorf("%q: got %v, want %v", raw, got, want)
		}
		for name, values := range want {
			if v, ok := q.lookup(name); !ok || v != values[0] {
				t.Errorf("%q: lookup(%q) = %q, %v; want %q, the first", raw, name, v, ok, values[0])
			}
		}
	}
	q, _ := parseQuery("b=1&a=2&b=3", nil)
	if !slices.Equal(q, query{{"b", "1"}, {"a", "2"}, {"b", "3"}}) {
		t.Errorf("order: %v", q)
	}
	if _, ok := parseQuery(strings.Repeat("a=1&", maxParams), nil); ok {
		t.Errorf("%d parameters were accepted", maxParams+1)
	}
}

// A request with too many parameters is refused before anything else.
func TestTooManyParametersAreRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	q := signQuery("GET", "DescribeZones", testKeyID, testSecret, t0, nextNonce(), nil) + strings.Repeat("&x=1", maxParams)
	if res := e.send("GET", "/lb/", q, nil); res.status != 400 || res.Code != "InvalidParameter" {
		t.Errorf("got %d %s, want 400 InvalidParameter", res.status, res.Code)
	}
}
