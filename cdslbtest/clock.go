package cdslbtest

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Clock is a manual clock for WithClock: it stands still until Advance or
// Sleep moves it. It is safe for concurrent use. A nil Clock reads the
// zero time and does not move.
type Clock struct {
	mu  sync.Mutex
	now time.Time
	// budgets maps the real deadline of a context that slept on the clock
	// to the clock's time at which it runs out; see Sleep.
	budgets map[time.Time]time.Time
}

// NewClock returns a Clock that reads start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	if c == nil {
		return time.Time{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (back, if d is negative).
func (c *Clock) Advance(d time.Duration) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// maxBudgets bounds how many context deadlines a Clock remembers.
const maxBudgets = 1024

// Sleep moves the clock forward by d at once, instead of waiting, and
// returns nil; it returns ctx's error at once, without moving, if ctx has
// ended. It is the sleep of cdslb.WithClock, which WithAutoAdvance gives
// the Server's clients, so that a client's waits take no real time.
//
// A context's deadline counts in the clock's time: the real time left
// before it, when the context first sleeps on the clock, is the clock's
// time it may sleep. A sleep that would pass it moves the clock to it and
// returns context.DeadlineExceeded, so that a wait that never ends (a
// status that never changes) ends after its deadline in the clock's time,
// not after polling for the deadline in real time. A nil Clock sleeps not
// at all.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if ctx == nil {
		return errors.New("cdslbtest: Clock.Sleep: nil context; use context.Background()")
	}
	if err := ctx.Err(); err != nil || c == nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	d = max(d, 0)
	if deadline, ok := ctx.Deadline(); ok {
		if c.budgets == nil {
			c.budgets = map[time.Time]time.Time{}
		}
		end, seen := c.budgets[deadline]
		if !seen {
			if len(c.budgets) >= maxBudgets {
				clear(c.budgets)
			}
			end = c.now.Add(time.Until(deadline))
			c.budgets[deadline] = end
		}
		if left := end.Sub(c.now); d >= left {
			c.now = c.now.Add(max(left, 0))
			return context.DeadlineExceeded
		}
	}
	c.now = c.now.Add(d)
	return nil
}
