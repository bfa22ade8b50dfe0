package cdslb

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
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
// A Signer is safe for concurrent use. It must not be changed after its
// first use, because it keeps state derived from the key; a copy shares
// that state. A Signer, its copies and a pointer to one never reveal
// AccessKeySecret when printed with fmt, logged with slog or encoded with
// encoding/json.
type Signer struct {
	AccessKeyID     string
	AccessKeySecret string
	Now             func() time.Time // nil: time.Now
	Nonce           func() string    // nil: a random UUID

	keyed atomic.Value // *signerKeys, made at first use
}

// signerKeys is what a Signer derives from its key at first use. It is held
// by pointer, so that a Signer holds no lock and may be printed by value.
type signerKeys struct {
	states sync.Pool               // *signState: buffers and a keyed HMAC, reused across calls
	common [len(commonKeys)][]byte // each common parameter's "&name=" (and constant value), encoded once
}

// signState is what one Sign call works with; it is reused, so that
// signing allocates only its result. The HMAC is keyed once, since keying
// costs as much as hashing a short query.
type signState struct {
	query, toSign, sum []byte
	keys               []string
	mac                hash.Hash

	// The escaped Timestamp of the second `second`: calls in the same
	// second, most of a burst, reuse it instead of formatting it again.
	second    int64
	timestamp []byte
}

