package cdslb

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strings"
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
// encoding/json, with one exception fmt makes: a verb that does not apply
// to the operand skips every printing method, so %p given a Signer value
// (not a pointer) and %w given a Signer or a pointer to one (a Signer is
// no error; fmt.Errorf included) print its fields as they are,
// AccessKeySecret too. The field is a plain exported string, so this
// cannot be fixed: don't use %p or %w on a Signer.
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
	states sync.Pool // *signState: buffers and a keyed HMAC, reused across calls
	// Each common parameter's "&name=" (and constant value) encoded once,
	// and that encoded again, as it goes into the string to sign.
	common, common2 [len(commonKeys)][]byte
}

// signState is what one Sign call works with; it is reused, so that
// signing allocates only its result. The HMAC is keyed once, since keying
// costs as much as hashing a short query.
type signState struct {
	query, toSign, sum []byte
	mac                hash.Hash

	// The Timestamp of the second `second`, encoded once and twice: calls
	// in the same second, most of a burst, reuse it instead of formatting
	// it again.
	second                int64
	timestamp, timestamp2 []byte
}

// param is one of the caller's parameters.
type param struct {
	name   string
	values []string
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
// params that has the name of a common parameter or Signature is ignored. A
// value given twice for one name is sent and signed once, as the fake counts
// it (the vendor's Python helper sends each GET parameter twice, and the
// service takes it). Sign does not modify params. Each call takes a fresh timestamp and nonce.
func (s *Signer) Sign(method, action string, params url.Values) string {
	if s == nil {
		return ""
	}
	k := s.keys()
	st := k.states.Get().(*signState)
	defer k.states.Put(st)

	// The caller's parameters, on the stack unless there are many: kept in
	// the pooled state, every pointer written would cost a GC write barrier.
	var stack [16]param
	ps := stack[:0]
	for name, values := range params {
		if !isReservedParam(name) {
			ps = append(ps, param{name, values})
		}
	}
	sortParams(ps)

	// The canonical query q, merging the sorted caller parameters with the
	// (already sorted) common ones, each pair with a leading '&'; and the
	// string to sign t, each pair encoded again as soon as it is in q, so
	// that the constant pairs, encoded twice in advance, are only copied.
	// t starts as method+"&%" and q's first '&' encodes as "%26", which
	// becomes "2F&" below: method+"&%2F&" and the canonical query, encoded.
	// Both are built in local slices: storing them in st after every piece
	// would cost a GC write barrier each time.
	q, t := st.query[:0], append(append(st.toSign[:0], method...), "&%"...)
	pi := 0
	for ci, ck := range commonKeys {
		for ; pi < len(ps) && ps[pi].name < ck; pi++ {
			q, t = appendParam(q, t, ps[pi])
		}
		q, t = s.appendCommon(k, st, q, t, ci, action)
	}
	for ; pi < len(ps); pi++ {
		q, t = appendParam(q, t, ps[pi])
	}
	copy(t[len(method)+2:], "2F&")

	st.mac.Reset()
	st.mac.Write(t)
	st.sum = st.mac.Sum(st.sum[:0])
	var sig [28]byte // base64 of 20 bytes
	base64.StdEncoding.Encode(sig[:], st.sum)

	q = appendEscaped(append(q, "&Signature="...), sig[:])
	st.query, st.toSign = q, t
	return string(q[1:]) // without the first pair's '&'
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
			mac: hmac.New(sha1.New, key)}
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
		k.common[i], k.common2[i] = f, appendEscaped(nil, f)
	}
	return k
}

