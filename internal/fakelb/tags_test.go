package fakelb

import (
	"fmt"
	"strings"
	"testing"
)

func TestTagsAreListedAndFilterExactly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	a, b, c := e.create(createBody()), e.create(createBody()), e.create(createBody())
	for _, err := range []error{
		e.srv.TagLoadBalancer(a, "web", "prod"),
		e.srv.TagLoadBalancer(b, "web", "web"),
		e.srv.TagLoadBalancer(a, "web"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for id, want := range map[string]string{a: "[{1 web} {2 prod}]", b: "[{1 web}]", c: "[]"} {
		if lb, _ := e.instance(id); fmt.Sprint(lb.Tags) != want {
			t.Errorf("Tags %v, want %s", lb.Tags, want)
		}
	}
	res := e.ok("DescribeLoadBalancers", map[string]string{"InstanceUuid": a}, nil)
	if !strings.Contains(string(res.Data), `"Tags":[{"TagID":1,"TagName":"web"},{"TagID":2,"TagName":"prod"}]`) {
		t.Errorf("Tags are not in the document's shape: %s", res.Data)
	}
	for tag, want := range map[string][]string{"web": {a, b}, "prod": {a}, "we": nil, "": {a, b, c}} {
		var list []loadBalancer
		e.ok("DescribeLoadBalancers", map[string]string{"TagName": tag}, &list)
		var got []string
		for _, lb := range list {
			got = append(got, lb.InstanceUuid)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("TagName %q: %v, want %v", tag, got, want)
		}
	}
}

func TestTagLoadBalancerRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	id := e.create(createBody())
	if err := e.srv.TagLoadBalancer("no-such-id", "web"); err == nil || !strings.Contains(err.Error(), "no-such-id") {
		t.Errorf("an unknown instance: %v", err)
	}
	if err := e.srv.TagLoadBalancer(id, "web", " "); err == nil {
		t.Error("an empty tag name was accepted")
	}
	if lb, _ := e.instance(id); len(lb.Tags) != 0 {
		t.Errorf("a refused call tagged %v", lb.Tags)
	}
}
