package fakelb

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// clockSkew is how far a request's Timestamp may be from the fake's clock.
const clockSkew = 15 * time.Minute

// maxNonce is the longest SignatureNonce accepted: the vendor's nonces are
// UUIDs (36 bytes), and each is remembered for up to half an hour.
const maxNonce = 64

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
	if len(q.Get("SignatureNonce")) > maxNonce {
		return invalidf("SignatureNonce must be at most %d bytes (a UUID is 36)", maxNonce)
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
	if !s.nonces.use(q.Get("SignatureNonce"), ts.Add(clockSkew), now) {
		return forbidden("SignatureNonceUsed", "the SignatureNonce was already used")
	}
	return nil
}

// nonceMemory remembers each nonce for as long as its request's Timestamp
// is accepted, that is until Timestamp + clockSkew: a request signed by a
// clock that runs fast is remembered longer, so no request can be replayed
// while it is valid. Nonces are kept in sets by the minute in which they
// expire, and a set is dropped whole once that minute has passed, so
// forgetting costs nothing per nonce. It has its own lock: checking a nonce
// never waits for an action.
type nonceMemory struct {
	mu      sync.Mutex
	buckets map[int64]map[string]struct{} // by expiry, in Unix minutes
}

// use records a nonce that may be replayed until expires and reports
// whether it is new.
func (m *nonceMemory) use(nonce string, expires, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.buckets == nil {
		m.buckets = map[int64]map[string]struct{}{}
	}
	for minute, set := range m.buckets {
		if (minute+1)*60 <= now.Unix() { // every nonce in it has expired
			delete(m.buckets, minute)
			continue
		}
		if _, ok := set[nonce]; ok {
			return false
		}
	}
	minute := expires.Unix() / 60
	set := m.buckets[minute]
	if set == nil {
		set = map[string]struct{}{}
		m.buckets[minute] = set
	}
	set[nonce] = struct{}{}
	return true
}

// remembered returns how many nonces are held, for tests.
func (m *nonceMemory) remembered() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, set := range m.buckets {
		n += len(set)
	}
	return n
}

// signature computes the v1.2 signature of a query: every parameter except
// Signature, RFC 3986 encoded, sorted by name in byte order and a repeated
// parameter's values by their encoded form, joined, encoded again after
// "METHOD&%2F&", and signed with HMAC-SHA1.
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
		values := make([]string, len(q[name]))
		for i, v := range q[name] {
			values[i] = percentEncode(v)
		}
		sort.Strings(values)
		for _, v := range values {
			pairs = append(pairs, percentEncode(name)+"="+v)
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
