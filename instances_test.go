package cdslb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreateLoadBalancer(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("CreateLoadBalancer")

	yes := true
	resp, err := c.CreateLoadBalancer(context.Background(), &CreateLoadBalancerRequest{
		RegionID: "CN_Hongkong_A", VdcID: "vdc-1", BasePipeID: "pipe-private", InstanceName: "test-haproxy",
		PaasGoodsID: 5072,
		IPs: []CreateLoadBalancerIP{
			{PipeType: PipeTypePrivate, PipeID: "pipe-private", IsVIP: &yes},
			{PipeType: PipeTypePublic, PipeID: "pipe-public", SegmentID: "segment-1"},
		},
		Amount: 1,
	})
	require.NoError(t, err)

	body := postBody(t, stub.only("CreateLoadBalancer"), "/lb/", "CreateLoadBalancer")
	assert.Equal(t, map[string]any{
		"RegionId": "CN_Hongkong_A", "VdcId": "vdc-1", "BasePipeId": "pipe-private", "InstanceName": "test-haproxy",
		"PaasGoodsId": 5072.0, // a JSON number, as the table says (the example's "5072" is the odd one)
		"Ips": []any{
			map[string]any{"PipeType": "private", "PipeId": "pipe-private", "IsVip": 1.0},           // no SegmentId
			map[string]any{"PipeType": "public", "PipeId": "pipe-public", "SegmentId": "segment-1"}, // no IsVip
		},
		"Amount": 1.0,
	}, body)

	assert.Equal(t, []string{"5d74bb81-0473-464d-b15b-0ae418619248"}, resp.InstanceUUIDs)
	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success.", TaskID: "7a9c0d3e-1f2b-4c5d-8e6f-a0b1c2d3e4f5"}, resp.ResponseMeta)
}

func TestCreateLoadBalancerOptionalFields(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("CreateLoadBalancer")

	no := false
	_, err := c.CreateLoadBalancer(context.Background(), &CreateLoadBalancerRequest{
		RegionID: "r", VdcID: "v", BasePipeID: "p", InstanceName: "n", PaasGoodsID: 1,
		IPs: []CreateLoadBalancerIP{{PipeType: PipeTypePublic, PipeID: "pub", SegmentID: "s", IsVIP: &no}},
	})
	require.NoError(t, err)

	body := postBody(t, stub.only("CreateLoadBalancer"), "/lb/", "CreateLoadBalancer")
	assert.NotContains(t, body, "Amount", "Amount 0 is not sent: the service's default applies")
	ips := list(t, body["Ips"])
	require.Len(t, ips, 1)
	assert.Equal(t, 0.0, object(t, ips[0])["IsVip"], "IsVip false is sent as 0")
}

func TestDescribeLoadBalancers(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("DescribeLoadBalancers")

	resp, err := c.DescribeLoadBalancers(context.Background(), &DescribeLoadBalancersRequest{
		IP: "66.66", InstanceUUID: "5d74bb81-0473-464d-b15b-0ae418619248", InstanceName: "haproxy",
		StartTime: time.Date(2021, 3, 10, 6, 0, 0, 0, time.UTC), // 14:00 in China
		EndTime:   time.Date(2021, 3, 10, 15, 0, 0, 0, cst),
	})
	require.NoError(t, err)

	assertGET(t, stub.only("DescribeLoadBalancers"), "DescribeLoadBalancers", map[string]string{
		"IP": "66.66", "InstanceUuid": "5d74bb81-0473-464d-b15b-0ae418619248", "InstanceName": "haproxy",
		"StartTime": "2021-03-10 14:00:00", "EndTime": "2021-03-10 15:00:00",
	})

	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success."}, resp.ResponseMeta)
	require.Len(t, resp.LoadBalancers, 1)
	lb := resp.LoadBalancers[0]
	assertTime(t, time.Date(2020, 5, 5, 0, 13, 53, 0, cst), lb.CreatedTime)
	lb.CreatedTime = time.Time{}
	assert.Equal(t, LoadBalancer{
		InstanceUUID: "5d74bb81-0473-464d-b15b-0ae418619248", InstanceName: "*******",
		Status: StatusRunning, StatusText: "运行中", IP: "66.66.0.52", Port: 0,
		VIPs:     []VIP{{IP: "xx.xx.xx.xx", Type: PipeTypePrivate}, {IP: "xx.xx.xx.xx", Type: PipeTypePublic}},
		RegionID: "CN_Hongkong_A", DisplayName: "亚太地区-香港-可用区A",
		VdcID: "e2b4f7a0-6c1d-4b8e-9f3a-2d5c7e9b1a40", VdcName: "香港PaaS1", ProjectName: "默认项目",
		SubProductName: "haproxy 主从版", Version: "1.8.3", ResourceID: "71bf731e-7cc8-4307-8408-4952e4dcd470",
		CPU: 1, MemoryMB: 2048,
	}, lb)
}

