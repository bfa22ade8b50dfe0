package fakelb

import (
	"sort"
	"sync/atomic"
)

// OtherActions names the one bucket that counts every request whose Action
// is not an action the fake serves, or is missing: Requests(OtherActions),
// like Requests of any such name, reads it.
const OtherActions = "(other)"

// counter counts requests per action. Its slots are fixed when the fake is
// made, one per action of routes and one for every other name, so that
// counting stores nothing: a stranger who sends a million made-up action
// names, signed or not, moves one number.
type counter struct {
	slot  map[string]int // index into n, by action name; read-only
	n     []atomic.Int64 // the last slot is OtherActions
	other int
}

func newCounter() counter {
	names := make([]string, 0, len(routes))
	for name := range routes {
		names = append(names, name)
	}
	sort.Strings(names)
	c := counter{slot: make(map[string]int, len(names)), n: make([]atomic.Int64, len(names)+1), other: len(names)}
	for i, name := range names {
		c.slot[name] = i
	}
	return c
}

// index returns the slot of an action name.
func (c *counter) index(action string) int {
	if i, ok := c.slot[action]; ok {
		return i
	}
	return c.other
}

func (c *counter) add(action string) { c.n[c.index(action)].Add(1) }

// Requests reports how many requests named the action in their Action
// parameter, whatever their outcome (refused, faulted or served). The
// action "*" counts every request. Every name that is not an action the
// fake serves, and a missing Action, count together in one bucket, which
// Requests of any such name reads (OtherActions names it).
func (s *Server) Requests(action string) int {
	if action == "*" {
		total := int64(0)
		for i := range s.counts.n {
			total += s.counts.n[i].Load()
		}
		return int(total)
	}
	return int(s.counts.n[s.counts.index(action)].Load())
}
