package cdslb

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// WaitOption configures one call of a waiter (WaitUntilRunning, WaitUntil):
// WithPollInterval sets how often it polls and WithNotFoundGrace how long
// the instance may be missing. Options apply in order, so a later one wins.
type WaitOption func(*waitConfig)

type waitConfig struct {
	// The pauses between polls: those of opening in order, then from
	// minDelay each half as long again as the one before, up to maxDelay;
	// each plus up to a twentieth of jitter when jittered.
	opening            []time.Duration
	minDelay, maxDelay time.Duration
	jittered           bool
	notFoundGrace      time.Duration
	// The clock and the jitter, replaced in tests: sleep waits or returns
	// ctx's error; jitter returns a random duration in [0, n).
	sleep  func(context.Context, time.Duration) error
	now    func() time.Time
	jitter func(n time.Duration) time.Duration
}

// The default schedule is made for a creation, which typically takes
// 60-180 s: a poll at once, for an instance that is running already (such
// as one EnsureLoadBalancer found), then at 30 s and 60 s, while it is
// rarely ready, then every 12 s. It has no jitter: waiters of different
// instances start when their changes are accepted, which spreads them.
// waiters_schedule_test.go measures it against 0.2.0's schedule (2 s
// growing to 30 s) and a fixed 15 s poll.
var defaultOpening = []time.Duration{30 * time.Second, 30 * time.Second}

const defaultPause = 12 * time.Second

// transientGrace is how long polls may fail in a row with errors that may
// pass (5xx, 429, transport) before the waiter gives up and returns the last.
const transientGrace = time.Minute