func TestDescribeLoadBalancersWithoutFilters(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, `{"Code": "Success", "Data": [], "Message": "Success."}`)

	resp, err := c.DescribeLoadBalancers(context.Background(), nil)
	require.NoError(t, err)
	assertGET(t, stub.only("DescribeLoadBalancers"), "DescribeLoadBalancers", nil)
	assert.Empty(t, resp.LoadBalancers, "no match is an empty list, not an error")
}

func TestDescribeLoadBalancersWithLocationWritesTimesInThatZone(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t, WithLocation(time.UTC))
	stub.answer("DescribeLoadBalancers", http.StatusOK, `{"Code": "Success", "Data": []}`)

	_, err := c.DescribeLoadBalancers(context.Background(), &DescribeLoadBalancersRequest{
		StartTime: time.Date(2021, 3, 10, 14, 0, 0, 0, cst),
		EndTime:   time.Date(2021, 3, 10, 15, 0, 0, 0, cst),
	})
	require.NoError(t, err)
	assertGET(t, stub.only("DescribeLoadBalancers"), "DescribeLoadBalancers", map[string]string{
		"StartTime": "2021-03-10 06:00:00", "EndTime": "2021-03-10 07:00:00",
	})
}

func TestDescribeLoadBalancersWithLocationReadsTimesInThatZone(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t, WithLocation(time.UTC))
	stub.answerFixture("DescribeLoadBalancers")

	resp, err := c.DescribeLoadBalancers(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, resp.LoadBalancers, 1)
	assertTime(t, time.Date(2020, 5, 5, 0, 13, 53, 0, time.UTC), resp.LoadBalancers[0].CreatedTime)
}

// One odd field (MasterInfo a dict or "", Cpu not a number, Vips a string,
// CreatedTime unreadable) must not fail the call or the other instances.
func TestDescribeLoadBalancersOddFields(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, `{"Code": "Success", "Message": "Success.", "Data": [
		{"InstanceUuid": "a", "Cpu": "abc", "Ram": 4096, "Status": "RUNNING", "MasterInfo": {"InstanceUuid": "m"},
		 "CreatedTime": "2020-05-05 00:13:53", "Vips": [{"IP": "10.0.0.1", "Type": "private"}]},
		{"InstanceUuid": "b", "Status": "CREATING", "Cpu": 2, "Ram": "2048", "Port": "8080", "MasterInfo": "", "Vips": "10.0.0.2", "CreatedTime": "yesterday"}]}`)

	resp, err := c.DescribeLoadBalancers(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, resp.LoadBalancers, 2)
	a, b := resp.LoadBalancers[0], resp.LoadBalancers[1]
	assert.Equal(t, "a", a.InstanceUUID)
	assert.Zero(t, a.CPU, "Cpu \"abc\" is unreadable")
	assert.Equal(t, 4096, a.MemoryMB)
	assert.Equal(t, StatusRunning, a.Status)
	assert.Equal(t, []VIP{{IP: "10.0.0.1", Type: "private"}}, a.VIPs)
	assertTime(t, time.Date(2020, 5, 5, 0, 13, 53, 0, cst), a.CreatedTime)
	assert.Equal(t, "b", b.InstanceUUID)
	assert.Equal(t, 2, b.CPU)
	assert.Equal(t, 2048, b.MemoryMB, "numbers may come as strings")
	assert.Equal(t, 8080, b.Port)
	assert.Empty(t, b.VIPs)
	assert.True(t, b.CreatedTime.IsZero())
}

