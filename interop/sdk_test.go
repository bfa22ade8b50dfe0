package interop

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/capitalonline/cds-gic-sdk-go/common"
	cdshttp "github.com/capitalonline/cds-gic-sdk-go/common/http"
	"github.com/capitalonline/cds-gic-sdk-go/haproxy"
)

// TestVendorSDKAgainstTheFake drives every load-balancer action the
// vendor's SDK offers against the fake, as the vendor's Terraform provider
// uses them: each request as the SDK builds it is taken, each refusal has
// the documented status and code, and the SDK parses every answer.
func TestVendorSDKAgainstTheFake(t *testing.T) {
	v := newVendor(t)
	str, num := common.StringPtr, common.IntPtr

	// Zones and sizes; the provider finds its PaasGoodsId by walking the
	// spec's products for the CPU and RAM it wants.
	var zones *haproxy.DescribeZonesResponse
	v.taken(t, "DescribeZones", func() (err error) { zones, err = v.get.DescribeZones(nil); return })
	if len(zones.Data) == 0 || zones.Data[0].RegionId == nil {
		t.Fatalf("DescribeZones parsed as %s", zones.ToJsonString())
	}
	region := "CN_Hongkong_A"
	spec := haproxy.NewDescribeLoadBalancersSpecRequest()
	spec.RegionId = str(region)
	var specs *haproxy.DescribeLoadBalancersSpecResponse
	v.taken(t, "DescribeLoadBalancersSpec", func() (err error) { specs, err = v.get.DescribeLoadBalancersSpec(spec); return })
	goods, disk := findGoods(t, specs, 2, 4)
	if disk.DiskMin == nil || *disk.DiskMin != 100 || disk.DiskStep == nil || disk.DiskMaxExpand == nil {
		t.Errorf("the SDK reads the disk sizes as numbers: %s", specs.ToJsonString())
	}
	spec.RegionId = str("Mars_A")
	v.refused(t, "DescribeLoadBalancersSpec", http.StatusNotFound, "ResourceNotFound", func() error { _, err := v.get.DescribeLoadBalancersSpec(spec); return err })

	// Create, and the busy state that follows it. The SDK's model has no
	// IsVip: its load balancers get the service's default, a private VIP.
	create := haproxy.NewCreateLoadBalancerRequest()
	create.RegionId, create.VdcId, create.BasePipeId, create.InstanceName = str(region), str("vdc-1"), str("pipe-1"), str("tf-lb")
	create.PaasGoodsId, create.Amount = num(goods), num(1)
	create.Ips = []*haproxy.CreateLoadBalancerIps{
		{PipeType: str("private"), PipeId: str("pipe-1")},
		{PipeType: str("public"), PipeId: str("pub-1"), SegmentId: str("seg-1")},
	}
	var created *haproxy.CreateLoadBalancerResponse
	x := v.taken(t, "CreateLoadBalancer", func() (err error) { created, err = v.post.CreateLoadBalancer(create); return })
	if ct := x.header.Get("Content-Type"); ct != "" {
		t.Errorf("the SDK now sends Content-Type %q: drop the note that it sends none", ct)
	}
	if created.Data == nil || len(created.Data.InstancesUuid) != 1 || created.TaskId == nil {
		t.Fatalf("CreateLoadBalancer parsed as %s", created.ToJsonString())
	}
	id := created.Data.InstancesUuid[0]
	if s := v.status(t, id); s != "CREATING" {
		t.Errorf("status after create %q, want CREATING", s)
	}
	busy := haproxy.NewModifyLoadBalancerStrategysRequest()
	busy.InstanceUuid = str(id)
	v.refused(t, "ModifyLoadBalancerStrategys", http.StatusConflict, "ResourceInUse", func() error { _, err := v.post.ModifyLoadBalancerStrategys(busy); return err })
	del := haproxy.NewDeleteLoadBalancerRequest()
	del.InstanceUuid = str(id)
	v.refused(t, "DeleteLoadBalancer", http.StatusConflict, "ResourceInUse", func() error { _, err := v.post.DeleteLoadBalancer(del); return err })
	v.clock.Advance(busyFor)
	lb := v.describe(t, id)
	if *lb.Status != "RUNNING" || *lb.InstanceName != "tf-lb" || len(lb.Vips) != 2 {
		t.Errorf("after the busy time: %s", mustJSON(t, lb))
	}

	// Resize.
	modSpec := haproxy.NewDescribeLoadBalancersModifySpecRequest()
	modSpec.InstanceUuid = str(id)
	var sizes *haproxy.DescribeLoadBalancersModifySpecResponse
	v.taken(t, "DescribeLoadBalancersModifySpec", func() (err error) { sizes, err = v.get.DescribeLoadBalancersModifySpec(modSpec); return })
	if sizes.Data == nil || len(sizes.Data.CpuRam) == 0 || sizes.Data.CpuRam[0].PaasGoodsId == nil {
		t.Errorf("DescribeLoadBalancersModifySpec parsed as %s", sizes.ToJsonString())
	}
	resize := haproxy.NewModifyLoadBalancerInstanceSpecRequest()
	resize.InstanceUuid, resize.PaasGoodsId = str(id), num(5078)
	v.taken(t, "ModifyLoadBalancerInstanceSpec", func() error { _, err := v.post.ModifyLoadBalancerInstanceSpec(resize); return err })
	v.refused(t, "ModifyLoadBalancerInstanceSpec", http.StatusConflict, "ResourceInUse", func() error { _, err := v.post.ModifyLoadBalancerInstanceSpec(resize); return err })
	v.clock.Advance(busyFor)
	if lb := v.describe(t, id); *lb.Cpu != 4 {
		t.Errorf("after the resize: %s", mustJSON(t, lb))
	}

	// Certificates. The SDK reads the key of DescribeCACertificate as
	// PrivateKey; the document's answer spells it PirvateKey, and the fake
	// answers as the document does. The SDK's model drops the key: that is
	// the SDK's limitation, and the fake is not bent to it.
	certPEM, keyPEM := v.srv.NewCertificate("www.example.com")
	upload := haproxy.NewUploadCACertificateRequest()
	upload.Certificate, upload.PrivateKey, upload.CertificateName = str(certPEM), str(keyPEM), str("tf-cert")
	v.taken(t, "UploadCACertificate", func() error { _, err := v.post.UploadCACertificate(upload); return err })
	var certs *haproxy.DescribeCACertificatesResponse
	v.taken(t, "DescribeCACertificates", func() (err error) { certs, err = v.get.DescribeCACertificates(nil); return })
	if len(certs.Data) != 1 || certs.Data[0].CertificateId == nil || *certs.Data[0].CertificateName != "tf-cert" {
		t.Fatalf("DescribeCACertificates parsed as %s", certs.ToJsonString())
	}
	certID := *certs.Data[0].CertificateId
	one := haproxy.NewDescribeCACertificateRequest()
	one.CertificateId = str(certID)
	var detail *haproxy.DescribeCACertificateResponse
	x = v.taken(t, "DescribeCACertificate", func() (err error) { detail, err = v.get.DescribeCACertificate(one); return })
	if detail.Data == nil || detail.Data.Certificate == nil || *detail.Data.Certificate != certPEM {
		t.Errorf("DescribeCACertificate parsed as %s", detail.ToJsonString())
	}
	if detail.Data != nil && detail.Data.PrivateKey != nil {
		t.Errorf("the SDK now reads a private key: drop the note on its PrivateKey limitation")
	}
	if !strings.Contains(string(x.answer), `"PirvateKey":`) {
		t.Errorf("the fake's answer has no PirvateKey, the document's spelling: %s", x.answer)
	}

	// Listeners, in the shapes the provider sends: an HTTP listener bound
	// to the certificate with an unset ACL (null) and no TCP list; then the
	// other Terraform shapes.
	web := httpListener("web", 80)
	web.CertificateIds = []*haproxy.DescribeLoadBalancerStrategysCertificateIds{{CertificateId: str(certID), CertificateName: str("tf-cert")}}
	v.setListeners(t, "HTTP with a certificate, ACL null, no TCP list", id, []*haproxy.DescribeLoadBalancerStrategysHttpListeners{web}, nil)
	if x := v.rec.lastOf(t, "ModifyLoadBalancerStrategys"); !strings.Contains(string(x.body), `"AclWhiteList":null`) || strings.Contains(string(x.body), "TcpListeners") {
		t.Errorf("not the Terraform shape: %s", x.body)
	}
	drop := haproxy.NewDeleteCACertificateRequest()
	drop.CertificateId = str(certID)
	v.refused(t, "DeleteCACertificate", http.StatusConflict, "ResourceInUse", func() error { _, err := v.post.DeleteCACertificate(drop); return err })

	noBackend := httpListener("api", 8080)
	noBackend.BackendServer = nil
	tcp := tcpListener("db", 3306)
	for _, shape := range []struct {
		name string
		http []*haproxy.DescribeLoadBalancerStrategysHttpListeners
		tcp  []*haproxy.DescribeLoadBalancerStrategysTcpListeners
	}{
		{"HTTP only, no certificate", []*haproxy.DescribeLoadBalancerStrategysHttpListeners{httpListener("web", 80)}, nil},
		{"TCP only", nil, []*haproxy.DescribeLoadBalancerStrategysTcpListeners{tcp}},
		{"no backend", []*haproxy.DescribeLoadBalancerStrategysHttpListeners{noBackend}, []*haproxy.DescribeLoadBalancerStrategysTcpListeners{tcp}},
		{"both lists absent", nil, nil},
	} {
		v.setListeners(t, shape.name, id, shape.http, shape.tcp)
	}

	// With no listener left, the certificate is free.
	v.taken(t, "DeleteCACertificate", func() error { _, err := v.post.DeleteCACertificate(drop); return err })

	// Rename, then delete.
	rename := haproxy.NewModifyLoadBalancerNameRequest()
	rename.InstanceUuid, rename.InstanceName = str(id), str("tf-renamed")
	v.taken(t, "ModifyLoadBalancerName", func() error { _, err := v.post.ModifyLoadBalancerName(rename); return err })
	if lb := v.describe(t, id); *lb.InstanceName != "tf-renamed" {
		t.Errorf("after the rename: %s", mustJSON(t, lb))
	}
	v.taken(t, "DeleteLoadBalancer", func() error { _, err := v.post.DeleteLoadBalancer(del); return err })
	if s := v.status(t, id); s != "DELETING" {
		t.Errorf("status after delete %q, want DELETING", s)
	}
	v.clock.Advance(busyFor)
	if s := v.status(t, id); s != "" {
		t.Errorf("status after the delete's busy time %q, want gone", s)
	}

	// Every action that names an instance or certificate answers 404
	// ResourceNotFound for one that does not exist.
	v.unknownIDs(t)

	// Every action the SDK offers was taken at least once.
	v.everyActionTaken(t)
}

