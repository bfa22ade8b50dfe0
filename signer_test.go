package cdslb

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type signatureVector struct {
	Name            string       `json:"name"`
	Method          string       `json:"method"`
	Action          string       `json:"action"`
	AccessKeyID     string       `json:"access_key_id"`
	AccessKeySecret string       `json:"access_key_secret"`
	Timestamp       string       `json:"timestamp"`
	Nonce           string       `json:"nonce"`
	Params          vectorParams `json:"params"`
	CanonicalQuery  string       `json:"canonical_query"`
	StringToSign    string       `json:"string_to_sign"`
	Signature       string       `json:"signature"`
}

// vectorParams are a vector's parameters: a string, or a list for a
// parameter given more than once.
type vectorParams url.Values

// UnmarshalJSON reads each value as a string or a list of strings.
func (p *vectorParams) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*p = vectorParams{}
	for k, v := range raw {
		var one string
		if json.Unmarshal(v, &one) == nil {
			(*p)[k] = []string{one}
			continue
		}
		var list []string
		if err := json.Unmarshal(v, &list); err != nil {
			return err
		}
		(*p)[k] = list
	}
	return nil
}

func loadSignatureVectors(t testing.TB) []signatureVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/signature-vectors.json")
	require.NoError(t, err)
	var file struct{ Vectors []signatureVector }
	require.NoError(t, json.Unmarshal(raw, &file))
	require.NotEmpty(t, file.Vectors)
	return file.Vectors
}

func fixedSigner(id, secret, timestamp, nonce string) *Signer {
	ts, err := time.Parse(timestampLayout, timestamp)
	if err != nil {
		panic(err)
	}
	return &Signer{
		AccessKeyID: id, AccessKeySecret: secret,
		Now:   func() time.Time { return ts },
		Nonce: func() string { return nonce },
	}
}

func TestSignReproducesEveryVector(t *testing.T) {
	t.Parallel()
	for _, v := range loadSignatureVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			params := url.Values(v.Params)
			s := fixedSigner(v.AccessKeyID, v.AccessKeySecret, v.Timestamp, v.Nonce)
			got := s.Sign(v.Method, v.Action, params)
			assert.Equal(t, v.CanonicalQuery+"&Signature="+url.QueryEscape(v.Signature), got)

			// The independent reference below must agree with the vector too,
			// so that the property tests that use it are trustworthy.
			assert.Equal(t, v.StringToSign, v.Method+"&%2F&"+referenceEscape(v.CanonicalQuery))
			assert.Equal(t, v.Signature, referenceSignature(v.AccessKeySecret, v.StringToSign))
		})
	}
}

// referenceEscape is RFC 3986 encoding written the plainest way, for checking.
func referenceEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func referenceSignature(secret, stringToSign string) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// verifyQuery checks a signed query the way the service does: it recomputes
// the signature over every other parameter. It returns the parsed query.
func verifyQuery(t testing.TB, method, rawQuery, secret string) url.Values {
	t.Helper()
	i := strings.LastIndex(rawQuery, "&Signature=")
	require.Positive(t, i, "query has no Signature: %s", rawQuery)
	canonical, encodedSig := rawQuery[:i], rawQuery[i+len("&Signature="):]
	sig, err := url.QueryUnescape(encodedSig)
	require.NoError(t, err)
	values, err := url.ParseQuery(rawQuery)
	require.NoError(t, err)
	values.Del("Signature")
	// The canonical part must be exactly the sorted, encoded parameters:
	// sorted by the raw name in byte order, a repeated parameter's values
	// by their encoded form.
	var keys, pairs []string
	for k := range values {
		keys = append(keys, k)
	}
	sortStrings(keys)
	for _, k := range keys {
		var encoded []string
		for _, v := range values[k] {
			encoded = append(encoded, referenceEscape(v))
		}
		sortStrings(encoded)
		for _, v := range encoded {
			pairs = append(pairs, referenceEscape(k)+"="+v)
		}
	}
	require.Equal(t, strings.Join(pairs, "&"), canonical, "canonical query is not sorted and RFC 3986 encoded")
	require.Equal(t, referenceSignature(secret, method+"&%2F&"+referenceEscape(canonical)), sig, "signature does not verify")
	return values
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestSignUnseenCasesVerify(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, secret string
		params       url.Values
	}{
		{"reserved characters", "k/+=&%", url.Values{"InstanceName": {"a b+c*d~e/f?g#h[i]j@k!l$m'n(o)p,q;r:s"}}},
		{"unicode in key and value", "秘密", url.Values{"名前": {"负载 均衡", "ünïcødé"}}},
		{"control and invalid UTF-8 bytes", "s", url.Values{"X": {"\x00\x1f\x7f\xff\xfe"}}},
		{"many keys", "s", url.Values{"b": {"2"}, "a": {"1"}, "Z": {"0"}, "IP": {"1.2.3.4"}, "InstanceUuid": {"u"}, "Zeta": {""}}},
		{"a key before AccessKeyId comes first", "s", url.Values{"AB": {"x y"}, "A": {"1", "0"}, "IP": {"1.2.3.4"}}},
		{"more keys than Sign keeps on the stack", "s", manyParams(40)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &Signer{AccessKeyID: "AKID with space", AccessKeySecret: tc.secret}
			for _, method := range []string{"GET", "POST"} {
				got := verifyQuery(t, method, s.Sign(method, "DescribeLoadBalancers", tc.params), tc.secret)
				for k, vs := range tc.params {
					assert.ElementsMatch(t, vs, got[k], "every value is kept; verifyQuery checked their order")
				}
				assert.Equal(t, "AKID with space", got.Get("AccessKeyId"))
			}
		})
	}
}

