package cdslb

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDescribeLoadBalancersSpec(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("DescribeLoadBalancersSpec")

	resp, err := c.DescribeLoadBalancersSpec(context.Background(), &DescribeLoadBalancersSpecRequest{RegionID: "CN_Hongkong_A"})
	require.NoError(t, err)

	assertGET(t, stub.only("DescribeLoadBalancersSpec"), "DescribeLoadBalancersSpec", map[string]string{"RegionId": "CN_Hongkong_A"})

	assert.Equal(t, ResponseMeta{Code: "Success", Message: "success", HTTPStatus: 200, Attempts: 1}, resp.ResponseMeta)
	assert.Equal(t, "CN_Hongkong_A", resp.RegionID)
	assert.Equal(t, "haproxy", resp.ProductName)
	require.Len(t, resp.Products, 1)
	p := resp.Products[0]
	assert.Equal(t, "2.4", p.Version)
	require.Len(t, p.Architectures, 1)
	a := p.Architectures[0]
	assert.Equal(t, "主从", a.ArchitectureName)
	assert.Equal(t, "haproxy 主从版", a.SubProductName)
	assert.Empty(t, a.EnginesType, "EnginesType is [] in the example")
	require.Len(t, a.ComputeRoles, 1)
	role := a.ComputeRoles[0]
	assert.Equal(t, "通用型", role.ComputeName)
	assert.Equal(t, []DiskSpec{{
		DiskName: "SSD", DiskValue: "ssd_disk", DiskUnit: "G", BasicIOPS: "",
		DiskMin: 100, DiskMax: 2000, DiskMaxExpand: 2000, DiskStep: 100,
	}}, role.Standards.AttachDisk)
	assert.Equal(t, []InstanceSize{{Name: "1C2G", CPU: 1, RAMGB: 2, PaasGoodsID: 13565}}, role.Standards.CPURAM)
}

// The table and the examples disagree (api/signing.md): disk sizes as
// strings, EnginesType as a string, ArchitectureType and ids as strings;
// all decode, and an unreadable field is zero without failing the call.
func TestDescribeLoadBalancersSpecTableSpellings(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answer("DescribeLoadBalancersSpec", http.StatusOK, `{"Code": "Success", "Data": {
		"ProductName": "haproxy", "RegionId": "CN_Beijing_A",
		"Products": [{"Version": "2.4", "Architectures": [{
			"ArchitectureName": "主从", "ArchitectureType": 1, "EnginesType": "haproxy", "NetworkLinks": null,
			"ComputeRoles": [{"ComputeName": "通用型", "ComputeType": 0, "Standards": {
				"AttachDisk": [{"BasicIops": 3000, "DiskMax": "2000", "DiskMaxExpand": "2000", "DiskMin": "100",
					"DiskName": "SSD", "DiskStep": "100", "DiskUnit": "G", "DiskValue": "ssd_disk"}],
				"CpuRam": [{"CPU": "2", "Name": "2C4G", "PaasGoodsId": "5075", "RAM": "4"},
					{"CPU": {}, "N": "4C8G", "PaasGoodsId": 5078, "RAM": 8}]}}]}]}]}}`)

	resp, err := c.DescribeLoadBalancersSpec(context.Background(), &DescribeLoadBalancersSpecRequest{RegionID: "CN_Beijing_A"})
	require.NoError(t, err)
	a := resp.Products[0].Architectures[0]
	assert.Equal(t, 1, a.ArchitectureType)
	assert.Equal(t, []string{"haproxy"}, a.EnginesType)
	std := a.ComputeRoles[0].Standards
	assert.Equal(t, []DiskSpec{{
		DiskName: "SSD", DiskValue: "ssd_disk", DiskUnit: "G", BasicIOPS: "3000",
		DiskMin: 100, DiskMax: 2000, DiskMaxExpand: 2000, DiskStep: 100,
	}}, std.AttachDisk)
	assert.Equal(t, []InstanceSize{
		{Name: "2C4G", CPU: 2, RAMGB: 4, PaasGoodsID: 5075},
		{Name: "4C8G", CPU: 0, RAMGB: 8, PaasGoodsID: 5078},
	}, std.CPURAM)
}

func TestDescribeLoadBalancersModifySpec(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("DescribeLoadBalancersModifySpec")

	resp, err := c.DescribeLoadBalancersModifySpec(context.Background(),
		&DescribeLoadBalancersModifySpecRequest{InstanceUUID: "5d74bb81-0473-464d-b15b-0ae418619248"})
	require.NoError(t, err)

	assertGET(t, stub.only("DescribeLoadBalancersModifySpec"), "DescribeLoadBalancersModifySpec",
		map[string]string{"InstanceUuid": "5d74bb81-0473-464d-b15b-0ae418619248"})

	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success.", HTTPStatus: 200, Attempts: 1}, resp.ResponseMeta)
	assert.Equal(t, "CN_Hongkong_A", resp.RegionID)
	assert.Equal(t, "haproxy 主从版", resp.ProductName)
	assert.Equal(t, []DiskSpec{{
		DiskName: "性能型", DiskValue: "high_disk", DiskUnit: "G", BasicIOPS: "3000",
		DiskMin: 100, DiskMax: 2000, DiskMaxExpand: 2000, DiskStep: 100,
	}}, resp.AttachDisk)
	assert.Equal(t, []InstanceSize{
		{Name: "1C2G", CPU: 1, RAMGB: 2, PaasGoodsID: 5072}, // the example's key is "N"
		{Name: "2C4G", CPU: 2, RAMGB: 4, PaasGoodsID: 5075},
		{Name: "4C8G", CPU: 4, RAMGB: 8, PaasGoodsID: 5078},
		{Name: "8C16G", CPU: 8, RAMGB: 16, PaasGoodsID: 5081},
	}, resp.CPURAM)
}

