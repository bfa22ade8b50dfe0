package fakelb

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// clockSkew is how far a request's Timestamp may be from the fake's clock,
// and how long a SignatureNonce is remembered.
const clockSkew = 15 * time.Minute

// fixedParams are the common parameters with the only value they may have.
var fixedParams = []struct{ name, value string }{
	{"SignatureMethod", "HMAC-SHA1"},
	{"SignatureVersion", "1.0"},
	{"Version", "2019-08-08"},
}

func forbidden(code, msg string) error {
	return &apiError{http.StatusForbidden, code, msg}
}

// authenticate checks the common parameters and the signature of a request,
// then records its nonce. It never puts the secret or the expected signature
// in an error.
func (s *Server) authenticate(method string, q url.Values, now time.Time) error {
	for _, name := range []string{"AccessKeyId", "Signature", "SignatureNonce", "Timestamp", "SignatureMethod", "SignatureVersion", "Version"} {
		if q.Get(name) == "" {
			return argMissing(name)
		}
	}
	for _, p := range fixedParams {
		if v := q.Get(p.name); v != p.value {
			return invalidf("%s must be %s", p.name, p.value)
		}
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", q.Get("Timestamp"))
	if err != nil {
		return invalidf("Timestamp must be UTC in the form 2006-01-02T15:04:05Z")
	}
	if q.Get("AccessKeyId") != s.cfg.AccessKeyID {
		return forbidden("InvalidAccessKeyId", "the AccessKeyId is not known")
	}
	want := signature(s.cfg.AccessKeySecret, method, q)
	if !hmac.Equal([]byte(want), []byte(q.Get("Signature"))) {
		return forbidden("SignatureDoesNotMatch", "the Signature does not match the request")
	}
	if d := now.Sub(ts); d > clockSkew || d < -clockSkew {
		return forbidden("RequestExpired", "the Timestamp is more than 15 minutes away from the server's time")
	}
	return s.useNonce(q.Get("SignatureNonce"), now)
}

// useNonce records a nonce, refusing one seen within clockSkew.
func (s *Server) useNonce(nonce string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.noncePrune) > time.Minute {
		for n, seen := range s.nonces {
			if now.Sub(seen) > clockSkew {
				delete(s.nonces, n)
			}
		}
		s.noncePrune = now
	}
	if seen, ok := s.nonces[nonce]; ok && now.Sub(seen) <= clockSkew {
		return forbidden("SignatureNonceUsed", "the SignatureNonce was already used")
	}
	s.nonces[nonce] = now
	return nil
}

// signature computes the v1.2 signature of a query: every parameter except
// Signature, sorted by name (then value) in byte order, RFC 3986 encoded,
// joined, encoded again after "METHOD&%2F&", and signed with HMAC-SHA1.
func signature(secret, method string, q url.Values) string {
	names := make([]string, 0, len(q))
	for name := range q {
		if name != "Signature" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var pairs []string
	for _, name := range names {
		values := append([]string(nil), q[name]...)
		sort.Strings(values)
		for _, v := range values {
			pairs = append(pairs, percentEncode(name)+"="+percentEncode(v))
		}
	}
	canonical := strings.Join(pairs, "&")
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(method + "&%2F&" + percentEncode(canonical)))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// percentEncode encodes every byte except A-Z a-z 0-9 - _ . ~ as %XY with
// upper-case hex.
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