// unknownIDs calls every SDK action whose request names an instance or a
// certificate, found by reflection so that an action added to the SDK is
// not missed, with an id the fake does not know: each is 404
// ResourceNotFound, except DescribeLoadBalancers, whose InstanceUuid is a
// filter that matches nothing.
func (v *vendor) unknownIDs(t *testing.T) {
	t.Helper()
	const gone = "00000000-0000-4000-8000-000000000000"
	values := map[string]reflect.Value{
		"InstanceUuid": reflect.ValueOf(common.StringPtr(gone)), "CertificateId": reflect.ValueOf(common.StringPtr(gone)),
		"InstanceName": reflect.ValueOf(common.StringPtr("x")), "PaasGoodsId": reflect.ValueOf(common.IntPtr(5075)),
	}
	n := 0
	for _, m := range sdkActions() {
		req := reflect.New(m.Type.In(1).Elem())
		base := &cdshttp.BaseRequest{}
		base.Init().WithApiInfo(haproxy.HaproxyService, haproxy.ApiVersion, m.Name)
		req.Elem().FieldByName("BaseRequest").Set(reflect.ValueOf(base))
		names := false
		for field, value := range values {
			if f := req.Elem().FieldByName(field); f.IsValid() {
				f.Set(value)
				names = names || field == "InstanceUuid" || field == "CertificateId"
			}
		}
		if !names {
			continue
		}
		client := v.post
		if strings.HasPrefix(m.Name, "Describe") {
			client = v.get
		}
		call := func() error {
			out := reflect.ValueOf(client).MethodByName(m.Name).Call([]reflect.Value{req})
			err, _ := out[1].Interface().(error)
			return err
		}
		if m.Name == "DescribeLoadBalancers" {
			x := v.taken(t, m.Name, call)
			if !strings.Contains(string(x.answer), `"Data":[]`) {
				t.Errorf("DescribeLoadBalancers of an unknown id: %s", x.answer)
			}
			continue
		}
		v.refused(t, m.Name, http.StatusNotFound, "ResourceNotFound", call)
		n++
	}
	if n != 8 {
		t.Errorf("%d actions of the SDK name an instance or a certificate by id, want the 8 of v0.3.16", n)
	}
}

