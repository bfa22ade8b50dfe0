package cdslb

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"sync/atomic"
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

// takeToken waits until the client's rate limit lets the attempt go, and
// returns the wait the limit imposed, as the client's clock
// (WithClock) waited it. An error wraps the context's error; the token is
// then given back. The first attempt of a write whose token was taken
// ahead (prepay) uses that token and does not wait again: the wait
// returned is the one taken ahead.
func (c *Client) takeToken(ctx context.Context, op operation, attempt int) (time.Duration, error) {
	if p, _ := ctx.Value(prepaidKey{}).(*prepaid); p != nil && attempt == 1 && !op.readOnly && p.used.CompareAndSwap(false, true) {
		return p.wait, nil
	}
	_, wait, err := c.reserve(ctx, op, attempt)
	return wait, err
}

// reserve waits for a token and returns its reservation and the wait.
func (c *Client) reserve(ctx context.Context, op operation, attempt int) (*rate.Reservation, time.Duration, error) {
	r := c.limiter.Reserve() // burst is at least 1, so a token always comes in time
	wait := r.Delay()
	if wait > 0 { // with none, a context that has ended is the attempt's to report
		if err := c.sleep(ctx, wait); err != nil {
			r.Cancel()
			return nil, 0, &TransportError{Action: op.action, Method: op.method, URL: c.base.String() + op.path, Attempts: attempt - 1,
				Err: fmt.Errorf("waiting %v for the rate limit: %w", wait.Round(time.Millisecond), err)}
		}
	}
	if c.logger != nil {
		c.logger.LogAttrs(ctx, slog.LevelDebug, "cdslb rate limit", slog.String("action", op.action),
			slog.Int("attempt", attempt), slog.Duration("waited", wait))
	}
	return r, wait, nil
}

// prepaid is a write's rate-limit token taken before the read that checks
// the state the write depends on, so that no wait for the limit sits
// between that check and the write (during which the state could change
// unseen). The write's first attempt uses it; retries take their own.
type prepaid struct {
	r    *rate.Reservation
	wait time.Duration // what taking it waited, reported as the write's (AttemptStart.RateLimitWait)
	used atomic.Bool
}

type prepaidKey struct{}

// prepay waits for the token of a write of action that is about to be
// checked. It is nil when the client has no rate limit.
func (c *Client) prepay(ctx context.Context, action string) (*prepaid, error) {
	if c.limiter == nil {
		return nil, nil
	}
	r, wait, err := c.reserve(ctx, operation{action: action, method: http.MethodPost, path: pathLB}, 1)
	if err != nil {
		return nil, err
	}
	return &prepaid{r: r, wait: wait}, nil
}

// spend returns the context in which the write uses the token.
func (p *prepaid) spend(ctx context.Context) context.Context {
	if p == nil {
		return ctx
	}
	return context.WithValue(ctx, prepaidKey{}, p)
}

// giveBack returns an unused token, when the write is not sent after all.
func (p *prepaid) giveBack() {
	if p != nil && p.used.CompareAndSwap(false, true) {
		p.r.Cancel()
	}
}
