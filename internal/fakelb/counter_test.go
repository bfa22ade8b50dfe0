package fakelb

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestUnsignedFloodStoresNothing: 100 MiB of unsigned requests, each
// naming a distinct 256 KiB action, grow the fake's heap by at most 8 MiB.
// They are counted, all in the one bucket of names that are not actions.
// The handler is called directly: what the fake keeps does not depend on
// the bytes having crossed a socket.
func TestUnsignedFloodStoresNothing(t *testing.T) {
	srv := New(Config{AccessKeyID: testKeyID, AccessKeySecret: testSecret, Now: func() time.Time { return t0 }})
	const nameSize, total = 256 << 10, 100 << 20
	name := []byte(strings.Repeat("A", nameSize))
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	// One request first, so that lazily made tables are not counted.
	srv.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/lb/?Action=DescribeZones", nil))
	before := heap()
	n := total / nameSize
	for i := range n {
		copy(name, strconv.Itoa(i)) // distinct, and still 256 KiB
		// Made by hand: parsing a 256 KiB URL is most of the time under -race.
		r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/lb/", RawQuery: "Action=" + string(name)}, Header: http.Header{}, Body: http.NoBody}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != http.StatusBadRequest {
			t.Fatalf("unsigned request: status %d, want 400", w.Code)
		}
	}
	after := heap()
	if grown := int64(after) - int64(before); grown > 8<<20 {
		t.Errorf("%d unsigned requests with distinct 256 KiB actions grew the heap by %.1f MiB, want at most 8", n, float64(grown)/(1<<20))
	}
	if got := srv.Requests("*"); got != n+1 {
		t.Errorf("Requests(*) = %d, want %d", got, n+1)
	}
	if got := srv.Requests(OtherActions); got != n {
		t.Errorf("Requests(OtherActions) = %d, want %d: every unknown name counts in one bucket", got, n)
	}
	if got := srv.Requests("DescribeZones"); got != 1 {
		t.Errorf("Requests(DescribeZones) = %d, want 1", got)
	}
}

// TestRequestsOfUnknownNamesShareABucket: names that are not actions, and
// a request without Action, count together; asking for any such name reads
// that bucket, and each known action keeps its own count.
func TestRequestsOfUnknownNamesShareABucket(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	e.send("GET", "/lb/", "Action=Nope", nil)
	e.send("GET", "/lb/", "Action=AlsoNope", nil)
	e.send("GET", "/lb/", "", nil)
	e.ok("DescribeZones", nil, nil)
	for _, name := range []string{OtherActions, "Nope", "AlsoNope", ""} {
		if got := e.srv.Requests(name); got != 3 {
			t.Errorf("Requests(%q) = %d, want 3", name, got)
		}
	}
	if got := e.srv.Requests("DescribeZones"); got != 1 {
		t.Errorf("Requests(DescribeZones) = %d, want 1", got)
	}
	for action := range routes {
		if action != "DescribeZones" && e.srv.Requests(action) != 0 {
			t.Errorf("Requests(%s) = %d, want 0", action, e.srv.Requests(action))
		}
	}
	if got := e.srv.Requests("*"); got != 4 {
		t.Errorf("Requests(*) = %d, want 4", got)
	}
}
