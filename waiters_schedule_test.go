package cdslb

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waitSim runs WaitUntilRunning, the whole call path included, against an
// instance that becomes RUNNING ready into the wait, on a simulated
// clock with seeded jitter: no network, no real time. The service answers
// as the fake does: busy until now >= the ready time.
type waitSim struct {
	client  *Client
	elapsed time.Duration // since the wait began
	ready   time.Duration
	calls   int
	rng     *rand.Rand
}

func newWaitSim(t *testing.T) *waitSim {
	s := &waitSim{rng: rand.New(rand.NewPCG(13, 2))}
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		s.calls++
		status := "CREATING"
		if s.elapsed >= s.ready {
			status = StatusRunning
		}
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(listed(waitUUID, status))), Request: r}, nil
	})}
	c, err := NewClient("id", "secret", WithHTTPClient(hc), WithRetry(NoRetry))
	require.NoError(t, err)
	s.client = c
	return s
}

// clock is the WaitOption that puts the wait on the simulated clock; with
// noJitter it makes the pauses exact.
func (s *waitSim) clock(noJitter bool) WaitOption {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func(c *waitConfig) {
		c.now = func() time.Time { return start.Add(s.elapsed) }
		c.sleep = func(_ context.Context, d time.Duration) error { s.elapsed += d; return nil }
		c.jitter = func(n time.Duration) time.Duration {
			if noJitter {
				return 0
			}
			return time.Duration(s.rng.Int64N(int64(n)))
		}
	}
}

// run waits once for an instance ready after ready, and returns how late
// the waiter saw it and in how many calls.
func (s *waitSim) run(t *testing.T, ready time.Duration, noJitter bool, opts ...WaitOption) (late time.Duration, calls int) {
	s.elapsed, s.ready, s.calls = 0, ready, 0
	_, err := s.client.WaitUntilRunning(context.Background(), waitUUID, append(opts, s.clock(noJitter))...)
	require.NoError(t, err)
	return s.elapsed - ready, s.calls
}

// waitScore is one schedule's mean lateness and calls in one scenario.
type waitScore struct {
	late  time.Duration
	calls float64
}

func (w waitScore) String() string {
	return fmt.Sprintf("%4.1f s late, %4.1f calls", w.late.Seconds(), w.calls)
}

// TestWaitDefaultScheduleBeatsAFixedPoll measures the default schedule
// against 0.2.0's (2 s growing by half to 30 s, which WithPollInterval
// still gives) and a fixed 15 s poll without jitter, for an instance ready
// after 30 s, after 120 s, after every whole second from 60 s to 180 s,
// and, the price of sparing polls early, from 31 s to 59 s. It prints the
// README's table.
func TestWaitDefaultScheduleBeatsAFixedPoll(t *testing.T) {
	t.Parallel()
	sim := newWaitSim(t)
	type schedule struct {
		name     string
		noJitter bool
		opts     []WaitOption
	}
	schedules := []schedule{
		{"default (at once, 30 s, 60 s, then every 12 s)", false, nil},
		{"0.2.0 default (2 s, ×1.5 up to 30 s)", false, []WaitOption{WithPollInterval(2*time.Second, 30*time.Second)}},
		{"fixed 15 s poll, no jitter", true, []WaitOption{WithPollInterval(15*time.Second, 15*time.Second)}},
	}
	const runs = 40 // per single-time scenario, for the jitter
	scenarios := []struct {
		name  string
		ready []time.Duration
	}{
		{"ready after 30 s", repeat(30*time.Second, runs)},
		{"ready after 120 s", repeat(120*time.Second, runs)},
		{"ready within 60-180 s", seconds(60, 180)},
		{"ready within 31-59 s", seconds(31, 59)},
	}

	score := map[string]map[string]waitScore{}
	table := "\n| schedule"
	for _, sc := range scenarios {
		table += " | " + sc.name
	}
	table += " |\n|" + strings.Repeat(" --- |", len(scenarios)+1) + "\n"
	for _, sch := range schedules {
		score[sch.name] = map[string]waitScore{}
		table += "| " + sch.name
		for _, sc := range scenarios {
			var late time.Duration
			var calls int
			for _, ready := range sc.ready {
				l, c := sim.run(t, ready, sch.noJitter, sch.opts...)
				late, calls = late+l, calls+c
			}
			n := len(sc.ready)
			w := waitScore{late / time.Duration(n), float64(calls) / float64(n)}
			score[sch.name][sc.name] = w
			table += " | " + w.String()
		}
		table += " |\n"
	}
	t.Log(table)

	def, fixed := score[schedules[0].name], score[schedules[2].name]
	spread := def["ready within 60-180 s"]
	assert.LessOrEqual(t, spread.late, 7500*time.Millisecond)
	assert.LessOrEqual(t, spread.calls, 10.0)
	assert.Less(t, spread.late, fixed["ready within 60-180 s"].late, "later than a fixed 15 s poll")
	assert.Less(t, spread.calls, fixed["ready within 60-180 s"].calls, "more calls than a fixed 15 s poll")
	for _, sc := range scenarios[:2] {
		assert.LessOrEqual(t, def[sc.name].late, fixed[sc.name].late, "%s: later than a fixed 15 s poll", sc.name)
		assert.Less(t, def[sc.name].calls, fixed[sc.name].calls, "%s: not fewer calls than a fixed 15 s poll", sc.name)
	}
}

// seconds is every whole second from first to last.
func seconds(first, last int) (r []time.Duration) {
	for s := first; s <= last; s++ {
		r = append(r, time.Duration(s)*time.Second)
	}
	return r
}

// repeat is n times d.
func repeat(d time.Duration, n int) []time.Duration {
	r := make([]time.Duration, n)
	for i := range r {
		r[i] = d
	}
	return r
}
