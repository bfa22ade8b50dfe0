package fakelb

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// createBody is the document's CreateLoadBalancer example, with a public
// pipe and PaasGoodsId as a string.
func createBody() map[string]any {
	return map[string]any{
		"RegionId":     "CN_Hongkong_A",
		"VdcId":        "vdc-1",
		"BasePipeId":   "pipe-1",
		"InstanceName": "test-haproxy",
		"PaasGoodsId":  5072,
		"Ips": []any{
			map[string]any{"PipeType": "private", "PipeId": "pipe-1", "IsVip": 1},
			map[string]any{"PipeType": "public", "PipeId": "pub-1", "SegmentId": "seg-1"},
		},
		"Amount": 1,
	}
}

func with(body map[string]any, key string, value any) map[string]any {
	if value == nil {
		delete(body, key)
	} else {
		body[key] = value
	}
	return body
}

// create makes one instance and returns its id.
func (e *env) create(body map[string]any) string {
	e.t.Helper()
	var data struct{ InstancesUuid []string }
	res := e.ok("CreateLoadBalancer", body, &data)
	if res.TaskID == nil || *res.TaskID == "" {
		e.t.Errorf("CreateLoadBalancer: no TaskId")
	}
	if len(data.InstancesUuid) != 1 {
		e.t.Fatalf("InstancesUuid = %v", data.InstancesUuid)
	}
	return data.InstancesUuid[0]
}

// instance describes one instance by id; ok is false if it is gone.
func (e *env) instance(id string) (lb loadBalancer, ok bool) {
	e.t.Helper()
	var list []loadBalancer
	e.ok("DescribeLoadBalancers", map[string]string{"InstanceUuid": id}, &list)
	if len(list) == 0 {
		return loadBalancer{}, false
	}
	return list[0], true
}

func TestCreateLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 10*time.Second)
	id := e.create(createBody())
	lb, ok := e.instance(id)
	if !ok || lb.Status != "CREATING" || lb.StatusStr != "创建中" {
		t.Fatalf("after create: %+v", lb)
	}
	if lb.InstanceName != "test-haproxy" || lb.Cpu != 1 || lb.Ram != 2048 || lb.RegionId != "CN_Hongkong_A" || lb.VdcId != "vdc-1" {
		t.Errorf("fields: %+v", lb)
	}
	if lb.CreatedTime != "2026-03-10 14:00:00" {
		t.Errorf("CreatedTime = %q, want China Standard Time", lb.CreatedTime)
	}
	if len(lb.Vips) != 2 || lb.Vips[0].Type != "private" || lb.Vips[1].Type != "public" || lb.IP != lb.Vips[0].IP {
		t.Errorf("Vips = %+v, IP = %s", lb.Vips, lb.IP)
	}
	e.fails("DeleteLoadBalancer", map[string]any{"InstanceUuid": id}, 409, "ResourceInUse")

	e.clock.Advance(10 * time.Second)
	if lb, _ := e.instance(id); lb.Status != "RUNNING" {
		t.Fatalf("after the delay: %s", lb.Status)
	}

	e.ok("ModifyLoadBalancerInstanceSpec", map[string]any{"InstanceUuid": id, "PaasGoodsId": 5078}, nil)
	if lb, _ := e.instance(id); lb.Status != "CHANGING" || lb.Cpu != 1 {
		t.Errorf("during the change: %s, Cpu %d", lb.Status, lb.Cpu)
	}
	e.fails("ModifyLoadBalancerInstanceSpec", map[string]any{"InstanceUuid": id, "PaasGoodsId": 5081}, 409, "ResourceInUse")
	e.clock.Advance(10 * time.Second)
	if lb, _ := e.instance(id); lb.Status != "RUNNING" || lb.Cpu != 4 || lb.Ram != 8192 {
		t.Errorf("after the change: %s, Cpu %d, Ram %d", lb.Status, lb.Cpu, lb.Ram)
	}

	e.ok("DeleteLoadBalancer", map[string]any{"InstanceUuid": id}, nil)
	if lb, ok := e.instance(id); !ok || lb.Status != "DELETING" {
		t.Errorf("during the delete: %v %s", ok, lb.Status)
	}
	e.fails("DeleteLoadBalancer", map[string]any{"InstanceUuid": id}, 409, "ResourceInUse")
	e.clock.Advance(10 * time.Second)
	if _, ok := e.instance(id); ok {
		t.Error("instance still listed after the delete finished")
	}
	e.fails("DeleteLoadBalancer", map[string]any{"InstanceUuid": id}, 404, "ResourceNotFound")
}

