package cdslb

import (
	"context"
	"fmt"
	"net/http"
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
	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success.", TaskID: "7a9c0d3e-1f2b-4c5d-8e6f-a0b1c2d3e4f5", HTTPStatus: 200, Attempts: 1}, resp.ResponseMeta)
}

func TestCreateLoadBalancerOptionalFields(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("CreateLoadBalancer")

	no := false
	_, err := c.CreateLoadBalancer(context.Background(), &CreateLoadBalancerRequest{
		RegionID: "r", VdcID: "v", BasePipeID: "p", InstanceName: "n", PaasGoodsID: 1,
		IPs: []CreateLoadBalancerIP{{PipeType: PipeTypePrivate, PipeID: "priv", IsVIP: &no}, {PipeType: PipeTypePublic, PipeID: "pub", SegmentID: "s"}},
	})
	require.NoError(t, err)

	body := postBody(t, stub.only("CreateLoadBalancer"), "/lb/", "CreateLoadBalancer")
	assert.NotContains(t, body, "Amount", "Amount 0 is not sent: the service's default applies")
	assert.NotContains(t, body, "IsVip", "IsVip is never a top-level parameter")
	ips := jsonList(t, body["Ips"])
	require.Len(t, ips, 2)
	assert.Equal(t, 0.0, object(t, ips[0])["IsVip"], "IsVip false is sent as 0, in the private entry, as the document's example has it")
	assert.NotContains(t, object(t, ips[1]), "IsVip", "the public entry has no IsVip")
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

	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success.", HTTPStatus: 200, Attempts: 1}, resp.ResponseMeta)
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
		{"InstanceUuid": "a", "InstanceName": "a", "RegionId": "r", "Cpu": "abc", "Ram": 4096, "Status": "RUNNING", "MasterInfo": {"InstanceUuid": "m"},
		 "CreatedTime": "2020-05-05 00:13:53", "Vips": [{"IP": "10.0.0.1", "Type": "private"}]},
		{"InstanceUuid": "b", "InstanceName": "b", "RegionId": "r", "Status": "CREATING", "Cpu": 2, "Ram": "2048", "Port": "8080", "MasterInfo": "", "Vips": "10.0.0.2", "CreatedTime": "yesterday"}]}`)

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
	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success.", TaskID: "1c8e5b2f-9a3d-4f6e-b7c0-d4e2a9f18b35", HTTPStatus: 200, Attempts: 1}, resp.ResponseMeta)
}

func TestDeleteLoadBalancer(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("DeleteLoadBalancer")

	resp, err := c.DeleteLoadBalancer(context.Background(), &DeleteLoadBalancerRequest{InstanceUUID: "5d74bb81-0473-464d-b15b-0ae418619248"})
	require.NoError(t, err)

	body := postBody(t, stub.only("DeleteLoadBalancer"), "/lb/", "DeleteLoadBalancer")
	assert.Equal(t, map[string]any{"InstanceUuid": "5d74bb81-0473-464d-b15b-0ae418619248"}, body)
	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success.", TaskID: "4e0a7d6c-2b9f-4a1e-8c3d-5f7b1e9a0c62", HTTPStatus: 200, Attempts: 1}, resp.ResponseMeta)
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
	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success.", HTTPStatus: 200, Attempts: 1}, resp.ResponseMeta, "an answer without Data or TaskId")
}

const waitUUID = "5d74bb81-0473-464d-b15b-0ae418619248"

// listed is a DescribeLoadBalancers answer listing one instance in status.
func listed(uuid, status string) string {
	return fmt.Sprintf(`{"Code":"Success","Message":"Success.","Data":[{"InstanceUuid":%q,"Status":%q,"InstanceName":"lb","RegionId":"CN_Beijing_A"}]}`, uuid, status)
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

// The newest fields go on the wire with the names and types of the
// extended-actions document: TagName in the query, SubjectId an int in the
// body and only when set, Tags as {"TagID": int, "TagName": string}, and
// IsCustomConf 0 or 1.
func TestLoadBalancerNewestFields(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, `{"Code": "Success", "Message": "Success.", "Data": [
		{"InstanceUuid": "a", "InstanceName": "a", "RegionId": "r", "Status": "RUNNING", "IsCustomConf": 1, "Tags": [{"TagID": 24644, "TagName": "test_tag"}, {"TagID": "7", "TagName": "prod"}]},
		{"InstanceUuid": "b", "InstanceName": "b", "RegionId": "r", "Status": "RUNNING", "IsCustomConf": 0, "Tags": []},
		{"InstanceUuid": "c", "InstanceName": "c", "RegionId": "r", "Status": "RUNNING"}]}`)
	stub.answerFixture("CreateLoadBalancer").answerFixture("CreateLoadBalancer")

	resp, err := c.DescribeLoadBalancers(context.Background(), &DescribeLoadBalancersRequest{TagName: "test_tag"})
	require.NoError(t, err)
	assertGET(t, stub.only("DescribeLoadBalancers"), "DescribeLoadBalancers", map[string]string{"TagName": "test_tag"})
	require.Len(t, resp.LoadBalancers, 3)
	assert.Equal(t, []Tag{{ID: 24644, Name: "test_tag"}, {ID: 7, Name: "prod"}}, resp.LoadBalancers[0].Tags)
	assert.True(t, resp.LoadBalancers[0].CustomConfig)
	assert.Equal(t, []Tag{}, resp.LoadBalancers[1].Tags)
	assert.False(t, resp.LoadBalancers[1].CustomConfig)
	assert.Nil(t, resp.LoadBalancers[2].Tags)

	req := createRequestFor("n")
	_, err = c.CreateLoadBalancer(context.Background(), req)
	require.NoError(t, err)
	req.SubjectID = 42
	_, err = c.CreateLoadBalancer(context.Background(), req)
	require.NoError(t, err)
	sent := stub.requests("CreateLoadBalancer")
	require.Len(t, sent, 2)
	assert.NotContains(t, postBody(t, sent[0], "/lb/", "CreateLoadBalancer"), "SubjectId", "SubjectID 0 sends none")
	assert.Equal(t, 42.0, postBody(t, sent[1], "/lb/", "CreateLoadBalancer")["SubjectId"])

	req.SubjectID = -1
	_, err = c.CreateLoadBalancer(context.Background(), req)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "SubjectID", ve.Field)
	assert.Len(t, stub.requests("CreateLoadBalancer"), 2, "nothing sent")
}

func createRequestFor(name string) *CreateLoadBalancerRequest {
	return &CreateLoadBalancerRequest{RegionID: "r", VdcID: "v", BasePipeID: "p", InstanceName: name, PaasGoodsID: 1,
		IPs: []CreateLoadBalancerIP{{PipeType: PipeTypePrivate, PipeID: "p"}}}
}
