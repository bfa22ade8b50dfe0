package cdslb

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPlainHTTPEndpointGetsASchemeHint: CDS_API_HOST given as a host
// without http://, pointed at a service that speaks plain HTTP (a local
// fake), fails with an error that says "the endpoint speaks plain HTTP;
// use http://..." and where the https came from; the TLS error is still reachable, and a
// write that never left is not reported as of unknown outcome.
func TestPlainHTTPEndpointGetsASchemeHint(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	t.Setenv("CDS_SECRET_ID", testKeyID)
	t.Setenv("CDS_SECRET_KEY", testSecret)
	t.Setenv("CDS_API_HOST", host)
	c, err := NewClientFromEnv(WithRetry(NoRetry))
	require.NoError(t, err)
	_, err = c.DescribeZones(context.Background(), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the endpoint speaks plain HTTP; use http://"+host+" in CDS_API_HOST")
	var rhe tls.RecordHeaderError
	assert.ErrorAs(t, err, &rhe)

	_, err = c.DeleteLoadBalancer(context.Background(), &DeleteLoadBalancerRequest{InstanceUUID: "lb-1"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "use http://"+host)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "the handshake failed: nothing was sent")

	// Given in code, the hint names no variable.
	c, err = NewClient(testKeyID, testSecret, WithEndpoint("https://"+host), WithRetry(NoRetry))
	require.NoError(t, err)
	_, err = c.DescribeZones(context.Background(), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the endpoint speaks plain HTTP; use http://"+host+" (attempts")
}
