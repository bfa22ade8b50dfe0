package fakelb

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"hash"
	"hash/maphash"
	"net/http"
	"slices"
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
func (s *Server) authenticate(method string, q query, now time.Time) error {
	for _, name := range []string{"AccessKeyId", "Signature", "SignatureNonce", "Timestamp", "SignatureMethod", "SignatureVersion", "Version"} {
		if q.get(name) == "" {
			return argMissing(name)
		}
	}
	if len(q.get("SignatureNonce")) > maxNonce {
		return invalidf("SignatureNonce must be at most %d bytes (a UUID is 36)", maxNonce)
	}
	for _, p := range fixedParams {
		if v := q.get(p.name); v != p.value {
			return invalidf("%s must be %s", p.name, p.value)
		}
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", q.get("Timestamp"))
	if err != nil {
		return invalidf("Timestamp must be UTC in the form 2006-01-02T15:04:05Z")
	}
	if q.get("AccessKeyId") != s.cfg.AccessKeyID {
		return forbidden("InvalidAccessKeyId", "the AccessKeyId is not known")
	}
	if !s.signatureMatches(method, q) {
		return forbidden("SignatureDoesNotMatch", "the Signature does not match the request")
	}
	if d := now.Sub(ts); d > clockSkew || d < -clockSkew {
		return forbidden("RequestExpired", "the Timestamp is more than 15 minutes away from the server's time")
	}
	if !s.nonces.use(q.get("SignatureNonce"), ts.Add(clockSkew), now) {
		return forbidden("SignatureNonceUsed", "the SignatureNonce was already used")
	}
	return nil
}

// nonceMemory remembers each nonce for as long as its request's Timestamp
// is accepted, that is until Timestamp + clockSkew: a request signed by a
// clock that runs fast is remembered longer, so no request can be replayed
// while it is valid. Nonces are kept in sets by the minute in which they
// expire, and a set is dropped whole once that minute has passed, so
// forgetting costs nothing per nonce. A set holds a 64-bit keyed hash of
// each nonce, not the nonce: 8 bytes and the map's slack, 10 to 40 bytes a
// nonce. Two nonces share a hash with a chance of about n²/2⁶⁵ among n
// remembered ones, which would refuse the second as used: about 3 in 10⁸
// for a million. It has its own lock: checking a nonce never waits for an
// action.
type nonceMemory struct {
	mu      sync.Mutex
	seed    maphash.Seed
	buckets map[int64]map[uint64]struct{} // by expiry, in Unix minutes
	pruned  int64                         // the Unix minute of the last pruning
}

// use records a nonce that may be replayed until expires and reports
// whether it is new.
func (m *nonceMemory) use(nonce string, expires, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.buckets == nil {
		m.seed = maphash.MakeSeed()
		m.buckets = map[int64]map[uint64]struct{}{}
	}
	if minute := now.Unix() / 60; minute != m.pruned {
		m.pruned = minute
		for expiry := range m.buckets {
			if expiry < minute { // every nonce in it has expired
				delete(m.buckets, expiry)
			}
		}
	}
	key := maphash.String(m.seed, nonce)
	for _, set := range m.buckets {
		if _, ok := set[key]; ok {
			return false
		}
	}
	minute := expires.Unix() / 60
	set := m.buckets[minute]
	if set == nil {
		set = map[uint64]struct{}{}
		m.buckets[minute] = set
	}
	set[key] = struct{}{}
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

// signer computes signatures with an HMAC keyed once: keying costs more
// than hashing a request. It is not safe for concurrent use; the Server
// keeps a pool of them.
type signer struct {
	mac    hash.Hash
	sorted query  // the signed parameters, sorted
	text   []byte // the string to sign
	sum    []byte
	b64    [28]byte // the base64 of a SHA-1 sum
}

func newSigner(secret string) *signer {
	return &signer{mac: hmac.New(sha1.New, []byte(secret))}
}

// sign returns the v1.2 signature of a query: every parameter except
// Signature, RFC 3986 encoded, sorted by name in byte order and a repeated
// parameter's values by their encoded form, joined, encoded again after
// "METHOD&%2F&", and signed with HMAC-SHA1. The result is valid until the
// next call.
func (g *signer) sign(method string, q query) []byte {
	g.sorted = g.sorted[:0]
	for _, p := range q {
		if p.name != "Signature" {
			g.sorted = append(g.sorted, p)
		}
	}
	slices.SortFunc(g.sorted, func(a, b param) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(percentEncode(a.value), percentEncode(b.value))
	})
	t := append(g.text[:0], method...)
	t = append(t, "&%2F&"...)
	for i, p := range g.sorted {
		if i > 0 {
			t = append(t, "%26"...) // &
		}
		t = appendEncodedTwice(t, p.name)
		t = append(t, "%3D"...) // =
		t = appendEncodedTwice(t, p.value)
	}
	g.text = t
	g.mac.Reset()
	g.mac.Write(t)
	g.sum = g.mac.Sum(g.sum[:0])
	base64.StdEncoding.Encode(g.b64[:], g.sum)
	return g.b64[:]
}

// signatureMatches reports whether the Signature of q is the one the
// fake's key gives the request, comparing in constant time.
func (s *Server) signatureMatches(method string, q query) bool {
	g := s.signers.Get().(*signer)
	defer s.signers.Put(g)
	return hmac.Equal(g.sign(method, q), []byte(q.get("Signature")))
}

// unreserved reports whether RFC 3986 leaves c as it is: A-Z a-z 0-9 - _ . ~
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}

const upperHex = "0123456789ABCDEF"

// percentEncode encodes every byte except A-Z a-z 0-9 - _ . ~ as %XY with
// upper-case hex.
func percentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
	return b.String()
}

// appendEncodedTwice appends percentEncode(percentEncode(s)): an encoded
// byte's % is itself encoded as %25.
func appendEncodedTwice(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', '2', '5', upperHex[c>>4], upperHex[c&15])
	}
	return dst
}
