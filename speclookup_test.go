package cdslb

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
	var resp DescribeLoadBalancersSpecResponse
	require.NoError(t, json.Unmarshal([]byte(`{"Products":[
		{"Version":"2.4","Architectures":[{"ComputeRoles":[
			{"Standards":{"CpuRam":[{"Name":"4C8G","CPU":4,"RAM":8,"PaasGoodsId":3},{"Name":"2C4G","CPU":2,"RAM":4,"PaasGoodsId":2}]}},
			{"Standards":{"CpuRam":[{"Name":"2C8G","CPU":2,"RAM":8,"PaasGoodsId":4},{"Name":"odd","CPU":1,"RAM":1}]}}]}]},
		{"Version":"1.8","Architectures":[{"ComputeRoles":[
			{"Standards":{"CpuRam":[{"Name":"2C4G","CPU":"2","RAM":"4","PaasGoodsId":"2"},{"Name":"2C4G-old","CPU":2,"RAM":4,"PaasGoodsId":1}]}}]}]}]}`), &resp))

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
