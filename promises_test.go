package cdslb

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// securityPromises are the README's security promises, each with the tests
// that prove it: the README and each test's doc comment say it in the same
// words (backticks, emphasis and line breaks aside).
var securityPromises = map[string][]string{
	"no run of 8 or more characters of a line of the key is left":                                                                                                   {"TestCutKeyEchoesLeaveNoRunOfTheKey", "TestCutKeyEchoReachesNoError"},
	"No error's text and no log record grows past 4 KiB, whatever the answer":                                                                                       {"TestServerTextIsBoundedOnEveryRoute", "FuzzServerText"},
	"the request's secrets cut out, control characters and other unprintable characters escaped":                                                                    {"TestServerTextIsBoundedOnEveryRoute", "FuzzServerText"},
	"%#v of the library's errors never shows a signed URL, whatever the error they wrap":                                                                            {"TestErrorsNeverPrintTheSignedURL"},
	"errors.Is and errors.As match your error and what it wraps":                                                                                                    {"TestErrorsNeverPrintTheSignedURL"},
	"no waiter or re-list polls more than 3 times in its first second, whatever extreme values its options hold":                                                    {"TestNoLoopPollsFastOnExtremeOptions"},
	"math.MaxInt64, math.MinInt64, NaN, ±Inf and the largest time.Duration; nothing panics":                                                                         {"TestNoCallPanicsOnExtremeValues"},
	"WithMaxResponseBytes(math.MaxInt64) means no limit but memory":                                                                                                 {"TestMaxResponseBytesWithoutLimit"},
	"%p given a value (not a pointer) of Signer, UploadCACertificateRequest, CertificateDetail or DescribeCACertificateResponse, and %w given a value or a pointer": {"TestPrintingExceptionIsExactlyTheDocumentedOne"},
	"the endpoint speaks plain HTTP; use http://":                                                                                                                   {"TestPlainHTTPEndpointGetsASchemeHint"},
}

// plainWords is s without Markdown's backticks and emphasis, comment
// markers, and with each run of space one space.
func plainWords(s string) string {
	s = strings.NewReplacer("`", "", "*", "", "\n//", " ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// TestSecurityPromisesMatchTheirTests: each security promise of the README
// is said word for word in the doc comment of every test that proves it.
func TestSecurityPromisesMatchTheirTests(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	docs := map[string]string{}
	files, err := filepath.Glob("*_test.go")
	require.NoError(t, err)
	for _, name := range files {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ParseComments)
		require.NoError(t, err)
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Doc != nil {
				docs[fn.Name.Name] = plainWords(fn.Doc.Text())
			}
		}
	}
	text := plainWords(string(readme))
	for promise, tests := range securityPromises {
		assert.Contains(t, text, promise, "the README's promise")
		for _, test := range tests {
			require.Contains(t, docs, test, "a test with a doc comment")
			assert.Contains(t, docs[test], promise, "%s says the README's promise", test)
		}
	}
}
