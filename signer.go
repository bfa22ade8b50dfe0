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
	macs   sync.Pool                    // keyed HMAC-SHA1 states: keying costs as much as hashing a short query
	common [len(commonKeys)]signBuffers // each common parameter's "&name=" (and constant value), encoded once
}

// signBuffers are reused across calls so that signing allocates only its result.
type signBuffers struct {
	query, toSign, sum []byte
	keys               []string
}

var signBufferPool = sync.Pool{New: func() any {
	return &signBuffers{query: make([]byte, 0, 512), toSign: make([]byte, 0, 768), sum: make([]byte, 0, sha1.Size), keys: make([]string, 0, 16)}
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

	// The canonical query and the string to sign (the canonical query
	// escaped once more) are written in one pass, each pair merging the
	// sorted caller keys with the (already sorted) common keys.
	b.query = b.query[:0]
	b.toSign = append(append(b.toSign[:0], method...), "&%2F&"...)
	ki := 0
	for ci, ck := range commonKeys {
		for ; ki < len(keys) && keys[ki] < ck; ki++ {
			b.appendParam(keys[ki], params[keys[ki]])
		}
		s.appendCommon(b, ci, action)
	}
	for ; ki < len(keys); ki++ {
		b.appendParam(keys[ki], params[keys[ki]])
	}
	clear(keys) // the pool must not keep the caller's strings alive
	b.keys = keys[:0]

	mac := s.macs.Get().(hash.Hash)
	mac.Reset()
	prefix := len(method) + len("&%2F&")
	mac.Write(b.toSign[:prefix])
	mac.Write(b.toSign[prefix+len("%26"):]) // without the first pair's escaped '&'
	var sig [28]byte                        // base64 of 20 bytes
	b.sum = mac.Sum(b.sum[:0])
	base64.StdEncoding.Encode(sig[:], b.sum)
	s.macs.Put(mac)

	b.query = appendEscaped(append(b.query, "&Signature="...), sig[:])
	return string(b.query[1:]) // without the first pair's '&'
}

func (s *Signer) init() {
	key := []byte(s.AccessKeySecret)
	s.macs.New = func() any { return hmac.New(sha1.New, key) }
	for i, name := range commonKeys {
		f := &s.common[i]
		f.separator('&')
		escapeInto(f, name)
		f.separator('=')
		switch name {
		case "AccessKeyId":
			escapeInto(f, s.AccessKeyID)
		case "SignatureMethod":
			escapeInto(f, signatureMethod)
		case "SignatureVersion":
			escapeInto(f, signatureVersion)
		case "Version":
			escapeInto(f, apiVersion)
		}
	}
}

// appendCommon appends "&name=value" for one common parameter.
func (s *Signer) appendCommon(b *signBuffers, i int, action string) {
	b.query = append(b.query, s.common[i].query...)
	b.toSign = append(b.toSign, s.common[i].toSign...)
	switch commonKeys[i] {
	case "Action":
		escapeInto(b, action)
	case "SignatureNonce":
		if s.Nonce != nil {
			escapeInto(b, s.Nonce())
		} else {
			var u [36]byte
			escapeInto(b, appendUUID(u[:0]))
		}
	case "Timestamp":
		now := time.Now
		if s.Now != nil {
			now = s.Now
		}
		var ts [len(timestampLayout)]byte
		escapeInto(b, appendTimestamp(ts[:0], now()))
	}
}

func isReservedParam(k string) bool {
	return k == "Signature" || slices.Contains(commonKeys[:], k)
}

// appendParam appends "&name=value" once for each of the parameter's values.
func (b *signBuffers) appendParam(name string, values []string) {
	for _, v := range values {
		b.separator('&')
		escapeInto(b, name)
		b.separator('=')
		escapeInto(b, v)
	}
}

// separator appends c, a '&' or '=' between parameters, to the query, and
// its escaped form to the string to sign.
func (b *signBuffers) separator(c byte) {
	b.query = append(b.query, c)
	b.toSign = append(b.toSign, '%', upperHex[c>>4], upperHex[c&15])
}

// escapeInto appends s RFC 3986 encoded to the query, and encoded twice to
// the string to sign. Runs of unreserved bytes, most of a typical query,
// are copied whole.
func escapeInto[S ~string | ~[]byte](b *signBuffers, s S) {
	q, t := b.query, b.toSign // locals stay in registers; b's fields would not
	for i := 0; i < len(s); {
		j := i
		for j+4 <= len(s) && unreserved[s[j]] && unreserved[s[j+1]] && unreserved[s[j+2]] && unreserved[s[j+3]] {
			j += 4 // four at a time: the scan is the hot loop of signing
		}
		for j < len(s) && unreserved[s[j]] {
			j++
		}
		q = append(q, s[i:j]...)
		t = append(t, s[i:j]...)
		if j == len(s) {
			break
		}
		c := s[j]
		q = append(q, '%', upperHex[c>>4], upperHex[c&15])
		t = append(t, '%', '2', '5', upperHex[c>>4], upperHex[c&15])
		i = j + 1
	}
	b.query, b.toSign = q, t
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