func TestModifyLoadBalancerInstanceSpec(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("ModifyLoadBalancerInstanceSpec")

	resp, err := c.ModifyLoadBalancerInstanceSpec(context.Background(),
		&ModifyLoadBalancerInstanceSpecRequest{InstanceUUID: "5d74bb81-0473-464d-b15b-0ae418619248", PaasGoodsID: 5078})
	require.NoError(t, err)

	body := postBody(t, stub.only("ModifyLoadBalancerInstanceSpec"), "/lb/", "ModifyLoadBalancerInstanceSpec")
	assert.Equal(t, map[string]any{
		"InstanceUuid": "5d74bb81-0473-464d-b15b-0ae418619248",
		"PaasGoodsId":  5078.0, // "此处必须传int类型": it must be a JSON number
	}, body)
	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success.", TaskID: "1c8e5b2f-9a3d-4f6e-b7c0-d4e2a9f18b35"}, resp.ResponseMeta)
}

func TestDeleteLoadBalancer(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("DeleteLoadBalancer")

	resp, err := c.DeleteLoadBalancer(context.Background(), &DeleteLoadBalancerRequest{InstanceUUID: "5d74bb81-0473-464d-b15b-0ae418619248"})
	require.NoError(t, err)

	body := postBody(t, stub.only("DeleteLoadBalancer"), "/lb/", "DeleteLoadBalancer")
	assert.Equal(t, map[string]any{"InstanceUuid": "5d74bb81-0473-464d-b15b-0ae418619248"}, body)
	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success.", TaskID: "4e0a7d6c-2b9f-4a1e-8c3d-5f7b1e9a0c62"}, resp.ResponseMeta)
}

func TestModifyLoadBalancerName(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("ModifyLoadBalancerName")

	resp, err := c.ModifyLoadBalancerName(context.Background(),
		&ModifyLoadBalancerNameRequest{InstanceUUID: "5d74bb81-0473-464d-b15b-0ae418619248", InstanceName: "边缘-lb 1"})
	require.NoError(t, err)

	body := postBody(t, stub.only("ModifyLoadBalancerName"), "/lb/", "ModifyLoadBalancerName")
	assert.Equal(t, map[string]any{"InstanceUuid": "5d74bb81-0473-464d-b15b-0ae418619248", "InstanceName": "边缘-lb 1"}, body)
	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success."}, resp.ResponseMeta, "an answer without Data or TaskId")
}

const waitUUID = "5d74bb81-0473-464d-b15b-0ae418619248"

// listed is a DescribeLoadBalancers answer listing one instance in status.
func listed(uuid, status string) string {
	return fmt.Sprintf(`{"Code":"Success","Message":"Success.","Data":[{"InstanceUuid":%q,"Status":%q}]}`, uuid, status)
}

const (
	listedNone   = `{"Code":"Success","Message":"Success.","Data":[]}`
	notFound     = `{"Code":"ResourceNotFound","Message":"instance not found"}`
	internalErr  = `{"Code":"InternalError","Message":"try later"}`
	unavailable  = `<html><body>503 Service Temporarily Unavailable</body></html>`
	invalidParam = `{"Code":"InvalidParameter","Message":"InstanceUuid is malformed"}`
	forbidden    = `{"Code":"AuthFailure","Message":"signature mismatch"}`
)

// fakeClock stands in for the waiter's clock: sleeping records the delay
// and moves the time on at once, so no test waits for real.
type fakeClock struct {
	now   time.Time
	slept []time.Duration
}