func TestDescribeLoadBalancersDocumentShape(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	e.create(createBody())
	res := e.ok("DescribeLoadBalancers", nil, nil)
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(res.Data, &list); err != nil || len(list) != 1 {
		t.Fatalf("%v %s", err, res.Data)
	}
	for key, want := range map[string]string{
		"MasterInfo": `""`, "CloneServices": "null", "RelationService": "null", "RoGroups": "null",
		"Port": "0", "LinkType": `""`, "ProjectName": `"默认项目"`, "SubProductName": `"haproxy 主从版"`,
		"Tags": "[]", "IsCustomConf": "0",
	} {
		if got := string(list[0][key]); got != want {
			t.Errorf("%s = %s, want %s", key, got, want)
		}
	}
}

func TestCreateAmountAndPrivateOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	body := createBody()
	body["Ips"] = []any{map[string]any{"PipeType": "private", "PipeId": "p"}}
	body["Amount"] = 3
	body["PaasGoodsId"] = 5081
	var data struct{ InstancesUuid []string }
	e.ok("CreateLoadBalancer", body, &data)
	if len(data.InstancesUuid) != 3 {
		t.Fatalf("InstancesUuid = %v", data.InstancesUuid)
	}
	seen := map[string]bool{}
	for _, id := range data.InstancesUuid {
		lb, ok := e.instance(id)
		if !ok || len(lb.Vips) != 1 || lb.Vips[0].Type != "private" || lb.Cpu != 8 || lb.Ram != 16384 {
			t.Errorf("%s: %+v", id, lb)
		}
		if seen[lb.IP] {
			t.Errorf("VIP %s handed out twice", lb.IP)
		}
		seen[lb.IP] = true
	}
	// IsVip 0 on a public load balancer: no private VIP.
	body = createBody()
	body["Ips"].([]any)[0].(map[string]any)["IsVip"] = 0
	lb, _ := e.instance(e.create(body))
	if len(lb.Vips) != 1 || lb.Vips[0].Type != "public" {
		t.Errorf("IsVip 0: Vips = %+v", lb.Vips)
	}
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	tests := []struct {
		name   string
		body   map[string]any
		status int
		code   string
		msg    string
	}{
		{"no region", with(createBody(), "RegionId", nil), 400, "ArgMissing", "RegionId"},
		{"unknown region", with(createBody(), "RegionId", "Mars_A"), 400, "InvalidParameter", "RegionId"},
		{"no vdc", with(createBody(), "VdcId", ""), 400, "ArgMissing", "VdcId"},
		{"no base pipe", with(createBody(), "BasePipeId", nil), 400, "ArgMissing", "BasePipeId"},
		{"no name", with(createBody(), "InstanceName", nil), 400, "ArgMissing", "InstanceName"},
		{"no goods", with(createBody(), "PaasGoodsId", nil), 400, "ArgMissing", "PaasGoodsId"},
		{"unknown goods", with(createBody(), "PaasGoodsId", 13565), 400, "InvalidParameter", "PaasGoodsId"},
		{"goods not numeric", with(createBody(), "PaasGoodsId", "big"), 400, "InvalidParameter", "PaasGoodsId"},
		{"no ips", with(createBody(), "Ips", nil), 400, "ArgMissing", "Ips"},
		{"empty ips", with(createBody(), "Ips", []any{}), 400, "ArgMissing", "Ips"},
		{"bad pipe type", with(createBody(), "Ips", []any{map[string]any{"PipeType": "internal", "PipeId": "p"}}), 400, "InvalidParameter", "PipeType"},
		{"public without segment", with(createBody(), "Ips", []any{map[string]any{"PipeType": "public", "PipeId": "p"}}), 400, "ArgMissing", "SegmentId"},
		{"amount 4", with(createBody(), "Amount", 4), 400, "InvalidParameter", "Amount"},
		{"amount -1", with(createBody(), "Amount", -1), 400, "InvalidParameter", "Amount"},
		{"subject not numeric", with(createBody(), "SubjectId", "test-credit"), 400, "InvalidParameter", "SubjectId"},
		{"subject negative", with(createBody(), "SubjectId", -3), 400, "InvalidParameter", "SubjectId"},
		{"subject fractional", with(createBody(), "SubjectId", 1.5), 400, "InvalidParameter", "SubjectId"},
		{"subject boolean", with(createBody(), "SubjectId", true), 400, "InvalidParameter", "SubjectId"},
	}
	for _, tt := range tests {
		res := e.call("CreateLoadBalancer", tt.body)
		if res.status != tt.status || res.Code != tt.code || !strings.Contains(res.Msg, tt.msg) {
			t.Errorf("%s: got %d %s %q, want %d %s about %s", tt.name, res.status, res.Code, res.Msg, tt.status, tt.code, tt.msg)
		}
	}
	var list []loadBalancer
	e.ok("DescribeLoadBalancers", nil, &list)
	if len(list) != 0 {
		t.Errorf("a refused create left %d instances", len(list))
	}
}

