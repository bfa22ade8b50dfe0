// Package consumer is a program's own code that uses cdslb, in a module of
// its own, with its tests: it shows, from outside the library's module,
// how a program tests its use of the API with cdslbtest.
package consumer

import (
	"context"
	"fmt"

	"github.com/cdsgo/cdslb"
)

// LoadBalancers is the part of the API this package uses: declared here,
// where it is used, so that *cdslb.Client satisfies it and a unit test
// may pass a stand-in.
type LoadBalancers interface {
	CreateLoadBalancer(ctx context.Context, req *cdslb.CreateLoadBalancerRequest) (*cdslb.CreateLoadBalancerResponse, error)
	WaitUntilRunning(ctx context.Context, instanceUUID string, opts ...cdslb.WaitOption) (*cdslb.LoadBalancer, error)
}

var _ LoadBalancers = (*cdslb.Client)(nil)

// Provision creates a 1 CPU, 2 GB load balancer named name in region and
// waits until it runs. It returns the load balancer's id.
func Provision(ctx context.Context, api LoadBalancers, region, name string, opts ...cdslb.WaitOption) (string, error) {
	created, err := api.CreateLoadBalancer(ctx, &cdslb.CreateLoadBalancerRequest{
		RegionID: region, VdcID: "vdc-1", BasePipeID: "pipe-1", InstanceName: name, PaasGoodsID: 5072,
		IPs: []cdslb.CreateLoadBalancerIP{{PipeType: cdslb.PipeTypePrivate, PipeID: "pipe-1"}},
	})
	if err != nil {
		return "", fmt.Errorf("provision %s: %w", name, err)
	}
	if len(created.InstanceUUIDs) != 1 {
		return "", fmt.Errorf("provision %s: the service created %d load balancers", name, len(created.InstanceUUIDs))
	}
	lb, err := api.WaitUntilRunning(ctx, created.InstanceUUIDs[0], opts...)
	if err != nil {
		return "", fmt.Errorf("provision %s: %w", name, err)
	}
	return lb.InstanceUUID, nil
}
