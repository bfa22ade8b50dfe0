package cdslb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listenersAnswer is the DescribeLoadBalancerStrategys fixture, an HTTP
// listener "http43" and a TCP listener "tcp", with a valid port for the HTTP
// listener: the vendor's example has 0, which ModifyLoadBalancerStrategys
// refuses before sending, so no edit of that set could be written back.
func listenersAnswer(t *testing.T) string {
	s := strings.Replace(fixture(t, "DescribeLoadBalancerStrategys"), `"ListenerPort": 0`, `"ListenerPort": 8043`, 1)
	require.Contains(t, s, `"ListenerPort": 8043`)
	return s
}

// fixtureListeners decodes listenersAnswer.
func fixtureListeners(t *testing.T) *DescribeLoadBalancerStrategysResponse {
	set := fromData(t, describeLoadBalancerStrategys, answerData(t, listenersAnswer(t)))
	require.Len(t, set.HTTPListeners, 1)
	require.Len(t, set.TCPListeners, 1)
	return set
}

// modifyBody is the JSON that ModifyLoadBalancerStrategys sends for set.
func modifyBody(t *testing.T, set *DescribeLoadBalancerStrategysResponse) string {
	req := &ModifyLoadBalancerStrategysRequest{InstanceUUID: waitUUID, HTTPListeners: set.HTTPListeners, TCPListeners: set.TCPListeners}
	_, b, err := modifyLoadBalancerStrategys.wire(req, nil).encode()
	require.NoError(t, err)
	return string(b)
}

// sent decodes the one Modify request's body as plain JSON.
func sent(t *testing.T, stub *apiStub) map[string]any {
	var body map[string]any
	require.NoError(t, json.Unmarshal(stub.only("ModifyLoadBalancerStrategys").Body, &body))
	return body
}

func TestUpdateListenerSendsTheFullSetWithOneChange(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answer("DescribeLoadBalancerStrategys", http.StatusOK, listenersAnswer(t)).answerFixture("ModifyLoadBalancerStrategys")

	resp, err := c.UpdateListener(context.Background(), waitUUID, "tcp", func(h *HTTPListener, tcp *TCPListener) error {
		assert.Nil(t, h, "tcp is a TCP listener")
		tcp.BackendServers[0].Weight = 7
		tcp.BackendServers = append(tcp.BackendServers, BackendServer{IP: "10.0.0.9", Port: 909, Weight: 1, MaxConn: 100})
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, "9b2f4c8e-6d1a-4e7b-a3f5-0c8d2b6e4f19", resp.TaskID)
	assert.Len(t, stub.requests("DescribeLoadBalancerStrategys"), 2, "read, then read again right before writing")

	want := fixtureListeners(t)
	want.TCPListeners[0].BackendServers[0].Weight = 7
	want.TCPListeners[0].BackendServers = append(want.TCPListeners[0].BackendServers, BackendServer{IP: "10.0.0.9", Port: 909, Weight: 1, MaxConn: 100})
	assert.JSONEq(t, modifyBody(t, want), string(stub.only("ModifyLoadBalancerStrategys").Body),
		"the whole set, as read, with only the tcp listener changed")

	body := sent(t, stub)
	assert.Equal(t, waitUUID, body["InstanceUuid"])
	require.Len(t, body["HttpListeners"], 1, "the HTTP listener is kept")
	assert.Equal(t, "http43", body["HttpListeners"].([]any)[0].(map[string]any)["ListenerName"])
	backends := body["TcpListeners"].([]any)[0].(map[string]any)["BackendServer"].([]any)
	require.Len(t, backends, 2)
	assert.Equal(t, "7", backends[0].(map[string]any)["Weight"])
}

func TestUpdateListenerGetsAnHTTPListener(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answer("DescribeLoadBalancerStrategys", http.StatusOK, listenersAnswer(t)).answerFixture("ModifyLoadBalancerStrategys")

	_, err := c.UpdateListener(context.Background(), waitUUID, "http43", func(h *HTTPListener, tcp *TCPListener) error {
		assert.Nil(t, tcp)
		h.ACLWhiteList = append(h.ACLWhiteList, "10.0.0.0/8")
		return nil
	})
	require.NoError(t, err)
	want := fixtureListeners(t)
	want.HTTPListeners[0].ACLWhiteList = []string{"192.168.1.1", "10.0.0.0/8"}
	assert.JSONEq(t, modifyBody(t, want), string(stub.only("ModifyLoadBalancerStrategys").Body))
}

func TestRemoveListenerSendsTheRest(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answer("DescribeLoadBalancerStrategys", http.StatusOK, listenersAnswer(t)).answerFixture("ModifyLoadBalancerStrategys")

	resp, err := c.RemoveListener(context.Background(), waitUUID, "http43")
	require.NoError(t, err)
	assert.NotEmpty(t, resp.TaskID)

	want := fixtureListeners(t)
	want.HTTPListeners = nil
	assert.JSONEq(t, modifyBody(t, want), string(stub.only("ModifyLoadBalancerStrategys").Body))
	body := sent(t, stub)
	assert.Equal(t, []any{}, body["HttpListeners"], "sent as [], which the API requires")
	require.Len(t, body["TcpListeners"], 1)
	assert.Equal(t, "tcp", body["TcpListeners"].([]any)[0].(map[string]any)["ListenerName"])
}

func TestListenerEditOfAnUnknownNameSendsNothing(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answer("DescribeLoadBalancerStrategys", http.StatusOK, listenersAnswer(t))

	_, err := c.UpdateListener(context.Background(), waitUUID, "nope", func(*HTTPListener, *TCPListener) error {
		t.Error("update called for a listener that does not exist")
		return nil
	})
	require.ErrorIs(t, err, ErrListenerNotFound)
	assert.Contains(t, err.Error(), `"nope"`)
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr), "the service said nothing of the kind: no APIError is made up")

	_, err = c.RemoveListener(context.Background(), waitUUID, "HTTP43")
	require.ErrorIs(t, err, ErrListenerNotFound, "names are matched exactly")
	assert.Empty(t, stub.requests("ModifyLoadBalancerStrategys"))
}

