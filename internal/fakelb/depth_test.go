package fakelb

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// rawCall signs and sends an action and returns the status and raw body,
// without decoding: a malformed answer may not decode.
func (e *env) rawAnswer(action string, params any) (int, []byte) {
	e.t.Helper()
	resp, err := e.ts.Client().Do(e.newRequest(action, params))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes()
}

// members lists the top-level member names of a JSON object in order,
// repeats included, as a strict reader would meet them.
func members(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var names []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

func TestMalformedFaultsAnswerWhatTheySay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	if err := e.srv.SetFault("CreateLoadBalancer", Fault{Malformed: MalformedDuplicateCode}); err != nil {
		t.Fatal(err)
	}
	status, raw := e.rawAnswer("CreateLoadBalancer", createBody())
	if got := members(t, raw); status != 200 || !slices.Equal(got, []string{"Code", "Message", "Data", "TaskId", "Code"}) ||
		!bytes.HasPrefix(raw, []byte(`{"Code":"Success"`)) || !bytes.HasSuffix(raw, []byte(`"Code":"InternalError"}`)) {
		t.Errorf("duplicate-code: %d %s", status, raw)
	}
	if len(e.srv.instances) != 1 {
		t.Errorf("the malformed create did not run: %d instances", len(e.srv.instances))
	}

	if err := e.srv.SetFault("CreateLoadBalancer", Fault{Malformed: MalformedMissingIDs}); err != nil {
		t.Fatal(err)
	}
	_, raw = e.rawAnswer("CreateLoadBalancer", createBody())
	if bytes.Contains(raw, []byte("InstanceUuids")) || !bytes.Contains(raw, []byte(`"TaskId"`)) {
		t.Errorf("missing-ids kept the ids or lost the TaskId: %s", raw)
	}
	if err := e.srv.SetFault("DescribeLoadBalancers", Fault{Malformed: MalformedMissingIDs}); err != nil {
		t.Fatal(err)
	}
	_, raw = e.rawAnswer("DescribeLoadBalancers", map[string]string{})
	if bytes.Contains(raw, []byte("Uuid")) || bytes.Contains(raw, []byte(`RegionId`)) || bytes.Contains(raw, []byte(`ResourceId`)) || !bytes.Contains(raw, []byte(`"InstanceName"`)) {
		t.Errorf("missing-ids on a list: %s", raw)
	}

	for _, action := range []string{"DescribeLoadBalancers", "DescribeLoadBalancerStrategys"} {
		if err := e.srv.SetFault(action, Fault{Malformed: MalformedDuplicateData}); err != nil {
			t.Fatal(err)
		}
	}
	_, raw = e.rawAnswer("DescribeLoadBalancers", map[string]string{})
	if got := members(t, raw); !slices.Equal(got, []string{"Code", "Message", "Data", "TaskId", "Data"}) || !bytes.HasSuffix(raw, []byte(`,"Data":[]}`)) {
		t.Errorf("duplicate-data on a list: %s", raw)
	}
	var listed struct{ Data []map[string]any }
	_ = json.Unmarshal(bytes.Replace(raw, []byte(`,"Data":[]}`), []byte(`}`), 1), &listed)
	id, _ := listed.Data[0]["InstanceUuid"].(string)
	_, raw = e.rawAnswer("DescribeLoadBalancerStrategys", map[string]string{"InstanceUuid": id})
	if !bytes.HasSuffix(raw, []byte(`,"Data":{}}`)) || strings.Count(string(raw), `"Data":`) != 2 {
		t.Errorf("duplicate-data on an object: %s", raw)
	}

	// A refusal is answered as it is.
	_, raw = e.rawAnswer("DescribeLoadBalancerStrategys", map[string]string{"InstanceUuid": "none"})
	if got := members(t, raw); strings.Count(strings.Join(got, " "), "Data") != 1 || !bytes.Contains(raw, []byte("ResourceNotFound")) {
		t.Errorf("a refusal was malformed: %s", raw)
	}
	if err := e.srv.SetFault("DescribeZones", Fault{Malformed: "twice"}); err == nil {
		t.Error("an unknown Malformed kind was taken")
	}
}