// sdkActions returns the action methods of the SDK's load-balancer client:
// each takes a pointer to a struct named after it with "Request".
func sdkActions() []reflect.Method {
	var actions []reflect.Method
	ct := reflect.TypeFor[*haproxy.Client]()
	for i := range ct.NumMethod() {
		m := ct.Method(i)
		if m.Type.NumIn() == 2 && m.Type.In(1).Kind() == reflect.Pointer && m.Type.In(1).Elem().Name() == m.Name+"Request" {
			actions = append(actions, m)
		}
	}
	return actions
}

// everyActionTaken checks that each action method of the SDK's client,
// found by reflection so that a method added to the SDK is not missed,
// had a request taken by the fake.
func (v *vendor) everyActionTaken(t *testing.T) {
	t.Helper()
	taken := map[string]bool{}
	for _, x := range v.rec.all() {
		if x.status == http.StatusOK && x.answerCode() == "Success" {
			taken[x.action] = true
		}
	}
	var actions []string
	for _, m := range sdkActions() {
		actions = append(actions, m.Name)
		if !taken[m.Name] {
			t.Errorf("the SDK's %s was never taken by the fake", m.Name)
		}
	}
	if len(actions) != 14 {
		t.Errorf("the SDK offers %d actions (%v), want the 14 of v0.3.16", len(actions), actions)
	}
}

