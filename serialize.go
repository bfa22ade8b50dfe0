package cdslb

import (
	"context"
	"fmt"
	"sync"
)

// This file holds what one Client serializes: the whole-set listener
// writes of one instance (editing) and the find-or-create helpers of one
// name (ensuring, in ensure.go). Nothing is serialized across Clients or
// processes: the API has no version or ETag to make a write conditional.

// editing serializes, within one Client, the helpers that read an
// instance's listener set and write a whole set back (UpdateListener,
// RemoveListener, ApplyListeners), from their first read to the end of
// their write, so that none writes back a set another has changed in the
// meantime. Other instances, and other Clients, proceed in parallel.
var editing keyedLock[instanceKey]

// instanceKey is what editing serializes on.
type instanceKey struct {
	c        *Client
	instance string
}

func (k instanceKey) what() string { return "listeners of load balancer " + k.instance }

// keyedLock is a mutex per key, held only while in use: an entry is
// removed when nobody holds or waits for it, so the map holds only the
// keys in use.
type keyedLock[K interface {
	comparable
	what() string // names the key in the error of a waiter whose context ended
}] struct {
	mu   sync.Mutex
	held map[K]*keyedEntry
}

type keyedEntry struct {
	sem   chan struct{} // holds a token while the key is locked
	users int           // holders and waiters
}

// lock waits until key is free and locks it, or until ctx ends, and
// returns the function that unlocks it.
func (k *keyedLock[K]) lock(ctx context.Context, helper string, key K) (unlock func(), err error) {
	k.mu.Lock()
	e := k.held[key]
	if e == nil {
		if k.held == nil {
			k.held = map[K]*keyedEntry{}
		}
		e = &keyedEntry{sem: make(chan struct{}, 1)}
		k.held[key] = e
	}
	e.users++
	k.mu.Unlock()
	release := func() {
		k.mu.Lock()
		if e.users--; e.users == 0 {
			delete(k.held, key)
		}
		k.mu.Unlock()
	}
	select {
	case e.sem <- struct{}{}:
		return func() { <-e.sem; release() }, nil
	case <-ctx.Done():
		release()
		return nil, fmt.Errorf("cdslb: %s: waiting for another call on the %s on this client: %w", helper, key.what(), ctx.Err())
	}
}

// oneWriter runs write, a listener action's call, under the instance's
// lock (editing), so that on one Client an AddLoadBalancerStrategys or
// ModifyLoadBalancerStrategys never lands between an edit's check read and
// its write, where the edit would undo it. Without what the lock needs (a
// Client made by NewClient, a context), write runs alone and refuses.
func oneWriter[R any](ctx context.Context, c *Client, action, instanceUUID string, write func() (*R, error)) (*R, error) {
	if c == nil || c.signer == nil || ctx == nil {
		return write()
	}
	unlock, err := editing.lock(ctx, action, instanceKey{c, instanceUUID})
	if err != nil {
		return nil, err
	}
	defer unlock()
	return write()
}

// instanceOf is the instance a listener write names, "" for none.
func instanceOf[R interface {
	*ModifyLoadBalancerStrategysRequest | *AddLoadBalancerStrategysRequest
}](req R) string {
	switch r := any(req).(type) {
	case *ModifyLoadBalancerStrategysRequest:
		if r != nil {
			return r.InstanceUUID
		}
	case *AddLoadBalancerStrategysRequest:
		if r != nil {
			return r.InstanceUUID
		}
	}
	return ""
}
