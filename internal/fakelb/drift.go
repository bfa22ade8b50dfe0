package fakelb

import (
	"encoding/json"
	"fmt"
	"slices"
)

// The drift methods below change the state behind the API's back, as the
// vendor's console or another program would: no request, no count, no
// fault and no journal entry.

// SetStatus sets an instance's status, such as "ERROR" or "CREATING",
// until a later SetStatus or a change of its own: any status but RUNNING
// keeps it busy (changes are refused with 409 ResourceInUse) and ends any
// task it was busy with, which will not finish. RUNNING makes it idle.
// An unknown instance or an empty status is an error.
func (s *Server) SetStatus(instanceUUID, status string) error {
	if status == "" {
		return fmt.Errorf("SetStatus: the status must not be empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settle(s.cfg.Now())
	in, ok := s.instances[instanceUUID]
	if !ok {
		return fmt.Errorf("SetStatus: no load balancer %q", instanceUUID)
	}
	s.tasks.seq++
	in.task, in.next = s.tasks.seq, nil // a task in the queue no longer matches
	in.busy = status
	if status == statusRunning {
		in.busy = ""
	}
	return nil
}

// RemoveLoadBalancer deletes an instance at once, whatever its status, as
// if another program had deleted it. An unknown instance is an error.
func (s *Server) RemoveLoadBalancer(instanceUUID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.instances[instanceUUID]
	if !ok {
		return fmt.Errorf("RemoveLoadBalancer: no load balancer %q", instanceUUID)
	}
	s.remove(in)
	return nil
}

// SetListeners replaces an instance's listeners, whatever its status and
// without changing it, with those of body: a ModifyLoadBalancerStrategys
// body ({"HttpListeners": [...], "TcpListeners": [...]}), checked as that
// action checks it. Like a listener change, it discards any custom
// haproxy.cfg. An unknown instance or an invalid listener is an error, and
// nothing changes.
func (s *Server) SetListeners(instanceUUID string, body []byte) error {
	var set struct{ HttpListeners, TcpListeners []*listener }
	if err := json.Unmarshal(body, &set); err != nil {
		return fmt.Errorf("SetListeners: %s", jsonProblem(err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.instances[instanceUUID]
	if !ok {
		return fmt.Errorf("SetListeners: no load balancer %q", instanceUUID)
	}
	for _, l := range []struct {
		name, mode string
		list       []*listener
	}{{"HttpListeners", "http", set.HttpListeners}, {"TcpListeners", "tcp", set.TcpListeners}} {
		for i, x := range l.list {
			if x == nil {
				return fmt.Errorf("SetListeners: %s[%d] must be an object", l.name, i)
			}
			if err := s.checkListener(l.mode, fmt.Sprintf("%s[%d]", l.name, i), x); err != nil {
				return fmt.Errorf("SetListeners: %w", err)
			}
		}
	}
	if err := checkUnique(append(slices.Clip(set.HttpListeners), set.TcpListeners...)); err != nil {
		return fmt.Errorf("SetListeners: %w", err)
	}
	in.http, in.tcp, in.customConfig = set.HttpListeners, set.TcpListeners, ""
	return nil
}
