package cdslb

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRedactionSaysWhatWasRedacted: a secret named in a text (a signed
// URL's Signature=..., in any of the spellings of its "=") is replaced by
// REDACTED after its name and "=", so that a reader sees which value was
// cut. A replacement template of "$1$2REDACTED" read "$2REDACTED" as one
// unknown group and dropped the "=" and REDACTED both, leaving
// "...&Signature by policy".
func TestRedactionSaysWhatWasRedacted(t *testing.T) {
	t.Parallel()
	for _, eq := range []string{"=", "%3D", "%253D", "%25253D", `\u003D`, "&#61;", "&#x3D;", "&equals;"} {
		for _, r := range []*redactor{nil, {signedQuery: "Action=X&Signature=c2lnbmF0dXJlIHZhbHVl", accessKeySecret: testSecret}} {
			s := "refused http://h/lb/?Action=X&Signature" + eq + "c2lnbmF0dXJlIHZhbHVl by policy"
			got := boundText(s, r, maxErrorLen)
			assert.Contains(t, got, "&Signature"+eq+redacted+" by policy", "%q", s)
			assert.NotContains(t, got, "c2lnbmF0dXJl", "%q", s)
		}
	}
}
