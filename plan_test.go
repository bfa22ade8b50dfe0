package cdslb_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/cdslbtest"
)

func planListener(name string, port int) cdslb.HTTPListener {
	return cdslb.HTTPListener{ListenerName: name, ListenerPort: port, Scheduler: cdslb.SchedulerRoundRobin, MaxConn: 100,
		ConnectTimeout: 5 * time.Second, BackendServers: []cdslb.BackendServer{{IP: "10.0.0.1", Port: 8080, Weight: 10, MaxConn: 50}}}
}

func planTCP() cdslb.TCPListener {
	return cdslb.TCPListener{ListenerName: "db", ListenerPort: 3306, Scheduler: cdslb.SchedulerLeastConn,
		BackendServers: []cdslb.BackendServer{{IP: "10.0.0.9", Port: 3306, Weight: 1}}}
}

// planServer has an instance with the HTTP listeners web and api and the
// TCP listener db.
func planServer(t *testing.T) (*cdslbtest.Server, string) {
	srv := cdslbtest.NewServer(t)
	lb := srv.AddLoadBalancer(cdslbtest.LoadBalancer{
		HTTPListeners: []cdslb.HTTPListener{planListener("web", 80), planListener("api", 8000)},
		TCPListeners:  []cdslb.TCPListener{planTCP()}})
	return srv, lb.InstanceUUID
}

// TestPlanNamesExactlyTheChangedFields: a plan lists the added, changed
// and removed listeners by name, an update with exactly its changed fields,
// and its diff shows them one a line; applying it makes the set the one
// desired.
func TestPlanNamesExactlyTheChangedFields(t *testing.T) {
	t.Parallel()
	srv, id := planServer(t)
	c := srv.Client()
	ctx := context.Background()

	web := planListener("web", 80)
	web.BackendServers[0].Weight = 20
	web.BackendServers = append(web.BackendServers, cdslb.BackendServer{IP: "10.0.0.2", Port: 8080, Weight: 5})
	web.HealthCheck = &cdslb.HealthCheck{URI: "/healthz"}
	admin := cdslb.HTTPListener{ListenerName: "admin", ListenerPort: 9000, Scheduler: cdslb.SchedulerSource}
	desired := []cdslb.HTTPListener{web, admin}

	plan, err := c.PlanListeners(ctx, id, desired, []cdslb.TCPListener{planTCP()})
	require.NoError(t, err)
	assert.False(t, plan.Empty())
	assert.Equal(t, []cdslb.ListenerChange{
		{Action: cdslb.ListenerAdded, ListenerName: "admin", ListenerMode: cdslb.ListenerModeHTTP, Fields: []cdslb.FieldChange{
			{Path: "ListenerName", New: `"admin"`}, {Path: "ListenerPort", New: "9000"}, {Path: "Scheduler", New: `"source"`}}},
		{Action: cdslb.ListenerRemoved, ListenerName: "api", ListenerMode: cdslb.ListenerModeHTTP},
		{Action: cdslb.ListenerUpdated, ListenerName: "web", ListenerMode: cdslb.ListenerModeHTTP, Fields: []cdslb.FieldChange{
			{Path: "BackendServers[0].Weight", Old: "10", New: "20"},
			{Path: "BackendServers[1]", New: `{IP:"10.0.0.2" Port:8080 Weight:5 MaxConn:0}`},
			{Path: "HealthCheck.Method", Old: `""`, New: `"GET"`}, // the service's default, as it will list it
			{Path: "HealthCheck.URI", Old: `""`, New: `"/healthz"`}}},
	}, plan.Changes)
	assert.Equal(t, `+ http listener "admin"
+     ListenerName: "admin"
+     ListenerPort: 9000
+     Scheduler: "source"
- http listener "api"
~ http listener "web"
~     BackendServers[0].Weight: 10 -> 20
~     BackendServers[1]: (none) -> {IP:"10.0.0.2" Port:8080 Weight:5 MaxConn:0}
~     HealthCheck.Method: "" -> "GET"
~     HealthCheck.URI: "" -> "/healthz"
`, plan.String())

	_, err = c.ApplyListeners(ctx, plan)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Requests("ModifyLoadBalancerStrategys"))
	assert.Zero(t, srv.Requests("AddLoadBalancerStrategys"))
	_, err = c.WaitUntilRunning(ctx, id, fastPoll)
	require.NoError(t, err)
	again, err := c.PlanListeners(ctx, id, desired, []cdslb.TCPListener{planTCP()})
	require.NoError(t, err)
	assert.True(t, again.Empty(), "applied: %s", again)
}

