package cdslb

import (
	"cmp"
	"slices"
)

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
