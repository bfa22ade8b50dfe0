package fakelb

// The fake's benchmarks come in pairs, to be read as ratios: the fake's
// handler beside a canned handler that answers the same bytes, and each
// action at 10 instances beside the same action at 10,000. Run each pair
// in one process and repeat the whole run, so that the machine's drift
// falls on both sides of every ratio alike:
//
//	for i in $(seq 6); do go test -run '^$' -bench . -benchmem -count 1 ./internal/fakelb; done > fake.txt
//	benchstat -col /impl -filter '.name:DescribeHandler' fake.txt
//	benchstat -col /instances -filter '.name:Scale' fake.txt
//
// The nonce benchmarks report the memory a remembered SignatureNonce
// holds (B/nonce) and the longest time one request spends in the nonce
// memory (max-use-ns), which includes forgetting a minute's nonces
// (max-prune-ns).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// benchWriter is a reusable http.ResponseWriter that keeps the answer's
// status and body; the fake and the canned handler write into the same
// kind, so that its cost falls on both.
type benchWriter struct {
	header http.Header
	status int
	body   []byte
}

func (w *benchWriter) Header() http.Header { return w.header }

func (w *benchWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *benchWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.body = append(w.body, p...)
	return len(p), nil
}

func (w *benchWriter) reset() {
	clear(w.header)
	w.status = 0
	w.body = w.body[:0]
}

// serveBatches serves b.N requests made by next, in batches of size:
// making and signing a batch, and after (given the batch's answers), run
// with the timer stopped. With collect, a batch starts on a collected heap,
// so that a handler that allocates little does not pay for collecting the
// signing's garbage; a small batch must not collect, or each batch would
// pay for a collection of the whole heap, in cold caches. Every answer must
// be 200.
func serveBatches(b *testing.B, h http.Handler, size int, collect bool, next func() *http.Request, after func([]*benchWriter)) {
	ws := make([]*benchWriter, size)
	for i := range ws {
		ws[i] = &benchWriter{header: http.Header{}}
	}
	reqs := make([]*http.Request, 0, size)
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += len(reqs) {
		b.StopTimer()
		reqs = reqs[:0]
		for len(reqs) < size && done+len(reqs) < b.N {
			reqs = append(reqs, next())
		}
		if collect {
			runtime.GC()
		}
		b.StartTimer()
		for i, r := range reqs {
			ws[i].reset()
			h.ServeHTTP(ws[i], r)
		}
		b.StopTimer()
		for i := range reqs {
			if ws[i].status != http.StatusOK {
				b.Fatalf("answer %d: %s", ws[i].status, ws[i].body)
			}
		}
		if after != nil {
			after(ws[:len(reqs)])
		}
		b.StartTimer()
	}
}

// cannedHandler answers every request with body, as the fake answers, and
// does nothing else: the floor of a handler.
func cannedHandler(body []byte) http.Handler {
	length := strconv.Itoa(len(body))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", length)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})
}

// benchFakes holds one fake per instance count, seeded once per process:
// seeding 10,000 instances takes a while, and the benchmarks leave the
// count as they found it.
var benchFakes struct {
	sync.Mutex
	byCount map[int]*benchFake
}

type benchFake struct {
	srv *Server
	ids []string // the seeded instances, in creation order
}

func fakeWith(b *testing.B, instances int) *benchFake {
	benchFakes.Lock()
	defer benchFakes.Unlock()
	if f := benchFakes.byCount[instances]; f != nil {
		return f
	}
	f := &benchFake{srv: New(Config{AccessKeyID: testKeyID, AccessKeySecret: testSecret, Now: func() time.Time { return t0 }, Seed: 1})}
	body, _ := json.Marshal(createBody())
	for range instances {
		w := direct(b, f.srv, http.MethodPost, "CreateLoadBalancer", body)
		var created struct {
			Data struct{ InstancesUuid []string }
		}
		if err := json.Unmarshal(w.body, &created); err != nil {
			b.Fatal(err)
		}
		f.ids = append(f.ids, created.Data.InstancesUuid...)
	}
	if benchFakes.byCount == nil {
		benchFakes.byCount = map[int]*benchFake{}
	}
	benchFakes.byCount[instances] = f
	return f
}

// direct runs an action through the fake's Direct handler and insists on
// Success.
func direct(tb testing.TB, s *Server, method, action string, body []byte) *benchWriter {
	tb.Helper()
	r := httptest.NewRequest(method, "http://fake/lb/?Action="+action, bytes.NewReader(body))
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	w := &benchWriter{header: http.Header{}}
	s.Direct().ServeHTTP(w, r)
	if w.status != http.StatusOK {
		tb.Fatalf("%s: %d %s", action, w.status, w.body)
	}
	return w
}

// describeOne is the waiter's poll: DescribeLoadBalancers of one instance.
func (f *benchFake) describeOne(b *testing.B) *http.Request {
	return signedRequest(b, "http://fake", t0, "DescribeLoadBalancers", map[string]string{"InstanceUuid": f.ids[len(f.ids)/2]})
}

// BenchmarkDescribeHandler is the handler time of a waiter's poll on a fake
// with 10 instances, beside a canned handler that answers the same bytes.
func BenchmarkDescribeHandler(b *testing.B) {
	f := fakeWith(b, 10)
	w := &benchWriter{header: http.Header{}}
	f.srv.ServeHTTP(w, f.describeOne(b))
	canned := cannedHandler(bytes.Clone(w.body))
	b.Run("impl=canned", func(b *testing.B) {
		r := f.describeOne(b) // the canned handler never looks at it
		serveBatches(b, canned, 512, true, func() *http.Request { return r }, nil)
	})
	b.Run("impl=fake", func(b *testing.B) {
		serveBatches(b, f.srv, 512, true, func() *http.Request { return f.describeOne(b) }, nil)
	})
}