func (f *fakeClock) option() WaitOption {
	return func(c *waitConfig) {
		c.now = func() time.Time { return f.now }
		c.sleep = func(ctx context.Context, d time.Duration) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			f.slept = append(f.slept, d)
			f.now = f.now.Add(d)
			return nil
		}
	}
}

// elapsed is the fake time spent sleeping.
func (f *fakeClock) elapsed() time.Duration {
	var sum time.Duration
	for _, d := range f.slept {
		sum += d
	}
	return sum
}

func newWaitStub(t *testing.T) (*Client, *apiStub, *fakeClock) {
	c, stub := newStub(t)
	return c, stub, &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func TestWaitUntilRunningReturnsTheRunningInstance(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "CREATING")).
		answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "CREATING")).
		answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, StatusRunning))

	lb, err := c.WaitUntilRunning(context.Background(), waitUUID, clock.option())
	require.NoError(t, err)
	assert.Equal(t, waitUUID, lb.InstanceUUID)
	assert.Equal(t, StatusRunning, lb.Status)

	polls := stub.requests("DescribeLoadBalancers")
	require.Len(t, polls, 3)
	for _, p := range polls {
		assert.Equal(t, waitUUID, p.Query.Get("InstanceUuid"), "each poll asks for the one instance")
	}
	assert.Len(t, clock.slept, 2, "one sleep between polls, none after the last")
}

func TestWaitUntilRunningStopsAtTheContextDeadline(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t) // the real sleep: it must end when the context does
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "CREATING"))
	ctx := newExpiringContext()
	c.sleep = func(sctx context.Context, d time.Duration) error {
		ctx.expire() // the deadline passes during the first wait
		return sleepContext(sctx, d)
	}

	_, err := c.WaitUntilRunning(ctx, waitUUID, WithPollInterval(time.Hour, time.Hour))

	require.ErrorIs(t, err, context.DeadlineExceeded)
	var we *WaitError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, waitUUID, we.InstanceUUID)
	assert.Equal(t, "CREATING", we.Status)
	assert.Contains(t, err.Error(), "CREATING", "the error says where the instance was stuck")
}

func TestWaitUntilRunningStopsWhenCanceled(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "CREATING"))
	ctx, cancel := context.WithCancel(context.Background())
	polls := 0
	_, err := c.WaitUntil(ctx, waitUUID, func(lb *LoadBalancer) (bool, error) {
		if polls++; polls == 3 {
			cancel()
		}
		return false, nil
	}, clock.option())
	require.ErrorIs(t, err, context.Canceled)
	assert.Len(t, stub.requests("DescribeLoadBalancers"), 3, "no poll after the context ended")
}

func TestWaitUntilRunningFailsFastOnAFailedStatus(t *testing.T) {
	t.Parallel()
	for _, status := range []string{"CREATE_FAILED", "error", "Change_Error"} {
		t.Run(status, func(t *testing.T) {
			t.Parallel()
			c, stub, clock := newWaitStub(t)
			stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "CREATING")).
				answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, status))

			_, err := c.WaitUntilRunning(context.Background(), waitUUID, clock.option())
			require.ErrorIs(t, err, ErrWaitFailed)
			var we *WaitError
			require.ErrorAs(t, err, &we)
			assert.Equal(t, WaitError{InstanceUUID: waitUUID, Status: status, Err: ErrWaitFailed}, *we)
			assert.Contains(t, err.Error(), waitUUID)
			assert.Contains(t, err.Error(), status)
			assert.Equal(t, 1, strings.Count(err.Error(), "cdslb:"), "said once: %s", err)
			assert.Len(t, stub.requests("DescribeLoadBalancers"), 2)
		})
	}
}

