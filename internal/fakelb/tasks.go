package fakelb

import (
	"container/heap"
	"time"
)

// taskQueue holds the busy instances by the time their task ends, soonest
// first, so that settling costs nothing for an instance that is not due:
// each request pays for the tasks that end, not for the instances there
// are.
type taskQueue struct {
	heap pendingTasks
	seq  uint64 // the last task number handed out
}

// pending is one task: in's busy state ends at at, if in is still busy
// with task number seq.
type pending struct {
	at  time.Time
	in  *instance
	seq uint64
}

// add queues the end of in's busy state at in.readyAt.
func (q *taskQueue) add(in *instance) {
	q.seq++
	in.task = q.seq
	heap.Push(&q.heap, pending{in.readyAt, in, q.seq})
}

// settle finishes every asynchronous task that has ended by now.
func (s *Server) settle(now time.Time) {
	q := &s.tasks
	for len(q.heap) > 0 && !now.Before(q.heap[0].at) {
		p := heap.Pop(&q.heap).(pending)
		if !p.in.deleted && p.in.busy != "" && p.in.task == p.seq {
			s.finish(p.in)
		}
	}
}

// pendingTasks is a min-heap by end time, for container/heap.
type pendingTasks []pending

func (h pendingTasks) Len() int           { return len(h) }
func (h pendingTasks) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h pendingTasks) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *pendingTasks) Push(x any)        { *h = append(*h, x.(pending)) }
func (h *pendingTasks) Pop() any {
	old := *h
	p := old[len(old)-1]
	old[len(old)-1] = pending{} // let a deleted instance go
	*h = old[:len(old)-1]
	return p
}
