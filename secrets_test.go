package cdslb

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lockedBuffer is a bytes.Buffer that log handlers may share across goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// teeHandler sends each record to several handlers.
type teeHandler []slog.Handler

func (t teeHandler) Enabled(ctx context.Context, l slog.Level) bool { return true }
func (t teeHandler) Handle(ctx context.Context, r slog.Record) error {
	for _, h := range t {
		if err := h.Handle(ctx, r.Clone()); err != nil {
			return err
		}
	}
	return nil
}
func (t teeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(teeHandler, len(t))
	for i, h := range t {
		out[i] = h.WithAttrs(as)
	}
	return out
}
func (t teeHandler) WithGroup(g string) slog.Handler {
	out := make(teeHandler, len(t))
	for i, h := range t {
		out[i] = h.WithGroup(g)
	}
	return out
}

// secretScan gathers everything the library and its values render (logs,
// errors, fmt output) and what must never appear in it.
type secretScan struct {
	t         *testing.T
	jsonLog   lockedBuffer
	textLog   lockedBuffer
	logger    *slog.Logger
	rendered  []string
	forbidden map[string]string // text -> what it is
}

func newSecretScan(t *testing.T) *secretScan {
	s := &secretScan{t: t, forbidden: map[string]string{testSecret: "access key secret"}}
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	s.logger = slog.New(teeHandler{slog.NewJSONHandler(&s.jsonLog, opts), slog.NewTextHandler(&s.textLog, opts)})
	return s
}

func (s *secretScan) forbid(what, text string) {
	s.forbidden[text] = what
	s.forbidden[url.QueryEscape(text)] = what + " (query-escaped)"
	if b, err := json.Marshal(text); err == nil {
		s.forbidden[strings.Trim(string(b), `"`)] = what + " (JSON-escaped)"
	}
}

// forbidKey forbids a PEM private key, and each line of its body, which a
// rendering could show without the rest.
func (s *secretScan) forbidKey(keyPEM string) {
	s.forbid("private key", keyPEM)
	for _, line := range strings.Split(keyPEM, "\n") {
		if len(line) >= 32 && !strings.HasPrefix(line, "-----") {
			s.forbid("private key line", line)
		}
	}
}

func (s *secretScan) addErr(what string, err error) {
	require.Error(s.t, err, what)
	s.rendered = append(s.rendered, what+": "+err.Error(), what+" %+v: "+fmt.Sprintf("%+v", err), what+" %#v: "+fmt.Sprintf("%#v", err))
	s.logger.Error(what, "err", err)
}

// render adds a value in every fmt verb a program might log it with, and
// logs it through both slog handlers.
func (s *secretScan) render(what string, v any) {
	s.renderFmt(what, v)
	s.logger.Info(what, slog.Any("value", v))
	s.logger.Info(what, "value", v)
	s.logger.Info(what, slog.Group("g", slog.Any("value", v)))
}

// renderFmt adds a value in every fmt verb a program might log it with.
func (s *secretScan) renderFmt(what string, v any) {
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%100v"} {
		s.rendered = append(s.rendered, what+" "+verb+": "+fmt.Sprintf(verb, v))
	}
}

func (s *secretScan) check(sent []sentRequest) {
	for _, r := range sent {
		require.NotEmpty(s.t, r.Signature)
		s.forbid("signature sent for "+r.Action, r.Signature)
	}
	all := map[string]string{"JSON log": s.jsonLog.String(), "text log": s.textLog.String()}
	for i, r := range s.rendered {
		all[fmt.Sprint("rendering ", i)] = r
	}
	require.NotEmpty(s.t, s.jsonLog.String())
	for where, text := range all {
		for secret, what := range s.forbidden {
			if i := strings.Index(text, secret); i >= 0 {
				from := max(0, strings.LastIndexByte(text[:i], '\n')+1, i-300)
				s.t.Errorf("%s appears in %s: ...%s...", what, where, text[from:min(len(text), i+len(secret)+40)])
			}
		}
	}
}

