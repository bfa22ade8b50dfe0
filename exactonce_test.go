package cdslb

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An edit's listener set is read once, exactly, straight from an answer
// that fits in the kept head, and read again as any answer only when that
// fails (readAnswer). TestReadOnceOrAsAnyAnswerTheSame: whatever the
// answer, the edits' reading of it is the same as when it is read as any
// answer (its length unknown), as when it is too long to be kept, and as
// when a caller's transport declares a Content-Length shorter than the body
// (one that decompresses, keeping the compressed length).
func TestReadOnceOrAsAnyAnswerTheSame(t *testing.T) {
	t.Parallel()
	keep := keepWith("MaxConn", "100")
	answers := []string{
		listing(keep),
		listing(""),
		`{"Code":"Success","Data":null}`,
		`{"Data":` + strings.TrimPrefix(strings.TrimSuffix(listing(keep), "}"), `{"Code":"Success","Data":`) + `,"Code":"Success"}`, // Data before Code
		listing(keep)[:len(listing(keep))-1] + `,"Code":"ResourceInUse"}`,
		listing(keep)[:len(listing(keep))-1] + `,"Message":"ok","TaskId":"t-1"}`,
		listing(keep) + `x`,
		listing(keep)[:200],
		listing("null"), listing(`"keep"`), listing(keep + `,null`),
		listing(strings.Replace(keep, "{", `{"MaxConn":7,`, 1)),
		listing(strings.Replace(keep, "{", `{"maxconn":7,`, 1)),
		listing(strings.Replace(keep, "{", `{"Extra":7,`, 1)),
		listing(keepWith("ClientTimeout", `{}`)),
		listing(keepWith("ClientTimeout", `"1.5"`)),
		listing(keepWith("ClientTimeoutUnit", `"fortnight"`)),
		listing(keepWith("MaxConn", `"many"`)),
		listing(keepWith("StickySession", `"perhaps"`)),
		listing(keepWith("ListenerName", `""`)),
		listing(keepWith("ListenerName", `"edit"`)), // a name given to two listeners
		listing(keepWith("SessionPersistence", `{"Key":"k","Mode":7}`)),
		listing(keepWith("Option", `{"Httpchk":{"Method":"GET","Uri":"/\udfff"}}`)),
		listing(keepWith("Option", "{\"Httpchk\":{\"Method\":\"GET\",\"Uri\":\"/\xff\"}}")),
		strings.Replace(listing(keep), `"TcpListeners":`, `"UdpListeners":[],"TcpListeners":`, 1),
		strings.Replace(listing(keep), `"TcpListeners":`, `"httpListeners":[],"TcpListeners":`, 1),
		strings.Replace(listing(keep), `"TcpListeners":[`, `"TcpListeners":"none","tcp":[`, 1),
	}
	for i, answer := range answers {
		read := func(length int64, pad int) string {
			body := []byte(answer)
			if pad > 0 { // whitespace after it: the same answer, too long to keep
				body = append(bytes.Clone(body), bytes.Repeat([]byte(" "), pad)...)
			}
			if length == 0 {
				length = int64(len(body))
			}
			c, err := NewClient(testKeyID, testSecret, WithRetry(NoRetry), WithHTTPClient(&http.Client{Transport: roundTripFunc(
				func(r *http.Request) (*http.Response, error) {
					return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, ContentLength: length,
						Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
				})}))
			require.NoError(t, err)
			set, inexact, err := c.readListeners(context.Background(), &DescribeLoadBalancerStrategysRequest{InstanceUUID: waitUUID})
			if err != nil {
				msg := strings.Join(strings.Fields(err.Error()), " ") // an excerpt may end in the padding
				// Where a name given twice is, go-json-experiment names
				// wrongly when its decoder's buffer grows within the value
				// (the name before lost: "Data.[0].MaxConn"), as a new
				// decoder's may: compared without it.
				return "error: " + ambiguousAt.ReplaceAllString(msg, "ambiguous: ... is given twice")
			}
			b, err := json.Marshal(set)
			require.NoError(t, err)
			return fmt.Sprintf("%s inexact %q", b, inexact)
		}
		once := read(0, 0)
		assert.Equal(t, read(-1, 0), once, "answer %d: read as any answer", i)
		assert.Equal(t, read(0, headBytes), once, "answer %d: too long to keep", i)
		assert.Equal(t, read(100, headBytes), once, "answer %d: longer than its Content-Length says", i)
	}
}

var ambiguousAt = regexp.MustCompile(`ambiguous: \S+ is given twice`)
