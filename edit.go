package cdslb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// This file holds the helpers that edit one listener of an instance by
// writing back the whole set, and what they share with ApplyListeners:
// the lock, the retry loop, and settling a write whose outcome is unknown.

// editAttempts is how many times UpdateListener and RemoveListener try an
// edit, at least, unless the policy sends every request once (NoRetry).
const editAttempts = 5

// UpdateListener changes one listener of an instance and keeps all the
// others, which ModifyLoadBalancerStrategys alone does not. It reads the
// listener set, calls update with a copy of the listener named
// listenerName (http for an HTTP listener, tcp for a TCP one; the other is
// nil), reads the set again and, if it is unchanged, sends the whole set
// with the one change (POST ModifyLoadBalancerStrategys). It returns that
// call's response, whose TaskID tracks the change; the instance is busy
// until it is RUNNING again (WaitUntilRunning).
//
// update may run more than once: when the set changed between the two
// reads (ErrListenersChanged), or, with RetryPolicy.RetryConflicts, when
// the service refused the write as busy (409 ResourceInUse), the edit
// starts again from the first read and calls update again on a fresh copy
// of the listener as it is then, as client-go's RetryOnConflict does. It
// tries at most RetryPolicy.MaxAttempts times, and at least 5 (once with
// NoRetry), waiting the policy's backoff between tries, within ctx. A set
// read before a 409 is never resent. update must therefore only change
// the listener it is given, from what it holds. It runs while the
// instance's lock is held, so it must not call this Client's listener
// writes for the same instance, which would wait for it.
//
// It fails, changing nothing, with a *ValidationError for an empty id or
// name or a nil update, with ErrListenerNotFound when no listener has that
// name, with ErrListenersUnreadable when the set cannot be read exactly (a
// listener's value, a field the library does not model, a list of
// listeners it does not know, two listeners of one name), with the error
// update returns, and with ErrListenersChanged or the 409 when the tries
// run out. The write's other errors are ModifyLoadBalancerStrategys'.
//
// When the write's outcome is unknown (ErrOutcomeUnknown: its answer was
// lost, or was a 5xx), it waits within ctx until the instance is RUNNING
// (polling from 1 s, growing to 10 s) and reads the set: the set it wrote is success (a response with no
// TaskID), another set is ErrListenersChanged (and the edit starts again),
// and a set that cannot tell which (still the set before the write, or not
// read) leaves ErrOutcomeUnknown.
//
// Within one Client, UpdateListener, RemoveListener and ApplyListeners on
// one instance run one at a time, each from its first read to the end of
// its write, and the write's rate-limit token (WithRateLimit) is taken
// before the second read: so they never lose each other's changes. The API
// has no version or ETag, so nothing is serialized across Clients or
// processes: another writer's change made between the second read and the
// write can be lost. Give each instance one owner (see the README's
// "Concurrency").
func (c *Client) UpdateListener(ctx context.Context, instanceUUID, listenerName string, update func(http *HTTPListener, tcp *TCPListener) error) (_ *ModifyLoadBalancerStrategysResponse, err error) {
	ctx, obs := c.startOperation(ctx, "UpdateListener", instanceUUID)
	defer obs.end(&err)
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
// (POST). It returns that call's response. It reads, checks, serializes,
// retries and settles as UpdateListener does, with the same errors.
func (c *Client) RemoveListener(ctx context.Context, instanceUUID, listenerName string) (_ *ModifyLoadBalancerStrategysResponse, err error) {
	ctx, obs := c.startOperation(ctx, "RemoveListener", instanceUUID)
	defer obs.end(&err)
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
// again from the read when the set changed or, with RetryConflicts, after
// the write's 409. It holds the instance's lock throughout, retries and
// their waits included: other edits of the instance on this Client would
// only find it busy, and would keep a waiting edit from its turn. edit gets the index of the named listener in the HTTP
// list (h) or the TCP list (t); the other index is -1.
func (c *Client) editListener(ctx context.Context, name, instanceUUID, listenerName string, edit func(set *DescribeLoadBalancerStrategysResponse, h, t int) error) (*ModifyLoadBalancerStrategysResponse, error) {
	if err := checkHelper(c, ctx, name); err != nil {
		return nil, err
	}
	if err := allOf(requiredArgument(name, "instanceUUID", instanceUUID), requiredArgument(name, "listenerName", listenerName)); err != nil {
		return nil, err
	}
	attempts := 1
	if c.retry.MaxAttempts > 1 {
		attempts = max(c.retry.MaxAttempts, editAttempts)
	}
	unlock, err := editing.lock(ctx, name, instanceKey{c, instanceUUID})
	if err != nil {
		return nil, err
	}
	defer unlock()
	return c.again(ctx, attempts, func(err error) bool { return errors.Is(err, ErrListenersChanged) || c.retryBusy(err) },
		func() (*ModifyLoadBalancerStrategysResponse, error) {
			return c.editOnce(ctx, name, instanceUUID, listenerName, edit)
		})
}

// editOnce reads, edits, reads again, compares and writes, once. Its
// write is never repeated on a 409: the set it sends was read before.
func (c *Client) editOnce(ctx context.Context, name, instanceUUID, listenerName string, edit func(set *DescribeLoadBalancerStrategysResponse, h, t int) error) (*ModifyLoadBalancerStrategysResponse, error) {
	set, err := c.readExactly(ctx, name, instanceUUID)
	if err != nil {
		return nil, err
	}
	h := slices.IndexFunc(set.HTTPListeners, func(l HTTPListener) bool { return l.ListenerName == listenerName })
	t := slices.IndexFunc(set.TCPListeners, func(l TCPListener) bool { return l.ListenerName == listenerName })
	if h >= 0 {
		t = -1
	} else if t < 0 {
		return nil, &editError{name, fmt.Sprintf("no listener named %q on instance %s", listenerName, instanceUUID), ErrListenerNotFound}
	}
	// The edit gets its own copy of the lists and of the listener it is
	// given, so that set stays as read, to compare with the second read.
	edited := &DescribeLoadBalancerStrategysResponse{HTTPListeners: slices.Clone(set.HTTPListeners), TCPListeners: slices.Clone(set.TCPListeners)}
	if h >= 0 {
		edited.HTTPListeners[h] = cloneHTTPListener(set.HTTPListeners[h])
	} else {
		edited.TCPListeners[t] = cloneTCPListener(set.TCPListeners[t])
	}
	if err := edit(edited, h, t); err != nil {
		return nil, err
	}
	write := &ModifyLoadBalancerStrategysRequest{InstanceUUID: instanceUUID, HTTPListeners: edited.HTTPListeners, TCPListeners: edited.TCPListeners}
	return c.checkAndWrite(ctx, name, set, write, func(ctx context.Context) (*ModifyLoadBalancerStrategysResponse, error) {
		resp, _, err := modifyLoadBalancerStrategys.run(ctx, c, write, rereadOnConflict)
		return resp, err
	})
}

// checkAndWrite is the end of every whole-set write, under the instance's
// lock (editing): it takes the write's rate-limit token, reads the set again and,
// if it is still before, writes want with write, then settles an unknown
// outcome. The token comes first, so that no wait for it sits between the
// check and the write.
func (c *Client) checkAndWrite(ctx context.Context, helper string, before *DescribeLoadBalancerStrategysResponse, want *ModifyLoadBalancerStrategysRequest,
	write func(context.Context) (*ModifyLoadBalancerStrategysResponse, error)) (*ModifyLoadBalancerStrategysResponse, error) {
	token, err := c.prepay(ctx, helper)
	if err != nil {
		return nil, err
	}
	defer token.giveBack() // if the write did not use it
	now, err := c.readExactly(ctx, helper, want.InstanceUUID)
	if err != nil {
		return nil, err
	}
	if !sameListeners(before, now) {
		again := "read them again and retry"
		if helper == "ApplyListeners" { // the caller reviewed the plan: it is not made again here
			again = "plan again"
		}
		return nil, changedError(helper, want.InstanceUUID, "since they were read; nothing was sent: "+again)
	}
	resp, err := write(token.spend(ctx))
	if err == nil || !errors.Is(err, ErrOutcomeUnknown) {
		return resp, err
	}
	return c.settle(ctx, helper, before, want, err)
}

// settle finds out, where it can, what a whole-set write whose outcome is
// unknown did: it waits within ctx until the instance is RUNNING (no
// longer busy with a change), reads the set and compares it with the set
// written (want, as the service lists it) and the set before. Written:
// success. Another set: ErrListenersChanged. Otherwise: writeErr, which
// matches ErrOutcomeUnknown, with what was found.
func (c *Client) settle(ctx context.Context, helper string, before *DescribeLoadBalancerStrategysResponse, want *ModifyLoadBalancerStrategysRequest, writeErr error) (*ModifyLoadBalancerStrategysResponse, error) {
	if ctx.Err() != nil {
		return nil, writeErr
	}
	// A listener change takes seconds: the creation schedule's first 30 s
	// pause would hold the instance's lock, and every edit waiting for it,
	// that long.
	if _, err := c.WaitUntilRunning(ctx, want.InstanceUUID, WithPollInterval(time.Second, 10*time.Second)); err != nil {
		return nil, fmt.Errorf("%w (waiting to read the listeners again: %w)", writeErr, err)
	}
	now, inexact, err := c.readListeners(ctx, &DescribeLoadBalancerStrategysRequest{InstanceUUID: want.InstanceUUID})
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w (reading the listeners again: %w)", writeErr, err)
	case inexact != "":
		return nil, fmt.Errorf("%w (the listeners read again, %s, cannot be compared)", writeErr, inexact)
	}
	written := &DescribeLoadBalancerStrategysResponse{TCPListeners: want.TCPListeners}
	for _, l := range want.HTTPListeners {
		l = cloneHTTPListener(l)
		asServed(&l, before.HTTPListeners)
		written.HTTPListeners = append(written.HTTPListeners, l)
	}
	switch {
	case sameListeners(now, written):
		return &ModifyLoadBalancerStrategysResponse{ResponseMeta: ResponseMeta{Code: "Success", Attempts: attemptsOf(writeErr),
			Message: "the answer was lost; the listeners read afterwards are the set written"}}, nil
	case sameListeners(now, before):
		return nil, fmt.Errorf("%w (the listeners read afterwards are still the set before the write, which may yet run)", writeErr)
	}
	return nil, changedError(helper, want.InstanceUUID, "after a write whose outcome was unknown ("+plain(writeErr)+"): another set is in place")
}

// attemptsOf is how many times the request of a failed call was sent.
func attemptsOf(err error) int {
	var ae *APIError
	var te *TransportError
	switch {
	case errors.As(err, &ae):
		return ae.Attempts
	case errors.As(err, &te):
		return te.Attempts
	}
	return 1
}

// changedError is ErrListenersChanged of a helper.
func changedError(helper, instanceUUID, when string) error {
	return &editError{helper, fmt.Sprintf("the listeners of instance %s changed %s", instanceUUID, when), ErrListenersChanged}
}

// retryBusy reports whether err is the service's refusal of a write as
// busy (refusedBusy), and the policy retries those (RetryConflicts).
func (c *Client) retryBusy(err error) bool {
	var ae *APIError
	return c.retry.RetryConflicts && errors.As(err, &ae) && refusedBusy(ae)
}

// again runs once up to attempts times while it fails with an error that
// retryable accepts, waiting the policy's backoff (or a 409's Retry-After,
// within MaxDelay) between runs, within ctx.
func (c *Client) again(ctx context.Context, attempts int, retryable func(error) bool, once func() (*ModifyLoadBalancerStrategysResponse, error)) (*ModifyLoadBalancerStrategysResponse, error) {
	for attempt := 1; ; attempt++ {
		resp, err := once()
		if err == nil || attempt >= attempts || !retryable(err) || ctx.Err() != nil {
			return resp, err
		}
		delay := c.backoff(attempt)
		var ae *APIError
		if errors.As(err, &ae) {
			delay = max(delay, min(ae.retryAfter, c.retry.MaxDelay))
		}
		if serr := c.sleep(ctx, delay); serr != nil {
			return nil, fmt.Errorf("%w (stopped waiting to retry: %w)", err, serr)
		}
	}
}

// editError is a helper's refusal or failure: it names the helper and what
// it found, and matches the sentinel of its kind.
type editError struct {
	helper, detail string
	sentinel       error
}

// Error bounds the detail, which may quote what the service chose.
func (e *editError) Error() string {
	return "cdslb: " + e.helper + ": " + boundText(e.detail, nil, maxErrorLen)
}
func (e *editError) Unwrap() error { return e.sentinel }
