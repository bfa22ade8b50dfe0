package cdslb

import (
	"sync"
	"time"
)

// PendingCreatePeriod is how long a Client remembers a create by
// EnsureLoadBalancer or EnsureCertificate whose outcome is unknown (its
// answer was lost and listing again did not find it): for that long, or
// until the resource shows up in a list, the Client's Ensure calls for
// the name list and wait for it, and never create it again. The service
// can take minutes to place an order; after this period a create that
// still has not shown up is taken to have failed.
const PendingCreatePeriod = 10 * time.Minute

// pendingCreates are a Client's creates of unknown outcome, by name.
// Entries are dropped once found or expired, so the map holds at most the
// names of the last PendingCreatePeriod.
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
