package cdslb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEndEventsLogTheirErrorsMessage: an end event logged with slog, as
// JSON or text, records every field, and its error by its message; JSON
// wrote a wrapped error as {}. A nil error is null.
func TestEndEventsLogTheirErrorsMessage(t *testing.T) {
	t.Parallel()
	ae := &APIError{Action: "DeleteLoadBalancer", HTTPStatus: 500, Code: "InternalError", Message: "busy", Attempts: 1, unknown: true}
	err := fmt.Errorf("cleaning up: %w", ae)
	for _, e := range []any{
		OperationEnd{Operation: "EnsureLoadBalancer", Calls: 2, Duration: time.Second, Err: err},
		CallEnd{Action: "DeleteLoadBalancer", Attempts: 1, HTTPStatus: 500, OutcomeUnknown: true, Err: err},
		AttemptEnd{Action: "DeleteLoadBalancer", Attempt: 1, Retry: true, RetryDelay: time.Second, Err: err},
	} {
		name := reflect.TypeOf(e).Name()
		var out bytes.Buffer
		slog.New(slog.NewJSONHandler(&out, nil)).Info("event", "e", e)
		var got struct{ E map[string]any }
		require.NoError(t, json.Unmarshal(out.Bytes(), &got), name)
		assert.Equal(t, err.Error(), got.E["Err"], name)
		assert.Len(t, got.E, reflect.TypeOf(e).NumField(), "%s: every field", name)

		out.Reset()
		slog.New(slog.NewTextHandler(&out, nil)).Info("event", "e", e)
		assert.Contains(t, out.String(), fmt.Sprintf("e.Err=%q", err.Error()), name)
	}

	var out bytes.Buffer
	slog.New(slog.NewJSONHandler(&out, nil)).Info("event", "e", CallEnd{Action: "DescribeZones"})
	assert.Contains(t, out.String(), `"Err":null`)
	assert.NotContains(t, out.String(), "{}")
}