// SubjectId is optional; an integer number that is not negative is
// accepted (a string is not: TestIntegersAreNumbers).
func TestCreateAcceptsASubjectId(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	for _, subject := range []any{nil, 0, 7, 12} {
		e.create(with(createBody(), "SubjectId", subject))
	}
	if n := e.instanceCount(); n != 4 {
		t.Errorf("%d instances, want 4", n)
	}
}

// Deleting most instances, in any order, keeps the rest listed in
// creation order, and later ones after them.
func TestDeletesKeepCreationOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	var ids []string
	for range 9 {
		ids = append(ids, e.create(createBody()))
	}
	var kept []string
	for i, id := range ids {
		if i%3 == 1 {
			kept = append(kept, id)
			continue
		}
		e.ok("DeleteLoadBalancer", map[string]any{"InstanceUuid": ids[len(ids)-1-i]}, nil)
	}
	kept = append(kept, e.create(createBody()), e.create(createBody()))
	var list []loadBalancer
	e.ok("DescribeLoadBalancers", nil, &list)
	var got []string
	for _, lb := range list {
		got = append(got, lb.InstanceUuid)
	}
	if strings.Join(got, ",") != strings.Join(kept, ",") {
		t.Errorf("listed %v, want %v", got, kept)
	}
	for _, id := range kept {
		if _, ok := e.instance(id); !ok {
			t.Errorf("%s is not found by its id", id)
		}
	}
}

func TestDescribeLoadBalancersFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	a := e.create(with(createBody(), "InstanceName", "web-haproxy"))
	e.clock.Advance(time.Hour)
	b := e.create(with(createBody(), "InstanceName", "db-proxy"))
	lbA, _ := e.instance(a)

	ids := func(params map[string]string) []string {
		var list []loadBalancer
		e.ok("DescribeLoadBalancers", params, &list)
		out := []string{}
		for _, lb := range list {
			out = append(out, lb.InstanceUuid)
		}
		return out
	}
	tests := []struct {
		name   string
		params map[string]string
		want   []string
	}{
		{"all, in creation order", nil, []string{a, b}},
		{"name substring", map[string]string{"InstanceName": "haproxy"}, []string{a}},
		{"uuid", map[string]string{"InstanceUuid": b}, []string{b}},
		{"ip substring of the document's example", map[string]string{"IP": "66.66"}, []string{a, b}},
		{"exact ip", map[string]string{"IP": lbA.Vips[1].IP}, []string{a}},
		{"start time inclusive", map[string]string{"StartTime": "2026-03-10 15:00:00"}, []string{b}},
		{"end time inclusive", map[string]string{"EndTime": "2026-03-10 14:00:00"}, []string{a}},
		{"nothing matches", map[string]string{"InstanceName": "nope"}, []string{}},
		{"unknown uuid is an empty list", map[string]string{"InstanceUuid": "no-such"}, []string{}},
	}
	for _, tt := range tests {
		if got := ids(tt.params); strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	res := e.ok("DescribeLoadBalancers", map[string]string{"InstanceName": "nope"}, nil)
	if string(res.Data) != "[]" {
		t.Errorf("no match: Data = %s, want []", res.Data)
	}
	e.fails("DescribeLoadBalancers", map[string]string{"StartTime": "yesterday"}, 400, "InvalidParameter")
}

func TestModifySpecErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	id := e.create(createBody())
	e.fails("ModifyLoadBalancerInstanceSpec", map[string]any{"PaasGoodsId": 5078}, 400, "ArgMissing")
	e.fails("ModifyLoadBalancerInstanceSpec", map[string]any{"InstanceUuid": id}, 400, "ArgMissing")
	e.fails("ModifyLoadBalancerInstanceSpec", map[string]any{"InstanceUuid": id, "PaasGoodsId": 1}, 400, "InvalidParameter")
	e.fails("ModifyLoadBalancerInstanceSpec", map[string]any{"InstanceUuid": "nope", "PaasGoodsId": 5078}, 404, "ResourceNotFound")
	e.ok("ModifyLoadBalancerInstanceSpec", map[string]any{"InstanceUuid": id, "PaasGoodsId": 5075}, nil)
	if lb, _ := e.instance(id); lb.Cpu != 2 {
		t.Errorf("Cpu = %d after a change to 5075 with no delay", lb.Cpu)
	}
}

