package main

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// signedURL signs a GET request of an action by the rules of signing.md.
func signedURL(host, action, keyID, secret string) string {
	q := url.Values{
		"Action": {action}, "AccessKeyId": {keyID}, "SignatureMethod": {"HMAC-SHA1"},
		"SignatureVersion": {"1.0"}, "SignatureNonce": {time.Now().Format(time.RFC3339Nano)},
		"Timestamp": {time.Now().UTC().Format("2006-01-02T15:04:05Z")}, "Version": {"2019-08-08"},
	}
	enc := func(s string) string {
		return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(url.QueryEscape(s))
	}
	canonical := strings.ReplaceAll(q.Encode(), "+", "%20") // Encode sorts by key
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte("GET&%2F&" + enc(canonical)))
	return host + "/lb/?" + canonical + "&Signature=" + enc(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-delay", "0s", "-fault", "DescribeCACertificates=503"}, pw)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	m := regexp.MustCompile(`^CDS_API_HOST=(http://127\.0\.0\.1:\d+) CDS_SECRET_ID=(\S+) CDS_SECRET_KEY=(\S+)\n$`).FindStringSubmatch(line)
	if m == nil || strings.HasSuffix(m[1], ":0") {
		t.Fatalf("first line = %q", line)
	}
	resp, err := http.Get(signedURL(m[1], "DescribeCACertificates", m[2], m[3]))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("the -fault flag was not applied: status %d", resp.StatusCode)
	}
	resp, err = http.Get(signedURL(m[1], "DescribeZones", m[2], m[3]))
	if err != nil {
		t.Fatal(err)
	}
	var env struct{ Code string }
	err = json.NewDecoder(resp.Body).Decode(&env)
	resp.Body.Close()
	if err != nil || env.Code != "Success" {
		t.Errorf("DescribeZones: %v %q", err, env.Code)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v after cancel", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop after cancel")
	}
}

func TestRunRefusesBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-fault", "nonsense"}, {"-delay", "soon"}, {"-addr", "256.0.0.1:0"}} {
		if err := run(context.Background(), args, io.Discard); err == nil {
			t.Errorf("run(%v) = nil, want an error", args)
		}
	}
}