// findGoods walks the spec's products for a size, as the provider does.
func findGoods(t *testing.T, specs *haproxy.DescribeLoadBalancersSpecResponse, cpu, ram int) (int, *haproxy.DescribeLoadBalancersSpecAttachDisk) {
	t.Helper()
	if specs.Data == nil {
		t.Fatalf("DescribeLoadBalancersSpec parsed as %s", specs.ToJsonString())
	}
	for _, p := range specs.Data.Products {
		for _, a := range p.Architectures {
			for _, role := range a.ComputeRoles {
				if role.Standards == nil || len(role.Standards.AttachDisk) == 0 {
					continue
				}
				for _, cr := range role.Standards.CpuRam {
					if cr.CPU != nil && cr.RAM != nil && *cr.CPU == cpu && *cr.RAM == ram && cr.PaasGoodsId != nil {
						return *cr.PaasGoodsId, role.Standards.AttachDisk[0]
					}
				}
			}
		}
	}
	t.Fatalf("no %dC%dG in %s", cpu, ram, specs.ToJsonString())
	return 0, nil
}

// describe reads one load balancer through the SDK.
func (v *vendor) describe(t *testing.T, id string) *haproxy.DescribeLoadBalancersData {
	t.Helper()
	r := haproxy.NewDescribeLoadBalancersRequest()
	r.InstanceUuid = common.StringPtr(id)
	var list *haproxy.DescribeLoadBalancersResponse
	v.taken(t, "DescribeLoadBalancers", func() (err error) { list, err = v.get.DescribeLoadBalancers(r); return })
	if len(list.Data) != 1 {
		t.Fatalf("DescribeLoadBalancers of %s parsed as %s", id, list.ToJsonString())
	}
	return list.Data[0]
}

// status is a load balancer's status, or "" once it is gone.
func (v *vendor) status(t *testing.T, id string) string {
	t.Helper()
	r := haproxy.NewDescribeLoadBalancersRequest()
	r.InstanceUuid = common.StringPtr(id)
	var list *haproxy.DescribeLoadBalancersResponse
	v.taken(t, "DescribeLoadBalancers", func() (err error) { list, err = v.get.DescribeLoadBalancers(r); return })
	if len(list.Data) == 0 {
		return ""
	}
	return *list.Data[0].Status
}

