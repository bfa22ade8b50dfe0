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

	once sync.Once
	macs sync.Pool // keyed HMAC-SHA1 states: keying costs as much as hashing a short query
}

// signBuffers are reused across calls so that signing allocates only its result.
type signBuffers struct {
	query, toSign []byte
	keys          []string
}

var signBufferPool = sync.Pool{New: func() any {
	return &signBuffers{query: make([]byte, 0, 512), toSign: make([]byte, 0, 768), keys: make([]string, 0, 16)}
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

	// Merge the sorted caller keys with the (already sorted) common keys.
	q := b.query[:0]
	ki := 0
	for _, ck := range commonKeys {
		for ; ki < len(keys) && keys[ki] < ck; ki++ {
			q = appendParam(q, keys[ki], params[keys[ki]])
		}
		q = s.appendCommon(q, ck, action)
	}
	for ; ki < len(keys); ki++ {
		q = appendParam(q, keys[ki], params[keys[ki]])
	}
	clear(keys) // the pool must not keep the caller's strings alive
	b.keys = keys[:0]

	t := append(b.toSign[:0], method...)
	t = append(t, "&%2F&"...)
	t = appendEscaped(t, q[1:]) // q[1:] drops the leading '&'

	mac := s.macs.Get().(hash.Hash)
	mac.Reset()
	mac.Write(t)
	var sum [sha1.Size]byte
	var sig [28]byte // base64 of 20 bytes
	base64.StdEncoding.Encode(sig[:], mac.Sum(sum[:0]))
	s.macs.Put(mac)

	q = append(q, "&Signature="...)
	q = appendEscaped(q, sig[:])
	out := string(q[1:])
	b.query, b.toSign = q, t
	return out
}

func (s *Signer) init() {
	key := []byte(s.AccessKeySecret)
	s.macs.New = func() any { return hmac.New(sha1.New, key) }
}

// appendCommon appends "&name=value" for one common parameter.
func (s *Signer) appendCommon(q []byte, name, action string) []byte {
	q = append(q, '&')
	q = append(q, name...)
	q = append(q, '=')
	switch name {
	case "AccessKeyId":
		return appendEscaped(q, s.AccessKeyID)
	case "Action":
		return appendEscaped(q, action)
	case "SignatureMethod":
		return append(q, signatureMethod...)
	case "SignatureNonce":
		if s.Nonce != nil {
			return appendEscaped(q, s.Nonce())
		}
		return appendUUID(q)
	case "SignatureVersion":
		return append(q, signatureVersion...)
	case "Timestamp":
		now := time.Now
		if s.Now != nil {
			now = s.Now
		}
		var ts [len(timestampLayout)]byte
		return appendEscaped(q, now().UTC().AppendFormat(ts[:0], timestampLayout))
	default: // "Version"
		return append(q, apiVersion...)
	}
}

func isReservedParam(k string) bool {
	return k == "Signature" || slices.Contains(commonKeys[:], k)
}

// appendParam appends "&name=value" once for each of the parameter's values.
func appendParam(q []byte, name string, values []string) []byte {
	for _, v := range values {
		q = append(q, '&')
		q = appendEscaped(q, name)
		q = append(q, '=')
		q = appendEscaped(q, v)
	}
	return q
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
