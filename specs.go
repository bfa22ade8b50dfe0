package cdslb

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// DescribeLoadBalancersSpecRequest asks which products and sizes a site offers.
type DescribeLoadBalancersSpecRequest struct {
	RegionID string // required: the site, as in Zone.RegionID
}

// DescribeLoadBalancersSpecResponse is the catalogue of one site: products,
// their architectures and compute roles, and the sizes (InstanceSize) each
// offers with the PaasGoodsID that CreateLoadBalancer takes.
type DescribeLoadBalancersSpecResponse struct {
	ResponseMeta
	RegionID    string
	ProductName string    // such as "haproxy"
	Products    []Product // one per product version
}

// Product is one version of the load-balancer product.
type Product struct {
	Version       string // such as "2.4"
	Architectures []Architecture
}

// Architecture is a deployment shape of a product, such as master-slave.
type Architecture struct {
	ArchitectureName string        // such as "主从" (master-slave)
	ArchitectureType int           // 1: master-slave
	SubProductName   string        // such as "haproxy 主从版"
	EnginesType      []string      // engine types (the API sends a string or a list)
	ComputeRoles     []ComputeRole // the kinds of compute offered, each with its sizes
}

// ComputeRole is a kind of compute (such as general purpose) and its sizes.
type ComputeRole struct {
	ComputeName string // such as "通用型" (general purpose)
	ComputeType int    // 0: general purpose
	Standards   Standards
}

// Standards lists the sizes and disks a compute role offers.
type Standards struct {
	AttachDisk []DiskSpec     // disk types that can be attached
	CPURAM     []InstanceSize // the sizes, each with its PaasGoodsID
}

// InstanceSize is one size of load balancer that can be bought.
type InstanceSize struct {
	Name        string // such as "2C4G"
	CPU         int    // cores
	RAMGB       int    // memory in GB
	PaasGoodsID int    // the id CreateLoadBalancer and ModifyLoadBalancerInstanceSpec take
}

// DiskSpec is a disk type that can be attached, with its size limits in DiskUnit.
type DiskSpec struct {
	DiskName      string // such as "SSD"
	DiskValue     string // the type's key, such as "ssd_disk"
	DiskUnit      string // such as "G"
	BasicIOPS     string // the base IOPS, when the type has one
	DiskMin       int
	DiskMax       int
	DiskMaxExpand int
	DiskStep      int
}

// DescribeLoadBalancersSpec returns the products and sizes a site offers;
// pick a size's PaasGoodsID for CreateLoadBalancer. GET; it changes nothing.
func (c *Client) DescribeLoadBalancersSpec(ctx context.Context, req *DescribeLoadBalancersSpecRequest) (*DescribeLoadBalancersSpecResponse, error) {
	return describeLoadBalancersSpec.call(ctx, c, req)
}

var describeLoadBalancersSpec = declare("DescribeLoadBalancersSpec", pathLB, reads,
	func(r *DescribeLoadBalancersSpecRequest, _ *time.Location) form {
		return inQuery(struct {
			RegionID string `url:"RegionId"`
		}{r.RegionID})
	},
	func(_ *DescribeLoadBalancersSpecRequest, d *specWire, _ *time.Location) (*DescribeLoadBalancersSpecResponse, error) {
		r := &DescribeLoadBalancersSpecResponse{RegionID: string(d.RegionID), ProductName: string(d.ProductName),
			Products: convert(d.Products, func(p *productWire) Product {
				return Product{string(p.Version), convert(p.Architectures, (*architectureWire).value)}
			})}
		return r, nil
	})

// DescribeLoadBalancersModifySpecRequest asks which sizes an instance can be changed to.
type DescribeLoadBalancersModifySpecRequest struct {
	InstanceUUID string // required
}

// DescribeLoadBalancersModifySpecResponse lists the sizes an instance can be
// changed to with ModifyLoadBalancerInstanceSpec.
type DescribeLoadBalancersModifySpecResponse struct {
	ResponseMeta
	RegionID    string
	ProductName string
	AttachDisk  []DiskSpec
	CPURAM      []InstanceSize
}