// appendCommon appends "&name=value" for the common parameter commonKeys[i]
// to q, and that encoded to t.
func (s *Signer) appendCommon(k *signerKeys, st *signState, q, t []byte, i int, action string) ([]byte, []byte) {
	q, t = append(q, k.common[i]...), append(t, k.common2[i]...)
	switch i {
	case keyAction:
		return appendEscapedTwice(q, t, action)
	case keySignatureNonce:
		if s.Nonce != nil {
			return appendEscapedTwice(q, t, s.Nonce())
		}
		var u [36]byte
		return appendEscapedTwice(q, t, appendUUID(u[:0]))
	case keyTimestamp:
		now := time.Now
		if s.Now != nil {
			now = s.Now
		}
		if at := now(); at.Unix() != st.second || st.timestamp == nil {
			var ts [len(timestampLayout)]byte
			st.timestamp, st.timestamp2 = appendEscapedTwice(st.timestamp[:0], st.timestamp2[:0], appendTimestamp(ts[:0], at))
			st.second = at.Unix()
		}
		return append(q, st.timestamp...), append(t, st.timestamp2...)
	}
	return q, t // the value is constant, in k.common[i] already
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

// sortParams sorts parameters by name. A request has a few, which an
// insertion sort with the comparison inlined sorts fastest.
func sortParams(ps []param) {
	if len(ps) > 12 {
		slices.SortFunc(ps, func(a, b param) int { return strings.Compare(a.name, b.name) })
		return
	}
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].name < ps[j-1].name; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

// appendParam appends "&name=value" to q once for each of the parameter's
// values, and what it appended, encoded, to t. Several values are signed in
// the byte order of their encoded form, as signing.md defines, whatever order
// the caller gave them in.
func appendParam(q, t []byte, p param) ([]byte, []byte) {
	if len(p.values) > 1 {
		start := len(q)
		encoded := make([][]byte, len(p.values))
		for i, v := range p.values {
			encoded[i] = appendEscaped(nil, v)
		}
		slices.SortFunc(encoded, bytes.Compare)
		encoded = slices.CompactFunc(encoded, bytes.Equal) // a value given twice counts once
		for _, v := range encoded {
			q = append(append(appendEscaped(append(q, '&'), p.name), '='), v...)
		}
		return q, appendEscaped(t, q[start:])
	}
	for _, v := range p.values {
		q, t = appendEscapedTwice(append(q, '&'), append(t, "%26"...), p.name)
		q, t = appendEscapedTwice(append(q, '='), append(t, "%3D"...), v)
	}
	return q, t
}

// unreserved marks the bytes RFC 3986 leaves unescaped: A-Z a-z 0-9 - _ . ~
var unreserved = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~'
	}
	return t
}()

// unreserved8 is unreserved as 1 and 0, so that 8 bytes are checked with
// one branch.
var unreserved8 = func() (t [256]uint8) {
	for c, ok := range unreserved {
		if ok {
			t[c] = 1
		}
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

// appendEscapedTwice appends s percent-encoded to q, as appendEscaped does,
// and encoded twice to t, as the string to sign has it: an unreserved byte
// as it is, any other as %25XY. It reads s once, which costs less than
// encoding q's bytes again, and copies a leading run of unreserved bytes
// (an id, a nonce, an action) 8 at a time.
func appendEscapedTwice[S ~string | ~[]byte](q, t []byte, s S) ([]byte, []byte) {
	q, t = slices.Grow(q, 3*len(s)), slices.Grow(t, 5*len(s))
	n, m := len(q), len(t)
	q, t = q[:n+3*len(s)], t[:m+5*len(s)]
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if unreserved8[s[i]]&unreserved8[s[i+1]]&unreserved8[s[i+2]]&unreserved8[s[i+3]]&
			unreserved8[s[i+4]]&unreserved8[s[i+5]]&unreserved8[s[i+6]]&unreserved8[s[i+7]] == 0 {
			break
		}
		w := binary.LittleEndian.Uint64([]byte(s[i : i+8]))
		binary.LittleEndian.PutUint64(q[n:], w)
		binary.LittleEndian.PutUint64(t[m:], w)
		n, m = n+8, m+8
	}
	for ; i < len(s); i++ {
		c := s[i]
		if unreserved[c] {
			q[n], t[m] = c, c
			n, m = n+1, m+1
			continue
		}
		h, l := upperHex[c>>4], upperHex[c&15]
		q[n], q[n+1], q[n+2] = '%', h, l
		t[m], t[m+1], t[m+2], t[m+3], t[m+4] = '%', '2', '5', h, l
		n, m = n+3, m+5
	}
	return q[:n], t[:m]
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
