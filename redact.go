package cdslb

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// This file holds what keeps a request's secrets out of the errors and log
// records the library builds: its signature, the private key it uploads and
// the access key secret, in whatever form a service, a proxy or a caller's
// transport may echo them.

// redactor knows one request's secrets and cuts them out of text. It is
// made where an answer has text to bound (a failure, a task id) or a
// helper asks for it (see redactorSlot), and finds its secrets only when
// it first redacts. A nil *redactor knows no request: it cuts out what any text
// shows as a secret (Signature=..., a PEM private key) and nothing else.
type redactor struct {
	signedQuery, accessKeySecret string
	body                         []byte

	once  sync.Once
	whole []string        // secrets cut out when whole: the signature, the access key secret
	grams map[uint64]bool // every run of gramLen bytes of the private key's lines
}

// minSecretLen is the shortest secret cut out: a shorter one would cut
// ordinary words out of messages, and gives little away.
const minSecretLen = 4

// gramLen is the shortest run of a private key's characters that is cut
// out wherever it appears: a key echoed whole, cut short at any byte, or
// starting anywhere, leaves at most gramLen-1 of its characters in a row.
const gramLen = 8

// redactor returns a redactor for a request sent with signedQuery and body.
func (c *Client) redactor(signedQuery string, body []byte) *redactor {
	return &redactor{signedQuery: signedQuery, accessKeySecret: c.signer.AccessKeySecret, body: body}
}

// init finds the secrets: the access key secret, the signature as sent and
// decoded, and every run of gramLen characters of an upload's private key,
// within its lines and across them.
func (r *redactor) init() {
	r.whole = make([]string, 0, 3)
	r.add(r.accessKeySecret)
	if i := strings.LastIndex(r.signedQuery, "&Signature="); i >= 0 {
		sig := r.signedQuery[i+len("&Signature="):]
		r.add(sig)
		if decoded, err := url.PathUnescape(sig); err == nil && decoded != sig {
			r.add(decoded)
		}
	}
	if key := privateKeyIn(r.body); key != "" {
		var lines []string
		for _, line := range strings.Split(key, "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "-----") {
				lines = append(lines, line)
			}
		}
		r.grams = map[uint64]bool{}
		for _, text := range append(lines, strings.Join(lines, ""), strings.Join(lines, "\n"), strings.Join(lines, "\r\n")) {
			for i := 0; i+gramLen <= len(text); i++ {
				r.grams[gram(text[i:])] = true
			}
		}
	}
	// Longer secrets first, so that a whole one is cut before a part of it.
	slices.SortFunc(r.whole, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
}

func (r *redactor) add(secret string) {
	if len(secret) >= minSecretLen {
		r.whole = append(r.whole, secret)
	}
}

// gram packs the first gramLen bytes of s.
func gram(s string) uint64 {
	var g uint64
	for i := range gramLen {
		g = g<<8 | uint64(s[i])
	}
	return g
}

// privateKeyIn returns the PrivateKey of a request body, if it has one.
// The look for the name leaves its opening quote out: bytes.Index tries
// each place its first byte is, and JSON is full of quotes.
func privateKeyIn(body []byte) string {
	if !bytes.Contains(body, []byte(`PrivateKey"`)) {
		return ""
	}
	var v struct{ PrivateKey string }
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	return v.PrivateKey
}

// privateKeyBlock matches a PEM private key, also one that is cut short or
// whose line breaks are escaped.
var privateKeyBlock = lazyRegexp(`-----BEGIN[A-Z ]*PRIVATE KEY-----(?s:.*?)(?:-----END[A-Z ]*PRIVATE KEY-----|$)`)

