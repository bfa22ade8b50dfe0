package cdslb

import (
	"context"
	"io"
	"net/http"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stalledAnswers is a RoundTripper whose answers declare a length and then
// send nothing until the test ends. reading counts the answers the client
// has started to read, which it does once it has allocated for them.
type stalledAnswers struct {
	declared int64
	reading  sync.WaitGroup
	quit     chan struct{}
}

func (s *stalledAnswers) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, ContentLength: s.declared, Header: http.Header{},
		Body: &stalledBody{s: s}, Request: req}, nil
}

type stalledBody struct {
	s    *stalledAnswers
	once sync.Once
}

func (b *stalledBody) Read([]byte) (int, error) {
	b.once.Do(b.s.reading.Done)
	<-b.s.quit
	return 0, io.ErrUnexpectedEOF
}

func (b *stalledBody) Close() error { return nil }

// TestStalledAnswersCostWhatArrived: 64 calls stalled on answers that
// declare 30 MiB and send nothing keep the heap far under 64 MiB, and so
// does one that declares 1 TiB under a limit that allows it: memory grows
// with the bytes received, not with the length promised.
func TestStalledAnswersCostWhatArrived(t *testing.T) {
	for _, tc := range []struct {
		name     string
		calls    int
		declared int64
		limit    int64
	}{
		{"64 × 30 MiB", 64, 30 << 20, DefaultMaxResponseBytes},
		{"1 TiB under a 2 TiB limit", 1, 1 << 40, 2 << 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stall := &stalledAnswers{declared: tc.declared, quit: make(chan struct{})}
			c, err := NewClient(testKeyID, testSecret, WithHTTPClient(&http.Client{Transport: stall}), WithMaxResponseBytes(tc.limit), WithRetry(NoRetry))
			require.NoError(t, err)

			var before, during runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			stall.reading.Add(tc.calls)
			var done sync.WaitGroup
			for range tc.calls {
				done.Go(func() { _, _ = c.DescribeZones(context.Background(), nil) })
			}
			stall.reading.Wait() // every call has allocated for its answer
			runtime.GC()
			runtime.ReadMemStats(&during)
			close(stall.quit)
			done.Wait()

			grew := int64(during.HeapAlloc) - int64(before.HeapAlloc)
			t.Logf("heap grew by %.1f MiB for %d stalled answers", float64(grew)/(1<<20), tc.calls)
			assert.Less(t, grew, int64(64<<20), "heap growth")
		})
	}
}
