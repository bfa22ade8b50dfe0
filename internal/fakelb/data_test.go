package fakelb

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDescribeZones(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	var list []map[string]any
	e.ok("DescribeZones", nil, &list)
	if len(list) != 18 {
		t.Fatalf("%d zones, want the document's 18", len(list))
	}
	hk := list[3]
	if hk["RegionId"] != "CN_Hongkong_A" || hk["CityName"] != "香港" || hk["IsSaling"] != 1.0 || hk["SiteName"] != "香港1" || hk["CityId"] == "" {
		t.Errorf("zone 4 = %v", hk)
	}
}

func TestDescribeLoadBalancersSpec(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	res := e.ok("DescribeLoadBalancersSpec", map[string]string{"RegionId": "CN_Beijing_A"}, nil)
	if res.Msg != "success" {
		t.Errorf("Message = %q, want the document's lower-case success", res.Msg)
	}
	var data struct {
		ProductName string
		RegionId    string
		Products    []struct {
			Version       string
			Architectures []struct {
				ArchitectureType int
				EnginesType      []string
				NetworkLinks     *[]string
				SubProductName   string
				ComputeRoles     []struct {
					ComputeName string
					Standards   struct {
						AttachDisk []map[string]any
						CpuRam     []struct {
							CPU, PaasGoodsId, RAM int
							Name                  string
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal(res.Data, &data); err != nil {
		t.Fatal(err)
	}
	if data.ProductName != "haproxy" || data.RegionId != "CN_Beijing_A" || len(data.Products) != 1 {
		t.Fatalf("Data = %s", res.Data)
	}
	arch := data.Products[0].Architectures[0]
	if arch.ArchitectureType != 1 || arch.EnginesType == nil || arch.NetworkLinks != nil || arch.SubProductName != "haproxy 主从版" {
		t.Errorf("architecture = %+v", arch)
	}
	cpuRam := arch.ComputeRoles[0].Standards.CpuRam
	want := []int{5072, 5075, 5078, 5081}
	if len(cpuRam) != 4 {
		t.Fatalf("CpuRam = %+v", cpuRam)
	}
	for i, c := range cpuRam {
		if c.PaasGoodsId != want[i] || c.RAM != 2*c.CPU {
			t.Errorf("CpuRam[%d] = %+v", i, c)
		}
	}
	if !strings.Contains(string(res.Data), `"EnginesType":[],"NetworkLinks":null`) {
		t.Errorf("document spellings missing: %s", res.Data)
	}
	// The disk sizes are numbers, as the document's example and the
	// vendor's SDK (which models them as int) have them; its table says
	// string.
	for _, want := range []string{`"DiskMax":2000`, `"DiskMaxExpand":2000`, `"DiskMin":100`, `"DiskStep":100`} {
		if !strings.Contains(string(res.Data), want) {
			t.Errorf("no %s: %s", want, res.Data)
		}
	}
	e.fails("DescribeLoadBalancersSpec", map[string]string{"RegionId": "Mars_A"}, 404, "ResourceNotFound")
	e.fails("DescribeLoadBalancersSpec", nil, 400, "ArgMissing")
}

func TestDescribeLoadBalancersModifySpec(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	id := e.create(createBody())
	res := e.ok("DescribeLoadBalancersModifySpec", map[string]string{"InstanceUuid": id}, nil)
	for _, want := range []string{`"N":"1C2G"`, `"Name":"8C16G"`, `"PaasGoodsId":5081`, `"DiskMin":100`, `"RegionId":"CN_Hongkong_A"`, `"ProductName":"haproxy 主从版"`} {
		if !strings.Contains(string(res.Data), want) {
			t.Errorf("Data lacks %s: %s", want, res.Data)
		}
	}
	e.fails("DescribeLoadBalancersModifySpec", map[string]string{"InstanceUuid": "nope"}, 404, "ResourceNotFound")
	e.fails("DescribeLoadBalancersModifySpec", nil, 400, "ArgMissing")
}
