package cdslb

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// The walk: the library code one call runs, which `make walk` counts from
// statement coverage of these tests, set-up subtracted. They run only when
// CDSLB_WALK names one: set-up, DescribeLoadBalancers or UpdateListener.

func walkClient(t *testing.T) *Client {
	return inMemory(t, []byte(`{"Code":"Success","Message":"Success.","Data":[{"InstanceUuid":"i-1","InstanceName":"web","RegionId":"CN_Hongkong_A","Status":"RUNNING","Vips":[{"IP":"10.0.0.1","Type":"private"}]}]}`))
}

func TestWalk(t *testing.T) {
	switch os.Getenv("CDSLB_WALK") {
	case "set-up":
		walkClient(t)
	case "DescribeLoadBalancers":
		c := walkClient(t)
		_, err := c.DescribeLoadBalancers(context.Background(), &DescribeLoadBalancersRequest{InstanceName: "web"})
		require.NoError(t, err)
	case "UpdateListener":
		c := listenerWalkClient(t)
		_, err := c.UpdateListener(context.Background(), waitUUID, "edit", func(_ *HTTPListener, tcp *TCPListener) error {
			tcp.MaxConn = 200
			return nil
		})
		require.NoError(t, err)
	default:
		t.Skip("CDSLB_WALK names no walk")
	}
}

// listenerWalkClient answers reads with a listener set and writes with an
// acknowledgement.
func listenerWalkClient(t *testing.T) *Client {
	set, ack := []byte(listing(keepWith("MaxConn", "100"))), []byte(`{"Code":"Success","Message":"Success.","TaskId":"t-1"}`)
	c, err := NewClient(testKeyID, testSecret, WithRetry(NoRetry), WithHTTPClient(&http.Client{Transport: roundTripFunc(
		func(r *http.Request) (*http.Response, error) {
			body := set
			if r.Method == http.MethodPost {
				body = ack
			}
			return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, ContentLength: int64(len(body)),
				Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
		})}))
	require.NoError(t, err)
	return c
}
