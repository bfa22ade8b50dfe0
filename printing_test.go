package cdslb

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// urlValueError is a caller transport's error of a value type that keeps
// the signed URL in a field; quote says whether its text shows it too.
type urlValueError struct {
	Op    string
	URL   string
	quote bool
}

func (e urlValueError) Error() string {
	if e.quote {
		return e.Op + " " + e.URL + " failed"
	}
	return e.Op + " failed"
}

func (e urlValueError) Unwrap() error { return errNoResponder }

// chain returns err and every error its Unwrap methods reach.
func chain(err error) []error {
	if err == nil {
		return nil
	}
	out := []error{err}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		out = append(out, chain(u.Unwrap())...)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			out = append(out, chain(e)...)
		}
	}
	return out
}

// TestErrorsNeverPrintTheSignedURL: %#v of the library's errors never
// shows a signed URL, whatever the error they wrap. A caller's transport
// that fails with a value-type error keeping the signed URL in its fields
// (in its text or not) leaks it neither in %v, %+v, %#v, %s nor %q of the
// library's error, nor of any error one or more Unwrap calls below it;
// errors.Is and errors.As match your error and what it wraps, also
// through a waiter's error.
func TestErrorsNeverPrintTheSignedURL(t *testing.T) {
	t.Parallel()
	for _, quote := range []bool{false, true} {
		var sigs []string
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			sigs = append(sigs, r.URL.Query().Get("Signature"))
			if r.URL.Query().Get("Action") == "DescribeLoadBalancers" {
				cancel() // the waiter ends at its first poll, with its error
			}
			return nil, urlValueError{Op: "get", URL: r.URL.String(), quote: quote}
		})
		c, err := NewClient(testKeyID, testSecret, WithHTTPClient(&http.Client{Transport: rt}), WithRetry(NoRetry))
		require.NoError(t, err)
		_, callErr := c.DescribeZones(context.Background(), nil)
		_, waitErr := c.WaitUntilRunning(ctx, "lb-1")
		for what, err := range map[string]error{"call": callErr, "waiter": waitErr} {
			require.Error(t, err, what)
			var te *TransportError
			require.ErrorAs(t, err, &te, what)
			var v urlValueError
			require.ErrorAs(t, err, &v, "%s: As finds the transport's own error", what)
			assert.Contains(t, v.URL, "Signature=", "As gives the transport's error as it made it")
			assert.ErrorIs(t, err, errNoResponder, "%s: Is sees what the transport's error wraps", what)
			for i, e := range chain(err) {
				for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
					text := fmt.Sprintf(verb, e)
					// The parameter's name may stay, its value REDACTED, as the
					// README says; any other value is a leak.
					assert.NotContains(t, strings.ReplaceAll(text, "Signature="+redacted, ""), "Signature=", "%s (text quoted: %v), %d Unwraps down, %s", what, quote, i, verb)
					for _, sig := range sigs {
						for _, form := range []string{sig, url.QueryEscape(sig)} {
							assert.False(t, strings.Contains(text, form), "%s (text quoted: %v), %d Unwraps down, %s shows the signature: %s", what, quote, i, verb, text)
						}
					}
				}
			}
		}
	}
}

// TestPrintingExceptionIsExactlyTheDocumentedOne: the types that hold a
// secret never print it under any fmt verb but two, as their doc comments
// and the README say: %p given a value (not a pointer) of Signer,
// UploadCACertificateRequest, CertificateDetail or
// DescribeCACertificateResponse, and %w given a value or a pointer, where
// fmt's bad-verb path skips every printing method. This test pins the
// exception; if fmt ever closes it, it fails, and the documents should
// say so.
func TestPrintingExceptionIsExactlyTheDocumentedOne(t *testing.T) {
	t.Parallel()
	const secret = "SECRET-KEY-MATERIAL"
	signer := Signer{AccessKeyID: "id", AccessKeySecret: secret}
	upload := UploadCACertificateRequest{PrivateKey: secret}
	detail := CertificateDetail{PrivateKey: secret}
	resp := DescribeCACertificateResponse{Certificate: detail}
	operands := map[string][2]any{ // a value, and a pointer to it
		"Signer": {signer, &signer}, "UploadCACertificateRequest": {upload, &upload},
		"CertificateDetail": {detail, &detail}, "DescribeCACertificateResponse": {resp, &resp},
	}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t", "%e", "%c", "%U", "%b", "%o", "%O", "%10.3v", "%-8s", "% x", "%T", "%!", "%z", "%p", "%#p", "%w"}
	for name, ops := range operands {
		for i, op := range ops {
			for _, verb := range verbs {
				shown := strings.Contains(fmt.Sprintf(verb, op), secret)
				documented := verb == "%w" || i == 0 && (verb == "%p" || verb == "%#p")
				assert.Equal(t, documented, shown, "%s (pointer: %v) under %s", name, i == 1, verb)
			}
			misuse := "x: %w" // a variable, or vet would refuse the misuse the documents warn of
			wrapped := fmt.Errorf(misuse, op)
			assert.Contains(t, wrapped.Error(), secret, "%s under fmt.Errorf's %%w", name)
		}
	}
}
