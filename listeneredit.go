package cdslb

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
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

// ErrListenersUnreadable is matched by the error of UpdateListener and
// RemoveListener when the service listed a listener this library cannot
// read exactly: a value it could not read or read only approximately (a
// timeout in an unknown unit, a list that came as something else), or a
// field it does not model. Writing the set back would change that
// listener, so nothing was sent; the error names the listener and field.
// Change such a set with ModifyLoadBalancerStrategys, knowing what it sends.
var ErrListenersUnreadable = errors.New("cdslb: a listener cannot be read exactly, so the set cannot be written back")

// UpdateListener changes one listener of an instance and keeps all the
// others, which ModifyLoadBalancerStrategys alone does not. It reads the
// listener set, calls update with the listener named listenerName (http
// for an HTTP listener, tcp for a TCP one; the other is nil), reads the set
// again and, if it is unchanged, sends the whole set with the one change
// (POST ModifyLoadBalancerStrategys). It returns that call's response,
// whose TaskID tracks the change; the instance is busy until it is RUNNING
// again (WaitUntilRunning).
//
// It fails, changing nothing, with a *ValidationError for an empty id or
// name or a nil update, with ErrListenerNotFound when no listener has that
// name, with ErrListenersUnreadable when a listener of the set cannot be
// read exactly, with the error update returns, and with ErrListenersChanged
// when the set changed between the two reads. A set read before a 409
// ResourceInUse is never sent: with RetryPolicy.RetryConflicts the whole
// edit starts again from the first read, calling update again on a fresh
// copy, within the policy's attempts; without it the 409 is returned. The
// write's other errors are ModifyLoadBalancerStrategys' (ErrOutcomeUnknown
// when it may have run).
//
// The API has no version or ETag, so the second read narrows the window in
// which a concurrent change can be lost to the moment between it and the
// write; it cannot close it. Programs that edit one instance from several
// places should also serialize their edits.
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
// others, by sending the rest of the set with ModifyLoadBalancerStrategys
// (POST). It returns that call's response. It reads and checks the set as
// UpdateListener does, with the same errors, retries and limits.
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

// editListener is the read-modify-check-write both edits share, started
// again from the read after the write's 409 when the policy retries
// conflicts. edit gets the index of the named listener in the HTTP list
// (h) or the TCP list (t); the other index is -1.
func (c *Client) editListener(ctx context.Context, name, instanceUUID, listenerName string, edit func(set *DescribeLoadBalancerStrategysResponse, h, t int) error) (*ModifyLoadBalancerStrategysResponse, error) {
	switch {
	case c == nil || c.signer == nil:
		return nil, fmt.Errorf("cdslb: %s: the Client was not made by NewClient or NewClientFromEnv", name)
	case ctx == nil:
		return nil, &ValidationError{Action: name, Field: "ctx", Reason: "must not be nil; use context.Background()"}
	case strings.TrimSpace(instanceUUID) == "":
		return nil, &ValidationError{Action: name, Field: "instanceUUID", Reason: "is required"}
	case listenerName == "":
		return nil, &ValidationError{Action: name, Field: "listenerName", Reason: "is required"}
	}
	for attempt := 1; ; attempt++ {
		resp, err := c.editOnce(ctx, name, instanceUUID, listenerName, edit)
		var conflict *APIError
		if !errors.As(err, &conflict) || !errors.Is(conflict, ErrResourceInUse) {
			return resp, err
		}
		delay, again := c.retryDelay(ctx, lbPost("ModifyLoadBalancerStrategys"), conflict, attempt)
		if !again {
			return nil, err
		}
		if serr := c.sleep(ctx, delay); serr != nil {
			return nil, fmt.Errorf("%w (stopped waiting to retry: %w)", err, serr)
		}
	}
}

// editOnce reads, edits, reads again, compares and writes, once. Its write
// is never repeated on a 409: the set it sends was read before.
func (c *Client) editOnce(ctx context.Context, name, instanceUUID, listenerName string, edit func(set *DescribeLoadBalancerStrategysResponse, h, t int) error) (*ModifyLoadBalancerStrategysResponse, error) {
	read := &DescribeLoadBalancerStrategysRequest{InstanceUUID: instanceUUID}
	set, err := c.DescribeLoadBalancerStrategys(ctx, read)
	if err != nil {
		return nil, err
	}
	if set.inexact != "" {
		return nil, &editError{name, fmt.Sprintf("instance %s, %s, cannot be read exactly; nothing was sent", instanceUUID, set.inexact), ErrListenersUnreadable}
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
		return nil, &editError{name, fmt.Sprintf("no listener named %q on instance %s", listenerName, instanceUUID), ErrListenerNotFound}
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
	if again.inexact != "" || !bytes.Equal(before, after) {
		return nil, &editError{name, fmt.Sprintf("the listeners of instance %s changed during the edit; nothing was sent: read them again and retry", instanceUUID), ErrListenersChanged}
	}
	write := lbPost("ModifyLoadBalancerStrategys")
	write.rereadOnConflict = true
	return call[ModifyLoadBalancerStrategysResponse](ctx, c, write, &ModifyLoadBalancerStrategysRequest{
		InstanceUUID: instanceUUID, HTTPListeners: set.HTTPListeners, TCPListeners: set.TCPListeners})
}

// editError is a listener helper's refusal: it names the helper and what
// it found, and matches the sentinel of its kind.
type editError struct {
	helper, detail string
	sentinel       error
}

func (e *editError) Error() string { return "cdslb: " + e.helper + ": " + e.detail }
func (e *editError) Unwrap() error { return e.sentinel }

// fingerprint is the listener set's wire form, sorted by name so that an
// answer listing the same listeners in another order is not a change. It is
// taken before the edit, so the edit cannot change it through shared slices.
func fingerprint(set *DescribeLoadBalancerStrategysResponse) ([]byte, error) {
	httpL, tcpL := slices.Clone(set.HTTPListeners), slices.Clone(set.TCPListeners)
	slices.SortStableFunc(httpL, func(a, b HTTPListener) int { return cmp.Compare(a.ListenerName, b.ListenerName) })
	slices.SortStableFunc(tcpL, func(a, b TCPListener) int { return cmp.Compare(a.ListenerName, b.ListenerName) })
	return json.Marshal([]any{httpL, tcpL})
}
