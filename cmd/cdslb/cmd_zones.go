package main

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/cdsgo/cdslb"
	"github.com/spf13/cobra"
)

func (a *app) zonesCommand() *cobra.Command {
	zones := group("zones", "Regions and zones")
	zones.AddCommand(&cobra.Command{
		Use: "list", Short: "List the zones (DescribeZones)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			resp, err := c.DescribeZones(cmd.Context(), nil)
			if err != nil {
				return err
			}
			return a.print(nonNil(resp.Zones), func() *table {
				t := &table{header: []string{"REGION_ID", "REGION", "CITY_ID", "CITY", "SITE", "ON_SALE"}}
				for _, z := range resp.Zones {
					t.add(z.RegionID, z.RegionName, z.CityID, z.CityName, z.SiteName, yesNo(z.OnSale))
				}
				return t
			})
		},
	})
	return zones
}

func (a *app) sizesCommand() *cobra.Command {
	var region, instance string
	var cpu, ram int
	sizes := group("sizes", "Sizes of load balancers")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the sizes of a region, or those an instance can change to; --cpu and --ram find one",
		Long: `List the sizes a region offers (--region, DescribeLoadBalancersSpec) or
those an instance can be resized to (--instance, DescribeLoadBalancersModifySpec),
once per PaasGoodsID, by CPU then RAM. With --cpu and --ram, print only the
size of that many cores and GB, or fail if there is none: its PAAS_GOODS_ID is
what "lb create --size" and "lb resize --size" take (they also take the
size's name, such as 2C4G).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (region == "") == (instance == "") {
				return usageError{fmt.Errorf("give one of --region or --instance")}
			}
			lookup := cmd.Flags().Changed("cpu") || cmd.Flags().Changed("ram")
			if lookup && (cpu < 1 || ram < 1) {
				return usageError{fmt.Errorf("--cpu %d --ram %d: give both, each a positive number (cores, GB)", cpu, ram)}
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			var all []cdslb.InstanceSize
			if region != "" {
				resp, err := c.DescribeLoadBalancersSpec(cmd.Context(), &cdslb.DescribeLoadBalancersSpecRequest{RegionID: region})
				if err != nil {
					return err
				}
				all = resp.Sizes()
			} else {
				resp, err := c.DescribeLoadBalancersModifySpec(cmd.Context(), &cdslb.DescribeLoadBalancersModifySpecRequest{InstanceUUID: instance})
				if err != nil {
					return err
				}
				all = resp.Sizes()
			}
			if lookup {
				var match []cdslb.InstanceSize
				for _, s := range all {
					if s.CPU == cpu && s.RAMGB == ram {
						match = append(match, s)
					}
				}
				if len(match) == 0 {
					return fmt.Errorf("no size of %d CPU and %d GB RAM is offered (%s)", cpu, ram, sizeNames(all))
				}
				all = match
			}
			return a.print(nonNil(all), func() *table {
				t := &table{header: []string{"PAAS_GOODS_ID", "NAME", "CPU", "RAM_GB"}}
				for _, s := range all {
					t.add(itoa(s.PaasGoodsID), s.Name, itoa(s.CPU), itoa(s.RAMGB))
				}
				return t
			})
		},
	}
	list.Flags().StringVar(&region, "region", "", "the region's sizes, such as CN_Hongkong_A")
	list.Flags().StringVar(&instance, "instance", "", "the sizes this instance can be resized to")
	list.Flags().IntVar(&cpu, "cpu", 0, "only the size of this many cores (with --ram)")
	list.Flags().IntVar(&ram, "ram", 0, "only the size of this many GB of memory (with --cpu)")
	sizes.AddCommand(list)
	return sizes
}

func sizeNames(sizes []cdslb.InstanceSize) string {
	s := "offered:"
	for _, z := range sizes {
		s += fmt.Sprintf(" %dC%dG", z.CPU, z.RAMGB)
	}
	if len(sizes) == 0 {
		s += " none"
	}
	return s
}

var sizeName = regexp.MustCompile(`^(?i)(\d+)C(\d+)G$`)

// parseSize reads --size: a PaasGoodsID, or a name such as 2C4G, which
// lookup resolves to its PaasGoodsID.
func parseSize(s string, lookup func() ([]cdslb.InstanceSize, error)) (int, error) {
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return n, nil
	}
	m := sizeName.FindStringSubmatch(s)
	if m == nil {
		return 0, usageError{fmt.Errorf("--size %q: want a PaasGoodsID (cdslb sizes list) or a size such as 2C4G", s)}
	}
	cpu, _ := strconv.Atoi(m[1])
	ram, _ := strconv.Atoi(m[2])
	sizes, err := lookup()
	if err != nil {
		return 0, err
	}
	for _, z := range sizes {
		if z.CPU == cpu && z.RAMGB == ram {
			return z.PaasGoodsID, nil
		}
	}
	return 0, usageError{fmt.Errorf("--size %s: no such size is offered (%s)", s, sizeNames(sizes))}
}

// nonNil makes a nil list print as [] in JSON, not null: a script reads
// an empty list.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
