package cdslb

import (
	"context"
	"time"
)

func (r *DescribeHaproxyCustomConfigRequest) validate() error {
	return required("InstanceUUID", r.InstanceUUID)
}

func (r *ModifyHaproxyCustomConfigRequest) validate() error {
	return allOf(required("InstanceUUID", r.InstanceUUID), required("Configs", r.Configs))
}

// DescribeHaproxyCustomConfigRequest names the instance whose configuration to read.
type DescribeHaproxyCustomConfigRequest struct {
	InstanceUUID string // required
}

// DescribeHaproxyCustomConfigResponse holds an instance's haproxy.cfg.
type DescribeHaproxyCustomConfigResponse struct {
	ResponseMeta
	Configs string // the whole haproxy.cfg
}

// DescribeHaproxyCustomConfig returns an instance's raw HAProxy
// configuration, haproxy.cfg, as one string (newer API edition). GET; it
// changes nothing.
func (c *Client) DescribeHaproxyCustomConfig(ctx context.Context, req *DescribeHaproxyCustomConfigRequest) (*DescribeHaproxyCustomConfigResponse, error) {
	return describeHaproxyCustomConfig.call(ctx, c, req)
}

var describeHaproxyCustomConfig = declare("DescribeHaproxyCustomConfig", pathLB, reads,
	func(r *DescribeHaproxyCustomConfigRequest, _ *time.Location) form {
		return inQuery(instanceWire{r.InstanceUUID})
	},
	func(_ *DescribeHaproxyCustomConfigRequest, d *struct{ Configs string }, _ *time.Location) (*DescribeHaproxyCustomConfigResponse, error) {
		return &DescribeHaproxyCustomConfigResponse{Configs: d.Configs}, nil
	})

// ModifyHaproxyCustomConfigRequest is a new haproxy.cfg for an instance.
type ModifyHaproxyCustomConfigRequest struct {
	InstanceUUID string // required
	Configs      string // required: the whole haproxy.cfg
}

// ModifyHaproxyCustomConfigResponse holds the TaskID of the change.
type ModifyHaproxyCustomConfigResponse struct{ ResponseMeta }

// ModifyHaproxyCustomConfig replaces an instance's raw HAProxy configuration
// with Configs, a complete haproxy.cfg (newer API edition). POST; the change
// runs asynchronously and the response holds its TaskID.
func (c *Client) ModifyHaproxyCustomConfig(ctx context.Context, req *ModifyHaproxyCustomConfigRequest) (*ModifyHaproxyCustomConfigResponse, error) {
	return modifyHaproxyCustomConfig.call(ctx, c, req)
}

var modifyHaproxyCustomConfig = declare("ModifyHaproxyCustomConfig", pathLB, changes,
	func(r *ModifyHaproxyCustomConfigRequest, _ *time.Location) form {
		return inBody(struct {
			InstanceUUID string `json:"InstanceUuid"`
			Configs      string
		}{r.InstanceUUID, r.Configs})
	},
	acknowledged[ModifyHaproxyCustomConfigRequest, ModifyHaproxyCustomConfigResponse])