func TestListenerEditFailsWhenTheSetChangesBetweenReads(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	first := listenersAnswer(t)
	changed := strings.Replace(first, `"MaxConn": 233`, `"MaxConn": 234`, 1)
	require.NotEqual(t, first, changed)
	stub.answer("DescribeLoadBalancerStrategys", http.StatusOK, first).
		answer("DescribeLoadBalancerStrategys", http.StatusOK, changed)

	_, err := c.RemoveListener(context.Background(), waitUUID, "http43")
	require.ErrorIs(t, err, ErrListenersChanged)
	assert.Len(t, stub.requests("DescribeLoadBalancerStrategys"), 2)
	assert.Empty(t, stub.requests("ModifyLoadBalancerStrategys"), "nothing is overwritten")
}

func TestListenerEditIgnoresTheOrderOfTheAnswer(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	a := `{"ListenerName":"a","ListenerPort":80,"Scheduler":"roundrobin","BackendServer":[]}`
	b := `{"ListenerName":"b","ListenerPort":81,"Scheduler":"roundrobin","BackendServer":[]}`
	stub.answer("DescribeLoadBalancerStrategys", http.StatusOK, `{"Code":"Success","Data":{"HttpListeners":[`+a+`,`+b+`],"TcpListeners":[]}}`).
		answer("DescribeLoadBalancerStrategys", http.StatusOK, `{"Code":"Success","Data":{"HttpListeners":[`+b+`,`+a+`],"TcpListeners":[]}}`).
		answerFixture("ModifyLoadBalancerStrategys")

	_, err := c.UpdateListener(context.Background(), waitUUID, "b", func(h *HTTPListener, _ *TCPListener) error {
		h.MaxConn = 10
		return nil
	})
	require.NoError(t, err, "the same listeners in another order are no change")
	body := sent(t, stub)
	require.Len(t, body["HttpListeners"], 2)
	assert.EqualValues(t, 10, body["HttpListeners"].([]any)[1].(map[string]any)["MaxConn"])
}

func TestUpdateListenerReturnsTheUpdatesError(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answer("DescribeLoadBalancerStrategys", http.StatusOK, listenersAnswer(t))
	boom := errors.New("boom")

	_, err := c.UpdateListener(context.Background(), waitUUID, "tcp", func(*HTTPListener, *TCPListener) error { return boom })
	require.ErrorIs(t, err, boom)
	assert.Empty(t, stub.requests("ModifyLoadBalancerStrategys"))
}

func TestListenerEditReturnsTheReadError(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answer("DescribeLoadBalancerStrategys", http.StatusNotFound, `{"Code":"ResourceNotFound","Message":"no such instance"}`)

	_, err := c.RemoveListener(context.Background(), waitUUID, "tcp")
	require.ErrorIs(t, err, ErrResourceNotFound, "the instance itself is missing")
	assert.False(t, errors.Is(err, ErrListenerNotFound))
	assert.Empty(t, stub.requests("ModifyLoadBalancerStrategys"))
}

func TestListenerEditOfASetTheLibraryRefusesSendsNothing(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("DescribeLoadBalancerStrategys") // the vendor's example: http43 on port 0

	_, err := c.UpdateListener(context.Background(), waitUUID, "tcp", func(_ *HTTPListener, tcp *TCPListener) error {
		tcp.MaxConn = 300
		return nil
	})
	require.ErrorIs(t, err, ErrInvalidRequest, "an untouched listener that fails validation blocks the write")
	assert.Empty(t, stub.requests("ModifyLoadBalancerStrategys"))
}

