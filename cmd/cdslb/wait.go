package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cdsgo/cdslb"
	"github.com/spf13/cobra"
)

// waitFlags adds --timeout and --poll-interval to a command that waits,
// and checks them before the command runs: a command that changes and then
// waits must refuse a bad value before it sends the change, since exit
// status 4 says nothing was sent.
func (a *app) waitFlags(c *cobra.Command) {
	c.Flags().DurationVar(&a.timeout, "timeout", 10*time.Minute, "give up waiting after this long (exit status 5)")
	c.Flags().DurationVar(&a.pollEvery, "poll-interval", 0, "poll this often while waiting (default: the library's schedule: at once, at 30s and 60s, then every 12s)")
	c.PreRunE = func(*cobra.Command, []string) error { return a.checkWaitFlags() }
}

// checkWaitFlags refuses a --timeout or --poll-interval out of range.
func (a *app) checkWaitFlags() error {
	if a.timeout <= 0 {
		return usageError{fmt.Errorf("--timeout %v: must be positive", a.timeout)}
	}
	if a.pollEvery < 0 {
		return usageError{fmt.Errorf("--poll-interval %v: must not be negative", a.pollEvery)}
	}
	if a.notFoundGrace < 0 {
		return usageError{fmt.Errorf("--not-found-grace %v: must not be negative", a.notFoundGrace)}
	}
	return nil
}

// goal is what a wait waits for.
type goal int

const (
	goalRunning goal = iota
	goalDeleted
)

func (g goal) String() string {
	if g == goalDeleted {
		return "deleted"
	}
	return "running"
}

// wait waits for one instance to reach the goal, bounded by --timeout,
// reporting each status it sees on stderr: on a terminal as one line that
// is rewritten with the elapsed time, otherwise one line per change. The
// wait only reads: Ctrl-C (ctx's end) or the timeout stops it, leaving
// the instance as it is, and the error says in which state.
func (a *app) wait(c *cdslb.Client, id string, g goal) (*cdslb.LoadBalancer, error) {
	if err := a.checkWaitFlags(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(a.ctx, a.timeout)
	defer cancel()
	opts := []cdslb.WaitOption{cdslb.WithNotFoundGrace(a.notFoundGrace)}
	if a.pollEvery > 0 {
		opts = append(opts, cdslb.WithPollInterval(a.pollEvery, a.pollEvery))
	}
	p := a.newProgress(id, g)
	defer p.stop()
	lb, err := c.WaitUntil(ctx, id, func(lb *cdslb.LoadBalancer) (bool, error) {
		status := "not listed"
		if lb != nil {
			status = inert(lb.Status)
		}
		p.saw(status)
		if g == goalDeleted {
			return lb == nil, nil
		}
		return lb != nil && lb.Status == cdslb.StatusRunning, nil
	}, opts...)
	p.stop()
	if err == nil {
		return lb, nil
	}
	last := p.last()
	switch {
	case a.ctx.Err() != nil:
		return nil, waitEndedError{fmt.Errorf("interrupted after %s: stopped waiting for load balancer %s to be %s, and left it as it was: %s; cdslb lb wait %s --for %s waits again", p.elapsed(), id, g, last, id, g)}
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		return nil, waitEndedError{fmt.Errorf("timed out after %s (--timeout): load balancer %s is not %s; it was left %s; cdslb lb wait %s --for %s waits again", a.timeout, id, g, last, id, g)}
	}
	return nil, err
}

// progress reports a wait's statuses on stderr.
type progress struct {
	a        *app
	id       string
	g        goal
	start    time.Time
	terminal bool

	mu      sync.Mutex
	status  string
	ended   bool // the line is ended: draw nothing more
	done    chan struct{}
	stopped sync.Once
}

func (a *app) newProgress(id string, g goal) *progress {
	p := &progress{a: a, id: id, g: g, start: a.now(), terminal: a.isTerminal(a.stderr), done: make(chan struct{})}
	if p.terminal {
		go p.tick()
	}
	return p
}

// saw records the status of one poll; a change is reported.
func (p *progress) saw(status string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if status == p.status {
		return
	}
	p.status = status
	if p.terminal {
		p.draw()
		return
	}
	fmt.Fprintf(p.a.stderr, "load balancer %s: %s (%s)\n", p.id, status, p.elapsedLocked())
}

// tick redraws the terminal line each second, so the elapsed time runs.
func (p *progress) tick() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-t.C:
			p.redraw()
		}
	}
}

// redraw draws the terminal line again, with the elapsed time.
func (p *progress) redraw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.draw()
}

func (p *progress) draw() {
	if p.ended {
		return
	}
	fmt.Fprintf(p.a.stderr, "\r\033[Kwaiting for load balancer %s to be %s: %s, %s", p.id, p.g, p.statusLocked(), p.elapsedLocked())
}

func (p *progress) stop() {
	p.stopped.Do(func() {
		close(p.done)
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.terminal {
			fmt.Fprintln(p.a.stderr)
		}
		p.ended = true
	})
}

func (p *progress) last() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.statusLocked()
}

func (p *progress) statusLocked() string {
	if p.status == "" {
		return "in an unknown state (no poll answered)"
	}
	return p.status
}

func (p *progress) elapsed() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.elapsedLocked()
}

func (p *progress) elapsedLocked() string { return p.a.now().Sub(p.start).Round(time.Second).String() }