// manyParams returns n parameters, named in no sorted order.
func manyParams(n int) url.Values {
	v := url.Values{}
	for i := range n {
		v.Set(fmt.Sprintf("P%03d", (i*7)%n), fmt.Sprintf("v %d", i))
	}
	return v
}

// A repeated parameter's values are signed in the order of their encoded
// form, whatever order they are given in: "%C3%BC" (ü) before "a".
func TestSignOrdersRepeatedValuesByEncodedForm(t *testing.T) {
	t.Parallel()
	s := fixedSigner("AK", "SK", "2026-11-27T08:30:00Z", "n")
	want := s.Sign("GET", "DescribeLoadBalancers", url.Values{"IP": {"ü", "a", "b"}})
	assert.Contains(t, want, "&IP=%C3%BC&IP=a&IP=b&")
	for _, order := range [][]string{{"b", "a", "ü"}, {"a", "b", "ü"}, {"ü", "b", "a"}} {
		params := url.Values{"IP": order}
		assert.Equal(t, want, s.Sign("GET", "DescribeLoadBalancers", params), "values given as %q", order)
		assert.Equal(t, order, params["IP"], "Sign must not reorder the caller's slice")
	}
}

func TestSignIgnoresReservedNamesAndKeepsParams(t *testing.T) {
	t.Parallel()
	s := fixedSigner("AK", "SK", "2026-11-27T08:30:00Z", "n")
	params := url.Values{"Action": {"Evil"}, "Signature": {"forged"}, "Timestamp": {"1999"}, "Name": {"x"}}
	before := fmt.Sprint(params)
	got := verifyQuery(t, "GET", s.Sign("GET", "DescribeZones", params), "SK")
	assert.Equal(t, []string{"DescribeZones"}, got["Action"])
	assert.Equal(t, []string{"2026-11-27T08:30:00Z"}, got["Timestamp"])
	assert.Equal(t, "x", got.Get("Name"))
	assert.Equal(t, before, fmt.Sprint(params), "Sign must not modify params")
}

func TestSignFreshNonceAndTimestamp(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 16, 30, 0, 0, time.FixedZone("CST", 8*3600))
	s := &Signer{AccessKeyID: "AK", AccessKeySecret: "SK", Now: func() time.Time { return now }}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		q := verifyQuery(t, "GET", s.Sign("GET", "DescribeZones", nil), "SK")
		nonce := q.Get("SignatureNonce")
		require.Regexp(t, uuid, nonce)
		require.False(t, seen[nonce], "nonce %s repeated", nonce)
		seen[nonce] = true
		require.Equal(t, "2026-11-27T08:30:00Z", q.Get("Timestamp"), "timestamp is UTC")
	}
}

