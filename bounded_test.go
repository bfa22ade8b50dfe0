package cdslb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// This file checks the one bounded path of server text: whatever a
// service chooses (a message, a task id, a code, an id, a field name, a
// status) reaches errors, log records and String results capped, with
// control characters escaped and the request's secrets cut out.

// maxShownText is the promise: no error text and no log record is longer.
const maxShownText = 4 << 10

// recordLog keeps each log record as the text of its message and values,
// as a handler gets them, before any handler quotes them.
type recordLog struct {
	mu      sync.Mutex
	records []string
}

func (l *recordLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *recordLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *recordLog) WithGroup(string) slog.Handler            { return l }
func (l *recordLog) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%s", a.Key, a.Value.Resolve().String())
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, b.String())
	return nil
}

func (l *recordLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.records...)
}

// echoes is an in-process service whose answers plant the request's
// secrets: in an answer, {query} becomes the signed query as sent, {sig}
// the signature, decoded, and {secret} the access key secret. It records
// every signature, so that a check can forbid them.
type echoes struct {
	mu   sync.Mutex
	sigs []string
	log  *recordLog
}

// echoClient returns a client, without retries, whose waiters and
// helpers poll three times at once and then stop, answered by
// answer(action).
func echoClient(t testing.TB, answer func(action string) string) (*Client, *echoes) {
	e := &echoes{log: &recordLog{}}
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sig := r.URL.Query().Get("Signature")
		e.mu.Lock()
		e.sigs = append(e.sigs, sig)
		e.mu.Unlock()
		body := strings.NewReplacer("{query}", r.URL.RawQuery, "{sig}", sig, "{secret}", testSecret).Replace(answer(r.URL.Query().Get("Action")))
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	})
	c, err := NewClient(testKeyID, testSecret, WithEndpoint("http://cds.invalid"), WithHTTPClient(&http.Client{Transport: rt}),
		WithRetry(NoRetry), WithLogger(slog.New(e.log)))
	require.NoError(t, err)
	var sleeps atomic.Int32
	c.sleep = func(ctx context.Context, _ time.Duration) error { // a few polls, at once
		if sleeps.Add(1) > 3 {
			return context.Canceled
		}
		return ctx.Err()
	}
	return c, e
}

// problems returns what is wrong with text, shown as what: longer than
// 4 KiB, a raw control character, or a secret of the requests sent.
func (e *echoes) problems(what, text string) []string {
	var out []string
	if len(text) > maxShownText {
		out = append(out, fmt.Sprintf("%s is %d bytes", what, len(text)))
	}
	if !utf8.ValidString(text) {
		out = append(out, what+" is not valid UTF-8")
	}
	if i := strings.IndexFunc(text, unicode.IsControl); i >= 0 {
		out = append(out, fmt.Sprintf("%s holds a raw control character at %d: %q", what, i, text[max(0, i-20):min(len(text), i+20)]))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, secret := range append([]string{testSecret}, e.sigs...) {
		for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret)} {
			if len(secret) >= minSecretLen && strings.Contains(text, form) {
				out = append(out, fmt.Sprintf("%s holds a secret: %q", what, form))
			}
		}
	}
	return out
}

// check fails the test if err's text (under %v, %+v and %#v), shown, or
// a log record breaks the promise.
func (e *echoes) check(t testing.TB, route string, err error, shown ...string) {
	t.Helper()
	require.Error(t, err, route)
	var bad []string
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		bad = append(bad, e.problems(route+" error "+verb, fmt.Sprintf(verb, err))...)
	}
	for i, s := range shown {
		bad = append(bad, e.problems(fmt.Sprint(route, " shown ", i), s)...)
	}
	for i, r := range e.log.all() {
		bad = append(bad, e.problems(fmt.Sprint(route, " log record ", i), r)...)
	}
	for _, b := range bad {
		t.Error(b)
	}
}

// jsonText is s as a JSON string.
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

const echoedID = "5d74bb81-0473-464d-b15b-0ae418619248"

// textRoute is one way a string the service chose reaches an error, a log
// record or a String: answer puts v where the route takes it, and run
// makes the call, returning its error and what else it shows.
type textRoute struct {
	name   string
	answer func(v string) func(action string) string
	run    func(ctx context.Context, c *Client) ([]string, error)
}