// TestSecretsNeverAppear runs calls that succeed and fail in every way,
// with debug logging through slog's JSON and text handlers, renders the
// client, signer, requests and responses with every fmt verb and slog, and
// then looks for the secret, every signature the server received and a
// private key in all of it.
func TestSecretsNeverAppear(t *testing.T) {
	t.Parallel()
	s := newSecretScan(t)
	certPEM, keyPEM := testCertificate(t, "rsa-pkcs8")
	_, otherKey := testCertificate(t, "ec")
	_, servedKey := testCertificate(t, "rsa-pkcs1")
	s.forbidKey(keyPEM)
	s.forbidKey(otherKey)
	s.forbidKey(servedKey)

	c, srv := newHostile(t, WithLogger(s.logger), WithRetry(fastRetry))
	ctx := context.Background()

	// Success, and the key still travels on the wire.
	srv.answerFixture("DescribeZones").answerFixture("UploadCACertificate").answerFixture("CreateLoadBalancer")
	_, err := c.DescribeZones(ctx, nil)
	require.NoError(t, err)
	upload := &UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM, CertificateName: "www"}
	_, err = c.UploadCACertificate(ctx, upload)
	require.NoError(t, err)
	var wire struct{ PrivateKey string }
	require.NoError(t, json.Unmarshal(srv.only("UploadCACertificate").Body, &wire))
	assert.Equal(t, keyPEM, wire.PrivateKey, "the wire gets the real key")
	_, err = c.CreateLoadBalancer(ctx, goodCreate())
	require.NoError(t, err)

	// A certificate with its key, read back and rendered.
	detail := strings.Replace(fixture(t, "DescribeCACertificate"), `"-----BEGIN RSA PRIVATE KEY-----\n******=\n-----END RSA PRIVATE KEY-----\n"`,
		mustJSON(t, servedKey), 1)
	require.Contains(t, detail, "PRIVATE KEY")
	srv.answer("DescribeCACertificate", 200, detail)
	got, err := c.DescribeCACertificate(ctx, &DescribeCACertificateRequest{CertificateID: "c-1"})
	require.NoError(t, err)
	require.Equal(t, servedKey, got.Certificate.PrivateKey, "the field keeps the real key")

	// 5xx, retried and not; resets; a hang; a refused connection.
	srv.answer("DescribeLoadBalancers", 503, unavailableHTML)
	_, err = c.DescribeLoadBalancers(ctx, nil)
	s.addErr("5xx read", err)
	srv.answer("DeleteLoadBalancer", 500, internalJSON)
	_, err = c.DeleteLoadBalancer(ctx, &DeleteLoadBalancerRequest{InstanceUUID: "i-1"})
	s.addErr("5xx write", err)
	srv.misbehave("DescribeHaproxyCustomConfig", reset, reset, reset)
	_, err = c.DescribeHaproxyCustomConfig(ctx, &DescribeHaproxyCustomConfigRequest{InstanceUUID: "i-1"})
	s.addErr("reset", err)
	srv.misbehave("UploadCACertificate", reset)
	_, err = c.UploadCACertificate(ctx, upload)
	s.addErr("reset upload", err)
	srv.misbehave("DescribeZones", hang)
	hctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	_, err = c.DescribeZones(hctx, nil)
	cancel()
	s.addErr("hang", err)
	refused, err := NewClient(testKeyID, testSecret, WithEndpoint("http://"+closedAddr(t)), WithLogger(s.logger), WithRetry(NoRetry))
	require.NoError(t, err)
	_, err = refused.UploadCACertificate(ctx, upload)
	s.addErr("refused", err)

	// Answers that echo the signed request back, as some gateways do.
	var emu sync.Mutex
	var echoed []sentRequest
	for _, asJSON := range []bool{true, false} {
		es := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sig := signatureOf(r.URL.RawQuery)
			emu.Lock()
			echoed = append(echoed, sentRequest{Action: "echo", RawQuery: r.URL.RawQuery, Signature: sig})
			emu.Unlock()
			if asJSON {
				msg, _ := json.Marshal("signature mismatch for " + r.URL.String() + "; got " + sig)
				fmt.Fprintf(w, `{"Code":"IncompleteSignature","Message":%s}`, msg)
				return
			}
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, "<html><body>Bad request: <a href=%q>%s</a> (%s)</body></html>", r.URL.String(), r.URL.RawQuery, sig)
		}))
		t.Cleanup(es.Close)
		ec, err := NewClient(testKeyID, testSecret, WithEndpoint(es.URL), WithLogger(s.logger))
		require.NoError(t, err)
		_, err = ec.ModifyLoadBalancerName(ctx, &ModifyLoadBalancerNameRequest{InstanceUUID: "i-1", InstanceName: "n"})
		s.addErr(fmt.Sprint("echo, JSON ", asJSON), err)
	}

	// Validation errors, including a key that does not match its certificate.
	_, err = c.UploadCACertificate(ctx, &UploadCACertificateRequest{Certificate: certPEM, PrivateKey: otherKey, CertificateName: "www"})
	s.addErr("mismatched key", err)
	_, err = c.UploadCACertificate(ctx, &UploadCACertificateRequest{Certificate: keyPEM, PrivateKey: keyPEM, CertificateName: "www"})
	s.addErr("key as certificate", err)
	_, err = c.UploadCACertificate(ctx, &UploadCACertificateRequest{Certificate: certPEM, PrivateKey: keyPEM[:len(keyPEM)/2], CertificateName: "www"})
	s.addErr("cut key", err)

	// Renderings.
	s.render("client", c)
	s.render("client value", *c)
	s.render("signer", c.signer)
	s.render("upload request", upload)
	s.render("upload request value", *upload)
	// Inside a slice or a struct, fmt still formats each with its own
	// methods; slog's JSON handler does not (it JSON-encodes what is not a
	// LogValuer at the top), so those are rendered with fmt only.
	s.renderFmt("upload requests", []UploadCACertificateRequest{*upload})
	s.renderFmt("upload request in a struct", struct{ Req UploadCACertificateRequest }{*upload})
	s.render("certificate response", got)
	s.render("certificate response value", *got)
	s.render("certificate detail", got.Certificate)
	s.render("certificate detail pointer", &got.Certificate)
	s.renderFmt("certificate details", []CertificateDetail{got.Certificate})

	// 13 or more: net/http itself may resend a GET whose reused connection was reset.
	require.GreaterOrEqual(t, len(srv.sentFor("")), 13, "every request was captured, so every signature is looked for")
	require.Len(t, echoed, 2)
	s.check(append(srv.sentFor(""), echoed...))
}

