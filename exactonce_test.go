package cdslb

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
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

// TestEditsReadOnceOverRealTransports: over net/http's own HTTP/1.1 and
// HTTP/2, an answer with a Content-Length (read once) or without one
// (chunked or streamed: read as any answer) gives an edit the same
// outcome: a set with a value of no exact meaning is unreadable and names
// its listener, a set given a member twice is malformed, and nothing is
// written either way.
func TestEditsReadOnceOverRealTransports(t *testing.T) {
	t.Parallel()
	keep := keepWith("MaxConn", "100")
	for _, tc := range []struct {
		answer string
		want   error
		named  string
	}{
		{listing(keepWith("MaxConn", `"many"`)), ErrListenersUnreadable, `listener "keep": field MaxConn`},
		{listing(strings.Replace(keep, "{", `{"maxconn":7,`, 1)), ErrMalformedAnswer, "MaxConn is given twice"},
	} {
		for _, h2 := range []bool{false, true} {
			for _, declared := range []bool{true, false} {
				var writes atomic.Int32
				srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method == http.MethodPost {
						writes.Add(1)
					}
					if declared {
						w.Header().Set("Content-Length", strconv.Itoa(len(tc.answer)))
					}
					_, _ = io.WriteString(w, tc.answer[:10])
					w.(http.Flusher).Flush() // without a declared length: chunked, or an HTTP/2 stream of unknown length
					_, _ = io.WriteString(w, tc.answer[10:])
				}))
				srv.EnableHTTP2 = h2
				srv.StartTLS()
				c, err := NewClient(testKeyID, testSecret, WithEndpoint(srv.URL), WithRetry(NoRetry))
				require.NoError(t, err)
				c.transport.TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
				_, err = c.UpdateListener(context.Background(), waitUUID, "edit", func(_ *HTTPListener, tcp *TCPListener) error {
					tcp.MaxConn = 200
					return nil
				})
				require.ErrorIs(t, err, tc.want, "HTTP/2 %v, Content-Length %v", h2, declared)
				assert.Contains(t, err.Error(), tc.named, "HTTP/2 %v, Content-Length %v", h2, declared)
				assert.Zero(t, writes.Load(), "nothing is written")
				c.CloseIdleConnections()
				srv.Close()
			}
		}
	}
}
