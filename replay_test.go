package cdslb

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cdsgo/cdslb/internal/fakelb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests prove that no request leaves the process twice below the
// library: net/http must not replay a signed request on a dropped
// connection (HTTP/1.1) or a refused stream (HTTP/2). Every repeat is the
// retry policy's, with a fresh nonce.

// h2Refuser is an HTTP/2 server over TLS, speaking the frame layer itself,
// that reads the first request whole and then resets its stream with
// REFUSED_STREAM, the error Go's HTTP/2 transport replays a request on
// when it can rewind the body. Later requests are answered with answer.
type h2Refuser struct {
	srv      *httptest.Server
	answer   []byte
	requests atomic.Int32 // HEADERS frames: requests that reached the server
}

func newH2Refuser(t *testing.T, answer string) *h2Refuser {
	t.Helper()
	h := &h2Refuser{answer: []byte(answer)}
	h.srv = httptest.NewUnstartedServer(http.NotFoundHandler())
	h.srv.EnableHTTP2 = true
	h.srv.Config.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){
		"h2": func(_ *http.Server, c *tls.Conn, _ http.Handler) { h.serve(c) },
	}
	h.srv.StartTLS()
	t.Cleanup(h.srv.Close)
	return h
}

// serve speaks just enough HTTP/2 for one client connection.
func (h *h2Refuser) serve(conn *tls.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	if _, err := io.ReadFull(r, make([]byte, len("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"))); err != nil {
		return
	}
	var mu sync.Mutex // frames are written whole
	write := func(typ, flags byte, stream uint32, payload []byte) {
		mu.Lock()
		defer mu.Unlock()
		var hdr [9]byte
		hdr[0], hdr[1], hdr[2] = byte(len(payload)>>16), byte(len(payload)>>8), byte(len(payload))
		hdr[3], hdr[4] = typ, flags
		binary.BigEndian.PutUint32(hdr[5:], stream)
		_, _ = conn.Write(append(hdr[:], payload...))
	}
	const (
		frameData, frameHeaders, frameRSTStream, frameSettings, framePing = 0x0, 0x1, 0x3, 0x4, 0x6
		flagEndStream, flagAck, flagEndHeaders                            = 0x1, 0x1, 0x4
		refusedStream                                                     = 0x7
		status200                                                         = 0x88 // HPACK: :status 200, static index 8
	)
	write(frameSettings, 0, 0, nil)
	nth := map[uint32]int32{} // the request number of each stream
	ended := func(stream uint32) {
		if nth[stream] == 1 {
			write(frameRSTStream, 0, stream, binary.BigEndian.AppendUint32(nil, refusedStream))
			return
		}
		write(frameHeaders, flagEndHeaders, stream, []byte{status200})
		write(frameData, flagEndStream, stream, h.answer)
	}
	for {
		var hdr [9]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return
		}
		payload := make([]byte, int(hdr[0])<<16|int(hdr[1])<<8|int(hdr[2]))
		if _, err := io.ReadFull(r, payload); err != nil {
			return
		}
		typ, flags, stream := hdr[3], hdr[4], binary.BigEndian.Uint32(hdr[5:])&(1<<31-1)
		switch typ {
		case frameSettings:
			if flags&flagAck == 0 {
				write(frameSettings, flagAck, 0, nil)
			}
		case framePing:
			if flags&flagAck == 0 {
				write(framePing, flagAck, 0, payload)
			}
		case frameHeaders:
			nth[stream] = h.requests.Add(1)
			if flags&flagEndStream != 0 {
				ended(stream)
			}
		case frameData:
			if flags&flagEndStream != 0 {
				ended(stream)
			}
		}
	}
}

// client returns a client of the refuser speaking HTTP/2 with policy,
// over its own transport or, with callers, over a caller's http.Client.
func (h *h2Refuser) client(t *testing.T, policy RetryPolicy, callers bool) *Client {
	t.Helper()
	opts := []Option{WithEndpoint(h.srv.URL), WithRetry(policy)}
	if callers {
		opts = append(opts, WithHTTPClient(h.srv.Client()))
	}
	c, err := NewClient(testKeyID, testSecret, opts...)
	require.NoError(t, err)
	if !callers {
		c.transport.TLSClientConfig = h.srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	}
	c.sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	return c
}

// TestHTTP2RefusedStreamIsNotReplayed: a request whose stream the server
// resets after reading it reaches the server once per attempt of the
// retry policy: a CreateLoadBalancer exactly once, with NoRetry and with
// the default policy, and its error says the outcome is unknown; a read
// once with NoRetry, and twice, succeeding, with the default policy.
func TestHTTP2RefusedStreamIsNotReplayed(t *testing.T) {
	t.Parallel()
	for _, callers := range []bool{false, true} {
		for _, policy := range []RetryPolicy{NoRetry, DefaultRetryPolicy} {
			t.Run(fmt.Sprintf("caller's client %v/attempts %d/CreateLoadBalancer", callers, policy.MaxAttempts), func(t *testing.T) {
				t.Parallel()
				h := newH2Refuser(t, `{"Code":"Success","Data":{"InstancesUuid":["i-1"]}}`)
				_, err := h.client(t, policy, callers).CreateLoadBalancer(context.Background(), goodCreate())
				require.Error(t, err)
				assert.EqualValues(t, 1, h.requests.Load(), "requests that reached the server")
				assert.ErrorIs(t, err, ErrOutcomeUnknown)
			})
			t.Run(fmt.Sprintf("caller's client %v/attempts %d/DescribeZones", callers, policy.MaxAttempts), func(t *testing.T) {
				t.Parallel()
				h := newH2Refuser(t, `{"Code":"Success","Data":[]}`)
				_, err := h.client(t, policy, callers).DescribeZones(context.Background(), nil)
				if policy.MaxAttempts == 1 {
					require.Error(t, err)
					assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a read")
					assert.EqualValues(t, 1, h.requests.Load(), "requests that reached the server")
					return
				}
				require.NoError(t, err)
				assert.EqualValues(t, 2, h.requests.Load(), "the library's own retry, and nothing else")
			})
		}
	}
}