// redact returns s without the request's secrets, in any of the forms in
// which an echo may spell them (see decodeEchoes), without anything spelled
// Signature=..., and without any PEM private key.
func (r *redactor) redact(s string) string {
	if r != nil {
		if r.once.Do(r.init); len(r.whole) > 0 || len(r.grams) > 0 {
			s = r.cut(s)
		}
	}
	if strings.Contains(s, "-----BEGIN") {
		s = privateKeyBlock().ReplaceAllLiteralString(s, redacted)
	}
	if mayNameSecret(s) {
		s = signedPart().ReplaceAllString(s, "${1}${2}"+redacted)
	}
	return s
}

// mayNameSecret reports whether s may hold what signedPart matches: its
// names all hold "ature" or "ecret" (in any case). It spares most texts
// the pattern, which is slow to run.
func mayNameSecret(s string) bool {
	for i := 0; i+5 <= len(s); i++ {
		switch s[i] | 0x20 {
		case 'a':
			if strings.EqualFold(s[i:i+5], "ature") {
				return true
			}
		case 'e':
			if strings.EqualFold(s[i:i+5], "ecret") {
				return true
			}
		}
	}
	return false
}

// cut replaces each stretch of s that spells a whole secret, or a run of
// gramLen or more characters of the private key, with REDACTED. It reads s
// as an echo would spell it: each character decoded from its escape, so
// that a secret is found whatever mix of escapes spells it.
func (r *redactor) cut(s string) string {
	dec, at := decodeEchoes(s)
	from := func(i int) int { // where the spelling of decoded character i starts in s
		if at == nil {
			return i
		}
		return at[i]
	}
	var covered []bool // by decoded character
	cover := func(i, n int) {
		if covered == nil {
			covered = make([]bool, len(dec))
		}
		for j := i; j < i+n; j++ {
			covered[j] = true
		}
	}
	for _, secret := range r.whole {
		for i := 0; i+len(secret) <= len(dec); {
			j := strings.Index(dec[i:], secret)
			if j < 0 {
				break
			}
			cover(i+j, len(secret))
			i += j + 1
		}
	}
	if len(r.grams) > 0 && len(dec) >= gramLen {
		g := gram(dec) >> 8 // rolled one byte on at each step
		for i := 0; i+gramLen <= len(dec); i++ {
			if g = g<<8 | uint64(dec[i+gramLen-1]); r.grams[g] {
				cover(i, gramLen)
			}
		}
	}
	if covered == nil {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(dec); {
		if !covered[i] {
			b.WriteString(s[from(i):from(i+1)])
			i++
			continue
		}
		b.WriteString(redacted)
		for i < len(dec) && covered[i] {
			i++
		}
	}
	return b.String()
}

// maxMessageLen caps each string the service chooses (a message, a task
// id, a code, an id, a name, a status) where an error, a log record or a
// String shows it.
const maxMessageLen = 300

// maxErrorLen caps the text of an error the library composes from several
// of those strings, such as a helper's; every error's text stays under
// 4 KiB.
const maxErrorLen = 2048

// maxRedactInput is how much of a message or body, at most, what is shown
// of it is made from.
const maxRedactInput = 1 << 20

// redactPrefix returns a redacted prefix of s, or all of s, whose first
// keep bytes are free of secrets. It redacts only as much of a long text as
// that needs: a secret cut in two where the part redacted ends is never in
// the first keep bytes, however much redaction shrank the text before it.
func (r *redactor) redactPrefix(s string, keep int) string {
	longest := 0
	if r != nil {
		r.once.Do(r.init)
		for _, secret := range r.whole {
			longest = max(longest, len(secret))
		}
	}
	margin := maxSpelling * max(longest, gramLen, len("-----END RSA PRIVATE KEY-----"))
	for n := keep + 2*margin; ; n *= 4 {
		if n >= len(s) {
			return r.redact(s)
		}
		if out := r.redact(s[:n]); len(out) >= keep+margin {
			return out
		}
	}
}

// boundMessage is the one path of every string the service chooses (a
// message, a task id, a code, an id, a field or member name, a status) to
// an error, a log record or a String: it returns s without the request's
// secrets (see redactor; a nil r cuts out what any text shows as a
// secret), as valid UTF-8, with control characters escaped (\n, \x1b),
// and at most maxMessageLen bytes.
func boundMessage(s string, r *redactor) string { return boundText(s, r, maxMessageLen) }

// boundText is boundMessage with a cap of n bytes.
func boundText(s string, r *redactor, n int) string {
	s = s[:min(len(s), maxRedactInput)]
	s = r.redactPrefix(strings.ToValidUTF8(s, "\uFFFD"), n)
	s = escapeUnprintable(strings.ToValidUTF8(s, "\uFFFD"))
	return truncate(s, n)
}

// boundUnquoted is boundMessage for a text that a %q verb quotes, which
// escapes control characters itself: secrets cut out, at most
// maxMessageLen bytes.
func boundUnquoted(s string, r *redactor) string {
	s = s[:min(len(s), maxRedactInput)]
	return truncate(r.redactPrefix(s, maxMessageLen), maxMessageLen)
}

// boundQuote quotes a text the service chose, bounded (see boundUnquoted).
func boundQuote(s string, r *redactor) string { return strconv.Quote(boundUnquoted(s, r)) }

// escapeUnprintable writes control characters, and any other character that
// is not printable (line and paragraph separators, bidirectional controls),
// as Go escapes, so that a message stays on one line and cannot drive a
// terminal or reorder what is shown.
func escapeUnprintable(s string) string {
	if !strings.ContainsFunc(s, notPrintable) {
		return s
	}
	var b strings.Builder
	for _, c := range s {
		if notPrintable(c) {
			q := fmt.Sprintf("%+q", c)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func notPrintable(c rune) bool { return !unicode.IsPrint(c) }

// truncate cuts s to at most n bytes, on a character boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("...")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// redactedError is a caller's transport error whose text or Go syntax
// (%#v) may hold the signed URL. It prints redacted under every verb, and
// has no Unwrap, so that no chain of Unwrap calls reaches the unredacted
// error; its Is and As look into the cause, so errors.Is and errors.As
// still match it and what it wraps. errors.As into the caller's own error
// type gives the caller's value, as the transport made it.
type redactedError struct {
	err error
	r   *redactor
}

func (e *redactedError) Error() string { return e.r.redact(e.err.Error()) }

// Is reports whether the cause matches target.
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }

// As finds the first error in the cause's chain that matches target.
func (e *redactedError) As(target any) bool { return errors.As(e.err, target) }

// GoString shows the redacted text, never the cause's fields.
func (e *redactedError) GoString() string {
	return "&errors.errorString{s:" + strconv.Quote(e.Error()) + "}"
}

// redactError returns err, wrapped so that it prints redacted when its
// text or its Go syntax holds a secret.
func (r *redactor) redactError(err error) error {
	if err == nil {
		return nil
	}
	for _, s := range []string{err.Error(), fmt.Sprintf("%#v", err), fmt.Sprintf("%+v", err)} {
		if r.redact(s) != s {
			return &redactedError{err, r}
		}
	}
	return err
}

// redactorSlot receives, through a call's context, the redactor of the
// attempt whose answer the call returned: a helper that quotes what an
// answer holds after the call (a listener set's unread field, a waiter's
// last status) bounds it with the secrets of the request answered.
type redactorSlot struct{ r *redactor }

type redactorSlotKey struct{}

// withRedactorSlot returns ctx with a slot, which a successful call made
// with it fills: a new one, unless ctx has one already.
func withRedactorSlot(ctx context.Context) (context.Context, *redactorSlot) {
	if slot, _ := ctx.Value(redactorSlotKey{}).(*redactorSlot); slot != nil { // a helper's read, within a helper
		return ctx, slot
	}
	slot := new(redactorSlot)
	return context.WithValue(ctx, redactorSlotKey{}, slot), slot
}
