package cdslb

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"log/slog"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Values of the common query parameters that every CDS OpenAPI v1.2 request carries.
const (
	signatureMethod  = "HMAC-SHA1"
	signatureVersion = "1.0"
	apiVersion       = "2019-08-08"
	timestampLayout  = "2006-01-02T15:04:05Z"
)

// Signer signs CDS OpenAPI v1.2 requests: HMAC-SHA1 over the sorted,
// RFC 3986 encoded query (SignatureVersion 1.0, Version 2019-08-08).
// The load-balancer client uses one internally; callers may use a Signer on
// its own to sign requests to other CDS products, which share the scheme.
//
// A Signer is safe for concurrent use. Like strings.Builder it must not be
// copied or changed after its first use, because it keeps state derived from
// the key. Its String, GoString, Format and LogValue methods never reveal
// AccessKeySecret.
type Signer struct {
	AccessKeyID     string
	AccessKeySecret string
	Now             func() time.Time // nil: time.Now
	Nonce           func() string    // nil: a random UUID

	once   sync.Once
	macs   sync.Pool                  // keyed HMAC-SHA1 states: keying costs as much as hashing a short query
	common [len(commonKeys)]canonical // each common parameter's "&name=" (and constant value), encoded once
}

// canonical is a canonical query and its string to sign, written together
// (the string to sign holds the query escaped once more). It is passed and
// returned by value, so the hot loop keeps its slices in registers instead
// of storing them in the heap, where each store costs a GC write barrier.
type canonical struct{ query, toSign []byte }

// signBuffers are reused across calls so that signing allocates only its result.
type signBuffers struct {
	canonical
	sum  []byte
	keys []string
}

var signBufferPool = sync.Pool{New: func() any {
	return &signBuffers{canonical: canonical{make([]byte, 0, 512), make([]byte, 0, 768)}, sum: make([]byte, 0, sha1.Size), keys: make([]string, 0, 16)}
}}

