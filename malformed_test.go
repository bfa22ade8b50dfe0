package cdslb

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMalformedCreateIsNeverSuccess: a Success to CreateLoadBalancer whose
// Data cannot be read, or names fewer instances than asked for, is an
// error that matches ErrMalformedAnswer and ErrOutcomeUnknown, keeps the
// TaskID, and is not retried, even by the default policy.
func TestMalformedCreateIsNeverSuccess(t *testing.T) {
	t.Parallel()
	for name, data := range map[string]string{
		"Data a string":        `"i-1"`,
		"Data a list":          `["i-1"]`,
		"ids a string":         `{"InstancesUuid":"i-1"}`,
		"ids an object":        `{"InstancesUuid":{"0":"i-1"}}`,
		"ids numbers":          `{"InstancesUuid":[1]}`,
		"ids empty":            `{"InstancesUuid":[""]}`,
		"no ids":               `{}`,
		"fewer ids than asked": `{"InstancesUuid":["i-1"]}`,
		"an id repeated":       `{"InstancesUuid":["i-1","i-1"]}`,
		"an id blank":          `{"InstancesUuid":[" ","i-1"]}`,
		"an id null":           `{"InstancesUuid":[null,"i-1"]}`,
		"Data absent":          ``,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, srv := newHostile(t, WithRetry(DefaultRetryPolicy))
			body := `{"Code":"Success","TaskId":"task-7"`
			if data != "" {
				body += `,"Data":` + data
			}
			srv.answer("CreateLoadBalancer", http.StatusOK, body+`}`)
			req := goodCreate()
			req.Amount = 2
			resp, err := c.CreateLoadBalancer(context.Background(), req)
			require.Error(t, err)
			assert.Nil(t, resp)
			assert.ErrorIs(t, err, ErrMalformedAnswer)
			assert.ErrorIs(t, err, ErrOutcomeUnknown)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, "task-7", apiErr.TaskID)
			assert.Len(t, srv.sentFor("CreateLoadBalancer"), 1, "never sent again")
		})
	}
}

// TestCreateWithTheIdsAskedForSucceeds: an answer with at least the ids
// asked for, each readable and none twice, is a success that holds them.
func TestCreateWithTheIdsAskedForSucceeds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		amount int
		ids    string
		want   []string
	}{
		{2, `["i-1","i-2"]`, []string{"i-1", "i-2"}},
		{0, `["i-1"]`, []string{"i-1"}},
		{1, `["i-1","i-2"]`, []string{"i-1", "i-2"}},
	} {
		c, srv := newHostile(t)
		srv.answer("CreateLoadBalancer", http.StatusOK, `{"Code":"Success","Data":{"InstancesUuid":`+tc.ids+`}}`)
		req := goodCreate()
		req.Amount = tc.amount
		resp, err := c.CreateLoadBalancer(context.Background(), req)
		require.NoError(t, err, tc.ids)
		assert.Equal(t, tc.want, resp.InstanceUUIDs, tc.ids)
	}
}

// TestCreateWithAnUnreadableIdIsMalformed: one blank, unreadable or repeated
// id may hide a billed instance, even when enough others are readable.
func TestCreateWithAnUnreadableIdIsMalformed(t *testing.T) {
	t.Parallel()
	for _, ids := range []string{`["","i-1"]`, `[" ","i-1"]`, `[null,"i-1"]`, `[1,"i-1"]`, `["i-1","i-1"]`} {
		c, srv := newHostile(t)
		srv.answer("CreateLoadBalancer", http.StatusOK, `{"Code":"Success","Data":{"InstancesUuid":`+ids+`}}`)
		resp, err := c.CreateLoadBalancer(context.Background(), goodCreate())
		require.Error(t, err, ids)
		assert.Nil(t, resp)
		assert.ErrorIs(t, err, ErrMalformedAnswer, ids)
		assert.ErrorIs(t, err, ErrOutcomeUnknown, ids)
	}
}