func TestFailNextStrikesExactlyNThenStops(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	if err := e.srv.SetFault("DescribeZones", Fault{ConflictRate: 1}); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		action string
		n      int
		f      Fault
	}{{"DescribeZones", 2, Fault{Status: 503}}, {"*", 1, Fault{}}, {"DescribeZones", 1, Fault{ErrorRate: 0.01, Status: 429}}} {
		if err := e.srv.FailNext(step.action, step.n, step.f); err != nil {
			t.Fatal(err)
		}
	}
	var got []int
	for range 6 {
		status, _ := e.rawAnswer("DescribeZones", map[string]string{})
		got = append(got, status)
	}
	// Its own FailNext first, in order, then "*", then the action's SetFault.
	if want := []int{503, 503, 429, 500, 409, 409}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	e.srv.ClearFaults()
	if status, _ := e.rawAnswer("DescribeZones", map[string]string{}); status != 200 {
		t.Errorf("after ClearFaults: %d", status)
	}

	// A request refused before its action is reached does not use one up.
	if err := e.srv.FailNext("DescribeZones", 1, Fault{}); err != nil {
		t.Fatal(err)
	}
	e.send(http.MethodGet, "/paas/monitor/", signQuery("GET", "DescribeZones", testKeyID, testSecret, t0, nextNonce(), nil), nil)
	if status, _ := e.rawAnswer("DescribeZones", map[string]string{}); status != 500 {
		t.Errorf("the FailNext was used up by a refused request: %d", status)
	}

	for _, bad := range []struct {
		action string
		n      int
		f      Fault
	}{{"DescribeZone", 1, Fault{}}, {"DescribeZones", 0, Fault{}}, {"DescribeZones", -1, Fault{}}, {"DescribeZones", 1, Fault{DropRate: 2}}} {
		if err := e.srv.FailNext(bad.action, bad.n, bad.f); err == nil {
			t.Errorf("FailNext(%q, %d, %+v) was taken", bad.action, bad.n, bad.f)
		}
	}
}

