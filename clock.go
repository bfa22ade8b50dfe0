package cdslb

import (
	"context"
	"errors"
	"time"
)

// WithClock replaces the clock the client waits on: now reads the time,
// and sleep waits d, or less if ctx ends first, in which case it returns
// ctx's error. It drives every wait of the client: the pauses between the
// polls of the waiters (WaitUntil, WaitUntilRunning, WaitUntilDeleted)
// and of EnsureLoadBalancer, their grace periods, the backoff between
// retries (a Retry-After date is still read against the real time) and the
// waits for WithRateLimit's tokens, which the limiter computes in real
// time. Signatures keep the real time, which the service checks. Either
// argument nil is an error.
//
// It is made for tests. cdslbtest.WithAutoAdvance gives a test server's
// clients a clock whose sleep moves the fake's time forward at once, so
// that code which creates a load balancer and waits for it runs through
// the busy states in milliseconds, with the library's own polling
// schedule.
func WithClock(now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) error {
		if now == nil || sleep == nil {
			return errors.New("cdslb: WithClock: now and sleep must not be nil")
		}
		c.now, c.sleep = now, sleep
		return nil
	}
}

// timeNow reads the client's clock: WithClock's, or the real time.
func (c *Client) timeNow() time.Time {
	if c.now == nil {
		return time.Now()
	}
	return c.now()
}