// commonKeys are the common parameters in byte order, the order they are
// signed in; the key constants are their indexes.
var commonKeys = [...]string{"AccessKeyId", "Action", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp", "Version"}

const (
	keyAccessKeyID = iota
	keyAction
	keySignatureMethod
	keySignatureNonce
	keySignatureVersion
	keyTimestamp
	keyVersion
)

// Sign returns the signed query string for one request: the canonical query
// (params plus the common parameters, sorted and RFC 3986 encoded) followed by
// "&Signature=" and the encoded signature. method is "GET" or "POST"; for a
// POST request params is empty, since the body is not signed. A parameter in
// params that has the name of a common parameter or Signature is ignored.
// Sign does not modify params. Each call takes a fresh timestamp and nonce.
func (s *Signer) Sign(method, action string, params url.Values) string {
	if s == nil {
		return ""
	}
	k := s.keys()
	st := k.states.Get().(*signState)
	defer k.states.Put(st)

	keys := st.keys[:0]
	for k := range params {
		if !isReservedParam(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)

	// The canonical query, merging the sorted caller keys with the (already
	// sorted) common keys. It is built in a local slice: storing it in st
	// after every piece would cost a GC write barrier each time.
	q := st.query[:0]
	ki := 0
	for ci, ck := range commonKeys {
		for ; ki < len(keys) && keys[ki] < ck; ki++ {
			q = appendParam(q, keys[ki], params[keys[ki]])
		}
		q = s.appendCommon(k, st, q, ci, action)
	}
	for ; ki < len(keys); ki++ {
		q = appendParam(q, keys[ki], params[keys[ki]])
	}
	clear(keys) // the pool must not keep the caller's strings alive
	st.keys = keys[:0]
	canonical := q[1:] // without the first pair's '&'

	t := append(append(st.toSign[:0], method...), "&%2F&"...)
	t = appendEscaped(t, canonical)
	st.mac.Reset()
	st.mac.Write(t)
	st.sum = st.mac.Sum(st.sum[:0])
	var sig [28]byte // base64 of 20 bytes
	base64.StdEncoding.Encode(sig[:], st.sum)

	q = appendEscaped(append(q, "&Signature="...), sig[:])
	st.query, st.toSign = q, t
	return string(q[1:])
}

// keys returns the state derived from the key, making it at first use.
func (s *Signer) keys() *signerKeys {
	if k, ok := s.keyed.Load().(*signerKeys); ok {
		return k
	}
	if s.keyed.CompareAndSwap(nil, s.deriveKeys()) {
		return s.keyed.Load().(*signerKeys)
	}
	return s.keyed.Load().(*signerKeys) // another call made it first
}

func (s *Signer) deriveKeys() *signerKeys {
	k := new(signerKeys)
	key := []byte(s.AccessKeySecret)
	k.states.New = func() any {
		return &signState{query: make([]byte, 0, 512), toSign: make([]byte, 0, 1024), sum: make([]byte, 0, sha1.Size),
			keys: make([]string, 0, 16), mac: hmac.New(sha1.New, key)}
	}
	for i, name := range commonKeys {
		f := append(appendEscaped([]byte{'&'}, name), '=')
		switch i {
		case keyAccessKeyID:
			f = appendEscaped(f, s.AccessKeyID)
		case keySignatureMethod:
			f = appendEscaped(f, signatureMethod)
		case keySignatureVersion:
			f = appendEscaped(f, signatureVersion)
		case keyVersion:
			f = appendEscaped(f, apiVersion)
		}
		k.common[i] = f
	}
	return k
}

// appendCommon appends "&name=value" for the common parameter commonKeys[i].
func (s *Signer) appendCommon(k *signerKeys, st *signState, q []byte, i int, action string) []byte {
	q = append(q, k.common[i]...)
	switch i {
	case keyAction:
		return appendEscaped(q, action)
	case keySignatureNonce:
		if s.Nonce != nil {
			return appendEscaped(q, s.Nonce())
		}
		var u [36]byte
		return appendEscaped(q, appendUUID(u[:0]))
	case keyTimestamp:
		now := time.Now
		if s.Now != nil {
			now = s.Now
		}
		if t := now(); t.Unix() != st.second || st.timestamp == nil {
			var ts [len(timestampLayout)]byte
			st.timestamp, st.second = appendEscaped(st.timestamp[:0], appendTimestamp(ts[:0], t)), t.Unix()
		}
		return append(q, st.timestamp...)
	}
	return q // the value is constant, in s.common[i] already
}

// isReservedParam reports whether a caller's parameter has a name Sign
// sets itself.
func isReservedParam(k string) bool {
	switch k {
	case "Signature", "AccessKeyId", "Action", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp", "Version":
		return true
	}
	return false
}

// appendParam appends "&name=value" once for each of the parameter's
// values. Several values are signed in the byte order of their encoded
// form, as signing.md defines, whatever order the caller gave them in.
func appendParam(q []byte, name string, values []string) []byte {
	if len(values) > 1 {
		encoded := make([][]byte, len(values))
		for i, v := range values {
			encoded[i] = appendEscaped(nil, v)
		}
		slices.SortFunc(encoded, bytes.Compare)
		for _, v := range encoded {
			q = append(append(appendEscaped(append(q, '&'), name), '='), v...)
		}
		return q
	}
	for _, v := range values {
		q = appendEscaped(append(appendEscaped(append(q, '&'), name), '='), v)
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
// dst is grown once for the worst case and written by index: this loop is
// most of the cost of signing beyond the HMAC.
func appendEscaped[S ~string | ~[]byte](dst []byte, s S) []byte {
	dst = slices.Grow(dst, 3*len(s))
	n := len(dst)
	dst = dst[:n+3*len(s)]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved[c] {
			dst[n] = c
			n++
			continue
		}
		dst[n], dst[n+1], dst[n+2] = '%', upperHex[c>>4], upperHex[c&15]
		n += 3
	}
	return dst[:n]
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

// String describes the signer by its access key id; the secret is never
// shown. The printing methods have value receivers, so that a copy of a
// Signer prints the same way.
func (s Signer) String() string {
	return "cdslb.Signer{AccessKeyID: " + s.AccessKeyID + ", AccessKeySecret: " + redact(s.AccessKeySecret) + "}"
}

// GoString is String: %#v must not reveal the secret either.
func (s Signer) GoString() string { return s.String() }

// Format prints String for every verb, so that no fmt verb reveals the secret.
func (s Signer) Format(f fmt.State, _ rune) {
	if f != nil {
		_, _ = io.WriteString(f, s.String())
	}
}

// LogValue records the access key id only.
func (s Signer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("AccessKeyID", s.AccessKeyID), slog.String("AccessKeySecret", redact(s.AccessKeySecret)))
}

// MarshalJSON encodes the access key id, with the secret as REDACTED and
// without the Now and Nonce functions.
func (s Signer) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct{ AccessKeyID, AccessKeySecret string }{s.AccessKeyID, redact(s.AccessKeySecret)})
}

const redacted = "REDACTED"
