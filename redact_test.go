package cdslb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echoForms are the ways a service, a proxy or a transport may spell a
// secret it echoes back.
var echoForms = map[string]func(string) string{
	"raw":           func(s string) string { return s },
	"query-escaped": url.QueryEscape,
	"path-escaped":  url.PathEscape,
	"JSON":          func(s string) string { b, _ := json.Marshal(s); return strings.Trim(string(b), `"`) },
	"JSON slashes":  func(s string) string { return strings.ReplaceAll(s, "/", `\/`) },
	"JSON unicode": func(s string) string {
		return strings.NewReplacer("+", `\u002b`, "/", `\u002F`, "=", `\u003d`, "\n", `\u000a`).Replace(s)
	},
	"HTML": html.EscapeString,
	"HTML decimal": func(s string) string {
		return strings.NewReplacer("+", "&#43;", "/", "&#47;", "=", "&#61;", "\n", "&#10;").Replace(s)
	},
	"HTML hex": func(s string) string {
		return strings.NewReplacer("+", "&#x2B;", "/", "&#x2f;", "=", "&#X3D;", "\n", "&#xA;").Replace(s)
	},
	"double-escaped": func(s string) string {
		return strings.ReplaceAll(url.QueryEscape(s), "%", "%25")
	},
}

// forbidAllForms forbids a secret in every echo form.
func (s *secretScan) forbidAllForms(what, secret string) {
	for name, form := range echoForms {
		s.forbidden[form(secret)] = what + " (" + name + ")"
	}
}

// TestEchoedSecretsAreRedacted: a service that echoes the request, its
// signature and an upload's private key, in any spelling, in a JSON message
// or an HTML page, puts none of it into the error or the log.
func TestEchoedSecretsAreRedacted(t *testing.T) {
	t.Parallel()
	s := newSecretScan(t)
	certPEM, keyPEM := testCertificate(t, "rsa-pkcs8")
	s.forbidKey(keyPEM)
	for _, line := range strings.Split(keyPEM, "\n") {
		if len(line) >= 32 && !strings.HasPrefix(line, "-----") {
			s.forbidAllForms("private key line", line)
		}
	}
	s.forbidAllForms("access key secret", testSecret)

	var mu sync.Mutex
	var sent []sentRequest
	for name, form := range echoForms {
		for _, asJSON := range []bool{true, false} {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sig := signatureOf(r.URL.RawQuery)
				mu.Lock()
				sent = append(sent, sentRequest{Action: "echo", RawQuery: r.URL.RawQuery, Signature: sig})
				mu.Unlock()
				var body struct{ PrivateKey string }
				_ = json.NewDecoder(r.Body).Decode(&body)
				echo := fmt.Sprintf("bad request %s sig=%s sig2=%s key=%s secret=%s", form(r.URL.String()), form(sig),
					form(r.URL.Query().Get("Signature")), form(body.PrivateKey), form(testSecret))
				if asJSON {
					msg, _ := json.Marshal(echo)
					fmt.Fprintf(w, `{"Code":"InvalidParameter","Message":%s}`, msg)
					return
				}
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprintf(w, "<html><body><p>%s</p></body></html>", echo)
			}))
			t.Cleanup(srv.Close)
			c, err := NewClient(testKeyID, testSecret, WithEndpoint(srv.URL), WithLogger(s.logger), WithRetry(NoRetry))
			require.NoError(t, err)
			_, err = c.UploadCACertificate(context.Background(), &UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM, CertificateName: "www"})
			s.addErr(fmt.Sprintf("upload echo %s, JSON %v", name, asJSON), err)
			_, err = c.DescribeZones(context.Background(), nil)
			s.addErr(fmt.Sprintf("read echo %s, JSON %v", name, asJSON), err)
		}
	}
	require.Len(t, sent, 4*len(echoForms))
	for _, r := range sent {
		s.forbidAllForms("signature", r.Signature)
	}
	s.check(nil)
}

// urlInErrorTransport fails every request with an error that quotes its
// URL, as httpmock does when no responder matches.
type urlInErrorTransport struct{}

var errNoResponder = errors.New("no responder found")

func (urlInErrorTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("%w for URL %q (%s)", errNoResponder, r.URL.String(), r.URL.Query().Get("Signature"))
}

