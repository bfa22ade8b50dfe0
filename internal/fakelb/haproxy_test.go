package fakelb

import (
	"strings"
	"testing"
	"time"
)

func TestHaproxyCustomConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t, time.Second)
	id := e.create(createBody())
	e.clock.Advance(time.Second)
	h := httpListener("web", 80)
	h["AclWhiteList"] = []any{"10.1.0.0/16"}
	e.ok("ModifyLoadBalancerStrategys", modify(id, []any{h}, []any{tcpListener("db", 3306)}), nil)
	e.clock.Advance(time.Second)

	var data struct{ Configs string }
	e.ok("DescribeHaproxyCustomConfig", map[string]string{"InstanceUuid": id}, &data)
	for _, want := range []string{"frontend web\n", "bind *:80\n", "balance roundrobin", "server web_10.0.0.1_8080 10.0.0.1:8080 weight 1 maxconn 100 check",
		"acl whitelist src 10.1.0.0/16", "timeout connect 1000ms", "frontend db\n", "mode tcp", "bind *:3306"} {
		if !strings.Contains(data.Configs, want) {
			t.Errorf("generated config lacks %q:\n%s", want, data.Configs)
		}
	}

	custom := "global\n    maxconn 10\n"
	res := e.ok("ModifyHaproxyCustomConfig", map[string]any{"InstanceUuid": id, "Configs": custom}, nil)
	if res.TaskID == nil || *res.TaskID == "" {
		t.Error("no TaskId")
	}
	e.fails("ModifyHaproxyCustomConfig", map[string]any{"InstanceUuid": id, "Configs": custom}, 409, "ResourceInUse")
	e.ok("DescribeHaproxyCustomConfig", map[string]string{"InstanceUuid": id}, &data)
	if data.Configs != custom {
		t.Errorf("Configs = %q, want the custom text", data.Configs)
	}
	e.clock.Advance(time.Second)
	e.ok("AddLoadBalancerStrategys", map[string]any{"InstanceUuid": id, "HttpListeners": []any{httpListener("api", 8080)}}, nil)
	e.ok("DescribeHaproxyCustomConfig", map[string]string{"InstanceUuid": id}, &data)
	if !strings.Contains(data.Configs, "frontend api\n") {
		t.Errorf("a listener change did not regenerate the config:\n%s", data.Configs)
	}
	e.fails("ModifyHaproxyCustomConfig", map[string]any{"InstanceUuid": "nope", "Configs": custom}, 404, "ResourceNotFound")
	e.fails("DescribeHaproxyCustomConfig", map[string]string{"InstanceUuid": "nope"}, 404, "ResourceNotFound")
	e.clock.Advance(time.Second)
	e.fails("ModifyHaproxyCustomConfig", map[string]any{"InstanceUuid": id}, 400, "ArgMissing")
}

// IsCustomConf is 1 from a custom haproxy.cfg until a listener change
// regenerates the config.
func TestIsCustomConfFollowsTheCustomConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	id := e.create(createBody())
	custom := func() int {
		lb, _ := e.instance(id)
		return lb.IsCustomConf
	}
	if got := custom(); got != 0 {
		t.Errorf("new instance: IsCustomConf %d, want 0", got)
	}
	e.ok("ModifyHaproxyCustomConfig", map[string]any{"InstanceUuid": id, "Configs": "global\n"}, nil)
	if got := custom(); got != 1 {
		t.Errorf("after ModifyHaproxyCustomConfig: IsCustomConf %d, want 1", got)
	}
	e.ok("AddLoadBalancerStrategys", map[string]any{"InstanceUuid": id, "HttpListeners": []any{httpListener("api", 8080)}}, nil)
	if got := custom(); got != 0 {
		t.Errorf("after a listener change: IsCustomConf %d, want 0", got)
	}
}