// TestDroppedKeptAliveConnectionIsNotReplayed: when the server reads a
// request on a kept-alive HTTP/1.1 connection and drops the connection
// unanswered, nothing resends that request with its spent nonce. A read
// fails with NoRetry and succeeds on the policy's retry, signed afresh; a
// write is sent once.
func TestDroppedKeptAliveConnectionIsNotReplayed(t *testing.T) {
	t.Parallel()
	for _, callers := range []bool{false, true} {
		for _, policy := range []RetryPolicy{NoRetry, DefaultRetryPolicy} {
			for _, ac := range validCalls(t) {
				if ac.action != "DescribeZones" && ac.action != "DeleteLoadBalancer" {
					continue
				}
				t.Run(fmt.Sprintf("caller's client %v/attempts %d/%s", callers, policy.MaxAttempts, ac.action), func(t *testing.T) {
					t.Parallel()
					// One connection, so the second call surely reuses the first's.
					tr := &http.Transport{MaxConnsPerHost: 1}
					t.Cleanup(tr.CloseIdleConnections)
					opts := []Option{WithRetry(policy)}
					if callers {
						opts = append(opts, WithHTTPClient(&http.Client{Transport: tr}))
					}
					c, srv := newHostile(t, opts...)
					if !callers {
						c.transport.MaxConnsPerHost = 1
					}
					srv.answer(ac.action, http.StatusOK, `{"Code":"Success","Data":[]}`)
					_, err := ac.call(context.Background(), c)
					require.NoError(t, err, "the first call opens the connection")
					srv.misbehave(ac.action, reset)

					_, err = ac.call(context.Background(), c)
					sent := srv.sentFor(ac.action)
					nonces := map[string]bool{}
					for _, s := range sent {
						assert.False(t, nonces[s.Nonce], "nonce %s sent twice", s.Nonce)
						nonces[s.Nonce] = true
					}
					if ac.readOnly && policy.MaxAttempts > 1 {
						require.NoError(t, err)
						assert.Len(t, sent, 3, "the first call, the dropped one and the policy's retry")
						return
					}
					require.Error(t, err)
					assert.Len(t, sent, 2, "the first call and the dropped one")
					assert.Equal(t, !ac.readOnly, errors.Is(err, ErrOutcomeUnknown))
				})
			}
		}
	}
}

// TestCallsOverHTTP2 runs reads and writes against the fake service over
// HTTP/2 with TLS: the bodies that net/http cannot rewind (an empty one on
// a GET) are sent as the API expects, and each call arrives once.
func TestCallsOverHTTP2(t *testing.T) {
	t.Parallel()
	fake := fakelb.New(fakelb.Config{AccessKeyID: testKeyID, AccessKeySecret: testSecret, Seed: 3})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 2 {
			http.Error(w, "HTTP/2 only", http.StatusHTTPVersionNotSupported)
			return
		}
		fake.ServeHTTP(w, r)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c, err := NewClient(testKeyID, testSecret, WithEndpoint(srv.URL), WithRetry(NoRetry))
	require.NoError(t, err)
	c.transport.TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()

	ctx := context.Background()
	created, err := c.CreateLoadBalancer(ctx, goodCreate())
	require.NoError(t, err)
	list, err := c.DescribeLoadBalancers(ctx, &DescribeLoadBalancersRequest{InstanceUUID: created.InstanceUUIDs[0]})
	require.NoError(t, err)
	require.Len(t, list.LoadBalancers, 1)
	_, err = c.DescribeZones(ctx, nil)
	require.NoError(t, err)
	for _, action := range []string{"CreateLoadBalancer", "DescribeLoadBalancers", "DescribeZones"} {
		assert.Equal(t, 1, fake.Requests(action), action)
	}

	// Concurrent reads and writes share the client's header maps on its
	// own transport: HTTP/2 only reads them (the race detector would see a
	// write), and they stay as they were.
	headers := [2]http.Header{c.headers[0].Clone(), c.headers[1].Clone()}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			_, err := c.DescribeZones(ctx, nil)
			assert.NoError(t, err)
			_, err = c.ModifyLoadBalancerName(ctx, &ModifyLoadBalancerNameRequest{InstanceUUID: created.InstanceUUIDs[0], InstanceName: fmt.Sprint("h2-", i)})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Equal(t, 9, fake.Requests("DescribeZones"))
	assert.Equal(t, 8, fake.Requests("ModifyLoadBalancerName"))
	assert.Equal(t, headers, c.headers)
}