// setListeners replaces a load balancer's listeners through the SDK,
// waits out the busy time, and reads them back: they must read back as
// sent, an absent, null or empty list being the same empty list.
func (v *vendor) setListeners(t *testing.T, shape, id string, h []*haproxy.DescribeLoadBalancerStrategysHttpListeners, tcp []*haproxy.DescribeLoadBalancerStrategysTcpListeners) {
	t.Helper()
	r := haproxy.NewModifyLoadBalancerStrategysRequest()
	r.InstanceUuid, r.HttpListeners, r.TcpListeners = common.StringPtr(id), h, tcp
	v.taken(t, "ModifyLoadBalancerStrategys", func() error { _, err := v.post.ModifyLoadBalancerStrategys(r); return err })
	v.clock.Advance(busyFor)
	d := haproxy.NewDescribeLoadBalancerStrategysRequest()
	d.InstanceUuid = common.StringPtr(id)
	var got *haproxy.DescribeLoadBalancerStrategysResponse
	v.taken(t, "DescribeLoadBalancerStrategys", func() (err error) { got, err = v.get.DescribeLoadBalancerStrategys(d); return })
	if got.Data == nil {
		t.Fatalf("DescribeLoadBalancerStrategys parsed as %s", got.ToJsonString())
	}
	if sent, back := normal(t, h), normal(t, got.Data.HttpListeners); !reflect.DeepEqual(sent, back) {
		t.Errorf("%s: HTTP listeners read back as\n%s\nsent\n%s", shape, mustJSON(t, back), mustJSON(t, sent))
	}
	if sent, back := normal(t, tcp), normal(t, got.Data.TcpListeners); !reflect.DeepEqual(sent, back) {
		t.Errorf("%s: TCP listeners read back as\n%s\nsent\n%s", shape, mustJSON(t, back), mustJSON(t, sent))
	}
}

// normal is v as the SDK encodes it, decoded generically, with every null
// and every empty list left out: absent, null and [] say the same.
func normal(t *testing.T, v any) any {
	t.Helper()
	var x any
	if err := json.Unmarshal([]byte(mustJSON(t, v)), &x); err != nil {
		t.Fatal(err)
	}
	var strip func(any) any
	strip = func(x any) any {
		switch x := x.(type) {
		case map[string]any:
			for k, e := range x {
				if l, ok := e.([]any); e == nil || ok && len(l) == 0 {
					delete(x, k)
					continue
				}
				x[k] = strip(e)
			}
		case []any:
			for i := range x {
				x[i] = strip(x[i])
			}
			if len(x) == 0 {
				return nil
			}
		}
		return x
	}
	return strip(x)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// httpListener is an HTTP listener as the provider fills the SDK's model:
// no ACL (sent as null), no certificate (left out), one backend.
func httpListener(name string, port int) *haproxy.DescribeLoadBalancerStrategysHttpListeners {
	str, num := common.StringPtr, common.IntPtr
	return &haproxy.DescribeLoadBalancerStrategysHttpListeners{
		ListenerName: str(name), ListenerMode: str("http"), ListenerPort: num(port),
		Scheduler: str("roundrobin"), MaxConn: num(1000), StickySession: str("off"),
		ConnectTimeout: str("1000"), ConnectTimeoutUnit: str("ms"),
		ClientTimeout: str("30"), ClientTimeoutUnit: str("s"),
		ServerTimeout: str("30"), ServerTimeoutUnit: str("s"),
		BackendServer: []*haproxy.DescribeLoadBalancerStrategysBackendServer{{IP: str("10.0.0.1"), Port: num(8080), Weight: str("1"), MaxConn: num(100)}},
	}
}

// tcpListener is a TCP listener as the provider fills the SDK's model.
func tcpListener(name string, port int) *haproxy.DescribeLoadBalancerStrategysTcpListeners {
	str, num := common.StringPtr, common.IntPtr
	return &haproxy.DescribeLoadBalancerStrategysTcpListeners{
		ListenerName: str(name), ListenerMode: str("tcp"), ListenerPort: num(port),
		Scheduler: str("leastconn"), MaxConn: num(500),
		ConnectTimeout: str("5"), ConnectTimeoutUnit: str("s"),
		ClientTimeout: str("60"), ClientTimeoutUnit: str("s"),
		ServerTimeout: str("60"), ServerTimeoutUnit: str("s"),
		BackendServer: []*haproxy.DescribeLoadBalancerStrategysBackendServer{{IP: str("10.0.0.2"), Port: num(5432), Weight: str("2"), MaxConn: num(50)}},
	}
}