// signatureOf returns the decoded Signature of a raw query.
func signatureOf(rawQuery string) string {
	q, _ := url.ParseQuery(rawQuery)
	return q.Get("Signature")
}

func mustJSON(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// TestDebugLogRecords: each attempt is one debug record with the action,
// method, attempt, status, duration and task id, and no URL or query.
func TestDebugLogRecords(t *testing.T) {
	t.Parallel()
	var buf lockedBuffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, srv := newHostile(t, WithLogger(logger), WithRetry(fastRetry))
	srv.answer("DescribeLoadBalancers", 503, unavailableHTML).answerFixture("DescribeLoadBalancers").answerFixture("CreateLoadBalancer")
	_, err := c.DescribeLoadBalancers(context.Background(), nil)
	require.NoError(t, err)
	_, err = c.CreateLoadBalancer(context.Background(), goodCreate())
	require.NoError(t, err)

	var records []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var r map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &r), line)
		records = append(records, r)
		assert.Equal(t, "DEBUG", r["level"])
		for _, k := range []string{"action", "method", "attempt", "status", "duration"} {
			assert.Contains(t, r, k, line)
		}
		assert.NotContains(t, line, "Signature")
		assert.NotContains(t, line, "AccessKeyId")
		assert.NotContains(t, line, "SignatureNonce")
		assert.NotContains(t, line, "InstanceName", "no request body")
	}
	require.Len(t, records, 3)
	assert.Equal(t, []any{"DescribeLoadBalancers", "GET", 1.0, 503.0}, []any{records[0]["action"], records[0]["method"], records[0]["attempt"], records[0]["status"]})
	assert.Contains(t, records[0], "error")
	assert.Equal(t, []any{"DescribeLoadBalancers", 2.0, 200.0}, []any{records[1]["action"], records[1]["attempt"], records[1]["status"]})
	assert.Equal(t, []any{"CreateLoadBalancer", "POST", 1.0, 200.0, "7a9c0d3e-1f2b-4c5d-8e6f-a0b1c2d3e4f5"},
		[]any{records[2]["action"], records[2]["method"], records[2]["attempt"], records[2]["status"], records[2]["task_id"]})

	// No logger, no output, and nothing breaks.
	c2, srv2 := newHostile(t)
	srv2.answerFixture("DescribeZones")
	_, err = c2.DescribeZones(context.Background(), nil)
	require.NoError(t, err)
}