// TestEmptyPlanIsCheckedWithOneRead: a plan of the set as it is changes
// nothing; applying it reads the set once, to see it is still the plan's,
// and writes nothing. Once someone changes the set, applying it fails with
// ErrListenersChanged instead of claiming a success that is not in place.
func TestEmptyPlanIsCheckedWithOneRead(t *testing.T) {
	t.Parallel()
	srv, id := planServer(t)
	c := srv.Client()
	http, tcp := srv.Listeners(id)

	plan, err := c.PlanListeners(context.Background(), id, http, tcp)
	require.NoError(t, err)
	assert.True(t, plan.Empty())
	assert.Equal(t, "no changes to the listeners\n", plan.String())
	before, reads := srv.Requests("*"), srv.Requests("DescribeLoadBalancerStrategys")
	resp, err := c.ApplyListeners(context.Background(), plan)
	require.NoError(t, err)
	assert.Empty(t, resp.TaskID)
	assert.Equal(t, before+1, srv.Requests("*"), "one request")
	assert.Equal(t, reads+1, srv.Requests("DescribeLoadBalancerStrategys"), "a read")

	other := planTCP()
	other.ListenerName, other.ListenerPort = "someone-else", 7001
	_, err = srv.Client().AddLoadBalancerStrategys(context.Background(), &cdslb.AddLoadBalancerStrategysRequest{InstanceUUID: id, TCPListeners: []cdslb.TCPListener{other}})
	require.NoError(t, err)
	_, err = c.ApplyListeners(context.Background(), plan)
	require.ErrorIs(t, err, cdslb.ErrListenersChanged)
	assert.Contains(t, err.Error(), "plan again")
}

// TestPlanThatOnlyAddsUsesAdd: additions alone go with
// AddLoadBalancerStrategys, which keeps the other listeners.
func TestPlanThatOnlyAddsUsesAdd(t *testing.T) {
	t.Parallel()
	srv, id := planServer(t)
	c := srv.Client()
	http, tcp := srv.Listeners(id)

	plan, err := c.PlanListeners(context.Background(), id, append(http, planListener("new", 81)), tcp)
	require.NoError(t, err)
	require.Len(t, plan.Changes, 1)
	resp, err := c.ApplyListeners(context.Background(), plan)
	require.NoError(t, err)
	assert.NotEmpty(t, resp.TaskID)
	assert.Equal(t, 1, srv.Requests("AddLoadBalancerStrategys"))
	assert.Zero(t, srv.Requests("ModifyLoadBalancerStrategys"))
	got, _ := srv.Listeners(id)
	assert.Len(t, got, 3)
}

// TestStalePlanIsRefused: a plan made before someone else changed the
// set is not applied, and the other change stays.
func TestStalePlanIsRefused(t *testing.T) {
	t.Parallel()
	srv, id := planServer(t)
	c := srv.Client()
	ctx := context.Background()

	plan, err := c.PlanListeners(ctx, id, []cdslb.HTTPListener{planListener("web", 80)}, nil)
	require.NoError(t, err)
	_, err = c.UpdateListener(ctx, id, "api", func(h *cdslb.HTTPListener, _ *cdslb.TCPListener) error { h.MaxConn = 7; return nil })
	require.NoError(t, err)
	_, err = c.WaitUntilRunning(ctx, id, fastPoll)
	require.NoError(t, err)

	_, err = c.ApplyListeners(ctx, plan)
	require.ErrorIs(t, err, cdslb.ErrListenersChanged)
	assert.Equal(t, 1, srv.Requests("ModifyLoadBalancerStrategys"), "only the other change was written")
	http, tcp := srv.Listeners(id)
	assert.Len(t, http, 2)
	assert.Len(t, tcp, 1)
}

