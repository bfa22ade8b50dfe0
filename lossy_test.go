package cdslb

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests hold the listener helpers to their promise of never writing
// back what they could not read exactly, and never resending a set read
// before a conflict.

// listing answers DescribeLoadBalancerStrategys with an HTTP listener
// "keep", whose wire form is given, and a TCP listener "edit".
func listing(keep string) string {
	return `{"Code":"Success","Data":{"HttpListeners":[` + keep + `],"TcpListeners":[{"ListenerName":"edit","ListenerMode":"tcp",
		"ListenerPort":3306,"Scheduler":"leastconn","MaxConn":100,"ConnectTimeout":"5","ConnectTimeoutUnit":"s",
		"BackendServer":[{"IP":"10.0.0.1","Port":3306,"Weight":"1","MaxConn":100}]}]}}`
}

// keepWith is the listener "keep" with fields' wire forms replaced (or
// added), given as name, value pairs.
func keepWith(field, value string, more ...string) string {
	fields := map[string]string{
		"ListenerName": `"keep"`, "ListenerMode": `"http"`, "ListenerPort": `8080`, "Scheduler": `"roundrobin"`,
		"MaxConn": `100`, "ClientTimeout": `"5"`, "ClientTimeoutUnit": `"s"`, "StickySession": `"off"`,
		"AclWhiteList": `["10.0.0.0/8"]`, "CertificateIds": `[]`,
		"BackendServer": `[{"IP":"10.0.0.2","Port":80,"Weight":"1","MaxConn":10}]`,
	}
	fields[field] = value
	for i := 0; i+1 < len(more); i += 2 {
		fields[more[i]] = more[i+1]
	}
	var parts []string
	for k, v := range fields {
		parts = append(parts, `"`+k+`":`+v)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// TestLossyListingIsNeverWrittenBack: when another listener of the set was
// listed in a form the library cannot read exactly, UpdateListener and
// RemoveListener send nothing and fail with ErrListenersUnreadable, naming
// the listener and the field.
func TestLossyListingIsNeverWrittenBack(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		field, value, named string
		more                []string
	}{
		{"BackendServer", `{"IP":"10.0.0.2","Port":80,"Weight":"1","MaxConn":10}`, "BackendServer", nil},
		{"BackendServer", `"10.0.0.2:80"`, "BackendServer", nil},
		{"BackendServer", `[{"IP":"10.0.0.2","Port":"eighty","Weight":"1","MaxConn":10}]`, "BackendServer[0].Port", nil},
		{"BackendServer", `[{"IP":"10.0.0.2","Port":80,"Weight":"1.5","MaxConn":10}]`, "BackendServer[0].Weight", nil},
		{"BackendServer", `[{"IP":"10.0.0.2","Port":80,"Weight":"1","MaxConn":10,"Backup":true}]`, "BackendServer[0].Backup", nil},
		{"ClientTimeoutUnit", `"h"`, "ClientTimeout", nil},
		{"ClientTimeoutUnit", `""`, "ClientTimeout", nil},
		{"ClientTimeout", `"1.5"`, "ClientTimeout", []string{"ClientTimeoutUnit", `"ms"`}}, // 1.5 s would be exact, 1.5 ms cannot be sent
		{"ListenerPort", `"http"`, "ListenerPort", nil},
		{"MaxConn", `{"max":1}`, "MaxConn", nil},
		{"AclWhiteList", `{"ip":"10.0.0.1"}`, "AclWhiteList", nil},
		{"AclWhiteList", `[1]`, "AclWhiteList[0]", nil},
		{"CertificateIds", `{"CertificateId":"c-1"}`, "CertificateIds", nil},
		{"StickySession", `"maybe"`, "StickySession", nil},
		{"Scheduler", `7`, "Scheduler", nil},
		{"SessionPersistence", `{"Key":"sid","Mode":7}`, "SessionPersistence.Mode", nil},
		{"Option", `{"Httpchk":"GET /"}`, "Option.Httpchk", nil},
		{"HealthCheckInterval", `5`, "HealthCheckInterval", nil},
		// Issue 19: an object where a scalar is due is unreadable, not unset;
		// names match the documented spellings only, never by Unicode folding.
		{"ServerTimeout", `{}`, "ServerTimeout", []string{"ServerTimeoutUnit", `"s"`}},
		{"ServerTimeout", `{}`, "ServerTimeout", nil},
		{"ServerTimeout", `[]`, "ServerTimeout", nil},
		{"ClİentTimeout", `"9"`, "ClİentTimeout", nil},
		// What the library once read as something else, or wrote back without.
		{"SessionPersistence", `{"Key":"sid","Mode":"one"}`, "SessionPersistence.Mode", nil},
		{"SessionPersistence", `{"Key":"sid","Mode":"1.5"}`, "SessionPersistence.Mode", nil},
		{"SessionPersistence", `{"Key":"sid","Timer":{"MaxIdle":-1}}`, "SessionPersistence.Timer.MaxIdle", nil},
		{"ListenerMode", `"https"`, "ListenerMode", nil},
		{"ListenerMode", `"tcp"`, "ListenerMode", nil},
		{"ListenerMode", `"HTTP"`, "ListenerMode", nil},
		{"AclWhiteList", `["1.2.3.4",""]`, "AclWhiteList[1]", nil},
		{"AclWhiteList", `["1.2.3.4",null]`, "AclWhiteList[1]", nil},
		{"ClientTimeout", `""`, "ClientTimeout", nil},
		{"ClientTimeout", `null`, "ClientTimeout", nil},
		{"ClientTimeout", `"five"`, "ClientTimeout", nil},
		{"ClientTimeout", `"1e-400"`, "ClientTimeout", nil},
		{"ClientTimeoutUnit", `"M"`, "ClientTimeout", nil},
		{"ClientTimeoutUnit", `"S"`, "ClientTimeout", nil},
		{"ClientTimeoutUnit", `" s"`, "ClientTimeout", nil},
		{"ClientTimeoutUnit", `null`, "ClientTimeout", nil},
		{"ConnectTimeoutUnit", `"s"`, "ConnectTimeout", nil}, // a unit without a value
		{"BackendServer", `[null]`, "BackendServer[0]", nil},
		{"BackendServer", `[{"IP":"10.0.0.2","Port":80,"Weight":"0x1p3","MaxConn":10}]`, "BackendServer[0].Weight", nil},
		{"CertificateIds", `[null]`, "CertificateIds[0]", nil},
		{"CertificateIds", `["c-1"]`, "CertificateIds[0]", nil},
		{"CertificateIds", "[{\"CertificateId\":\"c-1\",\"CertificateName\":\"m\xffain\"}]", "CertificateIds[0].CertificateName", nil}, // not UTF-8: read as U+FFFD
		{"CertificateIds", `[{"CertificateId":"c-1","CertificateName":"m\ud800ain"}]`, "CertificateIds[0].CertificateName", nil},       // half a surrogate pair: read as U+FFFD
		{"Option", `{"Httpchk":{"Method":"GET","Uri":"/\udfff"}}`, "Option.Httpchk.Uri", nil},
		{"Option", `{"Httpchk":{"Method":"GET","Uri":"/\ud83d\ud83d\ude00"}}`, "Option.Httpchk.Uri", nil},
	} {
		t.Run(tc.field+"="+tc.value, func(t *testing.T) {
			t.Parallel()
			c, stub := newStub(t)
			stub.answer("DescribeLoadBalancerStrategys", http.StatusOK, listing(keepWith(tc.field, tc.value, tc.more...)))
			stub.answerFixture("ModifyLoadBalancerStrategys")

			_, err := c.UpdateListener(context.Background(), waitUUID, "edit", func(_ *HTTPListener, tcp *TCPListener) error {
				tcp.MaxConn = 200
				return nil
			})
			assert.NotContains(t, err.Error(), "cdslb: cdslb:")
			if misshapen(tc.value) { // a list of the wrong shape, an entry that is no object: malformed, for every read
				require.ErrorIs(t, err, ErrMalformedAnswer)
				assert.Contains(t, err.Error(), "HttpListeners[0]."+tc.named)
				_, err = c.DescribeLoadBalancerStrategys(context.Background(), &DescribeLoadBalancerStrategysRequest{InstanceUUID: waitUUID})
				require.ErrorIs(t, err, ErrMalformedAnswer)
				assert.Empty(t, stub.requests("ModifyLoadBalancerStrategys"), "nothing is sent")
				return
			}
			require.ErrorIs(t, err, ErrListenersUnreadable)
			assert.Contains(t, err.Error(), `listener "keep"`)
			assert.Contains(t, err.Error(), "field "+tc.named)
			_, err = c.RemoveListener(context.Background(), waitUUID, "edit")
			require.ErrorIs(t, err, ErrListenersUnreadable)
			assert.Empty(t, stub.requests("ModifyLoadBalancerStrategys"), "nothing is sent")

			set, err := c.DescribeLoadBalancerStrategys(context.Background(), &DescribeLoadBalancerStrategysRequest{InstanceUUID: waitUUID})
			require.NoError(t, err, "a plain read leaves the odd field empty")
			assert.Equal(t, "keep", set.HTTPListeners[0].ListenerName)
			assert.Equal(t, 3306, set.TCPListeners[0].ListenerPort)
		})
	}
}

// TestLossySetsAreNeverWrittenBack: a listener that is no listener, a field
// given twice, and a list of listeners the library does not model (which
// the whole-set write would delete) make the set unreadable for the safe
// edits, which send nothing; a plain read still succeeds with what it read.
func TestLossySetsAreNeverWrittenBack(t *testing.T) {
	t.Parallel()
	keep := keepWith("MaxConn", "100")
	for _, tc := range []struct {
		data, named string
		malformed   bool // since issue 19: for every read, not only the edits
	}{
		{listing("null"), "Data.HttpListeners[0] is null", true},
		{listing(`"keep"`), "Data.HttpListeners[0] is a string", true},
		{listing(keep + `,null`), "Data.HttpListeners[1] is null", true},
		{listing(strings.Replace(keep, "{", `{"MaxConn":7,`, 1)), "MaxConn is given twice", true}, // which one is meant is unknown
		{listing(strings.Replace(keep, "{", `{"maxconn":7,`, 1)), "MaxConn is given twice", true}, // names match ignoring case
		{strings.Replace(listing(keep), `"TcpListeners":`, `"UdpListeners":[{"ListenerName":"dns","ListenerPort":53}],"TcpListeners":`, 1),
			"field UdpListeners of the listener set", false},
		{strings.Replace(listing(keep), `"TcpListeners":`, `"Extra":"x","TcpListeners":`, 1), "field Extra of the listener set", false},
		{strings.Replace(listing(keep), `"TcpListeners":`, `"UdpListeners":[],"TcpListeners":`, 1), "field UdpListeners of the listener set", false}, // unknown, though empty
		{strings.Replace(listing(keep), `"TcpListeners":`, `"HttpListeners":[],"TcpListeners":`, 1), "HttpListeners is given twice", true},
		{strings.Replace(listing(keep), `"TcpListeners":`, `"httpListeners":[],"TcpListeners":`, 1), "httpListeners is given twice", true},
	} {
		t.Run(tc.named, func(t *testing.T) {
			t.Parallel()
			c, stub := newStub(t)
			stub.answer("DescribeLoadBalancerStrategys", http.StatusOK, tc.data)
			stub.answerFixture("ModifyLoadBalancerStrategys")

			_, err := c.UpdateListener(context.Background(), waitUUID, "edit", func(_ *HTTPListener, tcp *TCPListener) error {
				tcp.MaxConn = 200
				return nil
			})
			want := ErrListenersUnreadable
			if tc.malformed {
				want = ErrMalformedAnswer
			}
			require.ErrorIs(t, err, want)
			assert.Contains(t, err.Error(), tc.named)
			_, err = c.RemoveListener(context.Background(), waitUUID, "edit")
			require.ErrorIs(t, err, want)
			assert.Empty(t, stub.requests("ModifyLoadBalancerStrategys"), "nothing is sent")
			if want == ErrMalformedAnswer {
				_, err := c.DescribeLoadBalancerStrategys(context.Background(), &DescribeLoadBalancerStrategysRequest{InstanceUUID: waitUUID})
				require.ErrorIs(t, err, ErrMalformedAnswer, "a plain read is refused too")
				return
			}

			set, err := c.DescribeLoadBalancerStrategys(context.Background(), &DescribeLoadBalancerStrategysRequest{InstanceUUID: waitUUID})
			require.NoError(t, err)
			assert.Equal(t, "edit", set.TCPListeners[0].ListenerName)
		})
	}
}

// TestListenerSetGivenTwiceIsNeverWrittenBack: an answer with Data twice
// holds two sets, and which one is meant is unknown: the safe edits send
// neither, and a null Data before or after a set is no empty set, nor that
// set.
func TestListenerSetGivenTwiceIsNeverWrittenBack(t *testing.T) {
	t.Parallel()
	answer := listing(keepWith("MaxConn", "100"))
	set := strings.TrimSuffix(strings.TrimPrefix(answer, `{"Code":"Success","Data":`), "}")
	other := strings.Replace(set, `"keep"`, `"other"`, 1)
	for _, body := range []string{
		`{"Code":"Success","Data":` + other + `,"Data":` + set + `}`,
		`{"Code":"Success","Data":` + other + `,"data":` + set + `}`,
		`{"Code":"Success","Data":` + other + `,"Data":` + set + `,"Code":7}`, // and a type error: a second pass
		`{"Code":"Success","Data":null,"Data":` + set + `}`,
		`{"Code":"Success","Data":` + set + `,"Data":null}`, // the last Data says no set
		`{"Code":"Success","Data":` + set + `,"data":null,"Code":7}`,
	} {
		c, stub := newStub(t)
		stub.answer("DescribeLoadBalancerStrategys", http.StatusOK, body)
		stub.answerFixture("ModifyLoadBalancerStrategys")
		_, err := c.UpdateListener(context.Background(), waitUUID, "edit", func(_ *HTTPListener, tcp *TCPListener) error { return nil })
		require.Error(t, err, body)
		assert.True(t, errors.Is(err, ErrListenersUnreadable) || errors.Is(err, ErrMalformedAnswer), "%s: %v", body, err)
		assert.Empty(t, stub.requests("ModifyLoadBalancerStrategys"), "nothing is sent: %s", body)
	}
}

// TestExactListingsAreWrittenBackAsRead: the spellings the library reads
// exactly (numbers as strings, a lone ACL string, null lists, timeouts in
// minutes) do not block an edit, and go back with the same meaning.
func TestExactListingsAreWrittenBackAsRead(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	keep := keepWith("ClientTimeoutUnit", `"m"`, "ListenerPort", `"8080"`, "AclWhiteList", `"10.0.0.0/8"`, "CertificateIds", "null",
		"SessionPersistence", `{"Key":"sid","Mode":"1","Timer":{"MaxIdle":"10","MaxLife":2e1}}`, "ListenerMode", `""`,
		"ServerTimeout", `""`, "ServerTimeoutUnit", `""`)
	stub.answer("DescribeLoadBalancerStrategys", http.StatusOK, listing(keep))
	stub.answerFixture("ModifyLoadBalancerStrategys")

	_, err := c.UpdateListener(context.Background(), waitUUID, "edit", func(_ *HTTPListener, tcp *TCPListener) error {
		tcp.MaxConn = 200
		return nil
	})
	require.NoError(t, err)
	kept := sent(t, stub)["HttpListeners"].([]any)[0].(map[string]any)
	assert.Equal(t, "300", kept["ClientTimeout"], "5 minutes")
	assert.Equal(t, "s", kept["ClientTimeoutUnit"])
	assert.EqualValues(t, 8080, kept["ListenerPort"])
	assert.Equal(t, []any{"10.0.0.0/8"}, kept["AclWhiteList"])
	assert.Equal(t, map[string]any{"Key": "sid", "Mode": 1.0, "Timer": map[string]any{"MaxIdle": 10.0, "MaxLife": 20.0}},
		kept["SessionPersistence"], "a quoted mode is the mode it names")
	assert.Equal(t, "0", kept["ServerTimeout"], "unset")
}

// TestListenerEditRestartsFromTheReadAfterAConflict: a 409 on the write
// sends the edit back to the first read with RetryConflicts, so the set
// written is the one read after the conflict; without it, the 409 is
// returned after one write.
func TestListenerEditRestartsFromTheReadAfterAConflict(t *testing.T) {
	t.Parallel()
	before := listing(keepWith("MaxConn", "100"))
	after := listing(keepWith("MaxConn", "101")) // someone else's change, made while the instance was busy
	busy := `{"Code":"ResourceInUse","Message":"busy"}`

	c, stub := newStub(t, WithRetry(RetryPolicy{MaxAttempts: 3, RetryConflicts: true}))
	stub.answer("DescribeLoadBalancerStrategys", http.StatusOK, before).
		answer("DescribeLoadBalancerStrategys", http.StatusOK, before).
		answer("DescribeLoadBalancerStrategys", http.StatusOK, after)
	stub.answer("ModifyLoadBalancerStrategys", http.StatusConflict, busy).answerFixture("ModifyLoadBalancerStrategys")
	calls := 0
	_, err := c.UpdateListener(context.Background(), waitUUID, "edit", func(_ *HTTPListener, tcp *TCPListener) error {
		calls++
		tcp.MaxConn = 200
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 2, calls, "update is called again on the new read")
	writes := stub.requests("ModifyLoadBalancerStrategys")
	require.Len(t, writes, 2)
	assert.Contains(t, string(writes[1].Body), `"MaxConn":101`, "the other change survives")
	assert.Len(t, stub.requests("DescribeLoadBalancerStrategys"), 4)

	c, stub = newStub(t, WithRetry(RetryPolicy{MaxAttempts: 3}))
	stub.answer("DescribeLoadBalancerStrategys", http.StatusOK, before)
	stub.answer("ModifyLoadBalancerStrategys", http.StatusConflict, busy)
	_, err = c.RemoveListener(context.Background(), waitUUID, "edit")
	require.ErrorIs(t, err, ErrResourceInUse)
	assert.Len(t, stub.requests("ModifyLoadBalancerStrategys"), 1)
}

// TestListenerHelpersValidateTheirArguments: a nil update, an empty or
// blank id or name, one that is not valid UTF-8, and a nil context are refused under the helper's own name before
// any request.
func TestListenerHelpersValidateTheirArguments(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	ctx := context.Background()
	var noCtx context.Context
	noop := func(*HTTPListener, *TCPListener) error { return nil }
	for _, tc := range []struct {
		helper, field string
		call          func() error
	}{
		{"UpdateListener", "update", func() error { _, err := c.UpdateListener(ctx, waitUUID, "edit", nil); return err }},
		{"UpdateListener", "instanceUUID", func() error { _, err := c.UpdateListener(ctx, " ", "edit", noop); return err }},
		{"UpdateListener", "listenerName", func() error { _, err := c.UpdateListener(ctx, waitUUID, "", noop); return err }},
		{"UpdateListener", "ctx", func() error { _, err := c.UpdateListener(noCtx, waitUUID, "edit", noop); return err }},
		{"RemoveListener", "instanceUUID", func() error { _, err := c.RemoveListener(ctx, "", "edit"); return err }},
		{"RemoveListener", "listenerName", func() error { _, err := c.RemoveListener(ctx, waitUUID, ""); return err }},
		{"RemoveListener", "ctx", func() error { _, err := c.RemoveListener(noCtx, waitUUID, "edit"); return err }},
		{"UpdateListener", "listenerName", func() error { _, err := c.UpdateListener(ctx, waitUUID, "  ", noop); return err }},
		{"RemoveListener", "listenerName", func() error { _, err := c.RemoveListener(ctx, waitUUID, "\t "); return err }},
		{"UpdateListener", "listenerName", func() error { _, err := c.UpdateListener(ctx, waitUUID, "ed\xffit", noop); return err }},
		{"RemoveListener", "listenerName", func() error { _, err := c.RemoveListener(ctx, waitUUID, "ed\xffit"); return err }},
		{"UpdateListener", "instanceUUID", func() error { _, err := c.UpdateListener(ctx, "i-\xff", "edit", noop); return err }},
		{"RemoveListener", "instanceUUID", func() error { _, err := c.RemoveListener(ctx, "i-\xff", "edit"); return err }},
	} {
		err := tc.call()
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, "%s %s", tc.helper, tc.field)
		assert.Equal(t, tc.helper, ve.Action)
		assert.Equal(t, tc.field, ve.Field)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	}
	assert.Empty(t, stub.requests(""), "nothing was sent")
}

// TestPlansRefuseLossyListings: a plan is never made from, nor applied
// to, a set the library cannot read exactly.
func TestPlansRefuseLossyListings(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	exact, lossy := listing(keepWith("ClientTimeoutUnit", `"s"`)), listing(keepWith("ClientTimeoutUnit", `"h"`))
	stub.answer("DescribeLoadBalancerStrategys", http.StatusOK, exact).
		answer("DescribeLoadBalancerStrategys", http.StatusOK, lossy)
	stub.answerFixture("ModifyLoadBalancerStrategys")

	plan, err := c.PlanListeners(context.Background(), waitUUID, nil, nil)
	require.NoError(t, err)
	require.Len(t, plan.Changes, 2, "both listeners removed")
	_, err = c.ApplyListeners(context.Background(), plan)
	require.ErrorIs(t, err, ErrListenersUnreadable)
	assert.Contains(t, err.Error(), `listener "keep"`)
	_, err = c.PlanListeners(context.Background(), waitUUID, nil, nil)
	require.ErrorIs(t, err, ErrListenersUnreadable)
	assert.Empty(t, stub.requests("ModifyLoadBalancerStrategys"), "nothing is sent")
}

// misshapen says whether a listing's value holds a list entry or an object
// of the wrong kind: since issue 19 those
// make the answer malformed for every read, not only unreadable for the
// edits.
func misshapen(value string) bool {
	return slices.Contains([]string{`{"Httpchk":"GET /"}`, `[null]`, `["c-1"]`}, value)
}
