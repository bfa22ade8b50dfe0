package cdslbtest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/cdslbtest"
)

// rawCall signs and sends an action to base (a URL ending in its base
// path) with cdslb.Signer, and returns the status and the decoded
// envelope, for fields and paths the Client does not use yet.
func rawCall(t *testing.T, srv *cdslbtest.Server, method, base, action string, params url.Values, body string) (int, string, json.RawMessage) {
	t.Helper()
	signer := &cdslb.Signer{AccessKeyID: srv.AccessKeyID(), AccessKeySecret: srv.AccessKeySecret()}
	req, err := http.NewRequest(method, base+"?"+signer.Sign(method, action, params), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Code string
		Data json.RawMessage
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, env.Code, env.Data
}

// Tags seeded through LoadBalancer.Tags are listed, with ids, and filter
// DescribeLoadBalancers by TagName.
func TestSeededTagsAreListedAndFilter(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	web := srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "web", Tags: []string{"team-a", "prod"}})
	srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "db", Tags: []string{"prod"}})
	srv.AddLoadBalancer(cdslbtest.LoadBalancer{InstanceName: "spare"})
	for tag, want := range map[string]string{
		"team-a": `[{"InstanceName":"web","Tags":[{"TagID":1,"TagName":"team-a"},{"TagID":2,"TagName":"prod"}]}]`,
		"prod":   `[{"InstanceName":"web","Tags":[{"TagID":1,"TagName":"team-a"},{"TagID":2,"TagName":"prod"}]},{"InstanceName":"db","Tags":[{"TagID":2,"TagName":"prod"}]}]`,
		"":       `[{"InstanceName":"web","Tags":[{"TagID":1,"TagName":"team-a"},{"TagID":2,"TagName":"prod"}]},{"InstanceName":"db","Tags":[{"TagID":2,"TagName":"prod"}]},{"InstanceName":"spare","Tags":[]}]`,
		"nobody": `[]`,
	} {
		params := url.Values{}
		if tag != "" {
			params.Set("TagName", tag)
		}
		status, code, data := rawCall(t, srv, http.MethodGet, srv.URL+"/lb/", "DescribeLoadBalancers", params, "")
		var list []struct {
			InstanceName string
			Tags         json.RawMessage
		}
		if err := json.Unmarshal(data, &list); status != 200 || code != "Success" || err != nil {
			t.Fatalf("TagName %q: %d %s %v", tag, status, code, err)
		}
		got, _ := json.Marshal(list)
		if string(got) != want {
			t.Errorf("TagName %q:\n got %s\nwant %s", tag, got, want)
		}
	}
	if web.InstanceName != "web" || web.Status != cdslb.StatusRunning {
		t.Errorf("AddLoadBalancer returned %+v", web)
	}
}

// WithListenersPath moves DescribeLBInstanceListeners to the monitor base
// path; /lb then answers 404 UnsupportedOperation. By default it is the
// other way round.
func TestWithListenersPath(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		opts          []cdslbtest.Option
		serves, other string
	}{
		{nil, "/lb/", "/paas/monitor/"},
		{[]cdslbtest.Option{cdslbtest.WithListenersPath("/lb")}, "/lb/", "/paas/monitor/"},
		{[]cdslbtest.Option{cdslbtest.WithListenersPath("/paas/monitor")}, "/paas/monitor/", "/lb/"},
	} {
		srv := cdslbtest.NewServer(t, tt.opts...)
		lb := srv.AddLoadBalancer(cdslbtest.LoadBalancer{})
		body := `{"InstanceUuid":"` + lb.InstanceUUID + `"}`
		if status, code, data := rawCall(t, srv, http.MethodPost, srv.URL+tt.serves, "DescribeLBInstanceListeners", nil, body); status != 200 || string(data) != "[]" {
			t.Errorf("at %s: %d %s %s, want 200 and []", tt.serves, status, code, data)
		}
		if status, code, _ := rawCall(t, srv, http.MethodPost, srv.URL+tt.other, "DescribeLBInstanceListeners", nil, body); status != 404 || code != "UnsupportedOperation" {
			t.Errorf("at %s: %d %s, want 404 UnsupportedOperation", tt.other, status, code)
		}
	}
}