func TestCertainFaults(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want Fault }{
		{Fault{}, Fault{ErrorRate: 1}},
		{Fault{Status: 503}, Fault{Status: 503, ErrorRate: 1}},
		{Fault{HTML: true}, Fault{HTML: true, ErrorRate: 1}},
		{Fault{DropRate: 0.1, Truncate: true}, Fault{DropRate: 1, Truncate: true}},
		{Fault{DropAfterRate: 0.5}, Fault{DropAfterRate: 1}},
		{Fault{ConflictRate: 0.5}, Fault{ConflictRate: 1}},
		{Fault{Latency: time.Second}, Fault{Latency: time.Second}},
		{Fault{Malformed: MalformedMissingIDs}, Fault{Malformed: MalformedMissingIDs}},
	} {
		if got := tt.in.certain(); got != tt.want {
			t.Errorf("%+v.certain() = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseFaultNext(t *testing.T) {
	t.Parallel()
	action, n, f, err := ParseFaultN("CreateLoadBalancer=malformed:missing-ids,next:2")
	if err != nil || action != "CreateLoadBalancer" || n != 2 || f != (Fault{Malformed: MalformedMissingIDs}) {
		t.Errorf("ParseFaultN = %q, %d, %+v, %v", action, n, f, err)
	}
	if _, f, err := ParseFault("*=malformed:duplicate-code"); err != nil || f.Malformed != MalformedDuplicateCode {
		t.Errorf("ParseFault(malformed) = %+v, %v", f, err)
	}
	for _, bad := range []string{"DescribeZones=next:2", "DescribeZones=503,next:0", "DescribeZones=503,next:x", "DescribeZones=malformed", "DescribeZones=malformed:twice"} {
		if _, _, err := ParseFault(bad); err == nil {
			t.Errorf("ParseFault(%q) was taken", bad)
		}
	}
}

// TestTheWritesAreTheNineChangingActions: a new action that changes state
// is a write without a list to update; the nine of today are named.
func TestTheWritesAreTheNineChangingActions(t *testing.T) {
	t.Parallel()
	var writes []string
	for name := range routes {
		if IsWrite(name) {
			writes = append(writes, name)
		}
	}
	slices.Sort(writes)
	want := []string{"AddLoadBalancerStrategys", "CreateLoadBalancer", "DeleteCACertificate", "DeleteLoadBalancer",
		"ModifyHaproxyCustomConfig", "ModifyLoadBalancerInstanceSpec", "ModifyLoadBalancerName",
		"ModifyLoadBalancerStrategys", "UploadCACertificate"}
	if !slices.Equal(writes, want) || IsWrite("Nothing") {
		t.Errorf("writes %v, want %v", writes, want)
	}
}

func TestJournalKeepsAuthenticatedCallsWithinItsLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	e.call("DescribeZones", map[string]string{}) // journal off: kept nowhere
	e.srv.EnableJournal(3, 1<<20)
	e.create(createBody())
	e.call("DescribeLoadBalancers", map[string]string{"InstanceName": "x"})
	// Unauthenticated: refused, and never kept.
	e.send(http.MethodGet, "/lb/", signQuery("GET", "DescribeZones", testKeyID, "wrong", t0, nextNonce(), nil), nil)

	calls := e.srv.Calls("*")
	if len(calls) != 2 || calls[0].Action != "CreateLoadBalancer" || calls[1].Action != "DescribeLoadBalancers" {
		t.Fatalf("calls %+v", calls)
	}
	var body map[string]any
	if err := json.Unmarshal(calls[0].Body, &body); err != nil || body["InstanceName"] == nil || calls[0].Code != "Success" || calls[0].Status != 200 || !calls[0].Write() {
		t.Errorf("create %+v: %v", calls[0], err)
	}
	if p := calls[1].Params; p.Get("InstanceName") != "x" || p.Has("Signature") || p.Has("AccessKeyId") || p.Has("Action") || calls[1].Body != nil {
		t.Errorf("read params %v", p)
	}

	// At most 3 calls, the newest.
	for range 3 {
		e.call("DescribeZones", map[string]string{})
	}
	if calls := e.srv.Calls("*"); len(calls) != 3 || calls[0].Action != "DescribeZones" {
		t.Errorf("%d calls kept, first %s", len(calls), calls[0].Action)
	}
	// Within the bytes: a body bigger than the limit leaves nothing else.
	e.srv.EnableJournal(100, 200)
	e.create(createBody())
	if calls := e.srv.Calls("*"); len(calls) != 0 {
		t.Errorf("a %d-byte journal kept %d calls", 200, len(calls))
	}
	// Off forgets.
	e.call("DescribeZones", map[string]string{})
	e.srv.EnableJournal(0, 0)
	if len(e.srv.Calls("*")) != 0 {
		t.Error("a journal turned off kept its calls")
	}
}

func TestJournalKeepsDroppedCalls(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	e.srv.EnableJournal(10, 1<<20)
	if err := e.srv.FailNext("DescribeZones", 1, Fault{DropRate: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ts.Client().Do(e.newRequest("DescribeZones", map[string]string{})); err == nil {
		t.Fatal("a dropped call got an answer")
	}
	calls := e.srv.Calls("DescribeZones")
	if len(calls) != 1 || !calls[0].Dropped || calls[0].Status != 0 {
		t.Errorf("calls %+v", calls)
	}
}

func TestDriftIsNoRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t, time.Minute)
	e.srv.EnableJournal(10, 1<<20)
	id := e.create(createBody()) // CREATING for a minute
	before := e.srv.Requests("*")

	if err := e.srv.SetStatus(id, "ERROR"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour) // the create's task no longer ends it
	var lbs []map[string]any
	e.ok("DescribeLoadBalancers", map[string]string{"InstanceUuid": id}, &lbs)
	if lbs[0]["Status"] != "ERROR" {
		t.Errorf("status %v, want ERROR", lbs[0]["Status"])
	}
	if res := e.call("DeleteLoadBalancer", map[string]any{"InstanceUuid": id}); res.status != http.StatusConflict {
		t.Errorf("a change of an ERROR instance: %d %s", res.status, res.raw)
	}
	if err := e.srv.SetStatus(id, "RUNNING"); err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"HttpListeners":[],"TcpListeners":[{"ListenerName":"db","ListenerMode":"tcp","ListenerPort":5432,"Scheduler":"roundrobin","MaxConn":10,` +
		`"ConnectTimeout":1,"ConnectTimeoutUnit":"s","ClientTimeout":1,"ClientTimeoutUnit":"s","ServerTimeout":1,"ServerTimeoutUnit":"s","AclWhiteList":[],"BackendServer":[]}]}`)
	if err := e.srv.SetListeners(id, body); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.SetListeners(id, []byte(`{"TcpListeners":[{"ListenerName":"Bad name"}]}`)); err == nil {
		t.Error("an invalid listener was set")
	}
	var set struct{ TcpListeners []map[string]any }
	e.ok("DescribeLoadBalancerStrategys", map[string]string{"InstanceUuid": id}, &set)
	if len(set.TcpListeners) != 1 || set.TcpListeners[0]["ListenerName"] != "db" {
		t.Errorf("listeners %+v", set)
	}
	if err := e.srv.RemoveLoadBalancer(id); err != nil {
		t.Fatal(err)
	}
	if res := e.call("DescribeLoadBalancerStrategys", map[string]string{"InstanceUuid": id}); res.status != http.StatusNotFound {
		t.Errorf("a removed instance: %d", res.status)
	}
	for _, err := range []error{e.srv.SetStatus("none", "ERROR"), e.srv.SetStatus(id, ""), e.srv.RemoveLoadBalancer(id), e.srv.SetListeners("none", body)} {
		if err == nil {
			t.Error("drift on an unknown instance was taken")
		}
	}
	// Only the three reads and one delete above were requests.
	if got := e.srv.Requests("*") - before; got != 4 || len(e.srv.Calls("*")) != 5 {
		t.Errorf("%d requests and %d calls since the create, want 4 and 5", got, len(e.srv.Calls("*")))
	}
}

// TestJournalKeepsTruncatedAnswers: with the journal on, a truncated answer
// still sends its headers and half its body before the connection closes,
// and the journal notes its status, code and the drop.
func TestJournalKeepsTruncatedAnswers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	e.srv.EnableJournal(10, 1<<20)
	if err := e.srv.FailNext("DescribeZones", 1, Fault{DropRate: 1, Truncate: true}); err != nil {
		t.Fatal(err)
	}
	resp, err := e.ts.Client().Do(e.newRequest("DescribeZones", map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError || err == nil || !bytes.HasPrefix(buf.Bytes(), []byte(`{"Code":"InternalError"`)) {
		t.Errorf("truncated answer: %d %q, %v", resp.StatusCode, buf.Bytes(), err)
	}
	calls := e.srv.Calls("DescribeZones")
	if len(calls) != 1 || !calls[0].Dropped || calls[0].Status != 500 || calls[0].Code != "InternalError" {
		t.Errorf("calls %+v", calls)
	}
}