// WithPollInterval sets the delay between polls: it starts at min and grows
// by half each poll up to max, each delay plus up to a twentieth of random
// jitter, so that waiters started together do not poll together. A min
// that is not positive is taken as 30 s; a max below min is taken as min.
// Delays saturate: a huge min (up to math.MaxInt64, about 292 years)
// pauses that long, or until the context ends.
//
// Without it, a waiter polls at once, then at 30 s and 60 s, then every
// 12 s. That suits a creation, which typically takes 60-180 s: it sees the
// instance running 5.5 s late on average, in 8.5 calls, where a fixed 15 s
// poll is 6.9 s late in 9.5 (the README's table). After a change that
// takes seconds, such as a listener edit, pass a shorter start, such as
// WithPollInterval(time.Second, 10*time.Second).
func WithPollInterval(min, max time.Duration) WaitOption {
	return func(c *waitConfig) {
		if min <= 0 {
			min = 30 * time.Second
		}
		c.opening, c.minDelay, c.maxDelay, c.jittered = nil, min, max, true
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
// SignatureNonceUsed, transport errors, malformed answers) are polled
// through for up to a minute in a row; no error other than
// ResourceNotFound is ever taken to mean the instance is gone, and a
// malformed answer (ErrMalformedAnswer) never means gone or running. Polls are spaced as WithPollInterval says; the waits end at once
// when the context does, so give ctx the deadline you can afford.
func (c *Client) WaitUntil(ctx context.Context, instanceUUID string, done func(*LoadBalancer) (bool, error), opts ...WaitOption) (_ *LoadBalancer, err error) {
	ctx, obs := c.startOperation(ctx, "WaitUntil", instanceUUID)
	defer obs.end(&err)
	switch {
	case c == nil || c.signer == nil:
		return nil, errors.New("cdslb: WaitUntil: the Client was not made by NewClient or NewClientFromEnv")
	case done == nil:
		return nil, &ValidationError{Action: "WaitUntil", Field: "done", Reason: "must not be nil"}
	case ctx == nil:
		return nil, &ValidationError{Action: "WaitUntil", Field: "ctx", Reason: "must not be nil; use context.Background()"}
	}
	// An empty id would list every instance, and a deletion waiter would
	// report success.
	if err := requiredArgument("WaitUntil", "instanceUUID", instanceUUID); err != nil {
		return nil, err
	}
	cfg, err := c.waitConfig("WaitUntil", opts)
	if err != nil {
		return nil, err
	}

	w := &WaitError{InstanceUUID: instanceUUID}
	fail := func(err error) (*LoadBalancer, error) { w.Err = err; return nil, w }
	var missingSince, failingSince time.Time
	var lastErr error // the last transient failure, while they last
	for polls := 0; ; polls++ {
		lb, red, err := c.pollInstance(ctx, instanceUUID)
		lastErr = err
		switch {
		case err != nil && ctx.Err() != nil:
			return fail(err) // wraps ctx's error
		case err != nil:
			if !mayPass(err) {
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
				w.Status = boundMessage(lb.Status, red)
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

		if _, err := cfg.pause(ctx, polls); err != nil {
			if lastErr != nil {
				err = fmt.Errorf("%w (last poll: %s)", err, strings.TrimPrefix(lastErr.Error(), "cdslb: "))
			}
			return fail(err)
		}
	}
}

// waitConfig applies the options to the defaults, refusing a nil one.
func (c *Client) waitConfig(helper string, opts []WaitOption) (waitConfig, error) {
	cfg := waitConfig{opening: defaultOpening, minDelay: defaultPause, maxDelay: defaultPause, notFoundGrace: time.Minute,
		sleep: c.sleep, now: c.timeNow, jitter: rand.N[time.Duration]}
	for i, opt := range opts {
		if opt == nil {
			return cfg, &ValidationError{Action: helper, Field: fmt.Sprintf("opts[%d]", i), Reason: "must not be nil"}
		}
		opt(&cfg)
	}
	cfg.maxDelay = max(cfg.maxDelay, cfg.minDelay)
	return cfg, nil
}

// pause waits after poll n (from 0) as the schedule says, or until ctx
// ends (its error), and returns the time waited.
func (cfg *waitConfig) pause(ctx context.Context, n int) (time.Duration, error) {
	d := cfg.delay(n)
	if cfg.jittered {
		d = addSaturated(d, cfg.jitter(d/20+1))
	}
	if err := cfg.sleep(ctx, d); err != nil {
		return 0, err
	}
	return d, nil
}

// delay is the schedule's pause after poll n, before jitter.
func (cfg *waitConfig) delay(n int) time.Duration {
	if n < len(cfg.opening) {
		return cfg.opening[n]
	}
	d := cfg.minDelay
	for range n - len(cfg.opening) {
		if d >= cfg.maxDelay {
			break
		}
		d = addSaturated(d, d/2)
	}
	return min(d, cfg.maxDelay)
}

// addSaturated returns a+b for durations that are not negative, or the
// longest duration there is when the sum overflows: a huge pause stays
// huge, ended by the context, never a negative one that ends at once.
func addSaturated(a, b time.Duration) time.Duration {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// pollInstance returns the listed instance of that id, nil if it is not
// listed or the service answers ResourceNotFound, and the redactor of the
// request answered, to bound what is quoted of the answer.
func (c *Client) pollInstance(ctx context.Context, instanceUUID string) (*LoadBalancer, *redactor, error) {
	ctx, answered := withRedactorSlot(ctx)
	resp, err := c.DescribeLoadBalancers(ctx, &DescribeLoadBalancersRequest{InstanceUUID: instanceUUID})
	if errors.Is(err, ErrResourceNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	for i := range resp.LoadBalancers {
		if resp.LoadBalancers[i].InstanceUUID == instanceUUID {
			return &resp.LoadBalancers[i], answered.r, nil
		}
	}
	return nil, nil, nil
}

// WaitUntilRunning waits until the instance's status is RUNNING
// (StatusRunning) and returns it. Use it after CreateLoadBalancer and after
// every change that makes the instance busy. It fails with ErrWaitFailed on
// a status containing "ERROR" or "FAIL", and with ErrResourceNotFound if
// the instance is not listed within the not-found grace (WithNotFoundGrace,
// one minute by default); see WaitUntil for the rest.
func (c *Client) WaitUntilRunning(ctx context.Context, instanceUUID string, opts ...WaitOption) (_ *LoadBalancer, err error) {
	ctx, obs := c.startOperation(ctx, "WaitUntilRunning", instanceUUID)
	defer obs.end(&err)
	return c.WaitUntil(ctx, instanceUUID, func(lb *LoadBalancer) (bool, error) {
		return lb != nil && lb.Status == StatusRunning, nil
	}, opts...)
}

// WaitUntilDeleted waits until the instance is gone: no longer listed by
// DescribeLoadBalancers, or answered with ResourceNotFound. Any other
// status (such as DELETING) keeps it polling, except one containing
// "ERROR" or "FAIL" (ErrWaitFailed); any other error is returned, never
// taken to mean the instance is gone. See WaitUntil for the rest.
func (c *Client) WaitUntilDeleted(ctx context.Context, instanceUUID string, opts ...WaitOption) (err error) {
	ctx, obs := c.startOperation(ctx, "WaitUntilDeleted", instanceUUID)
	defer obs.end(&err)
	_, err = c.WaitUntil(ctx, instanceUUID, func(lb *LoadBalancer) (bool, error) { return lb == nil, nil }, opts...)
	return err
}