// commonKeys are the common parameters in byte order, the order they are signed in.
var commonKeys = [...]string{"AccessKeyId", "Action", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp", "Version"}

// Sign returns the signed query string for one request: the canonical query
// (params plus the common parameters, sorted and RFC 3986 encoded) followed by
// "&Signature=" and the encoded signature. method is "GET" or "POST"; for a
// POST request params is empty, since the body is not signed. A parameter in
// params that has the name of a common parameter or Signature is ignored.
// Sign does not modify params. Each call takes a fresh timestamp and nonce.
func (s *Signer) Sign(method, action string, params url.Values) string {
	s.once.Do(s.init)
	b := signBufferPool.Get().(*signBuffers)
	defer signBufferPool.Put(b)

	keys := b.keys[:0]
	for k := range params {
		if !isReservedParam(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)

	// One pass writes the query and the string to sign, merging the sorted
	// caller keys with the (already sorted) common keys.
	c := canonical{b.query[:0], append(append(b.toSign[:0], method...), "&%2F&"...)}
	ki := 0
	for ci, ck := range commonKeys {
		for ; ki < len(keys) && keys[ki] < ck; ki++ {
			c = c.param(keys[ki], params[keys[ki]])
		}
		c = s.appendCommon(c, ci, action)
	}
	for ; ki < len(keys); ki++ {
		c = c.param(keys[ki], params[keys[ki]])
	}
	clear(keys) // the pool must not keep the caller's strings alive
	b.keys = keys[:0]

	mac := s.macs.Get().(hash.Hash)
	mac.Reset()
	prefix := len(method) + len("&%2F&")
	mac.Write(c.toSign[:prefix])
	mac.Write(c.toSign[prefix+len("%26"):]) // without the first pair's escaped '&'
	var sig [28]byte                        // base64 of 20 bytes
	b.sum = mac.Sum(b.sum[:0])
	base64.StdEncoding.Encode(sig[:], b.sum)
	s.macs.Put(mac)

	c.query = appendEscaped(append(c.query, "&Signature="...), sig[:])
	b.canonical = c
	return string(c.query[1:]) // without the first pair's '&'
}

func (s *Signer) init() {
	key := []byte(s.AccessKeySecret)
	s.macs.New = func() any { return hmac.New(sha1.New, key) }
	for i, name := range commonKeys {
		c := escapeInto(canonical{}.separator('&'), name).separator('=')
		switch name {
		case "AccessKeyId":
			c = escapeInto(c, s.AccessKeyID)
		case "SignatureMethod":
			c = escapeInto(c, signatureMethod)
		case "SignatureVersion":
			c = escapeInto(c, signatureVersion)
		case "Version":
			c = escapeInto(c, apiVersion)
		}
		s.common[i] = c
	}
}

// appendCommon appends "&name=value" for one common parameter.
func (s *Signer) appendCommon(c canonical, i int, action string) canonical {
	c = canonical{append(c.query, s.common[i].query...), append(c.toSign, s.common[i].toSign...)}
	switch commonKeys[i] {
	case "Action":
		return escapeInto(c, action)
	case "SignatureNonce":
		if s.Nonce != nil {
			return escapeInto(c, s.Nonce())
		}
		var u [36]byte
		return escapeInto(c, appendUUID(u[:0]))
	case "Timestamp":
		now := time.Now
		if s.Now != nil {
			now = s.Now
		}
		var ts [len(timestampLayout)]byte
		return escapeInto(c, appendTimestamp(ts[:0], now()))
	}
	return c
}

func isReservedParam(k string) bool {
	return k == "Signature" || slices.Contains(commonKeys[:], k)
}

// param appends "&name=value" once for each of the parameter's values.
func (c canonical) param(name string, values []string) canonical {
	for _, v := range values {
		c = escapeInto(escapeInto(c.separator('&'), name).separator('='), v)
	}
	return c
}

// separator appends ch, a '&' or '=' between parameters, to the query, and
// its escaped form to the string to sign.
func (c canonical) separator(ch byte) canonical {
	return canonical{append(c.query, ch), append(c.toSign, '%', upperHex[ch>>4], upperHex[ch&15])}
}

// escapeInto appends s RFC 3986 encoded to the query, and encoded twice to
// the string to sign. Both buffers are grown once for the worst case and
// written by index: this loop is most of the cost of signing beyond the HMAC.
func escapeInto[S ~string | ~[]byte](c canonical, s S) canonical {
	q, t := slices.Grow(c.query, 3*len(s)), slices.Grow(c.toSign, 5*len(s))
	qi, ti := len(q), len(t)
	q, t = q[:qi+3*len(s)], t[:ti+5*len(s)]
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if unreserved[ch] {
			q[qi], t[ti] = ch, ch
			qi, ti = qi+1, ti+1
			continue
		}
		hi, lo := upperHex[ch>>4], upperHex[ch&15]
		q[qi], q[qi+1], q[qi+2] = '%', hi, lo
		t[ti], t[ti+1], t[ti+2], t[ti+3], t[ti+4] = '%', '2', '5', hi, lo
		qi, ti = qi+3, ti+5
	}
	return canonical{q[:qi], t[:ti]}
}

// unreserved marks the bytes RFC 3986 leaves unescaped: A-Z a-z 0-9 - _ . ~
var unreserved = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~'
	}
	return t
}()

const upperHex = "0123456789ABCDEF"

// appendEscaped appends s percent-encoded by RFC 3986: every byte but the
// unreserved ones becomes %XY with upper-case hex (a space is %20, never +).
func appendEscaped[S ~string | ~[]byte](dst []byte, s S) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved[c] {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return dst
}

// appendTimestamp appends t in UTC as 2006-01-02T15:04:05Z; it is
// time.AppendFormat without the cost of interpreting a layout.
func appendTimestamp(dst []byte, t time.Time) []byte {
	t, start := t.UTC(), len(dst)
	year, month, day := t.Date()
	hour, minute, second := t.Clock()
	dst = append(dst, byte('0'+year/1000%10), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-')
	for _, n := range [...]int{int(month), day, hour, minute, second} {
		dst = append(dst, byte('0'+n/10), byte('0'+n%10), 0)
	}
	sep := dst[start:]
	sep[7], sep[10], sep[13], sep[16], sep[19] = '-', 'T', ':', ':', 'Z'
	return dst
}

// appendUUID appends a random version 4 UUID.
func appendUUID(dst []byte) []byte {
	var u [16]byte
	_, _ = rand.Read(u[:]) // crypto/rand.Read never fails on supported platforms
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:], u[10:])
	return append(dst, s[:]...)
}

// String describes the signer by its access key id; the secret is never shown.
func (s *Signer) String() string {
	return "cdslb.Signer{AccessKeyID: " + s.AccessKeyID + ", AccessKeySecret: REDACTED}"
}

// GoString is String: %#v must not reveal the secret either.
func (s *Signer) GoString() string { return s.String() }

// Format prints String for every verb, so that no fmt verb reveals the secret.
func (s *Signer) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue records the access key id only.
func (s *Signer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("AccessKeyID", s.AccessKeyID), slog.String("AccessKeySecret", redacted))
}

const redacted = "REDACTED"