func TestWaitUntilRunningToleratesAMissingInstanceWithinTheGrace(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listedNone).
		answer("DescribeLoadBalancers", http.StatusNotFound, notFound).
		answer("DescribeLoadBalancers", http.StatusOK, listed("another-instance", StatusRunning)).
		answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, StatusRunning))

	lb, err := c.WaitUntilRunning(context.Background(), waitUUID, clock.option(),
		WithPollInterval(10*time.Second, 10*time.Second), WithNotFoundGrace(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, waitUUID, lb.InstanceUUID)
	assert.Len(t, stub.requests("DescribeLoadBalancers"), 4)
}

func TestWaitUntilRunningFailsWhenTheInstanceStaysMissing(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listedNone)

	_, err := c.WaitUntilRunning(context.Background(), waitUUID, clock.option(),
		WithPollInterval(10*time.Second, 10*time.Second), WithNotFoundGrace(30*time.Second))
	require.ErrorIs(t, err, ErrResourceNotFound)
	var we *WaitError
	require.ErrorAs(t, err, &we)
	assert.Empty(t, we.Status, "never seen")
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr), "the service said nothing of the kind: no APIError is made up")
	assert.GreaterOrEqual(t, clock.elapsed(), 30*time.Second, "not before the grace is over")
	assert.Less(t, clock.elapsed(), 45*time.Second, "nor long after")
}

func TestWaitUntilRunningWithoutGraceFailsAtTheFirstMiss(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listedNone)

	_, err := c.WaitUntilRunning(context.Background(), waitUUID, clock.option(), WithNotFoundGrace(0))
	require.ErrorIs(t, err, ErrResourceNotFound)
	assert.Len(t, stub.requests("DescribeLoadBalancers"), 1)
	assert.Empty(t, clock.slept)
}

func TestWaitUntilRunningPollsThroughTransientErrors(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t) // the stub's client does not retry: the waiter must
	stub.answer("DescribeLoadBalancers", http.StatusServiceUnavailable, unavailable).
		answer("DescribeLoadBalancers", http.StatusTooManyRequests, `{"Code":"Throttling","Message":"slow down"}`).
		answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, StatusRunning))

	lb, err := c.WaitUntilRunning(context.Background(), waitUUID, clock.option())
	require.NoError(t, err)
	assert.Equal(t, StatusRunning, lb.Status)
	assert.Len(t, stub.requests("DescribeLoadBalancers"), 3)
}

func TestWaitUntilRunningReturnsAPermanentErrorAtOnce(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "CREATING")).
		answer("DescribeLoadBalancers", http.StatusBadRequest, invalidParam)

	_, err := c.WaitUntilRunning(context.Background(), waitUUID, clock.option())
	require.ErrorIs(t, err, ErrInvalidParameter)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.HTTPStatus)
	var we *WaitError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, "CREATING", we.Status)
	assert.Len(t, stub.requests("DescribeLoadBalancers"), 2)
}

func TestWaitUntilRefusesAnEmptyInstanceUUID(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	err := c.WaitUntilDeleted(context.Background(), " ", clock.option())
	require.ErrorIs(t, err, ErrInvalidRequest, "an empty id would list every instance")
	assert.Empty(t, stub.requests(""))
}

func TestWaitUntilReturnsTheDoneFunctionsError(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "CHANGING"))
	boom := errors.New("boom")
	_, err := c.WaitUntil(context.Background(), waitUUID, func(*LoadBalancer) (bool, error) { return false, boom }, clock.option())
	require.ErrorIs(t, err, boom)
	var we *WaitError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, "CHANGING", we.Status)
}

func TestWaitUntilDeletedReturnsOnceTheListIsEmpty(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, StatusRunning)).
		answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "DELETING")).
		answer("DescribeLoadBalancers", http.StatusOK, listedNone)

	require.NoError(t, c.WaitUntilDeleted(context.Background(), waitUUID, clock.option()))
	assert.Len(t, stub.requests("DescribeLoadBalancers"), 3)
}

