package cdslb

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The listener benchmarks come in pairs, the library against plain
// encoding/json on the wire's own structs, for the 20-listener set below.
// Run each pair interleaved (-count=1 in a loop) and compare with benchstat.

// benchListenerAnswer is a DescribeLoadBalancerStrategys answer with 10 HTTP
// and 10 TCP listeners, built from the fixture, with varied names, ports
// and backends.
func benchListenerAnswer(b *testing.B) []byte {
	var answer map[string]any
	require.NoError(b, json.Unmarshal([]byte(fixture(b, "DescribeLoadBalancerStrategys")), &answer))
	data := answer["Data"].(map[string]any)
	vary := func(kind string, port int) {
		proto := data[kind].([]any)[0].(map[string]any)
		var list []any
		for i := range 10 {
			var l map[string]any
			raw, _ := json.Marshal(proto)
			_ = json.Unmarshal(raw, &l)
			l["ListenerName"] = fmt.Sprintf("%s-%d", l["ListenerMode"], i)
			l["ListenerPort"] = port + i
			var backends []any
			for j := range 1 + i%3 {
				backends = append(backends, map[string]any{"IP": fmt.Sprintf("10.0.%d.%d", i, j+1), "Port": 8000 + j, "Weight": strconv.Itoa(1 + j), "MaxConn": 1000 * (j + 1)})
			}
			l["BackendServer"] = backends
			list = append(list, l)
		}
		data[kind] = list
	}
	vary("HttpListeners", 8000)
	vary("TcpListeners", 9000)
	body, err := json.Marshal(answer)
	require.NoError(b, err)
	return body
}

// BenchmarkListenerDecode reads the whole answer as the call path does:
// decodeAnswer reads the envelope and, in the same pass, the listener set,
// exactly, which the action's answer function makes the response.
func BenchmarkListenerDecode(b *testing.B) {
	body := benchListenerAnswer(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var data listenersWire
		env, ok := decodeBody(body, &data)
		if !ok || env.malformed != "" || data.unread != "" {
			b.Fatal(ok, env.malformed, data.unread)
		}
		resp, err := describeLoadBalancerStrategys.answer(nil, &data, time.UTC)
		if err != nil || len(resp.HTTPListeners) != 10 || len(resp.TCPListeners) != 10 {
			b.Fatal(err)
		}
	}
}

// BenchmarkListenerDecodePlain is the floor: json.Unmarshal into the wire's
// structs, with no exactness check and no conversion.
func BenchmarkListenerDecodePlain(b *testing.B) {
	body := benchListenerAnswer(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var answer struct {
			Code, Message, TaskId string
			Data                  struct {
				HttpListeners []refHttpListenerWire
				TcpListeners  []refTcpListenerWire
			}
		}
		if err := json.Unmarshal(body, &answer); err != nil || len(answer.Data.HttpListeners) != 10 || len(answer.Data.TcpListeners) != 10 {
			b.Fatal(err)
		}
	}
}

// benchListenerTransport answers GETs with the listener set and POSTs with
// the fixture's acknowledgement, in memory.
func benchListenerTransport(b *testing.B) http.RoundTripper {
	set, ack := benchListenerAnswer(b), []byte(fixture(b, "ModifyLoadBalancerStrategys"))
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		body := set
		if r.Method == http.MethodPost {
			_, _ = io.Copy(io.Discard, r.Body)
			body = ack
		}
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
	})
}

func benchListenerClient(b *testing.B) *Client {
	c, err := NewClient("AKIDEXAMPLE123", "SecretKeyExample/+=", WithEndpoint("https://cdslb.test"),
		WithHTTPClient(&http.Client{Transport: benchListenerTransport(b)}))
	require.NoError(b, err)
	return c
}

func benchListenerSet(b *testing.B) *DescribeLoadBalancerStrategysResponse {
	set, err := benchListenerClient(b).DescribeLoadBalancerStrategys(context.Background(), &DescribeLoadBalancerStrategysRequest{InstanceUUID: waitUUID})
	require.NoError(b, err)
	return set
}

// BenchmarkListenerWrite is the whole 20-listener ModifyLoadBalancerStrategys
// call over an in-memory transport: validation, conversion, encoding,
// signing and reading the acknowledgement.
func BenchmarkListenerWrite(b *testing.B) {
	set, c := benchListenerSet(b), benchListenerClient(b)
	req := &ModifyLoadBalancerStrategysRequest{InstanceUUID: waitUUID, HTTPListeners: set.HTTPListeners, TCPListeners: set.TCPListeners}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.ModifyLoadBalancerStrategys(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListenerWritePlain is its floor: json.Marshal of the wire
// structs, posted over the same transport, and the answer read.
func BenchmarkListenerWritePlain(b *testing.B) {
	set := benchListenerSet(b)
	wireSet := refListenerSetWire(waitUUID, set.HTTPListeners, set.TCPListeners)
	hc := &http.Client{Transport: benchListenerTransport(b)}
	b.ReportAllocs()
	for b.Loop() {
		body, err := json.Marshal(wireSet)
		if err != nil {
			b.Fatal(err)
		}
		resp, err := hc.Post("https://cdslb.test/lb/?Action=ModifyLoadBalancerStrategys", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		var ack struct{ Code, TaskId string }
		err = json.NewDecoder(resp.Body).Decode(&ack)
		_ = resp.Body.Close()
		if err != nil || ack.Code != "Success" {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdateListener is the client's CPU for one safe edit of the
// 20-listener set: two reads, the comparison and the write.
func BenchmarkUpdateListener(b *testing.B) {
	c := benchListenerClient(b)
	b.ReportAllocs()
	for b.Loop() {
		_, err := c.UpdateListener(context.Background(), waitUUID, "tcp-3", func(_ *HTTPListener, t *TCPListener) error {
			t.MaxConn++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListenerEncode writes the 20-listener set's body as a
// ModifyLoadBalancerStrategys request: conversion and encoding/json's Marshal.
func BenchmarkListenerEncode(b *testing.B) {
	set := benchListenerSet(b)
	req := &ModifyLoadBalancerStrategysRequest{InstanceUUID: waitUUID, HTTPListeners: set.HTTPListeners, TCPListeners: set.TCPListeners}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := modifyLoadBalancerStrategys.wire(req, time.UTC).encode(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListenerEncodePlain is its floor: encoding/json's Marshal of the
// reference wire structs, built once.
func BenchmarkListenerEncodePlain(b *testing.B) {
	set := benchListenerSet(b)
	wireSet := refListenerSetWire(waitUUID, set.HTTPListeners, set.TCPListeners)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(wireSet); err != nil {
			b.Fatal(err)
		}
	}
}
