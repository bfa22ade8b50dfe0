package cdslb

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// ErrWaitFailed is matched by the error of a waiter that saw the instance
// in a state from which it cannot reach the goal: a status containing
// "ERROR" or "FAIL", such as "CREATE_FAILED".
var ErrWaitFailed = errors.New("cdslb: the load balancer is in a failed state")

// WaitError is every error a waiter returns. Err is the cause, so errors.Is
// sees through it:
//   - ErrWaitFailed: the instance reached a failed status (Status says which);
//   - ErrResourceNotFound: the instance stayed missing from the list for
//     longer than the not-found grace (WithNotFoundGrace);
//   - context.DeadlineExceeded or context.Canceled: the context ended first;
//   - an *APIError or *ValidationError: a poll failed in a way that polling
//     again cannot fix (such as InvalidParameter or an authentication
//     error), or a transient failure (5xx, 429, transport) lasted over a minute;
//   - the error the caller's done function returned.
type WaitError struct {
	InstanceUUID string // the instance waited for
	Status       string // the last status seen; empty if it was never listed
	Err          error  // the cause
}

// Error names the instance, the last status seen and the cause.
func (e *WaitError) Error() string {
	s := "cdslb: waiting for load balancer " + e.InstanceUUID
	if e.Status != "" {
		s += " (last status " + e.Status + ")"
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *WaitError) Unwrap() error { return e.Err }

// WaitOption configures a waiter.
type WaitOption func(*waitConfig)

type waitConfig struct {
	minDelay, maxDelay time.Duration
	notFoundGrace      time.Duration
	// The clock, replaced in tests: sleep waits or returns ctx's error.
	sleep func(context.Context, time.Duration) error
	now   func() time.Time
}

// transientGrace is how long polls may fail in a row with errors that may
// pass (5xx, 429, transport) before the waiter gives up and returns the last.
const transientGrace = time.Minute

// WithPollInterval sets the delay between polls: it starts at min and grows
// by half each poll up to max, plus up to a tenth of random jitter (never
// above max). The defaults are 2 s and 30 s. A min that is not positive
// keeps the default; a max below min is taken as min.
func WithPollInterval(min, max time.Duration) WaitOption {
	return func(c *waitConfig) {
		if min > 0 {
			c.minDelay = min
		}
		c.maxDelay = max
	}
}

// WithNotFoundGrace sets how long the instance may be missing from
// DescribeLoadBalancers' list, or answered with ResourceNotFound, before a
// waiter that needs it (WaitUntilRunning, or a done function that returns
// false for nil) fails with ErrResourceNotFound. A just-created instance
// may take a moment to be listed. The default is one minute; 0 fails at
// the first poll that misses it.
func WithNotFoundGrace(d time.Duration) WaitOption {
	return func(c *waitConfig) { c.notFoundGrace = max(d, 0) }
}

// WaitUntil polls DescribeLoadBalancers for one instance until done says
// true, and returns the instance done accepted (nil if done accepted its
// absence). done gets nil when the instance is not listed or the service
// answers ResourceNotFound; when it returns an error, WaitUntil returns it.
//
// Polling also ends, with a *WaitError, when the context ends, when the
// instance's status contains "ERROR" or "FAIL" and done did not accept it
// (ErrWaitFailed), when the instance stays missing longer than the
// not-found grace, or when a poll fails with an error that polling again
// cannot fix. Errors that may pass (5xx, 429, InternalError, throttling,
// transport errors) are polled through for up to a minute in a row; no
// error other than ResourceNotFound is ever taken to mean the instance is
// gone. Polls are spaced as WithPollInterval says; the waits end at once
// when the context does, so give ctx the deadline you can afford.
func (c *Client) WaitUntil(ctx context.Context, instanceUUID string, done func(*LoadBalancer) (bool, error), opts ...WaitOption) (*LoadBalancer, error) {
	cfg := waitConfig{minDelay: 2 * time.Second, maxDelay: 30 * time.Second, notFoundGrace: time.Minute, sleep: c.sleep, now: time.Now}
	for _, opt := range opts {
		opt(&cfg)
	}
	cfg.maxDelay = max(cfg.maxDelay, cfg.minDelay)
	if strings.TrimSpace(instanceUUID) == "" {
		// An empty id would list every instance, and a deletion waiter
		// would report success.
		return nil, &ValidationError{Action: "WaitUntil", Field: "instanceUUID", Reason: "is required"}
	}

	w := &WaitError{InstanceUUID: instanceUUID}
	fail := func(err error) (*LoadBalancer, error) { w.Err = err; return nil, w }
	var missingSince, failingSince time.Time
	var lastErr error // the last transient failure, while they last
	delay := cfg.minDelay
	for {
		lb, err := c.pollInstance(ctx, instanceUUID)
		lastErr = err
		switch {
		case err != nil && ctx.Err() != nil:
			return fail(err) // wraps ctx's error
		case err != nil:
			if !transient(err) {
				return fail(err)
			}
			if failingSince.IsZero() {
				failingSince = cfg.now()
			}
			if cfg.now().Sub(failingSince) >= transientGrace {
				return fail(err)
			}
		default:
			failingSince = time.Time{}
			if lb != nil {
				w.Status = lb.Status
			}
			ok, err := done(lb)
			if err != nil {
				return fail(err)
			}
			if ok {
				return lb, nil
			}
			if lb != nil {
				missingSince = time.Time{}
				if s := strings.ToUpper(lb.Status); strings.Contains(s, "ERROR") || strings.Contains(s, "FAIL") {
					return fail(ErrWaitFailed)
				}
			} else {
				if missingSince.IsZero() {
					missingSince = cfg.now()
				}
				if missing := cfg.now().Sub(missingSince); missing >= cfg.notFoundGrace {
					return fail(fmt.Errorf("%w: not listed for %v", ErrResourceNotFound, missing.Round(time.Second)))
				}
			}
		}

		d := min(delay+rand.N(delay/10+1), cfg.maxDelay)
		if err := cfg.sleep(ctx, d); err != nil {
			if lastErr != nil {
				err = fmt.Errorf("%w (last poll: %v)", err, lastErr)
			}
			return fail(err)
		}
		delay = min(delay*3/2, cfg.maxDelay)
	}
}

// pollInstance returns the listed instance of that id, nil if it is not
// listed or the service answers ResourceNotFound.
func (c *Client) pollInstance(ctx context.Context, instanceUUID string) (*LoadBalancer, error) {
	resp, err := c.DescribeLoadBalancers(ctx, &DescribeLoadBalancersRequest{InstanceUUID: instanceUUID})
	if errors.Is(err, ErrResourceNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for i := range resp.LoadBalancers {
		if resp.LoadBalancers[i].InstanceUUID == instanceUUID {
			return &resp.LoadBalancers[i], nil
		}
	}
	return nil, nil
}

// transient reports whether a failed DescribeLoadBalancers may succeed if
// repeated: the errors the client retries for read-only actions (transport
// errors, 429, 5xx, InternalError, throttling), and ResourceInUse, which
// runs nothing. Everything else (4xx such as InvalidParameter or an
// authentication failure, a refused request) will fail again the same way.
func transient(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatus == http.StatusTooManyRequests || apiErr.HTTPStatus >= 500 ||
			apiErr.Code == "InternalError" || apiErr.Code == "ResourceInUse" || isThrottling(apiErr.Code)
	}
	var te *TransportError
	return errors.As(err, &te)
}

// WaitUntilRunning waits until the instance's status is RUNNING
// (StatusRunning) and returns it. Use it after CreateLoadBalancer and after
// every change that makes the instance busy. It fails with ErrWaitFailed on
// a status containing "ERROR" or "FAIL", and with ErrResourceNotFound if
// the instance is not listed within the not-found grace (WithNotFoundGrace,
// one minute by default); see WaitUntil for the rest.
func (c *Client) WaitUntilRunning(ctx context.Context, instanceUUID string, opts ...WaitOption) (*LoadBalancer, error) {
	return c.WaitUntil(ctx, instanceUUID, func(lb *LoadBalancer) (bool, error) {
		return lb != nil && lb.Status == StatusRunning, nil
	}, opts...)
}

// WaitUntilDeleted waits until the instance is gone: no longer listed by
// DescribeLoadBalancers, or answered with ResourceNotFound. Any other
// status (such as DELETING) keeps it polling, except one containing
// "ERROR" or "FAIL" (ErrWaitFailed); any other error is returned, never
// taken to mean the instance is gone. See WaitUntil for the rest.
func (c *Client) WaitUntilDeleted(ctx context.Context, instanceUUID string, opts ...WaitOption) error {
	_, err := c.WaitUntil(ctx, instanceUUID, func(lb *LoadBalancer) (bool, error) { return lb == nil, nil }, opts...)
	return err
}
