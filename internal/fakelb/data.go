package fakelb

// zone is one entry of DescribeZones, as the document lists it.
type zone struct {
	CityId     string
	CityName   string
	IsSaling   int
	RegionId   string
	RegionName string
	SiteName   string
}

// zones is the document's DescribeZones example list.
var zones = []zone{
	{"3082f45e-306e-11e7-9796-0050569b4d9c", "洛杉矶", 1, "US_LosAngeles_A", "北美地区", "洛杉矶1"},
	{"7b98a5d1-306e-11e7-9796-0050569b4d9c", "法兰克福", 1, "EUR_Germany_A", "欧洲地区", "德国1"},
	{"8737606f-306d-11e7-9796-0050569b4d9c", "东京", 1, "APAC_Tokyo_A", "亚太地区", "东京1"},
	{"27b57297-306d-11e7-9796-0050569b4d9c", "香港", 1, "CN_Hongkong_A", "亚太地区", "香港1"},
	{"a8937b00-306d-11e7-9796-0050569b4d9c", "新加坡", 1, "APAC_Singapore_A", "亚太地区", "新加坡1"},
	{"5c432e0e-306e-11e7-9796-0050569b4d9c", "阿姆斯特丹", 1, "EUR_Netherlands_A", "欧洲地区", "荷兰1"},
	{"154ed19e-306e-11e7-9796-0050569b4d9c", "纽约", 1, "US_NewYork_A", "北美地区", "纽约1"},
	{"ea3ca775-306c-11e7-9796-0050569b4d9c", "北京", 1, "CN_Beijing_B", "中国大陆", "北京2"},
	{"ea3ca775-306c-11e7-9796-0050569b4d9c", "北京", 1, "CN_Beijing_E", "中国大陆", "北京5"},
	{"ea3ca775-306c-11e7-9796-0050569b4d9c", "北京", 1, "CN_Beijing_A", "中国大陆", "北京1"},
	{"e48e2312-306d-11e7-9796-0050569b4d9c", "达拉斯", 1, "US_Dallas_A", "北美地区", "达拉斯1"},
	{"713d3745-306d-11e7-9796-0050569b4d9c", "台北", 1, "CN_Taipei_A", "亚太地区", "台北1"},
	{"123d0d01-306d-11e7-9796-0050569b4d9c", "无锡", 1, "CN_Wuxi_A", "中国大陆", "无锡1"},
	{"87fcbbd6-be0a-11e7-9d6b-0242ac110004", "首尔", 1, "APAC_Seoul_A", "亚太地区", "首尔1"},
	{"ea3ca775-306c-11e7-9796-0050569b4d9c", "北京", 1, "CN_Beijing_C", "中国大陆", "北京3"},
	{"c11a5abe-3f7e-11e7-86b1-0242ac11000e", "广州", 1, "CN_Guangzhou_A", "中国大陆", "广州1"},
	{"b44355d0-65e7-11e7-8ea9-0050569b651c", "上海", 1, "CN_Shanghai_A", "中国大陆", "上海1"},
	{"ea3ca775-306c-11e7-9796-0050569b4d9c", "北京", 1, "CN_Beijing_H", "中国大陆", "北京8"},
}

func findZone(regionID string) (zone, bool) {
	for _, z := range zones {
		if z.RegionId == regionID {
			return z, true
		}
	}
	return zone{}, false
}

// spec is one instance size; every zone offers all of them.
type spec struct {
	CPU         int
	Name        string
	PaasGoodsId int
	RAM         int // GB
}

var specs = []spec{
	{1, "1C2G", 5072, 2},
	{2, "2C4G", 5075, 4},
	{4, "4C8G", 5078, 8},
	{8, "8C16G", 5081, 16},
}

func findSpec(goodsID int) (spec, bool) {
	for _, sp := range specs {
		if sp.PaasGoodsId == goodsID {
			return sp, true
		}
	}
	return spec{}, false
}

// productName and friends are the product labels of the document.
const (
	productName    = "haproxy"
	subProductName = "haproxy 主从版"
	haproxyVersion = "2.4"
)

func (s *Server) describeZones(*request) (reply, error) {
	return reply{data: zones}, nil
}

// describeSpec answers DescribeLoadBalancersSpec in the document's nested
// shape. The disk sizes are numbers, as the document's example has them and
// the vendor's SDK reads them (its table says string; the library reads
// both), and as DescribeLoadBalancersModifySpec answers them.
func (s *Server) describeSpec(r *request) (reply, error) {
	regionID, err := r.required("RegionId")
	if err != nil {
		return reply{}, err
	}
	if _, ok := findZone(regionID); !ok {
		return reply{}, notFoundf("RegionId %q is not a known region", regionID)
	}
	type attachDisk struct {
		BasicIops     string
		DiskMax       int
		DiskMaxExpand int
		DiskMin       int
		DiskName      string
		DiskStep      int
		DiskUnit      string
		DiskValue     string
	}
	type standards struct {
		AttachDisk []attachDisk
		CpuRam     []spec
	}
	type computeRole struct {
		ComputeName string
		ComputeType int
		Standards   standards
	}
	type architecture struct {
		ArchitectureName string
		ArchitectureType int
		ComputeRoles     []computeRole
		EnginesType      []string
		NetworkLinks     []string
		SubProductName   string
	}
	type product struct {
		Architectures []architecture
		Version       string
	}
	disk := attachDisk{"", 2000, 2000, 100, "SSD", 100, "G", "ssd_disk"}
	data := struct {
		ProductName string
		Products    []product
		RegionId    string
	}{
		ProductName: productName,
		Products: []product{{
			Architectures: []architecture{{
				ArchitectureName: "主从",
				ArchitectureType: 1,
				ComputeRoles: []computeRole{{
					ComputeName: "通用型",
					ComputeType: 0,
					Standards:   standards{AttachDisk: []attachDisk{disk}, CpuRam: specs},
				}},
				EnginesType:    []string{},
				NetworkLinks:   nil,
				SubProductName: subProductName,
			}},
			Version: haproxyVersion,
		}},
		RegionId: regionID,
	}
	return reply{data: data}, nil
}

// describeModifySpec answers DescribeLoadBalancersModifySpec in the
// document's flat shape, including its "N" for the first size's "Name".
func (s *Server) describeModifySpec(r *request) (reply, error) {
	inst, err := s.findInstance(r)
	if err != nil {
		return reply{}, err
	}
	cpuRam := make([]map[string]any, len(specs))
	for i, sp := range specs {
		nameKey := "Name"
		if i == 0 {
			nameKey = "N" // the document's example spells it so
		}
		cpuRam[i] = map[string]any{"CPU": sp.CPU, nameKey: sp.Name, "PaasGoodsId": sp.PaasGoodsId, "RAM": sp.RAM}
	}
	data := map[string]any{
		"AttachDisk": []map[string]any{{
			"BasicIops": "3000", "DiskMax": 2000, "DiskMaxExpand": 2000, "DiskMin": 100,
			"DiskName": "性能型", "DiskStep": 100, "DiskUnit": "G", "DiskValue": "high_disk",
		}},
		"CpuRam":      cpuRam,
		"ProductName": subProductName,
		"RegionId":    inst.regionID,
	}
	return reply{data: data}, nil
}