func TestSignConcurrentUse(t *testing.T) {
	t.Parallel()
	vectors := loadSignatureVectors(t)
	v := vectors[len(vectors)-1]
	s := fixedSigner(v.AccessKeyID, v.AccessKeySecret, v.Timestamp, v.Nonce)
	want := v.CanonicalQuery + "&Signature=" + url.QueryEscape(v.Signature)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if got := s.Sign(v.Method, v.Action, nil); got != want {
					t.Errorf("concurrent Sign = %q, want %q", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestSignerNeverShowsSecret(t *testing.T) {
	t.Parallel()
	s := &Signer{AccessKeyID: "AKID", AccessKeySecret: "TOP-SECRET-VALUE"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out := fmt.Sprintf(verb, s)
		assert.NotContains(t, out, "TOP-SECRET-VALUE", verb)
		assert.NotContains(t, out, hexOf("TOP-SECRET-VALUE"), verb)
	}
	assert.Contains(t, s.String(), "AKID")
	assert.NotContains(t, s.LogValue().String(), "TOP-SECRET-VALUE")
}

func hexOf(s string) string { return fmt.Sprintf("%x", s) }

// FuzzEscape checks the encoder against the RFC 3986 rule for arbitrary
// bytes: unreserved bytes stay, every other byte is %XY with upper-case hex,
// and decoding gives back the input.
func FuzzEscape(f *testing.F) {
	for _, seed := range []string{"", "a b", "负载均衡-测试", "café😀", "a*b~c/d+e=f&g", "\x00\xff", "%2A", "5d74bb81-0473-464d-b15b 0ae4186192", "abcdefgh", "abcdefg/", "abcdefghijklmno~%"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := string(appendEscaped(nil, s))
		if got != referenceEscape(s) {
			t.Fatalf("escape(%q) = %q, want %q", s, got, referenceEscape(s))
		}
		for i := 0; i < len(got); i++ {
			c := got[i]
			if c == '%' {
				if i+2 >= len(got) || !strings.ContainsRune(upperHex, rune(got[i+1])) || !strings.ContainsRune(upperHex, rune(got[i+2])) {
					t.Fatalf("escape(%q) = %q: bad escape at %d", s, got, i)
				}
				i += 2
			} else if !unreserved[c] {
				t.Fatalf("escape(%q) = %q: reserved byte %q left as is", s, got, c)
			}
		}
		// The string to sign's encoding of s, in one pass, is escaping twice.
		q, twice := appendEscapedTwice([]byte("q"), []byte("t"), s)
		if string(q) != "q"+got || string(twice) != "t"+string(appendEscaped(nil, got)) {
			t.Fatalf("appendEscapedTwice(%q) = %q, %q; want %q and it escaped again", s, q, twice, got)
		}
		back, err := url.PathUnescape(got)
		if err != nil || back != s {
			t.Fatalf("unescape(escape(%q)) = %q, %v", s, back, err)
		}
	})
}

func TestSignTimestampFollowsTheClock(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 8, 30, 0, 0, time.UTC)
	s := &Signer{AccessKeyID: "AK", AccessKeySecret: "SK", Now: func() time.Time { return now }}
	for _, step := range []time.Duration{0, 400 * time.Millisecond, 700 * time.Millisecond, time.Hour, -time.Minute} {
		now = now.Add(step)
		q := verifyQuery(t, "GET", s.Sign("GET", "DescribeZones", nil), "SK")
		require.Equal(t, now.UTC().Format(timestampLayout), q.Get("Timestamp"), "at %s", now)
	}
}

// FuzzSign checks whole signed queries against the reference: any
// parameters, repeated or not, with any bytes, sign to a query the
// service's check accepts, keeping every value the caller gave.
func FuzzSign(f *testing.F) {
	f.Add("InstanceName", "a b", "IP", "1.2.3.4", "IP", "ü", "k/+=")
	f.Add("名前", "负载", "A", "", "AB", "\x00\xff", "秘密")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3, v3, secret string) {
		params := url.Values{}
		for _, kv := range [][2]string{{k1, v1}, {k2, v2}, {k3, v3}} {
			switch kv[0] {
			case "", "Action", "AccessKeyId", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp", "Version", "Signature":
				continue // the signer's own names are covered above
			}
			params.Add(kv[0], kv[1])
		}
		for _, method := range []string{"GET", "POST"} {
			got := verifyQuery(t, method, (&Signer{AccessKeyID: "AK", AccessKeySecret: secret}).Sign(method, "DescribeZones", params), secret)
			for k, vs := range params {
				assert.ElementsMatch(t, vs, got[k])
			}
		}
	})
}