// TestApplyNeverResendsAfterAConflict: with RetryConflicts, each write
// after a 409 comes after a fresh read and check, never as a resend.
func TestApplyNeverResendsAfterAConflict(t *testing.T) {
	t.Parallel()
	srv, id := planServer(t)
	c := srv.Client(cdslb.WithRetry(cdslb.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, RetryConflicts: true}))
	plan, err := c.PlanListeners(context.Background(), id, []cdslb.HTTPListener{planListener("web", 80)}, nil)
	require.NoError(t, err)
	reads := srv.Requests("DescribeLoadBalancerStrategys")
	require.NoError(t, srv.SetFault("ModifyLoadBalancerStrategys", cdslbtest.Fault{ConflictRate: 1}))

	_, err = c.ApplyListeners(context.Background(), plan)
	require.ErrorIs(t, err, cdslb.ErrResourceInUse)
	writes := srv.Requests("ModifyLoadBalancerStrategys")
	assert.Equal(t, 3, writes, "the policy's attempts")
	assert.Equal(t, writes, srv.Requests("DescribeLoadBalancerStrategys")-reads, "a read before every write")
}

func TestApplyRefusesAPlanNotMadeByPlanListeners(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	for _, plan := range []*cdslb.ListenerPlan{nil, {InstanceUUID: "i-1", Changes: []cdslb.ListenerChange{{Action: cdslb.ListenerRemoved, ListenerName: "x"}}}} {
		_, err := srv.Client().ApplyListeners(context.Background(), plan)
		require.ErrorIs(t, err, cdslb.ErrInvalidRequest)
	}
	_, err := srv.Client().PlanListeners(context.Background(), "i-1", []cdslb.HTTPListener{{ListenerName: "bad"}}, nil)
	var ve *cdslb.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "PlanListeners", ve.Action)
	assert.Zero(t, srv.Requests("*"))
}