// sameListeners sees a change of any value of any listener, found by
// walking the listener types, so that a field added later is covered: a
// change the written set shows is a change, and a set listed in another
// order, or with nil lists for empty ones, is the same set.
func TestSameListenersSeesEveryChangeTheWireShows(t *testing.T) {
	t.Parallel()
	h, tl := variedListeners()
	set := func() *DescribeLoadBalancerStrategysResponse {
		h2, t2 := slices.Clone(h[3:]), slices.Clone(tl)
		for i := range h2 { // names of their own, so that the order by name is one
			h2[i] = cloneHTTPListener(h2[i])
			h2[i].ListenerName += fmt.Sprint(i)
		}
		for i := range t2 {
			t2[i] = cloneTCPListener(t2[i])
			t2[i].ListenerName += fmt.Sprint(i)
		}
		return &DescribeLoadBalancerStrategysResponse{HTTPListeners: h2, TCPListeners: t2}
	}
	body := func(s *DescribeLoadBalancerStrategysResponse) string {
		return written("", s.HTTPListeners, s.TCPListeners, false)
	}
	before := set()
	require.True(t, sameListeners(before, set()))

	reversed := set()
	slices.Reverse(reversed.HTTPListeners)
	slices.Reverse(reversed.TCPListeners)
	require.True(t, sameListeners(before, reversed), "another order is the same set")
	empty := &DescribeLoadBalancerStrategysResponse{HTTPListeners: []HTTPListener{{ACLWhiteList: []string{}, BackendServers: []BackendServer{}, Certificates: []CertificateRef{}}}}
	require.True(t, sameListeners(&DescribeLoadBalancerStrategysResponse{HTTPListeners: []HTTPListener{{}}}, empty), "nil and empty lists are the same")

	changes := 0
	for _, kind := range []string{"HTTPListeners", "TCPListeners"} {
		for i := range reflect.ValueOf(*before).FieldByName(kind).Len() {
			for _, change := range valueChanges(reflect.ValueOf(before).Elem().FieldByName(kind).Index(i), fmt.Sprintf("%s[%d]", kind, i)) {
				after := set()
				change.apply(reflect.ValueOf(after).Elem().FieldByName(kind).Index(i))
				if body(after) == body(before) {
					continue // not a change on the wire, such as a sub-millisecond
				}
				changes++
				require.False(t, sameListeners(before, after), "a change of %s", change.path)
				require.False(t, sameListeners(after, before), "a change of %s", change.path)
			}
		}
	}
	require.Greater(t, changes, 100)
}

// valueChange is one change of a value found within a listener.
type valueChange struct {
	path  string
	apply func(reflect.Value) // changes the value at path within the listener given
}

// valueChanges lists, for each value within v (found by walking its
// fields, pointers and list items), a change of it, and for lists and
// pointers their removal and an added item.
func valueChanges(v reflect.Value, path string) []valueChange {
	at := func(change func(reflect.Value)) valueChange { return valueChange{path, change} }
	var out []valueChange
	switch v.Kind() {
	case reflect.String:
		out = append(out, at(func(v reflect.Value) { v.SetString(v.String() + "x") }))
	case reflect.Int, reflect.Int64:
		out = append(out, at(func(v reflect.Value) { v.SetInt(v.Int() + int64(time.Second)) }), at(func(v reflect.Value) { v.SetInt(v.Int() + 1) }))
	case reflect.Bool:
		out = append(out, at(func(v reflect.Value) { v.SetBool(!v.Bool()) }))
	case reflect.Pointer:
		out = append(out, at(func(v reflect.Value) { v.SetZero() }))
		if !v.IsNil() {
			for _, c := range valueChanges(v.Elem(), path) {
				out = append(out, valueChange{c.path, func(v reflect.Value) {
					p := reflect.New(v.Type().Elem())
					p.Elem().Set(v.Elem())
					v.Set(p)
					c.apply(p.Elem())
				}})
			}
		}
	case reflect.Slice:
		out = append(out, at(func(v reflect.Value) { v.SetZero() }),
			at(func(v reflect.Value) { v.Set(reflect.Append(v, reflect.New(v.Type().Elem()).Elem())) }))
		for i := range v.Len() {
			for _, c := range valueChanges(v.Index(i), fmt.Sprintf("%s[%d]", path, i)) {
				out = append(out, valueChange{c.path, func(v reflect.Value) {
					s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
					reflect.Copy(s, v)
					v.Set(s)
					c.apply(s.Index(i))
				}})
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			name := v.Type().Field(i).Name
			for _, c := range valueChanges(v.Field(i), path+"."+name) {
				out = append(out, valueChange{c.path, func(v reflect.Value) { c.apply(v.Field(i)) }})
			}
		}
	default:
		panic("valueChanges: " + v.Kind().String())
	}
	return out
}
