package cdslb_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cdsgo/cdslb"
)

// TestE2EIsVIP: the library puts IsVIP where the document's example does,
// on the private entry, and the fake honours it there: false on a load
// balancer that also joins a public network leaves it without a private
// VIP; nil is the service's default, a private VIP too.
func TestE2EIsVIP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c := startFake(t)
	vips := func(isVIP *bool) []string {
		created, err := c.CreateLoadBalancer(ctx, &cdslb.CreateLoadBalancerRequest{
			RegionID: "CN_Hongkong_A", VdcID: "vdc", BasePipeID: "priv", InstanceName: "lb", PaasGoodsID: 5072,
			IPs: []cdslb.CreateLoadBalancerIP{
				{PipeType: cdslb.PipeTypePrivate, PipeID: "priv", IsVIP: isVIP},
				{PipeType: cdslb.PipeTypePublic, PipeID: "pub", SegmentID: "seg"},
			},
		})
		require.NoError(t, err)
		lb, err := c.WaitUntilRunning(ctx, created.InstanceUUIDs[0])
		require.NoError(t, err)
		var types []string
		for _, v := range lb.VIPs {
			types = append(types, v.Type)
		}
		return types
	}
	require.Equal(t, []string{"private", "public"}, vips(nil), "IsVIP nil: the service's default opens a private VIP")
	require.Equal(t, []string{"private", "public"}, vips(new(true)))
	require.Equal(t, []string{"public"}, vips(new(false)), "IsVIP false: no private VIP")
}