func ExampleClient_PlanListeners() {
	srv := fakeAPI(map[string][]string{
		"DescribeLoadBalancerStrategys": {`{"Code":"Success","Data":{"HttpListeners":[],"TcpListeners":[
			{"ListenerName":"db","ListenerPort":3306,"Scheduler":"leastconn","MaxConn":100,
			 "BackendServer":[{"IP":"10.0.0.5","Port":3306,"Weight":"1","MaxConn":100}]}]}}`},
		"ModifyLoadBalancerStrategys": {`{"Code":"Success","Data":{},"TaskId":"task-1"}`},
	})
	defer srv.Close()
	c, err := cdslb.NewClient("key-id", "key-secret", cdslb.WithEndpoint(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	// The whole desired set: db with a second backend, and a web listener.
	db := cdslb.TCPListener{ListenerName: "db", ListenerPort: 3306, Scheduler: cdslb.SchedulerLeastConn, MaxConn: 100,
		BackendServers: []cdslb.BackendServer{{IP: "10.0.0.5", Port: 3306, Weight: 1, MaxConn: 100}, {IP: "10.0.0.6", Port: 3306, Weight: 1, MaxConn: 100}}}
	web := cdslb.HTTPListener{ListenerName: "web", ListenerPort: 80, Scheduler: cdslb.SchedulerRoundRobin}
	plan, err := c.PlanListeners(context.Background(), "lb-1", []cdslb.HTTPListener{web}, []cdslb.TCPListener{db})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(plan) // review it, then apply it

	resp, err := c.ApplyListeners(context.Background(), plan)
	if errors.Is(err, cdslb.ErrListenersChanged) {
		fmt.Println("changed since the plan; plan again and review")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("task", resp.TaskID)
	// Output:
	// ~ tcp listener "db"
	// ~     BackendServers[1]: (none) -> {IP:"10.0.0.6" Port:3306 Weight:1 MaxConn:100}
	// + http listener "web"
	// +     ListenerName: "web"
	// +     ListenerPort: 80
	// +     Scheduler: "roundrobin"
	// task task-1
}

// TestPlanOfWhatTheServiceFillsInIsEmpty: fields left for the service to
// fill in (a certificate given by its id alone, the health check's method,
// the cookie's mode) are not changes, so planning and applying the same
// set twice sends nothing.
func TestPlanOfWhatTheServiceFillsInIsEmpty(t *testing.T) {
	t.Parallel()
	srv := cdslbtest.NewServer(t)
	cert := srv.AddCertificate("c", "x.example.com")
	web := planListener("web", 443)
	web.Certificates = []cdslb.CertificateRef{{CertificateID: cert.CertificateID}}
	web.HealthCheck = &cdslb.HealthCheck{URI: "/h"}
	web.SessionPersistence = &cdslb.SessionPersistence{Key: "sid"}
	lb := srv.AddLoadBalancer(cdslbtest.LoadBalancer{HTTPListeners: []cdslb.HTTPListener{web}})
	c := srv.Client()
	ctx := context.Background()

	for range 2 {
		plan, err := c.PlanListeners(ctx, lb.InstanceUUID, []cdslb.HTTPListener{web}, nil)
		require.NoError(t, err)
		assert.True(t, plan.Empty(), "%s", plan)
		_, err = c.ApplyListeners(ctx, plan)
		require.NoError(t, err)
	}
	assert.Zero(t, srv.Requests("ModifyLoadBalancerStrategys")+srv.Requests("AddLoadBalancerStrategys"))

	web.Certificates[0].CertificateName = "other"
	plan, err := c.PlanListeners(ctx, lb.InstanceUUID, []cdslb.HTTPListener{web}, nil)
	require.NoError(t, err)
	assert.Equal(t, []cdslb.FieldChange{{Path: "Certificates[0].CertificateName", Old: `"c"`, New: `"other"`}}, plan.Changes[0].Fields,
		"a name given is compared")
}

// TestApplyRefusesEditedChanges: a plan's Changes are for reading; a
// plan whose Changes were edited in any way is refused before any request,
// never applied in part and never a panic.
func TestApplyRefusesEditedChanges(t *testing.T) {
	t.Parallel()
	for name, edit := range map[string]func(p *cdslb.ListenerPlan){
		"removal made an addition": func(p *cdslb.ListenerPlan) { p.Changes[0].Action = cdslb.ListenerAdded },
		"change dropped":           func(p *cdslb.ListenerPlan) { p.Changes = p.Changes[1:] },
		"all dropped":              func(p *cdslb.ListenerPlan) { p.Changes = nil },
		"listener renamed":         func(p *cdslb.ListenerPlan) { p.Changes[1].ListenerName = "other" },
		"mode changed":             func(p *cdslb.ListenerPlan) { p.Changes[1].ListenerMode = cdslb.ListenerModeTCP },
		"field edited":             func(p *cdslb.ListenerPlan) { p.Changes[1].Fields[0].New = "1" },
		"change added": func(p *cdslb.ListenerPlan) {
			p.Changes = append(p.Changes, cdslb.ListenerChange{Action: cdslb.ListenerRemoved, ListenerName: "web", ListenerMode: cdslb.ListenerModeHTTP})
		},
	} {
		srv, id := planServer(t)
		c := srv.Client()
		// - api, + new, and db kept.
		_, tcp := srv.Listeners(id)
		plan, err := c.PlanListeners(context.Background(), id, []cdslb.HTTPListener{planListener("web", 80), planListener("new", 81)}, tcp)
		require.NoError(t, err, name)
		require.Len(t, plan.Changes, 2, name)
		edit(plan)
		before := srv.Requests("*")
		require.NotPanics(t, func() { _, err = c.ApplyListeners(context.Background(), plan) }, name)
		var ve *cdslb.ValidationError
		require.ErrorAs(t, err, &ve, name)
		assert.Equal(t, "plan.Changes", ve.Field, name)
		assert.Equal(t, before, srv.Requests("*"), "%s: nothing sent", name)
	}
}
