package cdslbtest

import (
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/cdsgo/cdslb"
)

// The drift methods below change a load balancer behind the code's back,
// as the vendor's console or another program would: none of them is a
// request, so none counts in Requests, meets a fault or enters the
// journal. They fail the test on an unknown instance or an invalid
// listener; on a nil or zero Server they do nothing.

// SetStatus sets a load balancer's status, such as "ERROR" (which a waiter
// takes for a failure) or "CREATING", until a later SetStatus or a change
// of its own. Any status but RUNNING (cdslb.StatusRunning) keeps it busy,
// so that changes are refused with 409 ResourceInUse, and cancels the
// change it was busy with, which will not finish; RUNNING makes it idle.
func (s *Server) SetStatus(instanceUUID, status string) {
	if !s.made() {
		return
	}
	s.in.t.Helper()
	s.check("SetStatus", s.in.fake.SetStatus(instanceUUID, status))
}

// RemoveLoadBalancer deletes a load balancer at once, whatever its status,
// as if another program had deleted it: it is no longer listed, and
// actions on it answer 404 ResourceNotFound.
func (s *Server) RemoveLoadBalancer(instanceUUID string) {
	if !s.made() {
		return
	}
	s.in.t.Helper()
	s.check("RemoveLoadBalancer", s.in.fake.RemoveLoadBalancer(instanceUUID))
}

// SetListeners replaces a load balancer's listeners with those given,
// whatever its status and without changing it, as an edit in the vendor's
// console would. The listeners are encoded by cdslb and checked by the
// fake as ModifyLoadBalancerStrategys would check them. Like a listener
// change, it discards any custom haproxy.cfg. Listeners reads the set
// back, to edit it in place.
func (s *Server) SetListeners(instanceUUID string, http []cdslb.HTTPListener, tcp []cdslb.TCPListener) {
	if !s.made() {
		return
	}
	s.in.t.Helper()
	body, err := s.encodeListeners(instanceUUID, http, tcp)
	s.check("SetListeners", err)
	s.check("SetListeners", s.in.fake.SetListeners(instanceUUID, body))
}

// encodeListeners returns the ModifyLoadBalancerStrategys body cdslb sends
// for the listeners, without sending it.
func (s *Server) encodeListeners(instanceUUID string, httpL []cdslb.HTTPListener, tcpL []cdslb.TCPListener) ([]byte, error) {
	var body []byte
	capture := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return nil, err
		}
		r.Body.Close()
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body:    io.NopCloser(strings.NewReader(`{"Code":"Success","Message":"Success.","Data":{},"TaskId":"drift"}`)),
			Request: r}, nil
	})
	c, err := cdslb.NewClient(s.in.keys.id, s.in.keys.secret, cdslb.WithEndpoint(s.URL), cdslb.WithRetry(cdslb.NoRetry),
		cdslb.WithHTTPClient(&http.Client{Transport: capture}))
	if err != nil {
		return nil, err
	}
	_, err = c.ModifyLoadBalancerStrategys(context.Background(), &cdslb.ModifyLoadBalancerStrategysRequest{
		InstanceUUID: instanceUUID, HTTPListeners: httpL, TCPListeners: tcpL})
	return body, err
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

// RoundTrip calls f.
func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