// malformedReads are Success answers of read-only actions that cannot be
// read as the action documents.
var malformedReads = map[string][]string{
	"DescribeLoadBalancers": {
		`"surprise"`, `{"InstanceUuid":"i-1","Status":"RUNNING"}`, `42`,
		`[{"InstanceName":"no id","Status":"RUNNING"}]`,
		`[{"InstanceUuid":"` + waitUUID + `"}]`,
		`[{"InstanceUuid":"` + waitUUID + `","Status":""}]`,
	},
	"DescribeLoadBalancerStrategys": {
		`"surprise"`, `[]`, `{"HttpListeners":"h","TcpListeners":[]}`,
		`{"HttpListeners":[],"TcpListeners":{"ListenerName":"t"}}`,
	},
	"DescribeCACertificates": {`"surprise"`, `{"CertificateId":"c-1"}`, `true`,
		`["x"]`, `[1,2]`, `[null]`, `[{"CertificateName":"no id"}]`, `[{"CertificateId":"c-1"},null]`},
	"DescribeZones":               {`["x"]`, `[1,2]`, `[null]`, `[{"RegionName":"no id"}]`, `[{"RegionId":" "}]`},
	"DescribeLBInstanceListeners": {`["x"]`, `[null]`, `[{"ListenerMode":"HTTP"}]`, `[{"ListenerName":"l","BackendNames":[null]}]`},
	// Lists of objects deeper down hold objects alone.
	"DescribeLBInstancePerformance":   {`{"DataPoints":["x"]}`, `{"DataPoints":[{"MetricName":"m","Values":[null]}]}`},
	"DescribeLoadBalancersSpec":       {`{"Products":[1]}`, `{"Products":[{"Architectures":[null]}]}`},
	"DescribeLoadBalancersModifySpec": {`{"CpuRam":[null]}`, `{"AttachDisk":["x"]}`},
}

// TestMalformedReadsAreRetriedThenRefused: a malformed Success to a read is
// retried like a 5xx, signed afresh, and if it persists the error matches
// ErrMalformedAnswer but never ErrOutcomeUnknown.
func TestMalformedReadsAreRetriedThenRefused(t *testing.T) {
	t.Parallel()
	calls := map[string]actionCall{}
	for _, ac := range validCalls(t) {
		calls[ac.action] = ac
	}
	for action, answers := range malformedReads {
		for _, data := range answers {
			t.Run(action+"/"+data, func(t *testing.T) {
				t.Parallel()
				c, srv := newHostile(t, WithRetry(DefaultRetryPolicy))
				srv.answer(action, http.StatusOK, `{"Code":"Success","Data":`+data+`}`)
				resp, err := calls[action].call(context.Background(), c)
				require.Error(t, err)
				assert.True(t, resp == nil || isNilPointer(resp))
				assert.ErrorIs(t, err, ErrMalformedAnswer)
				assert.NotErrorIs(t, err, ErrOutcomeUnknown)
				sent := srv.sentFor(action)
				assert.Len(t, sent, DefaultRetryPolicy.MaxAttempts, "retried like a 5xx")
				assert.NotEqual(t, sent[0].Nonce, sent[1].Nonce)
			})
		}
	}
}

func isNilPointer(v any) bool {
	r := reflect.ValueOf(v)
	return r.Kind() == reflect.Pointer && r.IsNil()
}

// TestWaitersNeverTakeAMalformedAnswer: WaitUntilDeleted and
// WaitUntilRunning poll through malformed answers and, if they persist,
// fail with ErrMalformedAnswer: never "deleted", never "running".
func TestWaitersNeverTakeAMalformedAnswer(t *testing.T) {
	t.Parallel()
	for _, data := range malformedReads["DescribeLoadBalancers"] {
		t.Run(data, func(t *testing.T) {
			t.Parallel()
			c, stub, clock := newWaitStub(t)
			stub.answer("DescribeLoadBalancers", http.StatusOK, `{"Code":"Success","Data":`+data+`}`)
			err := c.WaitUntilDeleted(context.Background(), waitUUID, clock.option())
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrMalformedAnswer)
			assert.GreaterOrEqual(t, clock.elapsed(), transientGrace, "polled through it first")

			_, err = c.WaitUntilRunning(context.Background(), waitUUID, clock.option())
			require.ErrorIs(t, err, ErrMalformedAnswer)
			assert.False(t, errors.Is(err, ErrResourceNotFound))
		})
	}
}
