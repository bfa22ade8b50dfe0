package cdslb

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// ErrListenerNotFound is matched by the error of UpdateListener and
// RemoveListener when the instance has no listener of the name given.
// Nothing was changed.
var ErrListenerNotFound = errors.New("cdslb: no listener of that name")

// ErrListenersChanged is matched by the error of UpdateListener and
// RemoveListener when the instance's listeners changed while the edit was
// being made: someone else changed them, and writing would have undone
// their change. Nothing was changed; read the listeners again and retry.
var ErrListenersChanged = errors.New("cdslb: the listeners changed during the edit")

// UpdateListener changes one listener of an instance and keeps all the
// others, which ModifyLoadBalancerStrategys alone does not. It reads the
// listener set, calls update with the listener named listenerName (http
// for an HTTP listener, tcp for a TCP one; the other is nil), reads the set
// again and, if it is unchanged, sends the whole set with the one change.
// It returns ModifyLoadBalancerStrategys' response, whose TaskID tracks the
// change; the instance is busy until it is RUNNING again (WaitUntilRunning).
//
// It fails, changing nothing, with ErrListenerNotFound when no listener has
// that name, with the error update returns, and with ErrListenersChanged
// when the set changed between the two reads. The API has no version or
// ETag, so this narrows the window in which a concurrent change can be lost
// to the moment between the second read and the write; it cannot close it.
// Programs that edit one instance from several places should also serialize
// their edits. The set is sent back as this library reads it: a listener
// field it does not model would be reset.
func (c *Client) UpdateListener(ctx context.Context, instanceUUID, listenerName string, update func(http *HTTPListener, tcp *TCPListener) error) (*ModifyLoadBalancerStrategysResponse, error) {
	if update == nil {
		return nil, &ValidationError{Action: "UpdateListener", Field: "update", Reason: "must not be nil"}
	}
	return c.editListener(ctx, "UpdateListener", instanceUUID, listenerName,
		func(set *DescribeLoadBalancerStrategysResponse, h, t int) error {
			if h >= 0 {
				return update(&set.HTTPListeners[h], nil)
			}
			return update(nil, &set.TCPListeners[t])
		})
}

// RemoveListener deletes one listener of an instance and keeps all the
// others, by sending the rest of the set with ModifyLoadBalancerStrategys.
// It returns that call's response. It reads and checks the set as
// UpdateListener does, with the same errors and the same limits.
func (c *Client) RemoveListener(ctx context.Context, instanceUUID, listenerName string) (*ModifyLoadBalancerStrategysResponse, error) {
	return c.editListener(ctx, "RemoveListener", instanceUUID, listenerName,
		func(set *DescribeLoadBalancerStrategysResponse, h, t int) error {
			if h >= 0 {
				set.HTTPListeners = slices.Delete(set.HTTPListeners, h, h+1)
			} else {
				set.TCPListeners = slices.Delete(set.TCPListeners, t, t+1)
			}
			return nil
		})
}

// editListener is the read-modify-check-write both edits share. edit gets
// the index of the named listener in the HTTP list (h) or the TCP list (t);
// the other index is -1.
func (c *Client) editListener(ctx context.Context, name, instanceUUID, listenerName string, edit func(set *DescribeLoadBalancerStrategysResponse, h, t int) error) (*ModifyLoadBalancerStrategysResponse, error) {
	read := &DescribeLoadBalancerStrategysRequest{InstanceUUID: instanceUUID}
	set, err := c.DescribeLoadBalancerStrategys(ctx, read)
	if err != nil {
		return nil, err
	}
	before, err := fingerprint(set)
	if err != nil {
		return nil, fmt.Errorf("cdslb: %s: %w", name, err)
	}
	h := slices.IndexFunc(set.HTTPListeners, func(l HTTPListener) bool { return l.ListenerName == listenerName })
	t := slices.IndexFunc(set.TCPListeners, func(l TCPListener) bool { return l.ListenerName == listenerName })
	if h >= 0 {
		t = -1
	} else if t < 0 {
		return nil, fmt.Errorf("cdslb: %s: %w: %q on instance %s", name, ErrListenerNotFound, listenerName, instanceUUID)
	}
	if err := edit(set, h, t); err != nil {
		return nil, err
	}

	again, err := c.DescribeLoadBalancerStrategys(ctx, read)
	if err != nil {
		return nil, err
	}
	after, err := fingerprint(again)
	if err != nil {
		return nil, fmt.Errorf("cdslb: %s: %w", name, err)
	}
	if !bytes.Equal(before, after) {
		return nil, fmt.Errorf("cdslb: %s: %w on instance %s; read them again and retry", name, ErrListenersChanged, instanceUUID)
	}
	return c.ModifyLoadBalancerStrategys(ctx, &ModifyLoadBalancerStrategysRequest{
		InstanceUUID: instanceUUID, HTTPListeners: set.HTTPListeners, TCPListeners: set.TCPListeners})
}

// fingerprint is the listener set's wire form, sorted by name so that an
// answer listing the same listeners in another order is not a change. It is
// taken before the edit, so the edit cannot change it through shared slices.
func fingerprint(set *DescribeLoadBalancerStrategysResponse) ([]byte, error) {
	httpL, tcpL := slices.Clone(set.HTTPListeners), slices.Clone(set.TCPListeners)
	slices.SortStableFunc(httpL, func(a, b HTTPListener) int { return cmp.Compare(a.ListenerName, b.ListenerName) })
	slices.SortStableFunc(tcpL, func(a, b TCPListener) int { return cmp.Compare(a.ListenerName, b.ListenerName) })
	return json.Marshal([]any{httpL, tcpL})
}