// DescribeLoadBalancersModifySpec returns the sizes an instance can be
// changed to, each with the PaasGoodsID that ModifyLoadBalancerInstanceSpec
// takes. GET; it changes nothing.
func (c *Client) DescribeLoadBalancersModifySpec(ctx context.Context, req *DescribeLoadBalancersModifySpecRequest) (*DescribeLoadBalancersModifySpecResponse, error) {
	return describeLoadBalancersModifySpec.call(ctx, c, req)
}

var describeLoadBalancersModifySpec = declare("DescribeLoadBalancersModifySpec", pathLB, reads,
	func(r *DescribeLoadBalancersModifySpecRequest, _ *time.Location) form {
		return inQuery(instanceWire{r.InstanceUUID})
	},
	func(_ *DescribeLoadBalancersModifySpecRequest, d *modifySpecWire, _ *time.Location) (*DescribeLoadBalancersModifySpecResponse, error) {
		return &DescribeLoadBalancersModifySpecResponse{RegionID: string(d.RegionID), ProductName: string(d.ProductName),
			AttachDisk: convert(d.AttachDisk, (*diskSpecWire).value), CPURAM: convert(d.CpuRam, (*instanceSizeWire).value)}, nil
	})

// Sizes returns every size the catalogue offers, across its products,
// architectures and compute roles: once per PaasGoodsID (the first
// occurrence wins), ordered by CPU, then RAM, then catalogue order. Sizes
// without a PaasGoodsID cannot be bought and are left out. A nil response
// has no sizes.
func (r *DescribeLoadBalancersSpecResponse) Sizes() []InstanceSize {
	if r == nil {
		return nil
	}
	var all []InstanceSize
	for _, p := range r.Products {
		for _, a := range p.Architectures {
			for _, role := range a.ComputeRoles {
				all = append(all, role.Standards.CPURAM...)
			}
		}
	}
	return sortedSizes(all)
}

// PaasGoodsID returns the id CreateLoadBalancer takes for a size of cpu
// cores and ramGB GB of memory, and whether the catalogue offers one. If
// several products offer that size, the first in the catalogue wins; to
// choose a product version, look through Products yourself.
func (r *DescribeLoadBalancersSpecResponse) PaasGoodsID(cpu, ramGB int) (int, bool) {
	return findSize(r.Sizes(), cpu, ramGB)
}

// Sizes returns the sizes the instance can be changed to, once per
// PaasGoodsID, ordered by CPU, then RAM, then the order of the answer.
// Sizes without a PaasGoodsID are left out. A nil response has no sizes.
func (r *DescribeLoadBalancersModifySpecResponse) Sizes() []InstanceSize {
	if r == nil {
		return nil
	}
	return sortedSizes(r.CPURAM)
}

// PaasGoodsID returns the id ModifyLoadBalancerInstanceSpec takes for a
// size of cpu cores and ramGB GB of memory, and whether the instance can be
// changed to it.
func (r *DescribeLoadBalancersModifySpecResponse) PaasGoodsID(cpu, ramGB int) (int, bool) {
	return findSize(r.Sizes(), cpu, ramGB)
}

// sortedSizes returns a new, deduplicated and sorted list of the sizes that have an id.
func sortedSizes(in []InstanceSize) []InstanceSize {
	out := make([]InstanceSize, 0, len(in))
	seen := make(map[int]bool, len(in))
	for _, s := range in {
		if s.PaasGoodsID > 0 && !seen[s.PaasGoodsID] {
			seen[s.PaasGoodsID] = true
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b InstanceSize) int {
		return cmp.Or(cmp.Compare(a.CPU, b.CPU), cmp.Compare(a.RAMGB, b.RAMGB))
	})
	return out
}

func findSize(sizes []InstanceSize, cpu, ramGB int) (int, bool) {
	for _, s := range sizes {
		if s.CPU == cpu && s.RAMGB == ramGB {
			return s.PaasGoodsID, true
		}
	}
	return 0, false
}

func (r *DescribeLoadBalancersSpecRequest) validate() error {
	return required("RegionID", r.RegionID)
}

func (r *DescribeLoadBalancersModifySpecRequest) validate() error {
	return required("InstanceUUID", r.InstanceUUID)
}
