package cdslb

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// outcomeUnknown reports whether an API answer with status and code to a
// write may hide the write's effect: any answer of HTTP 500 or above,
// whatever its code (a gateway or a failing node may answer after the
// change ran), InternalError and CreateOrderExcept at any status (the
// service's own failure while it carried the request out, as the vendor's
// signing notes count them whatever the status), and SignatureNonceUsed
// (the service already had this very request).
func outcomeUnknown(status int, code string) bool {
	return status >= 500 || code == "InternalError" || code == "CreateOrderExcept" || code == codeNonceUsed
}

// refusedBusy reports whether an answer refused a request without running
// it because the resource was busy: HTTP 409, or ResourceInUse at another
// 4xx status, unless the answer's outcome is unknown (outcomeUnknown: a 5xx
// with ResourceInUse is not a refusal). Only these are resent with
// RetryConflicts.
func refusedBusy(e *APIError) bool {
	if e.unknown || outcomeUnknown(e.HTTPStatus, e.Code) {
		return false
	}
	return e.HTTPStatus == http.StatusConflict || e.Code == codeResourceInUse && e.HTTPStatus >= 400 && e.HTTPStatus < 500
}

// retryDelay decides whether a failed attempt may be repeated and after how
// long. Only what cannot cause a second effect is repeated: a read-only
// action after any failure that may pass (transport errors, 429, 5xx,
// InternalError, throttling, a spent nonce, a malformed Success); an action
// that changes state only when the request provably never left (a failed
// dial or TLS handshake, a wait for a free connection that ended: its
// TransportError does not match ErrOutcomeUnknown), or, with
// RetryConflicts, when the service refused it as busy (refusedBusy: a 409,
// or ResourceInUse at a 4xx), which runs nothing. An answer whose outcome
// is unknown (outcomeUnknown) is never resent.
func (c *Client) retryDelay(ctx context.Context, op operation, err error, attempt int) (time.Duration, bool) {
	if attempt >= c.retry.MaxAttempts || ctx.Err() != nil {
		return 0, false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		retry := false
		switch {
		case refusedBusy(apiErr):
			retry = c.retry.RetryConflicts && op.usage&rereadOnConflict == 0
		case op.readOnly:
			retry = mayPass(err)
		}
		return max(c.backoff(attempt), min(apiErr.retryAfter, c.retry.MaxDelay)), retry
	}
	var te *TransportError
	return c.backoff(attempt), op.readOnly || errors.As(err, &te) && !te.unknown
}

// mayPass reports whether a failed call may succeed if repeated unchanged:
// a transport error, or an answer of HTTP 429 or 5xx, InternalError or a
// throttling code, SignatureNonceUsed (the service saw the same request
// twice; a new attempt is signed afresh), a malformed Success, or
// ResourceInUse (the instance is busy; nothing was run). Everything else
// (4xx such as InvalidParameter or an authentication failure) fails again
// the same way. Waiters poll through all of these; read-only actions are
// retried on them, except ResourceInUse, which retryDelay decides first.
func mayPass(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatus == http.StatusTooManyRequests || apiErr.HTTPStatus >= 500 ||
			apiErr.Code == "InternalError" || isThrottling(apiErr.Code) ||
			apiErr.Code == codeNonceUsed || apiErr.malformed || apiErr.Code == codeResourceInUse
	}
	var te *TransportError
	return errors.As(err, &te)
}

// isThrottling reports whether code is one of the throttling codes CDS and
// similar APIs use ("Throttling", "RequestLimitExceeded", "TooManyRequests").
func isThrottling(code string) bool {
	c := strings.ToLower(code)
	return strings.Contains(c, "throttl") || strings.Contains(c, "limitexceeded") || strings.Contains(c, "toomanyrequests")
}

// backoff is capped exponential backoff with full jitter: a random delay
// from 0 up to BaseDelay·2^(attempt-1), at most MaxDelay. A zero BaseDelay
// means no wait. The doubling stops at MaxDelay, so it cannot overflow.
func (c *Client) backoff(attempt int) time.Duration {
	ceiling := c.retry.BaseDelay
	for i := 1; i < attempt && ceiling > 0 && ceiling < c.retry.MaxDelay; i++ {
		if ceiling > c.retry.MaxDelay/2 {
			ceiling = c.retry.MaxDelay
			break
		}
		ceiling *= 2
	}
	ceiling = min(ceiling, c.retry.MaxDelay)
	if ceiling <= 0 {
		return 0
	}
	if ceiling == math.MaxInt64 {
		return rand.N(ceiling) // ceiling+1 would overflow
	}
	return rand.N(ceiling + 1)
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.ParseUint(strings.TrimSpace(h), 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if s > math.MaxInt64/uint64(time.Second) { // beyond 292 years: the longest wait there is
			return math.MaxInt64
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// sleepContext waits d, or less if ctx ends first, in which case it returns ctx's error.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
