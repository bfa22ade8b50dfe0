package cdslb

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDescribeZones(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("DescribeZones")

	resp, err := c.DescribeZones(context.Background(), nil)
	require.NoError(t, err)

	req := stub.only("DescribeZones")
	assert.Equal(t, http.MethodGet, req.Method)
	assert.Equal(t, "/lb/", req.Path)
	assert.Empty(t, req.Body)
	assertGET(t, req, "DescribeZones", nil) // only the common parameters
	assert.Equal(t, "Success", resp.Code)
	require.Len(t, resp.Zones, 18)
	assert.Equal(t, Zone{
		RegionID: "US_LosAngeles_A", RegionName: "北美地区", CityID: "3082f45e-306e-11e7-9796-0050569b4d9c",
		CityName: "洛杉矶", SiteName: "洛杉矶1", OnSale: true,
	}, resp.Zones[0])
	assert.Equal(t, "CN_Beijing_H", resp.Zones[17].RegionID)
}

func TestZoneOffSaleAndOddFields(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answer("DescribeZones", http.StatusOK, `{"Code":"Success","Data":[
		{"RegionId":"A","IsSaling":0},
		{"RegionId":"B","IsSaling":"1","CityName":42}]}`)
	resp, err := c.DescribeZones(context.Background(), &DescribeZonesRequest{})
	require.NoError(t, err)
	require.Len(t, resp.Zones, 2)
	assert.Equal(t, Zone{RegionID: "A"}, resp.Zones[0])
	assert.Equal(t, Zone{RegionID: "B", OnSale: true}, resp.Zones[1], "a number where a string belongs is left empty")

	// An entry that is not a zone is no empty zone: the answer is malformed.
	c, stub = newStub(t)
	stub.answer("DescribeZones", http.StatusOK, `{"Code":"Success","Data":[{"RegionId":"A"},"not a zone"]}`)
	_, err = c.DescribeZones(context.Background(), &DescribeZonesRequest{})
	assert.ErrorIs(t, err, ErrMalformedAnswer)
}

func TestNilContextIsRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	var ctx context.Context // nil, as a caller's mistake might leave it
	_, err := c.DescribeZones(ctx, nil)
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.Empty(t, stub.requests(""))
}

func TestUnmadeClientFailsWithoutPanicking(t *testing.T) {
	t.Parallel()
	for _, c := range []*Client{nil, {}} {
		_, err := c.DescribeZones(context.Background(), nil)
		assert.ErrorContains(t, err, "NewClient")
	}
	assert.NotContains(t, fmt.Sprint(&Client{}), "PANIC", "a zero Client prints")
}

var _ = example("DescribeZones", func(testing.TB) any { return (*DescribeZonesRequest)(nil) })
