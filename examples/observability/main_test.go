package main

import (
	"context"
	"strings"
	"testing"
)

// The example runs to the end against the fake and shows the retried read:
// a 503 attempt and a resent one beneath one call, and no signature.
func TestRunsOnTheFake(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"EnsureLoadBalancer (internal", "ApplyListeners (internal", "WaitUntilRunning (internal",
		"http.response.status_code=503", "http.request.resend_count=1", "cdslb.client.call.duration (s)", "http.client.request.duration (s)"} {
		if !strings.Contains(s, want) {
			t.Errorf("the output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "Signature") {
		t.Errorf("the output shows a signature:\n%s", s)
	}
}
