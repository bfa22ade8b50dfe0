package cdslb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sentinels are the documented failure codes (api/signing.md, 错误码).
var sentinels = map[string]error{
	"ArgMissing":           ErrArgMissing,
	"InvalidParameter":     ErrInvalidParameter,
	"BadArgs":              ErrBadArgs,
	"UnsupportedOperation": ErrUnsupportedOperation,
	"ResourceNotFound":     ErrResourceNotFound,
	"ResourceInUse":        ErrResourceInUse,
	"InternalError":        ErrInternalError,
	"CreateOrderExcept":    ErrCreateOrderExcept,
}

// assertMatchesOnly checks that err matches the sentinel of code and no
// other (code "" or unknown: none).
func assertMatchesOnly(t *testing.T, err error, code string) {
	t.Helper()
	for c, s := range sentinels {
		assert.Equal(t, c == code, errors.Is(err, s), "errors.Is(err, Err%s)", c)
	}
}

func TestEveryDocumentedCodeIsATypedError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status int
		code   string
	}{
		{400, "ArgMissing"},
		{400, "InvalidParameter"},
		{400, "BadArgs"},
		{400, "UnsupportedOperation"},
		{404, "ResourceNotFound"},
		{409, "ResourceInUse"},
		{500, "InternalError"},
		{500, "CreateOrderExcept"},
	}
	require.Len(t, cases, len(sentinels))
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			t.Parallel()
			c, stub := newStub(t)
			stub.answer("DeleteLoadBalancer", tc.status,
				`{"Code": "`+tc.code+`", "Message": "说明 of `+tc.code+`", "Data": {}, "TaskId": "task-`+tc.code+`"}`)

			resp, err := c.DeleteLoadBalancer(context.Background(), &DeleteLoadBalancerRequest{InstanceUUID: "u"})
			require.Error(t, err)
			assert.Nil(t, resp)

			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, "DeleteLoadBalancer", apiErr.Action)
			assert.Equal(t, tc.status, apiErr.HTTPStatus)
			assert.Equal(t, tc.code, apiErr.Code)
			assert.Equal(t, "说明 of "+tc.code, apiErr.Message)
			assert.Equal(t, "task-"+tc.code, apiErr.TaskID)
			assertMatchesOnly(t, err, tc.code)
			assert.NotErrorIs(t, err, ErrInvalidRequest, "an answer from the service is no ValidationError")
			for _, part := range []string{"DeleteLoadBalancer", tc.code, fmt.Sprint(tc.status), "说明 of " + tc.code, "task-" + tc.code} {
				assert.Contains(t, err.Error(), part)
			}
			// Wrapped by the caller, it still matches.
			assertMatchesOnly(t, fmt.Errorf("deleting: %w", err), tc.code)
		})
	}
}

func TestUnknownCodeMatchesNoSentinel(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answer("DescribeZones", http.StatusForbidden, `{"Code": "AccessDenied", "Message": "no"}`)

	resp, err := c.DescribeZones(context.Background(), nil)
	assert.Nil(t, resp)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "AccessDenied", apiErr.Code)
	assert.Equal(t, http.StatusForbidden, apiErr.HTTPStatus)
	assertMatchesOnly(t, err, "")
}

// "Code other than Success is a failure, whatever the HTTP status."
func TestFailureCodeWithHTTP200IsAnError(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answer("ModifyLoadBalancerInstanceSpec", http.StatusOK,
		`{"Code": "ResourceInUse", "Message": "instance busy", "Data": {}, "TaskId": "t-1"}`)

	resp, err := c.ModifyLoadBalancerInstanceSpec(context.Background(), &ModifyLoadBalancerInstanceSpecRequest{InstanceUUID: "u", PaasGoodsID: 5078})
	assert.Nil(t, resp)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusOK, apiErr.HTTPStatus)
	assert.Equal(t, "ResourceInUse", apiErr.Code)
	assert.Equal(t, "t-1", apiErr.TaskID)
	assertMatchesOnly(t, err, "ResourceInUse")
}

func TestGatewayPageIsAnAPIErrorWithAShortExcerpt(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	page := "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n" +
		strings.Repeat("<p>upstream   trouble</p>\n", 200) + "<hr><center>nginx</center></body></html>"
	stub.answerWith("DescribeLoadBalancers", http.StatusBadGateway, http.Header{"Content-Type": {"text/html"}}, page)

	resp, err := c.DescribeLoadBalancers(context.Background(), nil)
	assert.Nil(t, resp)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "DescribeLoadBalancers", apiErr.Action)
	assert.Equal(t, http.StatusBadGateway, apiErr.HTTPStatus)
	assert.Empty(t, apiErr.Code)
	assert.Empty(t, apiErr.TaskID)
	assert.Contains(t, apiErr.Message, "502 Bad Gateway")
	assert.NotContains(t, apiErr.Message, "<", "tags are stripped")
	assert.NotContains(t, apiErr.Message, "\n", "one line")
	assert.NotContains(t, apiErr.Message, "  ", "runs of space are one space")
	assert.LessOrEqual(t, len(apiErr.Message), 300, "a short excerpt, not the %d-byte page", len(page))
	assert.Contains(t, err.Error(), "502")
	assertMatchesOnly(t, err, "")
}

func TestAnswersThatAreNotTheAPIsJSON(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"empty body":          ``,
		"JSON without a Code": `{"Message": "Success."}`,
		"truncated JSON":      `{"Code": "Success", "Data": [`,
		"plain text":          `upstream connect error`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, stub := newStub(t)
			stub.answer("DescribeZones", http.StatusOK, body)
			resp, err := c.DescribeZones(context.Background(), nil)
			assert.Nil(t, resp)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusOK, apiErr.HTTPStatus)
			assert.Empty(t, apiErr.Code)
			assert.NotEmpty(t, apiErr.Message)
		})
	}
}

func TestValidationErrorIsReturnedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)

	resp, err := c.CreateLoadBalancer(context.Background(), &CreateLoadBalancerRequest{VdcID: "v"})
	assert.Nil(t, resp)
	require.ErrorIs(t, err, ErrInvalidRequest)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "CreateLoadBalancer", ve.Action)
	assert.Equal(t, "RegionID", ve.Field)
	assert.NotEmpty(t, ve.Reason)
	assert.Empty(t, stub.requests(""), "nothing was sent")
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr))
	assertMatchesOnly(t, err, "")
	assert.True(t, errors.Is(err, ErrInvalidRequest))
}

func TestValidationErrorMessage(t *testing.T) {
	t.Parallel()
	err := error(&ValidationError{Action: "ModifyLoadBalancerStrategys", Field: "HTTPListeners[1].BackendServers[0].Weight", Reason: "must be between 1 and 256"})
	for _, part := range []string{"ModifyLoadBalancerStrategys", "HTTPListeners[1].BackendServers[0].Weight", "must be between 1 and 256"} {
		assert.Contains(t, err.Error(), part)
	}
	assert.ErrorIs(t, fmt.Errorf("wrapped: %w", err), ErrInvalidRequest)
	assert.NotErrorIs(t, err, ErrInvalidParameter, "a ValidationError is not the service's InvalidParameter")
}

// A nil request is refused when the action needs a parameter, as a
// ValidationError naming the field.
func TestNilRequestForAnActionWithRequiredParameters(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	resp, err := c.DeleteLoadBalancer(context.Background(), nil)
	assert.Nil(t, resp)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "DeleteLoadBalancer", ve.Action)
	assert.Equal(t, "InstanceUUID", ve.Field)
	assert.Empty(t, stub.requests(""))
}

// TestServerMessagesAreBounded: a service's message reaches errors and logs
// capped, on one line, with control characters escaped.
func TestServerMessagesAreBounded(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	c, srv := newHostile(t, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	huge := "line one\nline two\r\n\x1b[31mred\x1b[0m\x00\u0085\u2028 " + strings.Repeat("x", 1<<20)
	msg, err := json.Marshal(huge)
	require.NoError(t, err)
	srv.answer("DeleteLoadBalancer", 400, `{"Code":"InvalidParameter","Message":`+string(msg)+`}`)
	srv.answer("DescribeZones", 502, "<html>\x1b]0;title\x07"+strings.Repeat("<p>\x1b[2J", 5000)+"</html>")
	_, err = c.DeleteLoadBalancer(context.Background(), &DeleteLoadBalancerRequest{InstanceUUID: "i-1"})
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.LessOrEqual(t, len(apiErr.Message), 300)
	assert.True(t, strings.HasPrefix(apiErr.Message, `line one\nline two\r\n\x1b[31mred\x1b[0m\x00\u0085\u2028 xxx`), apiErr.Message)
	_, err = c.DescribeZones(context.Background(), nil)
	require.Error(t, err)
	for _, text := range []string{err.Error(), apiErr.Error(), logs.String()} {
		assert.NotContains(t, text, "\x1b")
		assert.NotContains(t, text, "\x00")
		assert.NotContains(t, text, "\x07")
		assert.NotContains(t, text, "\r")
	}
	assert.Less(t, len(logs.String()), 2000)
	assert.Equal(t, 2, strings.Count(logs.String(), "\n"), "one line per record")
}

// TestNoDoubledPrefixes: an error says each thing once.
func TestNoDoubledPrefixes(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	nginx := "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
	stub.answer("DescribeZones", http.StatusBadGateway, nginx)
	_, err := c.DescribeZones(context.Background(), nil)
	assert.EqualError(t, err, "cdslb: DescribeZones: HTTP 502: unexpected answer: 502 Bad Gateway nginx")
	c, stub = newStub(t)
	stub.answer("DescribeZones", http.StatusServiceUnavailable, "<html><head><title>Service Unavailable</title></head><body></body></html>")
	_, err = c.DescribeZones(context.Background(), nil)
	assert.EqualError(t, err, "cdslb: DescribeZones: HTTP 503: unexpected answer: Service Unavailable", "a title alone is kept")
}

// TestAuthFailureCodes: the three codes of a refused signature match
// ErrAuthFailure, no other sentinel, and their message says what to check.
func TestAuthFailureCodes(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"InvalidAccessKeyId", "SignatureDoesNotMatch", "RequestExpired"} {
		c, stub := newStub(t)
		stub.answer("DescribeZones", http.StatusForbidden, `{"Code": "`+code+`", "Message": "refused"}`)
		_, err := c.DescribeZones(context.Background(), nil)
		require.ErrorIs(t, err, ErrAuthFailure, code)
		assertMatchesOnly(t, err, "")
		assert.ErrorContains(t, err, "check the access key pair, the CDS_SECRET_* variables, or the clock", code)
		assert.Len(t, stub.requests("DescribeZones"), 1, "%s is not retried", code)
	}
	assert.Contains(t, ErrAuthFailure.Error(), "CDS_SECRET_*")
	assert.Contains(t, ErrAuthFailure.Error(), "clock")
	_, err := func() (any, error) {
		c, stub := newStub(t)
		stub.answer("DescribeZones", http.StatusBadRequest, `{"Code": "InvalidParameter", "Message": "x"}`)
		return c.DescribeZones(context.Background(), nil)
	}()
	assert.NotErrorIs(t, err, ErrAuthFailure)
	assert.NotContains(t, err.Error(), "clock")
}