// BenchmarkScale runs the same requests against 10 and 10,000 instances:
// a create (each batch's instances deleted again, untimed, so that the
// count stays) and a waiter's poll.
func BenchmarkScale(b *testing.B) {
	body := createBody()
	for _, action := range []string{"Create", "Describe"} {
		for _, n := range []int{10, 10000} {
			b.Run(fmt.Sprintf("action=%s/instances=%d", action, n), func(b *testing.B) {
				f := fakeWith(b, n)
				if action == "Describe" {
					serveBatches(b, f.srv, 512, true, func() *http.Request { return f.describeOne(b) }, nil)
					return
				}
				serveBatches(b, f.srv, 8, false, func() *http.Request {
					return signedRequest(b, "http://fake", t0, "CreateLoadBalancer", body)
				}, func(answers []*benchWriter) { f.deleteCreated(b, answers) })
			})
		}
	}
}

// deleteCreated deletes the instances that Create answers name, and has
// the fake settle the deletes, without signatures or the timer.
func (f *benchFake) deleteCreated(b *testing.B, answers []*benchWriter) {
	for _, w := range answers {
		var created struct {
			Data struct{ InstancesUuid []string }
		}
		if err := json.Unmarshal(w.body, &created); err != nil {
			b.Fatal(err)
		}
		for _, id := range created.Data.InstancesUuid {
			direct(b, f.srv, http.MethodPost, "DeleteLoadBalancer", []byte(`{"InstanceUuid":"`+id+`"}`))
		}
	}
	direct(b, f.srv, http.MethodPost, "ModifyLoadBalancerName", []byte(`{"InstanceUuid":"`+f.ids[0]+`","InstanceName":"x"}`))
}

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkNonceMemory sends signed requests with vendor-style UUID nonces,
// all within one minute, and reports the live heap they leave behind per
// request: what the fake keeps to refuse a replay.
func BenchmarkNonceMemory(b *testing.B) {
	s := New(Config{AccessKeyID: testKeyID, AccessKeySecret: testSecret, Now: func() time.Time { return t0 }, Seed: 1})
	var seq uint64
	next := func() *http.Request {
		seq++
		q := signQuery(http.MethodGet, "DescribeZones", testKeyID, testSecret, t0, uuidNonce(seq), nil)
		return httptest.NewRequest(http.MethodGet, "http://fake/lb/?"+q, nil)
	}
	s.ServeHTTP(&benchWriter{header: http.Header{}}, next()) // the first request allocates the sets
	before := heapInUse()
	serveBatches(b, s, 512, true, next, nil)
	b.StopTimer()
	after := heapInUse()
	b.ReportMetric(float64(int64(after)-int64(before))/float64(b.N), "B/nonce")
	runtime.KeepAlive(s)
}

// uuidNonce spells a distinct, scrambled UUID for each n, as the vendor's
// nonces are UUIDs.
func uuidNonce(n uint64) string {
	const hex = "0123456789abcdef"
	x := [2]uint64{n * 0x9e3779b97f4a7c15, n ^ 0x5851f42d4c957f2d}
	var b [36]byte
	j := 0
	for i := range 32 {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b[j] = '-'
			j++
		}
		b[j] = hex[x[i/16]>>(60-4*(i%16))&15]
		j++
	}
	return string(b[:])
}

// BenchmarkNoncePrune remembers 32,768 nonces per minute of the fake's
// clock; one op is one minute. At steady state about 16 minutes of nonces
// (half a million) are held, and each new minute forgets the oldest one.
// It reports the longest single check (max-use-ns) and the longest check
// that started a minute, which is when expired nonces are forgotten
// (max-prune-ns), in real time; and on Linux the same in the thread's CPU
// time (max-use-cpu-ns, max-prune-cpu-ns), which leaves out the time the
// thread waited while a busy machine ran other work.
func BenchmarkNoncePrune(b *testing.B) {
	const perMinute = 32768
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var m nonceMemory
	now := t0
	var seq uint64
	var maxUse, maxPrune, maxUseCPU, maxPruneCPU time.Duration
	nonces := make([]string, perMinute)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		for i := range nonces {
			seq++
			nonces[i] = uuidNonce(seq)
		}
		b.StartTimer()
		for i, n := range nonces {
			cpu, _ := threadCPU()
			start := time.Now()
			if !m.use(n, now.Add(clockSkew), now) {
				b.Fatal("a fresh nonce counted as used")
			}
			d := time.Since(start)
			cpuAfter, ok := threadCPU()
			dCPU := cpuAfter - cpu
			maxUse, maxUseCPU = max(maxUse, d), max(maxUseCPU, dCPU)
			if i == 0 {
				maxPrune, maxPruneCPU = max(maxPrune, d), max(maxPruneCPU, dCPU)
			}
			if !ok {
				maxUseCPU, maxPruneCPU = -1, -1
			}
		}
		now = now.Add(time.Minute)
	}
	b.ReportMetric(float64(maxUse.Nanoseconds()), "max-use-ns")
	b.ReportMetric(float64(maxPrune.Nanoseconds()), "max-prune-ns")
	if maxUseCPU >= 0 {
		b.ReportMetric(float64(maxUseCPU.Nanoseconds()), "max-use-cpu-ns")
		b.ReportMetric(float64(maxPruneCPU.Nanoseconds()), "max-prune-cpu-ns")
	}
}
