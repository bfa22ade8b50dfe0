package cdslb

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
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
// made where an attempt fails, and finds and compiles its secrets only when
// it first redacts.
type redactor struct {
	signedQuery, accessKeySecret string
	body                         []byte

	once    sync.Once
	secrets []string
	re      *regexp.Regexp // nil when there are no secrets
}

// minSecretLen is the shortest secret cut out: a shorter one would cut
// ordinary words out of messages, and gives little away.
const minSecretLen = 4

// redactor returns a redactor for a request sent with signedQuery and body.
func (c *Client) redactor(signedQuery string, body []byte) *redactor {
	return &redactor{signedQuery: signedQuery, accessKeySecret: c.signer.AccessKeySecret, body: body}
}

// init finds the secrets: the access key secret, the signature as sent and
// decoded, and the private key of an upload with each of its lines.
func (r *redactor) init() {
	r.add(r.accessKeySecret)
	if i := strings.LastIndex(r.signedQuery, "&Signature="); i >= 0 {
		sig := r.signedQuery[i+len("&Signature="):]
		r.add(sig)
		if decoded, err := url.PathUnescape(sig); err == nil {
			r.add(decoded)
		}
	}
	if key := privateKeyIn(r.body); key != "" {
		r.add(key)
		for _, line := range strings.Split(key, "\n") { // an echo cut short still shows whole lines
			if line = strings.TrimSpace(line); !strings.HasPrefix(line, "-----") {
				r.add(line)
			}
		}
	}
	if len(r.secrets) > 0 {
		r.compile()
	}
}

func (r *redactor) add(secret string) {
	if len(secret) >= minSecretLen {
		r.secrets = append(r.secrets, secret)
	}
}

// privateKeyIn returns the PrivateKey of a request body, if it has one.
func privateKeyIn(body []byte) string {
	if !bytes.Contains(body, []byte(`"PrivateKey"`)) {
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
// which an echo may spell them, without anything spelled Signature=..., and
// without any PEM private key.
func (r *redactor) redact(s string) string {
	if r != nil {
		if r.once.Do(r.init); r.re != nil {
			s = r.re.ReplaceAllLiteralString(s, redacted)
		}
	}
	s = privateKeyBlock().ReplaceAllLiteralString(s, redacted)
	return signedPart().ReplaceAllString(s, "$1="+redacted)
}

// compile makes one pattern that matches every secret in every spelling:
// each byte other than a letter or digit may appear raw or escaped as a
// URL, JSON or HTML would escape it. Longer secrets come first, so that a
// whole key is cut out before its lines are.
func (r *redactor) compile() {
	slices.SortFunc(r.secrets, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	var b strings.Builder
	for i, s := range r.secrets {
		if i > 0 {
			b.WriteByte('|')
		}
		for j := 0; j < len(s); j++ {
			b.WriteString(spellings(s[j]))
		}
	}
	r.re = regexp.MustCompile(b.String())
}

// spellings returns a pattern for the byte c as it may be echoed: raw,
// percent-encoded (once or twice), JSON-escaped (\u002b, \/, \n) or as an
// HTML character reference (&#43;, &#x2B;, &#x2b;, &plus;).
func spellings(c byte) string {
	if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
		return string(c)
	}
	forms := []string{regexp.QuoteMeta(string(c)),
		fmt.Sprintf(`%%(?:25)?%X`, c>>4) + hexDigit(c&15),
		`\\u00` + hexDigit(c>>4) + hexDigit(c&15),
		fmt.Sprintf(`&#0{0,3}%d;`, c),
		`&#[xX]0{0,3}` + hexDigit(c>>4) + hexDigit(c&15) + ";",
	}
	if c == '+' { // decoded as a query, an unescaped + reads as a space
		forms = append(forms, " ", `&plus;`)
	}
	if esc, ok := jsonShortEscapes[c]; ok {
		forms = append(forms, esc)
	}
	if name, ok := htmlEntities[c]; ok {
		forms = append(forms, name)
	}
	return "(?:" + strings.Join(forms, "|") + ")"
}

// hexDigit matches a hex digit in either case.
func hexDigit(n byte) string {
	d := "0123456789ABCDEF"[n]
	if d >= 'A' {
		return "[" + string(d) + string(d+'a'-'A') + "]"
	}
	return string(d)
}

var jsonShortEscapes = map[byte]string{'/': `\\/`, '\n': `\\n`, '\r': `\\r`, '\t': `\\t`, '"': `\\"`, '\\': `\\\\`}

var htmlEntities = map[byte]string{'&': `&amp;`, '<': `&lt;`, '>': `&gt;`, '"': `&quot;`, '\'': `&apos;`, '=': `&equals;`, '/': `&sol;`}

// maxMessageLen caps a server's message in errors and logs.
const maxMessageLen = 300

// maxRedactInput is how much of a message or body, at most, what is shown
// of it is made from.
const maxRedactInput = 1 << 20

// maxSpelling is the longest spelling of one byte that redact matches (&#x0002B;).
const maxSpelling = 10

// redactPrefix returns a redacted prefix of s, or all of s, whose first
// keep bytes are free of secrets. It redacts only as much of a long text as
// that needs: a secret cut in two where the part redacted ends is never in
// the first keep bytes, however much redaction shrank the text before it.
func (r *redactor) redactPrefix(s string, keep int) string {
	r.once.Do(r.init)
	longest := 0
	for _, secret := range r.secrets {
		longest = max(longest, len(secret))
	}
	margin := maxSpelling * max(longest, len("-----END RSA PRIVATE KEY-----"))
	for n := keep + 2*margin; ; n *= 4 {
		if n >= len(s) {
			return r.redact(s)
		}
		if out := r.redact(s[:n]); len(out) >= keep+margin {
			return out
		}
	}
}

// boundMessage makes a server's message safe to print: without the
// request's secrets, valid UTF-8, control characters escaped (\n, \x1b),
// and at most maxMessageLen bytes. A nil r only bounds and escapes, for a
// value the server chose that no request of the client's can hold.
func boundMessage(s string, r *redactor) string {
	s = s[:min(len(s), maxRedactInput)]
	if r != nil {
		s = r.redactPrefix(strings.ToValidUTF8(s, "\uFFFD"), maxMessageLen)
	}
	s = escapeUnprintable(strings.ToValidUTF8(s, "\uFFFD"))
	return truncate(s, maxMessageLen)
}

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

// redactedError is a caller's transport error whose text may hold the
// signed URL: it prints redacted, and unwraps to the cause, so errors.Is
// and errors.As still see it.
type redactedError struct {
	err error
	r   *redactor
}

func (e *redactedError) Error() string { return e.r.redact(e.err.Error()) }
func (e *redactedError) Unwrap() error { return e.err }

// redactError returns err, wrapped so that its text is redacted when it
// holds a secret.
func (r *redactor) redactError(err error) error {
	if err == nil {
		return nil
	}
	if s := err.Error(); r.redact(s) != s {
		return &redactedError{err, r}
	}
	return err
}