func TestInstanceSizePrefersNameOverN(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answer("DescribeLoadBalancersModifySpec", http.StatusOK,
		`{"Code": "Success", "Data": {"CpuRam": [{"Name": "2C4G", "N": "old", "PaasGoodsId": 5075}], "AttachDisk": null}}`)
	resp, err := c.DescribeLoadBalancersModifySpec(context.Background(), &DescribeLoadBalancersModifySpecRequest{InstanceUUID: "u"})
	require.NoError(t, err)
	assert.Equal(t, []InstanceSize{{Name: "2C4G", PaasGoodsID: 5075}}, resp.CPURAM)
	assert.Empty(t, resp.AttachDisk)
}

func TestSpecLookupOnTheFixture(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("DescribeLoadBalancersSpec")
	resp, err := c.DescribeLoadBalancersSpec(context.Background(), &DescribeLoadBalancersSpecRequest{RegionID: "CN_Hongkong_A"})
	require.NoError(t, err)

	assert.Equal(t, []InstanceSize{{Name: "1C2G", CPU: 1, RAMGB: 2, PaasGoodsID: 13565}}, resp.Sizes())
	id, ok := resp.PaasGoodsID(1, 2)
	assert.True(t, ok)
	assert.Equal(t, 13565, id)
	_, ok = resp.PaasGoodsID(2, 4)
	assert.False(t, ok, "a size the site does not offer")
}

func TestModifySpecLookupOnTheFixture(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("DescribeLoadBalancersModifySpec")
	resp, err := c.DescribeLoadBalancersModifySpec(context.Background(), &DescribeLoadBalancersModifySpecRequest{InstanceUUID: waitUUID})
	require.NoError(t, err)

	assert.Equal(t, []InstanceSize{
		{Name: "1C2G", CPU: 1, RAMGB: 2, PaasGoodsID: 5072}, // named by the fixture's "N" key
		{Name: "2C4G", CPU: 2, RAMGB: 4, PaasGoodsID: 5075},
		{Name: "4C8G", CPU: 4, RAMGB: 8, PaasGoodsID: 5078},
		{Name: "8C16G", CPU: 8, RAMGB: 16, PaasGoodsID: 5081},
	}, resp.Sizes())
	for _, tc := range []struct{ cpu, ram, id int }{{1, 2, 5072}, {2, 4, 5075}, {4, 8, 5078}, {8, 16, 5081}} {
		id, ok := resp.PaasGoodsID(tc.cpu, tc.ram)
		assert.True(t, ok, "%dC%dG", tc.cpu, tc.ram)
		assert.Equal(t, tc.id, id, "%dC%dG", tc.cpu, tc.ram)
	}
	_, ok := resp.PaasGoodsID(2, 8)
	assert.False(t, ok, "the CPU alone does not match")
}

func TestSpecSizesFlattenDeduplicateAndSort(t *testing.T) {
	t.Parallel()
	resp := fromData(t, describeLoadBalancersSpec, `{"Products":[
		{"Version":"2.4","Architectures":[{"ComputeRoles":[
			{"Standards":{"CpuRam":[{"Name":"4C8G","CPU":4,"RAM":8,"PaasGoodsId":3},{"Name":"2C4G","CPU":2,"RAM":4,"PaasGoodsId":2}]}},
			{"Standards":{"CpuRam":[{"Name":"2C8G","CPU":2,"RAM":8,"PaasGoodsId":4},{"Name":"odd","CPU":1,"RAM":1}]}}]}]},
		{"Version":"1.8","Architectures":[{"ComputeRoles":[
			{"Standards":{"CpuRam":[{"Name":"2C4G","CPU":"2","RAM":"4","PaasGoodsId":"2"},{"Name":"2C4G-old","CPU":2,"RAM":4,"PaasGoodsId":1}]}}]}]}]}`)

	assert.Equal(t, []InstanceSize{
		{Name: "2C4G", CPU: 2, RAMGB: 4, PaasGoodsID: 2}, // once, though two products list id 2
		{Name: "2C4G-old", CPU: 2, RAMGB: 4, PaasGoodsID: 1},
		{Name: "2C8G", CPU: 2, RAMGB: 8, PaasGoodsID: 4},
		{Name: "4C8G", CPU: 4, RAMGB: 8, PaasGoodsID: 3},
	}, resp.Sizes(), "by CPU, then RAM, then catalogue order; the size without an id is left out")
	id, ok := resp.PaasGoodsID(2, 4)
	assert.True(t, ok)
	assert.Equal(t, 2, id, "the first product in the catalogue wins")
	_, ok = resp.PaasGoodsID(1, 1)
	assert.False(t, ok, "a size without an id cannot be bought")
}

func TestSpecLookupIsNilSafe(t *testing.T) {
	t.Parallel()
	var spec *DescribeLoadBalancersSpecResponse
	var modify *DescribeLoadBalancersModifySpecResponse
	assert.Empty(t, spec.Sizes())
	assert.Empty(t, modify.Sizes())
	_, ok := spec.PaasGoodsID(1, 2)
	assert.False(t, ok)
	_, ok = modify.PaasGoodsID(1, 2)
	assert.False(t, ok)
	assert.Empty(t, (&DescribeLoadBalancersSpecResponse{}).Sizes())
}

var _ = example("DescribeLoadBalancersSpec", func(testing.TB) any {
	return &DescribeLoadBalancersSpecRequest{RegionID: "CN_Hongkong_A"}
})

var _ = example("DescribeLoadBalancersModifySpec", func(testing.TB) any {
	return &DescribeLoadBalancersModifySpecRequest{InstanceUUID: "i-1"}
})
