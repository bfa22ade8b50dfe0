package cdslbtest

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cdsgo/cdslb"
	"github.com/cdsgo/cdslb/internal/fakelb"
)

// Server is a fake CDS load-balancer service listening on a loopback
// address, with its own state, key pair, clock and faults. Create one per
// test with NewServer; it is safe for concurrent use. A nil or zero Server
// serves nothing and never panics: its methods return zero values, its
// Client's calls and its SetFault return errors, and its Handler answers
// 500.
type Server struct {
	// URL is the base URL of the server, such as "http://127.0.0.1:54321",
	// for cdslb.WithEndpoint.
	URL string

	// in holds the rest behind a pointer, so that no printing of a
	// Server's fields, even fmt's raw printing of an unexported field under
	// a bad verb, reaches the secret: fmt shows one level of a pointer's
	// struct at most, and in's fields are pointers.
	in *inner
}

// inner is the state of a Server made by NewServer.
type inner struct {
	t     testing.TB
	fake  *fakelb.Server
	keys  *keyPair
	now   func() time.Time
	auto  *Clock        // WithAutoAdvance's clock, which the Server's clients wait on
	owner *cdslb.Client // reads and seeds the state through fake.Direct
	hs    *httptest.Server
	close *sync.Once
}

// keyPair is the access key a Server accepts.
type keyPair struct{ id, secret string }

// The journal's limits: a Server keeps the last journalCalls calls, and
// fewer when their parameters and bodies pass journalBytes.
const (
	journalCalls = 10000
	journalBytes = 32 << 20
)

// Option configures a Server, for NewServer: WithBusyFor, WithClock,
// WithAutoAdvance, WithSeed and WithListenersPath. An invalid one fails
// the test.
type Option func(*options) error

type options struct {
	busyFor       time.Duration
	now           func() time.Time
	seed          int64
	listenersPath string
	auto          *Clock
}

// WithBusyFor sets how long a change (create, resize, listener or
// haproxy.cfg change, delete) keeps a load balancer busy: CREATING,
// CHANGING or DELETING, during which other changes are refused with 409
// ResourceInUse. The default, 0, finishes every change at once, so that a
// waiter returns at its first poll. A negative duration fails the test.
func WithBusyFor(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return fmt.Errorf("WithBusyFor(%v): must not be negative", d)
		}
		o.busyFor = d
		return nil
	}
}

// WithClock sets the server's clock, such as a *Clock's Now method. It
// decides when busy states end, the creation times of load balancers and
// the validity of certificates; the package documentation ("Time") lists
// what it does not drive. Signature Timestamps and the memory of used
// nonces follow the real time, since the Client signs with it, so the
// clock may be set to any time. A nil now fails the test.
func WithClock(now func() time.Time) Option {
	return func(o *options) error {
		if now == nil {
			return fmt.Errorf("WithClock(nil): want a clock such as (*Clock).Now")
		}
		o.now, o.auto = now, nil
		return nil
	}
}

// WithAutoAdvance sets the server's clock to clock, as WithClock(clock.Now)
// does, and makes the clock advance itself whenever one of the server's
// clients waits: every Client the Server returns waits on clock
// (cdslb.WithClock with clock.Now and clock.Sleep), so that a pause
// between polls, a retry's backoff or a rate-limit wait moves the clock
// forward by its length at once instead of sleeping.
//
// With WithBusyFor, code that creates a load balancer and waits for it in
// one call, with the library's default polling, then sees it CREATING at
// its first poll and RUNNING once its pauses have passed the busy period:
// in the clock's time, within milliseconds of real time, without a
// goroutine to advance the clock. A context's deadline counts in the
// clock's time too (see Clock.Sleep). Waits in several goroutines each
// move the clock, so with concurrent waiters the clock runs ahead of what
// any one of them waited: check outcomes rather than exact times. Clients made otherwise, such as with
// cdslb.NewClient, wait in real time unless given
// cdslb.WithClock(clock.Now, clock.Sleep). A nil clock fails the test.
func WithAutoAdvance(clock *Clock) Option {
	return func(o *options) error {
		if clock == nil {
			return fmt.Errorf("WithAutoAdvance(nil): want a *Clock from NewClock")
		}
		o.now, o.auto = clock.Now, clock
		return nil
	}
}

// WithSeed seeds the randomness of fault rates and generated ids (instance
// and certificate ids, addresses), so that a run can be reproduced. The
// default seed is 1.
func WithSeed(seed int64) Option {
	return func(o *options) error { o.seed = seed; return nil }
}

// WithListenersPath sets the one base path at which the server answers
// DescribeLBInstanceListeners: "/lb", the default and the address the
// vendor document gives, or "/paas/monitor", where the document's own
// example posts. The other path answers 404 UnsupportedOperation, so that
// a client that looks for the action at both can be tested either way.
// Any other path fails the test.
func WithListenersPath(path string) Option {
	return func(o *options) error {
		if path != "/lb" && path != "/paas/monitor" {
			return fmt.Errorf("WithListenersPath(%q): want \"/lb\" or \"/paas/monitor\"", path)
		}
		o.listenersPath = path
		return nil
	}
}

