package cdslb

import (
	"context"
	"testing"
)

// ValidCalls is, for the external tests,, one valid call of each declared
// action by name (validCalls).
func ValidCalls(t testing.TB) map[string]func(context.Context, *Client) error {
	calls := map[string]func(context.Context, *Client) error{}
	for _, ac := range validCalls(t) {
		calls[ac.action] = func(ctx context.Context, c *Client) error { _, err := ac.call(ctx, c); return err }
	}
	return calls
}
