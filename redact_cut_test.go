package cdslb

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"html"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// keyRuns finds runs of a private key's characters in text.
type keyRuns struct {
	windows map[string]bool // every run of 8 characters of a line of the key
}

func newKeyRuns(keyPEM string) *keyRuns {
	k := &keyRuns{windows: map[string]bool{}}
	for _, line := range strings.Split(keyPEM, "\n") {
		if strings.HasPrefix(line, "-----") {
			continue
		}
		for i := 0; i+8 <= len(line); i++ {
			k.windows[line[i:i+8]] = true
		}
	}
	return k
}

// percentDecode decodes each valid percent-escape of s once, and leaves
// the rest as it is.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// longest returns the start of a run of 8 or more characters of a key
// line visible in text, as it is or with its escapes decoded (percent
// escapes, up to twice, JSON and HTML), and -1 when there is none.
func (k *keyRuns) visible(text string) (string, bool) {
	unescape := percentDecode
	jsonUnescape := func(s string) string {
		var out string
		if json.Unmarshal([]byte(`"`+s+`"`), &out) != nil {
			return s
		}
		return out
	}
	forms := []string{text}
	if strings.Contains(text, "%") {
		once := unescape(text)
		forms = append(forms, once, unescape(once))
	}
	if strings.Contains(text, `\`) {
		forms = append(forms, jsonUnescape(text))
	}
	if strings.Contains(text, "&") {
		forms = append(forms, html.UnescapeString(text))
	}
	for _, form := range forms {
		for i := 0; i+8 <= len(form); i++ {
			if k.windows[form[i:i+8]] {
				return form[i:min(len(form), i+40)], true
			}
		}
	}
	return "", false
}

// bigKeys returns an EC P-256 and an RSA 2048 private key, in PEM, made
// once for the tests that share them.
func bigKeys(t testing.TB) map[string]string {
	keys, err := bigKeysOnce()
	require.NoError(t, err)
	return keys
}

var bigKeysOnce = sync.OnceValues(func() (map[string]string, error) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	ecDER, err := x509.MarshalECPrivateKey(ec)
	if err != nil {
		return nil, err
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return map[string]string{
		"EC":  string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER})),
		"RSA": string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)})),
	}, nil
})

// TestCutKeyEchoesLeaveNoRunOfTheKey: a service or proxy that echoes an
// upload's body, escaped as a query or a path is (once or twice) or as
// JSON or HTML, and cut short at any byte from 20 to 4,000: in the error's
// message, an excerpt of the answer, or the redacted echo itself, no run
// of 8 or more characters of a line of the key is left.
func TestCutKeyEchoesLeaveNoRunOfTheKey(t *testing.T) {
	t.Parallel()
	forms := map[string]struct {
		escape func(string) string
		step   int // 1: every byte, for the escapes the promise names
	}{
		"query":        {url.QueryEscape, 1},
		"path":         {url.PathEscape, 1},
		"query twice":  {func(s string) string { return url.QueryEscape(url.QueryEscape(s)) }, 5},
		"path twice":   {func(s string) string { return url.PathEscape(url.PathEscape(s)) }, 5},
		"raw":          {func(s string) string { return s }, 7},
		"JSON":         {func(s string) string { b, _ := json.Marshal(s); return string(b) }, 7},
		"HTML":         {html.EscapeString, 7},
		"JSON unicode": {echoForms["JSON unicode"], 7},
		"HTML hex":     {echoForms["HTML hex"], 7},
	}
	for kind, keyPEM := range bigKeys(t) {
		body, err := json.Marshal(map[string]string{"CertificateName": "www", "PrivateKey": keyPEM})
		require.NoError(t, err)
		runs := newKeyRuns(keyPEM)
		for name, form := range forms {
			t.Run(kind+" "+name, func(t *testing.T) {
				t.Parallel()
				cutEchoes(t, kind, name, form.escape(string(body)), form.step, body, runs)
			})
		}
	}
}

// cutEchoes checks every cut of echo, at each step-th byte from 20 to 4,000.
func cutEchoes(t *testing.T, kind, name, echo string, step int, body []byte, runs *keyRuns) {
	r := &redactor{signedQuery: "Action=UploadCACertificate&Signature=abcd", body: body}
	cuts := 0
	for n := 20; n <= min(4000, len(echo)); n += step {
		cut := echo[:n]
		shown := map[string]string{"redacted": r.redact(cut)}
		// What a message or an excerpt shows of a long echo is made of
		// redacted prefixes of it, checked above.
		if n < 1000 || n%23 == 0 {
			shown["message"] = boundMessage("bad request: "+cut, r)
			shown["excerpt"] = excerpt([]byte("<p>"+cut), r)
		}
		for what, shown := range shown {
			if run, ok := runs.visible(shown); ok {
				t.Fatalf("%s key, %s echo cut at %d: the %s shows %q", kind, name, n, what, run)
			}
		}
		cuts++
	}
	require.Greater(t, cuts, 30, "%s key, %s echo", kind, name)
}

// TestCutKeyEchoReachesNoError: end to end, an upload whose echo is cut
// short: in the error and the log, no run of 8 or more characters of a
// line of the key is left.
func TestCutKeyEchoReachesNoError(t *testing.T) {
	t.Parallel()
	for kind, keyPEM := range bigKeys(t) {
		runs := newKeyRuns(keyPEM)
		for _, n := range []int{37, 100, 333, 1000} {
			var c *Client
			var e *echoes
			c, e = echoClient(t, func(string) string {
				echo := url.QueryEscape(keyPEM)
				return `{"Code":"InvalidParameter","Message":` + jsonText("bad PrivateKey="+echo[:min(n, len(echo))]) + `}`
			})
			certPEM, _ := testCertificate(t, "ec")
			_, err := c.UploadCACertificate(context.Background(), &UploadCACertificateRequest{CertificateName: "www", Certificate: certPEM, PrivateKey: keyPEM})
			require.Error(t, err)
			for _, text := range append(e.log.all(), err.Error(), fmt.Sprintf("%#v", err)) {
				if run, ok := runs.visible(text); ok {
					t.Errorf("%s key, echo cut at %d: %q shows %q", kind, n, text, run)
				}
			}
		}
	}
}