// NewServer starts a fake on a loopback address with a fresh random key
// pair, the vendor document's zones and sizes, and no load balancers or
// certificates. t.Cleanup closes it (see Close). An invalid option fails the test. A
// nil t, which could neither close the server nor fail, returns a zero
// Server.
func NewServer(t testing.TB, opts ...Option) *Server {
	if t == nil {
		return &Server{}
	}
	t.Helper()
	o := options{now: time.Now, seed: 1}
	for _, opt := range opts {
		if opt == nil {
			t.Fatal("cdslbtest.NewServer: nil Option")
		}
		if err := opt(&o); err != nil {
			t.Fatal("cdslbtest.NewServer: " + err.Error())
		}
	}
	id, secret := fakelb.NewKeyPair()
	fake := fakelb.New(fakelb.Config{AccessKeyID: id, AccessKeySecret: secret,
		Delay: o.busyFor, Now: o.now, AuthNow: time.Now, Seed: o.seed, ListenersPath: o.listenersPath})
	fake.EnableJournal(journalCalls, journalBytes)
	hs := httptest.NewUnstartedServer(fake)
	hs.Config = fakelb.HTTPServer(fake)
	hs.Start()

	s := &Server{URL: hs.URL, in: &inner{t: t, fake: fake, keys: &keyPair{id, secret}, now: o.now, auto: o.auto, hs: hs, close: new(sync.Once)}}
	t.Cleanup(s.Close)
	owner, err := cdslb.NewClient(id, secret, cdslb.WithEndpoint(hs.URL), cdslb.WithRetry(cdslb.NoRetry),
		cdslb.WithHTTPClient(&http.Client{Transport: fakelb.InProcess{Handler: fake.Direct()}}))
	if err != nil {
		t.Fatal("cdslbtest.NewServer: " + err.Error())
	}
	s.in.owner = owner
	return s
}

// errNotMade is the error of a nil or zero Server.
var errNotMade = errors.New("cdslbtest: the Server was not made by NewServer with a testing.TB")

// made reports whether s was made by NewServer with a testing.TB; the
// methods of any other Server return zero values and errors.
func (s *Server) made() bool { return s != nil && s.in != nil }

// AccessKeyID returns the access key id the server accepts.
func (s *Server) AccessKeyID() string {
	if !s.made() {
		return ""
	}
	return s.in.keys.id
}

// AccessKeySecret returns the access key secret the server accepts.
func (s *Server) AccessKeySecret() string {
	if !s.made() {
		return ""
	}
	return s.in.keys.secret
}

// TestRetryPolicy is the retry policy of a Server's Client: as many
// attempts as cdslb.DefaultRetryPolicy, with millisecond backoff so that
// retries through injected faults keep a test fast.
var TestRetryPolicy = cdslb.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}

// Client returns a new client pointed at the server and signed with its
// key, retrying with TestRetryPolicy and, with WithAutoAdvance, waiting on
// the server's clock. The options apply after those, so they may replace
// them. An invalid option fails the test. The Client of a
// nil or zero Server fails every call, without a request.
func (s *Server) Client(opts ...cdslb.Option) *cdslb.Client {
	if !s.made() {
		c, _ := cdslb.NewClient("none", "none", cdslb.WithRetry(cdslb.NoRetry),
			cdslb.WithHTTPClient(&http.Client{Transport: failTransport{errNotMade}}))
		return c
	}
	s.in.t.Helper()
	for _, opt := range opts {
		if opt == nil {
			s.in.t.Fatal("cdslbtest: Server.Client: nil Option")
		}
	}
	first := []cdslb.Option{cdslb.WithEndpoint(s.URL), cdslb.WithRetry(TestRetryPolicy)}
	if s.in.auto != nil {
		first = append(first, cdslb.WithClock(s.in.auto.Now, s.in.auto.Sleep))
	}
	c, err := cdslb.NewClient(s.in.keys.id, s.in.keys.secret, append(first, opts...)...)
	if err != nil {
		s.in.t.Fatal("cdslbtest: Server.Client: " + err.Error())
	}
	return c
}

// Close shuts the server down and returns once every request it was
// serving has ended, which is at once: an injected Latency, however long,
// ends with the connection closed, and so does a request whose body is
// still arriving, so that the calls in flight fail with an error instead
// of holding the test. NewServer's t.Cleanup calls it; calling it again,
// or on a nil or zero Server, does nothing.
func (s *Server) Close() {
	if !s.made() {
		return
	}
	s.in.close.Do(func() {
		s.in.fake.Close() // ends the latencies, now and later
		s.in.hs.CloseClientConnections()
		s.in.hs.Close()
	})
}

// Handler returns the fake as an http.Handler, to mount in a server of
// your own. It checks signatures against the server's key pair and shares
// the server's state, faults, request counts and journal. Mount it at the root of a
// host: the API lives under /lb/ and /paas/monitor/.
func (s *Server) Handler() http.Handler {
	if !s.made() {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, errNotMade.Error(), http.StatusInternalServerError)
		})
	}
	return s.in.fake
}

// Requests reports how many requests named the action, whatever became of
// them (refused, faulted or served); "*" counts every request. Names that
// are not actions, and requests without an Action, count together in one
// bucket, which Requests of any such name reads: the server keeps nothing
// per name a stranger chooses. Reads and seeds through the Server's own
// methods are not counted.
func (s *Server) Requests(action string) int {
	if !s.made() {
		return 0
	}
	return s.in.fake.Requests(action)
}

// SetFault makes the server misbehave on every later request for the
// action, replacing the action's earlier fault; "*" sets the fault of every
// action that has none of its own, and the zero Fault removes it. An
// unknown action (the error suggests the closest one) or an invalid Fault
// is an error, and nothing changes.
func (s *Server) SetFault(action string, f Fault) error {
	if !s.made() {
		return errNotMade
	}
	if err := s.in.fake.SetFault(action, fakelb.Fault(f)); err != nil {
		return fmt.Errorf("cdslbtest: SetFault: %w", err)
	}
	return nil
}

// ClearFaults removes every fault, so that the server behaves again.
func (s *Server) ClearFaults() {
	if s.made() {
		s.in.fake.ClearFaults()
	}
}

// failTransport fails every request with its error.
type failTransport struct{ err error }

// RoundTrip closes r's body and returns the error.
func (t failTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	return nil, t.err
}
