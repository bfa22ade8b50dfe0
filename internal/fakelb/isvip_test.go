package fakelb

import (
	"net/http"
	"strings"
	"testing"
)

// TestIsVipBelongsOnThePrivateEntry: the document's example puts IsVip in
// the private entry of Ips, and its table says the parameter applies to a
// load balancer that also joins a public network, defaulting to 1 (a
// private VIP is opened). IsVip anywhere else is refused, so that a client
// that misplaces it learns it instead of getting a private VIP it turned
// off.
func TestIsVipBelongsOnThePrivateEntry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	ips := func(private, public map[string]any) map[string]any {
		body := createBody()
		var list []any
		if private != nil {
			list = append(list, private)
		}
		if public != nil {
			list = append(list, public)
		}
		body["Ips"] = list
		return body
	}
	priv := func(kv ...any) map[string]any {
		m := map[string]any{"PipeType": "private", "PipeId": "pipe-1"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	pub := func(kv ...any) map[string]any {
		m := map[string]any{"PipeType": "public", "PipeId": "pub-1", "SegmentId": "seg-1"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	types := func(body map[string]any) string {
		lb, _ := e.instance(e.create(body))
		var s []string
		for _, v := range lb.Vips {
			s = append(s, v.Type)
		}
		return strings.Join(s, ",")
	}
	for _, tt := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"public, IsVip omitted: the default opens a private VIP", ips(priv(), pub()), "private,public"},
		{"public, IsVip 1", ips(priv("IsVip", 1), pub()), "private,public"},
		{"public, IsVip 0", ips(priv("IsVip", 0), pub()), "public"},
		{"private only, IsVip omitted", ips(priv(), nil), "private"},
		{"private only, IsVip 1", ips(priv("IsVip", 1), nil), "private"},
	} {
		if got := types(tt.body); got != tt.want {
			t.Errorf("%s: VIPs %q, want %q", tt.name, got, tt.want)
		}
	}
	for _, tt := range []struct {
		name string
		body map[string]any
	}{
		{"IsVip 0 on the public entry", ips(priv(), pub("IsVip", 0))},
		{"IsVip 1 on the public entry", ips(priv(), pub("IsVip", 1))},
		{"IsVip at the top level", func() map[string]any { b := ips(priv(), pub()); b["IsVip"] = 0; return b }()},
		{"IsVip 0 on a private-only load balancer", ips(priv("IsVip", 0), nil)},
		{"IsVip 2", ips(priv("IsVip", 2), pub())},
		{"IsVip \"0\"", ips(priv("IsVip", "0"), pub())},
		{"IsVip false", ips(priv("IsVip", false), pub())},
	} {
		res := e.call("CreateLoadBalancer", tt.body)
		if res.status != http.StatusBadRequest || res.Code != "InvalidParameter" || !strings.Contains(res.Msg, "IsVip") {
			t.Errorf("%s: %d %s %q, want 400 InvalidParameter naming IsVip", tt.name, res.status, res.Code, res.Msg)
		}
	}
}