func textRoutes(t testing.TB) []textRoute {
	fixtures := map[string]string{}
	for _, ac := range validCalls(t) {
		fixtures[ac.action] = fixture(t, ac.action)
	}
	// only answers action with body, and every other action with its fixture.
	only := func(_ testing.TB, action, body string) func(string) string {
		return func(a string) string {
			if a == action {
				return body
			}
			return fixtures[a]
		}
	}
	fixture := func(_ testing.TB, action string) string { return fixtures[action] }
	describeZones := func(ctx context.Context, c *Client) ([]string, error) {
		_, err := c.DescribeZones(ctx, nil)
		return nil, err
	}
	listenerWith := func(v, member string) string {
		return strings.Replace(fixture(t, "DescribeLoadBalancerStrategys"), `"AclWhiteList"`, jsonText(v)+`: 1, "AclWhiteList"`, 1) + member
	}
	return []textRoute{
		{"error answer's TaskId", func(v string) func(string) string {
			return only(t, "DescribeZones", `{"Code":"InvalidParameter","Message":"bad","TaskId":`+jsonText(v)+`}`)
		}, describeZones},
		{"error answer's Code", func(v string) func(string) string {
			return only(t, "DescribeZones", `{"Code":`+jsonText("X"+v)+`,"Message":"bad"}`)
		}, describeZones},
		{"error answer's Message", func(v string) func(string) string {
			return only(t, "DescribeZones", `{"Code":"InvalidParameter","Message":`+jsonText(v)+`}`)
		}, describeZones},
		{"malformed CreateLoadBalancer's repeated id", func(v string) func(string) string {
			return only(t, "CreateLoadBalancer", `{"Code":"Success","TaskId":"t","Data":{"InstancesUuid":[`+jsonText("X"+v)+`,`+jsonText("X"+v)+`]}}`)
		}, func(ctx context.Context, c *Client) ([]string, error) {
			_, err := c.CreateLoadBalancer(ctx, goodCreate())
			return nil, err
		}},
		{"UpdateListener's unknown field name", func(v string) func(string) string {
			return only(t, "DescribeLoadBalancerStrategys", listenerWith("X"+v, ""))
		}, func(ctx context.Context, c *Client) ([]string, error) {
			_, err := c.UpdateListener(ctx, echoedID, "http43", func(*HTTPListener, *TCPListener) error { return nil })
			return nil, err
		}},
		{"PlanListeners' unknown field name", func(v string) func(string) string {
			return only(t, "DescribeLoadBalancerStrategys", listenerWith("X"+v, ""))
		}, func(ctx context.Context, c *Client) ([]string, error) {
			_, err := c.PlanListeners(ctx, echoedID, nil, nil)
			return nil, err
		}},
		{"waiter's last status", func(v string) func(string) string {
			return only(t, "DescribeLoadBalancers", strings.Replace(fixture(t, "DescribeLoadBalancers"), `"RUNNING"`, jsonText(v+"FAIL"), 1))
		}, func(ctx context.Context, c *Client) ([]string, error) {
			_, err := c.WaitUntilRunning(ctx, echoedID)
			return nil, err
		}},
		{"EnsureLoadBalancer's ambiguous ids", func(v string) func(string) string {
			entry := func(id string) string {
				return `{"InstanceUuid":` + jsonText(id) + `,"InstanceName":"lb-1","RegionId":"CN_Hongkong_A","Status":"RUNNING"}`
			}
			return only(t, "DescribeLoadBalancers", `{"Code":"Success","Data":[`+entry("X"+v)+`,`+entry("Y"+v)+`,`+entry("Z"+v)+`]}`)
		}, func(ctx context.Context, c *Client) ([]string, error) {
			_, _, err := c.EnsureLoadBalancer(ctx, goodCreate())
			return nil, err
		}},
		{"a plan's listener name", func(v string) func(string) string {
			return only(t, "DescribeLoadBalancerStrategys", strings.Replace(fixture(t, "DescribeLoadBalancerStrategys"), `"http43"`, jsonText("X"+v), 1))
		}, func(ctx context.Context, c *Client) ([]string, error) {
			plan, err := c.PlanListeners(ctx, echoedID, nil, nil)
			if err != nil {
				return nil, err
			}
			return strings.Split(plan.String(), "\n"), errors.New("the plan, shown")
		}},
	}
}

// plantedText is what a hostile or careless service echoes: control
// characters, the signed query, the signature alone, the access key secret
// and n bytes more.
func plantedText(n int) string {
	return "{sig}\n\x1b[2J\r{query} sig={sig} {secret} \u2028\u202e" + strings.Repeat("A", n)
}

// TestServerTextIsBoundedOnEveryRoute: on every route by which a string
// the service chose reaches an error, a log record or a String, huge text
// with control characters and the request's own signed query, signature
// and secret comes out bounded: the request's secrets cut out, control
// characters and other unprintable characters escaped. No error's text and
// no log record grows past 4 KiB, whatever the answer. Each route failed
// before the one bounded path.
func TestServerTextIsBoundedOnEveryRoute(t *testing.T) {
	t.Parallel()
	sizes := map[string]int{"error answer's TaskId": 8 << 20, "malformed CreateLoadBalancer's repeated id": 3 << 20}
	for _, route := range textRoutes(t) {
		t.Run(route.name, func(t *testing.T) {
			t.Parallel()
			n := sizes[route.name]
			if n == 0 {
				n = 64 << 10
			}
			c, e := echoClient(t, route.answer(plantedText(n)))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			shown, err := route.run(ctx, c)
			e.check(t, route.name, err, shown...)
		})
	}
}

// FuzzServerText: whatever strings the service chooses, with the request's
// secrets planted in them ({query}, {sig}, {secret}), they come out with
// the request's secrets cut out, control characters and other unprintable
// characters escaped. No error's text and no log record grows past 4 KiB,
// whatever the answer.
func FuzzServerText(f *testing.F) {
	f.Add("{query}", 0)
	f.Add("sig={sig}\n\x1b[31m", 1)
	f.Add("%7Bsig%7D {secret}", 2)
	f.Add(strings.Repeat("{sig}\u2028", 200), 3)
	f.Add("&#x53;ignature&equals;{sig}", 4)
	f.Add(strings.Repeat("é\x00", 3000), 5)
	f.Add("\xff{query}\xfe", 6)
	f.Add("Success", 1)
	routes := textRoutes(f)
	f.Fuzz(func(t *testing.T, v string, which int) {
		route := routes[uint(which)%uint(len(routes))]
		c, e := echoClient(t, route.answer(v))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shown, err := route.run(ctx, c)
		if err == nil {
			return // the text made a valid answer
		}
		e.check(t, route.name, err, shown...)
	})
}
