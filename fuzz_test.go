package cdslb

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// roundTripFunc is an http.RoundTripper made of a function: a server with
// no network, for the fuzz loops.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzAnswer feeds arbitrary bytes, as the answer body with any status, to
// every action, through the whole call path (envelope, Data, the wire's
// tolerant types, finishing). Whatever comes, a call must not panic and
// must return either a typed response with Code "Success" or an *APIError.
// Seeds: the vendor document's examples, for each action.
func FuzzAnswer(f *testing.F) {
	actions := validCalls(f)
	entries, err := os.ReadDir(filepath.Join("testdata", "responses"))
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		body, err := os.ReadFile(filepath.Join("testdata", "responses", e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		for i, ac := range actions {
			if ac.action+".json" == e.Name() {
				f.Add(uint8(i), uint16(200), true, body)
			}
		}
		f.Add(uint8(len(actions)-1), uint16(200), false, body) // an answer meant for another action
	}
	for _, s := range []string{"", "null", "{}", `{"Code":"Success"}`, `{"Code":"Success","Data":null}`,
		`{"Code":"Success","Data":[]}`, `{"Code":"Success","Data":"x"}`, `{"Code":1}`, `{"Code":"Success","Data":{"InstancesUuid":"x"}}`,
		`{"Code":"ResourceInUse","Message":"busy","TaskId":7}`, "<html>502</html>", `{"Code":"Success","Data":{"HttpListeners":[{"BackendServer":null,"ListenerPort":"80"}]}}`} {
		f.Add(uint8(0), uint16(200), true, []byte(s))
		f.Add(uint8(12), uint16(500), false, []byte(s))
	}

	var body []byte
	var status int
	var declared bool
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp := &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body)),
			ContentLength: -1, Request: r}
		if declared {
			resp.ContentLength = int64(len(body))
		}
		return resp, nil
	})}
	c, err := NewClient(testKeyID, testSecret, WithHTTPClient(hc), WithRetry(NoRetry), WithMaxResponseBytes(1<<20))
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, action uint8, st uint16, declaredLength bool, b []byte) {
		ac := actions[int(action)%len(actions)]
		body, status, declared = b, int(st%600), declaredLength
		resp, err := ac.call(context.Background(), c)
		if err == nil {
			if reflect.ValueOf(resp).IsNil() {
				t.Fatalf("%s: nil response without error", ac.action)
			}
			m, ok := resp.(interface{ meta() *ResponseMeta })
			if !ok || m.meta().Code != "Success" {
				t.Fatalf("%s: a response without Code Success was returned as success", ac.action)
			}
			return
		}
		if !reflect.ValueOf(resp).IsNil() {
			t.Fatalf("%s: a response with an error", ac.action)
		}
		var apiErr *APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("%s: error %T is not an *APIError: %v", ac.action, err, err)
		}
		if apiErr.Action != ac.action || apiErr.HTTPStatus != status || apiErr.Attempts != 1 {
			t.Fatalf("%s: APIError %+v does not describe the call", ac.action, apiErr)
		}
		if apiErr.Code == "" && len(apiErr.Message) > 4*excerptLen {
			t.Fatalf("%s: excerpt of %d bytes", ac.action, len(apiErr.Message))
		}
	})
}

// FuzzExcerpt: the summary of a body that is not the API's JSON is short,
// printable UTF-8 on one line, and repeats neither anything spelled
// Signature=... nor the signature it is given, wherever it appears.
func FuzzExcerpt(f *testing.F) {
	for _, s := range []string{"", "<html><body>bad gateway</body></html>", "a\nb\tc", "Signature=abc%2F&x=1",
		"\xff\xfe", strings.Repeat("é", 300), "GET /lb/?Action=X&Signature=c2lnbmF0dXJl HTTP/1.1",
		strings.Repeat(" ", 790) + "got c2lnbmF0dXJl", "c2lnbmF0\xffdXJl"} {
		f.Add([]byte(s), "c2lnbmF0dXJl")
	}
	f.Fuzz(func(t *testing.T, b []byte, secret string) {
		s := excerpt(b, &redactor{signedQuery: "&Signature=" + secret})
		// A signature is base64 or its escaped form; lower case here, so that
		// it cannot overlap the REDACTED put in its place.
		if len(secret) >= 8 && strings.Trim(secret, "abcdefghijklmnopqrstuvwxyz0123456789+/=%") == "" &&
			strings.Contains(s, secret) {
			t.Fatalf("the secret %q survived: %q", secret, s)
		}
		if !utf8.ValidString(s) {
			t.Fatalf("not UTF-8: %q", s)
		}
		if strings.ContainsAny(s, "\n\r\t") {
			t.Fatalf("not one line: %q", s)
		}
		if n := len(s); n > excerptLen+len("unexpected answer: ...") {
			t.Fatalf("%d bytes", n)
		}
		for _, m := range signedPart().FindAllString(s, -1) {
			v := m[strings.IndexByte(m, '=')+1:]
			if !strings.HasPrefix(v, "REDACTED") && !strings.HasPrefix("REDACTED...", v) {
				t.Fatalf("a signature survived: %q", s)
			}
		}
	})
}

// FuzzUploadCertificateValidation: any certificate and key text is either
// accepted or refused with a *ValidationError naming one of the request's
// fields; validation never panics and never quotes the private key.
func FuzzUploadCertificateValidation(f *testing.F) {
	certPEM, keyPEM := testCertificate(f, "ec")
	otherCert, _ := testCertificate(f, "ec")
	f.Add(certPEM, keyPEM)
	f.Add(otherCert, keyPEM)
	f.Add(certPEM+otherCert, keyPEM)
	f.Add(keyPEM, certPEM)
	f.Add("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
	f.Fuzz(func(t *testing.T, cert, key string) {
		req := &UploadCACertificateRequest{Certificate: cert, PrivateKey: key, CertificateName: "n"}
		err := req.validate()
		if err == nil {
			return
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || !errors.Is(err, ErrInvalidRequest) {
			t.Fatalf("%T is not a *ValidationError: %v", err, err)
		}
		if ve.Field != "Certificate" && ve.Field != "PrivateKey" {
			t.Fatalf("field %q", ve.Field)
		}
		if len(strings.TrimSpace(key)) >= 16 && strings.Contains(err.Error(), strings.TrimSpace(key)) {
			t.Fatalf("the error quotes the private key: %v", err)
		}
	})
}