func TestModifyLoadBalancerName(t *testing.T) {
	t.Parallel()
	e := newEnv(t, time.Minute)
	id := e.create(createBody())
	e.fails("ModifyLoadBalancerName", map[string]any{"InstanceUuid": id, "InstanceName": "new"}, 409, "ResourceInUse")
	e.clock.Advance(time.Minute)
	res := e.ok("ModifyLoadBalancerName", map[string]any{"InstanceUuid": id, "InstanceName": "renamed"}, nil)
	if string(res.raw) != `{"Code":"Success","Message":"Success."}` {
		t.Errorf("answer = %s, want no Data and no TaskId", res.raw)
	}
	if lb, _ := e.instance(id); lb.InstanceName != "renamed" || lb.Status != "RUNNING" {
		t.Errorf("after rename: %s %s", lb.InstanceName, lb.Status)
	}
	e.fails("ModifyLoadBalancerName", map[string]any{"InstanceUuid": id}, 400, "ArgMissing")
	e.fails("ModifyLoadBalancerName", map[string]any{"InstanceUuid": "nope", "InstanceName": "x"}, 404, "ResourceNotFound")
}

// TestDescribeLoadBalancersShowsEveryChange: an instance's entry is encoded
// once and kept, yet every change shows in the next Describe, which always
// answers the instance's view as it is.
func TestDescribeLoadBalancersShowsEveryChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t, time.Minute)
	id := e.create(createBody())
	answersView := func(when string) {
		t.Helper()
		res := e.ok("DescribeLoadBalancers", map[string]string{"InstanceUuid": id}, nil)
		e.srv.mu.Lock()
		want := mustJSON([]loadBalancer{e.srv.instances[id].view()})
		e.srv.mu.Unlock()
		if string(res.Data) != string(want) {
			t.Errorf("%s: Data = %s, want %s", when, res.Data, want)
		}
	}
	answersView("creating")
	e.clock.Advance(time.Minute)
	answersView("running")
	e.ok("ModifyLoadBalancerName", map[string]any{"InstanceUuid": id, "InstanceName": "renamed"}, nil)
	answersView("renamed")
	for _, name := range []string{"a", "b", "c", "d"} {
		if err := e.srv.TagLoadBalancer(id, name); err != nil {
			t.Fatal(err)
		}
		answersView("tagged " + name)
	}
	e.ok("ModifyHaproxyCustomConfig", map[string]any{"InstanceUuid": id, "Configs": "global\n"}, nil)
	answersView("configuring")
	e.clock.Advance(time.Minute)
	answersView("custom")
	e.ok("ModifyLoadBalancerInstanceSpec", map[string]any{"InstanceUuid": id, "PaasGoodsId": 5081}, nil)
	answersView("resizing")
	e.clock.Advance(time.Minute)
	answersView("resized")
}

// TestSameViewSeesEveryField: a kept encoding is used again only for a view
// alike in every field, so that a field added to the view cannot be served
// stale.
func TestSameViewSeesEveryField(t *testing.T) {
	t.Parallel()
	a := loadBalancer{Tags: []tag{{1, "a"}}, Vips: []vip{{"10.0.0.1", "private"}}}
	if b := a; !sameView(&a, &b) {
		t.Fatal("a view is not the same as its copy")
	}
	typ := reflect.TypeFor[loadBalancer]()
	for i := range typ.NumField() {
		b := a
		f := reflect.ValueOf(&b).Elem().Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("changed")
		case reflect.Int:
			f.SetInt(7)
		case reflect.Slice:
			if f.IsNil() {
				f.Set(reflect.MakeSlice(f.Type(), 0, 0)) // [] is not null
			} else {
				f.Set(reflect.Zero(f.Type()))
			}
		case reflect.Map:
			f.Set(reflect.MakeMap(f.Type()))
		default:
			t.Fatalf("field %s: a kind sameView is not tested with", typ.Field(i).Name)
		}
		if sameView(&a, &b) {
			t.Errorf("a change of %s is not seen", typ.Field(i).Name)
		}
	}
	c := a
	c.Tags = []tag{{1, "b"}}
	if sameView(&a, &c) {
		t.Error("a changed tag is not seen")
	}
}