// TestTransportErrorsOfAnyTypeAreRedacted: a caller's transport that puts
// the signed URL into its own error leaks neither signature nor query, and
// its error still matches.
func TestTransportErrorsOfAnyTypeAreRedacted(t *testing.T) {
	t.Parallel()
	s := newSecretScan(t)
	var sigs []string
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sigs = append(sigs, signatureOf(r.URL.RawQuery))
		return urlInErrorTransport{}.RoundTrip(r)
	})
	for _, hc := range []*http.Client{{Transport: rt}} {
		c, err := NewClient(testKeyID, testSecret, WithHTTPClient(hc), WithLogger(s.logger), WithRetry(NoRetry))
		require.NoError(t, err)
		_, err = c.DescribeZones(context.Background(), nil)
		s.addErr("transport error", err)
		assert.ErrorIs(t, err, errNoResponder, "the cause is still reachable")
		assert.Contains(t, err.Error(), "no responder found")
	}
	require.Len(t, sigs, 1)
	for _, sig := range sigs {
		s.forbidAllForms("signature", sig)
	}
	s.check(nil)
}

// TestNestedSecretsAreRedacted: values holding a private key or the access
// key secret render redacted with every fmt verb, in slog's text and JSON
// handlers and in encoding/json, also inside slices, maps and a caller's
// structs, and a Signer does so when copied.
func TestNestedSecretsAreRedacted(t *testing.T) {
	t.Parallel()
	s := newSecretScan(t)
	certPEM, keyPEM := testCertificate(t, "ec")
	s.forbidKey(keyPEM)
	upload := UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM, CertificateName: "www"}
	detail := CertificateDetail{CertificatePEM: certPEM, PrivateKey: keyPEM}
	resp := DescribeCACertificateResponse{Certificate: detail}
	signer := Signer{AccessKeyID: testKeyID, AccessKeySecret: testSecret}
	signer.Sign("GET", "DescribeZones", nil) // used: it holds key-derived state
	copied := signer                         //nolint:govet // a copy is what this checks
	type callers struct {
		Upload  UploadCACertificateRequest
		Detail  *CertificateDetail
		Signer  Signer
		Signers []Signer
		Any     any
	}
	values := map[string]any{
		"upload slice":    []UploadCACertificateRequest{upload},
		"upload ptrs":     []*UploadCACertificateRequest{&upload},
		"detail map":      map[string]*CertificateDetail{"a": &detail},
		"detail values":   map[string]CertificateDetail{"a": detail},
		"response slice":  []DescribeCACertificateResponse{resp},
		"response ptr":    &resp,
		"copied signer":   copied,
		"signer slice":    []Signer{copied},
		"caller's struct": callers{Upload: upload, Detail: &detail, Signer: copied, Signers: []Signer{copied}, Any: upload},
		"nested struct":   struct{ In callers }{callers{Upload: upload, Detail: &detail, Signer: copied}},
	}
	for what, v := range values {
		s.render(what, v)
		b, err := json.Marshal(v)
		require.NoError(t, err, what)
		s.rendered = append(s.rendered, what+" json: "+string(b))
		s.logger.Info(what, slog.Any("nested", map[string]any{"v": v}))
	}
	s.check(nil)

	// The wire still gets the key, and the field keeps it.
	c, srv := newHostile(t)
	srv.answerFixture("UploadCACertificate")
	_, err := c.UploadCACertificate(context.Background(), &upload)
	require.NoError(t, err)
	var sent struct{ PrivateKey string }
	require.NoError(t, json.Unmarshal(srv.only("UploadCACertificate").Body, &sent))
	assert.Equal(t, keyPEM, sent.PrivateKey)
	assert.Equal(t, keyPEM, upload.PrivateKey)
}

// TestRedactionEdges: a byte dropped as invalid UTF-8 does not join a
// secret back together, and a secret is cut out whole however many echoes
// come before it.
func TestRedactionEdges(t *testing.T) {
	t.Parallel()
	const sig = "Qm9vLz8rK3NpZ25hdHVyZT0="
	r := &redactor{signedQuery: "Action=X&Signature=" + url.QueryEscape(sig)}
	assert.NotContains(t, excerpt([]byte("got "+sig[:10]+"\xff"+sig[10:]), r), sig)

	escaped := echoForms["HTML hex"](url.QueryEscape(sig)) // one of the longest spellings
	for _, n := range []int{1, 10, 100, 1000} {
		body := strings.Repeat(escaped+" ", n) + sig
		for _, s := range []string{excerpt([]byte(body), r), boundMessage(body, r)} {
			for _, form := range echoForms {
				assert.NotContains(t, s, form(sig)[:20], "%d echoes", n)
			}
		}
	}
}