func TestWaitUntilDeletedReturnsOnResourceNotFound(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "DELETING")).
		answer("DescribeLoadBalancers", http.StatusNotFound, notFound)

	require.NoError(t, c.WaitUntilDeleted(context.Background(), waitUUID, clock.option()))
	assert.Len(t, stub.requests("DescribeLoadBalancers"), 2)
}

func TestWaitUntilDeletedFailsOnAFailedDeletion(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "DELETE_FAILED"))
	err := c.WaitUntilDeleted(context.Background(), waitUUID, clock.option())
	require.ErrorIs(t, err, ErrWaitFailed)
}

func TestWaitUntilDeletedReturnsAPersistentInternalError(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "DELETING")).
		answer("DescribeLoadBalancers", http.StatusInternalServerError, internalErr)

	err := c.WaitUntilDeleted(context.Background(), waitUUID, clock.option(), WithPollInterval(5*time.Second, 5*time.Second))
	require.Error(t, err, "an error is never taken to mean deleted")
	require.ErrorIs(t, err, ErrInternalError)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusInternalServerError, apiErr.HTTPStatus)
	assert.Greater(t, len(stub.requests("DescribeLoadBalancers")), 3, "polled through it for a while")
	assert.GreaterOrEqual(t, clock.elapsed(), time.Minute-6*time.Second, "for about a minute")
	assert.Less(t, clock.elapsed(), 2*time.Minute)
}

func TestWaitUntilDeletedReturnsAnAuthErrorAtOnce(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusForbidden, forbidden)

	err := c.WaitUntilDeleted(context.Background(), waitUUID, clock.option())
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "AuthFailure", apiErr.Code)
	assert.Len(t, stub.requests("DescribeLoadBalancers"), 1)
	assert.Empty(t, clock.slept)
}

func TestWaitPollIntervalsGrowFromMinToMax(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	for range 8 {
		stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "CHANGING"))
	}
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, StatusRunning))

	_, err := c.WaitUntilRunning(context.Background(), waitUUID, clock.option(), WithPollInterval(time.Second, 5*time.Second))
	require.NoError(t, err)

	// Without jitter: 1, 1.5, 2.25, 3.375, then capped at 5. Jitter adds up
	// to a tenth, never beyond the maximum.
	base := []time.Duration{time.Second, 1500 * time.Millisecond, 2250 * time.Millisecond, 3375 * time.Millisecond,
		5 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second}
	require.Len(t, clock.slept, len(base))
	for i, d := range clock.slept {
		assert.GreaterOrEqual(t, d, base[i], "sleep %d", i)
		assert.LessOrEqual(t, d, min(base[i]+base[i]/10, 5*time.Second), "sleep %d", i)
	}
}

func TestWaitDefaultPollInterval(t *testing.T) {
	t.Parallel()
	c, stub, clock := newWaitStub(t)
	for range 12 {
		stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, "CREATING"))
	}
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, StatusRunning))

	_, err := c.WaitUntilRunning(context.Background(), waitUUID, clock.option())
	require.NoError(t, err)
	require.Len(t, clock.slept, 12)
	assert.InDelta(t, 2*time.Second, clock.slept[0], float64(200*time.Millisecond), "starts at 2 s")
	assert.Equal(t, 30*time.Second, clock.slept[11], "ends capped at 30 s")
}

var _ = example("CreateLoadBalancer", func(testing.TB) any { return goodCreate() })

var _ = example("DescribeLoadBalancers", func(testing.TB) any { return (*DescribeLoadBalancersRequest)(nil) })

var _ = example("ModifyLoadBalancerInstanceSpec", func(testing.TB) any {
	return &ModifyLoadBalancerInstanceSpecRequest{InstanceUUID: "i-1", PaasGoodsID: 5078}
})

var _ = example("DeleteLoadBalancer", func(testing.TB) any { return &DeleteLoadBalancerRequest{InstanceUUID: "i-1"} })

var _ = example("ModifyLoadBalancerName", func(testing.TB) any {
	return &ModifyLoadBalancerNameRequest{InstanceUUID: "i-1", InstanceName: "web"}
})
