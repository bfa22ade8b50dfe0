package cdslb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// GetLoadBalancer asks for the one instance by its InstanceUuid filter and
// returns it as listed.
func TestGetLoadBalancerReturnsTheListedInstance(t *testing.T) {
	c, stub := newStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusOK, listed(waitUUID, StatusRunning))
	lb, err := c.GetLoadBalancer(context.Background(), waitUUID)
	require.NoError(t, err)
	assert.Equal(t, waitUUID, lb.InstanceUUID)
	assert.Equal(t, StatusRunning, lb.Status)
	assertGET(t, stub.only("DescribeLoadBalancers"), "DescribeLoadBalancers", map[string]string{"InstanceUuid": waitUUID})
}

// An id that is not listed, or a list of other instances (a service that
// ignored the filter, or one whose id merely contains the one asked for),
// is ErrResourceNotFound, never another instance.
func TestGetLoadBalancerMatchesTheIDExactly(t *testing.T) {
	for name, body := range map[string]string{
		"empty list":  `{"Code":"Success","Message":"Success.","Data":[]}`,
		"another id":  listed("other-"+waitUUID, StatusRunning),
		"a prefix of": listed(waitUUID[:8], StatusRunning),
	} {
		t.Run(name, func(t *testing.T) {
			c, stub := newStub(t)
			stub.answer("DescribeLoadBalancers", http.StatusOK, body)
			lb, err := c.GetLoadBalancer(context.Background(), waitUUID)
			assert.Nil(t, lb)
			require.ErrorIs(t, err, ErrResourceNotFound)
			assert.Contains(t, err.Error(), waitUUID)
		})
	}
}

// The service's own ResourceNotFound answer matches the sentinel too, and
// other errors come back as they are.
func TestGetLoadBalancerPassesTheServicesErrorsOn(t *testing.T) {
	c, stub := newStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusNotFound, `{"Code":"ResourceNotFound","Message":"no such instance"}`)
	_, err := c.GetLoadBalancer(context.Background(), waitUUID)
	require.ErrorIs(t, err, ErrResourceNotFound)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)

	c, stub = newStub(t)
	stub.answer("DescribeLoadBalancers", http.StatusForbidden, `{"Code":"SignatureDoesNotMatch","Message":"bad"}`)
	_, err = c.GetLoadBalancer(context.Background(), waitUUID)
	require.ErrorIs(t, err, ErrAuthFailure)
	assert.False(t, errors.Is(err, ErrResourceNotFound))
}

// An empty id would list every instance: it is refused before sending.
func TestGetLoadBalancerRefusesAnEmptyIDBeforeSending(t *testing.T) {
	c, stub := newStub(t)
	for _, id := range []string{"", "  ", string([]byte{0xff})} {
		_, err := c.GetLoadBalancer(context.Background(), id)
		require.ErrorIs(t, err, ErrInvalidRequest, fmt.Sprintf("%q", id))
	}
	assert.Empty(t, stub.requests(""))
}
