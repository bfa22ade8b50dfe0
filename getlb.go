package cdslb

import (
	"context"
	"strconv"
)

// GetLoadBalancer returns the load balancer of that id, as
// DescribeLoadBalancers lists it (GET; it changes nothing). It asks the
// service for that one instance and takes it only when the id listed is
// exactly the one asked for, so a service that ignores the filter cannot
// hand back another instance. An instance that is not listed fails with an
// error that matches ErrResourceNotFound, as does the service's own
// ResourceNotFound answer; an empty id fails with a *ValidationError before
// any request. A just-created instance may take a moment to be listed: to
// wait for it, use WaitUntilRunning.
func (c *Client) GetLoadBalancer(ctx context.Context, instanceUUID string) (*LoadBalancer, error) {
	if err := requiredArgument("GetLoadBalancer", "instanceUUID", instanceUUID); err != nil {
		return nil, err
	}
	resp, err := c.DescribeLoadBalancers(ctx, &DescribeLoadBalancersRequest{InstanceUUID: instanceUUID})
	if err != nil {
		return nil, err
	}
	for i := range resp.LoadBalancers {
		if resp.LoadBalancers[i].InstanceUUID == instanceUUID {
			lb := resp.LoadBalancers[i]
			return &lb, nil
		}
	}
	return nil, notListedError(instanceUUID)
}

// notListedError is GetLoadBalancer's error for an id not listed. It
// matches ErrResourceNotFound.
type notListedError string

func (e notListedError) Error() string {
	return "cdslb: GetLoadBalancer: load balancer " + strconv.Quote(string(e)) + " is not listed (ResourceNotFound)"
}

func (e notListedError) Is(target error) bool { return target == ErrResourceNotFound }
