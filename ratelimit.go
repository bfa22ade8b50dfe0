package cdslb

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"time"

	"golang.org/x/time/rate"
)

// WithRateLimit makes the client send at most perSecond requests a second
// on average, in bursts of at most burst, counted over all the goroutines
// that share the client. Every attempt takes a token, retries included, and
// waits for one when none is left; the wait ends when the call's context
// ends, with an error that wraps the context's error (and nothing sent for
// that attempt). With WithLogger, a debug record gives each attempt's wait.
// The vendor documents no throttling code, so this is the one defence
// against sending faster than the service accepts. perSecond must be
// positive and finite, and burst at least 1.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(c *Client) error {
		if !(perSecond > 0) || math.IsInf(perSecond, 1) || burst < 1 {
			return fmt.Errorf("cdslb: WithRateLimit: the rate must be positive and finite and the burst at least 1, got %v and %d", perSecond, burst)
		}
		c.limiter = rate.NewLimiter(rate.Limit(perSecond), burst)
		return nil
	}
}

// takeToken waits until the rate limit lets the attempt go, if the client
// has one. An error wraps the context's error; the token is then given back.
func (c *Client) takeToken(ctx context.Context, op operation, attempt int) error {
	if c.limiter == nil {
		return nil
	}
	r := c.limiter.Reserve() // burst is at least 1, so a token always comes in time
	wait := r.Delay()
	if wait > 0 { // with none, a context that has ended is the attempt's to report
		if err := c.sleep(ctx, wait); err != nil {
			r.Cancel()
			return &TransportError{Action: op.action, Method: op.method, URL: c.base.String() + op.path, Attempts: attempt - 1,
				Err: fmt.Errorf("waiting %v for the rate limit: %w", wait.Round(time.Millisecond), err)}
		}
	}
	if c.logger != nil {
		c.logger.LogAttrs(ctx, slog.LevelDebug, "cdslb rate limit", slog.String("action", op.action),
			slog.Int("attempt", attempt), slog.Duration("waited", wait))
	}
	return nil
}
