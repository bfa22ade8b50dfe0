package cdslb

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// PendingCreatePeriod is how long a Client remembers a create by
// EnsureLoadBalancer or EnsureCertificate that has not shown up in a list:
// one whose outcome is unknown (its answer was lost and listing again did
// not find it), one the service accepted whose resource is not listed
// yet, and one whose call was ended by a panic (an Observer's) after it
// was sent. For that long, or until the resource shows up in a list, the
// Client's Ensure calls for the name list and wait for it, and never
// create it again. The service can take minutes to place an order; after
// this period a create that still has not shown up is taken to have
// failed.
const PendingCreatePeriod = 10 * time.Minute

// pendingCreates are a Client's creates not yet listed, by name. A create
// is pending from just before it is sent until its resource is listed or
// the service refuses it, so that no way out of the Ensure call between
// the two (an unknown outcome, a lagging list, a context that ends, a
// panic) lets the next call create again. Entries are dropped once found,
// refused or expired, so the map holds at most the names of the last
// PendingCreatePeriod.
type pendingCreates struct {
	mu    sync.Mutex
	until map[ensureKey]time.Time
}

// add remembers key as pending until now plus PendingCreatePeriod.
func (p *pendingCreates) add(key ensureKey, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.until == nil {
		p.until = map[ensureKey]time.Time{}
	}
	p.until[key] = now.Add(PendingCreatePeriod)
	p.expire(now)
}

// get returns until when key is pending, if it is at now.
func (p *pendingCreates) get(key ensureKey, now time.Time) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expire(now)
	until, ok := p.until[key]
	return until, ok
}

// done forgets key: its create has shown up.
func (p *pendingCreates) done(key ensureKey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.until, key)
}

// expire drops the entries whose period has passed at now.
func (p *pendingCreates) expire(now time.Time) {
	for k, until := range p.until {
		if !now.Before(until) {
			delete(p.until, k)
		}
	}
}

// creating runs create, the call that creates what key names, which is
// pending from just before it (pendingCreates). If the call does not
// return, as when an Observer's method or a caller's RoundTripper panics,
// and its request cannot have left (no attempt got past its StartAttempt,
// or was about to be sent), key is no longer pending: nothing was sent.
func creating[R any](ctx context.Context, c *Client, key ensureKey, create func(context.Context) (R, error)) (R, error) {
	var mayLeave atomic.Bool
	returned := false
	defer func() {
		if !returned && !mayLeave.Load() {
			c.pending.done(key)
		}
	}()
	r, err := create(context.WithValue(ctx, mayLeaveKey{}, &mayLeave))
	returned = true
	return r, err
}

// mayLeaveKey is the context key of a create's flag that its request may
// have left: an attempt was about to be sent, past its StartAttempt (see
// creating).
type mayLeaveKey struct{}

// markMayLeave sets ctx's flag, if it has one.
func markMayLeave(ctx context.Context) {
	if f, _ := ctx.Value(mayLeaveKey{}).(*atomic.Bool); f != nil {
		f.Store(true)
	}
}
